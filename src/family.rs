//! Content families: sets of codes that are not three-digit HTTP status codes but arrive with
//! one (Cloudflare 1xxx errors, IIS sub-status codes, LinkedIn's 999, a browser's status 0).
//!
//! A folder under `content/` holding a `_family.yaml` is a family; each `.md` file in it is an
//! entry named by its key (`1020.md`, `500.19.md`, `000.md`). This module owns everything that
//! is particular to families: reading `_family.yaml` ([`load`]), an entry's front matter
//! ([`parse_entry`], called by [`crate::content`] for files in a family folder), the cross-page
//! rules (required `http_status`, duplicate keys, `related` links into other families), the
//! model the templates see ([`FamilyInfo`], [`EntryPage`]). Their URLs come from the plan
//! stage's URL scheme ([`plan::family_url`], [`plan::entry_url`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::{
    key_line, located_yaml_error, refusal_diagnostic, unknown_keys, FileResult, FrontMatter,
    Keywords, Page, PageKind, Split, DESCRIPTION_MAX, FRONT_MATTER_FIRST_LINE,
};
use crate::diagnostic::{closest, Diagnostic};
use crate::markdown::{Rendered, SharedText, TocEntry};
use crate::pipeline::plan;
use crate::site::CodeRef;
use crate::yaml;

/// The file that makes a folder under `content/` a family.
pub const FAMILY_FILE: &str = "_family.yaml";

/// Folders of `content/` that are not families: the HTTP codes and the guides.
pub const PLAIN_FOLDERS: [&str; 2] = ["codes", "guides"];

/// Keys of `_family.yaml`.
pub const FAMILY_KEYS: &[&str] = &[
    "name",
    "description",
    "slug",
    "entry_label",
    "http_status",
    "sections",
    "vendor",
];

/// Front-matter keys of a family entry; any other key is an error.
pub const ENTRY_KEYS: &[&str] = &[
    "code",
    "title",
    "description",
    "http_status",
    "source",
    "spec_url",
    "related",
    "aliases",
    "keywords",
    "draft",
    "facts",
];

/// Folders under `content/` that hold pages of another kind: no family may be named so.
const CONTENT_FOLDERS: &[&str] = &["codes", "guides"];

/// Every name a family's folder (and so its URL space) cannot take, for the help line.
fn reserved_slugs() -> Vec<&'static str> {
    let mut names: Vec<&str> = crate::pipeline::plan::RESERVED_SEGMENTS.to_vec();
    for folder in CONTENT_FOLDERS {
        if !names.contains(folder) {
            names.push(folder);
        }
    }
    names
}

/// The family folder of a content file, from its path relative to `content/`
/// (`cloudflare-errors/1020.md` → `cloudflare-errors`); `None` for codes, guides and files
/// directly in `content/`.
pub fn family_of(slug_path: &Path) -> Option<&str> {
    let mut components = slug_path.components();
    let first = components.next()?.as_os_str().to_str()?;
    components.next()?;
    (!PLAIN_FOLDERS.contains(&first)).then_some(first)
}

/// Whether `key` has the shape of an entry key: digits, optionally a dot and more digits
/// (`1020`, `500.19`, `0`, `000`).
pub fn is_key(key: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match key.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(key),
    }
}

/// Orders keys numerically, part by part: `401.1 < 401.2 < 401.10 < 403`, `0 < 000 < 999`.
pub fn key_order(key: &str) -> (u128, u128, usize, String) {
    let (major, minor) = key.split_once('.').unwrap_or((key, ""));
    let number = |s: &str| s.parse::<u128>().unwrap_or(u128::MAX);
    let minor_value = if minor.is_empty() {
        0
    } else {
        number(minor) + 1
    };
    (number(major), minor_value, key.len(), key.to_string())
}

/// Whether a family's entries must name the HTTP status they arrive with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// Every entry has `http_status`.
    Required,
    /// Entries may omit it (status 0: no HTTP response at all).
    Optional,
}

/// `_family.yaml`, as written (see README.md, "Content families").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct FamilyFile {
    /// List page H1 and nav label: `Cloudflare errors`.
    pub name: String,
    /// One sentence for the list page and search.
    pub description: String,
    /// The URL space; must equal the folder name.
    pub slug: String,
    /// How one entry is named in prose: `Cloudflare error`.
    pub entry_label: String,
    /// Whether entries must give `http_status`.
    pub http_status: Requirement,
    /// The H2 sections every entry has, in this order.
    pub sections: Vec<String>,
    /// Who issues the codes (`Cloudflare`): searchable, and a `vendor:` filter value.
    #[serde(default)]
    pub vendor: Option<String>,
}

