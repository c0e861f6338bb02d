//! Plan: the route table. Every output of the site — each page (code, guide, entry, class,
//! family list, search, landing, 404), its Markdown twin and JSON record, and the site-wide files
//! (`codes.json`, `families.json`, `sitemap.xml`, `llms.txt`, `robots.txt`) — gets its kind,
//! template, URL and output path here, and nowhere else.
//!
//! The URL scheme ([`code_url`], [`class_url`], [`entry_url`], …, [`output_path`] and its
//! inverse [`url_of_output`]) lives in this module too: the model's URL fields and the link
//! checks of [`crate::site::Site::assemble`] use it before the table exists (a link is checked
//! against every URL the site will have), and [`plan`] builds the table from the assembled
//! model. Later stages read the table: rendering ([`crate::pipeline::render`]), the open formats and the
//! sitemap ([`crate::open_formats`], [`crate::output`]), the sinks, and the dev server's cache
//! policy, which diffs two tables ([`crate::incremental`]) and maps output paths back to the
//! URLs tabs show.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};

use crate::content::{Page, PageKind};
use crate::site::{ArticlePage, CodePage, Site};

/// The search page and the list of every code, relative to the base path.
pub const SEARCH: &str = "http-codes/";
/// The list of guides.
pub const GUIDES: &str = "guides/";
/// The not-found page (a file: servers answer unknown paths with it).
pub const NOT_FOUND: &str = "404.html";
/// Every code, as JSON.
pub const CODES_JSON: &str = "codes.json";
/// Every family and its entries, as JSON.
pub const FAMILIES_JSON: &str = "families.json";
/// The sitemap (only with an absolute base URL).
pub const SITEMAP: &str = "sitemap.xml";
/// The crawler rules.
pub const ROBOTS: &str = "robots.txt";
/// The llms.txt index ([llmstxt.org](https://llmstxt.org)).
pub const LLMS_TXT: &str = "llms.txt";
/// The Markdown twin of a page: its output path with this appended (`index.html.md`), the name
/// the llms.txt convention proposes.
pub const TWIN_SUFFIX: &str = ".md";
/// A content page's JSON record, beside its page.
pub const JSON_NAME: &str = "index.json";
/// Where fingerprinted assets (and the search index) go.
pub const ASSETS_DIR: &str = "assets/";

/// The first URL segments of the generator's own pages and files ([`SEARCH`], [`GUIDES`],
/// [`ASSETS_DIR`]): no content family may take one as its URL space.
pub const RESERVED_SEGMENTS: [&str; 3] = ["http-codes", "guides", "assets"];

/// The site-wide generated files, relative to the base path: links to them are links to pages
/// the site has, and no content page may take their paths.
pub const GENERATED: [&str; 5] = [CODES_JSON, FAMILIES_JSON, SITEMAP, ROBOTS, LLMS_TXT];

/// `http-codes/504/`: a code's page, relative to the base path.
pub fn code_url(code: u16) -> String {
    format!("{SEARCH}{code}/")
}

/// `http-codes/5xx/`: a class's page, by its name (`5xx`).
pub fn class_url(class: &str) -> String {
    format!("{SEARCH}{class}/")
}

/// `guides/timeouts/`: an article's page, by its slug (its path under `content/`).
pub fn article_url(slug: &str) -> String {
    format!("{slug}/")
}

/// `cloudflare-errors/`: a family's list page.
pub fn family_url(slug: &str) -> String {
    format!("{slug}/")
}

/// `cloudflare-errors/1020/`: a family entry's page.
pub fn entry_url(family: &str, key: &str) -> String {
    format!("{}{key}/", family_url(family))
}

