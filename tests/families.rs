//! Content families (Cloudflare 1xxx errors, IIS sub-status codes, codes outside the HTTP
//! registry) build into list pages grouped by HTTP status, entry pages with their status
//! badge and neighbours, search documents, `/families.json` and sitemap entries. The bad
//! inputs are in `tests/fixtures/invalid/family-*` (checked by `build_errors`).

mod util;

use std::path::Path;

/// Builds the families fixture, with "today" fixed so that its dated fact never turns stale.
fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = util::site_from_fixture("valid/families");
    let output = dir.path().join("public");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statusref"))
        .args(["build", "--root", root.to_str().unwrap(), "--output"])
        .arg(&output)
        .env("NO_COLOR", "1")
        .env("STATUSREF_TODAY", "2026-12-01")
        .output()
        .expect("run statusref");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "no warnings: {stderr}");
    (dir, output)
}

fn search(output: &Path, query: &str) -> Vec<serde_json::Value> {
    let out = util::statusref(&[
        "search",
        "--output",
        output.to_str().unwrap(),
        "--json",
        query,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn entries_get_pages_with_their_http_status_and_neighbours() {
    let (_dir, output) = built();
    let page = util::read(&output, "cloudflare-errors/1020/index.html");
    assert!(
        page.contains(r#"<span class="code-number code-family">1020</span> Access Denied</h1>"#),
        "{page}"
    );
    // The HTTP status it arrives with, linked to that code's page.
    assert!(
        page.contains(r#"<a class="badge badge-class" href="/http-codes/403/" title="Arrives with HTTP 403 Forbidden">HTTP 403</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"<a href="/cloudflare-errors/">Cloudflare errors</a>"#));
    assert!(page.contains("<title>1020 Access Denied (Cloudflare error) · Family Test</title>"));
    // Related: an HTTP code, an entry of the same family and one of another family.
    for url in [
        "/http-codes/403/",
        "/cloudflare-errors/1015/",
        "/iis-codes/500.19/",
    ] {
        assert!(
            page.contains(&format!(r#"<a class="code-card" href="{url}">"#)),
            "{url}"
        );
    }
    // Previous within the family, in key order (1015 < 1020); no next.
    assert!(page.contains(r#"<a class="pager-prev" href="/cloudflare-errors/1015/" rel="prev"><span class="pager-label">Previous</span> 1015 You Are Being Rate Limited</a>"#));
    assert!(!page.contains("pager-next"));

    // A status without a page of its own: a plain badge.
    let page = util::read(&output, "cloudflare-errors/1015/index.html");
    assert!(page.contains(
        r#"<span class="badge badge-class" title="Arrives with HTTP status 429">HTTP 429</span>"#
    ));
    // No HTTP response at all.
    let page = util::read(&output, "other-codes/0/index.html");
    assert!(page.contains(r#"<span class="badge badge-unused">no HTTP response</span>"#));
    assert!(util::read(&output, "other-codes/000/index.html").contains(
        r#"<span class="code-number code-family">000</span> No Response from curl</h1>"#
    ));
    // IIS keys sort numerically: 401.1 < 401.2 < 401.10.
    let page = util::read(&output, "iis-codes/401.2/index.html");
    assert!(page.contains(r#"href="/iis-codes/401.1/" rel="prev""#));
    assert!(page.contains(r#"href="/iis-codes/401.10/" rel="next""#));
    // Body links into families resolve, anchors included (the build checks them).
    assert!(util::read(&output, "http-codes/500/index.html")
        .contains(r#"href="/iis-codes/500.19/#causes""#));
}

#[test]
fn an_entry_states_its_facts_with_source_and_date_on_the_page_and_in_its_twin() {
    let (_dir, output) = built();
    let page = util::read(&output, "cloudflare-errors/1015/index.html");
    assert!(
        page.contains(r#"at least <span class="fact">10 s <a class="fact-src" href="https://example.com/docs/rate-limiting-rules" title="Shortest rate limiting period: example.com, checked 2026-11-02">[source, checked <time datetime="2026-11-02">Nov 2026</time>]</a></span> long."#),
        "{page}"
    );
    assert!(!page.contains("{{fact"), "{page}");
    let twin = util::read(&output, "cloudflare-errors/1015/index.html.md");
    assert!(twin.contains("at least 10 s long."), "{twin}");
    assert!(
        twin.contains("Sources of the numbers on this page:\n\n- Shortest rate limiting period: 10 s ([source](https://example.com/docs/rate-limiting-rules), checked 2026-11-02)"),
        "{twin}"
    );
    assert!(!twin.contains("{{fact"), "{twin}");
}

/// `check` warns about an entry's fact as about a code page's: named, located, with its source.
#[test]
fn a_stale_fact_in_an_entry_is_a_located_warning() {
    let (_dir, root) = util::site_from_fixture("valid/families");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statusref"))
        .args(["check", "--root", root.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("STATUSREF_TODAY", "2027-11-03")
        .output()
        .expect("run statusref");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: fact `rule_period` was checked on 2026-11-02, more than 12 months ago\n  --> content/cloudflare-errors/1015.md:14:5"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: compare `10 s` with https://example.com/docs/rate-limiting-rules"),
        "{stderr}"
    );
}

#[test]
fn list_pages_group_entries_by_http_status_in_key_order() {
    let (_dir, output) = built();
    let list = util::read(&output, "iis-codes/index.html");
    assert!(list.contains("<h1>IIS sub-status codes</h1>"));
    let order: Vec<usize> = [
        r#"<h2 id="status-401">HTTP 401"#,
        r#"href="/iis-codes/401.1/""#,
        r#"href="/iis-codes/401.2/""#,
        r#"href="/iis-codes/401.10/""#,
        r#"<h2 id="status-500"><a href="/http-codes/500/">HTTP 500 Internal Server Error</a>"#,
        r#"href="/iis-codes/500.19/""#,
    ]
    .iter()
    .map(|needle| {
        list.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {list}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // 999 is grouped under its status; 0 and 000 under "No HTTP response", last.
    let list = util::read(&output, "other-codes/index.html");
    let status_999 = list
        .find(r#"<h2 id="status-999">HTTP 999 <span"#)
        .expect("999 group");
    let none = list
        .find(r#"<h2 id="status-none">No HTTP response"#)
        .expect("none group");
    assert!(status_999 < none);
    let zero = list.find(r#"href="/other-codes/0/""#).unwrap();
    let triple = list.find(r#"href="/other-codes/000/""#).unwrap();
    assert!(none < zero && zero < triple);
    // Keys longer than a status code (500.19) widen the key column, so names line up; short
    // ones (1015, 999) keep the usual width.
    assert!(util::read(&output, "iis-codes/index.html")
        .contains(r#"<div class="page class-page family-page wide-keys">"#));
    for page in ["cloudflare-errors/index.html", "other-codes/index.html"] {
        assert!(
            util::read(&output, page).contains(r#"<div class="page class-page family-page">"#),
            "{page}"
        );
    }
    // The landing page and the /http-codes/ page link every family.
    for page in ["index.html", "http-codes/index.html"] {
        let html = util::read(&output, page);
        for url in ["/cloudflare-errors/", "/iis-codes/", "/other-codes/"] {
            assert!(
                html.contains(&format!(r#"href="{url}""#)),
                "{page} links {url}"
            );
        }
    }
}

#[test]
fn families_json_and_the_sitemap_list_every_entry() {
    let (_dir, output) = built();
    let json: serde_json::Value =
        serde_json::from_str(&util::read(&output, "families.json")).unwrap();
    let families = json.as_array().unwrap();
    let slugs: Vec<&str> = families
        .iter()
        .map(|f| f["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["cloudflare-errors", "other-codes", "iis-codes"]);
    let cf = &families[0];
    assert_eq!(cf["name"], "Cloudflare errors");
    assert_eq!(cf["url"], "https://example.org/cloudflare-errors/");
    let entry = &cf["entries"][1];
    assert_eq!(entry["key"], "1020");
    assert_eq!(entry["title"], "1020 Access Denied");
    assert_eq!(entry["http_status"], 403);
    assert_eq!(entry["url"], "https://example.org/cloudflare-errors/1020/");
    assert_eq!(entry["spec_url"], "https://example.com/docs/1020");
    assert_eq!(entry["source"], "Vendor docs: Access Denied");
    assert_eq!(entry["description"], "Access Denied in one sentence.");
    let other: Vec<(&str, &serde_json::Value)> = families[1]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["key"].as_str().unwrap(), &e["http_status"]))
        .collect();
    assert_eq!(
        other,
        [
            ("0", &serde_json::Value::Null),
            ("000", &serde_json::Value::Null),
            ("999", &serde_json::json!(999))
        ]
    );
    // codes.json keeps its shape: HTTP codes only.
    let codes: serde_json::Value =
        serde_json::from_str(&util::read(&output, "codes.json")).unwrap();
    assert_eq!(codes.as_array().unwrap().len(), 2);

    let sitemap = util::read(&output, "sitemap.xml");
    for url in [
        "https://example.org/cloudflare-errors/",
        "https://example.org/cloudflare-errors/1020/",
        "https://example.org/iis-codes/500.19/",
        "https://example.org/other-codes/000/",
    ] {
        assert!(sitemap.contains(&format!("<loc>{url}</loc>")), "{url}");
    }
}

#[test]
fn search_finds_entries_by_key_name_and_family() {
    let (_dir, output) = built();
    let first = |query: &str| {
        let hits = search(&output, query);
        assert!(!hits.is_empty(), "{query}: no hits");
        hits[0].clone()
    };
    let hit = first("1020");
    assert_eq!(hit["url"], "/cloudflare-errors/1020/");
    assert_eq!(hit["key"], "1020");
    assert_eq!(hit["http_status"], 403);
    assert_eq!(hit["family"], "Cloudflare error");
    assert_eq!(hit["badge"], "Cloudflare error");
    assert_eq!(hit["code"], serde_json::Value::Null);
    for (query, url) in [
        ("error 1020", "/cloudflare-errors/1020/"),
        ("access denied cloudflare", "/cloudflare-errors/1020/"),
        ("500.19", "/iis-codes/500.19/"),
        ("iis 500.19", "/iis-codes/500.19/"),
        ("401.10", "/iis-codes/401.10/"),
        ("000", "/other-codes/000/"),
        ("0", "/other-codes/0/"),
        ("status 0", "/other-codes/0/"),
        ("999", "/other-codes/999/"),
        ("error 1015 rate limited", "/cloudflare-errors/1015/"),
        // An HTTP code still puts its own page first.
        ("403", "/http-codes/403/"),
        ("500", "/http-codes/500/"),
    ] {
        assert_eq!(first(query)["url"], url, "{query}");
    }
    assert_eq!(first("0")["http_status"], serde_json::Value::Null);
    // The text output names the family and the HTTP status, as the browser does.
    for (query, line) in [
        ("1020", "1020 Access Denied"),
        ("000", "000 No Response from curl"),
    ] {
        let out = util::statusref(&["search", "--output", output.to_str().unwrap(), query]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let first = stdout.lines().next().unwrap_or_default();
        assert!(first.contains(line), "{stdout}");
        let badge = if query == "1020" {
            "Cloudflare error · HTTP 403"
        } else {
            "Nonstandard code · no HTTP response"
        };
        assert!(first.contains(badge), "{stdout}");
    }
    // A family is a class filter.
    let hits = search(&output, "class:iis-codes");
    assert_eq!(hits.len(), 4, "{hits:?}");
    assert!(hits
        .iter()
        .all(|h| h["url"].as_str().unwrap().starts_with("/iis-codes/")));
    // The family's vendor is a filter like any vendor.
    let hits = search(&output, "vendor:cloudflare");
    let urls: Vec<&str> = hits.iter().map(|h| h["url"].as_str().unwrap()).collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(urls.contains(&"/cloudflare-errors/1015/"));
}
