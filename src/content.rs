//! Discovery and front matter: `content/**/*.md` → [`Page`].
//!
//! This stage owns everything about a single file: reading it (UTF-8, BOM, CRLF), splitting the
//! YAML front matter from the markdown body, typing the front matter and checking what can be
//! checked without looking at other pages. Cross-page rules (duplicate codes, links) belong to
//! [`crate::site`].

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{closest, line_col, Diagnostic};
use crate::yaml::{self, refusal, YamlError};

/// Front-matter keys a page may use; anything else is reported with the closest of these.
pub const KNOWN_KEYS: &[&str] = &[
    "code",
    "title",
    "description",
    "source",
    "spec_url",
    "status",
    "vendor",
    "related",
    "aliases",
    "keywords",
    "draft",
    "layout",
    "head",
    "meanings",
    "facts",
];

/// Descriptions longer than this are cut off in search engine results.
pub const DESCRIPTION_MAX: usize = 160;

/// Where a status code stands (`status:` in front matter): the type the search indexes too.
pub use statusref_search::Status;

/// `keywords:` as a YAML list or as one comma-separated string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keywords(pub Vec<String>);

impl<'de> Deserialize<'de> for Keywords {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        // Keywords also take booleans (`keywords: [yes]` is the word "true" in YAML 1.1).
        fn scalar(v: &yaml::Value) -> Option<String> {
            match v {
                yaml::Value::Bool(b) => Some(b.to_string()),
                other => yaml::scalar(other),
            }
        }
        let value = yaml::Value::deserialize(d)?;
        let words = match &value {
            yaml::Value::Null => Vec::new(),
            yaml::Value::Sequence(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| D::Error::custom("keywords must be a list of words or phrases"))?,
            other => scalar(other)
                .ok_or_else(|| D::Error::custom("keywords must be a list of words or phrases"))?
                .split(',')
                .map(str::to_string)
                .collect(),
        };
        Ok(Keywords(
            words
                .into_iter()
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect(),
        ))
    }
}

/// One meaning of a code that means different things to different vendors (420, 499, 530).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MeaningFront {
    /// Reason phrase, without the number: `Token Required`.
    pub name: String,
    /// Who uses it; none for the IANA meaning.
    pub vendor: Option<String>,
    /// Derived from `source` when absent.
    pub status: Option<Status>,
    /// `RFC 7725 §3` or `Unofficial (Esri ArcGIS)`.
    pub source: Option<String>,
    /// Specification or vendor documentation: http(s) or a path.
    pub spec_url: Option<LinkUrl>,
    /// One sentence on this meaning.
    pub summary: Option<String>,
    /// Former and alternate names of this meaning.
    pub aliases: Vec<String>,
    /// What a reader types for this meaning.
    pub keywords: Keywords,
}

/// The typed front matter, as written (see DESIGN.md "Front matter").
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct FrontMatter {
    /// The code; may be omitted when the file name or the title gives it.
    pub code: Option<i64>,
    /// Required.
    pub title: Option<String>,
    /// Meta description and search snippet; derived from the body when absent.
    pub description: Option<String>,
    /// `RFC 9110 §15.6.5` or `Unofficial (Cloudflare)`; from `## Source` when absent.
    pub source: Option<String>,
    /// Link to the specification: http(s) or a path.
    pub spec_url: Option<LinkUrl>,
    /// Registry status; derived from `source` when absent.
    pub status: Option<Status>,
    /// Vendor of an unofficial code; derived from `source` when absent.
    pub vendor: Option<String>,
    /// Codes to link as related; each must have a page.
    pub related: Vec<i64>,
    /// Former and alternate names.
    pub aliases: Vec<String>,
    /// Search keywords.
    pub keywords: Keywords,
    /// Drafts are built only with `--drafts`.
    pub draft: bool,
    /// VitePress layout name; accepted for compatibility, `doc` is the only layout.
    pub layout: Option<String>,
    /// VitePress `head`: a list of `[tag, {attribute: value}]` emitted into `<head>`, checked
    /// against the allowed tags, attributes and values as it is read ([`crate::head`]).
    #[serde(deserialize_with = "crate::head::deserialize")]
    pub head: Vec<HeadTag>,
    /// Every meaning of a code with several, official first.
    pub meanings: Vec<MeaningFront>,
    /// Vendor numbers with source and date, as written; validated into [`Page::facts`].
    pub facts: crate::yaml::Value,
}

