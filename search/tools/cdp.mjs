// Headless Chromium over the DevTools protocol, for the search tools and benchmarks (node 20:
// run with --experimental-websocket, or node 22+). One browser with a fresh profile, one page
// target attached in flat mode:
//
//   const page = await openChromium("statusref-x-");
//   await page.send("Page.navigate", { url }, page.sessionId);
//   page.listen((msg) => { /* CDP events */ });
//   await page.close();   // ends Chromium, then removes its profile
//
// CHROMIUM (default /usr/bin/chromium) names the browser.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function openChromium(profilePrefix = "statusref-cdp-", startTimeoutMs = 20000) {
  const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
  const profile = mkdtempSync(join(tmpdir(), profilePrefix));
  const browser = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank",
  // Its own process group, so that close() ends the helpers (zygote, renderers, crashpad) too:
  // they keep writing to the profile for a moment after the main process is gone.
  ], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  const exited = new Promise((resolve) => browser.once("exit", resolve));
  const killGroup = (signal) => {
    try {
      process.kill(-browser.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // If this script dies without close(), do not leave the browser behind.
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);
  const endpoint = await new Promise((resolve, reject) => {
    let err = "";
    browser.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    browser.on("exit", (code) => reject(new Error(`chromium exited ${code}: ${err}`)));
    setTimeout(() => reject(new Error("chromium did not start")), startTimeoutMs);
  });
  let id = 0;
  const pending = new Map();
  const listeners = [];
  const ws = new WebSocket(endpoint);
  await new Promise((r) => ws.addEventListener("open", r));
  ws.addEventListener("message", (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve) => {
      const msgId = ++id;
      pending.set(msgId, resolve);
      ws.send(JSON.stringify({ id: msgId, method, params, sessionId }));
    });
  const { result: { targetId } } = await send("Target.createTarget", { url: "about:blank" });
  const { result: { sessionId } } = await send("Target.attachToTarget", { targetId, flatten: true });
  return {
    sessionId,
    send,
    listen: (listener) => listeners.push(listener),
    // Ends Chromium (SIGTERM to its process group, SIGKILL after 5 s), waits for it to exit,
    // then removes the profile, retrying while straggling helpers still write to it. Never
    // throws: a profile that cannot be removed is reported on stderr.
    async close() {
      try {
        ws.close();
      } catch {
        // The socket may already be closed.
      }
      killGroup("SIGTERM");
      const hard = setTimeout(() => killGroup("SIGKILL"), 5000);
      await exited;
      clearTimeout(hard);
      killGroup("SIGKILL");
      process.removeListener("exit", onExit);
      for (let attempt = 1; ; attempt++) {
        try {
          rmSync(profile, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
          return;
        } catch (e) {
          if (attempt >= 10) {
            console.error(`warning: could not remove the Chromium profile ${profile}: ${e.message}`);
            return;
          }
          await sleep(200 * attempt);
        }
      }
    },
  };
}