/// A family read from its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyDef {
    /// `content/cloudflare-errors/_family.yaml`.
    pub path: PathBuf,
    /// Its settings.
    pub file: FamilyFile,
}

/// The families of a site and the problems found reading them.
#[derive(Debug, Default)]
pub struct Families {
    /// Families that read cleanly, by folder name.
    pub defs: Vec<FamilyDef>,
    /// Errors: malformed `_family.yaml`, folders of pages without one.
    pub diagnostics: Vec<Diagnostic>,
    /// Folders of pages without a `_family.yaml` (`content/blog`), already reported.
    pub orphans: Vec<PathBuf>,
}

impl Families {
    /// Whether to report `d`, a diagnostic of the content files: not when it is about a page
    /// in a folder without a `_family.yaml`, whose own error already says what to do (one
    /// error per cause). Apply it before adding [`Families::diagnostics`].
    pub fn keep(&self, d: &Diagnostic) -> bool {
        !self.orphans.iter().any(|o| d.path.starts_with(o))
    }
}

/// Reads every `content/<folder>/_family.yaml`, and reports folders that hold pages (`files`,
/// as found by [`crate::content::discover`]) without one.
pub fn load(root: &Path, files: &[PathBuf]) -> Families {
    let content = root.join("content");
    let mut out = Families::default();
    let mut folders: Vec<String> = match std::fs::read_dir(&content) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| !PLAIN_FOLDERS.contains(&name.as_str()))
            .collect(),
        Err(_) => return out,
    };
    folders.sort();
    // Nothing is read from outside the site root, through a link of the folder or the file
    // (a folder linked out of the root is reported by discovery already).
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let outside = |path: &Path| {
        path.canonicalize()
            .ok()
            .filter(|target| !target.starts_with(&canonical_root))
    };
    for folder in folders {
        let rel = Path::new("content").join(&folder).join(FAMILY_FILE);
        if outside(&content.join(&folder)).is_some() {
            continue;
        }
        if let Some(target) = outside(&root.join(&rel)) {
            out.diagnostics.push(
                Diagnostic::error(
                    &rel,
                    format!(
                        "symbolic link to {}, outside the site root",
                        target.display()
                    ),
                )
                .help(
                    "copy the file into the site, or point the link at a path inside the site root",
                ),
            );
            continue;
        }
        match std::fs::read(root.join(&rel)) {
            Ok(bytes) => match parse_family(&rel, &folder, &bytes) {
                Ok(def) => out.defs.push(def),
                Err(errors) => out.diagnostics.extend(errors),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let prefix = content.join(&folder);
                if let Some(first) = files.iter().find(|f| f.starts_with(&prefix)) {
                    let page = first.strip_prefix(root).unwrap_or(first);
                    let dir = Path::new("content").join(&folder);
                    // Located at the folder's first page; [`Families::keep`] drops that page's
                    // own diagnostics, not this one (it is added after the filtering).
                    out.diagnostics.push(
                        Diagnostic::error(
                            page,
                            format!("content/{folder}/ holds pages but no {FAMILY_FILE}"),
                        )
                        .at("", 1, 1)
                        .help(format!(
                            "add content/{folder}/{FAMILY_FILE} to make it a content family (see README.md, \"Content families\"), or move the pages under content/guides/"
                        )),
                    );
                    out.orphans.push(dir);
                }
            }
            Err(e) => out.diagnostics.push(Diagnostic::cannot_read(&rel, &e)),
        }
    }
    out
}