/// The output file of a URL relative to the base path: a directory URL (`x/`, or the root) is
/// written as its `index.html`, any other as itself.
pub fn output_path(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// The URL (relative to the base path) that shows an output file: [`output_path`] backwards
/// (`http-codes/504/index.html` → `http-codes/504/`, `index.html` → ``).
pub fn url_of_output(path: &str) -> &str {
    if path == "index.html" {
        ""
    } else {
        match path.strip_suffix("/index.html") {
            Some(dir) => &path[..dir.len() + 1],
            None => path,
        }
    }
}

/// The URLs of what the generator makes itself, relative to the base path: the landing,
/// search, guides and 404 pages, the site-wide files, the five class pages and each family's
/// list page. With [`page_url`] of every content page, every URL the route table will have:
/// what links are checked against before the model exists.
pub fn generated_urls<'a>(family_slugs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut urls: Vec<String> = ["", SEARCH, GUIDES, NOT_FOUND]
        .into_iter()
        .chain(GENERATED)
        .map(str::to_string)
        .collect();
    urls.extend(
        crate::site::CLASSES
            .iter()
            .map(|(digit, _, _)| class_url(&format!("{digit}xx"))),
    );
    urls.extend(family_slugs.into_iter().map(family_url));
    urls
}

/// A content page's URL relative to the base path: a code's, an article's, a family entry's.
pub fn page_url(page: &Page) -> String {
    match page.kind {
        PageKind::Code(code) => code_url(code),
        PageKind::Article => article_url(&page.slug),
        PageKind::Entry => match page.entry.as_deref() {
            Some(e) => entry_url(&e.family, &e.key),
            None => article_url(&page.slug),
        },
    }
}

/// An asset's output path: `assets/` and its fingerprinted name (`assets/site.1a2b3c4d5e.css`),
/// so that a change renames the file and it can be cached forever.
pub fn asset_path(name: &str, bytes: &[u8]) -> String {
    format!(
        "{ASSETS_DIR}{}",
        crate::assets::fingerprinted_name(name, bytes)
    )
}

/// Characters left as they are in a URL path segment: RFC 3986's unreserved ones.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The URL of the asset at output path `path` (`assets/site.1a2b3c4d5e.css`) under
/// `base_path`, each segment percent-encoded: asset names are whatever the site's `assets/`
/// holds (`my file.css`, `a#b.svg`), and a raw `#`, `?` or space would break the URL.
pub fn asset_url(base_path: &str, path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
        .collect();
    format!("{base_path}{}", segments.join("/"))
}

/// The root-relative URL a content file would get from its path alone
/// (`content/codes/502.md` → `/http-codes/502/`): links to a file that failed to load are not
/// reported on top of its own error.
pub fn source_url(rel: &Path) -> String {
    let slug_path = rel.strip_prefix("content").unwrap_or(rel);
    if let Some(family) = crate::family::family_of(slug_path) {
        let key = slug_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        return format!("/{}", entry_url(family, key));
    }
    let slug_path = slug_path.with_extension("");
    let stem = slug_path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    match crate::content::three_digits(stem) {
        Some(code) => format!("/{}", code_url(code)),
        None => format!("/{}", article_url(&slug_path.display().to_string())),
    }
}

/// The route table: every page, with the files that go beside them, and the site-wide files.
#[derive(Debug, Clone, PartialEq)]
pub struct Routes {
    /// `/` or `/ref/`: every URL in the table starts with it; output paths do not.
    pub base_path: String,
    /// Every page, in a fixed order (see [`plan`]): the order pages render and report errors
    /// in, and the order of llms.txt.
    pub pages: Vec<Route>,
    /// The `site` object every template sees (title, URLs, classes, counts): one value for all
    /// pages, so that a change to it is a change to every page.
    pub shared: Value,
    /// The site-wide files, in the order they are written.
    pub files: Vec<FileRoute>,
    /// The pages the sitemap lists, in its order (indices into [`Routes::pages`]).
    pub sitemap: Vec<usize>,
}

/// One page: its kind, template, output path and URL, `<title>`, description, the files
/// beside it, and its data.
///
/// Routes hold no page bodies: a code page or guide is referred to by its index in the
/// [`Site`], and its context is built only while it renders. List pages carry their list
/// context (summaries only, never bodies) ready-made, so that two tables can be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// What the page is.
    pub kind: RouteKind,
    /// Template name: `code.html`.
    pub template: &'static str,
    /// Output path relative to the output directory: `http-codes/504/index.html`.
    pub path: String,
    /// The page's URL (base path included).
    pub url: String,
    /// `<title>`, also used for Open Graph.
    pub title: String,
    /// Meta description.
    pub description: String,
    /// The Markdown twin's output path (`http-codes/504/index.html.md`): every content page has
    /// one, list pages none.
    pub twin: Option<String>,
    /// The JSON record's output path (`http-codes/504/index.json`): codes and family entries.
    pub record: Option<String>,
    /// What the page shows besides what every page sees.
    pub data: PageData,
}

