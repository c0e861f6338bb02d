//! Open formats: the site as text for tools and language models, beside the HTML.
//!
//! - `/llms.txt` ([llmstxt.org](https://llmstxt.org)): the site's name, a one-paragraph summary,
//!   then every content page grouped in sections (codes by class, guides, …), each a link to
//!   its Markdown twin with the page's description.
//! - A Markdown twin beside every content page (`/http-codes/504/index.html.md` beside
//!   `/http-codes/504/index.html`): heading, description, the key facts from the front matter as
//!   a short list, then the author's Markdown body.
//! - One JSON record per code beside its page (`/http-codes/504/index.json`): its `codes.json`
//!   entry plus meanings, aliases, keywords, related codes and the twin's and record's URLs.
//!
//! Everything is derived from the route table ([`crate::pipeline::plan`], which names each
//! twin's and record's output path) and the site model's Markdown bodies ([`Site::markdown`], by
//! URL): every route of a content page (anything but a list page) has a twin, whatever kind of
//! page it is. Codes and guides have their own
//! facts; any other kind (a family's entries) joins with its heading, description and address,
//! in an llms.txt section named after its list page, until it gets an arm of its own (`doc`).
//! The bytes are a pure function of the site (deterministic), and `build`, `check` and `serve`
//! produce the same files.

use serde::Serialize;

use crate::pipeline::plan::{url_of_output, PageData, Route, Routes};
use crate::pipeline::render::OutputFile;
use crate::site::{ArticlePage, CodePage, CodeRef, Meaning, Site};

/// One page's open-format files, at the paths its route names: its twin, and for a code or a
/// family entry its JSON record. None for list pages.
pub fn page_files(site: &Site, job: &Route) -> Vec<OutputFile> {
    let (Some(twin_path), Some(doc)) = (&job.twin, doc(site, job)) else {
        return Vec::new();
    };
    let mut files = vec![(twin_path.clone(), twin(&doc).into_bytes())];
    match (job.data.clone(), &job.record) {
        (PageData::Code(i), Some(record)) => {
            if let Some(page) = site.codes.get(i) {
                files.push((record.clone(), code_json(site, job, page)));
            }
        }
        (PageData::Entry(i), Some(record)) => {
            if let Some(page) = site.entries.get(i) {
                files.push((record.clone(), entry_json(site, job, page)));
            }
        }
        _ => {}
    }
    files
}

/// A family entry's `index.json`: its `families.json` member, then its family, names, related
/// pages and the twin's and record's URLs.
#[derive(Serialize)]
struct EntryRecord<'a> {
    #[serde(flatten)]
    member: crate::output::FamilyMember<'a>,
    /// `cloudflare-errors`.
    family: &'a str,
    /// `Cloudflare errors`.
    family_name: &'a str,
    /// The visible heading.
    heading: &'a str,
    /// Other names.
    aliases: &'a [String],
    /// Search keywords.
    keywords: &'a [String],
    /// Related codes and entries.
    related: Vec<RelatedEntry<'a>>,
    /// The Markdown twin.
    markdown_url: String,
    /// This record.
    json_url: String,
}

#[derive(Serialize)]
struct RelatedEntry<'a> {
    code: &'a str,
    name: &'a str,
    url: String,
}

fn entry_json(site: &Site, job: &Route, page: &crate::family::EntryPage) -> Vec<u8> {
    let record = EntryRecord {
        member: crate::output::FamilyMember {
            key: &page.key,
            title: &page.title,
            http_status: page.http_status,
            url: full_url(site, &job.url),
            description: &page.description,
            source: page.source.as_deref(),
            spec_url: page.spec_url.as_deref(),
        },
        family: &page.family,
        family_name: &page.family_name,
        heading: &page.heading,
        aliases: &page.aliases,
        keywords: &page.keywords,
        related: page
            .related
            .iter()
            .map(|r| RelatedEntry {
                code: &r.code,
                name: &r.name,
                url: full_url(site, &r.url),
            })
            .collect(),
        markdown_url: full_twin_url(site, job),
        json_url: record_url(site, job),
    };
    crate::output::pretty_json(&record)
}

