// Headless Chromium over the DevTools protocol, in plain node (no puppeteer): launch, one
// WebSocket (the `ws` package: node 18, Debian 12's, has no WebSocket of its own), flat
// sessions, events by session.
import { spawn } from "node:child_process";
import WebSocket from "ws";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The browser to run: $CHROMIUM, else the usual Debian/Ubuntu paths; null if none. */
export function findChromium() {
  if (process.env.CHROMIUM) return existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : null;
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p)) || null;
}

export async function launch(chromium) {
  const profile = mkdtempSync(join(tmpdir(), "statusref-a11y-"));
  const proc = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--force-color-profile=srgb",
    `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const endpoint = await new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 20000);
    proc.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(`chromium exited ${code}:\n${err}`)); });
  });
  const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${endpoint}`)));
  });
  let id = 0;
  const pending = new Map();
  const listeners = new Set();
  ws.addEventListener("message", (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject, method } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const msgId = ++id;
      pending.set(msgId, { resolve, reject, method });
      ws.send(JSON.stringify({ id: msgId, method, params, sessionId }));
    });
  return {
    send,
    version: (await send("Browser.getVersion")).product,
    /** Calls `fn(method, params)` for every event of `sessionId`; returns an unsubscribe. */
    on(sessionId, fn) {
      const l = (msg) => { if (msg.sessionId === sessionId) fn(msg.method, msg.params); };
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async close() {
      try { await send("Browser.close"); } catch { /* already gone */ }
      ws.close();
      await new Promise((r) => { if (proc.exitCode !== null) r(); else { proc.on("exit", r); setTimeout(() => { proc.kill("SIGKILL"); r(); }, 5000); } });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh tab in its own browser context (own localStorage and cache), attached, with Page,
 * Runtime and Network enabled and every network request recorded.
 */
export async function openTab(browser, { width = 1280, height = 900, colorScheme = "light", beforeLoad } = {}) {
  const { browserContextId } = await browser.send("Target.createBrowserContext", { disposeOnDetach: true });
  const { targetId } = await browser.send("Target.createTarget", { url: "about:blank", browserContextId });
  const { sessionId } = await browser.send("Target.attachToTarget", { targetId, flatten: true });
  const send = (method, params) => browser.send(method, params, sessionId);
  const requests = new Map(); // requestId -> record
  const waiters = [];
  let loadCount = 0;
  const off = browser.on(sessionId, (method, p) => {
    if (method === "Network.requestWillBeSent") {
      requests.set(p.requestId, { url: p.request.url, type: p.type, time: p.timestamp, status: 0 });
    } else if (method === "Network.responseReceived") {
      const r = requests.get(p.requestId);
      if (r) Object.assign(r, { status: p.response.status, mimeType: p.response.mimeType, type: p.type || r.type });
    } else if (method === "Network.loadingFailed") {
      const r = requests.get(p.requestId);
      if (r) r.failed = p.errorText;
    } else if (method === "Page.loadEventFired") {
      loadCount += 1;
    }
    for (const w of waiters.slice()) if (w.method === method) { waiters.splice(waiters.indexOf(w), 1); w.resolve(p); }
  });
  await send("Page.enable");
  await send("Runtime.enable");
  await send("Network.enable");
  await send("Network.setCacheDisabled", { cacheDisabled: true });
  await send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: width < 600 });
  await send("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: colorScheme }, { name: "prefers-reduced-motion", value: "reduce" }] });
  if (beforeLoad) await send("Page.addScriptToEvaluateOnNewDocument", { source: beforeLoad });

  const tab = {
    send,
    requests,
    browserContextId,
    waitFor(method, timeout = 20000) {
      return new Promise((resolve, reject) => {
        const w = { method, resolve };
        waiters.push(w);
        setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); reject(new Error(`timed out waiting for ${method}`)); } }, timeout);
      });
    },
    /** Navigates and resolves once the load event fired; returns its monotonic timestamp. */
    async goto(url) {
      const loaded = tab.waitFor("Page.loadEventFired");
      const r = await send("Page.navigate", { url });
      if (r.errorText) throw new Error(`${url}: ${r.errorText}`);
      return (await loaded).timestamp;
    },
    async reload() {
      const loaded = tab.waitFor("Page.loadEventFired");
      await send("Page.reload", { ignoreCache: true });
      return (await loaded).timestamp;
    },
    /** Evaluates an expression (promises awaited) and returns its value. */
    async eval(expression) {
      const r = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
      if (r.exceptionDetails) {
        throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
      }
      return r.result.value;
    },
    /** Polls `expression` until truthy; returns its value, or throws after `timeout` ms. */
    async until(expression, timeout = 15000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const v = await tab.eval(expression);
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${expression}`);
        await sleep(50);
      }
    },
    async key(key, { shift = false } = {}) {
      const codes = { Tab: 9, Enter: 13, " ": 32, Escape: 27 };
      const base = { key, code: key === " " ? "Space" : key, windowsVirtualKeyCode: codes[key] || 0, modifiers: shift ? 8 : 0 };
      await send("Input.dispatchKeyEvent", { type: "rawKeyDown", ...base });
      if (key === " " || key === "Enter") await send("Input.dispatchKeyEvent", { type: "char", ...base, text: key === "Enter" ? "\r" : key });
      await send("Input.dispatchKeyEvent", { type: "keyUp", ...base });
    },
    async close() {
      off();
      try { await browser.send("Target.closeTarget", { targetId }); } catch { /* gone */ }
      try { await browser.send("Target.disposeBrowserContext", { browserContextId }); } catch { /* gone */ }
    },
    loads: () => loadCount,
  };
  return tab;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
