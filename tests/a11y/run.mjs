// Accessibility and page-weight checks of a built statusref site, in headless Chromium.
//
//   node tests/a11y/run.mjs [SITE_DIR] [--json FILE] [--only PATH]
//        [--parts axe,copy,weight]
//
// SITE_DIR (default: public/) is served on 127.0.0.1; nothing is built here (.ci/a11y builds).
// For every page below, in every theme variant (OS light, OS dark, the theme toggle's stored
// choice against each OS setting, a 390px phone), it injects axe-core and runs it, then
// walks the page with Tab checking each focus indicator, and checks text-input boundaries.
// Then it checks page weight: HTML + CSS + JS of a code page, gzipped, within budget; no web
// fonts; no request leaving 127.0.0.1; the search wasm and index never requested on a code
// page and only lazily (after load: on idle or on focus of the box) on /http-codes/.
//
// Exit status: 0 all good; 1 a serious or critical violation, or a failed assertion; 2 the
// site or Chromium is missing. CHROMIUM=/path overrides the browser.
import { readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findChromium, launch, openTab, sleep } from "./lib/cdp.mjs";
import { serve, fileFor } from "./lib/serve.mjs";
import { focusCheck, inputBoundaryCheck, buttonsCheck } from "./lib/checks.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BUDGET = 30 * 1024; // HTML + CSS + JS of a code page, gzip
const GZIP_LEVEL = 6; // zlib's default, what most servers use
const THEME_KEY = "statusref-theme"; // assets/site.js
const SEARCH_ASSET = /\/assets\/(search\.[0-9a-f]+\.wasm|index\.[0-9a-f]+\.bin)$/;

// ---- arguments ----------------------------------------------------------------------------

const args = process.argv.slice(2);
let site = null, jsonOut = null, only = null, parts = new Set(["axe", "copy", "weight"]);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--json") jsonOut = args[++i];
  else if (args[i] === "--only") only = args[++i];
  else if (args[i] === "--parts") parts = new Set(args[++i].split(","));
  else if (args[i] === "-h" || args[i] === "--help") {
    console.log("usage: node tests/a11y/run.mjs [SITE_DIR] [--json FILE] [--only PATH] [--parts axe,copy,weight]");
    process.exit(0);
  } else if (!site) site = args[i];
  else { console.error(`unexpected argument: ${args[i]}`); process.exit(2); }
}
site = resolve(site || join(HERE, "..", "..", "public"));
if (!existsSync(join(site, "index.html"))) {
  console.error(`error: no built site at ${site} (run \`cargo run --release -- build\` first)`);
  process.exit(2);
}
const chromium = findChromium();
if (!chromium) {
  console.error("error: headless Chromium not found. Install it (`apt-get install -y chromium`) or set CHROMIUM=/path/to/chromium.");
  process.exit(2);
}
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// A guide: `timeouts` when the site has it, else the first one.
const guidesDir = join(site, "guides");
const guides = existsSync(guidesDir) ? readdirSync(guidesDir).filter((d) => existsSync(join(guidesDir, d, "index.html"))).sort() : [];
const guide = guides.includes("timeouts") ? "timeouts" : guides[0];

const PAGES = [
  { path: "/", label: "landing" },
  { path: "/http-codes/", label: "search + list" },
  { path: "/http-codes/?q=gatway+timout", label: "search results", results: true },
  { path: "/http-codes/524/", label: "code (vendor)" },
  { path: "/http-codes/404/", label: "code (official)" },
  { path: "/http-codes/429/", label: "code (constants table)" },
  { path: "/http-codes/5xx/", label: "class" },
  ...(guide ? [{ path: `/guides/${guide}/`, label: "guide" }] : []),
  { path: "/guides/which-layer-sent-this/", label: "guide (fingerprint tables)", optional: true },
  { path: "/guides/", label: "guides" },
  // Content families (content/<family>/_family.yaml): a list page and entries of two kinds.
  { path: "/cloudflare-errors/", label: "family list", optional: true },
  { path: "/cloudflare-errors/1020/", label: "family entry (Cloudflare)", optional: true },
  { path: "/iis-codes/500.19/", label: "family entry (IIS)", optional: true },
  { path: "/other-codes/0/", label: "family entry (no HTTP response)", optional: true },
  { path: "/no-such-page/", label: "404" },
].filter((p) => !p.optional || existsSync(join(site, p.path, "index.html")))
  .filter((p) => !only || p.path === only);

