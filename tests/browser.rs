//! The search box in a real browser: builds this repository's site, serves it on 127.0.0.1
//! and opens `/http-codes/?q=…` in headless Chromium, asserting on `#search-results`.
//!
//! Fails under CI when Chromium is missing (`apt-get install -y chromium`); skips elsewhere.

#[path = "common/browser.rs"]
mod browser;

use std::path::{Path, PathBuf};
use std::process::Command;

fn build_site(root: &Path) -> PathBuf {
    let out = std::env::temp_dir().join(format!("statusref-browser-test-{}", std::process::id()));
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
    let site = build_site(root);
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

    let dom = browser::dump_dom_with(&chromium, &server.url("/http-codes/?q=zzqqxxjj"), 10_000);
    assert!(
        browser::search_status(&dom).starts_with("No results"),
        "status for a query without results: {:?}",
        browser::search_status(&dom)
    );

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
    let _ = std::fs::remove_dir_all(&site);
}
