#!/usr/bin/env python3
"""Deterministic synthetic statusref site for benchmarks.

    python3 benches/gen_site.py PAGES OUT_DIR [--seed N] [--vocab WORDS] [--plain]

With --plain, the plain corpus instead: PAGES guides with only `title` and `description`,
~800 words each from a 6,000-word vocabulary (see `generate_plain`).

Writes OUT_DIR/content/ with PAGES markdown files that statusref builds without errors and
Hugo renders as-is (YAML front matter between `---` lines):

- code pages `content/codes/NNN.md` for the first min(PAGES // 10, 400) codes from 100 up
  (three-digit codes cannot reach 10,000 pages), the rest guides `content/guides/gNNNNN.md`;
- every page 650-950 words of prose in the seed's five sections (Meaning, When to Use,
  Example, When Not to Use, Source), a fenced `http` block and a table, `related` codes,
  keywords, and root-relative links to other pages (all of which exist: statusref checks
  them).

With `--vocab N` (the search benchmark uses 6,000) the prose draws from N distinct words with
Zipf frequencies (the list above first, then made-up words of two to four syllables), so the
term dictionary grows with the site the way real text does; without it, from the list above
alone (~150 words), as the build benchmark always has.

Same PAGES, seed and vocabulary give byte-identical files, so every tool and every run reads the same
input. Only the Python standard library is used.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess

WORDS = (
    "request response server client proxy gateway upstream origin cache header body status "
    "code retry timeout connection resource representation method idempotent safe redirect "
    "location authentication authorization token credential session cookie browser crawler "
    "index latency throughput payload content length encoding negotiation media type "
    "language charset range partial conditional etag validator freshness expiry stale "
    "revalidate vary host path query fragment scheme port tunnel handshake certificate "
    "protocol version upgrade stream frame window priority push promise trailer chunk "
    "transfer deadline budget backoff jitter limit quota throttle burst bucket window "
    "policy rule firewall edge worker function deployment release rollback incident "
    "monitor alert dashboard metric log trace span error failure fault outage recovery "
    "health check probe readiness liveness balancer pool node cluster region zone replica "
    "database query lock conflict version precondition validation schema field value "
    "document specification registry vendor platform framework library middleware router "
    "handler controller endpoint route template render static dynamic asset bundle"
).split()

# The prose vocabulary, set by generate(vocab=N): (words, cumulative Zipf weights) or None for
# WORDS drawn uniformly.
PROSE = None

SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko ku la le li lo lu ma me mi mo mu "
    "na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo "
    "za ze zi zo an en in on ar er ir or al el il ol ex ul ist ent ack orn"
).split()


def vocabulary(n, seed):
    """n distinct lowercase words: WORDS first, then made-up ones; Zipf weights 1/rank."""
    rng = random.Random("%d-vocab" % seed)
    words = list(dict.fromkeys(WORDS))
    seen = set(words)
    while len(words) < n:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    words = words[:n]
    cum = []
    total = 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cum.append(total)
    return words, cum


def prose_word(rng):
    if PROSE is None:
        return rng.choice(WORDS)
    words, cum = PROSE
    return rng.choices(words, cum_weights=cum)[0]


SMALL = "the a an of to in for on with by from at as and or but that which when while".split()

VENDORS = ["Cloudflare", "nginx", "AWS ELB", "Microsoft IIS", "Akamai", "Fastly"]


def sentence(rng, lo=8, hi=18):
    n = rng.randint(lo, hi)
    words = []
    for i in range(n):
        words.append(rng.choice(SMALL) if i % 3 == 1 else prose_word(rng))
    words[0] = words[0].capitalize()
    # Some inline markup, as real pages have.
    if n > 10 and rng.random() < 0.3:
        j = rng.randrange(2, n - 1)
        words[j] = "`" + words[j] + "`"
    if n > 10 and rng.random() < 0.2:
        j = rng.randrange(2, n - 1)
        words[j] = "**" + words[j].strip("`") + "**"
    return " ".join(words) + "."


def paragraph(rng, sentences):
    return " ".join(sentence(rng) for _ in range(sentences))


def count_words(text):
    return len(text.split())


class Plan:
    def __init__(self, pages):
        self.codes = [100 + i for i in range(min(pages // 10, 400))]
        self.guides = ["g%05d" % i for i in range(pages - len(self.codes))]

    def url_of_code(self, code):
        return "/http-codes/%d/" % code

    def url_of_guide(self, slug):
        return "/guides/%s/" % slug


def name_of(code):
    return "Synthetic Status %d" % code


def body(rng, plan, heading, code, target_words):
    """The markdown body: H1, five sections, http block, table, links; ~target_words."""
    status = code if code is not None else rng.choice([200, 404, 429, 503, 504])
    other_code = rng.choice(plan.codes) if plan.codes else None
    other_guide = rng.choice(plan.guides) if plan.guides else None

    def link():
        choices = []
        if other_code is not None:
            choices.append("[%d](%s#meaning)" % (other_code, plan.url_of_code(other_code)))
        if other_guide is not None:
            choices.append("[the %s guide](%s#example)" % (other_guide, plan.url_of_guide(other_guide)))
        return rng.choice(choices) if choices else "the specification"

    fixed = [
        "# %s" % heading,
        "",
        "## Meaning",
        "",
        None,  # prose slot 0
        "",
        "## When to Use",
        "",
        None,  # prose slot 1
        "",
        "- %s" % sentence(rng, 6, 10),
        "- %s" % sentence(rng, 6, 10),
        "- %s See %s." % (sentence(rng, 6, 10), link()),
        "",
        "## Example",
        "",
        "```http",
        "GET /api/v1/items/%d?expand=owner HTTP/1.1" % rng.randint(1, 99999),
        "Host: api.example.com",
        "Accept: application/json",
        "",
        "HTTP/1.1 %d %s" % (status, name_of(status)),
        "Content-Type: application/json",
        "Cache-Control: no-store",
        "Retry-After: %d" % rng.randint(1, 120),
        "```",
        "",
        "| Header | Value | Why |",
        "|---|---|---|",
    ]
    for _ in range(4):
        fixed.append("| `%s` | %s | %s |" % (
            rng.choice(WORDS).capitalize() + "-" + rng.choice(WORDS).capitalize(),
            rng.choice(WORDS),
            sentence(rng, 4, 7),
        ))
    fixed += [
        "",
        "## When Not to Use",
        "",
        None,  # prose slot 2
        "",
        "Compare with %s before choosing." % link(),
        "",
        "## Source",
        "",
        "RFC 9110 §15.%d.%d" % (rng.randint(1, 6), rng.randint(1, 20)),
        "",
    ]
    base = count_words("\n".join(x for x in fixed if x))
    slots = [[], [], []]
    words = base
    i = 0
    while words < target_words:
        s = sentence(rng)
        slots[i % 3].append(s)
        words += count_words(s)
        i += 1
    out = []
    slot = 0
    for line in fixed:
        if line is None:
            sents = slots[slot]
            # Two paragraphs per slot.
            half = max(1, len(sents) // 2)
            out.append(" ".join(sents[:half]))
            if sents[half:]:
                out.append("")
                out.append(" ".join(sents[half:]))
            slot += 1
        else:
            out.append(line)
    return "\n".join(out)


def front(lines):
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def related(rng, plan, exclude=None):
    pool = [c for c in plan.codes[:50] if c != exclude]
    return sorted(rng.sample(pool, min(3, len(pool))))


def yaml_list(items):
    return "[" + ", ".join(str(i) for i in items) + "]"


def generate(pages, out, seed, vocab=0):
    global PROSE
    PROSE = vocabulary(vocab, seed) if vocab else None
    plan = Plan(pages)
    content = os.path.join(out, "content")
    if os.path.exists(content):
        shutil.rmtree(content)
    os.makedirs(os.path.join(content, "codes"))
    os.makedirs(os.path.join(content, "guides"))
    total_words = 0
    for code in plan.codes:
        rng = random.Random("%d-code-%d" % (seed, code))
        official = rng.random() < 0.7
        source = "RFC 9110 §15.%d.%d" % (code // 100, code % 100 % 20 + 1) if official else "Unofficial (%s)" % rng.choice(VENDORS)
        heading = "%d %s" % (code, name_of(code))
        text = front([
            'title: "%s"' % heading,
            'description: "%s"' % sentence(rng, 10, 16),
            'source: "%s"' % source,
            'spec_url: "https://www.rfc-editor.org/rfc/rfc9110#section-15"',
            "related: %s" % yaml_list(related(rng, plan, code)),
            "keywords: [%s, %s, %s]" % (rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)),
        ]) + body(rng, plan, heading, code, rng.randint(660, 940)) + "\n"
        total_words += count_words(text)
        with open(os.path.join(content, "codes", "%d.md" % code), "w", encoding="utf-8") as f:
            f.write(text)
    for n, slug in enumerate(plan.guides):
        rng = random.Random("%d-guide-%s" % (seed, slug))
        heading = "Guide %d: %s %s and %s" % (n, rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS))
        lines = [
            'title: "%s"' % heading,
            'description: "%s"' % sentence(rng, 10, 16),
        ]
        if plan.codes:
            lines.append("related: %s" % yaml_list(related(rng, plan)))
        lines.append("keywords: [%s, %s]" % (rng.choice(WORDS), rng.choice(WORDS)))
        text = front(lines) + body(rng, plan, heading, None, rng.randint(660, 940)) + "\n"
        total_words += count_words(text)
        with open(os.path.join(content, "guides", slug + ".md"), "w", encoding="utf-8") as f:
            f.write(text)
    return plan, total_words


def plain_vocabulary(seed, size=6000):
    """`size` distinct pronounceable pseudo-words (CV syllables), the same for a seed."""
    rng = random.Random("%d-vocabulary" % seed)
    onsets = "b c d f g h j k l m n p r s t v w z br cr dr fr gr pl st tr ch sh th".split()
    vowels = "a e i o u ai ea io ou".split()
    words, seen = [], set()
    while len(words) < size:
        w = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.4:
            w += rng.choice("n r s t l m".split())
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def generate_plain(pages, out, seed):
    """The plain corpus: `pages` guides with only `title` and `description` in the front
    matter, each ~800 words (650-950) drawn from a 6,000-word vocabulary (Zipf-like: some
    words are far more frequent, as in prose), in a few paragraphs under two headings; no
    links, code blocks or tables."""
    plan = Plan(0)
    plan.guides = ["p%05d" % i for i in range(pages)]
    vocab = plain_vocabulary(seed)
    weights = [1.0 / (r + 1) for r in range(len(vocab))]
    content = os.path.join(out, "content")
    if os.path.exists(content):
        shutil.rmtree(content)
    os.makedirs(os.path.join(content, "guides"))
    total_words = 0
    for n, slug in enumerate(plan.guides):
        rng = random.Random("%d-plain-%s" % (seed, slug))
        target = rng.randint(650, 950)
        words = rng.choices(vocab, weights, k=target)
        title = "Plain %d %s %s" % (n, words[0], words[1])
        description = " ".join(rng.choices(vocab, weights, k=14)).capitalize() + "."
        paragraphs, i = [], 0
        while i < len(words):
            k = rng.randint(60, 140)
            chunk = words[i:i + k]
            sentences, j = [], 0
            while j < len(chunk):
                m = rng.randint(8, 18)
                sentences.append(" ".join(chunk[j:j + m]).capitalize() + ".")
                j += m
            paragraphs.append(" ".join(sentences))
            i += k
        half = max(1, len(paragraphs) // 2)
        text = (front(['title: "%s"' % title, 'description: "%s"' % description])
                + "# %s\n\n## %s\n\n" % (title, words[2].capitalize())
                + "\n\n".join(paragraphs[:half])
                + "\n\n## %s\n\n" % words[3].capitalize()
                + "\n\n".join(paragraphs[half:]) + "\n")
        total_words += count_words(text)
        with open(os.path.join(content, "guides", slug + ".md"), "w", encoding="utf-8") as f:
            f.write(text)
    return plan, total_words


# Where the real corpus comes from: Markdown that ships with software installed on this kind of
# machine (crate READMEs and changelogs, Debian docs, npm packages), none of it written for
# statusref or shaped by us.
REAL_ROOTS = [
    os.path.expanduser("~/.cargo/registry/src"),
    "/usr/share/doc",
    "/usr/lib/node_modules",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_modules"),
]


def real_markdown_files():
    """Every Markdown file over 1 KB under REAL_ROOTS, sorted (so a machine gives one corpus)."""
    roots = [r for r in REAL_ROOTS if os.path.isdir(r)]
    found = subprocess.run(["find", *roots, "-name", "*.md", "-size", "+1k"],
                           capture_output=True, text=True).stdout.split("\n")
    return sorted(f for f in found if f)


def generate_real(pages, out, seed):
    """The real corpus: `pages` guides made from real_markdown_files(), in order and again from
    the start when they run out. The text is as written, but for three mechanical changes:
    foreign front matter is dropped, root-relative link targets become absolute (statusref
    checks them against the site, Hugo does not), and `{{` is spaced out (Hugo reads it as a
    shortcode). Title: the first `# ` heading, else the file's name; description: the first
    prose line. `seed` is unused: the corpus is what the machine has."""
    del seed
    files = real_markdown_files()
    if not files:
        raise SystemExit("no Markdown files found under %s" % ", ".join(REAL_ROOTS))
    plan = Plan(0)
    plan.guides = []
    content = os.path.join(out, "content")
    if os.path.exists(content):
        shutil.rmtree(content)
    os.makedirs(os.path.join(content, "guides"))
    total_words = 0
    i = 0
    while len(plan.guides) < pages:
        path = files[i % len(files)]
        i += 1
        if i > pages + len(files) and not plan.guides:
            raise SystemExit("none of the Markdown files is UTF-8")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
        text = re.sub(r"\]\(/", "](https://example.org/", text)
        text = re.sub(r"^(\s*\[[^\]]+\]:\s*)/", r"\1https://example.org/", text, flags=re.M)
        text = re.sub(r'(href|src)="/', r'\1="https://example.org/', text)
        text = text.replace("{{", "{ {").replace("}}", "} }")
        lines = text.splitlines()
        heading = next((l.lstrip("# ").strip() for l in lines if l.startswith("# ")), "")
        title = heading or "%s %s" % (os.path.basename(os.path.dirname(path)), os.path.basename(path))
        prose = next((l.strip() for l in lines if l.strip()
                      and not l.startswith(("#", "[", "!", "<", "|", "`", "-", "*", "="))), title)
        slug = "r%05d" % len(plan.guides)
        plan.guides.append(slug)
        front = "---\ntitle: %s\ndescription: %s\n---\n\n" % (
            json.dumps(title[:120], ensure_ascii=False),
            json.dumps(re.sub(r"\s+", " ", prose)[:150], ensure_ascii=False))
        total_words += count_words(text)
        with open(os.path.join(content, "guides", slug + ".md"), "w", encoding="utf-8") as f:
            f.write(front + text + "\n")
    return plan, total_words


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vocab", type=int, default=0,
                        help="distinct prose words, Zipf-distributed (default: the ~150-word list)")
    parser.add_argument("--plain", action="store_true",
                        help="the plain corpus: guides with only title and description "
                             "(--vocab does not apply)")
    parser.add_argument("--real", action="store_true",
                        help="the real corpus: Markdown shipped with installed software "
                             "(crate docs, /usr/share/doc, npm packages), as guides")
    args = parser.parse_args()
    if args.real:
        plan, words = generate_real(args.pages, args.out, args.seed)
    elif args.plain:
        plan, words = generate_plain(args.pages, args.out, args.seed)
    else:
        plan, words = generate(args.pages, args.out, args.seed, args.vocab)
    print("%s: %d pages (%d codes, %d guides), %d words (%.0f per page)" % (
        args.out, args.pages, len(plan.codes), len(plan.guides), words, words / max(1, args.pages)))


if __name__ == "__main__":
    main()
