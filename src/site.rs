//! The site model every later stage reads: code pages in order, classes, guides, links.
//!
//! [`Site::assemble`] takes loaded pages and their rendered markdown, derives what is never
//! written by hand (class, status, vendor, URL, prev/next, related names) and checks the rules
//! that span pages: one page per code, `related` codes and internal links that resolve. All
//! problems are gathered; the model is immutable afterwards.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::config::Config;
use crate::content::{HeadTag, MeaningFront, Page, PageKind, Status, DESCRIPTION_MAX};
use crate::diagnostic::{line_col, Diagnostic};
use crate::family::{self, EntryPage, FamilyDef, FamilyInfo};
use crate::markdown::{summarize, Rendered, SharedText, TocEntry};
use crate::pipeline::plan;

/// The sections every code page has, in this order (the seed's form).
pub const CODE_SECTIONS: [&str; 5] = [
    "Meaning",
    "When to Use",
    "Example",
    "When Not to Use",
    "Source",
];

/// Broken links reported one by one per file; the rest are counted (a generated page with a
/// hundred thousand broken links gets a readable report, in linear time).
pub const MAX_LINK_ERRORS_PER_FILE: usize = 20;

/// Most related codes a page shows: a list, not a directory (10,000 of them made a 1.6 MB page).
pub const MAX_RELATED: usize = 20;

/// The five classes: digit, name, one-line explanation.
pub const CLASSES: [(u16, &str, &str); 5] = [
    (
        1,
        "Informational",
        "Interim responses: the request was received and the exchange goes on.",
    ),
    (
        2,
        "Success",
        "The request was received, understood and accepted.",
    ),
    (
        3,
        "Redirection",
        "The client must take another step, usually another request, to finish.",
    ),
    (
        4,
        "Client Error",
        "The request is wrong or cannot be served as sent; fix it before retrying.",
    ),
    (
        5,
        "Server Error",
        "The server, or a gateway in front of it, failed on a valid request.",
    ),
];

/// One meaning of a code as the templates, JSON and search see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meaning {
    /// Reason phrase without the number.
    pub name: String,
    /// Registry status.
    pub status: Status,
    /// Vendor of an unofficial meaning.
    pub vendor: Option<String>,
    /// Badge text: `Official`, `Cloudflare`, `Deprecated`…
    pub badge: String,
    /// Where it is defined.
    pub source: Option<String>,
    /// Link to the definition.
    pub spec_url: Option<String>,
    /// One sentence.
    pub summary: Option<String>,
    /// Former and alternate names.
    pub aliases: Vec<String>,
    /// Search keywords.
    pub keywords: Vec<String>,
}

/// A link to another code page (related, previous, next, an entry's HTTP status).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeRef {
    /// The code.
    pub code: u16,
    /// `5xx`.
    pub class: String,
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

/// Everything about one code page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodePage {
    /// The code.
    pub code: u16,
    /// `5xx`.
    pub class: String,
    /// Reason phrase of the first meaning: `Gateway Timeout`.
    pub name: String,
    /// Visible heading: the body's H1, else the title.
    pub heading: String,
    /// Front-matter title, used for `<title>`.
    pub title: String,
    /// Meta description and list text.
    pub description: String,
    /// Page URL (base path included).
    pub url: String,
    /// First meaning's status.
    pub status: Status,
    /// First meaning's vendor.
    pub vendor: Option<String>,
    /// First meaning's badge.
    pub badge: String,
    /// First meaning's source.
    pub source: Option<String>,
    /// First meaning's specification link.
    pub spec_url: Option<String>,
    /// All meanings, official first.
    pub meanings: Vec<Meaning>,
    /// Former names of all meanings.
    pub aliases: Vec<String>,
    /// Keywords of all meanings.
    pub keywords: Vec<String>,
    /// Related codes, in the order written.
    pub related: Vec<CodeRef>,
    /// The code before, in numeric order.
    pub prev: Option<CodeRef>,
    /// The code after.
    pub next: Option<CodeRef>,
    /// Body HTML.
    pub html: SharedText,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Extra `<head>` tags from front matter.
    pub head: Vec<HeadTag>,
    /// Whether the body already links back to the search page (the seed does).
    pub links_to_search: bool,
    /// Source file relative to the site root.
    pub source_path: String,
    /// Words of prose.
    pub word_count: usize,
    /// Its name in each framework (`content/framework-constants.yaml`; filled by
    /// [`crate::constants::attach`]): the "In your framework" table.
    pub frameworks: Vec<crate::constants::FrameworkName>,
    /// Those names for the search index, as written and bare.
    #[serde(skip)]
    pub framework_names: Vec<String>,
    /// Plain text, for the index.
    #[serde(skip)]
    pub plain_text: SharedText,
}

