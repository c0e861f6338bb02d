//! Dated, sourced vendor numbers: the `facts:` front-matter key and `{{fact:name}}` in the body.
//!
//! A vendor default or limit (Cloudflare's proxy read timeout, nginx's `client_max_body_size`)
//! goes stale when the vendor changes it. Writing it once, with where it comes from and when
//! someone last looked, lets a reader judge it and lets `check` say when it is time to look
//! again:
//!
//! ```yaml
//! facts:
//!   cf_proxy_read_timeout:
//!     value: "120 s"
//!     source: "https://developers.cloudflare.com/fundamentals/reference/connection-limits/"
//!     checked: 2026-12-01
//!     label: "Cloudflare proxy read timeout"
//! ```
//!
//! The body writes `{{fact:cf_proxy_read_timeout}}` where the number goes; the markdown stage
//! renders the value with a small link to its source and the month it was checked
//! ([`fact_html`]). `{{diagram:NAME}}` on a line of its own draws a diagram
//! ([`crate::diagram`]). This module owns the markers' syntax and every check on them; the
//! markdown stage only expands what passed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use time::Date;

use crate::diagnostic::{closest, line_col, Diagnostic};
use crate::markdown::escape;
use crate::yaml;

/// Keys a fact may have; anything else is an error naming the closest.
pub const FACT_KEYS: &[&str] = &["value", "source", "checked", "label"];

/// A fact checked longer ago than this many months is reported as stale.
pub const STALE_AFTER_MONTHS: i32 = 12;

/// Environment variable that fixes "today" for the staleness and future-date checks
/// (`YYYY-MM-DD`), so tests do not depend on the calendar.
pub const TODAY_VAR: &str = "STATUSREF_TODAY";

/// One vendor number, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The number as the reader sees it: `120 s`, `1m`, `4 8k`.
    pub value: String,
    /// Where it is documented: an https URL, ideally the vendor's own documentation.
    pub source: String,
    /// When someone last compared `value` with `source`.
    pub checked: Date,
    /// What the number is, for the link's tooltip and messages: `Cloudflare proxy read timeout`.
    pub label: Option<String>,
}

/// A page's facts by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts(pub BTreeMap<String, Fact>);

impl Facts {
    /// The fact called `name`.
    pub fn get(&self, name: &str) -> Option<&Fact> {
        self.0.get(name)
    }
}

/// Today's date: [`TODAY_VAR`] when set to a date, else the system clock (UTC).
pub fn today() -> Date {
    std::env::var(TODAY_VAR)
        .ok()
        .and_then(|s| parse_date(s.trim()))
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

/// Parses `YYYY-MM-DD` (exactly: four-digit year, two-digit month and day).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year: i32 = s[0..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..10].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Whether a fact checked on `checked` is stale on `today`: checked more than
/// [`STALE_AFTER_MONTHS`] months before.
pub fn is_stale(checked: Date, today: Date) -> bool {
    let months = (today.year() - checked.year()) * 12 + i32::from(u8::from(today.month()))
        - i32::from(u8::from(checked.month()));
    months > STALE_AFTER_MONTHS || (months == STALE_AFTER_MONTHS && today.day() > checked.day())
}

/// `Dec 2026`: the month a fact was checked, as shown beside it.
pub fn month_year(date: Date) -> String {
    let month = date.month().to_string();
    format!("{} {}", &month[..3.min(month.len())], date.year())
}

/// The host of an https URL (`developers.cloudflare.com`), for tooltips.
fn host(url: &str) -> &str {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Whether `url` is an absolute https URL with a host and nothing that would break an attribute.
fn is_https_url(url: &str) -> bool {
    let host = url.strip_prefix("https://").map(host).unwrap_or("");
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '`'))
}

/// The HTML around a fact's value: what goes before it and after it. The value itself is left
/// to the caller as text, so that it is escaped like any text and reaches the plain text
/// (search, descriptions).
pub fn fact_html(fact: &Fact) -> (String, String) {
    let checked = fact.checked.to_string();
    let what = fact.label.as_deref().unwrap_or("Source");
    let title = format!("{what}: {}, checked {checked}", host(&fact.source));
    (
        "<span class=\"fact\">".to_string(),
        format!(
            " <a class=\"fact-src\" href=\"{}\" title=\"{}\">[source, checked <time datetime=\"{checked}\">{}</time>]</a></span>",
            escape(&fact.source),
            escape(&title),
            month_year(fact.checked),
        ),
    )
}

/// A `{{…}}` marker found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// `{{fact:name}}`.
    Fact(String),
    /// `{{diagram:name}}` or `{{diagram:name highlight=layer}}`.
    Diagram {
        /// Which diagram.
        name: String,
        /// The layer to highlight, if any.
        highlight: Option<String>,
    },
}