/// The page's Markdown twin, as a full URL (absolute when the site has an origin).
fn full_twin_url(site: &Site, job: &Route) -> String {
    let twin = job.twin.as_deref().unwrap_or_default();
    full_url(site, &format!("{}{twin}", site.base_path))
}

/// The page's JSON record, as a full URL.
fn record_url(site: &Site, job: &Route) -> String {
    let record = job.record.as_deref().unwrap_or_default();
    full_url(site, &format!("{}{record}", site.base_path))
}

/// The key of a page in [`Site::markdown`]: its URL without the base path (`/http-codes/504/`).
fn model_key(job: &Route) -> String {
    format!("/{}", url_of_output(&job.path))
}

/// An absolute URL when the site has a domain, else the root-relative path (base path
/// included, as every URL in the model is).
fn full_url(site: &Site, url: &str) -> String {
    Routes::full_url(site, url)
}

/// What a twin and an llms.txt entry show of one page.
struct Doc<'a> {
    /// The `# heading`.
    heading: &'a str,
    /// The llms.txt link text.
    link_text: String,
    /// One sentence.
    description: &'a str,
    /// The llms.txt entry's text: the description without what the link already says
    /// (`504 Gateway Timeout: …`).
    summary: String,
    /// The llms.txt section: `5xx Server Error`, `Guides`; `None`: the title of the list page
    /// one level up (`/cloudflare-errors/` for `/cloudflare-errors/1020/`).
    section: Option<String>,
    /// Key facts, each a Markdown list item's text (already escaped).
    facts: Vec<String>,
    /// The author's Markdown, links under the base path.
    body: &'a str,
}

/// The document of a content page; `None` for list pages (they have no Markdown source).
fn doc<'a>(site: &'a Site, job: &'a Route) -> Option<Doc<'a>> {
    let body = site.markdown.get(&model_key(job))?;
    Some(match job.data {
        PageData::Code(i) => code_doc(site, job, site.codes.get(i)?, body),
        PageData::Article(i) => article_doc(site, site.articles.get(i)?, body),
        PageData::Entry(i) => entry_doc(site, job, site.entries.get(i)?, body),
        // Any other kind of content page (a family's entry…): what the route table says of it.
        // A richer arm with its own facts can replace this one.
        _ => generic_doc(site, job, body),
    })
}

/// A family's entry (`/cloudflare-errors/1020/`): its key, family, HTTP status and source.
fn entry_doc<'a>(
    site: &'a Site,
    job: &Route,
    page: &'a crate::family::EntryPage,
    body: &'a str,
) -> Doc<'a> {
    let mut facts = vec![
        format!("{}: {}", escape(&page.entry_label), escape(&page.key)),
        format!(
            "Family: {}",
            link(&page.family_name, &full_url(site, &page.family_url))
        ),
    ];
    match (&page.http_status_ref, page.http_status) {
        (Some(r), _) => facts.push(format!(
            "HTTP status: {}",
            link(&format!("{} {}", r.code, r.name), &full_url(site, &r.url))
        )),
        (None, Some(code)) => facts.push(format!("HTTP status: {code}")),
        (None, None) => {}
    }
    match (page.source.as_deref(), page.spec_url.as_deref()) {
        (Some(source), Some(url)) => facts.push(format!("Source: {}", link(source, url))),
        (None, Some(url)) => facts.push(format!("Source: {}", link(url, url))),
        (Some(source), None) => facts.push(format!("Source: {}", escape(source))),
        (None, None) => {}
    }
    if !page.aliases.is_empty() {
        facts.push(format!("Also known as: {}", join_escaped(&page.aliases)));
    }
    if !page.related.is_empty() {
        let links: Vec<String> = page
            .related
            .iter()
            .map(|r| link(&format!("{} {}", r.code, r.name), &full_url(site, &r.url)))
            .collect();
        facts.push(format!("Related: {}", links.join(", ")));
    }
    facts.push(format!("Web page: {}", full_url(site, &page.url)));
    facts.push(format!("JSON: {}", record_url(site, job)));
    Doc {
        heading: &page.heading,
        link_text: page.heading.clone(),
        description: &page.description,
        summary: page.description.clone(),
        section: Some(page.family_name.clone()),
        facts,
        body,
    }
}