/// A guide or other page without a code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticlePage {
    /// `guides/timeouts`.
    pub slug: String,
    /// Visible heading.
    pub heading: String,
    /// `<title>`.
    pub title: String,
    /// Meta description.
    pub description: String,
    /// URL.
    pub url: String,
    /// Whether it lives under `guides/`.
    pub is_guide: bool,
    /// Related codes.
    pub related: Vec<CodeRef>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Body HTML.
    pub html: SharedText,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Extra `<head>` tags.
    pub head: Vec<HeadTag>,
    /// Source file relative to the site root.
    pub source_path: String,
    /// Words of prose.
    pub word_count: usize,
    /// Plain text, for the index.
    #[serde(skip)]
    pub plain_text: SharedText,
}

/// A class page's model (`/http-codes/4xx/`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassInfo {
    /// `4xx`.
    pub class: String,
    /// `Client Error`.
    pub name: String,
    /// One line.
    pub summary: String,
    /// URL.
    pub url: String,
    /// Indices into [`Site::codes`].
    #[serde(skip)]
    pub members: Vec<usize>,
    /// Number of codes.
    pub count: usize,
}

/// The whole site, checked.
#[derive(Debug, Clone)]
pub struct Site {
    /// Settings.
    pub config: Config,
    /// `/` or `/ref/`.
    pub base_path: String,
    /// Code pages, ascending.
    pub codes: Vec<CodePage>,
    /// Guides and other articles, guides first, by title.
    pub articles: Vec<ArticlePage>,
    /// The five classes, with members.
    pub classes: Vec<ClassInfo>,
    /// Vendors with at least one code, sorted.
    pub vendors: Vec<String>,
    /// Content families (Cloudflare errors, IIS sub-status codes…), by name.
    pub families: Vec<FamilyInfo>,
    /// Their entries: family by family, each in key order.
    pub entries: Vec<EntryPage>,
    /// Every content page's Markdown twin body, by its URL without the base path
    /// (`/http-codes/504/`): one map for every kind of page, read by [`crate::open_formats`].
    pub markdown: HashMap<String, SharedText>,
}

impl Site {
    /// URL of the search page (the seed's "Back to Search" target).
    pub fn search_url(&self) -> String {
        format!("{}{}", self.base_path, plan::SEARCH)
    }

    /// Guides only.
    pub fn guides(&self) -> impl Iterator<Item = &ArticlePage> {
        self.articles.iter().filter(|a| a.is_guide)
    }

    /// Builds the model from parsed pages and their rendered bodies (same order), checking
    /// cross-page rules. Returns the site and its warnings, or every error.
    ///
    /// `unparsed_urls` are the URLs of files that failed to load (already reported): links to
    /// them are not reported again.
    pub fn assemble(
        config: Config,
        families: &[FamilyDef],
        pages: Vec<(Page, Rendered)>,
        unparsed_urls: &[String],
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut pages = pages;
        // The bodies move into the model instead of being copied: the checks do not read them,
        // and at ten thousand pages two copies of every body are a few hundred megabytes.
        let mut bodies: Vec<Option<Bodies>> = pages
            .iter_mut()
            .map(|(_, r)| {
                Some(Bodies {
                    html: std::mem::take(&mut r.html),
                    toc: std::mem::take(&mut r.toc),
                    plain_text: std::mem::take(&mut r.plain_text),
                })
            })
            .collect();
        let refs: Vec<(&Page, &Rendered)> = pages.iter().map(|(p, r)| (p, r)).collect();
        Site::assemble_with(config, families, &refs, unparsed_urls, &mut |i, _| {
            bodies.get_mut(i).and_then(Option::take).unwrap_or_default()
        })
    }

    /// [`Site::assemble`] over borrowed pages, for callers that keep them (the dev server's
    /// cache): the model shares their bodies ([`SharedText`]) and copies the rest.
    pub fn assemble_refs(
        config: Config,
        families: &[FamilyDef],
        pages: &[(&Page, &Rendered)],
        unparsed_urls: &[String],
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        Site::assemble_with(config, families, pages, unparsed_urls, &mut |_, r| Bodies {
            html: r.html.clone(),
            toc: r.toc.clone(),
            plain_text: r.plain_text.clone(),
        })
    }

