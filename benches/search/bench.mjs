// Search benchmark driver: statusref (tantivy in wasm) vs Pagefind, in headless Chromium over
// the DevTools protocol (real time), against one site served on 127.0.0.1. Run by
// benches/search.sh; the browser plumbing is search/tools/cdp.mjs.
//
//   node --experimental-websocket benches/search/bench.mjs --base http://127.0.0.1:PORT \
//        --site DIR --queries tests/queries.tsv [--runs 5] [--reps 10] [--first "payload too large"]
//        [--label NAME] [--json OUT.json]
//
// For each engine, `--runs` cold sessions (fresh Chromium profile each, engines interleaved):
// bytes on the wire before the first result (DevTools Network.loadingFinished
// encodedDataLength, which includes response headers; plus the body sizes), time to ready and
// to the first result. Then one more session per engine: every query of queries.tsv once as
// warm-up, then `--reps` timed passes (per-query latency), and the rank of the expected code's
// page in the top 10. Prints a Markdown table on stdout; progress on stderr.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openChromium } from "../../search/tools/cdp.mjs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const base = opt("base");
const siteDir = opt("site");
const queriesFile = opt("queries");
const runs = Number(opt("runs", 5));
const reps = Number(opt("reps", 10));
const firstQuery = opt("first", "payload too large");
const jsonOut = opt("json");
const label = opt("label", "");
if (!base || !siteDir || !queriesFile) {
  console.error("usage: bench.mjs --base URL --site DIR --queries FILE [--runs N] [--reps N]");
  process.exit(2);
}
const log = (...a) => console.error(...a);

