//! Framework constants: what each ecosystem calls each status code, from
//! `content/framework-constants.yaml`.
//!
//! A reader who meets `HttpStatus.CONTENT_TOO_LARGE`, `StatusRequestEntityTooLarge` or
//! `:unprocessable_entity` in code wants the page behind it, and a reader on a code page wants
//! the name to type in their framework. One data file holds both directions: `ecosystems`
//! (display name, how a constant is written, the source it was read from, the version and the
//! date) and `codes` (every code that has a page × every ecosystem: the name, `none`, or a
//! name with its history). This module validates it against the site's code pages, with a
//! located error for every problem (all of them at once, like the rest of the build), and turns
//! it into the rows each code page shows ([`FrameworkName`]) and the names its search
//! document carries. The file is optional: a site without it shows no table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{closest, Diagnostic};
use crate::site::Site;
use crate::yaml::{self, key_text, kind, Value};

/// Where the data lives, relative to the site root.
pub const FILE: &str = "content/framework-constants.yaml";

/// The word that says an ecosystem has no constant for a code.
pub const NONE: &str = "none";

/// Top-level keys of the file.
const TOP_KEYS: &[&str] = &["ecosystems", "codes"];

/// One ecosystem as declared under `ecosystems:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ecosystem {
    /// Display name: `Python`, `Rails / Rack`.
    pub name: String,
    /// The module, class or table holding the names: `http.HTTPStatus`.
    pub api: String,
    /// How a constant is written in code, `{}` standing for the name: `HTTPStatus.{}`.
    pub written: String,
    /// The source file the names were read from.
    pub source: String,
    /// The version read.
    pub version: String,
    /// When it was read (`2026-12-01`).
    pub checked: String,
    /// How the names are derived, or where else they apply.
    #[serde(default)]
    pub note: Option<String>,
}

impl Ecosystem {
    /// `name` as a reader types it: `HTTPStatus.TOO_MANY_REQUESTS`.
    pub fn write(&self, name: &str) -> String {
        self.written.replace("{}", name)
    }
}

/// One code's name in one ecosystem, as written in the file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The current constant, or `none` when there is none (a removed one goes in `formerly`).
    pub name: String,
    /// The version that introduced `name`.
    #[serde(default)]
    pub since: Option<String>,
    /// Older names for the code (aliases, deprecated or removed; `note` says which).
    #[serde(default)]
    pub formerly: Vec<String>,
    /// Other current names with the same value (.NET's `Redirect` for 302).
    #[serde(default)]
    pub also: Vec<String>,
    /// The version since which `name` itself is deprecated.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// One short remark.
    #[serde(default)]
    pub note: Option<String>,
}

impl Entry {
    /// Whether the ecosystem has a constant for the code now.
    pub fn has_constant(&self) -> bool {
        self.name != NONE
    }
}

/// The validated file: ecosystems in file order, and each code's entries in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Constants {
    /// `(id, ecosystem)` in the order written.
    pub ecosystems: Vec<(String, Ecosystem)>,
    /// Code → one entry per ecosystem, in the order of [`Constants::ecosystems`].
    pub codes: BTreeMap<u16, Vec<Entry>>,
}

/// One row of a code page's "In your framework" table; also what its search document gets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkName {
    /// The ecosystem's id in the data file.
    pub id: String,
    /// Display name.
    pub ecosystem: String,
    /// The module, class or table.
    pub api: String,
    /// The constant as written in code, `None` when the ecosystem has none.
    pub constant: Option<String>,
    /// Other current names, as written.
    pub also: Vec<String>,
    /// Older names, as written.
    pub formerly: Vec<String>,
    /// The version that introduced the constant.
    pub since: Option<String>,
    /// The version since which the constant is deprecated.
    pub deprecated: Option<String>,
    /// A short remark.
    pub note: Option<String>,
    /// What the table says after the constant, in order: `3.13+`, `deprecated since 7.0`,
    /// `also …`, `formerly …`, the note.
    pub details: Vec<Detail>,
    /// The source the name was read from.
    pub source: String,
    /// The version read.
    pub version: String,
    /// When it was read.
    pub checked: String,
}