/// Parses one `_family.yaml` of the folder `folder`.
pub fn parse_family(rel: &Path, folder: &str, bytes: &[u8]) -> Result<FamilyDef, Vec<Diagnostic>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![
            Diagnostic::error(rel, "the file is not valid UTF-8").help("save the file as UTF-8")
        ]);
    };
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let help = "write the keys name, description, slug, entry_label, http_status (required | optional) and sections (see README.md, \"Content families\")";
    let value: yaml::Value = match yaml::from_str(&text) {
        Ok(value) => value,
        Err(e) => {
            let mut d = Diagnostic::error(rel, format!("invalid YAML: {e}"));
            if let Some((line, column)) = e.location {
                d = d.at(&text, line, column);
            }
            return Err(vec![d.help(
                "fix the YAML syntax; quote values that contain `: ` or start with a special character",
            )]);
        }
    };
    let Some(mapping) = value.as_mapping() else {
        return Err(vec![Diagnostic::error(
            rel,
            "a family file is a mapping of keys to values",
        )
        .at_line(&text, 1)
        .help(help)]);
    };
    let mut errors = unknown_keys(rel, &text, mapping, FAMILY_KEYS, "key", Diagnostic::error);
    let file: FamilyFile = match yaml::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            let message = e.message.clone();
            let mut d = located_yaml_error(rel, &text, 1, &e, FAMILY_KEYS);
            d.message = message.clone();
            if d.location.is_none() {
                d = d.at_line(&text, 1);
            }
            let help = if message.contains("variant") {
                "`http_status` is `required` or `optional`"
            } else {
                help
            };
            errors.push(d.help(help));
            return Err(errors);
        }
    };
    let locate = |d: Diagnostic, key: &str| match key_line(&text, key) {
        Some(line) => d.at_line(&text, line),
        None => d,
    };
    if file.slug != folder {
        errors.push(locate(
            Diagnostic::error(
                rel,
                format!(
                    "`slug: {}` differs from the folder name `{folder}`",
                    file.slug
                ),
            )
            .help(format!(
                "the slug is the family's URL space and must equal its folder: write `slug: {folder}` or rename the folder"
            )),
            "slug",
        ));
    } else if !folder
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || crate::pipeline::plan::RESERVED_SEGMENTS.contains(&folder)
        || CONTENT_FOLDERS.contains(&folder)
    {
        errors.push(locate(
            Diagnostic::error(rel, format!("`{folder}` cannot be a family's URL space")).help(
                format!(
                    "use lowercase letters, digits and dashes, and none of {}",
                    reserved_slugs().join(", ")
                ),
            ),
            "slug",
        ));
    }
    if file.sections.is_empty() || file.sections.iter().any(|s| s.trim().is_empty()) {
        errors.push(locate(
            Diagnostic::error(rel, "`sections` is empty")
                .help("list the H2 sections every entry has, in order, e.g. `sections: [Meaning, Causes, Fixes, Example, Source]`"),
            "sections",
        ));
    }
    for (key, value) in [
        ("name", &file.name),
        ("description", &file.description),
        ("entry_label", &file.entry_label),
    ] {
        if value.trim().is_empty() {
            errors.push(locate(
                Diagnostic::error(rel, format!("`{key}` is empty")).help(help),
                key,
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FamilyDef {
        path: rel.to_path_buf(),
        file,
    })
}

/// A `related` item of an entry: an HTTP code or another family's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Related {
    /// `403`: `/http-codes/403/`.
    Code(i64),
    /// `"cloudflare-errors/1015"`.
    Entry {
        /// The family's slug.
        family: String,
        /// The entry's key.
        key: String,
    },
}

/// The front matter only entries have, validated (the rest is in [`Page::front`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFront {
    /// The family folder: `cloudflare-errors`.
    pub family: String,
    /// `1020`, `500.19`, `000`.
    pub key: String,
    /// The HTTP status the entry arrives with; `None` for no HTTP response at all.
    pub http_status: Option<u16>,
    /// Related pages, in the order written.
    pub related: Vec<Related>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RelatedYaml {
    Code(i64),
    Entry(String),
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EntryYaml {
    code: Option<String>,
    title: Option<String>,
    description: Option<String>,
    http_status: Option<i64>,
    source: Option<String>,
    spec_url: Option<crate::content::LinkUrl>,
    related: Vec<RelatedYaml>,
    aliases: Vec<String>,
    keywords: Keywords,
    draft: bool,
    /// Dated, sourced vendor numbers, checked by [`crate::facts::check_page`] as on code pages.
    facts: yaml::Value,
}

/// Parses a family entry: `text` is the whole (normalised) file, `mapping` its front matter
/// already read as YAML. Unknown keys and bad values are errors located at their line.
pub(crate) fn parse_entry(
    rel: &Path,
    slug_path: &Path,
    family: &str,
    text: &str,
    mapping: &yaml::Mapping,
    split: Split<'_>,
) -> FileResult {
    let mut errors = unknown_keys(
        rel,
        text,
        mapping,
        ENTRY_KEYS,
        "front-matter key",
        Diagnostic::error,
    );
    let mut warnings = Vec::new();
    let front: EntryYaml = match yaml::from_str(split.yaml) {
        Ok(front) => front,
        Err(e) => {
            if let Some(d) = refusal_diagnostic(rel, text, FRONT_MATTER_FIRST_LINE, &e) {
                return Err(vec![d]);
            }
            let message = &e.message;
            let d = located_yaml_error(rel, text, FRONT_MATTER_FIRST_LINE, &e, ENTRY_KEYS);
            let help = if message.contains("code") {
                "write the code as a quoted string, e.g. `code: \"1020\"`"
            } else if message.contains("related") || message.contains("RelatedYaml") {
                "`related` lists HTTP codes and entries, e.g. `related: [403, \"cloudflare-errors/1015\"]`"
            } else if message.contains("http_status") {
                "`http_status` is the HTTP status the entry arrives with, e.g. `http_status: 403`"
            } else if message.contains("keywords") {
                "write `keywords: [word, \"a phrase\"]` or `keywords: \"word, a phrase\"`"
            } else {
                "check the value's type against the entry keys in README.md (\"Content families\")"
            };
            errors.push(d.help(help));
            return Err(errors);
        }
    };
    let locate = |d: Diagnostic, key: &str| match key_line(text, key) {
        Some(line) => d.at_line(text, line),
        None => d,
    };
    let stem = slug_path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let errors_before = errors.len();
    let key = match front.code.as_deref().map(str::trim) {
        None => {
            errors.push(
                Diagnostic::error(rel, "missing `code` in front matter")
                    .at_line(text, 1)
                    .help(format!(
                        "add `code: \"{stem}\"` (the code as readers see it, quoted)"
                    )),
            );
            stem.to_string()
        }
        Some(code) if !is_key(code) => {
            errors.push(locate(
                Diagnostic::error(rel, format!("`code: \"{code}\"` is not a code"))
                    .help("write digits, optionally a dot and more digits, e.g. \"1020\", \"500.19\" or \"000\""),
                "code",
            ));
            code.to_string()
        }
        Some(code) if code != stem => {
            errors.push(locate(
                Diagnostic::error(
                    rel,
                    format!("`code: \"{code}\"` disagrees with the file name, which says {stem}"),
                )
                .help(format!("rename the file to {code}.md or fix the code")),
                "code",
            ));
            code.to_string()
        }
        Some(code) => code.to_string(),
    };
    match front.title.as_deref().map(str::trim) {
        None => errors.push(
            Diagnostic::error(rel, "missing `title` in front matter")
                .at_line(text, 1)
                .help(format!("add `title: \"{key} Name\"`")),
        ),
        Some("") => errors.push(locate(
            Diagnostic::error(rel, "`title` is empty").help(format!("write `\"{key} Name\"`")),
            "title",
        )),
        Some(title)
            if errors.len() == errors_before
                && title
                    .strip_prefix(key.as_str())
                    .is_none_or(|rest| !rest.starts_with(' ')) =>
        {
            warnings.push(locate(
                Diagnostic::warning(rel, format!("the title does not start with the code {key}"))
                    .help(format!(
                        "write the title as \"{key} Name\": readers look for the number"
                    )),
                "title",
            ))
        }
        Some(_) => {}
    }
    let http_status = match front.http_status {
        Some(status) if !(100..=999).contains(&status) => {
            errors.push(locate(
                Diagnostic::error(rel, format!("`http_status: {status}` is outside 100..=999"))
                    .help("give the HTTP status the entry arrives with (e.g. 403), or omit it if there is no HTTP response and the family allows that"),
                "http_status",
            ));
            None
        }
        Some(status) => u16::try_from(status).ok(),
        None => None,
    };
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
    let mut related = Vec::new();
    for item in front.related {
        match item {
            RelatedYaml::Code(code) => related.push(Related::Code(code)),
            RelatedYaml::Entry(s) => match s.trim().split_once('/') {
                Some((family, key)) if !family.is_empty() && is_key(key) => {
                    related.push(Related::Entry {
                        family: family.to_string(),
                        key: key.to_string(),
                    })
                }
                _ => errors.push(locate(
                    Diagnostic::error(rel, format!("related entry \"{s}\" is not of the form family/key"))
                        .help("write an HTTP code (403) or a family entry as \"family/key\", e.g. \"cloudflare-errors/1015\""),
                    "related",
                )),
            },
        }
    }
    // Facts and the body's `{{…}}` markers: the same checks, errors and stale warnings as on
    // code pages and guides.
    let checked = crate::facts::check_page(
        rel,
        text,
        split.body,
        split.body_line,
        &front.facts,
        crate::facts::today(),
    );
    errors.extend(checked.errors);
    warnings.extend(checked.warnings);
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(errors);
    }
    let slug = slug_path
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let page = Page {
        path: rel.to_path_buf(),
        slug,
        kind: PageKind::Entry,
        front: FrontMatter {
            title: front.title,
            description: front.description,
            source: front.source,
            spec_url: front.spec_url,
            aliases: front.aliases,
            keywords: front.keywords,
            draft: front.draft,
            ..FrontMatter::default()
        },
        facts: checked.facts,
        // The body runs to the end of the text.
        body_start: text.len() - split.body.len(),
        body_line: split.body_line,
        text: text.to_string(),
        entry: Some(Box::new(EntryFront {
            family: family.to_string(),
            key,
            http_status,
            related,
        })),
    };
    Ok((page, warnings))
}

/// A link to an HTTP code or a family entry (related pages, previous, next).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRef {
    /// The number as shown: `403`, `1015`, `500.19`.
    pub code: String,
    /// For the colour: `4xx` for HTTP codes, `family` for entries.
    pub class: String,
    /// The name: `Forbidden`, `Rate Limited`.
    pub name: String,
    /// The page's URL.
    pub url: String,
}

