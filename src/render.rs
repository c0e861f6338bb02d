//! Pages through Tera: the renderer reads the [`Site`] and produces HTML files, nothing else.
//!
//! Templates are parsed once into one [`Tera`] environment (built-in defaults overridden by the
//! site root's `templates/`). The site's pages are [`jobs`]; they render in parallel, each
//! context built only while its page renders, and each page goes to a sink as soon as it is
//! rendered ([`Renderer::render_jobs`]): `build` writes it out, `check` and the dev server keep
//! it. Each template sees a small `site` object shared by all pages plus its own page data,
//! never the whole model; list pages see summaries, never bodies.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use tera::{Context, Tera};

use crate::assets::ThemeFile;
use crate::content::HeadTag;
use crate::diagnostic::Diagnostic;
use crate::site::{ArticlePage, CodePage, Site};

/// An output file: path relative to the output directory, and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// Templates every theme must provide (built-in ones exist for all).
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "index.html",
    "search.html",
    "code.html",
    "class.html",
    "guide.html",
    "guides.html",
    "404.html",
    "family.html",
    "entry.html",
];

/// The parsed templates.
pub struct Renderer {
    tera: Tera,
    origins: BTreeMap<String, String>,
}

impl Renderer {
    /// Parses all templates; every template error is reported with its file.
    pub fn new(templates: BTreeMap<String, ThemeFile>) -> Result<Renderer, Vec<Diagnostic>> {
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        let mut origins = BTreeMap::new();
        for (name, file) in templates {
            match String::from_utf8(file.bytes) {
                Ok(text) => {
                    origins.insert(name.clone(), file.origin);
                    sources.push((name, text));
                }
                Err(_) => errors.push(
                    Diagnostic::error(file.origin, "template is not valid UTF-8")
                        .help("save it as UTF-8"),
                ),
            }
        }
        // Parse one by one first, so that every broken template is named, not only the first.
        for (name, text) in &sources {
            if let Err(e) = tera::Template::new(name, None, text) {
                errors.push(template_diagnostic(&origins, name, &e, Some(text)));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default also escapes `/`, which mangles every URL; these five are enough.
        tera.set_escape_fn(escape_html);
        if let Err(e) = tera.add_raw_templates(sources) {
            return Err(vec![template_diagnostic(&origins, "", &e, None)]);
        }
        for required in REQUIRED_TEMPLATES {
            if !origins.contains_key(*required) {
                errors.push(
                    Diagnostic::error(
                        format!("templates/{required}"),
                        "required template is missing",
                    )
                    .help(format!(
                        "add templates/{required}, starting from the built-in one (templates/{required} in statusref's repository)"
                    )),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Renderer { tera, origins })
    }

    /// Renders every page of the site into memory, in [`jobs`] order. `asset_urls` maps
    /// logical asset names to their URLs.
    pub fn render_site(
        &self,
        site: &Site,
        asset_urls: &BTreeMap<String, String>,
    ) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
        let jobs = jobs(site);
        let selected: Vec<&Job> = jobs.iter().collect();
        let rendered: std::sync::Mutex<Vec<(usize, OutputFile)>> =
            std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
        let result = self.render_jobs(site, asset_urls, &selected, |i, job, html| {
            rendered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, (job.path.clone(), html)));
            Ok::<(), std::convert::Infallible>(())
        });
        match result {
            Ok(()) => {}
            Err(RenderError::Templates(errors)) => return Err(errors),
            Err(RenderError::Sink(never)) => match never {},
        }
        let mut rendered = rendered.into_inner().unwrap_or_else(|e| e.into_inner());
        rendered.sort_by_key(|(i, _)| *i);
        Ok(rendered.into_iter().map(|(_, file)| file).collect())
    }

    /// Renders `selected` jobs in parallel and hands each page to `sink` as soon as it is
    /// rendered (with the job's position in `selected`), so that a caller can write pages out
    /// instead of holding them all. Nothing is kept here: each page's context is built, used
    /// and dropped in its own task.
    ///
    /// Every job is rendered even after a failure, so that a broken template is reported once
    /// with the number of pages it failed (as [`RenderError::Templates`]); `sink` is not called
    /// any more once something failed. The first error of `sink` is returned as
    /// [`RenderError::Sink`].
    pub fn render_jobs<E: Send>(
        &self,
        site: &Site,
        asset_urls: &BTreeMap<String, String>,
        selected: &[&Job],
        sink: impl Fn(usize, &Job, Vec<u8>) -> Result<(), E> + Sync,
    ) -> Result<(), RenderError<E>> {
        let shared = shared_context(site, asset_urls);
        let failed = AtomicBool::new(false);
        let failures: Vec<(usize, Failure<E>)> = selected
            .par_iter()
            .enumerate()
            .filter_map(|(i, job)| {
                let context = job_context(site, &shared, job);
                match self.tera.render(job.template, &context) {
                    Ok(html) => {
                        if failed.load(Ordering::Relaxed) {
                            return None;
                        }
                        sink(i, job, html.into_bytes()).err().map(|e| {
                            failed.store(true, Ordering::Relaxed);
                            (i, Failure::Sink(e))
                        })
                    }
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        let mut d = template_diagnostic(&self.origins, job.template, &e, None);
                        d.message = format!("{} (while rendering {})", d.message, job.url);
                        Some((i, Failure::Template(job.template, d)))
                    }
                }
            })
            .collect();
        if failures.is_empty() {
            return Ok(());
        }
        // A broken template fails every page that uses it: report it once (the first page in
        // job order), with a count.
        let mut template_failures: BTreeMap<&str, (usize, Diagnostic, usize)> = BTreeMap::new();
        let mut sink_error: Option<(usize, E)> = None;
        for (i, failure) in failures {
            match failure {
                Failure::Template(template, d) => {
                    let entry = template_failures
                        .entry(template)
                        .or_insert((i, d.clone(), 0));
                    entry.2 += 1;
                    if i < entry.0 {
                        entry.0 = i;
                        entry.1 = d;
                    }
                }
                Failure::Sink(e) => {
                    if sink_error.as_ref().is_none_or(|(first, _)| i < *first) {
                        sink_error = Some((i, e));
                    }
                }
            }
        }
        if template_failures.is_empty() {
            if let Some((_, e)) = sink_error {
                return Err(RenderError::Sink(e));
            }
        }
        Err(RenderError::Templates(
            template_failures
                .into_values()
                .map(|(_, mut d, pages)| {
                    if pages > 1 {
                        d.message = format!(
                            "{} and {} more page(s)",
                            d.message.trim_end_matches(')'),
                            pages - 1
                        ) + ")";
                    }
                    d
                })
                .collect(),
        ))
    }
}

