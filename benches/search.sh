#!/usr/bin/env bash
# Search benchmark: statusref's tantivy-in-wasm search vs Pagefind on the same built site, in
# the same headless Chromium (issue 4, "Tests and measurements").
#
#   benches/search.sh [--runs 5] [--reps 10] [--first "payload too large"] [--keep]
#
# 1. builds the site (`cargo run --release -- build --output $work/site`);
# 2. installs pagefind from npm into benches/node_modules (benches/package.json pins it) and
#    indexes the same site: `pagefind --site $work/site --root-selector article --glob
#    '{http-codes,guides}/*/index.html'`, i.e. the <article> of every code and guide page, the
#    documents statusref indexes too (class and list pages have no <article>, so Pagefind skips
#    them); no template change;
# 3. serves the site with `python3 -m http.server --bind 127.0.0.1` (no compression);
# 4. runs benches/search/bench.mjs: per engine, --runs cold sessions in fresh Chromium profiles
#    (bytes on the wire before the first result, from DevTools Network events incl. the worker
#    Pagefind fetches from; time to ready and to the first result), then one session with every
#    query of tests/queries.tsv once (warm-up; rank of /http-codes/NNN/ in the top 10) and
#    --reps timed passes; gzip -9 / brotli -q 11 sizes of the same files computed offline.
# Prints a Markdown table on stdout (also saved with the JSON under $work); progress on stderr.
#
# Environment: CHROMIUM (default /usr/bin/chromium); SEARCH_BENCH_WORK=DIR (default a fresh
# temporary directory, removed at the end unless --keep); SEARCH_BENCH_NO_BUILD=1 reuses an
# existing $SEARCH_BENCH_WORK/site.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
keep=""
pass=()
while (($#)); do
  case "$1" in
    --keep) keep=1; shift ;;
    --runs|--reps|--first) pass+=("$1" "$2"); shift 2 ;;
    *) echo "usage: benches/search.sh [--runs N] [--reps N] [--first QUERY] [--keep]" >&2; exit 2 ;;
  esac
done

chromium="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "Chromium not found at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed (apt-get install nodejs npm)" >&2; exit 1; }

work="${SEARCH_BENCH_WORK:-}"
if [[ -z "$work" ]]; then
  work="$(mktemp -d /tmp/statusref-search-bench.XXXXXX)"
  [[ -n "$keep" ]] || trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
site="$work/site"

# 1. the site, built by the project (release build in the default target dir).
if [[ -z "${SEARCH_BENCH_NO_BUILD:-}" ]]; then
  echo "building the site into $site" >&2
  (cd "$root" && cargo run --release --locked -- build --output "$site" >&2)
fi

# 2. Pagefind, from npm, into benches/node_modules.
pagefind="$here/node_modules/.bin/pagefind"
if [[ ! -x "$pagefind" ]]; then
  echo "installing pagefind into benches/node_modules" >&2
  if [[ -f "$here/package-lock.json" ]]; then
    (cd "$here" && npm ci --no-audit --no-fund >&2)
  else
    (cd "$here" && npm install --no-audit --no-fund --no-save pagefind@1.6.0 >&2)
  fi
fi
rm -rf "$site/pagefind"
"$pagefind" --version >&2
"$pagefind" --site "$site" --root-selector article --glob '{http-codes,guides}/*/index.html' >&2

# 3. serve it on 127.0.0.1, on a free port.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >"$work/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; [[ -n "$keep" || -n "${SEARCH_BENCH_WORK:-}" ]] || rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/http-codes/" 2>/dev/null && break
  sleep 0.1
done

# 4. measure.
echo "load: $(uptime)" >&2
node_flags=()
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null || node_flags+=(--experimental-websocket)
CHROMIUM="$chromium" node "${node_flags[@]}" --no-warnings "$here/search/bench.mjs" \
  --base "http://127.0.0.1:$port" --site "$site" --queries "$root/tests/queries.tsv" \
  --json "$work/search-bench.json" "${pass[@]}" | tee "$work/search-bench.md"
echo >&2
echo "pagefind $("$pagefind" --version 2>&1 | tail -1); chromium $("$chromium" --version 2>/dev/null | head -1)" >&2
echo "load after: $(uptime)" >&2
echo "results: $work/search-bench.md, $work/search-bench.json" >&2