/// The kinds of page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `/`.
    Landing,
    /// `/http-codes/`: search and every code by class.
    Search,
    /// `/guides/`.
    Guides,
    /// `/404.html`.
    NotFound,
    /// `/http-codes/5xx/`.
    Class,
    /// `/http-codes/504/`.
    Code,
    /// A guide or other article.
    Article,
    /// A family's list page: `/cloudflare-errors/`.
    Family,
    /// A family's entry: `/cloudflare-errors/1020/`.
    Entry,
}

/// A site-wide generated file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRoute {
    /// Which file.
    pub kind: FileKind,
    /// Output path relative to the output directory.
    pub path: String,
}

/// The site-wide generated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `codes.json`.
    CodesJson,
    /// `families.json`.
    FamiliesJson,
    /// `llms.txt`.
    LlmsTxt,
    /// `robots.txt`.
    Robots,
    /// `sitemap.xml`.
    Sitemap,
}

impl Routes {
    /// The URL of an output path of this site (`http-codes/504/index.html` →
    /// `/ref/http-codes/504/`), for what tabs show.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{}", self.base_path, url_of_output(path))
    }

    /// A URL of this site, made full: absolute when the site has an origin, else as it is.
    pub fn full_url(site: &Site, url: &str) -> String {
        match site.config.origin() {
            Some(origin) => format!("{origin}{url}"),
            None => url.to_string(),
        }
    }

    /// Every output path the table names: pages, their twins and records, site-wide files.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.pages
            .iter()
            .flat_map(|r| {
                std::iter::once(r.path.as_str())
                    .chain(r.twin.as_deref())
                    .chain(r.record.as_deref())
            })
            .chain(self.files.iter().map(|f| f.path.as_str()))
    }
}

/// Plans the site: its route table. Pages come in a fixed order: landing, search, guides, 404,
/// classes, codes, articles, family list pages, family entries.
pub fn plan(site: &Site) -> Routes {
    let mut pages = page_routes(site);
    for route in &mut pages {
        // Every content page has a twin (its body is in `Site::markdown`); codes and entries
        // also have a JSON record.
        let key = format!("/{}", url_of_output(&route.path));
        if site.markdown.contains_key(&key) {
            route.twin = Some(format!("{}{TWIN_SUFFIX}", route.path));
            if matches!(route.kind, RouteKind::Code | RouteKind::Entry) {
                route.record = Some(json_path(&route.path));
            }
        }
    }
    let mut files = vec![
        FileRoute {
            kind: FileKind::CodesJson,
            path: CODES_JSON.into(),
        },
        FileRoute {
            kind: FileKind::FamiliesJson,
            path: FAMILIES_JSON.into(),
        },
        FileRoute {
            kind: FileKind::LlmsTxt,
            path: LLMS_TXT.into(),
        },
        FileRoute {
            kind: FileKind::Robots,
            path: ROBOTS.into(),
        },
    ];
    if site.config.origin().is_some() {
        files.push(FileRoute {
            kind: FileKind::Sitemap,
            path: SITEMAP.into(),
        });
    }
    let sitemap = sitemap_order(site, &pages);
    Routes {
        base_path: site.base_path.clone(),
        shared: site_context(site),
        pages,
        files,
        sitemap,
    }
}

/// `http-codes/504/index.html` → `http-codes/504/index.json`.
fn json_path(page_path: &str) -> String {
    match page_path.strip_suffix("index.html") {
        Some(dir) => format!("{dir}{JSON_NAME}"),
        None => format!("{page_path}.json"),
    }
}

