// Per-query time of the search wasm under node, over a built site's split index, without a
// browser: for profiling (`node --cpu-prof`) and quick before/after comparisons of search/
// changes. Loads the head, answers every query of a queries file once (fetching the chunks it
// asks for from disk, as search.js does over the network), then times --reps passes.
//
//   node search/tools/wasm-bench.mjs --wasm search.wasm --site public \
//        [--queries tests/queries.tsv] [--reps 10] [--limit 50] [--cold]
//
// --cold: also prints, per query on a fresh instance, the rounds and chunks the first answer
// needed (no timing: node reads chunks from disk).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const wasmPath = opt("wasm");
const site = opt("site");
const queriesFile = opt("queries", "tests/queries.tsv");
const reps = Number(opt("reps", 10));
const limit = Number(opt("limit", 50));
if (!wasmPath || !site) {
  console.error("usage: wasm-bench.mjs --wasm FILE --site DIR [--queries TSV] [--reps N] [--limit N]");
  process.exit(2);
}
const assets = join(site, "assets");
const head = readdirSync(assets).find((f) => /^index\.[0-9a-f]+\.bin$/.test(f));
if (!head) throw new Error(`no index.<hash>.bin in ${assets}`);
const queries = readFileSync(queriesFile, "utf8").split("\n").slice(1).filter((l) => l.trim())
  .map((l) => l.split("\t")[0]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const module = new WebAssembly.Module(readFileSync(wasmPath));

function instance() {
  let exports;
  const inst = new WebAssembly.Instance(module, {
    env: {
      js_log: (ptr, len) => console.error(decoder.decode(new Uint8Array(exports.memory.buffer, ptr, len))),
    },
  });
  exports = inst.exports;
  const read = (ptr) => {
    const len = new DataView(exports.memory.buffer).getUint32(ptr, true);
    return JSON.parse(decoder.decode(new Uint8Array(exports.memory.buffer, ptr + 4, len)));
  };
  const copyIn = (bytes) => {
    const ptr = exports.alloc(bytes.length);
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  };
  const t0 = performance.now();
  const bytes = readFileSync(join(assets, head));
  const loaded = read(exports.load_bundle(copyIn(bytes), bytes.length));
  if (loaded.error) throw new Error(loaded.error);
  const t1 = performance.now();
  const warm = read(exports.warm_up());
  if (warm.error) throw new Error(warm.error);
  const t2 = performance.now();
  const search = (q) => {
    const b = encoder.encode(q);
    let rounds = 0;
    let chunks = 0;
    for (;;) {
      const ptr = copyIn(b);
      const r = read(exports.search(ptr, b.length, limit));
      exports.dealloc(ptr, b.length);
      if (r && r.need) {
        rounds++;
        chunks += r.need.length;
        for (const name of r.need) {
          const c = readFileSync(join(assets, "index", `${name}.bin`));
          const added = read(exports.add_chunk(copyIn(c), c.length));
          if (added.error) throw new Error(added.error);
        }
        if (rounds > 16) throw new Error(`${q}: too many rounds`);
        continue;
      }
      if (r.error) throw new Error(r.error);
      return { hits: r, rounds, chunks };
    }
  };
  return { search, loadMs: t1 - t0, warmMs: t2 - t1 };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
};

if (args.includes("--cold")) {
  const rounds = [];
  const chunks = [];
  for (const q of queries) {
    const r = instance().search(q);
    rounds.push(r.rounds);
    chunks.push(r.chunks);
    if (r.rounds > 2) console.log(`  ${r.rounds} rounds: ${q}`);
  }
  console.log(`cold: rounds median ${quantile(rounds, 0.5)} max ${Math.max(...rounds)}; ` +
    `chunks median ${quantile(chunks, 0.5)} p95 ${quantile(chunks, 0.95)}`);
}

const s = instance();
console.log(`load ${s.loadMs.toFixed(2)} ms, warm-up ${s.warmMs.toFixed(2)} ms`);
const t0 = performance.now();
let fetched = 0;
const first = queries.map((q) => { const r = s.search(q); fetched += r.chunks; return r.hits; });
console.log(`first pass ${(performance.now() - t0).toFixed(1)} ms (${fetched} chunks)`);
const per = queries.map(() => []);
const all = [];
const t1 = performance.now();
for (let r = 0; r < reps; r++) {
  queries.forEach((q, i) => {
    const a = performance.now();
    const got = s.search(q);
    const ms = performance.now() - a;
    if (got.rounds) throw new Error(`${q}: fetched after the first pass`);
    if (r === 0 && JSON.stringify(got.hits) !== JSON.stringify(first[i])) throw new Error(`${q}: answer changed`);
    per[i].push(ms);
    all.push(ms);
  });
}
const total = performance.now() - t1;
const medians = per.map((xs) => quantile(xs, 0.5));
console.log(`queries ${queries.length} x ${reps}: median ${quantile(all, 0.5).toFixed(3)} ms, ` +
  `p95 ${quantile(all, 0.95).toFixed(3)} ms, mean ${(total / all.length).toFixed(3)} ms`);
if (args.includes("--slowest")) {
  const order = medians.map((m, i) => [m, queries[i]]).sort((a, b) => b[0] - a[0]).slice(0, 15);
  for (const [m, q] of order) console.log(`  ${m.toFixed(3)} ms  ${q}`);
}
if (opt("dump")) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(opt("dump"), JSON.stringify(queries.map((q, i) => [q, first[i]]), null, 0));
}
