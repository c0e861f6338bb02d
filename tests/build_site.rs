//! Valid fixture sites build into complete sites: the seed page unmodified, lists, links,
//! base-path rewriting, meanings, drafts, determinism.

mod util;

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn the_seed_page_builds_unmodified_and_its_back_link_lands_on_the_search_page() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    let seed = std::fs::read(root.join("content/codes/524.md")).unwrap();
    assert_eq!(
        seed,
        std::fs::read("../shared/seeds/000_e5d37502493f7bdb.txt").unwrap_or(seed.clone())
    );
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("built 10 pages (1 code, 0 guides) with 0 warnings"),
        "{stdout}"
    );

    let page = util::read(&output, "http-codes/524/index.html");
    assert!(page.contains("<title>524 A Timeout Occurred - HTTP Status Code Explained</title>"));
    // The seed's own raw-HTML button, kept verbatim; the template adds no second one.
    assert!(page.contains(r#"<a href="/http-codes/" style="display: inline-block; padding: 12px 24px; background: hsl(var(--primary));"#), "{page}");
    assert_eq!(count(&page, "← Back to Search"), 1);
    assert_eq!(count(&page, "<main"), 1);
    assert_eq!(count(&page, "<h1"), 1);
    assert!(
        page.contains(r#"<span class="code-number code-5xx">524</span> A Timeout Occurred</h1>"#)
    );
    // Front matter head: description deduplicated, keywords kept.
    assert_eq!(count(&page, r#"name="description""#), 1);
    assert!(page.contains(r#"<meta name="keywords" content="HTTP 524, A Timeout Occurred, HTTP status code, REST API, web development">"#));
    // Vendor derived from the `## Source` section.
    assert!(page.contains(r#"<span class="badge badge-unofficial">Cloudflare</span>"#));
    assert!(
        page.contains("<hr />"),
        "the body's --- is a thematic break"
    );
    // The target of the back link exists and lists the code.
    let search = util::read(&output, "http-codes/index.html");
    assert!(search.contains(r#"<a class="code-link" href="/http-codes/524/">"#));
    assert!(search.contains(r#"<ol id="search-results""#));
    // Assets are fingerprinted and linked by hash.
    let css: Vec<_> = std::fs::read_dir(output.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("site.") && n.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1);
    assert!(page.contains(&format!("/assets/{}", css[0])));
    let css_text = util::read(&output, &format!("assets/{}", css[0]));
    assert!(css_text.contains("--primary:") && css_text.contains("--radius:"));
    // codes.json
    let json: serde_json::Value = serde_json::from_str(&util::read(&output, "codes.json")).unwrap();
    assert_eq!(json[0]["code"], 524);
    assert_eq!(json[0]["official"], false);
    assert_eq!(json[0]["vendor"], "Cloudflare");
    assert_eq!(json[0]["class"], "5xx");
    assert_eq!(json[0]["url"], "/http-codes/524/");
    // Without an absolute base URL there is no sitemap (it needs absolute URLs).
    assert!(!output.join("sitemap.xml").exists());
    assert!(output.join("404.html").exists());
    assert!(output.join("robots.txt").exists());
}

#[test]
fn a_small_site_under_a_sub_path_links_everything_under_it() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("out");
    let out = util::build(&root, &output, &["--base-url", "https://example.org/ref/"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The typo is a warning with the closest key, and the build goes on.
    assert!(
        stderr.contains("warning: unknown front-matter key `descripton`"),
        "{stderr}"
    );
    assert!(stderr.contains("content/codes/200.md:3:1"), "{stderr}");
    assert!(
        stderr.contains("help: did you mean `description`?"),
        "{stderr}"
    );

    let seed = util::read(&output, "http-codes/524/index.html");
    assert!(
        seed.contains(r#"<a href="/ref/http-codes/" style="#),
        "seed link rewritten under the base path"
    );
    assert!(
        seed.contains(r#"<link rel="canonical" href="https://example.org/ref/http-codes/524/">"#)
    );
    assert!(seed
        .contains(r#"<meta property="og:url" content="https://example.org/ref/http-codes/524/">"#));
    assert!(
        seed.contains(r#"href="/ref/http-codes/504/" rel="prev""#),
        "prev of 524 is 504"
    );

    let p504 = util::read(&output, "http-codes/504/index.html");
    assert!(
        p504.contains(r#"<a href="/ref/http-codes/502/">502</a>"#),
        "markdown links rewritten"
    );
    assert!(
        p504.contains(r#"<span class="code-name">A Timeout Occurred</span>"#),
        "related shows names"
    );
    assert!(p504.contains(r#"href="/ref/http-codes/502/" rel="prev""#));
    assert!(p504.contains(r#"href="/ref/http-codes/524/" rel="next""#));
    assert!(p504.contains(
        r#"<a class="button back-to-search" href="/ref/http-codes/">← Back to Search</a>"#
    ));
    assert!(p504.contains(r#"<a class="spec-link" href="https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5" rel="noopener">RFC 9110 §15.6.5</a>"#));
    assert!(p504.contains(r#"<span class="http-code http-5xx">504</span>"#));
    assert!(p504.contains(r#"href="https://example.org/repo/edit/main/content/codes/504.md""#));
    assert!(
        p504.contains(r#"<meta name="keywords" content="upstream timed out, proxy_read_timeout">"#)
    );
    assert!(
        !p504.contains(r#"href="/assets/"#),
        "assets under the base path too"
    );
    assert!(p504.contains(r#"href="/ref/assets/site."#));

    // A code with two meanings lists both, official or vendor, with badges.
    let p499 = util::read(&output, "http-codes/499/index.html");
    assert!(p499.contains("2 meanings of 499"));
    assert!(p499.contains(r#"<span class="badge badge-unofficial">nginx</span>"#));
    assert!(p499.contains(r#"<span class="badge badge-unofficial">Esri ArcGIS</span>"#));
    let search = util::read(&output, "http-codes/index.html");
    assert!(search.contains(r#"also <span class="also-name">Token Required</span>"#));

    // Class pages, guides, drafts.
    let c5 = util::read(&output, "http-codes/5xx/index.html");
    assert!(
        c5.contains("/ref/http-codes/502/")
            && c5.contains("/ref/http-codes/504/")
            && c5.contains("/ref/http-codes/524/")
    );
    assert!(!c5.contains("/ref/http-codes/499/"));
    let guide = util::read(&output, "guides/timeouts/index.html");
    assert!(guide.contains(r#"<a href="/ref/http-codes/524/#meaning">524</a>"#));
    assert!(!output.join("guides/draft").exists(), "drafts are skipped");

    let sitemap = util::read(&output, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/ref/http-codes/504/</loc>"));
    assert!(sitemap.contains("<loc>https://example.org/ref/guides/timeouts/</loc>"));
    assert!(
        util::read(&output, "robots.txt").contains("Sitemap: https://example.org/ref/sitemap.xml")
    );
    let json: serde_json::Value = serde_json::from_str(&util::read(&output, "codes.json")).unwrap();
    let codes: Vec<u64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [200, 499, 502, 504, 524]);
    assert_eq!(json[1]["other_meanings"][0]["vendor"], "Esri ArcGIS");
    assert_eq!(json[3]["url"], "https://example.org/ref/http-codes/504/");
}

#[test]
fn drafts_build_with_the_flag() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("out");
    let out = util::build(&root, &output, &["--drafts"]);
    assert!(out.status.success());
    assert!(output.join("guides/draft/index.html").exists());
}

#[test]
fn two_builds_are_byte_identical() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert!(util::build(&root, &a, &[]).status.success());
    assert!(util::build(&root, &b, &[]).status.success());
    let (sa, sb) = (util::snapshot(&a), util::snapshot(&b));
    assert!(sa.len() > 10);
    assert_eq!(
        sa.iter().map(|f| &f.0).collect::<Vec<_>>(),
        sb.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (fa, fb) in sa.iter().zip(&sb) {
        assert!(fa.1 == fb.1, "{} differs between builds", fa.0);
    }
}

#[test]
fn a_site_root_override_replaces_one_built_in_template() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<p>custom 404</p>{% endblock main %}",
    )
    .unwrap();
    let output = dir.path().join("public");
    assert!(util::build(&root, &output, &[]).status.success());
    assert!(util::read(&output, "404.html").contains("<p>custom 404</p>"));
    assert!(util::read(&output, "http-codes/524/index.html").contains("A Timeout Occurred"));
}

#[test]
fn crlf_and_bom_files_build_like_lf_files() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    let text = std::fs::read_to_string(root.join("content/codes/524.md")).unwrap();
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    std::fs::write(root.join("content/codes/524.md"), crlf).unwrap();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(util::read(&output, "http-codes/524/index.html")
        .contains("<title>524 A Timeout Occurred - HTTP Status Code Explained</title>"));
}

/// Pages render while the index builds; the ones that show its fingerprinted URL wait for it.
/// Whether a shared template names it (every page waits) or a page computes the name (its
/// output holds the placeholder, so it is rendered again), every page links the real index.
#[test]
fn pages_that_show_the_index_url_get_the_built_index() {
    for (template, text) in [
        (
            "404.html",
            "{% extends \"base.html\" %}{% block main %}{% set n = \"index\" ~ \".bin\" %}<p data-index=\"{{ assets[n] }}\">x</p>{% endblock main %}",
        ),
        (
            "partials/index-link.html",
            "<link rel=\"prefetch\" href=\"{{ assets['index.bin'] }}\">",
        ),
    ] {
        let (dir, root) = util::site_from_fixture("valid/seed");
        let path = root.join("templates").join(template);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if template.starts_with("partials/") {
            let base = util::repo_root().join("templates/base.html");
            let base = std::fs::read_to_string(base).unwrap().replace(
                "</head>",
                "{% include \"partials/index-link.html\" %}</head>",
            );
            assert!(base.contains("index-link"), "base.html has a </head>");
            std::fs::write(root.join("templates/base.html"), base).unwrap();
        }
        let output = dir.path().join("public");
        let out = util::build(&root, &output, &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let index: Vec<String> = std::fs::read_dir(output.join("assets"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("index.") && n.ends_with(".bin"))
            .collect();
        assert_eq!(index.len(), 1, "{index:?}");
        let url = format!("/assets/{}", index[0]);
        let pages = ["404.html", "http-codes/524/index.html", "http-codes/index.html"];
        let showing = if template == "404.html" { &pages[..1] } else { &pages[..] };
        for page in showing {
            let html = util::read(&output, page);
            assert!(html.contains(&url), "{template}: {page} lacks {url}");
            assert!(!html.contains("pending"), "{template}: {page} has a placeholder");
        }
    }
}
