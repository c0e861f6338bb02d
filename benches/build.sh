#!/usr/bin/env bash
# Build benchmark: statusref vs Hugo vs Hugo + Pagefind at 100, 1,000 and 10,000 pages.
#
#   benches/build.sh [--sizes 100,1000,10000] [--reps 3] [--work DIR] [--no-warm] [--corpus rich|plain|real]
#
# --corpus plain: 10,000-style guides with only title and description front matter, ~800 words
# each from a 6,000-word vocabulary (gen_site.py --plain), built by Hugo with the same minimal
# single/list theme.
#
# Installs what it needs (Debian: hugo, time, brotli via apt-get; pagefind via npm into
# benches/node_modules), builds the release binary, then runs benches/bench.py, which
# generates the sites (benches/gen_site.py), times interleaved cold builds, the warm rebuild
# of one edited page under `statusref serve`, and the search bundle sizes; it prints Markdown
# tables on stdout and each run on stderr.
#
# Environment: STATUSREF_BIN=/path/to/statusref skips `cargo build --release`;
# BENCH_NO_INSTALL=1 skips the installs (the tools must then be on PATH).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

if [[ -z "${BENCH_NO_INSTALL:-}" ]]; then
  missing=()
  command -v hugo >/dev/null || missing+=(hugo)
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v brotli >/dev/null || missing+=(brotli)
  command -v npm >/dev/null || missing+=(npm)
  if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "installing ${missing[*]} with apt-get" >&2
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
  if [[ ! -x "$here/node_modules/.bin/pagefind" ]]; then
    echo "installing pagefind into benches/node_modules" >&2
    (cd "$here" && npm ci --no-audit --no-fund >&2)
  fi
fi

bin="${STATUSREF_BIN:-}"
if [[ -z "$bin" ]]; then
  (cd "$root" && cargo build --release --locked >&2)
  target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  bin="$target_dir/release/statusref"
fi

exec python3 "$here/bench.py" --statusref "$bin" "$@"
