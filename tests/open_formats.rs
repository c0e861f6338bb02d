//! Open formats on a fixture site: `/llms.txt`, the Markdown twin beside every content page,
//! one JSON record per code, the alternate link and the "Copy as Markdown" button; under a
//! sub-path; the same bytes from `build`, `check` (render_site) and `serve` (incremental).

mod util;

use std::collections::BTreeSet;

use serde_json::Value;
use statusref::internals::incremental::Incremental;
use statusref::{render_site, BuildOptions};

/// Builds the `valid/small` fixture (base_url `https://example.org/ref/`) with `extra` args.
fn build_small(extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("public");
    let out = util::build(&root, &output, extra);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, output)
}

const LLMS_TXT: &str = "\
# Test Codes

> Every HTTP status code, explained: meaning, examples, look-alikes and fixes.

Each link below is the Markdown version of a page: the page's URL with `index.html.md` appended. Each status code also has a JSON record beside its page (`index.json`), and [codes.json](https://example.org/ref/codes.json) lists every code.

## 2xx Success

- [200 OK](https://example.org/ref/http-codes/200/index.html.md): It worked.

## 4xx Client Error

- [499 Client Closed Request](https://example.org/ref/http-codes/499/index.html.md): nginx logs 499 when the client closed the connection before the response.

## 5xx Server Error

- [502 Bad Gateway](https://example.org/ref/http-codes/502/index.html.md): A gateway or proxy did not get a timely response from the upstream server.
- [504 Gateway Timeout](https://example.org/ref/http-codes/504/index.html.md): A gateway or proxy did not get a timely response from the upstream server.
- [524 A Timeout Occurred](https://example.org/ref/http-codes/524/index.html.md): A Cloudflare-specific status indicating that a successful connection was made to the origin server, but the origin did not produce a ...

## Guides

- [Timeouts across the proxy chain](https://example.org/ref/guides/timeouts/index.html.md): Who times out first.
";

#[test]
fn llms_txt_links_every_content_page_twin_by_section_and_leaves_drafts_out() {
    let (_dir, output) = build_small(&[]);
    let llms = util::read(&output, "llms.txt");
    assert_eq!(llms, LLMS_TXT);
    // Every link is to a file the build wrote.
    for line in llms.lines().filter(|l| l.starts_with("- [")) {
        let url = line.split("](").nth(1).unwrap().split(')').next().unwrap();
        let rel = url.strip_prefix("https://example.org/ref/").unwrap();
        assert!(output.join(rel).is_file(), "{url}");
    }
    // The draft guide has no twin.
    assert!(!output.join("guides/draft").exists());
}

const TWIN_504: &str = "\
# 504 Gateway Timeout

A gateway or proxy did not get a timely response from the upstream server.

- Code: 504
- Class: [5xx Server Error](https://example.org/ref/http-codes/5xx/)
- Status: official
- Source: [RFC 9110 §15.6.5](https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5)
- Also known as: Gateway Time-out
- Related: [502 Bad Gateway](https://example.org/ref/http-codes/502/), [524 A Timeout Occurred](https://example.org/ref/http-codes/524/)
- Web page: https://example.org/ref/http-codes/504/
- JSON: https://example.org/ref/http-codes/504/index.json

## Meaning

The proxy waited and gave up. See [502](/ref/http-codes/502/).

## When to Use

When an upstream is too slow.

## Example

```http
GET / HTTP/1.1
Host: example.com

HTTP/1.1 504 Gateway Timeout
```

## When Not to Use

Not for refusals; see [the meaning of 502](/ref/http-codes/502/#meaning).

## Source

RFC 9110 §15.6.5
";

#[test]
fn each_content_page_has_a_markdown_twin_beside_it() {
    let (_dir, output) = build_small(&[]);
    assert_eq!(
        util::read(&output, "http-codes/504/index.html.md"),
        TWIN_504
    );
    // Several meanings: each one's status and summary; the vendor from the source.
    let twin = util::read(&output, "http-codes/499/index.html.md");
    assert!(twin.starts_with("# 499 Client Closed Request\n\nnginx logs 499 when the client closed the connection before the response.\n\n- Code: 499\n- Class: [4xx Client Error](https://example.org/ref/http-codes/4xx/)\n- Status: unofficial (nginx)\n- Source: Unofficial (nginx)\n- Also means: 499 Token Required, unofficial (Esri ArcGIS): ArcGIS wants a token.\n"), "{twin}");
    // A guide: related codes and its address, then its body with the base path in links.
    let twin = util::read(&output, "guides/timeouts/index.html.md");
    assert!(twin.starts_with("# Timeouts across the proxy chain\n\nWho times out first.\n\n- Related: [504 Gateway Timeout](https://example.org/ref/http-codes/504/), [524 A Timeout Occurred](https://example.org/ref/http-codes/524/)\n- Web page: https://example.org/ref/guides/timeouts/\n\n## Layers\n\nSee [504](/ref/http-codes/504/) and [524](/ref/http-codes/524/#meaning)."), "{twin}");
    // List pages have none.
    let twins: BTreeSet<String> = util::snapshot(&output)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".md"))
        .collect();
    let expected: BTreeSet<String> = [
        "guides/timeouts/index.html.md",
        "http-codes/200/index.html.md",
        "http-codes/499/index.html.md",
        "http-codes/502/index.html.md",
        "http-codes/504/index.html.md",
        "http-codes/524/index.html.md",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(twins, expected);
}

#[test]
fn each_code_has_a_json_record_extending_its_codes_json_entry() {
    let (_dir, output) = build_small(&[]);
    let codes: Vec<Value> = serde_json::from_str(&util::read(&output, "codes.json")).unwrap();
    assert_eq!(codes.len(), 5);
    for entry in &codes {
        let code = entry["code"].as_u64().unwrap();
        let path = format!("http-codes/{code}/index.json");
        let record: Value = serde_json::from_str(&util::read(&output, &path)).unwrap();
        for (key, value) in entry.as_object().unwrap() {
            assert_eq!(&record[key], value, "{path}: {key}");
        }
        assert_eq!(
            record["markdown_url"],
            format!("https://example.org/ref/http-codes/{code}/index.html.md")
        );
        assert_eq!(
            record["json_url"],
            format!("https://example.org/ref/{path}")
        );
        for key in ["heading", "meanings", "aliases", "keywords", "related"] {
            assert!(record.get(key).is_some(), "{path} has {key}");
        }
    }
    let record: Value =
        serde_json::from_str(&util::read(&output, "http-codes/504/index.json")).unwrap();
    assert_eq!(record["aliases"], serde_json::json!(["Gateway Time-out"]));
    assert_eq!(
        record["keywords"],
        serde_json::json!(["upstream timed out", "proxy_read_timeout"])
    );
    assert_eq!(
        record["related"],
        serde_json::json!([
            {"code": 502, "name": "Bad Gateway", "url": "https://example.org/ref/http-codes/502/"},
            {"code": 524, "name": "A Timeout Occurred", "url": "https://example.org/ref/http-codes/524/"},
        ])
    );
    assert_eq!(
        record["spec_url"],
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5"
    );
    let record: Value =
        serde_json::from_str(&util::read(&output, "http-codes/499/index.json")).unwrap();
    let meanings: Vec<&str> = record["meanings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["vendor"].as_str().unwrap())
        .collect();
    assert_eq!(meanings, ["nginx", "Esri ArcGIS"]);
    assert_eq!(record["meanings"][1]["summary"], "ArcGIS wants a token.");
}

#[test]
fn codes_json_sitemap_and_robots_are_unchanged() {
    let (_dir, output) = build_small(&[]);
    // codes.json and the sitemap as the build wrote them before the open formats (golden files
    // from that build).
    assert_eq!(
        std::fs::read(output.join("codes.json")).unwrap(),
        std::fs::read(util::fixture("open_formats/small-codes.json")).unwrap()
    );
    // The sitemap lists the web pages only, as before: no twins, records or llms.txt.
    let sitemap = util::read(&output, "sitemap.xml");
    assert!(!sitemap.contains(".md<") && !sitemap.contains(".json<") && !sitemap.contains("llms"));
    assert_eq!(
        sitemap,
        util::read(&util::fixture("open_formats"), "small-sitemap.xml")
    );
    assert_eq!(
        util::read(&output, "robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/ref/sitemap.xml\n"
    );
}

#[test]
fn pages_with_a_twin_link_it_and_code_pages_offer_copy_as_markdown() {
    let (_dir, output) = build_small(&[]);
    for (page, twin) in [
        (
            "http-codes/504/index.html",
            "/ref/http-codes/504/index.html.md",
        ),
        (
            "guides/timeouts/index.html",
            "/ref/guides/timeouts/index.html.md",
        ),
    ] {
        let html = util::read(&output, page);
        let link = format!(r#"<link rel="alternate" type="text/markdown" href="{twin}">"#);
        assert_eq!(html.matches(&link).count(), 1, "{page}");
        assert!(
            html.find(&link).unwrap() < html.find("</head>").unwrap(),
            "{page}"
        );
    }
    let html = util::read(&output, "http-codes/504/index.html");
    // The button is in the page, hidden until site.js wires it; the link works without it.
    assert!(html.contains(r#"<button type="button" class="copy-button copy-markdown" data-markdown-url="/ref/http-codes/504/index.html.md" hidden>Copy as Markdown</button>"#), "{html}");
    assert!(html.contains(r#"<a class="markdown-link" href="/ref/http-codes/504/index.html.md" type="text/markdown">Markdown</a>"#));
    assert!(!util::read(&output, "guides/timeouts/index.html").contains("copy-markdown"));
    for list in [
        "index.html",
        "http-codes/index.html",
        "http-codes/5xx/index.html",
        "guides/index.html",
        "404.html",
    ] {
        let html = util::read(&output, list);
        assert!(!html.contains("text/markdown"), "{list}");
        assert!(!html.contains("copy-markdown"), "{list}");
    }
    // site.js wires the button: fetches the twin and copies it through the shared helper.
    let js = std::fs::read_dir(output.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("site.") && name.ends_with(".js")
        })
        .unwrap();
    let js = std::fs::read_to_string(js).unwrap();
    assert!(js.contains(".copy-markdown[data-markdown-url]") && js.contains("b.hidden = false"));
}

#[test]
fn under_a_path_base_url_every_url_moves_and_stays_root_relative() {
    let (_dir, output) = build_small(&["--base-url", "/sub/"]);
    let llms = util::read(&output, "llms.txt");
    assert!(llms.contains("and [codes.json](/sub/codes.json) lists every code"));
    assert!(llms.contains("- [504 Gateway Timeout](/sub/http-codes/504/index.html.md): "));
    assert!(!llms.contains("example.org"));
    let twin = util::read(&output, "http-codes/504/index.html.md");
    assert!(twin.contains("- Class: [5xx Server Error](/sub/http-codes/5xx/)\n"));
    assert!(
        twin.contains("- Web page: /sub/http-codes/504/\n- JSON: /sub/http-codes/504/index.json\n")
    );
    assert!(twin.contains("See [502](/sub/http-codes/502/)."));
    assert!(twin.contains("[the meaning of 502](/sub/http-codes/502/#meaning)"));
    let record: Value =
        serde_json::from_str(&util::read(&output, "http-codes/504/index.json")).unwrap();
    assert_eq!(record["url"], "/sub/http-codes/504/");
    assert_eq!(record["markdown_url"], "/sub/http-codes/504/index.html.md");
    let html = util::read(&output, "http-codes/504/index.html");
    assert!(html.contains(
        r#"<link rel="alternate" type="text/markdown" href="/sub/http-codes/504/index.html.md">"#
    ));
    // At the root, links are as the author wrote them.
    let (_dir, output) = build_small(&["--base-url", "/"]);
    let twin = util::read(&output, "http-codes/504/index.html.md");
    assert!(twin.contains("See [502](/http-codes/502/)."));
    assert!(util::read(&output, "llms.txt").contains("](/http-codes/504/index.html.md)"));
}

#[test]
fn build_check_and_serve_give_the_same_bytes_every_time() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let first = dir.path().join("one");
    let second = dir.path().join("two");
    for output in [&first, &second] {
        let out = util::build(&root, output, &[]);
        assert!(out.status.success());
    }
    let built = util::site_files(&first);
    assert_eq!(
        built,
        util::site_files(&second),
        "two builds are byte-identical"
    );
    // `build` writes twins and records as pages render; `check` and `serve` hold them.
    // (Their search index is delivered differently: see `util::comparable`.)
    let rendered = render_site(&BuildOptions::new(&root)).expect("renders");
    let built_cmp = util::comparable(built.iter().map(|(p, b)| (p.as_str(), &b[..])));
    let rendered_cmp = util::comparable(rendered.files.iter().map(|(p, b)| (p.as_str(), &b[..])));
    assert_eq!(
        built_cmp.keys().collect::<Vec<_>>(),
        rendered_cmp.keys().collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in built_cmp.iter().zip(&rendered_cmp) {
        assert!(a == b, "{path} differs between build and render_site");
    }
    let mut inc = Incremental::new(BuildOptions::new(&root));
    inc.rebuild(&BTreeSet::new()).expect("serves");
    let served = inc.files().unwrap();
    for (path, bytes) in built.iter().filter(|(p, _)| is_open_format(p)) {
        assert!(served[path][..] == bytes[..], "{path} differs in serve");
    }
}

fn is_open_format(path: &str) -> bool {
    path.ends_with(".md") || path.ends_with("index.json") || path == "llms.txt"
}

#[test]
fn serve_updates_a_twin_when_only_the_markdown_changes() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let mut inc = Incremental::new(BuildOptions::new(&root));
    inc.rebuild(&BTreeSet::new()).expect("serves");
    let before = inc.files().unwrap();
    // `*x*` and `_x_` render the same HTML, but the twin shows what the author wrote.
    let rel = "content/codes/504.md";
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let edited = text.replace(
        "When an upstream is too slow.",
        "When an upstream is *too* slow.",
    );
    std::fs::write(root.join(rel), &edited).unwrap();
    inc.rebuild(&BTreeSet::from([rel.to_string()])).unwrap();
    std::fs::write(root.join(rel), edited.replace("*too*", "_too_")).unwrap();
    let middle = inc.files().unwrap();
    let outcome = inc.rebuild(&BTreeSet::from([rel.to_string()])).unwrap();
    let after = inc.files().unwrap();
    let twin = "http-codes/504/index.html.md";
    assert_ne!(before[twin], after[twin]);
    assert!(String::from_utf8_lossy(&middle[twin]).contains("*too* slow"));
    assert!(String::from_utf8_lossy(&after[twin]).contains("_too_ slow"));
    assert_eq!(
        middle["http-codes/504/index.html"], after["http-codes/504/index.html"],
        "the HTML did not change"
    );
    assert!(
        outcome.changed.iter().any(|p| p == twin),
        "{:?}",
        outcome.changed
    );
    let full = render_site(&BuildOptions::new(&root)).unwrap();
    let (_, bytes) = full.files.iter().find(|(p, _)| p == twin).unwrap();
    assert!(after[twin][..] == bytes[..]);
}

#[test]
fn family_entries_have_twins_records_and_their_own_llms_txt_sections() {
    let (dir, root) = util::site_from_fixture("valid/families");
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let llms = util::read(&output, "llms.txt");
    let sections: Vec<&str> = llms.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        sections,
        [
            "## 4xx Client Error",
            "## 5xx Server Error",
            "## Cloudflare errors",
            "## Codes outside the HTTP registry",
            "## IIS sub-status codes"
        ],
        "{llms}"
    );
    assert!(
        llms.contains("(https://example.org/iis-codes/500.19/index.html.md)"),
        "{llms}"
    );
    let twin = util::read(&output, "cloudflare-errors/1020/index.html.md");
    assert!(twin.contains("\n- Cloudflare error: 1020\n- Family: [Cloudflare errors](https://example.org/cloudflare-errors/)\n- HTTP status: [403 Forbidden](https://example.org/http-codes/403/)\n"), "{twin}");
    assert!(twin.contains("\n- JSON: https://example.org/cloudflare-errors/1020/index.json\n"));
    let html = util::read(&output, "cloudflare-errors/1020/index.html");
    assert!(html.contains(r#"<link rel="alternate" type="text/markdown" href="/cloudflare-errors/1020/index.html.md">"#));
    assert!(html.contains(r#"class="copy-button copy-markdown""#));
    // Each entry's record extends its families.json member.
    let families: Vec<Value> = serde_json::from_str(&util::read(&output, "families.json")).unwrap();
    let mut checked = 0;
    for family in &families {
        for member in family["entries"].as_array().unwrap() {
            let url = member["url"].as_str().unwrap();
            let rel = format!(
                "{}index.json",
                url.strip_prefix("https://example.org/").unwrap()
            );
            let record: Value = serde_json::from_str(&util::read(&output, &rel)).unwrap();
            for (key, value) in member.as_object().unwrap() {
                assert_eq!(&record[key], value, "{rel}: {key}");
            }
            assert_eq!(record["family"], family["slug"]);
            assert_eq!(record["markdown_url"], format!("{url}index.html.md"));
            checked += 1;
        }
    }
    // Every entry twin has its record, and no other page outside codes and guides has a twin.
    let entry_twins = util::snapshot(&output)
        .into_iter()
        .filter(|(p, _)| {
            p.ends_with("index.html.md")
                && !p.starts_with("http-codes/")
                && !p.starts_with("guides/")
        })
        .count();
    assert_eq!(checked, entry_twins);
    assert!(checked >= 9, "{checked}");
}