/// Why [`Renderer::render_jobs`] failed.
#[derive(Debug)]
pub enum RenderError<E> {
    /// Template errors: one per broken template, with the number of pages it failed.
    Templates(Vec<Diagnostic>),
    /// The sink refused a page (e.g. writing it failed).
    Sink(E),
}

enum Failure<E> {
    Template(&'static str, Diagnostic),
    Sink(E),
}

/// One page to render: its template, output path, URL, `<title>`, description, and data.
///
/// Jobs hold no page bodies: a code page or guide is referred to by its index in the
/// [`Site`], and its context is built only while it renders. List pages carry their list
/// context (summaries only, never bodies) ready-made, so that two jobs can be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
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
    /// What the page shows besides what every page sees.
    pub data: PageData,
}

/// A job's own data.
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

impl Job {
    /// Whether this job, in `site`, renders the same bytes as `old` did in `old_site`,
    /// given the same templates and the same [`site_context`] and asset URLs (the caller
    /// checks those).
    pub fn same_output(&self, site: &Site, old: &Job, old_site: &Site) -> bool {
        if self.template != old.template
            || self.path != old.path
            || self.url != old.url
            || self.title != old.title
            || self.description != old.description
        {
            return false;
        }
        match (&self.data, &old.data) {
            (PageData::List(a), PageData::List(b)) => a == b,
            (PageData::Code(i), PageData::Code(j)) => {
                matches!((site.codes.get(*i), old_site.codes.get(*j)), (Some(a), Some(b)) if a == b)
            }
            (PageData::Article(i), PageData::Article(j)) => {
                matches!((site.articles.get(*i), old_site.articles.get(*j)), (Some(a), Some(b)) if a == b)
            }
            (PageData::Entry(i), PageData::Entry(j)) => {
                matches!((site.entries.get(*i), old_site.entries.get(*j)), (Some(a), Some(b)) if a == b)
            }
            _ => false,
        }
    }
}