const VARIANTS = [
  { id: "light", scheme: "light" },
  { id: "dark", scheme: "dark" },
  { id: "os-light+toggle-dark", scheme: "light", toggleTo: "dark" },
  { id: "os-dark+toggle-light", scheme: "dark", toggleTo: "light" },
  { id: "phone-390", scheme: "light", width: 390, height: 844 },
];

const failures = []; // strings: every failed assertion

// ---- helpers ------------------------------------------------------------------------------

// Waits until the page is settled: loaded, and the search box (if any) done loading.
async function settle(tab, page) {
  await tab.until("document.readyState === 'complete'");
  const hasSearch = await tab.eval("!!document.getElementById('search-status')");
  if (hasSearch && page.results) {
    const state = await tab.until("(s => s && ['results','empty','error'].includes(s.dataset.state) && s.dataset.state)(document.getElementById('search-status'))", 20000);
    if (state !== "results") failures.push(`${page.path}: search ended in state "${state}", not "results"`);
  } else if (hasSearch) {
    await tab.until("(s => s && ['ready','error'].includes(s.dataset.state))(document.getElementById('search-status'))", 20000);
  }
  await tab.eval("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))");
}

// Presses the theme toggle with the keyboard, checks the choice is stored and survives a reload.
async function useToggle(tab, page, to) {
  const label = `${page.path} toggle → ${to}`;
  const ok = await tab.eval("(() => { const t = document.querySelector('.theme-toggle'); if (!t || t.hidden) return false; t.focus(); return document.activeElement === t; })()");
  if (!ok) { failures.push(`${label}: no focusable .theme-toggle`); return; }
  await tab.key("Enter");
  const after = await tab.eval(`({ theme: document.documentElement.dataset.theme, stored: localStorage.getItem(${JSON.stringify(THEME_KEY)}), pressed: document.querySelector('.theme-toggle').getAttribute('aria-pressed') })`);
  if (after.theme !== to || after.stored !== to) failures.push(`${label}: after Enter data-theme=${after.theme}, stored=${after.stored}`);
  if (after.pressed !== String(to === "dark")) failures.push(`${label}: aria-pressed=${after.pressed}`);
  await tab.reload();
  await settle(tab, page);
  const theme = await tab.eval("document.documentElement.dataset.theme");
  if (theme !== to) failures.push(`${label}: stored choice not applied after reload (data-theme=${theme})`);
}

async function runAxe(tab) {
  if (!(await tab.eval("typeof window.axe === 'object'"))) await tab.eval(axeSource + ";true");
  return tab.eval(`axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary }))
  })))`);
}

// Tabs through the page (at most `limit` stops, until focus wraps) checking every stop.
async function walkFocus(tab, limit = 400) {
  await tab.eval("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); true");
  const found = new Map(); // id -> { impact, help, nodes }
  let first = null, stops = 0, skipLink = false;
  for (let i = 0; i < limit; i++) {
    await tab.key("Tab");
    const r = await tab.eval(focusCheck);
    if (r.none) break; // left the document: wrapped around
    if (i === 0) skipLink = /skip/i.test(r.text);
    const key = r.target + "|" + r.text;
    if (first === key) break;
    if (first === null) first = key;
    stops += 1;
    for (const p of r.problems) {
      const f = found.get(p.id + p.impact) || { id: p.id, impact: p.impact, help: p.help, nodes: [] };
      f.nodes.push({ target: `${r.target} "${r.text}"`, summary: p.help });
      found.set(p.id + p.impact, f);
    }
  }
  const out = [...found.values()];
  if (!skipLink) out.push({ id: "skip-link-first", impact: "serious", help: "The first Tab stop should be a visible skip link", nodes: [{ target: "body" }] });
  return { stops, violations: out };
}

