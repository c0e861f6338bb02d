//! The pipelines the fuzz targets drive, shared with `tests/fuzz_regressions.rs` (which
//! includes this file with `#[path]`), so a regression input replays exactly what crashed.
//!
//! Each function must return normally for every input: a panic, a hang or an out-of-memory is
//! a bug. Errors are fine as long as they are diagnostics (and the property checks hold).

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use statusref::config::Config;
use statusref::render::Renderer;
use statusref::site::Site;
use statusref::{assets, content, index, markdown, output, Diagnostic};

/// Where the fuzzed file pretends to live; the first input byte picks one, since code pages
/// and guides take different paths through `parse_bytes`.
const PATHS: [(&str, &str); 4] = [
    ("content/codes/504.md", "codes/504.md"),
    ("content/guides/fuzz.md", "guides/fuzz.md"),
    ("content/codes/fuzz.md", "codes/fuzz.md"),
    ("content/fuzz.md", "fuzz.md"),
];

fn split(data: &[u8]) -> (&Path, &Path, &[u8]) {
    let (selector, bytes) = match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    };
    let (rel, slug) = PATHS[usize::from(selector) % PATHS.len()];
    (Path::new(rel), Path::new(slug), bytes)
}

/// Every diagnostic must render (it is what the user sees) and name a file.
fn show(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let text = d.to_string();
        assert!(
            text.contains("-->"),
            "diagnostic without a location line: {text}"
        );
    }
}

/// Front matter: `content::parse_bytes` either gives a page with a title or errors.
pub fn front_matter(data: &[u8]) {
    let (rel, slug, bytes) = split(data);
    match content::parse_bytes(rel, slug, bytes) {
        Ok((page, warnings)) => {
            show(&warnings);
            assert!(
                !page.title().trim().is_empty(),
                "a page without a title was accepted"
            );
            assert!(page.body.len() <= bytes.len());
            if let Some(code) = page.code() {
                assert!((100..=599).contains(&code), "code {code} accepted");
            }
        }
        Err(errors) => {
            assert!(
                errors.iter().any(Diagnostic::is_error),
                "Err without an error: {errors:?}"
            );
            show(&errors);
        }
    }
}

/// Markdown: `markdown::render_with` of any UTF-8 text (facts and diagrams expanded), with
/// unique heading ids.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = if text.len() % 2 == 0 { "/" } else { "/ref/" };
    // One declared fact, so that `{{fact:a}}` in the input takes the expansion path.
    let mut facts = statusref::facts::Facts::default();
    facts.0.insert(
        "a".into(),
        statusref::facts::Fact {
            value: "1 s".into(),
            source: "https://example.com/".into(),
            checked: statusref::facts::parse_date("2026-01-01").expect("date"),
            label: None,
        },
    );
    let rendered = markdown::render_with(text, base, &facts);
    let mut seen = HashSet::new();
    for id in &rendered.ids {
        assert!(seen.insert(id.as_str()), "duplicate heading id {id:?}");
    }
    for link in &rendered.links {
        assert!(link.offset <= text.len());
        assert!(link.url.starts_with('/'));
    }
}

struct Theme {
    renderer: Renderer,
    asset_urls: BTreeMap<String, String>,
}

fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        // A root without templates/ or assets/: the built-in theme.
        let root = Path::new("/nonexistent-statusref-fuzz-root");
        let templates = assets::theme_files(root, "templates").expect("built-in templates");
        let renderer = Renderer::new(templates).expect("built-in templates parse");
        let theme_assets = assets::theme_files(root, "assets").expect("built-in assets");
        let generated = vec![
            ("search.wasm".into(), Vec::new()),
            ("index.bin".into(), Vec::new()),
        ];
        let asset_urls = assets::Assets::new(theme_assets, generated).urls("/");
        Theme {
            renderer,
            asset_urls,
        }
    })
}

/// The page pipeline without the disk: parse, markdown, site model, every template, search
/// documents, codes.json, sitemap. Only the tantivy index itself is left out (it costs
/// milliseconds per input and has its own tests).
pub fn page(data: &[u8]) {
    let (rel, slug, bytes) = split(data);
    let Ok((page, warnings)) = content::parse_bytes(rel, slug, bytes) else {
        return;
    };
    show(&warnings);
    let config = Config::default();
    let rendered = markdown::render_page(&page, &config.base_path());
    let site = match Site::assemble(config, &[], vec![(page, rendered)], &[]) {
        Ok((site, warnings)) => {
            show(&warnings);
            site
        }
        Err(errors) => {
            assert!(errors.iter().any(Diagnostic::is_error));
            show(&errors);
            return;
        }
    };
    let theme = theme();
    match theme.renderer.render_site(&site, &theme.asset_urls) {
        Ok(files) => assert!(files.iter().any(|(path, _)| path == "index.html")),
        Err(errors) => panic!("a valid page failed to render: {errors:?}"),
    }
    let _ = index::documents(&site);
    let _ = output::codes_json(&site);
    let _ = output::sitemap(&site);
    let _ = output::robots(&site);
}
