//! The pipelines the fuzz targets drive, shared with `tests/fuzz_regressions.rs` (which
//! includes this file with `#[path]`), so a regression input replays exactly what crashed.
//!
//! Each function must return normally for every input: a panic, a hang or an out-of-memory is
//! a bug. Errors are fine as long as they are diagnostics (and the property checks hold).

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use statusref::internals::config::Config;
use statusref::internals::render::Renderer;
use statusref::internals::site::Site;
use statusref::internals::{assets, content, head, index, markdown, output, urls};
use statusref::Diagnostic;

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
            assert!(page.body().len() <= bytes.len());
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
    let mut facts = statusref::internals::facts::Facts::default();
    facts.0.insert(
        "a".into(),
        statusref::internals::facts::Fact {
            value: "1 s".into(),
            source: "https://example.com/".into(),
            checked: statusref::internals::facts::parse_date("2026-01-01").expect("date"),
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
        let (templates, _) = assets::theme_files(root, "templates").expect("built-in templates");
        let renderer = Renderer::new(templates).expect("built-in templates parse");
        let (theme_assets, _) = assets::theme_files(root, "assets").expect("built-in assets");
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
    let routes = statusref::internals::plan::plan(&site);
    let _ = output::codes_json(&site, &routes);
    let _ = output::sitemap(&site, &routes);
    let _ = output::robots(&site);
}

/// A code page every `site.yaml` is tried with.
const CONFIG_PAGE: &str = "---\ntitle: \"504 Gateway Timeout\"\nspec_url: \"https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5\"\n---\n# 504 Gateway Timeout\n\n## Meaning\n\nSee [the list](/http-codes/).\n";

/// `site.yaml`: `Config::from_yaml` either refuses it with a located error, or gives a
/// configuration whose base path and origin are safe, and with which a site writes only safe
/// URLs into `href` and `src`.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = match Config::from_yaml(text) {
        Ok(config) => config,
        Err(d) => {
            assert!(d.is_error(), "a refusal that is not an error: {d:?}");
            show(&[d]);
            return;
        }
    };
    let base_path = config.base_path();
    assert!(
        base_path.starts_with('/') && base_path.ends_with('/') && !base_path.starts_with("//"),
        "base path {base_path:?} from {:?}",
        config.base_url
    );
    assert!(safe_url(&base_path), "base path {base_path:?}");
    if let Some(origin) = config.origin() {
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        assert!(
            host.is_some_and(|h| !h.is_empty() && !h.contains(['/', '\\', '@'])),
            "origin {origin:?} from {:?}",
            config.base_url
        );
    }
    let page = content::parse(
        Path::new("content/codes/504.md"),
        Path::new("codes/504.md"),
        CONFIG_PAGE,
    );
    let Ok((page, _)) = page else {
        panic!("the fixed page does not parse");
    };
    for (path, html) in render_one(config, page) {
        let html = String::from_utf8_lossy(&html);
        for (attribute, value) in url_attributes(&html) {
            assert!(safe_url(value), "{path}: {attribute}={value:?}");
        }
    }
}

/// The `head:` list of a code page: either refused with a located error, or every tag it
/// gives is a `meta` or `link` with allowed attributes, and the page's rendered `<head>`
/// carries no event handler, no other tag and no unsafe `href`.
pub fn head(data: &[u8]) {
    let Ok(yaml) = std::str::from_utf8(data) else {
        return;
    };
    let text = format!(
        "---\ntitle: \"504 Gateway Timeout\"\nhead:\n{yaml}\n---\n# 504 Gateway Timeout\n\nText.\n"
    );
    let parsed = content::parse(
        Path::new("content/codes/504.md"),
        Path::new("codes/504.md"),
        &text,
    );
    let page = match parsed {
        Ok((page, warnings)) => {
            show(&warnings);
            page
        }
        Err(errors) => {
            assert!(errors.iter().any(Diagnostic::is_error));
            show(&errors);
            return;
        }
    };
    for tag in &page.front.head {
        let allowed = match tag.tag.as_str() {
            "meta" => head::META_ATTRIBUTES,
            "link" => head::LINK_ATTRIBUTES,
            other => panic!("tag {other:?} accepted"),
        };
        for (name, value) in &tag.attrs {
            assert!(
                allowed.contains(&name.as_str()),
                "attribute {name:?} accepted"
            );
            if name == "href" {
                assert!(urls::check_link(value).is_ok(), "href {value:?} accepted");
            }
        }
    }
    let files = render_one(Config::default(), page);
    let Some((_, html)) = files
        .iter()
        .find(|(path, _)| path == "http-codes/504/index.html")
    else {
        panic!("no page for 504");
    };
    let html = String::from_utf8_lossy(html);
    // The front matter's tags come last in <head>, after the theme's one inline script.
    let head_end = html.find("</head>").expect("a </head>");
    let start = html[..head_end]
        .rfind("</script>")
        .expect("the theme script")
        + "</script>".len();
    for (tag, attributes) in tags(&html[start..head_end]) {
        assert!(tag == "meta" || tag == "link", "<{tag}> in <head>");
        for (name, value) in attributes {
            assert!(
                !name.to_ascii_lowercase().starts_with("on"),
                "event handler {name}={value:?} in <head>"
            );
            if name == "href" || name == "src" {
                assert!(safe_url(&value), "<{tag} {name}={value:?}>");
            }
        }
    }
}