/// A piece of a text run: literal text, or a marker (or what is wrong with one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text to keep as written.
    Text(&'a str),
    /// A marker, or the reason it cannot be read; `at` is its byte offset in the text.
    Marker {
        /// Byte offset of the `{{` in the text.
        at: usize,
        /// The marker, or what is wrong with it.
        marker: Result<Marker, String>,
    },
}

const FACT_OPEN: &str = "{{fact:";
const DIAGRAM_OPEN: &str = "{{diagram:";

/// Whether `text` may hold a marker (a cheap test before parsing anything).
pub fn may_have_markers(text: &str) -> bool {
    text.contains(FACT_OPEN) || text.contains(DIAGRAM_OPEN)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Splits a text run into literal text and markers. Other `{{` are left as text.
pub fn split(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest_start = 0;
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find("{{") {
        let at = search_from + found;
        let after = &text[at..];
        let kind = if after.starts_with(FACT_OPEN) {
            FACT_OPEN
        } else if after.starts_with(DIAGRAM_OPEN) {
            DIAGRAM_OPEN
        } else {
            search_from = at + 2;
            continue;
        };
        if at > rest_start {
            pieces.push(Piece::Text(&text[rest_start..at]));
        }
        let inner_start = at + kind.len();
        let (marker, end) = match text[inner_start..].find("}}") {
            None => (
                Err(format!("`{}` is not closed with `}}}}`", kind)),
                text.len(),
            ),
            Some(close) => {
                let inner = text[inner_start..inner_start + close].trim();
                let end = inner_start + close + 2;
                (parse_marker(kind, inner), end)
            }
        };
        pieces.push(Piece::Marker { at, marker });
        rest_start = end;
        search_from = end;
    }
    if rest_start < text.len() {
        pieces.push(Piece::Text(&text[rest_start..]));
    }
    pieces
}

fn parse_marker(kind: &str, inner: &str) -> Result<Marker, String> {
    if kind == FACT_OPEN {
        return if valid_name(inner) {
            Ok(Marker::Fact(inner.to_string()))
        } else {
            Err(format!(
                "`{{{{fact:{inner}}}}}` is not a fact name (letters, digits, `_` and `-`)"
            ))
        };
    }
    let mut words = inner.split_whitespace();
    let name = words.next().unwrap_or_default();
    if !valid_name(name) {
        return Err(format!("`{{{{diagram:{inner}}}}}` does not name a diagram"));
    }
    let mut highlight = None;
    for word in words {
        match word.strip_prefix("highlight=") {
            Some(layer) if valid_name(layer) && highlight.is_none() => {
                highlight = Some(layer.to_string())
            }
            _ => {
                return Err(format!(
                    "`{word}` in `{{{{diagram:{inner}}}}}`: the only option is `highlight=LAYER`"
                ))
            }
        }
    }
    Ok(Marker::Diagram {
        name: name.to_string(),
        highlight,
    })
}

/// A marker found in a body, where it is, and whether it stands alone in its paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The marker, or what is wrong with it.
    pub marker: Result<Marker, String>,
    /// Byte offset in the body.
    pub offset: usize,
    /// True when the marker is the whole paragraph (where a diagram must be).
    pub alone: bool,
}

/// Every marker in a markdown body's text (not in code spans or code blocks), in order.
pub fn references(body: &str) -> Vec<Reference> {
    if !may_have_markers(body) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut in_code_block = false;
    // Consecutive text events of one paragraph (pulldown-cmark splits text at `_`, `[`, …).
    let mut run: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut paragraph_events = 0usize;
    let flush = |run: &mut Vec<(String, std::ops::Range<usize>)>,
                 alone: bool,
                 found: &mut Vec<Reference>| {
        if run.is_empty() {
            return;
        }
        let text: String = run.iter().map(|(t, _)| t.as_str()).collect();
        let start = run.first().map_or(0, |(_, r)| r.start);
        let end = run.last().map_or(0, |(_, r)| r.end);
        run.clear();
        let pieces = split(&text);
        let only_marker = pieces.len() == 1
            || pieces
                .iter()
                .all(|p| !matches!(p, Piece::Text(t) if !t.trim().is_empty()));
        let source = body.get(start..end).unwrap_or("");
        let mut search = 0;
        for piece in pieces {
            if let Piece::Marker { at, marker } = piece {
                // Locate the marker in the source: text events may differ from it (escapes).
                let open = if text[at..].starts_with(FACT_OPEN) {
                    FACT_OPEN
                } else {
                    DIAGRAM_OPEN
                };
                let offset = match source.get(search..).and_then(|s| s.find(open)) {
                    Some(i) => {
                        search += i + open.len();
                        start + search - open.len()
                    }
                    None => start + at.min(end - start),
                };
                found.push(Reference {
                    marker,
                    offset,
                    alone: alone && only_marker,
                });
            }
        }
    };
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(t) if !in_code_block => {
                run.push((t.into_string(), range));
                paragraph_events += 1;
                continue;
            }
            Event::Start(Tag::Paragraph) => paragraph_events = 0,
            Event::End(TagEnd::Paragraph) => {
                let alone = paragraph_events == run.len();
                flush(&mut run, alone, &mut found);
                continue;
            }
            _ => paragraph_events += 1,
        }
        flush(&mut run, false, &mut found);
    }
    flush(&mut run, false, &mut found);
    found
}

