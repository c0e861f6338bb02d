//! Markdown → HTML, table of contents, sections and plain text: a pure function of the body.
//!
//! pulldown-cmark does the parsing; this module adds what a reference site needs on top:
//! heading ids with a ¶ permalink, a leading `# H1` lifted out as the page heading, fenced
//! `http` blocks rendered as a readable request/response exchange, root-relative links moved
//! under the site's base path, and every internal link recorded so the site can check it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// One entry of the table of contents (h2 and h3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// The heading's id (anchor).
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// An `##` section of the body, as plain text: used to find `## Source` and to check that a
/// code page has the five sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Heading text.
    pub title: String,
    /// Heading id.
    pub id: String,
    /// Plain text under the heading, up to the next `##`.
    pub text: String,
}

/// A root-relative link found in the body, to be checked against the site's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL as written (before base-path rewriting): `/http-codes/502/#faq`.
    pub url: String,
    /// Byte offset of the link in the body (for the diagnostic's line).
    pub offset: usize,
}

/// Text that the dev server's cache and the site models share: cloning it counts a reference,
/// and comparing two clones compares pointers. Reads as a `&str`; serializes as a string.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedText(Arc<str>);

impl SharedText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> Self {
        SharedText(text.into())
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> Self {
        SharedText(text.into())
    }
}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl Serialize for SharedText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// What the markdown stage produces for one page.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Body HTML, without the leading H1.
    pub html: SharedText,
    /// Text of a leading `# H1`, if the body starts with one.
    pub h1: Option<String>,
    /// h2/h3 headings in order.
    pub toc: Vec<TocEntry>,
    /// Every heading id on the page (anchor targets).
    pub ids: Vec<String>,
    /// `##` sections with their plain text.
    pub sections: Vec<Section>,
    /// Plain text of the whole body (for search and derived descriptions).
    pub plain_text: SharedText,
    /// Words of prose (code blocks excluded).
    pub word_count: usize,
    /// Root-relative links to check.
    pub links: Vec<Link>,
    /// The body as Markdown for the page's twin (`index.html.md`): the author's text without
    /// the leading H1, root-relative links moved under the base path
    /// ([`crate::open_formats::twin_body`]).
    pub markdown: SharedText,
}

/// The markdown dialect of content files (the facts module scans bodies with the same).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders a page's body with its facts and diagrams expanded ([`crate::facts::expand`]).
pub fn render_page(page: &crate::content::Page, base_path: &str) -> Rendered {
    render_with(page.body(), base_path, &page.facts)
}

/// Renders a page body. `base_path` (`/` or `/ref/`) prefixes root-relative links.
pub fn render(body: &str, base_path: &str) -> Rendered {
    render_with(body, base_path, &crate::facts::Facts::default())
}