const queries = readFileSync(queriesFile, "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim())
  .map((l) => {
    const [query, expected, rank] = l.split("\t");
    return { query, expected: Number(expected), rank: Number(rank) };
  });

// ---- browser ------------------------------------------------------------------------------

async function openBrowser() {
  const { send, sessionId, listen, close: closeBrowser } = await openChromium("statusref-searchbench-");
  // Network log: url -> {encoded (wire bytes incl. headers), body (decoded body bytes)}.
  const requests = new Map();
  // Pagefind fetches its wasm, index chunks and fragments from a Web Worker: attach to workers
  // too (paused at start until their Network domain is on) and log their requests as well.
  const sessions = new Set([sessionId]);
  listen((msg) => {
    if (msg.method === "Target.attachedToTarget" && sessions.has(msg.sessionId)) {
      const child = msg.params.sessionId;
      sessions.add(child);
      send("Network.enable", {}, child).then(() => send("Runtime.runIfWaitingForDebugger", {}, child));
      send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, child);
    }
  });
  listen((msg) => {
    if (!sessions.has(msg.sessionId)) return;
    const p = msg.params;
    if (msg.method === "Network.requestWillBeSent") {
      requests.set(msg.sessionId + p.requestId, { url: p.request.url, encoded: 0, body: 0, done: false });
    } else if (msg.method === "Network.dataReceived") {
      const r = requests.get(msg.sessionId + p.requestId);
      if (r) r.body += p.dataLength;
    } else if (msg.method === "Network.loadingFinished") {
      const r = requests.get(msg.sessionId + p.requestId);
      if (r) { r.encoded = p.encodedDataLength; r.done = true; }
    }
  });
  await send("Network.enable", {}, sessionId);
  await send("Page.enable", {}, sessionId);
  await send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId);
  const evaluate = async (expression) => {
    const r = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (r.result && r.result.exceptionDetails) {
      throw new Error(`${expression.slice(0, 80)}…: ${JSON.stringify(r.result.exceptionDetails).slice(0, 600)}`);
    }
    return r.result && r.result.result && r.result.result.value;
  };
  const navigate = async (url, readyExpr) => {
    await send("Page.navigate", { url }, sessionId);
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (await evaluate(readyExpr).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${readyExpr} on ${url}`);
  };
  const settle = async () => {
    // Let outstanding network events arrive.
    for (let i = 0; i < 50 && [...requests.values()].some((r) => !r.done); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const close = closeBrowser;
  return { evaluate, navigate, requests, settle, close };
}

// ---- in-page code, per engine ---------------------------------------------------------------

// Each engine gives: a page to open, an expression true once the page is there, an expression
// that makes it ready, one that runs the first query, a `search(q)` returning the URLs of the
// top 10 and a `time(q)` returning ms.
const engines = {
  statusref: {
    page: "/http-codes/",
    loaded: "!!(window.statusrefSearch)",
    // search.js may already have started loading on idle: its own timings.readyMs counts from
    // the start of load() (fetch + compile wasm, fetch bundle, load_bundle, warm-up query).
    ready: `(async () => { const t0 = performance.now(); await statusrefSearch.ready();
      const t = statusrefSearch.timings;
      return { readyMs: t.readyMs, sinceCallMs: performance.now() - t0, fetchMs: t.fetchMs,
               loadMs: t.loadMs, warmUpMs: t.warmUpMs }; })()`,
    first: (q) => `(async () => { const t0 = performance.now();
      // As the page does: its first 10 results, shown before the rest (assets/search.js).
      const hits = await statusrefSearch.search(${JSON.stringify(q)}, 10);
      return { firstQueryMs: performance.now() - t0, hits: hits.length }; })()`,
    setup: `window.__bench = {
      urls: async (q) => (await statusrefSearch.search(q)).slice(0, 10).map((h) => h.url),
      time: async (q) => { const t0 = performance.now(); await statusrefSearch.search(q); return performance.now() - t0; },
      timeFull: null,
    }; true`,
    isSearchAsset: (url) => /\/assets\/(search\.[0-9a-f]+\.(js|wasm)|index\.[0-9a-f]+\.bin|index\/[0-9a-f]+\.bin)$/.test(url),
  },
  pagefind: {
    // A page of the same site without statusref's search.js (which would load in the background).
    page: "/guides/",
    loaded: "document.readyState === 'complete'",
    ready: `(async () => { const t0 = performance.now();
      window.__pf = await import("/pagefind/pagefind.js");
      await __pf.options({});
      await __pf.init();
      return { readyMs: performance.now() - t0 }; })()`,
    // First result as a UI shows it: search, then the fragments (URL, title, excerpt) of the
    // first 5 results (Pagefind UI's default page size).
    first: (q) => `(async () => { const t0 = performance.now();
      const r = await __pf.search(${JSON.stringify(q)});
      const t1 = performance.now();
      const data = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
      return { firstQueryMs: performance.now() - t0, searchOnlyMs: t1 - t0, hits: r.results.length }; })()`,
    setup: `window.__bench = {
      urls: async (q) => { const r = await __pf.search(q);
        return (await Promise.all(r.results.slice(0, 10).map((x) => x.data()))).map((d) => d.url); },
      time: async (q) => { const t0 = performance.now(); await __pf.search(q); return performance.now() - t0; },
      timeFull: async (q) => { const t0 = performance.now(); const r = await __pf.search(q);
        await Promise.all(r.results.slice(0, 10).map((x) => x.data())); return performance.now() - t0; },
    }; true`,
    isSearchAsset: (url) => new URL(url).pathname.startsWith("/pagefind/"),
  },
};

async function coldRun(name) {
  const e = engines[name];
  const b = await openBrowser();
  try {
    await b.navigate(base + e.page, e.loaded);
    const ready = await b.evaluate(e.ready);
    const first = await b.evaluate(e.first(firstQuery));
    await b.settle();
    const files = [...b.requests.values()].filter((r) => e.isSearchAsset(r.url));
    return { ...ready, ...first, timeToFirstResultMs: (ready.readyMs || 0) + first.firstQueryMs, files };
  } finally {
    await b.close();
  }
}

async function fullRun(name) {
  const e = engines[name];
  const b = await openBrowser();
  try {
    await b.navigate(base + e.page, e.loaded);
    await b.evaluate(e.ready);
    await b.evaluate(e.setup);
    // Warm-up and quality: each query once, top-10 URLs.
    const ranks = [];
    for (const q of queries) {
      const urls = await b.evaluate(`__bench.urls(${JSON.stringify(q.query)})`);
      const re = new RegExp(`/http-codes/${q.expected}/$`);
      const i = urls.findIndex((u) => re.test(new URL(u, base).pathname));
      ranks.push({ ...q, got: i < 0 ? null : i + 1, top: urls.slice(0, 3).map((u) => new URL(u, base).pathname) });
    }
    // Latency: reps passes over all queries; each query timed alone in the page, and each pass
    // also as a whole (sum / count gives a mean free of the 0.1 ms timer granularity).
    const timeAll = async (fn) => {
      const samples = [];
      const perQuery = queries.map(() => []);
      let batchMs = 0;
      for (let r = 0; r < reps; r++) {
        const res = await b.evaluate(`(async () => { const qs = ${JSON.stringify(queries.map((q) => q.query))};
          const out = []; const t0 = performance.now();
          for (const q of qs) out.push(await __bench.${fn}(q));
          return { out, total: performance.now() - t0 }; })()`);
        res.out.forEach((ms, i) => { samples.push(ms); perQuery[i].push(ms); });
        batchMs += res.total;
      }
      return { samples, perQueryMedian: perQuery.map(median), meanMs: batchMs / (reps * queries.length) };
    };
    const latency = await timeAll("time");
    const latencyFull = name === "pagefind" ? await timeAll("timeFull") : null;
    await b.settle();
    const sessionBytes = [...b.requests.values()].filter((r) => e.isSearchAsset(r.url))
      .reduce((s, r) => s + (r.done ? r.encoded : diskSize(r.url)), 0);
    return { ranks, latency, latencyFull, sessionBytes };
  } finally {
    await b.close();
  }
}

// ---- statistics and sizes -------------------------------------------------------------------

const diskSize = (u) => statSync(join(siteDir, decodeURIComponent(new URL(u).pathname))).size;

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs) => quantile(xs, 0.5);

function offlineSizes(urls) {
  let raw = 0, gz = 0, br = 0;
  const perFile = [];
  for (const u of urls) {
    const path = join(siteDir, decodeURIComponent(new URL(u).pathname));
    const bytes = readFileSync(path);
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
    br += brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length;
    perFile.push({ path: new URL(u).pathname, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length,
      br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length });
  }
  return { raw, gz, br, perFile };
}

// ---- main -----------------------------------------------------------------------------------

const names = ["statusref", "pagefind"];
const cold = { statusref: [], pagefind: [] };
for (let r = 0; r < runs; r++) {
  const order = r % 2 ? [...names].reverse() : names;
  for (const n of order) {
    const res = await coldRun(n);
    log(`cold ${n} #${r + 1}: ready ${res.readyMs.toFixed(1)} ms, first result ${res.timeToFirstResultMs.toFixed(1)} ms, ` +
      `${res.files.length} files, ${res.files.reduce((s, f) => s + (f.done ? f.encoded : diskSize(f.url)), 0)} B`);
    cold[n].push(res);
  }
}
const full = {};
for (const n of names) {
  log(`full ${n}: ${queries.length} queries, ${reps} timed passes`);
  full[n] = await fullRun(n);
}