/// Locates lines of the `facts:` block in a file's text.
struct Locator<'a> {
    text: &'a str,
    /// 1-based line of `facts:`.
    facts_line: Option<usize>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Self {
        Locator {
            text,
            facts_line: crate::content::key_line(text, "facts"),
        }
    }

    /// The lines of the front matter after `facts:` that belong to it (indented, or blank).
    fn block(&self) -> impl Iterator<Item = (usize, &'a str)> {
        let start = self.facts_line.unwrap_or(usize::MAX);
        self.text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .skip(start)
            .take_while(|(_, l)| {
                l.trim_end() != "---" && (l.trim().is_empty() || l.starts_with([' ', '\t']))
            })
    }

    /// 1-based line and column of a fact's name.
    fn fact(&self, name: &str) -> Option<(usize, usize)> {
        self.block().find_map(|(n, l)| {
            let indent = l.len() - l.trim_start().len();
            let rest = l.trim_start();
            let rest = rest
                .strip_prefix(name)
                .or_else(|| rest.strip_prefix(&format!("\"{name}\"")))?;
            rest.trim_start()
                .starts_with(':')
                .then_some((n, indent + 1))
        })
    }

    /// 1-based line and column of `key:` inside the fact `name` (its line or the lines below).
    fn field(&self, name: &str, key: &str) -> Option<(usize, usize)> {
        let (fact_line, fact_col) = self.fact(name)?;
        let lines: Vec<&str> = self.text.lines().collect();
        for (i, line) in lines.iter().enumerate().skip(fact_line - 1) {
            let n = i + 1;
            if n > fact_line {
                let indent = line.len() - line.trim_start().len();
                if line.trim_end() == "---" || (!line.trim().is_empty() && indent < fact_col) {
                    break;
                }
            }
            let from = if n == fact_line { fact_col - 1 } else { 0 };
            let mut search = from;
            while let Some(i) = line.get(search..).and_then(|s| s.find(key)) {
                let pos = search + i;
                let before = line[..pos].chars().next_back();
                let after = line[pos + key.len()..].trim_start();
                if matches!(before, None | Some(' ' | '{' | ',' | '\t' | '"'))
                    && (after.starts_with(':') || after.starts_with("\":"))
                {
                    return Some((n, line[..pos].chars().count() + 1));
                }
                search = pos + key.len();
            }
        }
        None
    }

    fn locate(&self, d: Diagnostic, name: Option<&str>, key: Option<&str>) -> Diagnostic {
        let spot = match (name, key) {
            (Some(name), Some(key)) => self.field(name, key).or_else(|| self.fact(name)),
            (Some(name), None) => self.fact(name),
            _ => None,
        };
        match spot {
            Some((line, col)) => d.at(self.text, line, col),
            None => match self.facts_line {
                Some(line) => d.at_line(self.text, line),
                None => d,
            },
        }
    }
}

/// What [`check_page`] found: the page's facts, and its errors and warnings.
#[derive(Debug, Default)]
pub struct Checked {
    /// The facts that are valid (all of them when there are no errors).
    pub facts: Facts,
    /// Problems that stop the build.
    pub errors: Vec<Diagnostic>,
    /// Stale and unused facts.
    pub warnings: Vec<Diagnostic>,
}