/// [`render`] with `{{fact:…}}` and `{{diagram:…}}` expanded from `facts`.
pub fn render_with(body: &str, base_path: &str, facts: &crate::facts::Facts) -> Rendered {
    let options = options();
    let mut out = Rendered::default();
    let mut plain = String::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut ids = IdAllocator::default();

    let mut heading: Option<HeadingState<'_>> = None;
    let mut code: Option<(String, String)> = None; // (language, text)
    let mut first_block = true;
    let mut section: Option<Section> = None;
    let mut prose_words = 0usize;

    let parsed = Parser::new_ext(body, options).into_offset_iter();
    let parsed: Box<dyn Iterator<Item = (Event<'_>, std::ops::Range<usize>)>> =
        if crate::facts::may_have_markers(body) {
            Box::new(crate::facts::expand(parsed, facts).into_iter())
        } else {
            Box::new(parsed)
        };
    for (event, range) in parsed {
        // Code blocks: buffer the text, emit our own HTML at the end.
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => {
                    text.push_str(&t);
                    continue;
                }
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().unwrap_or_default();
                    push_plain(&mut plain, &mut section, &text, true);
                    events.push(Event::Html(render_code_block(&lang, &text).into()));
                    continue;
                }
                _ => continue,
            }
        }
        let event = rewrite_links(event, base_path, range.start, &mut out.links);
        // Headings: buffer the inner events, emit with id and permalink.
        if let Some(state) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let state = heading.take().expect("heading state is set");
                    finish_heading(
                        state,
                        &mut out,
                        &mut plain,
                        &mut events,
                        &mut ids,
                        &mut section,
                        &mut first_block,
                    );
                }
                Event::Text(ref t) | Event::Code(ref t) => {
                    state.text.push_str(t);
                    state.inner.push(event);
                }
                other => state.inner.push(other),
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some(HeadingState {
                    level,
                    explicit_id: id.map(|i| i.to_string()),
                    text: String::new(),
                    inner: Vec::new(),
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                first_block = false;
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Table(_)) => {
                first_block = false;
                events.push(Event::Html("<div class=\"table-wrap\">".into()));
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html("</div>\n".into()));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                prose_words += word_count(t);
                push_plain(&mut plain, &mut section, t, false);
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                push_plain(&mut plain, &mut section, " ", false);
                events.push(event);
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => {
                push_plain(&mut plain, &mut section, "\n", false);
                events.push(event);
            }
            Event::Start(_) | Event::Html(_) => {
                if !matches!(event, Event::Html(_)) {
                    first_block = false;
                }
                events.push(event);
            }
            other => events.push(other),
        }
    }
    if let Some(section) = section.take() {
        out.sections.push(section);
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    out.html = html.into();
    out.word_count = prose_words;
    out.plain_text = collapse_blank_lines(&plain).into();
    out.ids = ids.used;
    out.markdown = crate::open_formats::twin_body_with(
        body,
        base_path,
        crate::open_formats::fact_edits(body, facts),
    )
    .into();
    out
}

struct HeadingState<'a> {
    level: HeadingLevel,
    explicit_id: Option<String>,
    text: String,
    inner: Vec<Event<'a>>,
}

fn finish_heading<'a>(
    state: HeadingState<'a>,
    out: &mut Rendered,
    plain: &mut String,
    events: &mut Vec<Event<'a>>,
    ids: &mut IdAllocator,
    section: &mut Option<Section>,
    first_block: &mut bool,
) {
    let text = state.text.trim().to_string();
    if state.level == HeadingLevel::H1 && *first_block && out.h1.is_none() {
        *first_block = false;
        out.h1 = Some(text);
        return;
    }
    *first_block = false;
    let id = ids.allocate(state.explicit_id.as_deref().unwrap_or(&slugify(&text)));
    let level = heading_number(state.level);
    if level == 2 {
        if let Some(done) = section.take() {
            out.sections.push(done);
        }
        *section = Some(Section {
            title: text.clone(),
            id: id.clone(),
            text: String::new(),
        });
    }
    if level == 2 || level == 3 {
        out.toc.push(TocEntry {
            level,
            id: id.clone(),
            title: text.clone(),
        });
    }
    if level == 2 {
        // The section's text is what is under its heading, not the heading itself.
        plain.push_str(&format!("{text}\n"));
    } else {
        push_plain(plain, section, &format!("{text}\n"), false);
    }
    let mut inner = String::new();
    pulldown_cmark::html::push_html(&mut inner, state.inner.into_iter());
    let id_attr = escape_attr(&id);
    events.push(Event::Html(
        format!(
            "<h{level} id=\"{id_attr}\">{inner}<a class=\"anchor\" href=\"#{id_attr}\" aria-label=\"Link to this section\">¶</a></h{level}>\n"
        )
        .into(),
    ));
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn push_plain(plain: &mut String, section: &mut Option<Section>, text: &str, is_code: bool) {
    let (before, after) = if is_code { ("\n", "\n") } else { ("", "") };
    for out in std::iter::once(plain).chain(section.as_mut().map(|s| &mut s.text)) {
        out.push_str(before);
        out.push_str(text);
        out.push_str(after);
    }
}

/// `text.split_whitespace().count()`: for ASCII text (most of every page), the word starts
/// counted in byte lanes the compiler vectorises, 255 pairs of bytes at a time so that a lane
/// cannot overflow (on the plain corpus's 67 MB: 18 against 100 ms).
fn word_count(text: &str) -> usize {
    /// `char::is_whitespace` on ASCII: space, and tab through carriage return (9-13).
    fn space(b: u8) -> bool {
        (b == b' ') | (b.wrapping_sub(9) < 5)
    }
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return 0;
    };
    let mut words = usize::from(!space(first));
    let pairs = bytes.len() - 1;
    let mut start = 0;
    while start < pairs {
        let end = (start + 255).min(pairs);
        let starts = bytes[start..end]
            .iter()
            .zip(&bytes[start + 1..end + 1])
            .fold(0u8, |n, (&before, &b)| {
                n + u8::from(space(before) & !space(b))
            });
        words += usize::from(starts);
        start = end;
    }
    words
}