    /// The assembly itself, in named steps: one page per code, every URL the site will have,
    /// each page's links, related codes and sections, the families' rules, then the model.
    /// `bodies(i, rendered)` gives page `i`'s HTML, table of contents and plain text (at most
    /// once per page, after the checks).
    fn assemble_with(
        config: Config,
        families: &[FamilyDef],
        pages: &[(&Page, &Rendered)],
        unparsed_urls: &[String],
        bodies: &mut dyn FnMut(usize, &Rendered) -> Bodies,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let by_code = codes_by_number(pages, &mut errors);
        let known = Known::new(pages, families, unparsed_urls, &by_code, &mut errors);
        for &(page, rendered) in pages {
            errors.extend(broken_links(page, rendered, &known));
            warnings.extend(related_warnings(page));
            errors.extend(missing_related(page, &known));
            warnings.extend(missing_sections(page, rendered));
        }
        let entry_index = family::check(
            families,
            pages,
            &|code| known.has_code(code),
            &mut errors,
            &mut warnings,
        );
        if !errors.is_empty() {
            errors.extend(warnings);
            return Err(errors);
        }
        let site = model(
            config,
            families,
            pages,
            &by_code,
            &entry_index,
            known.markdown,
            bodies,
        );
        Ok((site, warnings))
    }
}

/// One page per code: each code's page by number, and an error for every second one.
fn codes_by_number(
    pages: &[(&Page, &Rendered)],
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<u16, usize> {
    // One page per code.
    let mut by_code: BTreeMap<u16, usize> = BTreeMap::new();
    for (i, &(page, _)) in pages.iter().enumerate() {
        if let Some(code) = page.code() {
            if let Some(&first) = by_code.get(&code) {
                let first_path = pages[first].0.path.display().to_string();
                errors.push(
                    Diagnostic::error(&page.path, format!("code {code} is already documented by {first_path}"))
                        .at_line(&page.text, 1)
                        .help("keep one page per code; list other meanings under `meanings:` in that page"),
                );
            } else {
                by_code.insert(code, i);
            }
        }
    }
    by_code
}

/// What the checks know of the site before its model exists: every URL it will have (the plan
/// stage's scheme), with the ids of content pages for anchor checks; the codes with a page,
/// and the URLs of files that failed to load.
struct Known<'a> {
    targets: HashMap<String, Option<&'a [String]>>,
    /// Every content page's Markdown twin body, by its URL without the base path.
    markdown: HashMap<String, SharedText>,
    unparsed: HashSet<&'a str>,
    by_code: &'a BTreeMap<u16, usize>,
}

impl<'a> Known<'a> {
    /// Gathers the URLs; pages whose URL is taken, reserved or unwritable are errors.
    fn new(
        pages: &[(&'a Page, &'a Rendered)],
        families: &[FamilyDef],
        unparsed_urls: &'a [String],
        by_code: &'a BTreeMap<u16, usize>,
        errors: &mut Vec<Diagnostic>,
    ) -> Known<'a> {
        // Every URL the site will have (the plan stage's scheme), with the ids of content pages
        // for anchor checks.
        let mut targets: HashMap<String, Option<&[String]>> = HashMap::new();
        let slugs = families.iter().map(|def| def.file.slug.as_str());
        for url in plan::generated_urls(slugs) {
            targets.insert(format!("/{url}"), None);
        }
        let unparsed: HashSet<&str> = unparsed_urls.iter().map(String::as_str).collect();
        for url in unparsed_urls {
            targets.insert(url.clone(), None);
        }
        let mut url_owner: HashMap<String, &Page> = HashMap::new();
        let mut markdown: HashMap<String, SharedText> = HashMap::new();
        for &(page, rendered) in pages {
            let url = format!("/{}", plan::page_url(page));
            if page.kind == PageKind::Article {
                if let Some(other) = url_owner.get(&url) {
                    errors.push(
                        Diagnostic::error(
                            &page.path,
                            format!("{url} is also the URL of {}", other.path.display()),
                        )
                        .help("rename one of the files"),
                    );
                } else if targets.contains_key(&url)
                    || url.starts_with(&format!("/{}", plan::SEARCH))
                    || url.starts_with(&format!("/{}", plan::ASSETS_DIR))
                {
                    errors.push(
                        Diagnostic::error(
                            &page.path,
                            format!("{url} is reserved for the generator's own pages"),
                        )
                        .help("move the file, e.g. under content/guides/"),
                    );
                }
            }
            url_owner.insert(url.clone(), page);
            markdown.insert(url.clone(), rendered.markdown.clone());
            targets.insert(url, Some(rendered.ids.as_slice()));
        }