/// Validates a page's `facts:` (`value` is the YAML under the key, `Null` when absent) and the
/// markers in its body, with every problem located in `text` (the whole file; the body starts
/// on line `body_line`). `today` decides what is stale and what is in the future.
pub fn check_page(
    rel: &Path,
    text: &str,
    body: &str,
    body_line: usize,
    value: &yaml::Value,
    today: Date,
) -> Checked {
    let mut out = Checked::default();
    let at = Locator::new(text);
    let entries = match value {
        yaml::Value::Null => yaml::Mapping::new(),
        yaml::Value::Mapping(m) => m.clone(),
        _ => {
            out.errors.push(at.locate(
                Diagnostic::error(rel, "`facts` must be a mapping of fact names to facts")
                    .help("write `facts:` and under it `name: { value: \"120 s\", source: \"https://…\", checked: YYYY-MM-DD }`"),
                None,
                None,
            ));
            yaml::Mapping::new()
        }
    };
    for (key, fact) in &entries {
        let Some(name) = key.as_str().filter(|n| valid_name(n)) else {
            out.errors.push(at.locate(
                Diagnostic::error(rel, format!("fact name {key:?} is not a name")).help(
                    "name facts with letters, digits, `_` and `-`, e.g. `cf_proxy_read_timeout`",
                ),
                None,
                None,
            ));
            continue;
        };
        if let Some(fact) = check_fact(rel, &at, name, fact, today, &mut out) {
            out.facts.0.insert(name.to_string(), fact);
        }
    }

    // The body's markers.
    let mut used = BTreeSet::new();
    let names: Vec<&str> = entries.keys().filter_map(|k| k.as_str()).collect();
    for reference in references(body) {
        let (line, col) = line_col(body, reference.offset);
        let locate = |d: Diagnostic| d.at(text, body_line + line - 1, col);
        match reference.marker {
            Err(message) => out.errors.push(locate(
                Diagnostic::error(rel, message)
                    .help("write `{{fact:NAME}}` for a fact from `facts:`, or `{{diagram:proxy-chain}}` on a line of its own"),
            )),
            Ok(Marker::Fact(name)) => {
                if names.contains(&name.as_str()) {
                    used.insert(name);
                    continue;
                }
                let help = match closest(&name, &names) {
                    Some(known) => format!("did you mean `{{{{fact:{known}}}}}`? Otherwise declare `{name}` under `facts:` with value, source and checked"),
                    None => format!("declare `{name}` under `facts:` in the front matter: `{name}: {{ value: \"…\", source: \"https://…\", checked: YYYY-MM-DD }}`"),
                };
                out.errors.push(locate(
                    Diagnostic::error(rel, format!("unknown fact `{name}`")).help(help),
                ));
            }
            Ok(Marker::Diagram { name, highlight }) => {
                if let Err((message, help)) =
                    crate::diagram::check(&name, highlight.as_deref(), reference.alone)
                {
                    out.errors
                        .push(locate(Diagnostic::error(rel, message).help(help)));
                    continue;
                }
                let stale: Vec<String> = crate::diagram::facts(&name)
                    .into_iter()
                    .filter(|f| is_stale(f.checked, today))
                    .map(|f| format!("{} ({})", f.label.unwrap_or_default(), f.checked))
                    .collect();
                if !stale.is_empty() {
                    out.warnings.push(locate(
                        Diagnostic::warning(
                            rel,
                            format!(
                                "diagram `{name}` shows numbers checked more than {STALE_AFTER_MONTHS} months ago: {}",
                                stale.join(", ")
                            ),
                        )
                        .help("check them against their sources and update the chain's data in src/diagram.rs"),
                    ));
                }
            }
        }
    }
    for name in names {
        if !used.contains(name) && out.facts.get(name).is_some() {
            out.warnings.push(at.locate(
                Diagnostic::warning(rel, format!("fact `{name}` is never used in the body")).help(
                    format!(
                        "write `{{{{fact:{name}}}}}` where the number goes, or remove the fact"
                    ),
                ),
                Some(name),
                None,
            ));
        }
    }
    out
}