fn collapse_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Moves root-relative URLs under the base path and records them for link checking.
fn rewrite_links<'a>(
    event: Event<'a>,
    base_path: &str,
    offset: usize,
    links: &mut Vec<Link>,
) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = rewrite_url(dest_url, base_path, offset, links);
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = rewrite_url(dest_url, base_path, offset, links);
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Html(html) => Event::Html(rewrite_html(&html, base_path, offset, links).into()),
        Event::InlineHtml(html) => {
            Event::InlineHtml(rewrite_html(&html, base_path, offset, links).into())
        }
        other => other,
    }
}

fn is_root_relative(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

fn rewrite_url<'a>(
    url: CowStr<'a>,
    base_path: &str,
    offset: usize,
    links: &mut Vec<Link>,
) -> CowStr<'a> {
    if !is_root_relative(&url) {
        return url;
    }
    links.push(Link {
        url: url.to_string(),
        offset,
    });
    if base_path == "/" {
        url
    } else {
        format!("{base_path}{}", &url[1..]).into()
    }
}

/// Rewrites `href="/…"` and `src="/…"` in raw HTML (the seed's Back to Search block).
///
/// Linear in the length of `html`, however many attributes it holds: it is lower-cased once,
/// and each attribute name's next occurrence is searched for only once it has been passed.
pub(crate) fn rewrite_html(
    html: &str,
    base_path: &str,
    offset: usize,
    links: &mut Vec<Link>,
) -> String {
    let lower = html.to_ascii_lowercase();
    let mut finders = [AttrFinder::new("href="), AttrFinder::new("src=")];
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    loop {
        let next = finders
            .iter_mut()
            .filter_map(|f| f.next_at_or_after(html, &lower, pos))
            .min_by_key(|a| a.value_start);
        let Some(attr) = next else { break };
        out.push_str(&html[pos..attr.value_start]);
        let after = &html[attr.value_start..];
        let end = after.find(attr.quote).unwrap_or(after.len());
        let url = &after[..end];
        if is_root_relative(url) {
            links.push(Link {
                url: url.to_string(),
                offset,
            });
            out.push_str(base_path);
            out.push_str(&url[1..]);
        } else {
            out.push_str(url);
        }
        pos = attr.value_start + end;
    }
    out.push_str(&html[pos..]);
    out
}

#[derive(Clone, Copy)]
struct AttrPos {
    name_start: usize,
    value_start: usize,
    quote: char,
}

/// Finds `name="` / `name='` (after whitespace or at the start) in raw HTML, caching the next
/// occurrence so that a long line with many attributes is scanned once per name.
struct AttrFinder {
    name: &'static str,
    /// The last search's result; `Some(None)`: there is no further occurrence at all.
    cached: Option<Option<AttrPos>>,
}

impl AttrFinder {
    fn new(name: &'static str) -> Self {
        AttrFinder { name, cached: None }
    }

    fn next_at_or_after(&mut self, html: &str, lower: &str, pos: usize) -> Option<AttrPos> {
        match self.cached {
            Some(None) => return None,
            Some(Some(found)) if found.name_start >= pos => return Some(found),
            _ => {}
        }
        let found = self.search(html, lower, pos);
        self.cached = Some(found);
        found
    }