pub use crate::head::HeadTag;

/// A link target from front matter (`spec_url`): an http(s) URL or a path, checked with
/// [`crate::urls::check_link`] as it is read, so a refusal points at the value in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct LinkUrl(String);

impl LinkUrl {
    /// The URL as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LinkUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LinkUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Checked inside the visitor, so that the YAML parser locates a refusal at the value.
        struct Check;
        impl serde::de::Visitor<'_> for Check {
            type Value = LinkUrl;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a URL")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<LinkUrl, E> {
                match crate::urls::check_link(value) {
                    Ok(()) => Ok(LinkUrl(value.to_string())),
                    Err(e) => Err(refusal(
                        format!("`spec_url` {value:?} is refused: it {e}"),
                        "write the specification's http(s) URL, e.g. `https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5`",
                    )),
                }
            }
        }
        d.deserialize_str(Check)
    }
}

/// A value refused while front matter was read (a [`refusal`]: a bad `spec_url`, a `head:`
/// attribute), as an error located at that value, with its help.
pub(crate) fn refusal_diagnostic(
    rel: &Path,
    text: &str,
    first_line: usize,
    e: &YamlError,
) -> Option<Diagnostic> {
    if !e.is_refusal() {
        return None;
    }
    let mut d = Diagnostic::error(rel, &e.message);
    if let Some((line, column)) = e.file_location(first_line) {
        d = d.at(text, line, column);
    }
    Some(match &e.help {
        Some(help) => d.help(help),
        None => d,
    })
}

/// What kind of page a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PageKind {
    /// Documents one status code.
    Code(u16),
    /// A guide or other long-form page without a code.
    Article,
    /// An entry of a content family (`content/cloudflare-errors/1020.md`); its data is
    /// [`Page::entry`].
    Entry,
}

/// One content file, split and typed, not yet rendered.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the site root: `content/codes/504.md`.
    pub path: PathBuf,
    /// Path relative to `content/` without `.md`: `codes/504`, `guides/timeouts`.
    pub slug: String,
    /// Code page or article.
    pub kind: PageKind,
    /// Front matter as written.
    pub front: FrontMatter,
    /// Validated `facts:`, expanded where the body writes `{{fact:name}}`.
    pub facts: crate::facts::Facts,
    /// Byte offset in `text` where the markdown after the front matter starts ([`Page::body`]).
    pub body_start: usize,
    /// 1-based line of the file on which the body starts (for link diagnostics).
    pub body_line: usize,
    /// Full file text (normalised), kept to quote lines in later diagnostics; the body is its
    /// end, not a second copy (at ten thousand pages a copy is tens of megabytes).
    pub text: String,
    /// The family entry's own front matter, for [`PageKind::Entry`] pages.
    pub entry: Option<Box<crate::family::EntryFront>>,
}

impl Page {
    /// The markdown after the front matter.
    pub fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    /// Title, guaranteed present by [`parse`].
    pub fn title(&self) -> &str {
        self.front.title.as_deref().unwrap_or_default()
    }

    /// The code for code pages.
    pub fn code(&self) -> Option<u16> {
        match self.kind {
            PageKind::Code(code) => Some(code),
            PageKind::Article | PageKind::Entry => None,
        }
    }

    /// 1-based line of the front-matter key `key` (top level), for diagnostics.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        key_line(&self.text, key)
    }
}