fn check_fact(
    rel: &Path,
    at: &Locator<'_>,
    name: &str,
    fact: &yaml::Value,
    today: Date,
    out: &mut Checked,
) -> Option<Fact> {
    let example = "value: \"120 s\", source: \"https://…\", checked: YYYY-MM-DD";
    let Some(map) = fact.as_mapping() else {
        out.errors.push(
            at.locate(
                Diagnostic::error(rel, format!("fact `{name}` must be a mapping"))
                    .help(format!("write `{name}: {{ {example} }}`")),
                Some(name),
                None,
            ),
        );
        return None;
    };
    let errors_before = out.errors.len();
    for key in map.keys() {
        let key_name = key
            .as_str()
            .map_or_else(|| format!("{key:?}"), str::to_string);
        if !FACT_KEYS.contains(&key_name.as_str()) {
            let help = match closest(&key_name, FACT_KEYS) {
                Some(known) => format!("did you mean `{known}`?"),
                None => format!("a fact takes {}", FACT_KEYS.join(", ")),
            };
            out.errors.push(
                at.locate(
                    Diagnostic::error(
                        rel,
                        format!("fact `{name}` has an unknown key `{key_name}`"),
                    )
                    .help(help),
                    Some(name),
                    Some(&key_name),
                ),
            );
        }
    }
    let get = |key: &str| map.get(yaml::Value::String(key.to_string()));
    let value =
        match get("value")
            .and_then(yaml::scalar)
            .map(|v| v.trim().to_string())
        {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                out.errors.push(at.locate(
                    Diagnostic::error(rel, format!("fact `{name}` has no `value`")).help(
                        "give the number as the reader should see it, e.g. `value: \"120 s\"`",
                    ),
                    Some(name),
                    Some("value"),
                ));
                None
            }
        };
    let source = match get("source").map(yaml::scalar) {
        None => {
            out.errors.push(at.locate(
                Diagnostic::error(rel, format!("fact `{name}` has no `source`")).help(
                    "add `source:` with the https URL of the documentation that states the number",
                ),
                Some(name),
                None,
            ));
            None
        }
        Some(Some(url)) if is_https_url(url.trim()) => Some(url.trim().to_string()),
        Some(other) => {
            let shown = other.unwrap_or_else(|| "a non-text value".into());
            out.errors.push(
                at.locate(
                    Diagnostic::error(
                        rel,
                        format!("the source of fact `{name}` is not an https URL: {shown}"),
                    )
                    .help("link the vendor's documentation with its https:// URL"),
                    Some(name),
                    Some("source"),
                ),
            );
            None
        }
    };
    let checked = match get("checked").map(yaml::scalar) {
        None => {
            out.errors.push(at.locate(
                Diagnostic::error(rel, format!("fact `{name}` has no `checked` date")).help(
                    "add `checked: YYYY-MM-DD`, the day you compared the value with its source",
                ),
                Some(name),
                None,
            ));
            None
        }
        Some(written) => match written.as_deref().map(str::trim).and_then(parse_date) {
            None => {
                out.errors.push(
                    at.locate(
                        Diagnostic::error(
                            rel,
                            format!(
                                "`checked` of fact `{name}` is not a date: {}",
                                written.unwrap_or_else(|| "a non-text value".into())
                            ),
                        )
                        .help("write the date as YYYY-MM-DD, e.g. `checked: 2026-12-01`"),
                        Some(name),
                        Some("checked"),
                    ),
                );
                None
            }
            Some(date) if date > today => {
                out.errors.push(
                    at.locate(
                        Diagnostic::error(
                            rel,
                            format!("fact `{name}` was checked on {date}, which is in the future"),
                        )
                        .help("write the day the value was actually compared with its source"),
                        Some(name),
                        Some("checked"),
                    ),
                );
                None
            }
            Some(date) => Some(date),
        },
    };
    let label = match get("label") {
        None | Some(yaml::Value::Null) => None,
        Some(v) => match yaml::scalar(v) {
            Some(label) => Some(label),
            None => {
                out.errors.push(at.locate(
                    Diagnostic::error(rel, format!("the label of fact `{name}` is not text")).help(
                        "write what the number is, e.g. `label: \"Cloudflare proxy read timeout\"`",
                    ),
                    Some(name),
                    Some("label"),
                ));
                None
            }
        },
    };
    if out.errors.len() > errors_before {
        return None;
    }
    let fact = Fact {
        value: value?,
        source: source?,
        checked: checked?,
        label,
    };
    if is_stale(fact.checked, today) {
        out.warnings.push(
            at.locate(
                Diagnostic::warning(
                    rel,
                    format!(
                    "fact `{name}` was checked on {}, more than {STALE_AFTER_MONTHS} months ago",
                    fact.checked
                ),
                )
                .help(format!(
                    "compare `{}` with {} and update `value` and `checked`",
                    fact.value, fact.source
                )),
                Some(name),
                Some("checked"),
            ),
        );
    }
    Some(fact)
}