    fn search(&self, html: &str, lower: &str, mut from: usize) -> Option<AttrPos> {
        while let Some(i) = lower[from..].find(self.name).map(|i| i + from) {
            let preceded_ok = i == 0 || lower.as_bytes()[i - 1].is_ascii_whitespace();
            let quote_at = i + self.name.len();
            if let (true, Some(quote @ ('"' | '\''))) =
                (preceded_ok, html[quote_at..].chars().next())
            {
                return Some(AttrPos {
                    name_start: i,
                    value_start: quote_at + 1,
                    quote,
                });
            }
            from = quote_at;
        }
        None
    }
}

/// Lower-case, ASCII letters and digits, words joined by `-`: `When Not to Use` → `when-not-to-use`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '/' || c == '.')
            && !slug.ends_with('-')
        {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// Unique heading ids: `meaning`, then `meaning-1`, `meaning-2`… In constant time per heading
/// (a page of ten thousand `## Example` headings must not take quadratic time).
#[derive(Default)]
struct IdAllocator {
    used: Vec<String>,
    taken: HashSet<String>,
    /// Per base id, the next suffix to try: every `base-k` below it is taken already.
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    fn allocate(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        if self.taken.contains(&id) {
            let n = self.next_suffix.entry(base.to_string()).or_insert(1);
            loop {
                id = format!("{base}-{n}");
                *n += 1;
                if !self.taken.contains(&id) {
                    break;
                }
            }
        }
        self.taken.insert(id.clone());
        self.used.push(id.clone());
        id
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_attr(text: &str) -> String {
    escape(text)
}

fn render_code_block(lang: &str, text: &str) -> String {
    if lang.eq_ignore_ascii_case("http") {
        return render_http(text);
    }
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape_attr(lang))
    };
    let label = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape_attr(lang))
    };
    format!(
        "<pre class=\"code\"{label}><code{class}>{}</code></pre>\n",
        escape(text)
    )
}

/// Renders a raw HTTP exchange: request and status lines, header names and values, bodies.
fn render_http(text: &str) -> String {
    let mut html =
        String::from("<pre class=\"code http\" data-lang=\"http\"><code class=\"language-http\">");
    let mut in_head = false;
    let mut expecting_start = true;
    for line in text.trim_end_matches('\n').split('\n') {
        let is_status_line =
            line.starts_with("HTTP/") && line.split_whitespace().nth(1).is_some_and(is_status);
        if is_status_line || (expecting_start && !line.trim().is_empty()) {
            html.push_str(&start_line(line));
            in_head = true;
            expecting_start = false;
        } else if in_head && line.trim().is_empty() {
            in_head = false;
        } else if in_head && !line.starts_with(' ') && line.contains(':') {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            html.push_str(&format!(
                "<span class=\"http-header\"><span class=\"http-name\">{}</span>:<span class=\"http-value\">{}</span></span>",
                escape(name),
                escape(value)
            ));
        } else {
            html.push_str(&escape(line));
        }
        html.push('\n');
    }
    html.push_str("</code></pre>\n");
    html
}

fn is_status(word: &str) -> bool {
    word.len() == 3 && word.bytes().all(|b| b.is_ascii_digit())
}

fn start_line(line: &str) -> String {
    let mut parts = line.splitn(3, ' ');
    let first = parts.next().unwrap_or("");
    let second = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    if first.starts_with("HTTP/") && is_status(second) {
        let class = format!("http-code http-{}xx", &second[..1]);
        format!(
            "<span class=\"http-status-line\">{} <span class=\"{class}\">{}</span> <span class=\"http-reason\">{}</span></span>",
            escape(first),
            escape(second),
            escape(rest)
        )
    } else if !second.is_empty() {
        let target = if rest.is_empty() {
            second.to_string()
        } else {
            format!("{second} {rest}")
        };
        format!(
            "<span class=\"http-request-line\"><span class=\"http-method\">{}</span> {}</span>",
            escape(first),
            escape(&target)
        )
    } else {
        escape(line)
    }
}