/// The sitemap's pages: landing, search, classes with codes, codes, each family's list then its
/// entries, the guides list, articles. Not the 404 page.
fn sitemap_order(site: &Site, pages: &[Route]) -> Vec<usize> {
    let of = |kind: RouteKind| {
        pages
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.kind == kind)
            .map(|(i, _)| i)
    };
    let mut order: Vec<usize> = Vec::with_capacity(pages.len());
    order.extend(of(RouteKind::Landing));
    order.extend(of(RouteKind::Search));
    let empty: Vec<&str> = site
        .classes
        .iter()
        .filter(|c| c.count == 0)
        .map(|c| c.url.as_str())
        .collect();
    order.extend(of(RouteKind::Class).filter(|&i| !empty.contains(&pages[i].url.as_str())));
    order.extend(of(RouteKind::Code));
    let entry_routes: BTreeMap<usize, usize> = pages
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.data {
            PageData::Entry(e) => Some((e, i)),
            _ => None,
        })
        .collect();
    for (family, list) in site.families.iter().zip(of(RouteKind::Family)) {
        order.push(list);
        order.extend(family.members.iter().filter_map(|e| entry_routes.get(e)));
    }
    order.extend(of(RouteKind::Guides));
    order.extend(of(RouteKind::Article));
    order
}

/// A route's own data.
#[derive(Debug, Clone, PartialEq)]
pub enum PageData {
    /// Landing, search, guides list, class pages, 404: the template's extra context.
    List(Value),
    /// The code page at this index of [`Site::codes`].
    Code(usize),
    /// The article at this index of [`Site::articles`].
    Article(usize),
    /// The family entry at this index of [`Site::entries`].
    Entry(usize),
}

/// Every page of the site, in [`plan`]'s order, without twins and records.
fn page_routes(site: &Site) -> Vec<Route> {
    let summaries: Vec<Value> = site.codes.iter().map(code_summary).collect();
    let guides: Vec<Value> = site.guides().map(guide_summary).collect();
    let name = &site.config.title;
    let suffixed = |title: &str| format!("{title} · {name}");
    let base = &site.base_path;
    let route = |kind, template, url: String, title, description, data| Route {
        kind,
        template,
        path: output_path(&url),
        url: format!("{base}{url}"),
        title,
        description,
        twin: None,
        record: None,
        data,
    };
    let mut routes: Vec<Route> = vec![
        route(
            RouteKind::Landing,
            "index.html",
            String::new(),
            format!("{name}: every HTTP status code, explained"),
            site.config.description.clone(),
            PageData::List(landing(site, &summaries, &guides)),
        ),
        route(
            RouteKind::Search,
            "search.html",
            SEARCH.into(),
            suffixed("All HTTP status codes"),
            format!(
                "Search and browse all {} HTTP status codes: official codes from the RFCs and vendor codes from {}.",
                site.codes.len(),
                vendor_examples(site)
            ),
            PageData::List(search_page(site, &summaries)),
        ),
        route(
            RouteKind::Guides,
            "guides.html",
            GUIDES.into(),
            suffixed("Guides"),
            "Long-form guides to HTTP status codes: how codes relate across layers and how to choose between look-alikes.".into(),
            PageData::List(json!({ "guides": guides })),
        ),
        route(
            RouteKind::NotFound,
            "404.html",
            NOT_FOUND.into(),
            suffixed("Page not found"),
            "This page does not exist.".into(),
            PageData::List(json!({})),
        ),
    ];
    for class in &site.classes {
        let codes: Vec<&Value> = class.members.iter().map(|&i| &summaries[i]).collect();
        routes.push(route(
            RouteKind::Class,
            "class.html",
            class_url(&class.class),
            suffixed(&format!(
                "{} {}: all {} codes",
                class.class, class.name, class.count
            )),
            format!(
                "{} All {} {} codes, official and vendor, with their meaning.",
                class.summary, class.count, class.class
            ),
            PageData::List(json!({ "class": class, "codes": codes })),
        ));
    }
    for (i, page) in site.codes.iter().enumerate() {
        routes.push(route(
            RouteKind::Code,
            "code.html",
            code_url(page.code),
            // A title that already carries a tagline (the seed's "… - HTTP Status Code
            // Explained") is used as written.
            if page.title.contains(" - ") {
                page.title.clone()
            } else {
                suffixed(&page.title)
            },
            page.description.clone(),
            PageData::Code(i),
        ));
    }
    for (i, article) in site.articles.iter().enumerate() {
        routes.push(route(
            RouteKind::Article,
            "guide.html",
            article_url(&article.slug),
            suffixed(&article.title),
            article.description.clone(),
            PageData::Article(i),
        ));
    }
    for family in &site.families {
        routes.push(route(
            RouteKind::Family,
            "family.html",
            family_url(&family.slug),
            suffixed(&format!("{}: all {} codes", family.name, family.count)),
            family.description.clone(),
            PageData::List(family_page(site, family)),
        ));
    }
    for (i, entry) in site.entries.iter().enumerate() {
        routes.push(route(
            RouteKind::Entry,
            "entry.html",
            entry_url(&entry.family, &entry.key),
            suffixed(&format!("{} ({})", entry.title, entry.entry_label)),
            entry.description.clone(),
            PageData::Entry(i),
        ));
    }
    routes
}

