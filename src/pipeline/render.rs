//! Pages through Tera: the renderer reads the [`Site`] and produces HTML files, nothing else.
//!
//! Templates are parsed once into one [`Tera`] environment (built-in defaults overridden by the
//! site root's `templates/`). The pages are the routes of the plan stage
//! ([`crate::pipeline::plan`]); they render in parallel, each context built only while its page
//! renders, and each page goes to a sink as soon as it is rendered ([`Renderer::render`]):
//! `build` writes it out, `check` and the dev server keep it. Each template sees a small `site`
//! object shared by all pages ([`Routes::shared`]) plus its own page data, never the whole
//! model; list pages see summaries, never bodies.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde_json::{json, Value};
use tera::{Context, Tera};

use crate::assets::ThemeFile;
use crate::content::HeadTag;
use crate::diagnostic::Diagnostic;
use crate::pipeline::plan::{list_summary, PageData, Route, Routes};
use crate::site::Site;

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
    /// Each template's source, for [`Renderer::templates_naming`].
    sources: BTreeMap<String, String>,
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
        let texts: BTreeMap<String, String> = sources.iter().cloned().collect();
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
        Ok(Renderer {
            tera,
            origins,
            sources: texts,
        })
    }

    /// The templates whose pages may show `name` (an asset's logical name, e.g. `index.bin`),
    /// so that the pipeline can render every other page before that asset exists: the
    /// templates whose source mentions it. `None` when one of them is also named by another
    /// template (a base or a partial, so any page may show it): then every page may.
    ///
    /// Only the text is read, so a template that computes the name at run time is not caught;
    /// the pipeline also holds back any page whose output holds the pending URL.
    pub fn templates_naming(&self, name: &str) -> Option<BTreeSet<&'static str>> {
        let naming: BTreeSet<&str> = self
            .sources
            .iter()
            .filter(|(_, text)| text.contains(name))
            .map(|(template, _)| template.as_str())
            .collect();
        let shared = naming.iter().any(|template| {
            self.sources
                .iter()
                .any(|(other, text)| other != template && text.contains(*template))
        });
        if shared {
            return None;
        }
        // Route templates are `&'static str`: answer in their terms.
        Some(
            crate::pipeline::render::REQUIRED_TEMPLATES
                .iter()
                .copied()
                .filter(|t| naming.contains(t))
                .collect(),
        )
    }

    /// Plans the site and renders every page into memory, in route order: the render stage
    /// alone, for tests and the fuzz targets (the pipeline streams pages to a sink instead).
    pub fn render_site(
        &self,
        site: &Site,
        asset_urls: &BTreeMap<String, String>,
    ) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
        let routes = crate::pipeline::plan::plan(site);
        let selected: Vec<&Route> = routes.pages.iter().collect();
        let rendered: std::sync::Mutex<Vec<(usize, OutputFile)>> =
            std::sync::Mutex::new(Vec::with_capacity(selected.len()));
        let result = self.render(site, &routes, asset_urls, &selected, |i, route, html| {
            rendered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, (route.path.clone(), html)));
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

    /// Renders `selected` routes of `routes` in parallel and hands each page to `sink` as soon
    /// as it is rendered (with the route's position in `selected`), so that a caller can write
    /// pages out instead of holding them all. Nothing is kept here: each page's context is
    /// built, used and dropped in its own task. `asset_urls` maps logical asset names to their
    /// URLs.
    ///
    /// Every route is rendered even after a failure, so that a broken template is reported once
    /// with the number of pages it failed (as [`RenderError::Templates`]); `sink` is not called
    /// any more once something failed. The first error of `sink` is returned as
    /// [`RenderError::Sink`].
    pub fn render<E: Send>(
        &self,
        site: &Site,
        routes: &Routes,
        asset_urls: &BTreeMap<String, String>,
        selected: &[&Route],
        sink: impl Fn(usize, &Route, Vec<u8>) -> Result<(), E> + Sync,
    ) -> Result<(), RenderError<E>> {
        let mut shared = Context::new();
        shared.insert("site", &routes.shared);
        shared.insert("assets", asset_urls);
        let failed = AtomicBool::new(false);
        let failures: Vec<(usize, Failure<E>)> = selected
            .par_iter()
            .enumerate()
            .filter_map(|(i, job)| {
                let context = page_context(site, routes, &shared, job);
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

/// Why [`Renderer::render`] failed.
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

/// A page's whole context: what every page sees, then its own data.
fn page_context(site: &Site, routes: &Routes, shared: &Context, job: &Route) -> Context {
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
    let twin_url = job
        .twin
        .as_ref()
        .map(|path| format!("{}{path}", routes.base_path));
    context.insert("markdown_url", &twin_url);
    context.insert("title", &job.title);
    context.insert("description", &job.description);
    let canonical = site.config.origin().map(|o| format!("{o}{}", job.url));
    context.insert("canonical", &canonical);
    context
}

fn escape_html(text: &str) -> String {
    crate::markdown::escape(text)
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