/// One file's outcome: the page with its warnings, or every error in the file.
pub type FileResult = Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The content files of a site, found but not read yet.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Every `.md` file under `content/` (paths as walked: `root/content/codes/504.md`), sorted
    /// by file name within each directory.
    pub files: Vec<PathBuf>,
    /// Problems found while walking: no `content/`, links leading outside the root, names
    /// that are not UTF-8, unreadable directories; warnings for files skipped because their
    /// name looks like a content file's but is not (`504.MD`, `.md`) and for names that differ
    /// only in case.
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks `root/content` for `.md` files, in a deterministic order, without reading them.
pub fn discover(root: &Path) -> Discovered {
    let content_dir = root.join("content");
    let mut loaded = Discovered::default();
    if !content_dir.is_dir() {
        loaded.diagnostics.push(
            Diagnostic::error("content", "the site root has no content/ directory").help(
                "create content/codes/NNN.md files, or pass --root with the site's directory",
            ),
        );
        return loaded;
    }
    let walked = crate::walk::files_inside_root(root, &content_dir);
    loaded.diagnostics = walked.diagnostics;
    for path in walked.files {
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let Some(extension) = path.extension() else {
            if path.file_name().is_some_and(|n| n == ".md") {
                loaded.diagnostics.push(
                    Diagnostic::warning(rel, "skipped: `.md` has no name before the extension")
                        .help("name the file after its page, e.g. content/guides/my-guide.md"),
                );
            }
            continue;
        };
        if extension != "md" {
            if extension.eq_ignore_ascii_case("md") {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default();
                let renamed = rel.with_file_name(format!("{}.md", safe_slug_segment(&stem)));
                loaded.diagnostics.push(
                    Diagnostic::warning(
                        &rel,
                        format!(
                            "skipped: content files end in `.md`, not `.{}`",
                            extension.to_string_lossy()
                        ),
                    )
                    .help(format!("rename it to {}", renamed.display())),
                );
            }
            continue;
        }
        if path
            .strip_prefix(&content_dir)
            .ok()
            .and_then(Path::to_str)
            .is_none()
        {
            loaded.diagnostics.push(
                Diagnostic::error(rel, "the file name is not valid UTF-8")
                    .help("rename the file using UTF-8: its name becomes the page's URL"),
            );
            continue;
        }
        loaded.files.push(path);
    }
    loaded
}

/// Reads and parses one content file found by [`discover`]: the page with its warnings, or
/// every error in the file.
pub fn load_file(root: &Path, path: &Path) -> FileResult {
    let content_dir = root.join("content");
    let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let bytes = std::fs::read(path).map_err(|e| vec![Diagnostic::cannot_read(&rel, &e)])?;
    let slug_path = path.strip_prefix(&content_dir).unwrap_or(path);
    parse_bytes(&rel, slug_path, &bytes)
}

/// Parses one file's bytes. `slug_path` is the path relative to `content/`.
///
/// Returns the page with its warnings, or every error found in the file.
pub fn parse_bytes(rel: &Path, slug_path: &Path, bytes: &[u8]) -> FileResult {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // The valid prefix is UTF-8 by definition.
            let prefix = String::from_utf8_lossy(valid);
            let (line, column) = line_col(&prefix, prefix.len());
            // Quoted with U+FFFD for the bad bytes; everything before them is as written.
            let lossy = String::from_utf8_lossy(bytes);
            return Err(vec![Diagnostic::error(
                rel,
                format!(
                    "the file is not valid UTF-8 (invalid byte 0x{:02x})",
                    bytes[e.valid_up_to()]
                ),
            )
            .at(&lossy, line, column)
            .help("save the file as UTF-8")]);
        }
    };
    parse(rel, slug_path, text)
}