        errors.extend(output_path_collisions(pages, &targets));

        Known {
            targets,
            markdown,
            unparsed,
            by_code,
        }
    }

    /// Whether `code` has a page (or a file that failed to load would have been it).
    fn has_code(&self, code: i64) -> bool {
        u16::try_from(code).is_ok_and(|c| {
            self.by_code.contains_key(&c)
                || self
                    .unparsed
                    .contains(format!("/{}", plan::code_url(c)).as_str())
        })
    }
}

/// Links in a page's body to no page of the site, or to no heading of one.
fn broken_links(page: &Page, rendered: &Rendered, known: &Known<'_>) -> Vec<Diagnostic> {
    let targets = &known.targets;
    let mut errors = Vec::new();
    let mut broken = 0usize;
    for link in &rendered.links {
        if let Some(problem) = check_link(&link.url, targets) {
            broken += 1;
            if broken > MAX_LINK_ERRORS_PER_FILE {
                continue;
            }
            let (line, col) = line_col(page.body(), link.offset);
            errors.push(
                Diagnostic::error(&page.path, problem.0)
                    .at(&page.text, page.body_line + line - 1, col)
                    .help(problem.1),
            );
        }
    }
    if broken > MAX_LINK_ERRORS_PER_FILE {
        errors.push(
            Diagnostic::error(
                &page.path,
                format!(
                    "{} more broken links in this file",
                    broken - MAX_LINK_ERRORS_PER_FILE
                ),
            )
            .help("fix the links reported above; the others are checked the same way"),
        );
    }
    errors
}

/// `related` codes without a page.
fn missing_related(page: &Page, known: &Known<'_>) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut checked = HashSet::new();
    let mut missing = 0usize;
    for &related in &page.front.related {
        if !checked.insert(related) || Some(related) == page.code().map(i64::from) {
            continue;
        }
        if !known.has_code(related) {
            missing += 1;
            if missing > MAX_LINK_ERRORS_PER_FILE {
                continue;
            }
            let mut d =
                Diagnostic::error(&page.path, format!("related code {related} has no page"));
            if let Some(line) = page.key_line("related") {
                d = d.at_line(&page.text, line);
            }
            errors.push(d.help(format!(
                "write content/codes/{related}.md, or remove {related} from `related`"
            )));
        }
    }
    if missing > MAX_LINK_ERRORS_PER_FILE {
        errors.push(
            Diagnostic::error(
                &page.path,
                format!(
                    "{} more related codes without a page",
                    missing - MAX_LINK_ERRORS_PER_FILE
                ),
            )
            .help("fix the codes reported above; the others are checked the same way"),
        );
    }
    errors
}

/// A code page without the seed's sections.
fn missing_sections(page: &Page, rendered: &Rendered) -> Option<Diagnostic> {
    let PageKind::Code(_) = page.kind else {
        return None;
    };
    let titles: Vec<&str> = rendered.sections.iter().map(|s| s.title.as_str()).collect();
    let missing: Vec<&str> = CODE_SECTIONS
        .iter()
        .copied()
        .filter(|s| !titles.contains(s))
        .collect();
    (!missing.is_empty()).then(|| {
        Diagnostic::warning(&page.path, format!("missing section(s): {}", missing.join(", ")))
            .help("code pages have `## Meaning`, `## When to Use`, `## Example`, `## When Not to Use`, `## Source`")
    })
}