/// One remark on a [`FrameworkName`]: a label, and the constants it names (shown as code).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    /// `3.13+`, `formerly`, or a note.
    pub label: String,
    /// Constants as written, after the label.
    pub names: Vec<String>,
}

impl Detail {
    fn text(label: impl Into<String>) -> Detail {
        Detail {
            label: label.into(),
            names: Vec::new(),
        }
    }
}

impl Constants {
    /// The rows for `code`, one per ecosystem; empty when the code has no row.
    pub fn rows(&self, code: u16) -> Vec<FrameworkName> {
        let Some(entries) = self.codes.get(&code) else {
            return Vec::new();
        };
        self.ecosystems
            .iter()
            .zip(entries)
            .map(|((id, eco), entry)| {
                let write = |names: &[String]| -> Vec<String> {
                    names.iter().map(|n| eco.write(n)).collect()
                };
                let mut details = Vec::new();
                if let Some(since) = &entry.since {
                    details.push(Detail::text(format!("{since}+")));
                }
                if let Some(version) = &entry.deprecated {
                    details.push(Detail::text(format!("deprecated since {version}")));
                }
                if !entry.also.is_empty() {
                    details.push(Detail {
                        label: "also".into(),
                        names: write(&entry.also),
                    });
                }
                if !entry.formerly.is_empty() {
                    details.push(Detail {
                        label: "formerly".into(),
                        names: write(&entry.formerly),
                    });
                }
                if let Some(note) = &entry.note {
                    details.push(Detail::text(note.clone()));
                }
                FrameworkName {
                    id: id.clone(),
                    ecosystem: eco.name.clone(),
                    api: eco.api.clone(),
                    constant: entry.has_constant().then(|| eco.write(&entry.name)),
                    also: write(&entry.also),
                    formerly: write(&entry.formerly),
                    since: entry.since.clone(),
                    deprecated: entry.deprecated.clone(),
                    note: entry.note.clone(),
                    details,
                    source: eco.source.clone(),
                    version: eco.version.clone(),
                    checked: eco.checked.clone(),
                }
            })
            .collect()
    }

    /// The names of `code` for its search document, as written (`http.StatusTeapot`,
    /// `HTTPStatus.IM_A_TEAPOT`, `:im_a_teapot`): current, other and former ones, in ecosystem
    /// order. A name whose words are those of a `known` name (the page's title or a former
    /// name) or of an earlier one is left out: it would only repeat words the document has,
    /// and a longer field ranks the page lower for every other word in it.
    pub fn search_names(&self, code: u16, known: &[&str]) -> Vec<String> {
        let mut seen: BTreeSet<String> = known.iter().map(|k| words(k)).collect();
        let mut names = Vec::new();
        for row in self.rows(code) {
            for name in row.constant.iter().chain(&row.also).chain(&row.formerly) {
                if seen.insert(words(name)) {
                    names.push(name.clone());
                }
            }
        }
        names
    }
}

/// The words of a name, lowercased: `HTTPStatus.TOO_MANY_REQUESTS` → `httpstatus too many
/// requests`, `'Too Many Requests'` → `too many requests`.
fn words(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads and validates the file at `root` against the codes that have a page; `Ok(None)` when
/// there is no file. Errors are all the problems found; warnings go into `warnings`.
pub fn load(
    root: &Path,
    page_codes: &BTreeSet<u16>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Option<Constants>, Vec<Diagnostic>> {
    let path = root.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(vec![Diagnostic::cannot_read(FILE, &e)]),
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        vec![
            Diagnostic::error(FILE, format!("the file is not valid UTF-8: {e}"))
                .help("save it as UTF-8"),
        ]
    })?;
    parse(&text, page_codes, warnings).map(Some)
}