/// A content page known only by its route: heading and description from the job, its address.
fn generic_doc<'a>(site: &Site, job: &'a Route, body: &'a str) -> Doc<'a> {
    let heading = strip_site_suffix(site, &job.title);
    Doc {
        heading,
        link_text: heading.to_string(),
        description: &job.description,
        summary: job.description.clone(),
        section: None,
        facts: vec![format!("Web page: {}", full_url(site, &job.url))],
        body,
    }
}

/// `1020 Access Denied · statusref` → `1020 Access Denied` (titles of pages get the site's name).
fn strip_site_suffix<'a>(site: &Site, title: &'a str) -> &'a str {
    title
        .strip_suffix(&format!(" · {}", site.config.title))
        .unwrap_or(title)
}

fn code_doc<'a>(site: &'a Site, job: &Route, page: &'a CodePage, body: &'a str) -> Doc<'a> {
    let class = site.classes.iter().find(|c| c.class == page.class);
    let section = match class {
        Some(class) => format!("{} {}", class.class, class.name),
        None => page.class.clone(),
    };
    let mut facts = vec![format!("Code: {}", page.code)];
    match class {
        Some(class) => facts.push(format!(
            "Class: {}",
            link(&section, &full_url(site, &class.url))
        )),
        None => facts.push(format!("Class: {}", escape(&page.class))),
    }
    let first = &page.meanings[0];
    facts.push(format!("Status: {}", status(first)));
    if let Some(source) = source(first) {
        facts.push(format!("Source: {source}"));
    }
    if !page.aliases.is_empty() {
        facts.push(format!("Also known as: {}", join_escaped(&page.aliases)));
    }
    for m in &page.meanings[1..] {
        // `499 Token Required, unofficial (Esri ArcGIS), [docs](…): one sentence.`
        let mut fact = format!(
            "Also means: {} {}, {}",
            page.code,
            escape(&m.name),
            status(m)
        );
        if m.spec_url.is_some() {
            if let Some(source) = source(m) {
                fact.push_str(&format!(", {source}"));
            }
        }
        if let Some(summary) = m.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            fact.push_str(&format!(": {}", escape(&one_line(summary))));
        }
        facts.push(fact);
    }
    if !page.related.is_empty() {
        facts.push(format!("Related: {}", related(site, &page.related)));
    }
    facts.push(format!("Web page: {}", full_url(site, &page.url)));
    facts.push(format!("JSON: {}", record_url(site, job)));
    Doc {
        heading: &page.heading,
        link_text: format!("{} {}", page.code, page.name),
        description: &page.description,
        summary: crate::pipeline::plan::list_summary(page),
        section: Some(section),
        facts,
        body,
    }
}

fn article_doc<'a>(site: &'a Site, page: &'a ArticlePage, body: &'a str) -> Doc<'a> {
    let mut facts = Vec::new();
    if !page.related.is_empty() {
        facts.push(format!("Related: {}", related(site, &page.related)));
    }
    facts.push(format!("Web page: {}", full_url(site, &page.url)));
    Doc {
        heading: &page.heading,
        link_text: page.heading.clone(),
        description: &page.description,
        summary: page.description.clone(),
        section: Some(if page.is_guide { "Guides" } else { "Pages" }.to_string()),
        facts,
        body,
    }
}

/// `official`, `unofficial (Cloudflare)`, `deprecated`.
fn status(m: &Meaning) -> String {
    match &m.vendor {
        Some(vendor) => format!("{} ({})", m.status.as_str(), escape(vendor)),
        None => m.status.as_str().to_string(),
    }
}

/// The source as a link to its specification, or as text.
fn source(m: &Meaning) -> Option<String> {
    match (m.source.as_deref(), m.spec_url.as_deref()) {
        (Some(source), Some(url)) => Some(link(source, url)),
        (None, Some(url)) => Some(link(url, url)),
        (Some(source), None) => Some(escape(source)),
        (None, None) => None,
    }
}