/// The model, from pages that passed every check.
fn model(
    config: Config,
    families: &[FamilyDef],
    pages: &[(&Page, &Rendered)],
    by_code: &BTreeMap<u16, usize>,
    entry_index: &family::EntryIndex<'_>,
    markdown: HashMap<String, SharedText>,
    bodies: &mut dyn FnMut(usize, &Rendered) -> Bodies,
) -> Site {
    let base_path = config.base_path();
    let name_of = |code: u16| -> Option<String> {
        by_code
            .get(&code)
            .map(|&i| code_name(pages[i].0, pages[i].1))
    };
    let code_url = |code: u16| format!("{base_path}{}", plan::code_url(code));
    let code_ref = |code: u16| -> Option<CodeRef> {
        name_of(code).map(|name| CodeRef {
            code,
            class: format!("{}xx", code / 100),
            name,
            url: code_url(code),
        })
    };

    // Code pages, ascending; prev/next in one pass.
    let mut codes: Vec<CodePage> = by_code
        .values()
        .map(|&i| {
            let body = bodies(i, pages[i].1);
            code_page(pages[i].0, pages[i].1, body, &base_path, &code_ref)
        })
        .collect();
    for i in 0..codes.len() {
        let prev = i.checked_sub(1).map(|p| short_ref(&codes[p]));
        let next = codes.get(i + 1).map(short_ref);
        codes[i].prev = prev;
        codes[i].next = next;
    }
    let mut articles: Vec<ArticlePage> = pages
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.kind == PageKind::Article)
        .map(|(i, &(p, r))| {
            let body = bodies(i, r);
            article_page(p, r, body, &base_path, &code_ref)
        })
        .collect();
    articles.sort_by(|a, b| (!a.is_guide, &a.heading).cmp(&(!b.is_guide, &b.heading)));
    let (families, entries) = family::model(
        families,
        pages,
        entry_index,
        &base_path,
        &code_ref,
        &|i, plain_text| description(pages[i].0, pages[i].1, plain_text),
        &mut |i| {
            let body = bodies(i, pages[i].1);
            family::EntryBody {
                html: body.html,
                toc: body.toc,
                plain_text: body.plain_text,
            }
        },
    );

    let classes = CLASSES
        .iter()
        .map(|&(digit, name, summary)| {
            let members: Vec<usize> = codes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.code / 100 == digit)
                .map(|(i, _)| i)
                .collect();
            ClassInfo {
                class: format!("{digit}xx"),
                name: name.to_string(),
                summary: summary.to_string(),
                url: format!("{base_path}{}", plan::class_url(&format!("{digit}xx"))),
                count: members.len(),
                members,
            }
        })
        .collect();
    let vendors: BTreeSet<String> = codes
        .iter()
        .flat_map(|c| c.meanings.iter().filter_map(|m| m.vendor.clone()))
        .collect();
    Site {
        config,
        base_path,
        codes,
        articles,
        classes,
        vendors: vendors.into_iter().collect(),
        families,
        entries,
        markdown,
    }
}

/// Pages whose output file cannot be written: a page is written to `<slug>/index.html`, so no
/// part of that path may be a file the site also writes (`/codes.json/` under `codes.json`,
/// `guides/a/index.html/` under the page `guides/a/`, the build's own marker). Found here, at
/// planning, `check` reports what `build` would fail on, located at the content file.
///
/// `targets` holds every URL the site has (generated and content pages); a URL ending in `/`
/// is written as its `index.html`, any other as itself.
fn output_path_collisions(
    pages: &[(&Page, &Rendered)],
    targets: &HashMap<String, Option<&[String]>>,
) -> Vec<Diagnostic> {
    let owners: HashMap<&str, &Page> = pages
        .iter()
        .filter(|(p, _)| p.kind == PageKind::Article)
        .map(|&(p, _)| (p.slug.as_str(), p))
        .collect();
    let mut files: HashSet<String> = targets
        .keys()
        .map(|url| plan::output_path(url.trim_start_matches('/')))
        .collect();
    files.insert(crate::output::MARKER.to_string());
    let mut errors = Vec::new();
    for &(page, _) in pages {
        if page.kind != PageKind::Article {
            continue;
        }
        // `a/b/c` is written as `a/b/c/index.html`: the directories `a`, `a/b` and `a/b/c`
        // must not be files.
        let mut dir = String::new();
        for segment in page.slug.split('/') {
            if !dir.is_empty() {
                dir.push('/');
            }
            dir.push_str(segment);
            if !files.contains(&dir) {
                continue;
            }
            let owner = dir
                .strip_suffix("/index.html")
                .and_then(|slug| owners.get(slug));
            let (what, help) = match owner {
                Some(other) => (
                    format!("the page of {}", other.path.display()),
                    "rename one of the files: a page is written to <its path>/index.html",
                ),
                None => (
                    "a file the generator writes".to_string(),
                    "rename or move the file (its path under content/ gives its URL), e.g. under content/guides/",
                ),
            };
            errors.push(
                Diagnostic::error(
                    &page.path,
                    format!(
                        "this page would be written to {}/index.html, but {dir} is {what}",
                        page.slug
                    ),
                )
                .help(help),
            );
            break;
        }
    }
    errors
}

/// A page's body in the three forms the model keeps.
#[derive(Default)]
struct Bodies {
    html: SharedText,
    toc: Vec<TocEntry>,
    plain_text: SharedText,
}