/// A family list page: its entries grouped by the HTTP status they arrive with (ascending;
/// entries without one last), each group in key order.
fn family_page(site: &Site, family: &crate::family::FamilyInfo) -> Value {
    let mut groups: BTreeMap<(bool, u16), Vec<Value>> = BTreeMap::new();
    for entry in family.members.iter().filter_map(|&i| site.entries.get(i)) {
        let status = entry.http_status;
        groups
            .entry((status.is_none(), status.unwrap_or_default()))
            .or_default()
            .push(json!({
                "key": entry.key,
                "name": entry.name,
                "url": entry.url,
                "http_status": entry.http_status,
                "description": entry.description,
            }));
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|((none, status), entries)| {
            let code = (!none)
                .then(|| site.codes.iter().find(|c| c.code == status))
                .flatten();
            let label = match (none, code) {
                (true, _) => "No HTTP response".to_string(),
                (false, Some(code)) => format!("HTTP {} {}", code.code, code.name),
                (false, None) => format!("HTTP {status}"),
            };
            json!({
                "http_status": (!none).then_some(status),
                "id": if none { "status-none".to_string() } else { format!("status-{status}") },
                "label": label,
                "url": code.map(|c| c.url.clone()),
                "class": if none { "family".to_string() } else { format!("{}xx", status / 100) },
                "entries": entries,
            })
        })
        .collect();
    json!({ "family": family, "groups": groups })
}

/// The `site` object every template sees (title, URLs, classes, counts): one value for all
/// pages, so that a change to it is a change to every page.
fn site_context(site: &Site) -> Value {
    let config = &site.config;
    json!({
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_path": site.base_path,
        "origin": config.origin(),
        "search_url": site.search_url(),
        "guides_url": format!("{}{GUIDES}", site.base_path),
        "classes": site.classes,
        "code_count": site.codes.len(),
        "guide_count": site.guides().count(),
        "families": site.families.iter().map(|f| json!({
            "slug": f.slug,
            "name": f.name,
            "description": f.description,
            "entry_label": f.entry_label,
            "url": f.url,
            "count": f.count,
        })).collect::<Vec<_>>(),
    })
}

/// What list pages (landing, guides) show of a guide: no body, table of contents or text.
fn guide_summary(article: &ArticlePage) -> Value {
    json!({
        "slug": article.slug,
        "heading": article.heading,
        "title": article.title,
        "description": article.description,
        "url": article.url,
        "is_guide": article.is_guide,
    })
}

fn code_summary(page: &CodePage) -> Value {
    json!({
        "code": page.code,
        "name": page.name,
        "url": page.url,
        "class": page.class,
        "badge": page.badge,
        "status": page.status,
        "vendor": page.vendor,
        "description": page.description,
        "summary": list_summary(page),
        "meanings": page.meanings.iter().map(|m| json!({
            "name": m.name, "badge": m.badge, "status": m.status, "vendor": m.vendor,
        })).collect::<Vec<_>>(),
    })
}