/// One family entry's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryPage {
    /// The family's slug: `cloudflare-errors`.
    pub family: String,
    /// The family's name: `Cloudflare errors`.
    pub family_name: String,
    /// How one entry is named: `Cloudflare error`.
    pub entry_label: String,
    /// The family's list page.
    pub family_url: String,
    /// `1020`.
    pub key: String,
    /// The name without the key: `Access Denied`.
    pub name: String,
    /// Visible heading: the body's H1, else the title.
    pub heading: String,
    /// Front-matter title.
    pub title: String,
    /// Meta description and list text.
    pub description: String,
    /// The page's URL.
    pub url: String,
    /// The HTTP status it arrives with, if any.
    pub http_status: Option<u16>,
    /// That status's page, when the site has one.
    pub http_status_ref: Option<CodeRef>,
    /// Where it is documented.
    pub source: Option<String>,
    /// The exact document.
    pub spec_url: Option<String>,
    /// Other names.
    pub aliases: Vec<String>,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// Related codes and entries, in the order written.
    pub related: Vec<LinkRef>,
    /// The entry before, in key order within the family.
    pub prev: Option<LinkRef>,
    /// The entry after.
    pub next: Option<LinkRef>,
    /// Body HTML.
    pub html: SharedText,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Source file relative to the site root.
    pub source_path: String,
    /// Words of prose.
    pub word_count: usize,
    /// Plain text, for the index.
    #[serde(skip)]
    pub plain_text: SharedText,
}