/// Every page of the site, in a fixed order: landing, search, guides, 404, classes, codes,
/// articles, family list pages, family entries.
pub fn jobs(site: &Site) -> Vec<Job> {
    let summaries: Vec<Value> = site.codes.iter().map(code_summary).collect();
    let guides: Vec<Value> = site.guides().map(guide_summary).collect();
    let name = &site.config.title;
    let suffixed = |title: &str| format!("{title} · {name}");
    let mut jobs: Vec<Job> = vec![
        Job {
            template: "index.html",
            path: "index.html".into(),
            url: site.base_path.clone(),
            title: format!("{name}: every HTTP status code, explained"),
            description: site.config.description.clone(),
            data: PageData::List(landing(site, &summaries, &guides)),
        },
        Job {
            template: "search.html",
            path: "http-codes/index.html".into(),
            url: site.search_url(),
            title: suffixed("All HTTP status codes"),
            description: format!(
                "Search and browse all {} HTTP status codes: official codes from the RFCs and vendor codes from {}.",
                site.codes.len(),
                vendor_examples(site)
            ),
            data: PageData::List(search_page(site, &summaries)),
        },
        Job {
            template: "guides.html",
            path: "guides/index.html".into(),
            url: format!("{}guides/", site.base_path),
            title: suffixed("Guides"),
            description: "Long-form guides to HTTP status codes: how codes relate across layers and how to choose between look-alikes.".into(),
            data: PageData::List(json!({ "guides": guides })),
        },
        Job {
            template: "404.html",
            path: "404.html".into(),
            url: format!("{}404.html", site.base_path),
            title: suffixed("Page not found"),
            description: "This page does not exist.".into(),
            data: PageData::List(json!({})),
        },
    ];
    for class in &site.classes {
        let codes: Vec<&Value> = class.members.iter().map(|&i| &summaries[i]).collect();
        jobs.push(Job {
            template: "class.html",
            path: format!("http-codes/{}/index.html", class.class),
            url: class.url.clone(),
            title: suffixed(&format!(
                "{} {}: all {} codes",
                class.class, class.name, class.count
            )),
            description: format!(
                "{} All {} {} codes, official and vendor, with their meaning.",
                class.summary, class.count, class.class
            ),
            data: PageData::List(json!({ "class": class, "codes": codes })),
        });
    }
    for (i, page) in site.codes.iter().enumerate() {
        jobs.push(Job {
            template: "code.html",
            path: format!("http-codes/{}/index.html", page.code),
            url: page.url.clone(),
            // A title that already carries a tagline (the seed's "… - HTTP Status Code
            // Explained") is used as written.
            title: if page.title.contains(" - ") {
                page.title.clone()
            } else {
                suffixed(&page.title)
            },
            description: page.description.clone(),
            data: PageData::Code(i),
        });
    }
    for (i, article) in site.articles.iter().enumerate() {
        jobs.push(Job {
            template: "guide.html",
            path: format!("{}/index.html", article.slug),
            url: article.url.clone(),
            title: suffixed(&article.title),
            description: article.description.clone(),
            data: PageData::Article(i),
        });
    }
    let path_of = |url: &str| {
        let rel = url.strip_prefix(site.base_path.as_str()).unwrap_or(url);
        format!("{rel}index.html")
    };
    for family in &site.families {
        jobs.push(Job {
            template: "family.html",
            path: path_of(&family.url),
            url: family.url.clone(),
            title: suffixed(&format!("{}: all {} codes", family.name, family.count)),
            description: family.description.clone(),
            data: PageData::List(family_page(site, family)),
        });
    }
    for (i, entry) in site.entries.iter().enumerate() {
        jobs.push(Job {
            template: "entry.html",
            path: path_of(&entry.url),
            url: entry.url.clone(),
            title: suffixed(&format!("{} ({})", entry.title, entry.entry_label)),
            description: entry.description.clone(),
            data: PageData::Entry(i),
        });
    }
    jobs
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

/// A job's whole context: what every page sees, then its own data.
fn job_context(site: &Site, shared: &Context, job: &Job) -> Context {
    let mut context = shared.clone();
    match &job.data {
        PageData::List(Value::Object(map)) => {
            for (k, v) in map {
                context.insert(k, v);
            }
        }
        PageData::List(_) => {}
        PageData::Code(i) => {
            if let Some(page) = site.codes.get(*i) {
                context.insert("page", page);
                context.insert("lede", &list_summary(page));
                context.insert(
                    "head_tags",
                    &head_tags(&page.head, !page.keywords.is_empty()),
                );
                context.insert("edit_url", &edit_url(site, &page.source_path));
            }
        }
        PageData::Entry(i) => {
            if let Some(entry) = site.entries.get(*i) {
                context.insert("page", entry);
                context.insert("head_tags", &Vec::<Value>::new());
                context.insert("edit_url", &edit_url(site, &entry.source_path));
            }
        }
        PageData::Article(i) => {
            if let Some(article) = site.articles.get(*i) {
                context.insert("page", article);
                context.insert(
                    "head_tags",
                    &head_tags(&article.head, !article.keywords.is_empty()),
                );
                context.insert("edit_url", &edit_url(site, &article.source_path));
            }
        }
    }
    context.insert("current_url", &job.url);
    context.insert("markdown_url", &crate::open_formats::twin_url(site, job));
    context.insert("title", &job.title);
    context.insert("description", &job.description);
    let canonical = site.config.origin().map(|o| format!("{o}{}", job.url));
    context.insert("canonical", &canonical);
    context
}

fn escape_html(text: &str) -> String {
    crate::markdown::escape(text)
}

/// The `site` object every template sees (title, URLs, classes, counts): one value for all
/// pages, so that a change to it is a change to every page.
pub fn site_context(site: &Site) -> Value {
    let config = &site.config;
    json!({
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_path": site.base_path,
        "origin": config.origin(),
        "search_url": site.search_url(),
        "guides_url": format!("{}guides/", site.base_path),
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

fn shared_context(site: &Site, asset_urls: &BTreeMap<String, String>) -> Context {
    let mut context = Context::new();
    context.insert("site", &site_context(site));
    context.insert("assets", asset_urls);
    context
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

/// Front-matter head tags minus those the generator writes itself (description, keywords when
/// the page has keywords, and the Open Graph / Twitter tags).
fn head_tags(tags: &[HeadTag], page_has_keywords: bool) -> Vec<Value> {
    tags.iter()
        .filter(|tag| {
            let key = tag
                .attrs
                .iter()
                .find(|(k, _)| k == "name" || k == "property")
                .map(|(_, v)| v.to_ascii_lowercase());
            match key.as_deref() {
                Some("description") => false,
                Some("keywords") => !page_has_keywords,
                Some(k) if k.starts_with("og:") || k.starts_with("twitter:") => false,
                _ => true,
            }
        })
        .map(|tag| json!({ "tag": tag.tag, "attrs": tag.attrs }))
        .collect()
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

fn edit_url(site: &Site, source_path: &str) -> Option<String> {
    site.config
        .edit_url
        .as_ref()
        .map(|base| format!("{}{}", base, source_path))
}

fn template_diagnostic(
    origins: &BTreeMap<String, String>,
    name: &str,
    e: &tera::Error,
    text: Option<&str>,
) -> Diagnostic {
    let mut chain = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let origin = origins
        .get(name)
        .cloned()
        .unwrap_or_else(|| format!("templates/{name}"));
    let detail = chain.join("\n");
    // Syntax errors come from Tera's parser as "--> line:col … = expected …".
    if let Some((line, col)) = parse_location(&detail) {
        let expected = detail
            .lines()
            .find_map(|l| l.trim().strip_prefix("= "))
            .unwrap_or("invalid syntax")
            .to_string();
        let mut d = Diagnostic::error(origin, format!("template syntax error: {expected}"));
        if let Some(text) = text {
            d = d.at(text, line, col);
        }
        return d.help(
            "fix the Tera syntax at the caret (https://keats.github.io/tera/docs/#templates)",
        );
    }
    let message = chain
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    let help = if message.contains("not found in context") {
        "check the variable's name against the template context documented in README.md (\"Templates\")"
    } else if message.contains("doesn't exist") || message.contains("isn't loaded") {
        "templates can extend or include the built-in ones (base.html, partials/…) or files in the site's templates/"
    } else {
        "fix the template (Tera: https://keats.github.io/tera/docs/#templates)"
    };
    Diagnostic::error(origin, format!("template error: {message}")).help(help)
}

fn parse_location(detail: &str) -> Option<(usize, usize)> {
    let after = detail.split("--> ").nth(1)?;
    let mut parts = after
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}