async function auditPage(browser, origin, page, variant) {
  const tab = await openTab(browser, { colorScheme: variant.scheme, width: variant.width, height: variant.height });
  try {
    await tab.goto(origin + page.path);
    await settle(tab, page);
    if (variant.toggleTo) await useToggle(tab, page, variant.toggleTo);
    const theme = await tab.eval("getComputedStyle(document.documentElement).colorScheme");
    const violations = await runAxe(tab);
    const inputs = await tab.eval(inputBoundaryCheck);
    if (inputs.length) violations.push({ id: "input-boundary-contrast", impact: "serious", help: "Text input boundary needs 3:1 contrast (WCAG 1.4.11)", nodes: inputs.map((n) => ({ target: n.target, summary: n.help })) });
    const focus = await walkFocus(tab);
    violations.push(...focus.violations);
    return { page: page.path, variant: variant.id, colorScheme: theme, tabStops: focus.stops, violations };
  } finally {
    await tab.close();
  }
}

// Without JavaScript: the page must not show buttons that do nothing.
async function noScriptButtons(browser, origin, page) {
  const tab = await openTab(browser);
  try {
    await tab.send("Emulation.setScriptExecutionDisabled", { value: true });
    await tab.goto(origin + page.path);
    return await tab.eval(buttonsCheck);
  } finally {
    await tab.close();
  }
}

const IMPACTS = ["critical", "serious", "moderate", "minor"];

