// One table over the sizes of a benches/search.sh run: bytes before the first result (every
// file at brotli -q 11) for statusref and Pagefind, their ratio, how statusref's figure grows
// from the smallest generated size, time to the first result and per-query medians.
//
//   node benches/search/summary.mjs SIZE1/search-bench.json SIZE2/search-bench.json ...
import { readFileSync } from "node:fs";

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));
const kb = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`);
const ms = (n) => (n == null ? "—" : n < 10 ? n.toFixed(2) : n.toFixed(1));
const generated = runs.filter((r) => /^\d+$/.test(r.label));
const smallest = generated.length
  ? generated.reduce((a, b) => (Number(a.label) <= Number(b.label) ? a : b))
  : null;
console.log("| site | statusref bytes | Pagefind bytes | statusref / Pagefind | statusref vs smallest | " +
  "first result cold (statusref / Pagefind) | query median (statusref / Pagefind) |");
console.log("|---|---|---|---|---|---|---|");
for (const r of runs) {
  const s = r.summary.statusref, p = r.summary.pagefind;
  const growth = smallest && /^\d+$/.test(r.label)
    ? `${(s.offline.br / smallest.summary.statusref.offline.br).toFixed(2)}×` : "—";
  const name = /^\d+$/.test(r.label) ? `${Number(r.label).toLocaleString("en")} pages` : r.label;
  console.log(`| ${name} | ${kb(s.offline.br)} (${s.files.length} files) | ${kb(p.offline.br)} (${p.files.length} files) | ` +
    `${(s.offline.br / p.offline.br).toFixed(2)}× | ${growth} | ${ms(s.firstResultMs)} / ${ms(p.firstResultMs)} ms | ` +
    `${ms(s.queryMedianMs)} / ${ms(p.queryMedianMs)} ms |`);
}
console.log("\nstatusref files (brotli -q 11), per size: " + runs.map((r) => `${r.label}: ` +
  r.summary.statusref.offline.perFile.map((f) => `${f.path.replace(/^.*\//, "")} ${kb(f.br)}`).join(", ")).join("; "));