/// Renders a one-page site with `config`: every output file.
fn render_one(config: Config, page: content::Page) -> Vec<(String, Vec<u8>)> {
    let rendered = markdown::render(page.body(), &config.base_path());
    let site = match Site::assemble(config, &[], vec![(page, rendered)], &[]) {
        Ok((site, _)) => site,
        Err(errors) => panic!("a valid page failed to assemble: {errors:?}"),
    };
    let theme = theme();
    match theme.renderer.render_site(&site, &theme.asset_urls) {
        Ok(files) => files,
        Err(errors) => panic!("a valid page failed to render: {errors:?}"),
    }
}

/// What a browser does with the URL stays on the site or goes to an http(s) URL: no control
/// characters or backslashes, no `//host`, no scheme but http(s). (HTML-escaped, as written.)
fn safe_url(value: &str) -> bool {
    let value = value.replace("&amp;", "&");
    if value.chars().any(char::is_control) || value.contains('\\') || value.starts_with("//") {
        return false;
    }
    // A scheme is a letter, then letters, digits, `+`, `-` or `.`, then `:` (WHATWG URL);
    // anything else before the first `:` makes the value a relative path (`h(ttps://x`).
    match value.split_once(':') {
        Some((scheme, _))
            if scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            let scheme = scheme.to_ascii_lowercase();
            scheme == "http" || scheme == "https"
        }
        _ => true,
    }
}

/// `href="…"` and `src="…"` values in HTML (the templates always quote with `"`).
fn url_attributes(html: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    for attribute in ["href", "src"] {
        let needle = format!(" {attribute}=\"");
        let mut rest = html;
        while let Some(i) = rest.find(&needle) {
            let after = &rest[i + needle.len()..];
            let end = after.find('"').unwrap_or(after.len());
            found.push((attribute, &after[..end]));
            rest = &after[end..];
        }
    }
    found
}

/// The tags in a piece of HTML with their attributes (name, value), read the way a browser
/// tokenizes them: quoted values may hold anything but their quote.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '<' {
            continue;
        }
        if chars.peek() == Some(&'/') {
            // A closing tag: no attributes.
            for c in chars.by_ref() {
                if c == '>' {
                    break;
                }
            }
            continue;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '>' || c == '/' {
                break;
            }
            name.push(c);
            chars.next();
        }
        let mut attributes = Vec::new();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
                chars.next();
            }
            match chars.peek() {
                None => break,
                Some('>') => {
                    chars.next();
                    break;
                }
                _ => {}
            }
            let mut attribute = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '=' || c == '>' || c == '/' {
                    break;
                }
                attribute.push(c);
                chars.next();
            }
            let mut value = String::new();
            if chars.peek() == Some(&'=') {
                chars.next();
                match chars.peek().copied() {
                    Some(quote @ ('"' | '\'')) => {
                        chars.next();
                        for c in chars.by_ref() {
                            if c == quote {
                                break;
                            }
                            value.push(c);
                        }
                    }
                    _ => {
                        while let Some(&c) = chars.peek() {
                            if c.is_whitespace() || c == '>' {
                                break;
                            }
                            value.push(c);
                            chars.next();
                        }
                    }
                }
            }
            if !attribute.is_empty() {
                attributes.push((attribute, value));
            }
        }
        out.push((name.to_ascii_lowercase(), attributes));
    }
    out
}