/// The description without a leading "504 Gateway Timeout:" that a list already shows.
pub(crate) fn list_summary(page: &CodePage) -> String {
    let text = page.description.trim();
    let code = page.code.to_string();
    let prefixes = [
        format!("{code} {}:", page.name),
        format!("{code} {},", page.name),
        format!("{code}:"),
        format!("{}:", page.name),
    ];
    for prefix in &prefixes {
        if let Some(rest) = text.strip_prefix(prefix.as_str()) {
            let rest = rest.trim_start();
            let mut chars = rest.chars();
            return match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => text.to_string(),
            };
        }
    }
    text.to_string()
}

fn landing(site: &Site, summaries: &[Value], guides: &[Value]) -> Value {
    let popular: Vec<&Value> = site
        .config
        .popular
        .iter()
        .filter_map(|code| site.codes.iter().position(|c| c.code == *code))
        .map(|i| &summaries[i])
        .collect();
    json!({ "popular": popular, "guides": guides })
}

fn search_page(site: &Site, summaries: &[Value]) -> Value {
    #[derive(Serialize)]
    struct Group<'a> {
        class: &'a crate::site::ClassInfo,
        codes: Vec<&'a Value>,
    }
    let groups: Vec<Group<'_>> = site
        .classes
        .iter()
        .filter(|c| c.count > 0)
        .map(|class| Group {
            class,
            codes: class.members.iter().map(|&i| &summaries[i]).collect(),
        })
        .collect();
    // Chips for vendors with several codes; the rest are a `vendor:` query away.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for code in &site.codes {
        for m in &code.meanings {
            if let Some(v) = &m.vendor {
                *counts.entry(v.as_str()).or_default() += 1;
            }
        }
    }
    let mut vendors: Vec<&str> = counts
        .into_iter()
        .filter(|(_, n)| *n >= 3)
        .map(|(v, _)| v)
        .collect();
    vendors.sort_by_key(|v| v.to_lowercase());
    json!({ "groups": groups, "vendors": vendors })
}

