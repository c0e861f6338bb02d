#!/usr/bin/env bash
# `statusref serve` under load: wrk, 64 connections, 30 s, against 127.0.0.1, while a content
# file is edited every second (each edit is an incremental rebuild and a swap of the served
# snapshot; the search index follows in the background).
#
#   benches/serve_load.sh [--duration 30] [--connections 64] [--root SITE]
#
# Serves a copy of SITE (default: this repository's own site), requests every page of it in
# turn (every code page from codes.json, the class pages, guides, landing, search page, CSS)
# and prints requests/s, latency percentiles, socket errors, non-2xx responses and how many
# rebuilds happened. Needs wrk (apt-get install wrk; installed when missing) and curl.
# STATUSREF_BIN=/path/to/statusref skips `cargo build --release`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
duration=30
connections=64
site="$repo"
while (($#)); do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --root) site="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--connections N] [--root SITE]" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk curl >&2
fi

bin="${STATUSREF_BIN:-}"
if [[ -z "$bin" ]]; then
  (cd "$repo" && cargo build --release --locked >&2)
  target_dir="$(cd "$repo" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  bin="$target_dir/release/statusref"
fi

work="$(mktemp -d -t statusref-serve-load.XXXXXX)"
server_pid=""
editor_pid=""
cleanup() {
  [[ -n "$editor_pid" ]] && kill "$editor_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/site"
cp -r "$site/content" "$work/site/"
for optional in site.yaml templates assets; do
  [[ -e "$site/$optional" ]] && cp -r "$site/$optional" "$work/site/"
done

"$bin" serve --root "$work/site" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/serve.out" | head -1 || true)"
  [[ -n "$url" ]] && grep -q '^built ' "$work/serve.out" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "statusref serve did not start" >&2; cat "$work/serve.err" >&2; exit 1; }

# Every URL of the site that an edit does not rename (fingerprinted index and wasm names are
# left out: a content edit changes the index bundle's hash, so its old URL rightly 404s).
curl -fsS "${url}codes.json" | python3 -c '
import json, sys
from urllib.parse import urlsplit
codes = json.load(sys.stdin)
paths = ["/", "/http-codes/", "/guides/", "/404.html", "/codes.json", "/robots.txt"]
paths += ["/http-codes/%dxx/" % d for d in range(1, 6)]
paths += [urlsplit(c["url"]).path for c in codes]
print("\n".join(paths))
' "$url" >"$work/paths.txt"
curl -fsS "$url" | grep -o 'href="/assets/site\.[0-9a-f]*\.css"' | sed 's/href="//; s/"$//' >>"$work/paths.txt" || true
curl -fsS "${url}guides/" | grep -o 'href="/guides/[a-z0-9-]*/"' | sed 's/href="//; s/"$//' | sort -u >>"$work/paths.txt" || true
# Check every path once before the load.
bad=0
while read -r path; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "${url%/}$path" || true)"
  [[ "$code" == 200 ]] || { echo "not 200 before the load: $path ($code)" >&2; bad=1; }
done <"$work/paths.txt"
[[ $bad == 0 ]] || exit 1
npaths="$(wc -l <"$work/paths.txt")"

# wrk script: rotate over the paths; count statuses per thread; report them at the end.
{
  echo 'local paths = {'
  sed 's/.*/  "&",/' "$work/paths.txt"
  echo '}'
  cat <<'LUA'
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
local i = 0
local bad = 0
function init(args)
  i = id * 7
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do
    total_bad = total_bad + (t:get("bad") or 0)
  end
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d connect=%d read=%d write=%d timeout=%d status_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    total_bad, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
LUA
} >"$work/load.lua"

# Edit a page every second for the whole run.
pages=("$work"/site/content/codes/*.md)
page="${pages[0]}"
(
  n=0
  while true; do
    n=$((n + 1))
    printf '\nEdited under load, %d.\n' "$n" >>"$page"
    sleep 1
  done
) &
editor_pid=$!

before_rebuilds="$(grep -c 'rebuilt' "$work/serve.out" || true)"
wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency -s "$work/load.lua" "$url" | tee "$work/wrk.out" >&2
kill "$editor_pid" 2>/dev/null || true
wait "$editor_pid" 2>/dev/null || true
editor_pid=""
sleep 0.5
rebuilds=$(( $(grep -c 'rebuilt' "$work/serve.out" || true) - before_rebuilds ))
rebuild_ms="$(grep -o 'rebuilt [0-9]* pages in [0-9]* ms' "$work/serve.out" | awk '{print $5}' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "n/a"}')"
failed="$(grep -c 'does not build' "$work/serve.err" || true)"
result="$(grep '^RESULT' "$work/wrk.out")"
get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $result"; }

echo "# statusref serve under load"
echo
echo "$("$bin" --version), wrk -t2 -c$connections -d${duration}s over $npaths URLs of $(basename "$site") on 127.0.0.1; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "$(basename "$page") edited every second: $rebuilds rebuilds (median $rebuild_ms ms), $failed failed."
echo
echo "| requests/s | p50 | p90 | p99 | max | requests | socket errors (connect/read/write/timeout) | non-2xx |"
echo "|---:|---:|---:|---:|---:|---:|---|---:|"
echo "| $(get rps) | $(get p50_ms) ms | $(get p90_ms) ms | $(get p99_ms) ms | $(get max_ms) ms | $(get requests) | $(get connect)/$(get read)/$(get write)/$(get timeout) | $(get non2xx) |"