/// Validates the text of the file (see [`load`]).
pub fn parse(
    text: &str,
    page_codes: &BTreeSet<u16>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Constants, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let keys = KeyLines::scan(text);
    let error = |message: String, path: &[&str]| {
        let d = Diagnostic::error(FILE, message);
        match keys.locate(path) {
            Some((line, column)) => d.at(text, line, column),
            None => d,
        }
    };
    let value: Value = yaml::from_str(text).map_err(|e| {
        let message = &e.message;
        // The parser refuses a key written twice; the scan of the lines names both places.
        if e.is_duplicate_key() && !keys.duplicates.is_empty() {
            return keys
                .duplicates
                .iter()
                .map(|dup| {
                    Diagnostic::error(
                        FILE,
                        format!("`{}` is written twice {}", dup.key, dup.place()),
                    )
                    .at(text, dup.line, dup.column)
                    .help(format!(
                        "keep one `{}:` (the first is on line {}); YAML keeps only one of them",
                        dup.key, dup.first_line
                    ))
                })
                .collect();
        }
        let mut d = Diagnostic::error(FILE, format!("invalid YAML: {message}"));
        if let Some((line, column)) = e.location {
            d = d.at(text, line, column);
        }
        vec![d.help(if e.is_duplicate_key() {
            "write each key once"
        } else {
            "fix the YAML syntax; quote values that contain `: ` or start with a special character"
        })]
    })?;
    let mut errors: Vec<Diagnostic> = Vec::new();
    let Value::Mapping(top) = value else {
        return Err(vec![Diagnostic::error(
            FILE,
            "the file must be a mapping with `ecosystems:` and `codes:`",
        )
        .at(text, 1, 1)
        .help("start with `ecosystems:` (one entry per framework), then `codes:` (one entry per code)")]);
    };
    for key in top.keys() {
        let name = key_text(key);
        if !TOP_KEYS.contains(&name.as_str()) {
            errors.push(
                error(format!("unknown key `{name}`"), &[&name]).help(suggest(
                    &name,
                    TOP_KEYS,
                    "the file has two keys",
                )),
            );
        }
    }

    // Ecosystems.
    let mut ecosystems: Vec<(String, Ecosystem)> = Vec::new();
    match top.get("ecosystems") {
        Some(Value::Mapping(map)) => {
            for (key, value) in map {
                let id = key_text(key);
                let at = ["ecosystems", id.as_str()];
                if !is_id(&id) {
                    errors.push(
                        error(format!("ecosystem id `{id}` is not a lowercase word"), &at)
                            .help("use lowercase letters, digits, `-` or `_`, e.g. `python` or `dotnet`"),
                    );
                    continue;
                }
                match yaml::from_value::<Ecosystem>(value.clone()) {
                    Ok(eco) if !eco.written.contains("{}") => errors.push(
                        error(
                            format!("ecosystem `{id}`: `written` has no `{{}}` for the name"),
                            &["ecosystems", &id, "written"],
                        )
                        .help("write how a constant looks in code with `{}` for its name, e.g. `HTTPStatus.{}`"),
                    ),
                    Ok(eco) if !(eco.source.starts_with("https://") || eco.source.starts_with("http://")) => errors.push(
                        error(
                            format!("ecosystem `{id}`: `source` is not an http(s) URL"),
                            &["ecosystems", &id, "source"],
                        )
                        .help("link the source file the names were read from, e.g. https://github.com/o/r/blob/v1.2.3/path"),
                    ),
                    Ok(eco) => {
                        if let Some(key) = empty_field(&eco) {
                            errors.push(
                                error(
                                    format!("ecosystem `{id}`: `{key}` is empty"),
                                    &["ecosystems", &id, key],
                                )
                                .help("every ecosystem names its source, the version read and the date checked"),
                            );
                        }
                        ecosystems.push((id, eco));
                    }
                    Err(e) => {
                        // An unknown key: point at it.
                        let path: Vec<&str> =
                            at.iter().copied().chain(e.unknown_field()).collect();
                        let message = &e.message;
                        errors.push(error(format!("ecosystem `{id}`: {message}"), &path).help(
                            "an ecosystem has name, api, written, source, version, checked (all text) and an optional note",
                        ));
                    }
                }
            }
        }
        Some(other) => errors.push(
            error(
                format!("`ecosystems` must be a mapping, found {}", kind(other)),
                &["ecosystems"],
            )
            .help("write one `id:` per ecosystem, each with name, api, written, source, version, checked"),
        ),
        None => errors.push(
            Diagnostic::error(FILE, "missing `ecosystems:`")
                .at(text, 1, 1)
                .help("declare the ecosystems the codes name, e.g. `ecosystems:` / `  python:` / `    name: Python` …"),
        ),
    }
    let ids: Vec<&str> = ecosystems.iter().map(|(id, _)| id.as_str()).collect();
    // Ecosystems declared but refused above: their entries are not reported again.
    let refused: BTreeSet<String> = match top.get("ecosystems") {
        Some(Value::Mapping(map)) => map
            .keys()
            .map(key_text)
            .filter(|id| !ids.contains(&id.as_str()))
            .collect(),
        _ => BTreeSet::new(),
    };

    // Codes.
    let mut codes: BTreeMap<u16, Vec<Entry>> = BTreeMap::new();
    match top.get("codes") {
        Some(Value::Mapping(map)) => {
            for (key, value) in map {
                let key_name = key_text(key);
                let at = ["codes", key_name.as_str()];
                let Some(code) = code_of(key) else {
                    errors.push(
                        error(format!("`{key_name}` is not a status code"), &at)
                            .help("key each row by its three-digit code, e.g. `429:`"),
                    );
                    continue;
                };
                if !page_codes.contains(&code) {
                    errors.push(error(format!("code {code} has no page"), &at).help(format!(
                        "write content/codes/{code}.md, or remove the row for {code}"
                    )));
                    continue;
                }
                let Value::Mapping(row) = value else {
                    errors.push(
                        error(
                            format!(
                                "code {code}: expected one `ecosystem: name` per line, found {}",
                                kind(value)
                            ),
                            &at,
                        )
                        .help(format!(
                            "write e.g. `{code}:` / `  python: NAME` / `  go: none`"
                        )),
                    );
                    continue;
                };
                let mut found: BTreeMap<&str, Entry> = BTreeMap::new();
                let mut malformed = false;
                for (eco_key, entry) in row {
                    let eco = key_text(eco_key);
                    let at = ["codes", key_name.as_str(), eco.as_str()];
                    let Some(&id) = ids.iter().find(|id| **id == eco) else {
                        if !ids.is_empty() && !refused.contains(&eco) {
                            errors.push(
                                error(format!("code {code}: unknown ecosystem `{eco}`"), &at).help(
                                    suggest(
                                        &eco,
                                        &ids,
                                        "declare it under `ecosystems:`; the ecosystems are",
                                    ),
                                ),
                            );
                        }
                        continue;
                    };
                    match parse_entry(entry) {
                        Ok(entry) => {
                            found.insert(id, entry);
                        }
                        Err(message) => {
                            malformed = true;
                            errors.push(error(format!("code {code}, {eco}: {message}"), &at).help(
                                "write the name, `none`, or `{name: NAME, since: \"1.2\", formerly: [OLD], also: [OTHER], deprecated: \"1.3\", note: \"…\"}`",
                            ));
                            found.insert(id, Entry::default());
                        }
                    }
                }
                let missing: Vec<&str> = ids
                    .iter()
                    .copied()
                    .filter(|id| !found.contains_key(id))
                    .collect();
                if malformed {
                    continue;
                }
                if !missing.is_empty() && !ids.is_empty() {
                    let listed = missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    errors.push(
                        error(format!("code {code} has no entry for {listed}"), &at).help(format!(
                            "every code names every ecosystem; write `{}: none` where it has no constant",
                            missing[0]
                        )),
                    );
                    continue;
                }
                let entries = ids
                    .iter()
                    .map(|id| found.remove(id).unwrap_or_default())
                    .collect();
                codes.insert(code, entries);
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => errors.push(
            error(
                format!("`codes` must be a mapping, found {}", kind(other)),
                &["codes"],
            )
            .help("write one `NNN:` per code, each with one `ecosystem: name` per line"),
        ),
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let without: Vec<String> = page_codes
        .iter()
        .filter(|c| !codes.contains_key(c))
        .map(u16::to_string)
        .collect();
    if !without.is_empty() && !ecosystems.is_empty() {
        warnings.push(
            Diagnostic::warning(
                FILE,
                format!(
                    "{} code page(s) without a row: {}",
                    without.len(),
                    without.join(", ")
                ),
            )
            .help("add a row per code (with `none` where an ecosystem has no constant), so each code page shows the table"),
        );
    }
    Ok(Constants { ecosystems, codes })
}

/// Validates the file against the site's code pages and gives each page its rows; problems
/// go into `diagnostics`. A site without the file is left as it is.
pub fn attach(root: &Path, site: &mut Site, diagnostics: &mut Vec<Diagnostic>) {
    let page_codes: BTreeSet<u16> = site.codes.iter().map(|p| p.code).collect();
    let mut warnings = Vec::new();
    match load(root, &page_codes, &mut warnings) {
        Ok(Some(constants)) => {
            for page in &mut site.codes {
                page.frameworks = constants.rows(page.code);
                let known: Vec<&str> = std::iter::once(page.name.as_str())
                    .chain(page.aliases.iter().map(String::as_str))
                    .collect();
                page.framework_names = constants.search_names(page.code, &known);
            }
        }
        Ok(None) => {}
        Err(errors) => diagnostics.extend(errors),
    }
    diagnostics.extend(warnings);
}

fn parse_entry(value: &Value) -> Result<Entry, String> {
    let entry = match value {
        Value::String(name) => Entry {
            name: name.clone(),
            ..Entry::default()
        },
        Value::Mapping(_) => yaml::from_value::<Entry>(value.clone()).map_err(|e| {
            let message = e.message;
            if message.contains("expected a string") {
                format!("{message} (quote versions: `since: \"3.10\"`, unquoted 3.10 is the number 3.1)")
            } else {
                message
            }
        })?,
        other => {
            return Err(format!(
                "expected a name, `none` or a mapping, found {}",
                kind(other)
            ))
        }
    };
    let names = std::iter::once(&entry.name)
        .chain(&entry.formerly)
        .chain(&entry.also);
    for name in names {
        if name.trim().is_empty() || name.trim() != name || name.contains('\n') {
            return Err(format!(
                "`{}` is not a name: empty, padded or on several lines",
                name.escape_debug()
            ));
        }
    }
    for name in entry.formerly.iter().chain(&entry.also) {
        if name == NONE {
            return Err("`none` is not an older or other name; leave it out".into());
        }
    }
    let mapping = matches!(value, Value::Mapping(_));
    if mapping && !entry.has_constant() && entry.formerly.is_empty() && entry.note.is_none() {
        return Err(
            "`{name: none}` says nothing more than `none`: write `none`, or add `formerly`".into(),
        );
    }
    if !entry.has_constant() && (entry.since.is_some() || entry.deprecated.is_some()) {
        return Err("`since` and `deprecated` describe a name, and this entry has none".into());
    }
    Ok(entry)
}

fn empty_field(eco: &Ecosystem) -> Option<&'static str> {
    [
        ("name", &eco.name),
        ("api", &eco.api),
        ("source", &eco.source),
        ("version", &eco.version),
        ("checked", &eco.checked),
    ]
    .into_iter()
    .find(|(_, v)| v.trim().is_empty())
    .map(|(k, _)| k)
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn code_of(key: &Value) -> Option<u16> {
    let code = match key {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if s.len() == 3 => s.parse().ok()?,
        _ => return None,
    };
    u16::try_from(code).ok().filter(|c| (100..=599).contains(c))
}

/// `did you mean …?`, or the list of what is allowed.
fn suggest(word: &str, known: &[&str], intro: &str) -> String {
    match closest(word, known) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("{intro}: {}", known.join(", ")),
    }
}

/// The line and column of every key written in block style (`key:` at the start of a line),
/// by its path of parent keys: enough to point at the code, ecosystem or field a problem is
/// in. Keys inside flow mappings (`{name: …}`) are not tracked; their nearest block-style
/// parent is pointed at instead. Keys written twice under one parent are collected.
struct KeyLines {
    /// Path (keys joined with `\n`) → 1-based (line, column).
    at: BTreeMap<String, (usize, usize)>,
    duplicates: Vec<Duplicate>,
}

/// A key written twice under the same parent.
struct Duplicate {
    key: String,
    parents: Vec<String>,
    line: usize,
    column: usize,
    first_line: usize,
}

impl Duplicate {
    fn place(&self) -> String {
        match self.parents.last() {
            None => "at the top level".into(),
            Some(parent) => format!("under `{parent}`"),
        }
    }
}

impl KeyLines {
    fn scan(text: &str) -> KeyLines {
        let mut at = BTreeMap::new();
        let mut duplicates = Vec::new();
        // (indent, key) of the open block mappings.
        let mut stack: Vec<(usize, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start_matches(' ');
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
                continue;
            }
            let indent = line.len() - trimmed.len();
            while stack.last().is_some_and(|(d, _)| *d >= indent) {
                stack.pop();
            }
            let Some(key) = block_key(trimmed) else {
                continue;
            };
            let mut path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
            path.push(key.clone());
            let joined = path.join("\n");
            if let Some(&(first_line, _)) = at.get(&joined) {
                path.pop();
                duplicates.push(Duplicate {
                    key: key.clone(),
                    parents: path,
                    line: i + 1,
                    column: indent + 1,
                    first_line,
                });
            } else {
                at.insert(joined, (i + 1, indent + 1));
            }
            stack.push((indent, key));
        }
        KeyLines { at, duplicates }
    }

    /// Where the deepest written prefix of `path` is.
    fn locate(&self, path: &[&str]) -> Option<(usize, usize)> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.at.get(&path[..n].join("\n")).copied())
    }
}

