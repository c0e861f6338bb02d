#!/usr/bin/env python3
"""Build benchmark: statusref vs Hugo vs Hugo + Pagefind, run by benches/build.sh.

    python3 benches/bench.py --statusref target/release/statusref [--sizes 100,1000,10000]
                             [--reps 3] [--work DIR] [--no-warm] [--corpus rich|plain|real]

For each size, a deterministic site from gen_site.py; then, interleaved per repetition (the
order of the tools rotates each time), cold builds of

- statusref: `statusref build --root SITE --output OUT` (pages, tantivy index, wasm, assets);
- Hugo: `hugo --source SITE` with the minimal theme in benches/hugo/ (one page template, one
  list), fresh output, resources and cache directories each time;
- Hugo + search: the same Hugo build followed by `pagefind --site OUT` over its output.

"Cold" means no state from an earlier run: every output, Hugo's resources/ and cache dir are
deleted before each build (the OS page cache is warm for all tools alike). Wall time is
measured around the process; peak RSS is GNU time's maximum resident set size (`/usr/bin/time
-f %M`, the figure `-v` prints). Medians of the repetitions are reported; ratios are taken
from this one run, so machine noise hits all tools alike.

Then, at 1,000 pages (or the middle size): the warm rebuild of one edited page with
`statusref serve` (and `hugo server` for reference), and the search bundle sizes and bytes to
the first result (search.js + search.wasm + index.bin, as the browser fetches them).
"""

import argparse
import gzip
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_site  # noqa: E402

HUGO_CONFIG = os.path.join(HERE, "hugo", "config.toml")
HUGO_LAYOUTS = os.path.join(HERE, "hugo", "layouts")
PAGEFIND = os.path.join(HERE, "node_modules", ".bin", "pagefind")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def rmtree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def timed(cmd, cwd=None):
    """Runs cmd under GNU time; returns (wall seconds, peak RSS KiB). Fails loudly."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", tf.name] + cmd,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit("command failed (%d): %s\n%s%s" % (
                proc.returncode, " ".join(cmd), proc.stdout.decode(errors="replace")[-3000:],
                proc.stderr.decode(errors="replace")[-3000:]))
        rss = int(tf.read().strip().splitlines()[-1])
    return wall, rss


class Tools:
    def __init__(self, statusref, work):
        self.statusref = statusref
        self.work = work

    def statusref_build(self, site, out):
        rmtree(out)
        return timed([self.statusref, "build", "--root", site, "--output", out])

    def hugo_build(self, site, out):
        rmtree(out)
        for leftover in ("resources", ".hugo_build.lock"):
            path = os.path.join(site, leftover)
            if os.path.isdir(path):
                rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
        cache = os.path.join(self.work, "hugo-cache")
        rmtree(cache)
        return timed(["hugo", "--quiet", "--source", site, "--config", HUGO_CONFIG,
                      "--layoutDir", HUGO_LAYOUTS, "--destination", out, "--cacheDir", cache])

    def pagefind(self, out):
        return timed([PAGEFIND, "--site", out])


def median(xs):
    return statistics.median(xs)


def fmt_s(seconds):
    return "%.3f s" % seconds if seconds < 10 else "%.2f s" % seconds


def fmt_mb(kib):
    return "%.0f MB" % (kib / 1024)


def cold_builds(tools, sites, reps):
    results = {}  # (size, tool) -> list of (wall, rss)
    for size, site in sites:
        out_s = os.path.join(tools.work, "out-statusref-%d" % size)
        out_h = os.path.join(tools.work, "out-hugo-%d" % size)
        # One untimed warm-up of each so no tool pays for loading its binary from disk.
        tools.statusref_build(site, out_s)
        tools.hugo_build(site, out_h)
        for rep in range(reps):
            order = ["statusref", "hugo"]
            if rep % 2 == 1:
                order.reverse()
            for tool in order:
                if tool == "statusref":
                    r = tools.statusref_build(site, out_s)
                    results.setdefault((size, "statusref"), []).append(r)
                    log("  %6d pages  rep %d  statusref        %8.3f s  %5.0f MB" % (size, rep + 1, r[0], r[1] / 1024))
                else:
                    h = tools.hugo_build(site, out_h)
                    p = tools.pagefind(out_h)
                    results.setdefault((size, "hugo"), []).append(h)
                    results.setdefault((size, "pagefind"), []).append(p)
                    results.setdefault((size, "hugo+pagefind"), []).append((h[0] + p[0], max(h[1], p[1])))
                    log("  %6d pages  rep %d  hugo             %8.3f s  %5.0f MB" % (size, rep + 1, h[0], h[1] / 1024))
                    log("  %6d pages  rep %d  pagefind         %8.3f s  %5.0f MB" % (size, rep + 1, p[0], p[1] / 1024))
    return results


def print_build_table(results, sizes, reps):
    print()
    print("## Cold builds (median of %d; peak RSS)" % reps)
    print()
    print("| pages | statusref (with index) | Hugo | Hugo + Pagefind | statusref / Hugo | statusref / (Hugo + Pagefind) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        med = {}
        rss = {}
        for tool in ("statusref", "hugo", "pagefind", "hugo+pagefind"):
            runs = results[(size, tool)]
            med[tool] = median([r[0] for r in runs])
            rss[tool] = max(r[1] for r in runs)
        print("| %d | %s, %s | %s, %s | %s, %s | **%.2f×** | **%.2f×** |" % (
            size,
            fmt_s(med["statusref"]), fmt_mb(rss["statusref"]),
            fmt_s(med["hugo"]), fmt_mb(rss["hugo"]),
            fmt_s(med["hugo+pagefind"]), fmt_mb(rss["hugo+pagefind"]),
            med["statusref"] / med["hugo"],
            med["statusref"] / med["hugo+pagefind"],
        ))
    print()
    print("Pagefind alone (median): " + ", ".join(
        "%d pages %s" % (s, fmt_s(median([r[0] for r in results[(s, "pagefind")]]))) for s in sizes))
    print("All runs (s): " + "; ".join(
        "%d %s [%s]" % (s, t, ", ".join("%.3f" % r[0] for r in results[(s, t)]))
        for s in sizes for t in ("statusref", "hugo", "pagefind")))


class LineReader:
    """Collects a process's stdout lines with the time each arrived."""

    def __init__(self, proc):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._run, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            self.lines.put((time.perf_counter(), raw.decode(errors="replace").rstrip("\n")))
        self.lines.put((time.perf_counter(), None))

    def wait_for(self, pattern, timeout):
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no line matching %r within %ss" % (pattern, timeout))
            try:
                at, line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("the process exited while waiting for %r" % pattern)
            m = re.search(pattern, line)
            if m:
                return at, m, line