/// Parses one file's text (see [`parse_bytes`]): splits off the front matter, reads it as a
/// mapping, then as typed keys, checks single fields and the facts, and decides the page's kind.
pub fn parse(rel: &Path, slug_path: &Path, text: &str) -> FileResult {
    let text = normalise(text);
    if text.trim().is_empty() {
        return Err(vec![Diagnostic::error(rel, "the file is empty").help(
            "start it with front matter: a `---` line, `title: \"NNN Name\"`, another `---` line",
        )]);
    }
    let split = split_front_matter(&text).map_err(|d| vec![d.with_path(rel, &text)])?;
    let Some(split) = split else {
        return Err(vec![Diagnostic::error(rel, "the file has no front matter")
            .at(&text, 1, 1)
            .help(
                "start the file with a `---` line, `title: \"NNN Name\"`, and another `---` line",
            )]);
    };
    let mapping = front_matter_mapping(rel, &text, split.yaml).map_err(|d| vec![d])?;
    if let Some(family) = crate::family::family_of(slug_path) {
        return crate::family::parse_entry(rel, slug_path, family, &text, &mapping, split);
    }
    let mut warnings = unknown_keys(
        rel,
        &text,
        &mapping,
        KNOWN_KEYS,
        "front-matter key",
        Diagnostic::warning,
    );
    let front = typed_front_matter(rel, &text, split.yaml).map_err(|d| vec![d])?;
    let mut errors = field_errors(rel, &text, &front, &mut warnings);
    let checked = crate::facts::check_page(
        rel,
        &text,
        split.body,
        split.body_line,
        &front.facts,
        crate::facts::today(),
    );
    errors.extend(checked.errors);
    warnings.extend(checked.warnings);
    let slug = slug_of(slug_path);
    if let Some(d) = unsafe_slug(rel, &slug) {
        errors.push(d);
    }
    let kind = page_kind(rel, &text, &slug, slug_path, &front, &mut errors);
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(errors);
    }
    // The body runs to the end of the text.
    let body_start = text.len() - split.body.len();
    let body_line = split.body_line;
    let page = Page {
        path: rel.to_path_buf(),
        slug,
        kind,
        front,
        facts: checked.facts,
        body_start,
        body_line,
        text,
        entry: None,
    };
    Ok((page, warnings))
}

/// The text without a byte-order mark and with `\n` line ends, as every later step (and
/// every diagnostic's quoted line) sees it.
fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    }
}

/// The front matter's syntax and shape: YAML whose top level is a mapping (or empty), within
/// the parser's bounds on nesting and aliases.
fn front_matter_mapping(rel: &Path, text: &str, yaml: &str) -> Result<yaml::Mapping, Diagnostic> {
    let first_line = FRONT_MATTER_FIRST_LINE;
    if let Some((line, column)) = yaml::flow_nesting_beyond(yaml, yaml::MAX_FLOW_NESTING) {
        return Err(Diagnostic::error(
            rel,
            format!(
                "invalid YAML in front matter: `[`/`{{` nested more than {} deep",
                yaml::MAX_FLOW_NESTING
            ),
        )
        .at(text, line + first_line - 1, column)
        .help("write the value with less nesting; front matter needs a few levels at most"));
    }
    let value: yaml::Value = yaml::from_str(yaml).map_err(|e| {
        let d = Diagnostic::error(rel, format!("invalid YAML in front matter: {e}"));
        let d = match e.file_location(first_line) {
            Some((line, column)) => d.at(text, line, column),
            None => d.at_line(text, 1),
        };
        d.help(if e.is_limit() {
            "the front matter expands YAML aliases or nesting beyond the limit; write the values out without `&anchors` and `*aliases`"
        } else {
            "fix the YAML syntax; quote values that contain `: ` or start with a special character"
        })
    })?;
    match value {
        yaml::Value::Mapping(m) => Ok(m),
        yaml::Value::Null => Ok(yaml::Mapping::new()),
        other => Err(Diagnostic::error(
            rel,
            format!(
                "front matter must be a mapping of keys to values, found {}",
                yaml::kind(&other)
            ),
        )
        .at_line(text, first_line)
        .help("write one `key: value` per line, e.g. `title: \"504 Gateway Timeout\"`")),
    }
}