/// A description from plain text: the first sentence-ish, at most `max` characters, cut at a word.
pub fn summarize(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) => &cut[..i],
        None => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_count_is_split_whitespaces() {
        for text in [
            "",
            " ",
            "one",
            "  two  words ",
            "tab\tand\nlines\r\n\x0bvt\x0cff",
            "a\u{85}b\u{a0}c \u{3000}d",
            "héllo wörld",
            "\x00ctl\x1fchars here",
            &"a ".repeat(1000),
            &"word".repeat(300),
            &" x".repeat(777),
        ] {
            assert_eq!(
                word_count(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn leading_h1_becomes_the_page_heading() {
        let r = render("# 524 A Timeout Occurred\n\n## Meaning\n\nText.\n", "/");
        assert_eq!(r.h1.as_deref(), Some("524 A Timeout Occurred"));
        assert!(!r.html.contains("<h1"));
        assert!(r
            .html
            .contains("<h2 id=\"meaning\">Meaning<a class=\"anchor\" href=\"#meaning\""));
    }

    #[test]
    fn an_h1_after_other_content_stays_in_the_body() {
        let r = render("Intro.\n\n# Later\n", "/");
        assert_eq!(r.h1, None);
        assert!(r.html.contains("<h1 id=\"later\">"));
    }

    #[test]
    fn toc_sections_and_duplicate_ids() {
        let r = render("## Meaning\n\nA b.\n\n### FAQ\n\n## Meaning\n\nC.\n", "/");
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["meaning", "faq", "meaning-1"]);
        assert_eq!(r.sections.len(), 2);
        assert!(r.sections[0].text.contains("A b."));
        assert!(r.sections[0].text.contains("FAQ"));
    }

    #[test]
    fn thematic_break_and_raw_html_pass_through_with_base_path() {
        let body = "Text\n\n---\n\n<div style=\"margin-top: 40px;\">\n  <a href=\"/http-codes/\" style=\"x\">← Back to Search</a>\n</div>\n";
        let r = render(body, "/ref/");
        assert!(r.html.contains("<hr />"));
        assert!(
            r.html.contains("<a href=\"/ref/http-codes/\" style=\"x\">"),
            "{}",
            r.html
        );
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].url, "/http-codes/");
    }

    #[test]
    fn markdown_links_are_rewritten_and_recorded() {
        let r = render(
            "See [502](/http-codes/502/) and [x](https://example.org/a).",
            "/ref/",
        );
        assert!(r.html.contains("href=\"/ref/http-codes/502/\""));
        assert!(r.html.contains("href=\"https://example.org/a\""));
        assert_eq!(
            r.links.iter().map(|l| l.url.as_str()).collect::<Vec<_>>(),
            ["/http-codes/502/"]
        );
    }

    #[test]
    fn http_blocks_render_as_an_exchange() {
        let body = "```http\nGET /api HTTP/1.1\nHost: example.com\n\nHTTP/1.1 504 Gateway Timeout\nRetry-After: 30\n\n<html>\n```\n";
        let r = render(body, "/");
        assert!(r
            .html
            .contains("<span class=\"http-method\">GET</span> /api HTTP/1.1"));
        assert!(r
            .html
            .contains("<span class=\"http-code http-5xx\">504</span>"));
        assert!(r
            .html
            .contains("<span class=\"http-name\">Retry-After</span>"));
        assert!(r.html.contains("&lt;html&gt;"));
        assert!(r.plain_text.contains("Retry-After: 30"));
    }

    #[test]
    fn extensions_are_enabled() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ \"q\" [^1]\n\n[^1]: note\n\n- [x] done\n",
            "/",
        );
        assert!(r.html.contains("<div class=\"table-wrap\"><table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains("“q”"));
        assert!(r.html.contains("footnote"));
        assert!(r.html.contains("checkbox"));
    }

    #[test]
    fn word_count_skips_code() {
        let r = render("One two three.\n\n```\nnot counted at all\n```\n", "/");
        assert_eq!(r.word_count, 3);
    }

    #[test]
    fn summarize_cuts_at_a_word() {
        assert_eq!(summarize("short text", 160), "short text");
        assert_eq!(summarize("alpha beta gamma delta", 12), "alpha beta…");
    }

    #[test]
    fn slugify_examples() {
        assert_eq!(slugify("When Not to Use"), "when-not-to-use");
        assert_eq!(slugify("504 vs 502 vs 503"), "504-vs-502-vs-503");
        assert_eq!(slugify("Is a 504 my fault?"), "is-a-504-my-fault");
        assert_eq!(slugify("???"), "section");
    }
}