const fmtB = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`);
const fmtMs = (n) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const summary = {};
for (const n of names) {
  const c = cold[n];
  const first = c[0];
  const files = first.files;
  const urls = [...new Set(files.map((f) => f.url))];
  // A dedicated worker's own script (pagefind-worker.js) never gets Network.loadingFinished in
  // the page's session: count its size on disk (the server sends files as they are) instead.
  const unreported = files.filter((f) => !f.done).map((f) => new URL(f.url).pathname);
  const wire = files.reduce((s, f) => s + (f.done ? f.encoded : diskSize(f.url)), 0);
  const body = files.reduce((s, f) => s + (f.done ? f.body : diskSize(f.url)), 0);
  const sizes = offlineSizes(urls);
  const f = full[n];
  const meets = f.ranks.filter((r) => r.got !== null && r.got <= r.rank);
  summary[n] = {
    files: urls.map((u) => new URL(u).pathname),
    network: files.map((f) => ({ path: new URL(f.url).pathname, encoded: f.encoded, body: f.body, done: f.done })),
    wireBytes: wire,
    unreported,
    bodyBytes: body,
    offline: sizes,
    sameFilesEveryRun: c.every((x) => x.files.length === files.length),
    readyMs: median(c.map((x) => x.readyMs)),
    readyRunsMs: c.map((x) => x.readyMs),
    firstResultMs: median(c.map((x) => x.timeToFirstResultMs)),
    firstQueryMs: median(c.map((x) => x.firstQueryMs)),
    queryMedianMs: median(f.latency.samples),
    queryP95Ms: quantile(f.latency.samples, 0.95),
    queryMedianOfMediansMs: median(f.latency.perQueryMedian),
    queryP95OfMediansMs: quantile(f.latency.perQueryMedian, 0.95),
    queryMeanBatchMs: f.latency.meanMs,
    fullMedianMs: f.latencyFull ? median(f.latencyFull.samples) : null,
    fullP95Ms: f.latencyFull ? quantile(f.latencyFull.samples, 0.95) : null,
    sessionBytes: f.sessionBytes,
    meets: meets.length,
    misses: f.ranks.filter((r) => !(r.got !== null && r.got <= r.rank)),
    ranks: f.ranks,
    cold: c.map(({ files: _f, ...rest }) => rest),
  };
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ label, firstQuery, runs, reps, summary }, null, 2));

const s = summary.statusref, p = summary.pagefind;
const row = (label, a, b) => console.log(`| ${label} | ${a} | ${b} |`);
console.log(`\nFirst query: "${firstQuery}"; ${runs} cold runs per engine (medians); latency over ` +
  `${queries.length} queries × ${reps} passes after one warm-up pass.\n`);
console.log("| | statusref (tantivy wasm) | Pagefind |");
console.log("|---|---|---|");
row("files before first result", `${s.files.length} (js + wasm + bundle)`, `${p.files.length} (js, worker, entry, meta, wasm, index chunks, fragments of top ≤5)`);
row("bytes to first result, as served (DevTools encodedDataLength incl. headers; server sends uncompressed)", fmtB(s.wireBytes), fmtB(p.wireBytes));
row("same files, raw / gzip -9 / brotli -q 11 (offline)",
  `${fmtB(s.offline.raw)} / ${fmtB(s.offline.gz)} / ${fmtB(s.offline.br)}`,
  `${fmtB(p.offline.raw)} / ${fmtB(p.offline.gz)} / ${fmtB(p.offline.br)}`);
row("time to ready (cold, median)", `${fmtMs(s.readyMs)} ms`, `${fmtMs(p.readyMs)} ms`);
row("first query after ready (cold)", `${fmtMs(s.firstQueryMs)} ms`, `${fmtMs(p.firstQueryMs)} ms (search + 5 fragments)`);
row("time to first result (ready + first query)", `${fmtMs(s.firstResultMs)} ms`, `${fmtMs(p.firstResultMs)} ms`);
row("query median / p95, all samples", `${fmtMs(s.queryMedianMs)} / ${fmtMs(s.queryP95Ms)} ms`,
  `${fmtMs(p.queryMedianMs)} / ${fmtMs(p.queryP95Ms)} ms (search() only)`);
row("query median / p95 of per-query medians", `${fmtMs(s.queryMedianOfMediansMs)} / ${fmtMs(s.queryP95OfMediansMs)} ms`,
  `${fmtMs(p.queryMedianOfMediansMs)} / ${fmtMs(p.queryP95OfMediansMs)} ms`);
row("query mean (batched, timer-granularity free)", `${s.queryMeanBatchMs.toFixed(3)} ms`, `${p.queryMeanBatchMs.toFixed(3)} ms`);
row("query incl. results data, median / p95", `${fmtMs(s.queryMedianMs)} / ${fmtMs(s.queryP95Ms)} ms (hits carry title + snippet)`,
  `${fmtMs(p.fullMedianMs)} / ${fmtMs(p.fullP95Ms)} ms (search + data() of top 10)`);
row("search bytes after all queries (wire)", fmtB(s.sessionBytes), fmtB(p.sessionBytes));
row(`queries meeting their rank (top 10)`, `**${s.meets} / ${queries.length}**`, `**${p.meets} / ${queries.length}**`);
const missList = (m) => m.map((r) => `\`${r.query}\` → ${r.expected} (want ≤${r.rank}, got ${r.got ?? "—"})`).join("; ") || "none";
console.log(`\nstatusref misses: ${missList(s.misses)}`);
console.log(`\nPagefind misses: ${missList(p.misses)}`);
for (const [n, x] of [["statusref", s], ["Pagefind", p]]) {
  if (x.unreported.length) console.log(`\n${n}: no DevTools size for ${x.unreported.join(", ")} (worker script); counted at its size on disk.`);
}
const perFile = (x) => x.offline.perFile.map((f) => `${f.path} ${fmtB(f.raw)}/${fmtB(f.gz)}/${fmtB(f.br)}`).join("; ");
console.log(`\nstatusref files (raw/gzip/brotli): ${perFile(s)}`);
console.log(`\nPagefind files (raw/gzip/brotli): ${perFile(p)}`);
console.log(`cold ready runs (ms): statusref ${s.readyRunsMs.map(fmtMs).join(", ")}; Pagefind ${p.readyRunsMs.map(fmtMs).join(", ")}`);
process.exit(0);
