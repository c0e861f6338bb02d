// Opens a URL in headless Chromium over the DevTools protocol and prints the value of a
// JavaScript expression once it is truthy (real time: no virtual-time budget, so
// performance.now() figures are real). Node 20: run with --experimental-websocket.
//
//   node --experimental-websocket search/tools/cdp-eval.mjs URL EXPRESSION [TIMEOUT_MS]
//
// CHROMIUM (default /usr/bin/chromium) names the browser.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, expression, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg || 20000);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const profile = mkdtempSync(join(tmpdir(), "statusref-cdp-"));
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

const endpoint = await new Promise((resolve, reject) => {
  let err = "";
  browser.stderr.on("data", (d) => {
    err += d;
    const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  browser.on("exit", (code) => reject(new Error(`chromium exited ${code}: ${err}`)));
  setTimeout(() => reject(new Error("chromium did not start")), 10000);
});

let id = 0;
const pending = new Map();
const ws = new WebSocket(endpoint);
await new Promise((r) => ws.addEventListener("open", r));
ws.addEventListener("message", (event) => {
  const msg = JSON.parse(event.data);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const send = (method, params = {}, sessionId) =>
  new Promise((resolve) => {
    const msgId = ++id;
    pending.set(msgId, resolve);
    ws.send(JSON.stringify({ id: msgId, method, params, sessionId }));
  });

let status = 0;
try {
  const { result: { targetId } } = await send("Target.createTarget", { url: "about:blank" });
  const { result: { sessionId } } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Page.enable", {}, sessionId);
  await send("Page.navigate", { url }, sessionId);
  const deadline = Date.now() + timeout;
  let value;
  while (Date.now() < deadline) {
    const r = await send("Runtime.evaluate", { expression, returnByValue: true }, sessionId);
    value = r.result && r.result.result && r.result.result.value;
    if (value) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  if (!value) throw new Error(`timed out waiting for: ${expression}`);
  console.log(typeof value === "string" ? value : JSON.stringify(value));
} catch (e) {
  console.error(String(e));
  status = 1;
} finally {
  ws.close();
  browser.kill();
}
process.exit(status);