/// Expands markers in a parsed body's events: `{{fact:name}}` becomes the value (a text event,
/// so that it is escaped and reaches the plain text) wrapped in [`fact_html`], or the bare
/// value inside a link, an image's alt text or a heading (no link in a link); a paragraph holding only
/// `{{diagram:…}}` becomes the figure. Code spans and code blocks are left alone. Markers that
/// [`check_page`] refused stay as written.
pub fn expand<'a>(
    events: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    facts: &Facts,
) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    use pulldown_cmark::CowStr;
    let mut out: Vec<(Event<'a>, std::ops::Range<usize>)> = Vec::new();
    let mut run = String::new();
    let mut run_range: Option<std::ops::Range<usize>> = None;
    let mut in_code_block = false;
    let mut plain_only = 0usize; // inside links and headings
    let mut paragraph_start: Option<usize> = None;

    let flush = |run: &mut String,
                 run_range: &mut Option<std::ops::Range<usize>>,
                 out: &mut Vec<(Event<'a>, std::ops::Range<usize>)>,
                 plain_only: bool| {
        let Some(range) = run_range.take() else {
            return;
        };
        let text = std::mem::take(run);
        if !may_have_markers(&text) {
            out.push((Event::Text(CowStr::from(text)), range));
            return;
        }
        for piece in split(&text) {
            match piece {
                Piece::Text(t) => {
                    out.push((Event::Text(CowStr::from(t.to_string())), range.clone()))
                }
                Piece::Marker { at, marker } => {
                    let written = || {
                        let end = text[at..].find("}}").map_or(text.len(), |i| at + i + 2);
                        text[at..end].to_string()
                    };
                    match marker.as_ref().ok().and_then(|m| match m {
                        Marker::Fact(name) => facts.get(name),
                        Marker::Diagram { .. } => None,
                    }) {
                        Some(fact) if plain_only => {
                            out.push((Event::Text(CowStr::from(fact.value.clone())), range.clone()))
                        }
                        Some(fact) => {
                            let (open, close) = fact_html(fact);
                            out.push((Event::InlineHtml(CowStr::from(open)), range.clone()));
                            out.push((
                                Event::Text(CowStr::from(fact.value.clone())),
                                range.clone(),
                            ));
                            out.push((Event::InlineHtml(CowStr::from(close)), range.clone()));
                        }
                        None => out.push((Event::Text(CowStr::from(written())), range.clone())),
                    }
                }
            }
        }
    };

    for (event, range) in events {
        match &event {
            Event::Text(t) if !in_code_block => {
                run.push_str(t);
                run_range = Some(match run_range.take() {
                    Some(r) => r.start..range.end,
                    None => range,
                });
                continue;
            }
            _ => flush(&mut run, &mut run_range, &mut out, plain_only > 0),
        }
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::Heading { .. }) => {
                plain_only += 1
            }
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::Heading(_)) => {
                plain_only = plain_only.saturating_sub(1)
            }
            Event::Start(Tag::Paragraph) => paragraph_start = Some(out.len()),
            Event::End(TagEnd::Paragraph) => {
                // A paragraph that is one diagram marker becomes the figure.
                if let Some(start) = paragraph_start.take() {
                    if let [(Event::Text(t), _)] = &out[start + 1..] {
                        if let [Piece::Marker {
                            marker: Ok(Marker::Diagram { name, highlight }),
                            ..
                        }] = split(t.trim()).as_slice()
                        {
                            if let Some(figure) = crate::diagram::html(name, highlight.as_deref()) {
                                let range = out[start].1.start..range.end;
                                out.truncate(start);
                                out.push((Event::Html(CowStr::from(figure)), range));
                                continue;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        out.push((event, range));
    }
    flush(&mut run, &mut run_range, &mut out, plain_only > 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        parse_date(s).expect("test date")
    }

    fn page(front: &str, body: &str) -> (String, usize) {
        let text = format!("---\ntitle: \"A guide\"\n{front}---\n{body}");
        let body_line = front.lines().count() + 4;
        (text, body_line)
    }

    fn run(front: &str, body: &str, today: &str) -> Checked {
        let (text, body_line) = page(front, body);
        let yaml = &text[4..text.find("\n---\n").expect("front matter")];
        let value: yaml::Value = yaml::from_str(yaml).expect("yaml");
        let facts = value.get("facts").cloned().unwrap_or(yaml::Value::Null);
        check_page(
            Path::new("content/guides/g.md"),
            &text,
            body,
            body_line,
            &facts,
            date(today),
        )
    }

    const GOOD: &str = "facts:\n  cf_read:\n    value: \"120 s\"\n    source: \"https://developers.cloudflare.com/fundamentals/reference/connection-limits/\"\n    checked: 2026-12-01\n    label: \"Cloudflare proxy read timeout\"\n";

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(date("2026-12-01").year(), 2026);
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "26-12-01",
            "2026-1-01",
            "yesterday",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn staleness_is_twelve_months_to_the_day() {
        let checked = date("2025-12-01");
        assert!(!is_stale(checked, date("2026-12-01")));
        assert!(is_stale(checked, date("2026-12-02")));
        assert!(!is_stale(checked, date("2026-06-30")));
        assert!(is_stale(date("2024-01-31"), date("2025-02-01")));
        assert_eq!(month_year(date("2026-12-01")), "Dec 2026");
    }

    #[test]
    fn markers_split_out_of_text() {
        let pieces =
            split("waits {{fact:cf_read}} then {{ not }} {{diagram:proxy-chain highlight=cdn}}");
        assert_eq!(pieces[0], Piece::Text("waits "));
        assert_eq!(
            pieces[1],
            Piece::Marker {
                at: 6,
                marker: Ok(Marker::Fact("cf_read".into()))
            }
        );
        assert_eq!(pieces[2], Piece::Text(" then {{ not }} "));
        assert!(matches!(
            &pieces[3],
            Piece::Marker { marker: Ok(Marker::Diagram { name, highlight: Some(h) }), .. }
                if name == "proxy-chain" && h == "cdn"
        ));
        assert!(
            matches!(&split("{{fact:open")[0], Piece::Marker { marker: Err(m), .. } if m.contains("not closed"))
        );
        assert!(matches!(
            &split("{{fact:a b}}")[0],
            Piece::Marker { marker: Err(_), .. }
        ));
    }

    #[test]
    fn references_skip_code_and_find_markers_split_by_emphasis_rules() {
        let body = "Read {{fact:cf_read}} here.\n\n`{{fact:in_code}}`\n\n```\n{{fact:in_block}}\n```\n\n{{diagram:proxy-chain}}\n";
        let refs = references(body);
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert_eq!(refs[0].marker, Ok(Marker::Fact("cf_read".into())));
        assert_eq!(&body[refs[0].offset..refs[0].offset + 2], "{{");
        assert!(!refs[0].alone);
        assert!(refs[1].alone);
        assert_eq!(&body[refs[1].offset..refs[1].offset + 10], "{{diagram:");
    }

    #[test]
    fn a_good_fact_is_read_and_used() {
        let out = run(GOOD, "Cloudflare waits {{fact:cf_read}}.\n", "2026-12-01");
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let fact = out.facts.get("cf_read").expect("fact");
        assert_eq!(fact.value, "120 s");
        assert_eq!(fact.checked, date("2026-12-01"));
    }

    #[test]
    fn stale_facts_warn_naming_file_and_fact() {
        let out = run(GOOD, "Cloudflare waits {{fact:cf_read}}.\n", "2027-12-02");
        assert!(out.errors.is_empty());
        assert_eq!(out.warnings.len(), 1);
        let w = out.warnings[0].to_string();
        assert!(w.contains("content/guides/g.md:7:5"), "{w}");
        assert!(
            w.contains("fact `cf_read` was checked on 2026-12-01, more than 12 months ago"),
            "{w}"
        );
    }

    #[test]
    fn unknown_and_unused_facts_are_located() {
        let out = run(GOOD, "Intro.\n\nWaits {{fact:cf_reed}}.\n", "2026-12-01");
        assert_eq!(out.errors.len(), 1);
        let e = out.errors[0].to_string();
        assert!(e.contains("unknown fact `cf_reed`"), "{e}");
        assert!(e.contains("content/guides/g.md:12:7"), "{e}");
        assert!(e.contains("did you mean `{{fact:cf_read}}`"), "{e}");
        assert_eq!(out.warnings.len(), 1);
        let w = out.warnings[0].to_string();
        assert!(w.contains("fact `cf_read` is never used"), "{w}");
        assert!(w.contains("content/guides/g.md:4:3"), "{w}");
    }

    #[test]
    fn bad_facts_are_errors_at_their_key() {
        let front = "facts:\n  a: { value: \"1m\", source: \"http://nginx.org/\", checked: 2026-12-01 }\n  b: { value: \"1m\", checked: 2026-12-01 }\n  c: { value: \"1m\", source: \"https://nginx.org/\", checked: \"last week\" }\n  d: { value: \"1m\", source: \"https://nginx.org/\", checked: 2027-01-01 }\n  e: { value: \"1m\", source: \"https://nginx.org/\", checked: 2026-12-01, sorce: x }\n";
        let body = "{{fact:a}} {{fact:b}} {{fact:c}} {{fact:d}} {{fact:e}}\n";
        let out = run(front, body, "2026-12-01");
        let all: Vec<String> = out.errors.iter().map(ToString::to_string).collect();
        let all = all.join("\n");
        assert_eq!(out.errors.len(), 5, "{all}");
        assert!(all.contains("the source of fact `a` is not an https URL: http://nginx.org/"));
        assert!(all.contains("g.md:4:21"), "{all}");
        assert!(all.contains("fact `b` has no `source`"));
        assert!(all.contains("`checked` of fact `c` is not a date: last week"));
        assert!(all.contains("fact `d` was checked on 2027-01-01, which is in the future"));
        assert!(all.contains("fact `e` has an unknown key `sorce`"));
        assert!(all.contains("did you mean `source`?"));
        assert!(out.facts.0.is_empty());
    }

    #[test]
    fn fact_html_escapes_and_dates() {
        let fact = Fact {
            value: "120 s".into(),
            source: "https://example.com/a?b=1&c=2".into(),
            checked: date("2026-12-01"),
            label: Some("A \"quoted\" label".into()),
        };
        let (open, close) = fact_html(&fact);
        assert_eq!(open, "<span class=\"fact\">");
        assert!(
            close.contains("href=\"https://example.com/a?b=1&amp;c=2\""),
            "{close}"
        );
        assert!(
            close.contains("title=\"A &quot;quoted&quot; label: example.com, checked 2026-12-01\"")
        );
        assert!(close.contains("<time datetime=\"2026-12-01\">Dec 2026</time>"));
        assert!(close.ends_with("</a></span>"));
    }

    fn facts_for_render() -> Facts {
        let mut facts = Facts::default();
        facts.0.insert(
            "cf_proxy_read_timeout".into(),
            Fact {
                value: "120 s".into(),
                source: "https://developers.cloudflare.com/x/".into(),
                checked: date("2026-12-01"),
                label: Some("Cloudflare proxy read timeout".into()),
            },
        );
        facts
    }

    #[test]
    fn rendering_expands_facts_in_text_only() {
        let body = "Cloudflare waits **{{fact:cf_proxy_read_timeout}}** for *the origin*.\n\n\
            `{{fact:cf_proxy_read_timeout}}` stays.\n\n\
            ```\n{{fact:cf_proxy_read_timeout}}\n```\n\n\
            [limit {{fact:cf_proxy_read_timeout}}](https://example.com/)\n\n\
            | Layer | Default |\n|---|---|\n| Cloudflare | {{fact:cf_proxy_read_timeout}} |\n";
        let r = crate::markdown::render_with(body, "/", &facts_for_render());
        let html = r.html.as_str();
        assert!(
            html.contains("<strong><span class=\"fact\">120 s <a class=\"fact-src\" href=\"https://developers.cloudflare.com/x/\""),
            "{html}"
        );
        assert!(
            html.contains("<code>{{fact:cf_proxy_read_timeout}}</code>"),
            "{html}"
        );
        // Once in the code span, once in the code block: neither expanded.
        assert_eq!(
            html.matches("{{fact:cf_proxy_read_timeout}}").count(),
            2,
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://example.com/\">limit 120 s</a>"),
            "{html}"
        );
        assert!(html.contains("<td><span class=\"fact\">120 s"), "{html}");
        let inline = crate::markdown::render_with(
            "## Waits {{fact:cf_proxy_read_timeout}}\n\n![A {{fact:cf_proxy_read_timeout}} wait](/a.png)\n",
            "/",
            &facts_for_render(),
        );
        assert!(
            inline.html.contains("alt=\"A 120 s wait\""),
            "{}",
            inline.html
        );
        assert_eq!(inline.toc[0].title, "Waits 120 s");
        assert!(!inline.html.contains("fact-src"), "{}", inline.html);
        assert_eq!(html.matches("class=\"fact-src\"").count(), 2, "{html}");
        assert!(
            r.plain_text
                .contains("Cloudflare waits 120 s for the origin."),
            "{}",
            r.plain_text
        );
        assert!(!r.plain_text.contains("source, checked"));
    }

    #[test]
    fn rendering_draws_a_diagram_paragraph() {
        let body = "Intro.\n\n{{diagram:proxy-chain highlight=reverse-proxy}}\n\nAfter.\n";
        let r = crate::markdown::render_with(body, "/", &Facts::default());
        let html = r.html.as_str();
        assert!(html.contains("<figure class=\"diagram\">"), "{html}");
        assert!(!html.contains("<p><figure"), "{html}");
        assert!(!html.contains("{{diagram"), "{html}");
        assert!(html.contains("<p>After.</p>"));
    }

    #[test]
    fn odd_markers_neither_panic_nor_expand_wrongly() {
        let facts = facts_for_render();
        for body in [
            "{{fact:",
            "{{fact:cf_proxy_read_timeout}}}}",
            "**{{fact:cf_proxy_read_timeout**}}",
            "{{fact:é}} {{diagram:}} {{diagram:proxy-chain highlight=}}",
            "- {{diagram:proxy-chain}}\n- b\n",
            "> {{diagram:proxy-chain}}\r\n",
            "[{{fact:cf_proxy_read_timeout}}][r]\n\n[r]: /x/\n",
            "<div>{{fact:cf_proxy_read_timeout}}</div>\n",
            "\\{{fact:cf_proxy_read_timeout}}",
        ] {
            let refs = references(body);
            for r in &refs {
                assert!(r.offset <= body.len(), "{body:?}: {r:?}");
            }
            let html = crate::markdown::render_with(body, "/", &facts).html;
            assert!(!html.contains("<p><figure"), "{body:?}: {html}");
        }
        // In a list item the diagram is not alone in a paragraph: an error, never a figure.
        let refs = references("- {{diagram:proxy-chain}}\n- b\n");
        assert!(!refs[0].alone);
        // Inside a blockquote it is a paragraph of its own.
        assert!(references("> {{diagram:proxy-chain}}\n")[0].alone);
    }
}