/// One family as the templates, JSON and sitemap see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FamilyInfo {
    /// `cloudflare-errors`.
    pub slug: String,
    /// `Cloudflare errors`.
    pub name: String,
    /// One sentence.
    pub description: String,
    /// `Cloudflare error`.
    pub entry_label: String,
    /// Who issues the codes.
    pub vendor: Option<String>,
    /// The list page's URL.
    pub url: String,
    /// The sections every entry has.
    pub sections: Vec<String>,
    /// Whether entries must name their HTTP status.
    pub http_status: Requirement,
    /// Indices into [`crate::site::Site::entries`], in key order.
    #[serde(skip)]
    pub members: Vec<usize>,
    /// Number of entries.
    pub count: usize,
}

/// The pages that are entries, by (family, key): for links and related checks.
pub(crate) type EntryIndex<'a> = HashMap<(&'a str, &'a str), usize>;

/// Checks the rules across entries: the family exists (folders without one were reported by
/// [`load`]), `http_status` where the family requires it, one page per key, `related` links
/// that resolve, the family's sections. Returns the entry index (page index by family and key).
pub(crate) fn check<'a>(
    families: &[FamilyDef],
    pages: &[(&'a Page, &Rendered)],
    has_code: &dyn Fn(i64) -> bool,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> EntryIndex<'a> {
    let by_slug: BTreeMap<&str, &FamilyDef> =
        families.iter().map(|f| (f.file.slug.as_str(), f)).collect();
    let mut index: EntryIndex<'a> = HashMap::new();
    for (i, &(page, _)) in pages.iter().enumerate() {
        let Some(entry) = page.entry.as_deref() else {
            continue;
        };
        let Some(def) = by_slug.get(entry.family.as_str()) else {
            continue;
        };
        if def.file.http_status == Requirement::Required && entry.http_status.is_none() {
            errors.push(
                Diagnostic::error(&page.path, "missing `http_status` in front matter")
                    .at_line(&page.text, 1)
                    .help(format!(
                        "{} entries arrive with an HTTP status: add it, e.g. `http_status: 403` (or set `http_status: optional` in {})",
                        def.file.name,
                        def.path.display()
                    )),
            );
        }
        match index.get(&(entry.family.as_str(), entry.key.as_str())) {
            Some(&first) => errors.push(
                Diagnostic::error(
                    &page.path,
                    format!(
                        "{} {} is already documented by {}",
                        def.file.entry_label,
                        entry.key,
                        pages[first].0.path.display()
                    ),
                )
                .at_line(&page.text, 1)
                .help("keep one page per key in a family"),
            ),
            None => {
                index.insert((entry.family.as_str(), entry.key.as_str()), i);
            }
        }
    }
    let keys_of = |family: &str| -> Vec<&str> {
        let mut keys: Vec<&str> = index
            .keys()
            .filter(|(f, _)| *f == family)
            .map(|(_, k)| *k)
            .collect();
        keys.sort_by_key(|k| key_order(k));
        keys
    };
    let slugs: Vec<&str> = by_slug.keys().copied().collect();
    for &(page, rendered) in pages {
        let Some(entry) = page.entry.as_deref() else {
            continue;
        };
        let Some(def) = by_slug.get(entry.family.as_str()) else {
            continue;
        };
        let related_line = |d: Diagnostic| match page.key_line("related") {
            Some(line) => d.at_line(&page.text, line),
            None => d,
        };
        for related in &entry.related {
            match related {
                Related::Code(code) => {
                    if !has_code(*code) {
                        errors.push(related_line(
                            Diagnostic::error(
                                &page.path,
                                format!("related code {code} has no page"),
                            )
                            .help(format!(
                                "write content/codes/{code}.md, or remove {code} from `related`"
                            )),
                        ));
                    }
                }
                Related::Entry { family, key } => {
                    if !by_slug.contains_key(family.as_str()) {
                        let help = match closest(family, &slugs) {
                            Some(known) => format!("did you mean \"{known}/{key}\"?"),
                            None if slugs.is_empty() => {
                                "the site has no content families".to_string()
                            }
                            None => format!("families: {}", slugs.join(", ")),
                        };
                        errors.push(related_line(
                            Diagnostic::error(
                                &page.path,
                                format!("related entry \"{family}/{key}\": there is no family `{family}`"),
                            )
                            .help(help),
                        ));
                    } else if !index.contains_key(&(family.as_str(), key.as_str())) {
                        let keys = keys_of(family);
                        let help = match closest(key, &keys).or(keys.first().copied()) {
                            Some(known) => format!(
                                "did you mean \"{family}/{known}\"? or write content/{family}/{key}.md"
                            ),
                            None => format!("write content/{family}/{key}.md, or remove it from `related`"),
                        };
                        errors.push(related_line(
                            Diagnostic::error(
                                &page.path,
                                format!("related entry \"{family}/{key}\" has no page"),
                            )
                            .help(help),
                        ));
                    }
                }
            }
        }
        let titles: Vec<&str> = rendered.sections.iter().map(|s| s.title.as_str()).collect();
        let expected: Vec<&str> = def.file.sections.iter().map(String::as_str).collect();
        let present: Vec<&str> = titles
            .iter()
            .copied()
            .filter(|t| expected.contains(t))
            .collect();
        let missing: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|s| !titles.contains(s))
            .collect();
        if !missing.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    &page.path,
                    format!("missing section(s): {}", missing.join(", ")),
                )
                .help(format!(
                    "{} entries have the sections {}, in this order",
                    def.file.name,
                    expected.join(", ")
                )),
            );
        } else if present != expected {
            warnings.push(
                Diagnostic::warning(
                    &page.path,
                    format!("sections out of order: {}", present.join(", ")),
                )
                .help(format!(
                    "{} entries have the sections {}, in this order",
                    def.file.name,
                    expected.join(", ")
                )),
            );
        }
    }
    index
}