def edit(path, original, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write(original + "\nEdited paragraph number %d for the warm rebuild benchmark.\n" % n)


def warm_rebuild(cmd, page, ready, rebuilt, edits=7, cwd=None):
    """Starts a dev server, edits `page` `edits` times; returns (reported ms, edit→line ms)."""
    with open(page, encoding="utf-8") as f:
        original = f.read()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    reported, observed = [], []
    try:
        reader = LineReader(proc)
        reader.wait_for(ready, 600)
        time.sleep(1.0)
        for n in range(edits):
            t0 = time.perf_counter()
            edit(page, original, n)
            at, m, _ = reader.wait_for(rebuilt, 120)
            reported.append(float(m.group(1)))
            observed.append((at - t0) * 1000)
            time.sleep(1.0)
    finally:
        with open(page, "w", encoding="utf-8") as f:
            f.write(original)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return reported, observed


def warm_rebuilds(tools, size, site):
    page = os.path.join(site, "content", "guides", "g00010.md")
    print()
    print("## Warm rebuild of one edited page at %d pages (median of 7 edits)" % size)
    print()
    print("| server | rebuild, as the server reports it | edit → reload line on stdout |")
    print("|---|---:|---:|")
    reported, observed = warm_rebuild(
        [tools.statusref, "serve", "--root", site, "--port", "0"],
        page, r"^built \d+ pages", r"rebuilt \d+ pages in (\d+) ms")
    print("| `statusref serve` | %.0f ms | %.0f ms |" % (median(reported), median(observed)))
    log("  statusref serve: reported %s ms; observed %s ms" % (reported, ["%.0f" % o for o in observed]))
    cache = os.path.join(tools.work, "hugo-cache")
    try:
        reported, observed = warm_rebuild(
            ["hugo", "server", "--source", site, "--config", HUGO_CONFIG, "--layoutDir", HUGO_LAYOUTS,
             "--cacheDir", cache, "--port", "13131", "--bind", "127.0.0.1"],
            page, r"Web Server is available", r"Total in (\d+) ms")
        print("| `hugo server` (reference) | %.0f ms | %.0f ms |" % (median(reported), median(observed)))
    except (TimeoutError, RuntimeError) as e:
        print("| `hugo server` (reference) | failed: %s | |" % e)
    print()
    print("`statusref serve` waits for %d ms of quiet after the last file event before it rebuilds "
          "(an editor's save is several events), so edit → reload includes that debounce." % 100)


def compressed_sizes(path):
    with open(path, "rb") as f:
        raw = f.read()
    gz = len(gzip.compress(raw, 9, mtime=0))
    br = len(subprocess.run(["brotli", "-c", "-q", "11", path], check=True, stdout=subprocess.PIPE).stdout)
    return len(raw), gz, br


def search_bytes(tools, sizes):
    print()
    print("## Search bundle (statusref)")
    print()
    print("| pages | file | raw | gzip -9 | brotli -q 11 |")
    print("|---:|---|---:|---:|---:|")
    firsts = []
    for size in sizes:
        assets = os.path.join(tools.work, "out-statusref-%d" % size, "assets")
        total = [0, 0, 0]
        index_br = 0
        for pattern in (r"^search\.[0-9a-f]+\.js$", r"^search\.[0-9a-f]+\.wasm$", r"^index\.[0-9a-f]+\.bin$"):
            names = [n for n in sorted(os.listdir(assets)) if re.match(pattern, n)]
            if len(names) != 1:
                sys.exit("expected one file matching %s in %s, found %s" % (pattern, assets, names))
            sizes3 = compressed_sizes(os.path.join(assets, names[0]))
            total = [a + b for a, b in zip(total, sizes3)]
            if names[0].startswith("index."):
                index_br = sizes3[2]
            print("| %d | `%s` | %s | %s | %s |" % ((size, names[0]) + tuple(kb(x) for x in sizes3)))
        print("| %d | **before any query** (all three) | %s | %s | **%s** |" % ((size,) + tuple(kb(x) for x in total)))
        chunk_dir = os.path.join(assets, "index")
        chunks = [n for n in os.listdir(chunk_dir) if n.endswith(".bin")] if os.path.isdir(chunk_dir) else []
        chunk_bytes = sum(os.path.getsize(os.path.join(chunk_dir, n)) for n in chunks)
        firsts.append((size, index_br, len(chunks), chunk_bytes))
    print()
    for size, index_br, chunks, chunk_bytes in firsts:
        print("- %d pages: the index head is %s brotli; the rest of the index, %d chunks (%s raw), is "
              "fetched by the terms a query reads (benches/search.sh measures the bytes before the "
              "first result, chunks included)." % (size, kb(index_br), chunks, kb(chunk_bytes)))
    print()
    print("Pagefind over Hugo's output, for reference (whole bundle on disk; a query fetches a part of it):")
    for size in sizes:
        pf = os.path.join(tools.work, "out-hugo-%d" % size, "pagefind")
        if os.path.isdir(pf):
            total, files = 0, 0
            for dirpath, _, names in os.walk(pf):
                for n in names:
                    total += os.path.getsize(os.path.join(dirpath, n))
                    files += 1
            print("- %d pages: %s in %d files" % (size, kb(total), files))


def kb(n):
    return "%.0f KB" % (n / 1000) if n < 10_000_000 else "%.1f MB" % (n / 1_000_000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statusref", required=True)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--work", default=None, help="scratch directory (default: a new temp dir)")
    parser.add_argument("--no-warm", action="store_true", help="skip the warm rebuild measurement")
    parser.add_argument("--corpus", choices=("rich", "plain", "real"), default="rich",
                        help="rich: gen_site.py's code pages and guides (links, tables, code "
                             "blocks, related, keywords); plain: guides with only title and "
                             "description, ~800 words from a 6,000-word vocabulary; real: "
                             "Markdown shipped with installed software (crate docs, "
                             "/usr/share/doc, npm packages), which nobody here wrote"),
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="statusref-bench-"))
    os.makedirs(work, exist_ok=True)
    tools = Tools(os.path.abspath(args.statusref), work)

    for tool in ("hugo", "brotli", "/usr/bin/time", PAGEFIND):
        if not shutil.which(tool):
            sys.exit("missing %s: run benches/build.sh, which installs it" % tool)
    versions = [
        subprocess.run([tools.statusref, "--version"], stdout=subprocess.PIPE).stdout.decode().strip(),
        subprocess.run(["hugo", "version"], stdout=subprocess.PIPE).stdout.decode().split(" BuildDate")[0],
        "pagefind " + subprocess.run([PAGEFIND, "--version"], stdout=subprocess.PIPE).stdout.decode().split()[-1],
    ]
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print("# statusref build benchmark")
    print()
    print("%s; %s; %s. %d CPUs, load average %s at the start; scratch dir %s; %s corpus." % (
        versions[0], versions[1], versions[2], os.cpu_count(), " ".join(load), work, args.corpus))

    sites = []
    for size in sizes:
        site = os.path.join(work, "site-%s-%d" % (args.corpus, size))
        generate = {"plain": gen_site.generate_plain, "real": gen_site.generate_real}.get(
            args.corpus, gen_site.generate)
        plan, words = generate(size, site, 7)
        log("generated %s: %d codes, %d guides, %.0f words per page" % (site, len(plan.codes), len(plan.guides), words / size))
        sites.append((size, site))

    results = cold_builds(tools, sites, args.reps)
    print_build_table(results, sizes, args.reps)
    if not args.no_warm:
        warm_size = 1000 if 1000 in sizes else sizes[len(sizes) // 2]
        warm_rebuilds(tools, warm_size, dict(sites)[warm_size])
    search_bytes(tools, [s for s in sizes if s >= 1000] or sizes)
    with open("/proc/loadavg") as f:
        print()
        print("Load average at the end: %s." % " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
