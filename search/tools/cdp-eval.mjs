// Opens a URL in headless Chromium over the DevTools protocol and prints the value of a
// JavaScript expression once it is truthy (real time: no virtual-time budget, so
// performance.now() figures are real). Node 20: run with --experimental-websocket.
//
//   node --experimental-websocket search/tools/cdp-eval.mjs URL EXPRESSION [TIMEOUT_MS]
//
// CHROMIUM (default /usr/bin/chromium) names the browser.
import { openChromium } from "./cdp.mjs";

const [url, expression, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg || 20000);
const { send, sessionId, close } = await openChromium("statusref-cdp-", 10000);

let status = 0;
try {
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
  await close();
}
process.exit(status);