/// Checks a root-relative link; returns (what is wrong, how to fix it).
fn check_link(url: &str, targets: &HashMap<String, Option<&[String]>>) -> Option<(String, String)> {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let candidates = [path.to_string(), format!("{path}/")];
    let Some(ids) = candidates.iter().find_map(|c| targets.get(c)) else {
        if path.starts_with(&format!("/{}", plan::ASSETS_DIR)) {
            return Some((
                format!("link to {url}: files under /{} are written with a content hash in their name (`site.<hash>.css`), so this URL does not exist in the built site", plan::ASSETS_DIR),
                "reference the file from a template with `assets['name']`, or link a page or an absolute URL".into(),
            ));
        }
        return Some((
            format!("link to {url}: no page has that URL"),
            "link to an existing page, e.g. /http-codes/504/ or /guides/timeouts/, or write the missing page".into(),
        ));
    };
    match (fragment, ids) {
        (Some(fragment), Some(ids))
            if !fragment.is_empty() && !ids.iter().any(|id| id == fragment) =>
        {
            Some((
                format!("link to {url}: the page has no heading with id `{fragment}`"),
                format!(
                    "use one of its headings' ids, e.g. #{}",
                    ids.first().map(String::as_str).unwrap_or("meaning")
                ),
            ))
        }
        _ => None,
    }
}

fn short_ref(page: &CodePage) -> CodeRef {
    CodeRef {
        code: page.code,
        class: page.class.clone(),
        name: page.name.clone(),
        url: page.url.clone(),
    }
}

/// The reason phrase: the heading without its number and any " - tagline".
fn code_name(page: &Page, rendered: &Rendered) -> String {
    if let Some(first) = page.front.meanings.first() {
        return first.name.trim().to_string();
    }
    let heading = rendered.h1.as_deref().unwrap_or(page.title());
    let heading = heading.split(" - ").next().unwrap_or(heading).trim();
    match heading.split_once(' ') {
        Some((number, rest)) if number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()) => {
            rest.trim().to_string()
        }
        _ => heading.to_string(),
    }
}

/// Status and vendor from a source line such as `Unofficial (Cloudflare)`.
fn classify_source(source: Option<&str>) -> (Status, Option<String>) {
    let Some(source) = source.map(str::trim) else {
        return (Status::Official, None);
    };
    if source.to_ascii_lowercase().starts_with("unofficial") {
        let vendor = source
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(v, _)| v.trim().to_string())
            .filter(|v| !v.is_empty());
        (Status::Unofficial, vendor)
    } else {
        (Status::Official, None)
    }
}

fn meaning(front: &MeaningFront) -> Meaning {
    let (derived_status, derived_vendor) = classify_source(front.source.as_deref());
    let vendor = front.vendor.clone().or(derived_vendor);
    let status = front.status.unwrap_or(if vendor.is_some() {
        Status::Unofficial
    } else {
        derived_status
    });
    Meaning {
        name: front.name.trim().to_string(),
        badge: status.badge(vendor.as_deref()),
        status,
        vendor,
        source: front.source.clone(),
        spec_url: front.spec_url.as_ref().map(|u| u.as_str().to_string()),
        summary: front.summary.clone(),
        aliases: front.aliases.clone(),
        keywords: front.keywords.0.clone(),
    }
}

fn description(page: &Page, rendered: &Rendered, plain_text: &str) -> String {
    if let Some(d) = page
        .front
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        return d.trim().to_string();
    }
    let meaning = rendered
        .sections
        .iter()
        .find(|s| s.title == "Meaning")
        .map(|s| s.text.as_str())
        .unwrap_or(plain_text);
    let first_paragraph = meaning.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    summarize(first_paragraph, DESCRIPTION_MAX)
}