/// The body of an entry in the forms the model keeps.
pub(crate) struct EntryBody {
    /// HTML.
    pub html: SharedText,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Plain text.
    pub plain_text: SharedText,
}

/// Builds the families and their entry pages (family order, then key order) from checked
/// pages. `index` is what [`check`] returned; `bodies(i)` hands over page `i`'s body.
pub(crate) fn model(
    families: &[FamilyDef],
    pages: &[(&Page, &Rendered)],
    index: &EntryIndex<'_>,
    base_path: &str,
    code_ref: &dyn Fn(u16) -> Option<CodeRef>,
    description: &dyn Fn(usize, &str) -> String,
    bodies: &mut dyn FnMut(usize) -> EntryBody,
) -> (Vec<FamilyInfo>, Vec<EntryPage>) {
    let mut infos = Vec::new();
    let mut entries: Vec<EntryPage> = Vec::new();
    let mut sorted: Vec<&FamilyDef> = families.iter().collect();
    sorted.sort_by(|a, b| a.file.name.cmp(&b.file.name));
    let name_of = |page: &Page, rendered: &Rendered, key: &str| -> String {
        let heading = rendered.h1.as_deref().unwrap_or(page.title());
        heading
            .strip_prefix(key)
            .map(str::trim)
            .filter(|rest| !rest.is_empty())
            .unwrap_or(heading)
            .to_string()
    };
    let link = |slug: &str, key: &str| -> Option<LinkRef> {
        let &i = index.get(&(slug, key))?;
        let (page, rendered) = pages[i];
        Some(LinkRef {
            code: key.to_string(),
            class: "family".into(),
            name: name_of(page, rendered, key),
            url: format!("{base_path}{}", plan::entry_url(slug, key)),
        })
    };
    for def in sorted {
        let slug = def.file.slug.as_str();
        let mut keys: Vec<(&str, usize)> = index
            .iter()
            .filter(|((f, _), _)| *f == slug)
            .map(|((_, k), &i)| (*k, i))
            .collect();
        keys.sort_by_key(|(k, _)| key_order(k));
        let start = entries.len();
        for (n, &(key, i)) in keys.iter().enumerate() {
            let (page, rendered) = pages[i];
            let Some(entry) = page.entry.as_deref() else {
                continue;
            };
            let body = bodies(i);
            let related = entry
                .related
                .iter()
                .filter_map(|r| match r {
                    Related::Code(code) => {
                        u16::try_from(*code)
                            .ok()
                            .and_then(code_ref)
                            .map(|c| LinkRef {
                                code: c.code.to_string(),
                                class: c.class,
                                name: c.name,
                                url: c.url,
                            })
                    }
                    Related::Entry { family, key } => link(family, key),
                })
                .collect();
            entries.push(EntryPage {
                family: slug.to_string(),
                family_name: def.file.name.clone(),
                entry_label: def.file.entry_label.clone(),
                family_url: format!("{base_path}{}", plan::family_url(slug)),
                key: key.to_string(),
                name: name_of(page, rendered, key),
                heading: rendered
                    .h1
                    .clone()
                    .unwrap_or_else(|| page.title().to_string()),
                title: page.title().to_string(),
                description: description(i, &body.plain_text),
                url: format!("{base_path}{}", plan::entry_url(slug, key)),
                http_status: entry.http_status,
                http_status_ref: entry.http_status.and_then(code_ref),
                source: page.front.source.clone(),
                spec_url: page.front.spec_url.as_ref().map(|u| u.as_str().to_string()),
                aliases: page.front.aliases.clone(),
                keywords: page.front.keywords.0.clone(),
                related,
                prev: n.checked_sub(1).and_then(|p| link(slug, keys[p].0)),
                next: keys.get(n + 1).and_then(|k| link(slug, k.0)),
                html: body.html,
                toc: body.toc,
                source_path: page.path.display().to_string(),
                word_count: rendered.word_count,
                plain_text: body.plain_text,
            });
        }
        let members: Vec<usize> = (start..entries.len()).collect();
        infos.push(FamilyInfo {
            slug: slug.to_string(),
            name: def.file.name.clone(),
            description: def.file.description.clone(),
            entry_label: def.file.entry_label.clone(),
            vendor: def.file.vendor.clone(),
            url: format!("{base_path}{}", plan::family_url(slug)),
            sections: def.file.sections.clone(),
            http_status: def.file.http_status,
            count: members.len(),
            members,
        });
    }
    (infos, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_their_order() {
        for key in ["1020", "500.19", "0", "000", "999"] {
            assert!(is_key(key), "{key}");
        }
        for key in ["", "1020a", "500.", ".19", "500.19.1", "-1", "1 0"] {
            assert!(!is_key(key), "{key}");
        }
        let mut keys = vec!["401.10", "403", "401.2", "401.1", "000", "999", "0", "401"];
        keys.sort_by_key(|k| key_order(k));
        assert_eq!(
            keys,
            ["0", "000", "401", "401.1", "401.2", "401.10", "403", "999"]
        );
    }

    #[test]
    fn family_folders_and_urls() {
        assert_eq!(
            family_of(Path::new("cloudflare-errors/1020.md")),
            Some("cloudflare-errors")
        );
        assert_eq!(family_of(Path::new("codes/504.md")), None);
        assert_eq!(family_of(Path::new("guides/a.md")), None);
        assert_eq!(family_of(Path::new("about.md")), None);
    }

    fn entry(path: &str, front: &str) -> FileResult {
        let rel = Path::new(path);
        let slug = rel.strip_prefix("content").unwrap();
        crate::content::parse(rel, slug, &format!("---\n{front}---\n# Body\n"))
    }

    #[test]
    fn entry_keys_keep_their_text_quoted_or_not() {
        for (path, code) in [
            ("content/other-codes/000.md", "000"),
            ("content/iis-codes/401.10.md", "401.10"),
            ("content/iis-codes/500.19.md", "\"500.19\""),
        ] {
            let front = format!("code: {code}\ntitle: \"{} X\"\n", code.trim_matches('"'));
            let (page, warnings) = entry(path, &front).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            let e = page.entry.as_deref().unwrap();
            assert_eq!(e.key, code.trim_matches('"'));
            assert_eq!(page.kind, PageKind::Entry);
            assert_eq!(e.http_status, None);
        }
    }

    #[test]
    fn entry_front_matter_is_checked() {
        let (page, _) = entry(
            "content/cloudflare-errors/1020.md",
            "code: \"1020\"\ntitle: \"1020 Access Denied\"\nhttp_status: 403\nrelated: [403, \"iis-codes/500.19\"]\ndraft: true\n",
        )
        .unwrap();
        let e = page.entry.as_deref().unwrap();
        assert_eq!(e.family, "cloudflare-errors");
        assert_eq!(e.http_status, Some(403));
        assert!(page.front.draft);
        assert_eq!(
            e.related,
            [
                Related::Code(403),
                Related::Entry {
                    family: "iis-codes".into(),
                    key: "500.19".into()
                }
            ]
        );
        let errors = entry(
            "content/cloudflare-errors/1020.md",
            "code: \"1020\"\ntitle: \"1020 X\"\nhttp_status: 99\nrelated: [\"nope\"]\nstatus: official\n",
        )
        .unwrap_err();
        let text: Vec<(String, Option<usize>)> = errors
            .iter()
            .map(|e| (e.message.clone(), e.line()))
            .collect();
        assert_eq!(
            text,
            [
                ("unknown front-matter key `status`".to_string(), Some(6)),
                (
                    "`http_status: 99` is outside 100..=999".to_string(),
                    Some(4)
                ),
                (
                    "related entry \"nope\" is not of the form family/key".to_string(),
                    Some(5)
                ),
            ]
        );
        assert!(errors.iter().all(|e| e.is_error()));
    }

    #[test]
    fn entry_facts_are_checked_like_code_pages() {
        let front = "code: \"1102\"\ntitle: \"1102 X\"\nhttp_status: 503\nfacts:\n  mem:\n    value: \"128 MB\"\n    source: \"https://example.com/limits\"\n    checked: 2026-01-01\n";
        let rel = Path::new("content/cloudflare-errors/1102.md");
        let text = format!("---\n{front}---\n# 1102 X\n\nUp to {{{{fact:mem}}}} per isolate.\n");
        let slug = rel.strip_prefix("content").unwrap();
        let (page, warnings) = crate::content::parse(rel, slug, &text).unwrap();
        // (A staleness warning depends on the calendar; an unused fact would be a bug here.)
        assert!(
            !warnings.iter().any(|w| w.message.contains("never used")),
            "{warnings:?}"
        );
        assert_eq!(
            page.facts.get("mem").map(|f| f.value.as_str()),
            Some("128 MB")
        );
        // Without a source: the code pages' error, at the fact's line.
        let bad = text.replace("    source: \"https://example.com/limits\"\n", "");
        let errors = crate::content::parse(rel, slug, &bad).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "fact `mem` has no `source`");
        assert_eq!(errors[0].line(), Some(6));
        // A marker naming no declared fact.
        let unknown = text.replace("{{fact:mem}}", "{{fact:memory}}");
        let errors = crate::content::parse(rel, slug, &unknown).unwrap_err();
        assert!(
            errors[0].message.contains("unknown fact `memory`"),
            "{errors:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_family_file_linked_from_outside_the_root_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        let file = outside.path().join("_family.yaml");
        std::fs::write(&file, "name: X\n").unwrap();
        std::fs::create_dir_all(site.path().join("content/x")).unwrap();
        std::os::unix::fs::symlink(&file, site.path().join("content/x/_family.yaml")).unwrap();
        let families = load(site.path(), &[]);
        assert!(families.defs.is_empty());
        assert_eq!(families.diagnostics.len(), 1);
        assert!(
            families.diagnostics[0]
                .message
                .contains("outside the site root"),
            "{:?}",
            families.diagnostics
        );
    }

    #[test]
    fn a_family_file_is_checked() {
        let rel = Path::new("content/x/_family.yaml");
        let ok = "name: X\ndescription: D.\nslug: x\nentry_label: X code\nhttp_status: optional\nsections: [Meaning]\n";
        let def = parse_family(rel, "x", ok.as_bytes()).unwrap();
        assert_eq!(def.file.http_status, Requirement::Optional);
        let bad = ok.replace("slug: x", "slug: y").replace("[Meaning]", "[]");
        let errors = parse_family(rel, "x", bad.as_bytes()).unwrap_err();
        let text: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            text,
            [
                "`slug: y` differs from the folder name `x`",
                "`sections` is empty"
            ]
        );
        assert_eq!(errors[0].line(), Some(3));
        let unknown = format!("{ok}colour: red\n");
        let errors = parse_family(rel, "x", unknown.as_bytes()).unwrap_err();
        assert_eq!(errors[0].message, "unknown key `colour`");
        assert_eq!(errors[0].line(), Some(7));
    }
}
