//! Valid fixture sites build into complete sites: the seed page unmodified, lists, links,
//! base-path rewriting, meanings, drafts, determinism; the `<main>` of every page of every
//! valid fixture is a snapshot (`tests/snapshots/build_site__*.snap`, the spec of the pages);
//! `build`, `check` and `serve` produce the same bytes.
//!
//! After an intended change to the pages, re-bless the snapshots with
//! `INSTA_UPDATE=always cargo test --test build_site` and read the diff (`git diff
//! tests/snapshots`); under CI (`CI=true`) a changed snapshot fails.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sha2::{Digest, Sha256};
use statusref::internals::incremental::Incremental;
use statusref::{render_site, BuildError, BuildOptions};

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The seed page the project was created from, vendored as the `valid/seed` fixture.
const SEED_FIXTURE: &str = "valid/seed/content/codes/524.md";
/// The same file in the steering repository's `shared/` (beside the repository, when present).
const SHARED_SEED: &str = "../shared/seeds/000_e5d37502493f7bdb.txt";
/// SHA-256 of the seed as it was handed over: the vendored copy must stay byte for byte the
/// seed, with or without `shared/` beside the repository.
const SEED_SHA256: &str = "7248f61c56db8f56b751d3dbd6559b509af34f5b53c6a3ade8387bb0db667153";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_vendored_seed_is_the_seed_unmodified() {
    let vendored = std::fs::read(util::fixture(SEED_FIXTURE)).expect("the vendored seed");
    assert_eq!(
        sha256_hex(&vendored),
        SEED_SHA256,
        "tests/fixtures/{SEED_FIXTURE} is no longer the seed as handed over"
    );
    let shared = util::repo_root().join(SHARED_SEED);
    match std::fs::read(&shared) {
        Ok(original) => assert!(
            original == vendored,
            "tests/fixtures/{SEED_FIXTURE} differs from {}",
            shared.display()
        ),
        // A clone without the steering repository beside it: the digest above is the check.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "{} absent: checked the seed by its digest",
                shared.display()
            )
        }
        Err(e) => panic!("reading {}: {e}", shared.display()),
    }
}

/// The code list that `content_coverage` checks is a copy of `shared/`'s, and the reader
/// queries that `search_quality` checks hold every query of `shared/queries.tsv` (ours add
/// many more, with a `kind` column); when `shared/` is beside the repository (as in CI),
/// neither may have drifted from it.
#[test]
fn the_vendored_code_and_query_lists_hold_the_shared_ones() {
    let read = |rel: &str| -> Option<String> {
        match std::fs::read_to_string(util::repo_root().join(rel)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("{rel} absent: not compared");
                None
            }
            Err(e) => panic!("reading {rel}: {e}"),
        }
    };
    let codes = read("tests/codes.tsv").expect("tests/codes.tsv");
    assert!(codes.len() > 1000, "tests/codes.tsv: {} bytes", codes.len());
    if let Some(shared) = read("../shared/codes.tsv") {
        assert!(
            codes == shared,
            "tests/codes.tsv differs from ../shared/codes.tsv: copy it over"
        );
    }
    let queries = read("tests/queries.tsv").expect("tests/queries.tsv");
    // (query, expected, rank) of every row; ours has a fourth column, `kind`.
    let rows = |text: &str| -> std::collections::BTreeSet<(String, String, String)> {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut cols = l.split('\t').map(str::to_string);
                let mut next = || cols.next().unwrap_or_default();
                (next(), next(), next())
            })
            .collect()
    };
    let ours = rows(&queries);
    assert!(
        ours.len() >= 250,
        "tests/queries.tsv: {} queries",
        ours.len()
    );
    if let Some(shared) = read("../shared/queries.tsv") {
        let missing: Vec<_> = rows(&shared).difference(&ours).cloned().collect();
        assert!(
            missing.is_empty(),
            "tests/queries.tsv lacks these rows of ../shared/queries.tsv: {missing:?}"
        );
    }
}