fn related(site: &Site, refs: &[CodeRef]) -> String {
    refs.iter()
        .map(|r| link(&format!("{} {}", r.code, r.name), &full_url(site, &r.url)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_escaped(items: &[String]) -> String {
    items
        .iter()
        .map(|s| escape(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A page's twin: `# heading`, the description, its key facts, then the author's body.
fn twin(doc: &Doc<'_>) -> String {
    let mut out = format!("# {}\n\n", escape(&one_line(doc.heading)));
    let description = one_line(doc.description);
    if !description.is_empty() {
        out.push_str(&escape(&description));
        out.push_str("\n\n");
    }
    for fact in &doc.facts {
        out.push_str("- ");
        out.push_str(fact);
        out.push('\n');
    }
    let body = doc.body.trim();
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
    out
}

/// `/llms.txt`: the site's name, its description, how to get each page as Markdown or JSON,
/// then one section per group of pages, in route order, each entry a link to a twin.
pub fn llms_txt(site: &Site, routes: &Routes) -> Vec<u8> {
    let jobs = &routes.pages;
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    // List pages by URL: a page without a section of its own goes under its parent list's title.
    let lists: std::collections::HashMap<&str, &str> = jobs
        .iter()
        .filter(|j| matches!(j.data, PageData::List(_)))
        .map(|j| (j.url.as_str(), strip_site_suffix(site, &j.title)))
        .collect();
    for job in jobs {
        let Some(doc) = doc(site, job) else { continue };
        let section = doc.section.clone().unwrap_or_else(|| {
            let trimmed = job.url.trim_end_matches('/');
            let parent = &job.url[..trimmed.rfind('/').map_or(0, |i| i + 1)];
            lists.get(parent).unwrap_or(&"Pages").to_string()
        });
        let url = full_twin_url(site, job);
        let mut entry = format!("- {}", link(&doc.link_text, &url));
        let summary = one_line(&doc.summary);
        if !summary.is_empty() {
            entry.push_str(": ");
            entry.push_str(&escape(&summary));
        }
        match sections.iter_mut().find(|(name, _)| *name == section) {
            Some((_, entries)) => entries.push(entry),
            None => sections.push((section, vec![entry])),
        }
    }
    let codes_json = full_url(
        site,
        &format!("{}{}", site.base_path, crate::pipeline::plan::CODES_JSON),
    );
    let mut out = format!(
        "# {}\n\n> {}\n\nEach link below is the Markdown version of a page: the page's URL with \
         `index.html.md` appended. Each status code also has a JSON record beside its page \
         (`index.json`), and {} lists every code.\n",
        escape(&one_line(&site.config.title)),
        escape(&one_line(&site.config.description)),
        link("codes.json", &codes_json),
    );
    for (name, entries) in sections {
        out.push_str(&format!("\n## {}\n\n", escape(&name)));
        for entry in entries {
            out.push_str(&entry);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// A code's `index.json`: its `codes.json` entry, then what the page says besides.
#[derive(Serialize)]
struct CodeRecord<'a> {
    #[serde(flatten)]
    entry: crate::output::CodeEntry<'a>,
    /// The page's heading.
    heading: &'a str,
    /// Every meaning, official first.
    meanings: &'a [Meaning],
    /// Former and alternate names of all meanings.
    aliases: &'a [String],
    /// Search keywords of all meanings.
    keywords: &'a [String],
    /// Related codes.
    related: Vec<RelatedRecord<'a>>,
    /// The Markdown twin.
    markdown_url: String,
    /// This record.
    json_url: String,
}

#[derive(Serialize)]
struct RelatedRecord<'a> {
    code: u16,
    name: &'a str,
    url: String,
}

fn code_json(site: &Site, job: &Route, page: &CodePage) -> Vec<u8> {
    let record = CodeRecord {
        entry: crate::output::code_entry(page, full_url(site, &job.url)),
        heading: &page.heading,
        meanings: &page.meanings,
        aliases: &page.aliases,
        keywords: &page.keywords,
        related: page
            .related
            .iter()
            .map(|r| RelatedRecord {
                code: r.code,
                name: &r.name,
                url: full_url(site, &r.url),
            })
            .collect(),
        markdown_url: full_twin_url(site, job),
        json_url: record_url(site, job),
    };
    crate::output::pretty_json(&record)
}

/// Whitespace (newlines included) collapsed to single spaces: list items and headings are one
/// line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text from front matter or `site.yaml`, escaped so that Markdown shows it as written: no
/// emphasis, links, code or raw HTML can come from it.
fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' => true,
            // An underscore inside a word (client_max_body_size) never starts emphasis.
            '_' => {
                let before = i.checked_sub(1).map(|j| chars[j].is_alphanumeric());
                let after = chars.get(i + 1).map(|c| c.is_alphanumeric());
                !(before == Some(true) && after == Some(true))
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `[text](url)`, the text escaped and the characters that would end the destination encoded.
fn link(text: &str, url: &str) -> String {
    let mut dest = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => dest.push_str("%20"),
            '(' => dest.push_str("%28"),
            ')' => dest.push_str("%29"),
            '<' => dest.push_str("%3C"),
            '>' => dest.push_str("%3E"),
            c if c.is_whitespace() || c.is_control() => {}
            c => dest.push(c),
        }
    }
    format!("[{}]({dest})", escape(&one_line(text)))
}

/// The body as the twin shows it: the author's Markdown as written, minus the leading `# H1`
/// (the page heading, which the twin writes itself), with root-relative link and image
/// destinations, link reference definitions and `href`/`src` in raw HTML moved under
/// `base_path`, as the HTML page has them. Code is left alone.
///
/// Only destinations change, byte for byte in place, so the author's formatting survives.
#[cfg(test)]
pub fn twin_body(body: &str, base_path: &str) -> String {
    twin_body_with(body, base_path, Vec::new())
}

/// [`twin_body`] with more replacements of byte ranges of `body` (non-overlapping; e.g. a
/// `{{fact:…}}` marker by its value and source), applied in the same pass.
pub fn twin_body_with(
    body: &str,
    base_path: &str,
    mut edits: Vec<(std::ops::Range<usize>, String)>,
) -> String {
    use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let rewrite = base_path != "/";
    let mut parser = Parser::new_ext(body, options).into_offset_iter();
    if rewrite {
        for (_, def) in parser.reference_definitions().iter() {
            if is_root_relative(&def.dest) {
                if let Some(at) = destination_start(body, def.span.clone(), "]:") {
                    edits.push((at..at + 1, base_path.to_string()));
                }
            }
        }
    }
    // The leading H1 is lifted out as markdown::render does: the first block, raw HTML before
    // it aside.
    let mut first_block = true;
    for (event, range) in parser.by_ref() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if first_block => {
                first_block = false;
                let mut end = range.end;
                while body[end..].starts_with(['\n', '\r']) {
                    end += 1;
                }
                edits.push((range.start..end, String::new()));
                if !rewrite {
                    break;
                }
            }
            Event::Html(_) | Event::InlineHtml(_) if rewrite => {
                let raw = &body[range.clone()];
                let rewritten = crate::markdown::rewrite_html(raw, base_path, 0, &mut Vec::new());
                if rewritten != raw {
                    edits.push((range, rewritten));
                }
            }
            Event::Html(_) => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) if rewrite => {
                first_block = false;
                if link_type == LinkType::Inline && is_root_relative(&dest_url) {
                    if let Some(at) = destination_start(body, range, "](") {
                        edits.push((at..at + 1, base_path.to_string()));
                    }
                }
            }
            Event::Start(_) => {
                first_block = false;
                if !rewrite {
                    break;
                }
            }
            _ => {}
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(body.len() + edits.len() * base_path.len());
    let mut pos = 0;
    for (range, replacement) in edits {
        if range.start < pos {
            continue; // inside an earlier edit (a link within the removed heading)
        }
        out.push_str(&body[pos..range.start]);
        out.push_str(&replacement);
        pos = range.end;
    }
    out.push_str(&body[pos..]);
    out
}

/// The twin's replacements for `{{fact:…}}` and `{{diagram:…}}` markers: a fact becomes its
/// value, followed by a footnote-style list of the facts' sources at the end of the body (added
/// by [`facts_footer`]); a diagram, drawn on the HTML page, is left out.
pub fn fact_edits(
    body: &str,
    facts: &crate::facts::Facts,
) -> Vec<(std::ops::Range<usize>, String)> {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = crate::facts::references(body)
        .into_iter()
        .filter_map(|r| {
            let len = body.get(r.offset..)?.find("}}")? + 2;
            let range = r.offset..r.offset + len;
            match r.marker.ok()? {
                crate::facts::Marker::Fact(name) => Some((range, escape(&facts.get(&name)?.value))),
                crate::facts::Marker::Diagram { .. } => Some((range, String::new())),
            }
        })
        .collect();
    if let Some(footer) = facts_footer(body, facts) {
        edits.push((body.len()..body.len(), footer));
    }
    edits
}

/// `Sources of the numbers on this page:` and one line per fact the body uses, in the order
/// first used: label, value, source link, date checked.
fn facts_footer(body: &str, facts: &crate::facts::Facts) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut lines = Vec::new();
    for r in crate::facts::references(body) {
        if let Ok(crate::facts::Marker::Fact(name)) = r.marker {
            if let (true, Some(fact)) = (seen.insert(name.clone()), facts.get(&name)) {
                lines.push(format!(
                    "- {}: {} ({}, checked {})",
                    escape(fact.label.as_deref().unwrap_or(&name)),
                    escape(&fact.value),
                    link("source", &fact.source),
                    fact.checked
                ));
            }
        }
    }
    if lines.is_empty() {
        return None;
    }
    let sep = if body.ends_with('\n') { "" } else { "\n" };
    Some(format!(
        "{sep}\nSources of the numbers on this page:\n\n{}\n",
        lines.join("\n")
    ))
}

fn is_root_relative(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

/// Where the destination after the last `marker` (`](` of an inline link, `]:` of a reference
/// definition) in `body[range]` starts, when it is written as a root-relative path: the offset
/// of its `/`.
fn destination_start(body: &str, range: std::ops::Range<usize>, marker: &str) -> Option<usize> {
    let text = body.get(range.clone())?;
    let after = range.start + text.rfind(marker)? + marker.len();
    let rest = &body[after..range.end];
    let skipped = rest.len() - rest.trim_start().len();
    let mut at = after + skipped;
    if body[at..].starts_with('<') {
        at += 1;
    }
    (body[at..].starts_with('/') && !body[at..].starts_with("//")).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leading_h1_goes_and_the_rest_is_kept_verbatim() {
        let body =
            "# 504 Gateway Timeout\n\n## Meaning\n\nSee  *this*   [502](/http-codes/502/).\n";
        assert_eq!(
            twin_body(body, "/"),
            "## Meaning\n\nSee  *this*   [502](/http-codes/502/).\n"
        );
        // A later H1 is the author's and stays; so does a body without one.
        assert_eq!(twin_body("Text.\n\n# Later\n", "/"), "Text.\n\n# Later\n");
        // The twin drops exactly the heading the HTML page lifts out as its title.
        for body in [
            "# Title\n\nText.\n",
            "<!-- note -->\n\n# Title\n\nText.\n",
            "Text.\n\n# Later\n",
            "## Meaning\n\n# Late\n",
            "# A [link](/x/) in it\nText.\n",
        ] {
            let lifted = crate::markdown::render(body, "/").h1.is_some();
            assert_eq!(lifted, twin_body(body, "/") != body, "{body:?}");
        }
    }

    #[test]
    fn root_relative_destinations_move_under_the_base_path() {
        let body = concat!(
            "# T\n\n",
            "An [inline](/http-codes/502/#faq \"title\"), an [angle](</guides/a/>), ",
            "an ![image](/img.png), [external](https://example.org/x), [protocol](//cdn/x), ",
            "[ref][r], [relative](../x/) and `[code](/not/)`.\n\n",
            "[r]: /guides/timeouts/\n\n",
            "<a href=\"/http-codes/\" style=\"x\">Back</a>\n\n",
            "```\n[block](/not/)\n```\n",
        );
        let expected = concat!(
            "An [inline](/ref/http-codes/502/#faq \"title\"), an [angle](</ref/guides/a/>), ",
            "an ![image](/ref/img.png), [external](https://example.org/x), [protocol](//cdn/x), ",
            "[ref][r], [relative](../x/) and `[code](/not/)`.\n\n",
            "[r]: /ref/guides/timeouts/\n\n",
            "<a href=\"/ref/http-codes/\" style=\"x\">Back</a>\n\n",
            "```\n[block](/not/)\n```\n",
        );
        assert_eq!(twin_body(body, "/ref/"), expected);
        // At the root, nothing but the heading changes.
        assert_eq!(twin_body(body, "/"), body.trim_start_matches("# T\n\n"));
    }

    #[test]
    fn callers_replace_ranges_in_the_same_pass() {
        let body = "# T\n\nWaits {{fact:t}} for [x](/x/).\n";
        let at = body.find("{{").unwrap();
        let edits = vec![(at..at + "{{fact:t}}".len(), "120 s".to_string())];
        assert_eq!(
            twin_body_with(body, "/r/", edits),
            "Waits 120 s for [x](/r/x/).\n"
        );
    }

    #[test]
    fn a_link_wrapping_an_image_moves_both() {
        assert_eq!(
            twin_body("[![a](/a.png)](/b/)\n", "/r/"),
            "[![a](/r/a.png)](/r/b/)\n"
        );
    }

    /// A kind of content page this module has no arm for (as a family's entries are when they
    /// land) still gets a twin and an llms.txt entry, under its parent list's title.
    #[test]
    fn any_content_page_gets_a_twin_from_its_route() {
        use crate::config::Config;
        use crate::content;
        let page = |path: &str, text: &str| {
            let rel = std::path::Path::new(path);
            let slug = rel.strip_prefix("content").unwrap();
            let (page, _) = content::parse(rel, slug, text).expect("parses");
            let rendered = crate::markdown::render(page.body(), "/");
            (page, rendered)
        };
        let pages = vec![
            page("content/codes/504.md", "---\ntitle: \"504 Gateway Timeout\"\n---\n## Meaning\n\nSlow.\n"),
            page("content/guides/x.md", "---\ntitle: \"X\"\ndescription: \"About x.\"\n---\n# X\n\nBody of [x](/http-codes/504/).\n"),
        ];
        let (site, _) = Site::assemble(Config::default(), &[], pages, &[]).unwrap();
        let mut routes = crate::pipeline::plan::plan(&site);
        let article = routes
            .pages
            .iter_mut()
            .find(|j| j.url == "/guides/x/")
            .unwrap();
        // The same page, as a kind the module does not know (the route table's data only).
        article.data = PageData::List(serde_json::json!({}));
        let article = article.clone();
        let files = page_files(&site, &article);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "guides/x/index.html.md");
        assert_eq!(
            String::from_utf8_lossy(&files[0].1),
            "# X\n\nAbout x.\n\n- Web page: /guides/x/\n\nBody of [x](/http-codes/504/).\n"
        );
        let llms = String::from_utf8(llms_txt(&site, &routes)).unwrap();
        assert!(
            llms.ends_with("\n## Guides\n\n- [X](/guides/x/index.html.md): About x.\n"),
            "{llms}"
        );
        assert_eq!(article.twin.as_deref(), Some("guides/x/index.html.md"));
        // List pages have none.
        let list = routes.pages.iter().find(|j| j.url == "/guides/").unwrap();
        assert!(page_files(&site, list).is_empty() && list.twin.is_none());
    }

    #[test]
    fn front_matter_text_cannot_inject_markdown() {
        assert_eq!(
            escape("a *b* [c](d) <script> x_y _z_ `e` \\"),
            "a \\*b\\* \\[c\\](d) \\<script\\> x_y \\_z\\_ \\`e\\` \\\\"
        );
        assert_eq!(
            link("RFC 9110 [x]", "https://e.org/a b(c)"),
            "[RFC 9110 \\[x\\]](https://e.org/a%20b%28c%29)"
        );
    }
}