fn code_page(
    page: &Page,
    rendered: &Rendered,
    body: Bodies,
    base_path: &str,
    code_ref: &dyn Fn(u16) -> Option<CodeRef>,
) -> CodePage {
    let code = page.code().unwrap_or_default();
    let name = code_name(page, rendered);
    let source = page.front.source.clone().or_else(|| {
        rendered
            .sections
            .iter()
            .find(|s| s.title == "Source")
            .and_then(|s| {
                s.text
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_string)
            })
    });
    let meanings: Vec<Meaning> = if page.front.meanings.is_empty() {
        vec![meaning(&MeaningFront {
            name: name.clone(),
            vendor: page.front.vendor.clone(),
            status: page.front.status,
            source: source.clone(),
            spec_url: page.front.spec_url.clone(),
            summary: page.front.description.clone(),
            aliases: page.front.aliases.clone(),
            keywords: page.front.keywords.clone(),
        })]
    } else {
        page.front.meanings.iter().map(meaning).collect()
    };
    let first = &meanings[0];
    let mut aliases: Vec<String> = page.front.aliases.clone();
    let mut keywords: Vec<String> = page.front.keywords.0.clone();
    for m in &meanings {
        for a in &m.aliases {
            if !aliases.contains(a) {
                aliases.push(a.clone());
            }
        }
        for k in &m.keywords {
            if !keywords.contains(k) {
                keywords.push(k.clone());
            }
        }
    }
    let search_path = format!("{base_path}{}", plan::SEARCH);
    CodePage {
        code,
        class: format!("{}xx", code / 100),
        heading: rendered
            .h1
            .clone()
            .unwrap_or_else(|| page.title().to_string()),
        title: page.title().to_string(),
        description: description(page, rendered, &body.plain_text),
        url: format!("{base_path}{}", plan::code_url(code)),
        status: first.status,
        vendor: first.vendor.clone(),
        badge: first.badge.clone(),
        source: first.source.clone().or(source),
        spec_url: first.spec_url.clone(),
        related: related_refs(page, code_ref),
        prev: None,
        next: None,
        html: body.html,
        toc: body.toc,
        head: page.front.head.clone(),
        links_to_search: rendered
            .links
            .iter()
            .any(|l| l.url == format!("/{}", plan::SEARCH) || l.url == search_path),
        source_path: page.path.display().to_string(),
        word_count: rendered.word_count,
        frameworks: Vec::new(),
        framework_names: Vec::new(),
        plain_text: body.plain_text,
        name,
        meanings,
        aliases,
        keywords,
    }
}

/// The related codes a page shows: in the order written, each once, not the page itself, at
/// most [`MAX_RELATED`].
fn related_refs(page: &Page, code_ref: &dyn Fn(u16) -> Option<CodeRef>) -> Vec<CodeRef> {
    let mut seen = HashSet::new();
    page.front
        .related
        .iter()
        .filter_map(|&c| u16::try_from(c).ok())
        .filter(|&c| Some(c) != page.code() && seen.insert(c))
        .filter_map(code_ref)
        .take(MAX_RELATED)
        .collect()
}

/// Warnings about `related`: the page itself, codes listed twice, more than [`MAX_RELATED`].
/// None of them changes what is built beyond [`related_refs`] leaving them out.
fn related_warnings(page: &Page) -> Vec<Diagnostic> {
    let related = &page.front.related;
    let locate = |d: Diagnostic| match page.key_line("related") {
        Some(line) => d.at_line(&page.text, line),
        None => d,
    };
    let mut warnings = Vec::new();
    let itself = page.code().filter(|&c| related.contains(&i64::from(c)));
    if let Some(code) = itself {
        warnings.push(locate(
            Diagnostic::warning(
                &page.path,
                format!("`related` lists the page itself ({code})"),
            )
            .help(format!("remove {code} from `related`; it is left out")),
        ));
    }
    let mut seen = HashSet::new();
    let twice: BTreeSet<i64> = related
        .iter()
        .copied()
        .filter(|c| !seen.insert(*c))
        .collect();
    if !twice.is_empty() {
        let list: Vec<String> = twice.iter().map(i64::to_string).collect();
        warnings.push(locate(
            Diagnostic::warning(
                &page.path,
                format!("`related` lists {} more than once", list.join(", ")),
            )
            .help("list each code once; the repeats are left out"),
        ));
    }
    let shown = seen.len() - usize::from(itself.is_some());
    if shown > MAX_RELATED {
        warnings.push(locate(
            Diagnostic::warning(
                &page.path,
                format!("`related` lists {shown} codes; only the first {MAX_RELATED} are shown"),
            )
            .help(format!(
                "keep the {MAX_RELATED} closest; link the others from the text if they matter"
            )),
        ));
    }
    warnings
}