/// The front matter's keys read as their types; a wrong type or a refused value is an error
/// located at the key (or where the parser says).
fn typed_front_matter(rel: &Path, text: &str, yaml: &str) -> Result<FrontMatter, Diagnostic> {
    yaml::from_str(yaml).map_err(|e| {
        refusal_diagnostic(rel, text, FRONT_MATTER_FIRST_LINE, &e).unwrap_or_else(|| {
            located_yaml_error(rel, text, FRONT_MATTER_FIRST_LINE, &e, KNOWN_KEYS)
                .help(type_help(&e))
        })
    })
}

/// Rules on single fields: a title, a description search engines show whole, a name for
/// every meaning. Errors are returned; warnings go into `warnings`.
fn field_errors(
    rel: &Path,
    text: &str,
    front: &FrontMatter,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let locate = |d: Diagnostic, key: &str| match key_line(text, key) {
        Some(line) => d.at_line(text, line),
        None => d,
    };
    match front.title.as_deref().map(str::trim) {
        None => errors.push(
            Diagnostic::error(rel, "missing `title` in front matter")
                .at_line(text, 1)
                .help("add `title: \"NNN Name\"` (e.g. `title: \"504 Gateway Timeout\"`)"),
        ),
        Some("") => errors.push(locate(
            Diagnostic::error(rel, "`title` is empty")
                .help("write the page title, e.g. \"504 Gateway Timeout\""),
            "title",
        )),
        Some(_) => {}
    }
    if let Some(description) = &front.description {
        let len = description.chars().count();
        if len > DESCRIPTION_MAX {
            warnings.push(locate(
                Diagnostic::warning(rel, format!("description is {len} characters; search engines cut it at about {DESCRIPTION_MAX}"))
                    .help("shorten it to one sentence of at most 160 characters"),
                "description",
            ));
        }
    }
    for (i, meaning) in front.meanings.iter().enumerate() {
        if meaning.name.trim().is_empty() {
            errors.push(locate(
                Diagnostic::error(rel, format!("meaning {} has no `name`", i + 1)).help(
                    "give every entry of `meanings` a `name`, e.g. `name: \"Token Required\"`",
                ),
                "meanings",
            ));
        }
    }
    errors
}