function counts(violations) {
  const c = Object.fromEntries(IMPACTS.map((i) => [i, 0]));
  for (const v of violations) c[v.impact || "minor"] += v.nodes.length;
  return c;
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => "| " + cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ") + " |";
  return [line(headers), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
}

// ---- copy buttons -------------------------------------------------------------------------

// Every code block has a labelled copy button, code and guide pages a "Copy link" button by
// the heading, code pages a "Copy as Markdown" button (it fetches the page's Markdown twin);
// Enter and Space copy (checked on the clipboard) and the live region says so; print hides
// them all.
async function copyChecks(browser, origin, path) {
  const tab = await openTab(browser);
  const out = { path };
  try {
    await browser.send("Browser.grantPermissions", { origin, browserContextId: tab.browserContextId, permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"] });
    await tab.send("Emulation.setFocusEmulationEnabled", { enabled: true });
    await tab.goto(origin + path);
    await settle(tab, {});
    const shape = await tab.eval(`(() => {
      const pres = Array.from(document.querySelectorAll(".prose pre"));
      const bad = pres.filter(p => { const b = p.parentElement.classList.contains("pre-wrap") && p.parentElement.querySelector("button.copy-button"); return !b || !b.getAttribute("aria-label"); });
      const link = document.querySelector(".title-row > h1 + button.copy-link");
      const markdown = document.querySelector(".copy-markdown");
      return { pres: pres.length, http: document.querySelectorAll(".prose pre.http").length, bad: bad.length, link: !!link, markdown: !!markdown && !markdown.hidden, live: !!document.querySelector("[aria-live=polite][role=status]") };
    })()`);
    Object.assign(out, shape);
    if (!shape.pres) failures.push(`${path}: no code blocks to check copy buttons on`);
    if (shape.bad) failures.push(`${path}: ${shape.bad} of ${shape.pres} code blocks lack a labelled copy button`);
    if (!shape.link) failures.push(`${path}: no "Copy link" button beside the h1`);
    if (/^\/http-codes\/\d+\/$/.test(path) && !shape.markdown) failures.push(`${path}: no visible "Copy as Markdown" button`);
    const tries = [
      { sel: ".prose pre.http", key: "Enter", expect: "document.querySelector('.prose pre.http').innerText.replace(/\\n$/, '')" },
      { sel: ".prose pre:not(.http)", key: " ", expect: "document.querySelector('.prose pre:not(.http)').innerText.replace(/\\n$/, '')" },
      { sel: null, key: "Enter", expect: "location.origin + location.pathname" },
      { sel: null, btn: ".copy-markdown", key: " ", expect: "await (await fetch(document.querySelector('.copy-markdown').dataset.markdownUrl)).text()" },
    ];
    out.copied = [];
    for (const t of tries) {
      const button = t.sel ? `document.querySelector(${JSON.stringify(t.sel)})?.parentElement.querySelector('.copy-button')` : `document.querySelector(${JSON.stringify(t.btn || ".copy-link")})`;
      const name = t.sel || t.btn || ".copy-link";
      if (!(await tab.eval(`!!(${button})`))) continue;
      await tab.eval(`(${button}).focus(); navigator.clipboard.writeText(""); true`);
      await tab.key(t.key);
      let r;
      try {
        r = await tab.until(`(async () => { const live = document.querySelector("[aria-live=polite][role=status]").textContent; const clip = await navigator.clipboard.readText(); return live && clip ? { live, clip, want: ${t.expect}, label: (${button}).textContent, focused: document.activeElement === (${button}) } : null; })()`, 5000);
      } catch (e) {
        failures.push(`${path}: ${t.key === " " ? "Space" : t.key} on ${name}'s copy button copied nothing (${e.message})`);
        continue;
      }
      const ok = r.clip === r.want && /copied/i.test(r.live) && r.label === "Copied" && r.focused;
      out.copied.push({ button: name, key: t.key === " " ? "Space" : t.key, ok, live: r.live, chars: r.clip.length });
      if (!ok) failures.push(`${path}: copy via ${name}: clipboard ${r.clip === r.want ? "ok" : "differs"}, live region "${r.live}", label "${r.label}", focus kept ${r.focused}`);
      await sleep(2100); // the button's label and the live region reset
    }
    await tab.send("Emulation.setEmulatedMedia", { media: "print" });
    out.printVisible = await tab.eval("Array.from(document.querySelectorAll('.copy-button, .theme-toggle')).filter(b => b.getClientRects().length).length");
    if (out.printVisible) failures.push(`${path}: ${out.printVisible} buttons still shown in print`);
  } finally {
    await tab.close();
  }
  return out;
}

// ---- page weight --------------------------------------------------------------------------

function kindOf(r) {
  const path = new URL(r.url).pathname;
  if (r.type === "Document") return "html";
  if (r.type === "Stylesheet" || path.endsWith(".css")) return "css";
  if (r.type === "Script" || path.endsWith(".js")) return "js";
  if (r.type === "Font" || /\.(woff2?|ttf|otf|eot)$/i.test(path)) return "font";
  if (SEARCH_ASSET.test(path)) return "search";
  return "other";
}

async function measure(origin, tab) {
  const files = [];
  for (const r of tab.requests.values()) {
    if (!/^https?:/.test(r.url)) continue;
    const url = new URL(r.url);
    const entry = { url: url.pathname + url.search, kind: kindOf(r), time: r.time, status: r.status, failed: r.failed };
    if (url.origin !== origin) { entry.thirdParty = r.url; files.push(entry); continue; }
    const file = (await fileFor(site, url.pathname)) || (await fileFor(site, "/404.html"));
    const body = file ? readFileSync(file) : Buffer.alloc(0);
    entry.raw = body.length;
    entry.gzip = gzipSync(body, { level: GZIP_LEVEL }).length;
    files.push(entry);
  }
  const sum = (kind, key) => files.filter((f) => f.kind === kind).reduce((a, f) => a + (f[key] || 0), 0);
  const totals = {};
  for (const k of ["html", "css", "js", "search", "font", "other"]) totals[k] = { raw: sum(k, "raw"), gzip: sum(k, "gzip") };
  totals.page = { raw: totals.html.raw + totals.css.raw + totals.js.raw, gzip: totals.html.gzip + totals.css.gzip + totals.js.gzip };
  return { files, totals };
}

function commonAssertions(label, m) {
  for (const f of m.files) {
    if (f.thirdParty) failures.push(`${label}: third-party request ${f.thirdParty}`);
    if (f.kind === "font") failures.push(`${label}: web font requested: ${f.url}`);
    if (f.failed || f.status >= 400) {
      if (!(f.kind === "html" && f.status === 404)) failures.push(`${label}: ${f.url} failed (${f.failed || f.status})`);
    }
  }
}

async function weightChecks(browser, origin) {
  const results = [];
  const searchRequests = (tab) => [...tab.requests.values()].filter((r) => SEARCH_ASSET.test(new URL(r.url).pathname));

  // Code, family and guide pages: within budget; the search engine never requested, not even when the
  // header search box gets focus.
  const weighed = ["/http-codes/524/", "/http-codes/404/", "/http-codes/429/", "/",
    // The new page kinds: family list, entries, the longest guide.
    "/cloudflare-errors/", "/cloudflare-errors/1020/", "/iis-codes/500.19/", "/guides/which-layer-sent-this/"]
    .filter((p) => existsSync(join(site, p, "index.html")));
  for (const path of weighed) {
    const tab = await openTab(browser);
    try {
      await tab.goto(origin + path);
      await sleep(2500); // idle time in which a lazy loader would start
      await tab.eval("(b => { if (b) b.focus(); return true; })(document.querySelector('.header-search input, .hero-search input'))");
      await sleep(1000);
      const m = await measure(origin, tab);
      commonAssertions(path, m);
      const early = searchRequests(tab);
      if (early.length) failures.push(`${path}: requested the search engine: ${early.map((r) => r.url).join(", ")}`);
      if (path !== "/" && m.totals.page.gzip > BUDGET) failures.push(`${path}: HTML + CSS + JS is ${m.totals.page.gzip} bytes gzip, over the ${BUDGET}-byte budget`);
      results.push({ path, note: "no search engine requested (idle 2.5 s, box focused)", ...m });
    } finally {
      await tab.close();
    }
  }

  // /http-codes/ without a query: the engine loads after the load event, when the browser is
  // idle (requestIdleCallback, 4 s timeout) — never on the critical path.
  {
    const tab = await openTab(browser);
    try {
      const loadedAt = await tab.goto(origin + "/http-codes/");
      const deadline = Date.now() + 10000;
      while (searchRequests(tab).length < 2 && Date.now() < deadline) await sleep(50);
      await tab.until("['ready','error'].includes(document.getElementById('search-status').dataset.state)", 15000);
      const reqs = searchRequests(tab);
      const m = await measure(origin, tab);
      commonAssertions("/http-codes/", m);
      let note;
      if (reqs.length < 2) failures.push(`/http-codes/: search wasm and index not both requested within 10 s of load (got ${reqs.length})`);
      else {
        const first = Math.min(...reqs.map((r) => r.time));
        note = `search engine requested ${((first - loadedAt) * 1000).toFixed(0)} ms after the load event (idle)`;
        if (first < loadedAt) failures.push(`/http-codes/: search engine requested before the load event`);
      }
      results.push({ path: "/http-codes/", note, ...m });
    } finally {
      await tab.close();
    }
  }

  // /http-codes/ with the idle callback never firing: nothing until the box gets focus.
  {
    const tab = await openTab(browser, { beforeLoad: "window.requestIdleCallback = function () { return 0; };" });
    try {
      await tab.goto(origin + "/http-codes/");
      await sleep(3000);
      if (searchRequests(tab).length) failures.push(`/http-codes/ (no idle): search engine requested before the box had focus`);
      const focusedAt = Date.now();
      await tab.eval("document.getElementById('search-input').focus(); true");
      await tab.until("document.getElementById('search-status').dataset.state === 'ready'", 15000).catch(() => {});
      const n = searchRequests(tab).length;
      if (n < 2) failures.push(`/http-codes/ (no idle): focusing the box did not load the search engine (${n} requests)`);
      results.push({ path: "/http-codes/ (idle disabled)", note: n >= 2 ? `nothing for 3 s; loaded on focus, ready ${Date.now() - focusedAt} ms later` : "did not load on focus", ...(await measure(origin, tab)) });
    } finally {
      await tab.close();
    }
  }
  return results;
}

// ---- main ---------------------------------------------------------------------------------

const server = await serve(site);
let browser;
const audits = [];
const noScript = [];
let weights = [];
const copies = [];
try {
  browser = await launch(chromium);
  console.log(`statusref a11y: ${site} on ${server.origin}; ${browser.version}; axe-core ${JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve("axe-core/package.json")), "package.json"), "utf8")).version}`);
  for (const page of parts.has("axe") ? PAGES : []) {
    for (const variant of VARIANTS) {
      process.stderr.write(`  ${page.path} [${variant.id}]\n`);
      audits.push(await auditPage(browser, server.origin, page, variant));
    }
    const dead = await noScriptButtons(browser, server.origin, page);
    noScript.push({ page: page.path, dead });
    if (dead.length) failures.push(`${page.path} without JavaScript shows buttons that do nothing: ${dead.join("; ")}`);
  }
  if (parts.has("copy")) {
    for (const path of ["/http-codes/524/", ...(guide ? [`/guides/${guide}/`] : [])].filter((p) => !only || p === only)) {
      copies.push(await copyChecks(browser, server.origin, path));
    }
  }
  if (parts.has("weight") && !only) weights = await weightChecks(browser, server.origin);
} finally {
  if (browser) await browser.close();
  await server.close();
}

// ---- report -------------------------------------------------------------------------------

const pagesSeen = [...new Set(audits.map((a) => a.page))];
if (audits.length) console.log("\n## Violations by impact (critical/serious/moderate/minor, counted in nodes)\n");
if (audits.length) console.log(table(["page", ...VARIANTS.map((v) => v.id)], pagesSeen.map((p) => [p, ...VARIANTS.map((v) => {
  const a = audits.find((x) => x.page === p && x.variant === v.id);
  const c = counts(a.violations);
  return IMPACTS.map((i) => c[i]).join("/");
})])));

const byRule = new Map();
for (const a of audits) {
  for (const v of a.violations) {
    const key = v.id + "|" + v.impact;
    const r = byRule.get(key) || { id: v.id, impact: v.impact, help: v.help, where: new Set(), nodes: 0, examples: new Set() };
    r.where.add(`${a.page} [${a.variant}]`);
    r.nodes += v.nodes.length;
    v.nodes.slice(0, 3).forEach((n) => r.examples.size < 4 && r.examples.add(n.target + (n.summary && v.id.startsWith("color") ? ` — ${n.summary.split("\n").pop().trim()}` : "")));
    byRule.set(key, r);
  }
}
if (byRule.size) {
  console.log("\n## Rules violated\n");
  const rules = [...byRule.values()].sort((a, b) => IMPACTS.indexOf(a.impact) - IMPACTS.indexOf(b.impact) || a.id.localeCompare(b.id));
  for (const r of rules) {
    console.log(`- ${r.impact.toUpperCase()} ${r.id}: ${r.help} (${r.nodes} nodes on ${r.where.size} page/variant runs)`);
    for (const e of r.examples) console.log(`    e.g. ${e}`);
    const w = [...r.where];
    console.log(`    on ${w.slice(0, 6).join(", ")}${w.length > 6 ? `, … (${w.length - 6} more)` : ""}`);
  }
}

if (audits.length) {
  const tabStops = audits.filter((a) => a.variant === "light").map((a) => `${a.page}: ${a.tabStops}`);
  console.log(`\nTab stops checked (light): ${tabStops.join(", ")}`);
  console.log(`Without JavaScript: ${noScript.every((n) => !n.dead.length) ? "no dead buttons on any page" : "dead buttons found (see failures)"}\n`);
}

for (const c of copies) {
  console.log(`Copy buttons on ${c.path}: ${c.pres} code blocks (${c.http} http), ${c.pres - c.bad} with a labelled button; Copy link by the h1: ${c.link ? "yes" : "NO"}; ` +
    (c.copied || []).map((x) => `${x.key} on ${x.button}: ${x.ok ? "copied, announced" : "FAILED"}`).join("; ") + `; shown in print: ${c.printVisible}`);
}

if (weights.length) {
  console.log(`\n## Page weight (bytes; gzip -${GZIP_LEVEL} of the files each page requested; budget for a code page's HTML + CSS + JS: ${BUDGET})\n`);
  const fmt = (t) => `${t.gzip} (${t.raw})`;
  console.log(table(["page", "HTML", "CSS", "JS", "HTML+CSS+JS", "search wasm+index", "other", "fonts", "3rd-party"], weights.map((w) => [
    w.path, fmt(w.totals.html), fmt(w.totals.css), fmt(w.totals.js), fmt(w.totals.page), fmt(w.totals.search), fmt(w.totals.other),
    w.files.filter((f) => f.kind === "font").length, w.files.filter((f) => f.thirdParty).length,
  ])));
  console.log("\ngzip (raw) per column.");
  for (const w of weights) if (w.note) console.log(`- ${w.path}: ${w.note}`);
}

const blocking = audits.flatMap((a) => a.violations.filter((v) => v.impact === "critical" || v.impact === "serious").map((v) => `${a.page} [${a.variant}]: ${v.impact} ${v.id} (${v.nodes.length})`));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ site, audits, noScript, copies, weights, failures }, null, 2));

if (blocking.length || failures.length) {
  console.log(`\nFAILED: ${blocking.length} serious/critical violation runs, ${failures.length} failed assertions`);
  for (const f of failures) console.log(`  - ${f}`);
  process.exit(1);
}
console.log("\nOK: no serious or critical violations; page weight and loading assertions hold.");