/// The key of a `key: …` line (plain, or quoted with `"` or `'`), if it is one.
fn block_key(line: &str) -> Option<String> {
    let (key, rest) = match line.chars().next()? {
        quote @ ('"' | '\'') => {
            let end = line[1..].find(quote)? + 1;
            (line[1..end].to_string(), &line[end + 1..])
        }
        '-' | '{' | '[' | '?' | '&' | '*' | '!' | '|' | '>' => return None,
        _ => {
            let colon = line
                .char_indices()
                .find(|&(i, c)| c == ':' && line[i + 1..].chars().next().is_none_or(|n| n == ' '))?
                .0;
            (line[..colon].trim_end().to_string(), &line[colon..])
        }
    };
    let after = rest.strip_prefix(':')?;
    (after.is_empty() || after.starts_with(' ')).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECOS: &str = "ecosystems:\n  python:\n    name: Python\n    api: http.HTTPStatus\n    written: \"HTTPStatus.{}\"\n    source: https://example.org/http.py\n    version: \"3.13\"\n    checked: 2026-12-01\n  go:\n    name: Go\n    api: net/http\n    written: \"http.{}\"\n    source: https://example.org/status.go\n    version: \"1.25\"\n    checked: 2026-12-01\n";

    fn codes(list: &[u16]) -> BTreeSet<u16> {
        list.iter().copied().collect()
    }

    fn check(text: &str, pages: &[u16]) -> Result<Constants, Vec<Diagnostic>> {
        parse(text, &codes(pages), &mut Vec::new())
    }

    fn errors(text: &str, pages: &[u16]) -> Vec<Diagnostic> {
        match check(text, pages) {
            Ok(c) => panic!("expected errors, got {c:?}"),
            Err(errors) => errors,
        }
    }

    #[test]
    fn rows_write_each_name_with_its_history() {
        let text = format!("{ECOS}codes:\n  413:\n    python: {{name: CONTENT_TOO_LARGE, since: \"3.13\", formerly: [REQUEST_ENTITY_TOO_LARGE]}}\n    go: StatusRequestEntityTooLarge\n  306:\n    python: none\n    go: none\n");
        let c = check(&text, &[306, 413]).expect("valid");
        let rows = c.rows(413);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].ecosystem, "Python");
        assert_eq!(
            rows[0].constant.as_deref(),
            Some("HTTPStatus.CONTENT_TOO_LARGE")
        );
        assert_eq!(
            rows[0].formerly,
            vec!["HTTPStatus.REQUEST_ENTITY_TOO_LARGE"]
        );
        assert_eq!(rows[0].since.as_deref(), Some("3.13"));
        assert_eq!(
            rows[1].constant.as_deref(),
            Some("http.StatusRequestEntityTooLarge")
        );
        assert!(rows[1].details.is_empty());
        let details: Vec<(&str, Vec<&str>)> = rows[0]
            .details
            .iter()
            .map(|d| {
                (
                    d.label.as_str(),
                    d.names.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            details,
            vec![
                ("3.13+", vec![]),
                ("formerly", vec!["HTTPStatus.REQUEST_ENTITY_TOO_LARGE"])
            ]
        );
        assert!(c.rows(306).iter().all(|r| r.constant.is_none()));
        assert!(c.rows(599).is_empty());
        assert_eq!(
            c.search_names(413, &[]),
            vec![
                "HTTPStatus.CONTENT_TOO_LARGE",
                "HTTPStatus.REQUEST_ENTITY_TOO_LARGE",
                "http.StatusRequestEntityTooLarge",
            ]
        );
        // Names with the words of the page's own names are left out.
        assert_eq!(
            c.search_names(
                413,
                &["Content Too Large", "httpstatus request-entity too large"]
            ),
            vec![
                "HTTPStatus.CONTENT_TOO_LARGE",
                "http.StatusRequestEntityTooLarge"
            ]
        );
        assert_eq!(
            words("HTTPStatus.TOO_MANY_REQUESTS"),
            "httpstatus too many requests"
        );
        assert_eq!(words("'Too Many Requests'"), "too many requests");
        assert!(c.search_names(306, &[]).is_empty());
    }

    #[test]
    fn an_unknown_code_is_located_at_its_key() {
        let text = format!("{ECOS}codes:\n  413:\n    python: A\n    go: B\n  999:\n    python: A\n    go: B\n  414:\n    python: A\n    go: B\n");
        let errs = errors(&text, &[413]);
        let messages: Vec<String> = errs.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            messages,
            vec!["`999` is not a status code", "code 414 has no page"]
        );
        assert_eq!(errs[0].line(), Some(20));
        assert_eq!(errs[1].line(), Some(23));
        assert_eq!(errs[1].column(), Some(3));
        assert!(errs[1]
            .help
            .as_deref()
            .unwrap()
            .contains("content/codes/414.md"));
    }

    #[test]
    fn an_unknown_or_missing_ecosystem_is_named() {
        let text = format!("{ECOS}codes:\n  413:\n    python: A\n    rubby: B\n");
        let errs = errors(&text, &[413]);
        assert_eq!(errs[0].message, "code 413: unknown ecosystem `rubby`");
        assert_eq!(errs[0].line(), Some(19));
        assert_eq!(errs[0].column(), Some(5));
        assert_eq!(errs[1].message, "code 413 has no entry for `go`");
        assert_eq!(errs[1].line(), Some(17));
        assert_eq!(
            errs[1].help.as_deref(),
            Some("every code names every ecosystem; write `go: none` where it has no constant")
        );
    }

    #[test]
    fn malformed_entries_are_reported_together() {
        let text = format!("{ECOS}codes:\n  413:\n    python: [A]\n    go: {{name: X, sinse: \"1\"}}\n  414:\n    python: {{name: none}}\n    go: {{name: B, since: 1.10}}\n");
        let errs = errors(&text, &[413, 414]);
        let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].starts_with("code 413, python: expected a name"),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("unknown field `sinse`"),
            "{messages:?}"
        );
        assert!(
            messages[2].contains("says nothing more than `none`"),
            "{messages:?}"
        );
        assert!(messages[3].contains("quote versions"), "{messages:?}");
        assert_eq!(errs[1].line(), Some(19));
    }

    #[test]
    fn duplicate_keys_are_errors_with_both_lines() {
        let text = format!("{ECOS}codes:\n  413:\n    python: A\n    go: B\n    python: C\n");
        let errs = errors(&text, &[413]);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "`python` is written twice under `413`");
        assert_eq!(errs[0].line(), Some(20));
        assert!(errs[0].help.as_deref().unwrap().contains("line 18"));
        let text = format!(
            "{ECOS}codes:\n  413:\n    python: A\n    go: B\n  413:\n    python: A\n    go: B\n"
        );
        assert_eq!(
            errors(&text, &[413])[0].message,
            "`413` is written twice under `codes`"
        );
        // In a flow mapping: the parser's own message and place.
        let text = format!("{ECOS}codes:\n  413: {{python: A, go: B, python: C}}\n");
        let errs = errors(&text, &[413]);
        assert_eq!(
            errs[0].message,
            "invalid YAML: codes.413: duplicate entry with key \"python\""
        );
        assert_eq!(errs[0].help.as_deref(), Some("write each key once"));
        assert_eq!(errs[0].line(), Some(17));
        // Lines of a block scalar that look like keys are not keys.
        let text = format!(
            "{ECOS}codes:\n  413:\n    python:\n      name: A\n      note: |\n        a: 1\n        a: 1\n    go: B\n"
        );
        assert!(check(&text, &[413]).is_ok());
    }

    #[test]
    fn ecosystems_are_checked() {
        let text = ECOS
            .replace("\"http.{}\"", "http.Status")
            .replace("version: \"3.13\"", "versoin: \"3.13\"");
        let errs = errors(
            &format!("{text}codes:\n  413:\n    python: A\n    go: B\n"),
            &[413],
        );
        let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("ecosystem `python`: unknown field `versoin`"),
            "{messages:?}"
        );
        assert_eq!(errs[0].line(), Some(7));
        assert_eq!(
            messages[1],
            "ecosystem `go`: `written` has no `{}` for the name"
        );
        assert_eq!(errs[1].line(), Some(12));
    }

    #[test]
    fn a_refused_ecosystem_is_reported_once() {
        let text = ECOS.replace("version: \"3.13\"", "version: 3.13");
        let errs = errors(
            &format!("{text}codes:\n  413:\n    python: A\n    go: B\n  414:\n    python: A\n    go: B\n"),
            &[413, 414],
        );
        let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("ecosystem `python`: "),
            "{messages:?}"
        );
    }

    #[test]
    fn pages_without_a_row_are_a_warning() {
        let text = format!("{ECOS}codes:\n  413:\n    python: A\n    go: B\n");
        let mut warnings = Vec::new();
        parse(&text, &codes(&[413, 425, 530]), &mut warnings).expect("valid");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].message,
            "2 code page(s) without a row: 425, 530"
        );
        assert!(!warnings[0].is_error());
    }

    #[test]
    fn yaml_errors_and_other_shapes() {
        let errs = errors("ecosystems: [\n", &[]);
        assert!(errs[0].message.starts_with("invalid YAML"), "{errs:?}");
        assert!(errs[0].line().is_some());
        let errs = errors("- a\n", &[]);
        assert!(errs[0].message.contains("must be a mapping"));
        let errs = errors(&format!("{ECOS}code:\n"), &[]);
        assert_eq!(errs[0].message, "unknown key `code`");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `codes`?"));
        assert_eq!(errs[0].line(), Some(16));
    }

    #[test]
    fn block_keys() {
        assert_eq!(block_key("python: A").as_deref(), Some("python"));
        assert_eq!(block_key("\"413\":").as_deref(), Some("413"));
        assert_eq!(
            block_key("source: https://x.org/a:b").as_deref(),
            Some("source")
        );
        assert_eq!(block_key("- item"), None);
        assert_eq!(block_key("just text"), None);
        assert_eq!(block_key("http://x"), None);
    }

    #[test]
    fn the_repository_data_is_valid() {
        let text = include_str!("../content/framework-constants.yaml");
        let pages: BTreeSet<u16> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/content/codes"))
                .expect("content/codes")
                .filter_map(|e| {
                    e.ok()?
                        .file_name()
                        .to_str()?
                        .strip_suffix(".md")?
                        .parse()
                        .ok()
                })
                .collect();
        let mut warnings = Vec::new();
        let c = parse(text, &pages, &mut warnings).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(c.ecosystems.len() >= 12);
        assert!(c.codes.len() >= 96, "{warnings:?}");
        let python = |code: u16| c.rows(code)[0].constant.clone();
        assert_eq!(python(429).as_deref(), Some("HTTPStatus.TOO_MANY_REQUESTS"));
        assert_eq!(
            python(422).as_deref(),
            Some("HTTPStatus.UNPROCESSABLE_CONTENT")
        );
        let names = c.search_names(413, &["Content Too Large"]);
        assert!(names.contains(&"HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE".into()));
        assert!(!names.contains(&"'Content Too Large'".into()), "{names:?}");
        // `:unprocessable_entity` has the words of Node's `'Unprocessable Entity'`: one of
        // them is enough for the index.
        let names = c.search_names(422, &[]);
        assert!(
            names.contains(&"'Unprocessable Entity'".into()),
            "{names:?}"
        );
        assert!(
            !names.contains(&":unprocessable_entity".into()),
            "{names:?}"
        );
        assert!(
            names.contains(&":unprocessable_content".into()),
            "{names:?}"
        );
    }
}