/// The page's slug: its path under `content/` without `.md`, with `/` separators.
fn slug_of(slug_path: &Path) -> String {
    slug_path
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Which code the page documents, if any: `code:` in front matter, the file name and the
/// title's leading number; all that are present must agree (disagreements go into `errors`).
fn page_kind(
    rel: &Path,
    text: &str,
    slug: &str,
    slug_path: &Path,
    front: &FrontMatter,
    errors: &mut Vec<Diagnostic>,
) -> PageKind {
    let locate = |d: Diagnostic, key: &str| match key_line(text, key) {
        Some(line) => d.at_line(text, line),
        None => d,
    };
    let in_codes = slug.starts_with("codes/") || !slug.contains('/');
    let from_file = slug_path
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(three_digits);
    let from_title = front
        .title
        .as_deref()
        .and_then(|t| t.split_whitespace().next())
        .and_then(three_digits);
    match front.code {
        Some(code) if !(100..=599).contains(&code) => {
            errors.push(locate(
                Diagnostic::error(rel, format!("code {code} is outside 100..=599"))
                    .help("HTTP status codes are three digits from 100 to 599"),
                "code",
            ));
            PageKind::Article
        }
        Some(code) => {
            let code = code as u16;
            for (what, other) in [("file name", from_file), ("title", from_title)] {
                if let Some(other) = other.filter(|o| *o != code) {
                    errors.push(locate(
                        Diagnostic::error(
                            rel,
                            format!("`code: {code}` disagrees with the {what}, which says {other}"),
                        )
                        .help("make the code, the file name and the title's number agree"),
                        "code",
                    ));
                }
            }
            PageKind::Code(code)
        }
        None if in_codes || from_file.is_some() => {
            match (from_file, from_title.filter(|_| in_codes)) {
                (Some(a), Some(b)) if a != b => {
                    errors.push(locate(
                        Diagnostic::error(
                            rel,
                            format!("the file name says code {a} but the title says {b}"),
                        )
                        .help(format!("rename the file to {b}.md or fix the title")),
                        "title",
                    ));
                    PageKind::Code(a)
                }
                (Some(code), _) | (None, Some(code)) if (100..=599).contains(&code) => {
                    PageKind::Code(code)
                }
                (Some(code), _) => {
                    errors.push(
                        Diagnostic::error(
                            rel,
                            format!("the file name gives code {code}, which is outside 100..=599"),
                        )
                        .help(
                            "HTTP status codes are three digits from 100 to 599; rename the file",
                        ),
                    );
                    PageKind::Article
                }
                (None, Some(code)) => {
                    errors.push(locate(
                        Diagnostic::error(
                            rel,
                            format!("the title gives code {code}, which is outside 100..=599"),
                        )
                        .help("HTTP status codes are three digits from 100 to 599"),
                        "title",
                    ));
                    PageKind::Article
                }
                (None, None) if slug.starts_with("codes/") => {
                    errors.push(
                    Diagnostic::error(rel, "cannot tell which status code this page documents")
                        .at_line(text, 1)
                        .help("name the file NNN.md, start the title with the code, or add `code: NNN`"),
                );
                    PageKind::Article
                }
                (None, None) => PageKind::Article,
            }
        }
        None => PageKind::Article,
    }
}

/// Every top-level key of `mapping` that is not in `known`, as a diagnostic made by `make`
/// (a warning for code pages, an error for family entries), located at the key's line and
/// naming the closest known key.
pub(crate) fn unknown_keys(
    rel: &Path,
    text: &str,
    mapping: &yaml::Mapping,
    known: &[&str],
    what: &str,
    make: fn(PathBuf, String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for key in mapping.keys() {
        let name = yaml::key_text(key);
        if known.contains(&name.as_str()) {
            continue;
        }
        let mut d = make(rel.to_path_buf(), format!("unknown {what} `{name}`"));
        if let Some(line) = key_line(text, &name) {
            d = d.at_line(text, line);
        }
        d = match closest(&name, known) {
            Some(k) => d.help(format!("did you mean `{k}`?")),
            None => d.help(format!("known keys: {}", known.join(", "))),
        };
        out.push(d);
    }
    out
}

/// A YAML type error in front matter as an error located at the key it names (or where the
/// parser says), without a help: the caller knows the schema.
pub(crate) fn located_yaml_error(
    rel: &Path,
    text: &str,
    first_line: usize,
    e: &YamlError,
    known: &[&str],
) -> Diagnostic {
    let message = &e.message;
    let mut d = Diagnostic::error(rel, format!("front matter: {message}"));
    let named_key = known
        .iter()
        .find(|k| message.contains(&format!("{k} ")) || message.starts_with(&format!("{k}:")));
    if let Some(line) = named_key.and_then(|k| key_line(text, k)) {
        d = d.at_line(text, line);
    } else if let Some((line, column)) = e.file_location(first_line) {
        d = d.at(text, line, column);
    }
    d
}

/// The line of a file on which its front matter's YAML starts (after the opening `---`).
pub(crate) const FRONT_MATTER_FIRST_LINE: usize = 2;

/// Whether `segment` (a file stem or directory name under `content/`, which becomes a segment
/// of the page's URL) is safe as it is: lowercase ASCII letters, digits, `-`, `_` and `.`,
/// starting with a letter or digit and not ending with `.` (`504`, `timeouts`, `500.19`).
///
/// Every one of these characters is unreserved in URLs (RFC 3986 §2.3): a slug never needs
/// percent-encoding, means the same to every browser and server, and cannot collide with
/// another on a case-insensitive file system.
pub fn is_safe_slug_segment(segment: &str) -> bool {
    matches!(segment.bytes().next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && segment
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.'))
        && !segment.ends_with('.')
}

/// The safe segment closest to `segment`, for the help line: lowercase, every run of other
/// characters a `-`, trimmed (`Café Guide` → `caf-guide`).
pub fn safe_slug_segment(segment: &str) -> String {
    let mut out = String::new();
    for c in segment.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if trimmed.is_empty() {
        "page".to_string()
    } else {
        trimmed.to_string()
    }
}

/// An error for the first segment of `slug` (`guides/a#b`) that is not safe in a URL, with
/// the safe name to rename it to.
fn unsafe_slug(rel: &Path, slug: &str) -> Option<Diagnostic> {
    let segments: Vec<&str> = slug.split('/').collect();
    let bad = segments.iter().position(|s| !is_safe_slug_segment(s))?;
    let is_file = bad + 1 == segments.len();
    let mut renamed: Vec<String> = segments[..=bad].iter().map(|s| s.to_string()).collect();
    renamed[bad] = safe_slug_segment(segments[bad]);
    let prefix = if rel.starts_with("content") {
        "content/"
    } else {
        ""
    };
    let shown = segments[bad].escape_debug();
    let (what, name, suggestion) = if is_file {
        (
            "file",
            format!("{shown}.md"),
            format!("{prefix}{}.md", renamed.join("/")),
        )
    } else {
        (
            "directory",
            shown.to_string(),
            format!("{prefix}{}/", renamed.join("/")),
        )
    };
    Some(
        Diagnostic::error(
            rel,
            format!(
                "the {what} name `{name}` cannot be part of a URL: use lowercase letters, digits, `-`, `_` and `.` (not first or last)",
            ),
        )
        .help(format!("rename the {what} to {suggestion}")),
    )
}

pub(crate) fn three_digits(s: &str) -> Option<u16> {
    (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Keys an entry of `meanings` takes.
const MEANING_KEYS: &[&str] = &[
    "name", "vendor", "status", "source", "spec_url", "summary", "aliases", "keywords",
];

fn type_help(e: &YamlError) -> String {
    let message = &e.message;
    // An unknown key inside `meanings`: the closest one.
    if let Some(field) = e
        .unknown_field()
        .filter(|_| e.top_key() == Some("meanings"))
    {
        return match closest(field, MEANING_KEYS) {
            Some(key) => format!(
                "did you mean `{key}`? An entry of `meanings` takes {}",
                MEANING_KEYS.join(", ")
            ),
            None => format!("an entry of `meanings` takes {}", MEANING_KEYS.join(", ")),
        };
    }
    if message.starts_with("head") {
        "write each entry as `- - meta` followed by `  - name: …` / `content: …` (VitePress form)"
            .into()
    } else if message.contains("keywords") {
        "write `keywords: [word, \"a phrase\"]` or `keywords: \"word, a phrase\"`".into()
    } else if message.contains("related") || message.contains("i64") {
        "`related` is a list of codes, e.g. `related: [502, 503]`".into()
    } else if message.contains("meanings") || message.contains("unknown field") {
        format!("each entry of `meanings` takes {}", MEANING_KEYS.join(", "))
    } else if message.contains("Status") || message.contains("variant") {
        "`status` is one of official, temporary, deprecated, unused, obsolete, unofficial".into()
    } else {
        "check the value's type against the front-matter schema in README.md".into()
    }
}

/// 1-based line of a top-level front-matter key in the file's text (a content file with its
/// `---` lines, or a YAML file such as `_family.yaml`).
pub(crate) fn key_line(text: &str, key: &str) -> Option<usize> {
    let opening = text.lines().next().is_some_and(|l| l.trim_end() == "---");
    text.lines()
        .enumerate()
        .skip(usize::from(opening))
        .take_while(|(_, l)| l.trim_end() != "---")
        .find(|(_, l)| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
                || l.strip_prefix(&format!("\"{key}\""))
                    .is_some_and(|r| r.starts_with(':'))
        })
        .map(|(i, _)| i + 1)
}

/// A file split into its front matter and body.
pub(crate) struct Split<'a> {
    /// The YAML between the `---` lines.
    pub(crate) yaml: &'a str,
    /// The markdown after them.
    pub(crate) body: &'a str,
    /// 1-based line on which `body` starts.
    pub(crate) body_line: usize,
}

/// A front-matter problem found before YAML parsing; the path is attached later.
struct SplitError {
    message: String,
    line: usize,
    help: String,
}

impl SplitError {
    fn with_path(self, rel: &Path, text: &str) -> Diagnostic {
        Diagnostic::error(rel, self.message)
            .at_line(text, self.line)
            .help(self.help)
    }
}

/// Splits front matter only when the file starts with a `---` line; the next line that is
/// exactly `---` (or `...`) closes it. Later `---` lines are thematic breaks in the body.
fn split_front_matter(text: &str) -> Result<Option<Split<'_>>, SplitError> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "---" {
        return Ok(None);
    }
    let mut offset = first_line_end + 1;
    let mut line_no = 2;
    while offset <= text.len() {
        let end = text[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(text.len());
        let line = text[offset..end].trim_end();
        if line == "---" || line == "..." {
            let yaml = &text[first_line_end + 1..offset];
            let body_start = (end + 1).min(text.len());
            return Ok(Some(Split {
                yaml,
                body: &text[body_start..],
                body_line: line_no + 1,
            }));
        }
        if end == text.len() {
            break;
        }
        offset = end + 1;
        line_no += 1;
    }
    Err(SplitError {
        message: "unclosed front matter: the `---` on line 1 has no closing `---`".into(),
        line: 1,
        help: "add a line containing only `---` after the last front-matter key".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_slug_segments_and_their_suggestions() {
        for ok in ["504", "timeouts", "500.19", "1020", "000", "a_b-c.d", "x"] {
            assert!(is_safe_slug_segment(ok), "{ok}");
        }
        for bad in [
            "", "A", "a#b", "%2e%2e", ".hidden", "-x", "_x", "x.", "tab\tx", "café", "a b",
        ] {
            assert!(!is_safe_slug_segment(bad), "{bad:?}");
        }
        assert_eq!(safe_slug_segment("Café Guide"), "caf-guide");
        assert_eq!(safe_slug_segment("%2e%2e"), "2e-2e");
        assert_eq!(safe_slug_segment("..."), "page");
        for any in ["Café Guide", "%2e%2e", "...", "A#B", "\t\n", "x.."] {
            assert!(is_safe_slug_segment(&safe_slug_segment(any)), "{any:?}");
        }
    }

    fn parse_text(text: &str) -> FileResult {
        parse(
            Path::new("content/codes/451.md"),
            Path::new("codes/451.md"),
            text,
        )
    }

    #[test]
    fn unknown_keys_warn_at_the_top_level_and_fail_inside_meanings() {
        let (_, warnings) = parse_text("---\ntitle: \"451 Unavailable\"\ntitel: x\n---\nBody\n")
            .expect("an unknown top-level key is a warning");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line(), Some(3));
        assert_eq!(warnings[0].help.as_deref(), Some("did you mean `title`?"));
        let errors = parse_text(
            "---\ntitle: \"451 Unavailable\"\nmeanings:\n  - name: A\n    spec_ur: https://example.org/\n---\nBody\n",
        )
        .expect_err("an unknown key inside `meanings` is an error");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].is_error());
        assert!(
            errors[0].message.contains("unknown field `spec_ur`"),
            "{}",
            errors[0].message
        );
        assert!(errors[0].line().is_some());
        assert!(errors[0].help.as_deref().unwrap().contains("spec_url"));
    }
}
