#!/usr/bin/env bash
# Seeds tests/fuzz/corpus/<target>/ from the repository's content and test fixtures.
# Each fuzz input's first byte picks the path the file pretends to have (common.rs, PATHS),
# so every seed is written twice: as a code page (0x00) and as a guide (0x01).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
for target in front_matter markdown page config head; do
  mkdir -p "$here/corpus/$target"
done
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  for sel in 0 1; do
    out="$here/corpus/front_matter/seed-$n-$sel"
    { printf "\\x0$sel"; cat "$file"; } > "$out"
    cp "$out" "$here/corpus/page/seed-$n-$sel"
  done
  # markdown takes the body as is.
  cp "$file" "$here/corpus/markdown/seed-$n"
done < <(find "$root/content" "$root/tests/fixtures" -name '*.md' -print0 | sort -z)
# config takes site.yaml files; head the `head:` lists (the lines after `head:` up to the next
# top-level key). Both also start from the regression inputs.
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "$here/corpus/config/seed-$n"
done < <(find "$root" -name site.yaml -not -path "$root/target/*" -print0 | sort -z)
while IFS= read -r -d '' file; do
  n=$((n + 1))
  awk '/^head:/ {on = 1; next} on && /^[^ ]/ {exit} on' "$file" > "$here/corpus/head/seed-$n"
  [ -s "$here/corpus/head/seed-$n" ] || rm "$here/corpus/head/seed-$n"
done < <(grep -rlZ '^head:' "$root/content" "$root/tests/fixtures" | sort -z)
for target in config head; do
  cp "$here/regressions/$target/"* "$here/corpus/$target/"
done
echo "seeded $n files into $here/corpus/{front_matter,markdown,page,config,head}"