fn article_page(
    page: &Page,
    rendered: &Rendered,
    body: Bodies,
    base_path: &str,
    code_ref: &dyn Fn(u16) -> Option<CodeRef>,
) -> ArticlePage {
    ArticlePage {
        slug: page.slug.clone(),
        heading: rendered
            .h1
            .clone()
            .unwrap_or_else(|| page.title().to_string()),
        title: page.title().to_string(),
        description: description(page, rendered, &body.plain_text),
        url: format!("{base_path}{}", plan::article_url(&page.slug)),
        is_guide: page.slug.starts_with("guides/"),
        related: related_refs(page, code_ref),
        keywords: page.front.keywords.0.clone(),
        html: body.html,
        toc: body.toc,
        head: page.front.head.clone(),
        source_path: page.path.display().to_string(),
        word_count: rendered.word_count,
        plain_text: body.plain_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content;
    use std::path::Path;

    fn page(path: &str, text: &str) -> (Page, Rendered) {
        let rel = Path::new(path);
        let slug = rel.strip_prefix("content").unwrap();
        let (page, _) = content::parse(rel, slug, text).expect("parses");
        let rendered = crate::markdown::render(page.body(), "/");
        (page, rendered)
    }

    #[test]
    fn derives_status_vendor_and_prev_next() {
        let pages = vec![
            page("content/codes/524.md", "---\ntitle: \"524 A Timeout Occurred - X\"\n---\n# 524 A Timeout Occurred\n\n## Source\n\nUnofficial (Cloudflare)\n"),
            page("content/codes/504.md", "---\ntitle: \"504 Gateway Timeout\"\nsource: RFC 9110 §15.6.5\nrelated: [524]\n---\nText.\n"),
        ];
        let (site, _) = Site::assemble(Config::default(), &[], pages, &[]).unwrap();
        let codes: Vec<u16> = site.codes.iter().map(|c| c.code).collect();
        assert_eq!(codes, [504, 524]);
        let c524 = &site.codes[1];
        assert_eq!(c524.name, "A Timeout Occurred");
        assert_eq!(c524.status, Status::Unofficial);
        assert_eq!(c524.vendor.as_deref(), Some("Cloudflare"));
        assert_eq!(c524.prev.as_ref().unwrap().code, 504);
        assert_eq!(site.codes[0].related[0].name, "A Timeout Occurred");
        assert_eq!(site.codes[0].badge, "Official");
        assert_eq!(site.vendors, ["Cloudflare"]);
    }

    #[test]
    fn duplicate_codes_and_dangling_related_are_errors() {
        let pages = vec![
            page(
                "content/codes/504.md",
                "---\ntitle: \"504 Gateway Timeout\"\nrelated: [999]\n---\n",
            ),
            page("content/504.md", "---\ntitle: \"504 Again\"\n---\n"),
        ];
        let errors = Site::assemble(Config::default(), &[], pages, &[]).unwrap_err();
        let text: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert!(
            text.contains(&"code 504 is already documented by content/codes/504.md".to_string()),
            "{text:?}"
        );
        assert!(
            text.contains(&"related code 999 has no page".to_string()),
            "{text:?}"
        );
    }

    #[test]
    fn pages_over_generated_files_or_other_pages_are_errors() {
        let guide = "---\ntitle: \"G\"\n---\nText.\n";
        let pages = vec![
            page("content/codes.json.md", guide),
            page("content/guides/a.md", guide),
            page("content/guides/a/index.html/b.md", guide),
            page("content/guides/fine.md", guide),
        ];
        let errors = Site::assemble(Config::default(), &[], pages, &[]).unwrap_err();
        let found: Vec<(String, &str)> = errors
            .iter()
            .map(|e| (e.path.display().to_string(), e.message.as_str()))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "content/codes.json.md");
        assert!(found[0]
            .1
            .contains("codes.json is a file the generator writes"));
        assert_eq!(found[1].0, "content/guides/a/index.html/b.md");
        assert!(found[1].1.contains("the page of content/guides/a.md"));
    }

    #[test]
    fn broken_links_and_anchors_are_errors() {
        let pages = vec![
            page("content/codes/504.md", "---\ntitle: \"504 Gateway Timeout\"\n---\n## Meaning\n\nSee [x](/http-codes/502/) and [y](/http-codes/504/#nope) and [z](/http-codes/504/#meaning).\n"),
        ];
        let diagnostics = Site::assemble(Config::default(), &[], pages, &[]).unwrap_err();
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line(), Some(6));
        assert!(errors[1].message.contains("no heading with id `nope`"));
    }

    #[test]
    fn links_into_the_fingerprinted_assets_are_errors() {
        let pages = vec![page(
            "content/guides/g.md",
            "---\ntitle: \"G\"\n---\nSee ![a](/assets/site.css) and [b](/codes.json).\n",
        )];
        let diagnostics = Site::assemble(Config::default(), &[], pages, &[]).unwrap_err();
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].message.starts_with("link to /assets/site.css: "),
            "{}",
            errors[0].message
        );
        assert!(errors[0]
            .help
            .as_deref()
            .unwrap()
            .contains("assets['name']"));
        assert_eq!(errors[0].line(), Some(4));
    }
}