#[test]
fn the_seed_page_builds_unmodified_and_its_back_link_lands_on_the_search_page() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    let seed = std::fs::read(root.join("content/codes/524.md")).unwrap();
    assert_eq!(
        sha256_hex(&seed),
        SEED_SHA256,
        "the fixture builds the seed unmodified"
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

/// Every file of a built site by path, for comparing two builds.
fn files_of(output: &Path) -> BTreeMap<String, Vec<u8>> {
    util::snapshot(output).into_iter().collect()
}

/// Builds `root` into `<dir>/<name>`, asserting success; returns the files.
fn built(dir: &Path, root: &Path, name: &str) -> BTreeMap<String, Vec<u8>> {
    let output = dir.join(name);
    let out = util::build(root, &output, &[]);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    files_of(&output)
}

#[test]
fn a_site_root_override_replaces_one_built_in_template() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    let before = built(dir.path(), &root, "before");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<p>custom 404</p>{% endblock main %}",
    )
    .unwrap();
    let after = built(dir.path(), &root, "after");
    assert!(String::from_utf8_lossy(&after["404.html"]).contains("<p>custom 404</p>"));
    // Only the page of that template changed; every other file is the built-in theme's.
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|path| before.get(*path) != after.get(*path))
        .collect();
    assert_eq!(changed, ["404.html"]);
}

#[test]
fn crlf_and_bom_files_build_like_lf_files() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    let lf = built(dir.path(), &root, "lf");
    let text = std::fs::read_to_string(root.join("content/codes/524.md")).unwrap();
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    std::fs::write(root.join("content/codes/524.md"), crlf).unwrap();
    let crlf = built(dir.path(), &root, "crlf");
    assert_eq!(
        lf.keys().collect::<Vec<_>>(),
        crlf.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &lf {
        assert!(
            crlf[path] == *bytes,
            "{path} differs between the LF and the BOM + CRLF seed"
        );
    }
}

// ---- snapshots of the pages -----------------------------------------------------------------

/// The valid fixture sites (`tests/fixtures/valid/*`), sorted.
fn valid_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(util::fixture("valid"))
        .expect("tests/fixtures/valid")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The one `<main>` element of a page, as the HTML parsing algorithm (html5ever) builds it
/// and serializes it back: what a browser shows, without the head and chrome that every page
/// shares.
fn main_of(html: &str, page: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("main").expect("a valid selector");
    let mains: Vec<scraper::ElementRef> = document.select(&selector).collect();
    assert_eq!(mains.len(), 1, "{page}: want exactly one <main>");
    mains[0].html()
}

/// `http-codes/504/index.html` → `http-codes__504`; `index.html` → `index`; `404.html` → `404`.
fn page_name(path: &str) -> String {
    let trimmed = path
        .strip_suffix("index.html")
        .or_else(|| path.strip_suffix(".html"))
        .unwrap_or(path)
        .trim_end_matches('/');
    if trimmed.is_empty() {
        "index".to_string()
    } else {
        trimmed.replace('/', "__")
    }
}

/// Whether insta writes snapshots in place (`INSTA_UPDATE=always` or `force`): then stale
/// snapshots are removed too, so re-blessing is one command.
fn blessing() -> bool {
    matches!(
        std::env::var("INSTA_UPDATE").as_deref(),
        Ok("always" | "1" | "force")
    )
}

const SNAPSHOT_PREFIX: &str = "build_site__";