/// "Cloudflare, nginx, AWS Elastic Load Balancing and others" from the site's vendors.
fn vendor_examples(site: &Site) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for code in &site.codes {
        for m in &code.meanings {
            if let Some(v) = &m.vendor {
                *counts.entry(v.as_str()).or_default() += 1;
            }
        }
    }
    let mut vendors: Vec<(&str, usize)> = counts.into_iter().collect();
    vendors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<&str> = vendors.iter().take(4).map(|v| v.0).collect();
    match top.len() {
        0 => "vendors".into(),
        _ => format!("{} and others", top.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_segments_are_the_generators_own_directories() {
        let own: Vec<String> = [SEARCH, GUIDES, ASSETS_DIR]
            .iter()
            .map(|dir| dir.trim_end_matches('/').to_string())
            .collect();
        assert_eq!(own, RESERVED_SEGMENTS);
    }
    use crate::config::Config;

    #[test]
    fn output_paths_and_urls_are_inverse() {
        for (url, path) in [
            ("", "index.html"),
            ("http-codes/", "http-codes/index.html"),
            ("http-codes/504/", "http-codes/504/index.html"),
            ("404.html", "404.html"),
            ("codes.json", "codes.json"),
            ("assets/index.0a1b2c3d4e.bin", "assets/index.0a1b2c3d4e.bin"),
        ] {
            assert_eq!(output_path(url), path, "{url}");
            assert_eq!(url_of_output(path), url, "{path}");
        }
        assert_eq!(entry_url("iis-codes", "500.19"), "iis-codes/500.19/");
        assert_eq!(family_url("iis-codes"), "iis-codes/");
        assert_eq!(class_url("5xx"), "http-codes/5xx/");
    }

    #[test]
    fn asset_urls_are_percent_encoded_per_segment() {
        assert_eq!(
            asset_url("/ref/", "assets/site.1a2b3c4d5e.css"),
            "/ref/assets/site.1a2b3c4d5e.css"
        );
        assert_eq!(
            asset_url("/", "assets/icons/a b#c?d%.x~y.svg"),
            "/assets/icons/a%20b%23c%3Fd%25.x~y.svg"
        );
    }

    #[test]
    fn a_file_that_failed_to_load_has_the_url_its_path_gives() {
        for (path, url) in [
            ("content/codes/502.md", "/http-codes/502/"),
            ("content/guides/timeouts.md", "/guides/timeouts/"),
            (
                "content/cloudflare-errors/1020.md",
                "/cloudflare-errors/1020/",
            ),
        ] {
            assert_eq!(source_url(Path::new(path)), url);
        }
    }

    fn pages() -> Vec<(Page, crate::markdown::Rendered)> {
        let page = |path: &str, text: &str| {
            let rel = Path::new(path);
            let slug = rel.strip_prefix("content").unwrap();
            let (page, _) = crate::content::parse(rel, slug, text).expect("parses");
            let rendered = crate::markdown::render(page.body(), &Config::default().base_path());
            (page, rendered)
        };
        vec![
            page(
                "content/codes/504.md",
                "---\ntitle: \"504 Gateway Timeout\"\n---\n## Meaning\n\nSlow.\n",
            ),
            page(
                "content/guides/x.md",
                "---\ntitle: \"X\"\ndescription: \"About x.\"\n---\n# X\n\nBody.\n",
            ),
        ]
    }

    fn site(base_url: &str) -> Site {
        let pages = pages();
        let config = Config {
            base_url: base_url.into(),
            ..Config::default()
        };
        Site::assemble(config, &[], pages, &[])
            .expect("assembles")
            .0
    }

    #[test]
    fn every_page_has_one_route_and_content_pages_their_files() {
        let model = site("https://example.org/ref/");
        let routes = plan(&model);
        let paths: Vec<&str> = routes.paths().collect();
        let unique: std::collections::BTreeSet<&str> = paths.iter().copied().collect();
        assert_eq!(paths.len(), unique.len(), "{paths:?}");
        for route in &routes.pages {
            // The URL is the base path and the output path's URL.
            assert_eq!(route.url, routes.url_of(&route.path), "{route:?}");
            let content = matches!(
                route.data,
                PageData::Code(_) | PageData::Article(_) | PageData::Entry(_)
            );
            assert_eq!(route.twin.is_some(), content, "{}", route.url);
            assert_eq!(
                route.record.is_some(),
                matches!(route.data, PageData::Code(_)),
                "{}",
                route.url
            );
        }
        let code = routes.pages.iter().find(|r| r.kind == RouteKind::Code);
        let code = code.expect("a code route");
        assert_eq!(code.url, "/ref/http-codes/504/");
        assert_eq!(code.twin.as_deref(), Some("http-codes/504/index.html.md"));
        assert_eq!(code.record.as_deref(), Some("http-codes/504/index.json"));
        // The model's URLs are the table's.
        assert_eq!(model.codes[0].url, code.url);
        // The sitemap: every page but the 404 and the classes without codes.
        let listed: Vec<&str> = routes
            .sitemap
            .iter()
            .map(|&i| routes.pages[i].url.as_str())
            .collect();
        assert_eq!(
            listed,
            [
                "/ref/",
                "/ref/http-codes/",
                "/ref/http-codes/5xx/",
                "/ref/http-codes/504/",
                "/ref/guides/",
                "/ref/guides/x/"
            ]
        );
        assert!(routes.files.iter().any(|f| f.kind == FileKind::Sitemap));
        // Without an origin, no sitemap.
        let routes = plan(&site("/"));
        assert!(routes.files.iter().all(|f| f.kind != FileKind::Sitemap));
    }

    /// Links are checked against [`generated_urls`] and [`page_url`] before the model exists:
    /// those are exactly the pages and site-wide files of the route table.
    #[test]
    fn link_targets_are_the_route_tables_outputs() {
        let routes = plan(&site("https://example.org/ref/"));
        let mut targets: std::collections::BTreeSet<String> =
            generated_urls(std::iter::empty()).into_iter().collect();
        targets.extend(pages().iter().map(|(page, _)| page_url(page)));
        let mut table: std::collections::BTreeSet<String> = routes
            .pages
            .iter()
            .map(|r| url_of_output(&r.path).to_string())
            .collect();
        table.extend(routes.files.iter().map(|f| f.path.clone()));
        assert_eq!(targets, table);
    }
}
