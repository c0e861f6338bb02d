//! The search box in a real browser: builds this repository's site, serves it on 127.0.0.1
//! and opens `/http-codes/?q=…` in headless Chromium, asserting on `#search-results`.
//!
//! Fails under CI when Chromium is missing (`apt-get install -y chromium`); skips elsewhere.

#[path = "common/browser.rs"]
mod browser;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the site at `root` into a temp directory named after `name` (tests run in parallel
/// in one process: each needs its own).
fn build_site(root: &Path, name: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!(
        "statusref-browser-test-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_statusref"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--output")
        .arg(&out)
        .status()
        .expect("run statusref build");
    assert!(status.success(), "statusref build failed");
    out
}

/// `(query, code that must be among the first `rank` results, rank)`; a line is checked only
/// when the repository has that code's page.
const QUERIES: &[(&str, u16, usize)] = &[
    ("524", 524, 1),
    ("a timout ocurred", 524, 1),
    ("52", 524, 10),
    ("gatway timout", 504, 1),
    ("unathorized", 401, 1),
    ("too man", 429, 1),
    ("payload too large", 413, 1),
    ("5xx", 500, 1),
];

#[test]
fn search_box_answers_in_chromium() {
    let Some(chromium) = browser::require_chromium() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = build_site(root, "repo");
    let server = browser::StaticServer::start(&site);

    // Without a query: the list is there, results stay hidden.
    let dom = browser::dump_dom_with(&chromium, &server.url("/http-codes/"), 10_000);
    assert!(
        dom.contains("id=\"code-list\""),
        "no #code-list on /http-codes/"
    );
    assert!(
        browser::search_results(&dom).contains("hidden"),
        "results shown without a query"
    );

    let mut checked = 0;
    for &(query, code, rank) in QUERIES {
        if !root.join(format!("content/codes/{code}.md")).is_file() {
            continue;
        }
        let url = server.url(&format!("/http-codes/?q={}", query.replace(' ', "+")));
        let dom = browser::dump_dom_with(&chromium, &url, 10_000);
        let links = browser::result_links(&dom);
        let want = format!("/http-codes/{code}/");
        let at = links.iter().position(|l| l.contains(&want));
        assert!(
            at.is_some_and(|at| at < rank),
            "{query:?}: expected {want} within the first {rank} results, got {links:?}; status: {:?}",
            browser::search_status(&dom)
        );
        checked += 1;
    }
    assert!(
        checked > 0,
        "no query could be checked: the site has none of the codes"
    );

    for query in ["zzqqxxjj", "banana bread recipe"] {
        let url = server.url(&format!("/http-codes/?q={}", query.replace(' ', "+")));
        let dom = browser::dump_dom_with(&chromium, &url, 10_000);
        assert!(
            browser::search_status(&dom).starts_with("No results"),
            "status for a query without results: {:?}",
            browser::search_status(&dom)
        );
        assert!(
            dom.contains(r#"<div id="search-empty" class="search-empty">"#),
            "{query:?}: the hint and class links are not shown"
        );
    }

    // Hostile input (issue 10): 10 KB of text with control characters, escape sequences and
    // invalid UTF-8 (an encoded lone surrogate, which the page decodes to U+FFFD, as
    // TextEncoder does with a lone surrogate typed into the box) is answered like any query:
    // results or "No results", never the error state that turns search off.
    let hostile = format!(
        "{}%ED%A0%80%00%07%08%1B%5B31m%7F%C2%85{}",
        "gateway+timeout+%01+".repeat(520),
        "x".repeat(200)
    );
    assert!(hostile.len() > 10_000, "{}", hostile.len());
    let dom = browser::dump_dom_with(
        &chromium,
        &server.url(&format!("/http-codes/?q={hostile}")),
        10_000,
    );
    let status = browser::search_status(&dom);
    assert!(
        status.starts_with("No results") || status.ends_with(" results.") || status == "1 result.",
        "status for a 10 KB hostile query: {:?}",
        status.chars().take(300).collect::<String>()
    );

    same_order_as_the_cli(&chromium, &server, &site);
    let _ = std::fs::remove_dir_all(&site);
}

#[test]
fn family_entries_show_their_family_and_http_status_in_chromium() {
    let Some(chromium) = browser::require_chromium() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/families");
    let site = build_site(&root, "families");
    let server = browser::StaticServer::start(&site);
    for (query, url, badge) in [
        (
            "1020",
            "/cloudflare-errors/1020/",
            "Cloudflare error · HTTP 403",
        ),
        (
            "500.19",
            "/iis-codes/500.19/",
            "IIS sub-status code · HTTP 500",
        ),
        (
            "000",
            "/other-codes/000/",
            "Nonstandard code · no HTTP response",
        ),
    ] {
        let dom = browser::dump_dom_with(
            &chromium,
            &server.url(&format!("/http-codes/?q={query}")),
            10_000,
        );
        let links = browser::result_links(&dom);
        assert!(
            links.first().is_some_and(|l| l.contains(url)),
            "{query:?}: expected {url} first, got {links:?}; status: {:?}",
            browser::search_status(&dom)
        );
        let results = browser::search_results(&dom);
        assert!(
            results.contains(&format!(
                r#"<span class="badge badge-family">{badge}</span>"#
            )),
            "{query:?}: no badge {badge:?} in {results}"
        );
    }
    let _ = std::fs::remove_dir_all(&site);
}

/// About 30 queries of `tests/queries.tsv`, spread over its kinds (pasted log lines, status
/// lines, constants, symptoms, typos, questions, nonsense…), and every kind in it.
fn sample_queries() -> Vec<statusref_search::quality::QualityQuery> {
    let tsv = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/queries.tsv"))
        .expect("tests/queries.tsv");
    let queries = statusref_search::quality::parse_queries_tsv(&tsv).expect("queries.tsv parses");
    let mut kinds: Vec<&str> = queries.iter().map(|q| q.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let per_kind = 30usize.div_ceil(kinds.len().max(1));
    let mut sample = Vec::new();
    for kind in &kinds {
        let of: Vec<_> = queries.iter().filter(|q| q.kind == *kind).collect();
        let step = (of.len() / per_kind).max(1);
        sample.extend(of.into_iter().step_by(step).take(per_kind).cloned());
    }
    sample.sort_by(|a, b| a.query.cmp(&b.query));
    sample.dedup_by(|a, b| a.query == b.query);
    let mut sampled: Vec<&str> = sample.iter().map(|q| q.kind.as_str()).collect();
    sampled.sort_unstable();
    sampled.dedup();
    assert_eq!(sampled, kinds, "the sample covers every kind of query");
    sample
}

/// The browser (the wasm module) and `statusref search` give the same results in the same
/// order for a sample of reader queries: one page runs them all through
/// `window.statusrefSearch`, the CLI runs each.
fn same_order_as_the_cli(chromium: &Path, server: &browser::StaticServer, site: &Path) {
    let sample = sample_queries();
    assert!(sample.len() >= 25, "{} sample queries", sample.len());
    let queries: Vec<&str> = sample.iter().map(|q| q.query.as_str()).collect();
    // Queries that must find nothing are in the sample: both sides answer them with nothing.
    let nothing: Vec<&str> = sample
        .iter()
        .filter(|q| q.expected.is_none() && q.expected_key.is_none())
        .map(|q| q.query.as_str())
        .collect();
    assert!(
        !nothing.is_empty(),
        "no query without results in the sample"
    );
    let page = std::fs::read_to_string(site.join("http-codes/index.html")).unwrap();
    let script = format!(
        r#"<script>
(function () {{
  var queries = {};
  var timer = setInterval(function () {{
    if (!window.statusrefSearch) return;
    clearInterval(timer);
    // `search` answers with a promise: a split index may fetch chunks first.
    window.statusrefSearch.ready().then(function () {{
      var out = {{}};
      return queries.reduce(function (done, q) {{
        return done.then(function () {{
          return window.statusrefSearch.search(q).then(function (hits) {{
            out[q] = hits.map(function (h) {{ return h.url; }});
          }});
        }});
      }}, Promise.resolve()).then(function () {{
        var pre = document.createElement("pre");
        pre.id = "check";
        pre.textContent = JSON.stringify(out);
        document.body.appendChild(pre);
      }});
    }});
  }}, 20);
}})();
</script></body>"#,
        serde_json::to_string(&queries).unwrap()
    );
    let check = page.replacen("</body>", &script, 1);
    std::fs::write(site.join("browser-check.html"), check).unwrap();
    let dom = browser::dump_dom_with(chromium, &server.url("/browser-check.html"), 20_000);
    let start = dom
        .find(r#"<pre id="check">"#)
        .unwrap_or_else(|| panic!("the check page wrote no results"));
    let json = &dom[start + r#"<pre id="check">"#.len()..];
    let json = &json[..json.find("</pre>").expect("</pre>")];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let in_browser: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    for &query in &queries {
        let out = Command::new(env!("CARGO_BIN_EXE_statusref"))
            .args(["search", "--output"])
            .arg(site)
            .args(["--json", "--limit", "50", "--"])
            .arg(query)
            .output()
            .expect("run statusref search");
        assert!(
            out.status.success(),
            "{query:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let cli: Vec<String> = hits
            .iter()
            .map(|h| h["url"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            in_browser.get(query),
            Some(&cli),
            "{query:?}: the browser and the CLI disagree"
        );
        if nothing.contains(&query) {
            assert!(cli.is_empty(), "{query:?} must find nothing: {cli:?}");
        }
    }
}