#[test]
fn every_page_of_every_valid_fixture_matches_its_snapshot() {
    let fixtures = valid_fixtures();
    assert!(
        fixtures.len() >= 3 && fixtures.iter().any(|f| f == "seed"),
        "the valid fixtures: {fixtures:?}"
    );
    let mut names = BTreeSet::new();
    for fixture in &fixtures {
        let (dir, root) = util::site_from_fixture(&format!("valid/{fixture}"));
        let output = dir.path().join("public");
        let out = util::build(&root, &output, &[]);
        assert!(
            out.status.success(),
            "{fixture}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pages: Vec<String> = util::snapshot(&output)
            .into_iter()
            .map(|(path, _)| path)
            .filter(|path| path.ends_with(".html"))
            .collect();
        assert!(
            pages.iter().any(|p| p == "index.html") && pages.len() >= 5,
            "{fixture}: {pages:?}"
        );
        for page in pages {
            let main = main_of(&util::read(&output, &page), &page);
            let name = format!("{fixture}__{}", page_name(&page));
            assert!(names.insert(name.clone()), "two pages named {name}");
            let mut settings = insta::Settings::clone_current();
            settings.set_description(format!(
                "<main> of {page}, built from tests/fixtures/valid/{fixture}"
            ));
            settings.set_omit_expression(true);
            settings.bind(|| insta::assert_snapshot!(name, main));
        }
    }

    // A snapshot whose page is no longer built would never be checked again.
    let dir = util::repo_root().join("tests/snapshots");
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/snapshots") {
        let file = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(name) = file
            .strip_prefix(SNAPSHOT_PREFIX)
            .and_then(|rest| rest.strip_suffix(".snap"))
        else {
            continue;
        };
        if !names.contains(name) {
            if blessing() {
                std::fs::remove_file(dir.join(&file)).expect("remove a stale snapshot");
                eprintln!("removed tests/snapshots/{file}: no such page any more");
            } else {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots of pages no longer built (remove them, or re-bless with \
         `INSTA_UPDATE=always cargo test --test build_site`): {stale:?}"
    );
}

// ---- build, check and serve agree ------------------------------------------------------------

/// `build` (the files on disk), `check` ([`render_site`], in memory) and `serve` (the dev
/// server's [`Incremental`] files in memory) for the same options, byte for byte.
fn assert_build_check_and_serve_agree(fixture: &str, configure: impl Fn(&mut BuildOptions)) {
    let (dir, root) = util::site_from_fixture(&format!("valid/{fixture}"));
    let mut options = BuildOptions::new(&root);
    options.output = Some(dir.path().join("public"));
    configure(&mut options);
    let what = format!(
        "{fixture} ({:?}, drafts {})",
        options.base_url, options.drafts
    );
    let fail = |stage: &str, e: BuildError| -> ! {
        match e {
            BuildError::Input(d) => panic!(
                "{what}: {stage} failed:\n{}",
                d.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            other => panic!("{what}: {stage} failed: {other}"),
        }
    };

    let report = statusref::build(&options).unwrap_or_else(|e| fail("build", e));
    let written = util::site_files(&report.output);
    let on_disk = util::comparable(written.iter().map(|(p, b)| (p.as_str(), &b[..])));
    let checked = render_site(&options).unwrap_or_else(|e| fail("check", e));
    let mut serve = Incremental::new(options.clone());
    let first = serve
        .rebuild(&BTreeSet::new())
        .unwrap_or_else(|e| fail("serve", e));
    assert!(
        first.index.is_none(),
        "{what}: the first serve build has its index"
    );
    let served = serve.files().expect("serve built");

    assert!(on_disk.len() > 10, "{what}: {} files", on_disk.len());
    assert_eq!(report.pages, checked.pages, "{what}: pages");
    let checked = util::comparable(checked.files.iter().map(|(p, b)| (p.as_str(), &b[..])));
    let served = util::comparable(served.iter().map(|(p, b)| (p.as_str(), &b[..])));
    let disk_paths: Vec<&str> = on_disk.keys().map(String::as_str).collect();
    assert_eq!(
        disk_paths,
        checked.keys().map(String::as_str).collect::<Vec<_>>(),
        "{what}: build and check files"
    );
    assert_eq!(
        disk_paths,
        served.keys().map(String::as_str).collect::<Vec<_>>(),
        "{what}: build and serve files"
    );
    for (path, bytes) in &on_disk {
        assert!(
            checked[path.as_str()] == *bytes,
            "{what}: {path} differs between build and check"
        );
        assert!(
            served[path.as_str()] == *bytes,
            "{what}: {path} differs between build and serve"
        );
    }
}

#[test]
fn build_check_and_serve_produce_the_same_bytes() {
    for fixture in valid_fixtures() {
        assert_build_check_and_serve_agree(&fixture, |_| {});
    }
    // The dev server's own URL (what `serve` builds with), a sub-path, and drafts.
    assert_build_check_and_serve_agree("small", |o| {
        o.base_url = Some("http://127.0.0.1:1111/".into())
    });
    assert_build_check_and_serve_agree("small", |o| {
        o.base_url = Some("https://example.org/deep/sub/".into());
        o.drafts = true;
    });
}
