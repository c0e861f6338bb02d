//! `statusref new NNN`: starts a code page from the code list built into the binary.
//!
//! The list is `tests/codes.tsv` (the same file the content-coverage test checks the site
//! against), embedded at compile time. A code it knows gets its name, source, specification
//! link, status, vendor and former names (as `aliases`) in the front matter; a code with
//! several meanings (420, 499, 530, …) gets a `meanings:` list. Every page gets the five
//! sections a code page has (see [`crate::site::CODE_SECTIONS`]), with TODO notes to replace.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The code list: `code, name, class, kind, vendor, source, spec_url, former_names, note`,
/// tab-separated, with a header line; former names separated by `;`.
pub const CODE_LIST: &str = include_str!("../tests/codes.tsv");

/// One meaning of a code from [`CODE_LIST`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCode {
    /// The number.
    pub code: u16,
    /// Reason phrase: `Gateway Timeout`.
    pub name: String,
    /// `5xx`.
    pub class: String,
    /// official, temporary, deprecated, unused, obsolete or unofficial.
    pub kind: String,
    /// Who uses an unofficial code.
    pub vendor: Option<String>,
    /// `RFC 9110 §15.6.5` or `Unofficial (Cloudflare)`.
    pub source: Option<String>,
    /// Specification or vendor documentation.
    pub spec_url: Option<String>,
    /// Former and alternate names.
    pub former_names: Vec<String>,
    /// One or two sentences on the meaning.
    pub note: String,
}

/// Every meaning in [`CODE_LIST`], in file order (a code's official meaning first).
pub fn known_codes() -> Vec<KnownCode> {
    let non_empty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    CODE_LIST
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let code = f.first()?.trim().parse().ok()?;
            let field = |i: usize| f.get(i).copied().unwrap_or("");
            Some(KnownCode {
                code,
                name: field(1).trim().to_string(),
                class: field(2).trim().to_string(),
                kind: field(3).trim().to_string(),
                vendor: non_empty(field(4)),
                source: non_empty(field(5)),
                spec_url: non_empty(field(6)),
                former_names: field(7).split(';').filter_map(non_empty).collect(),
                note: field(8).trim().to_string(),
            })
        })
        .collect()
}

/// The meanings of one code, official first; empty for a code the list does not know.
pub fn meanings_of(code: u16) -> Vec<KnownCode> {
    known_codes()
        .into_iter()
        .filter(|k| k.code == code)
        .collect()
}

/// Why `new` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The page exists; `new` never overwrites.
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// Creating the directory or writing the file failed.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file, relative to the site root.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
}

/// What [`new_page`] wrote.
#[derive(Debug)]
pub struct NewPage {
    /// `content/codes/NNN.md`, relative to the site root.
    pub path: PathBuf,
    /// The page title written.
    pub title: String,
    /// True when the code list knew the code (false: a generic page with TODOs).
    pub known: bool,
}

/// Writes `content/codes/NNN.md` under `root` (creating the directories), never overwriting.
///
/// `code` must be in 100..=599 (the command line checks it); `title` replaces the list's
/// `NNN Name`, with the number prepended when it does not start with it.
///
/// # Errors
///
/// [`NewError::Exists`] when the file exists, [`NewError::Write`] when it cannot be written.
pub fn new_page(root: &Path, code: u16, title: Option<&str>) -> Result<NewPage, NewError> {
    let rel = PathBuf::from("content")
        .join("codes")
        .join(format!("{code}.md"));
    let path = root.join(&rel);
    let write_err = |source| NewError::Write {
        path: rel.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(NewError::Exists(rel))
        }
        Err(e) => return Err(write_err(e)),
    };
    let text = page_text(code, title);
    file.write_all(text.as_bytes()).map_err(write_err)?;
    Ok(NewPage {
        path: rel,
        title: page_title(code, title),
        known: !meanings_of(code).is_empty(),
    })
}

/// The title a new page gets: `--title` (numbered), else `NNN Name` from the list, else a TODO.
fn page_title(code: u16, title: Option<&str>) -> String {
    let number = code.to_string();
    match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.split_whitespace().next() == Some(number.as_str()) => t.to_string(),
        Some(t) => format!("{code} {t}"),
        None => match meanings_of(code).first() {
            Some(k) => format!("{code} {}", k.name),
            None => format!("{code} TODO Reason Phrase"),
        },
    }
}

/// The text of a new page for `code` (see the module docs).
pub fn page_text(code: u16, title: Option<&str>) -> String {
    let meanings = meanings_of(code);
    let title = page_title(code, title);
    let class = format!("{}xx", code / 100);
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", quote(&title)));
    match meanings.first() {
        Some(first) => {
            let description = if meanings.len() > 1 {
                None
            } else {
                short_description(&first.note)
            };
            match description {
                Some(d) => out.push_str(&format!("description: {}\n", quote(&d))),
                None => out.push_str(&format!(
                    "description: {}\n",
                    quote(&format!(
                        "TODO: one sentence (at most 160 characters) on what {code} means."
                    ))
                )),
            }
            if let Some(source) = &first.source {
                out.push_str(&format!("source: {}\n", quote(source)));
            }
            if let Some(url) = &first.spec_url {
                out.push_str(&format!("spec_url: {}\n", quote(url)));
            }
            if !matches!(first.kind.as_str(), "official" | "unofficial" | "") {
                out.push_str(&format!("status: {}\n", first.kind));
            }
            if meanings.len() == 1 {
                if let Some(vendor) = &first.vendor {
                    out.push_str(&format!("vendor: {}\n", quote(vendor)));
                }
            }
            out.push_str("related: []\n");
            let aliases: Vec<&String> = if meanings.len() == 1 {
                first.former_names.iter().collect()
            } else {
                Vec::new()
            };
            out.push_str(&format!(
                "aliases: {}\n",
                list(aliases.iter().map(|s| s.as_str()))
            ));
            out.push_str("keywords: []\n");
            if meanings.len() > 1 {
                out.push_str("meanings:\n");
                for m in &meanings {
                    out.push_str(&format!("  - name: {}\n", quote(&m.name)));
                    if let Some(vendor) = &m.vendor {
                        out.push_str(&format!("    vendor: {}\n", quote(vendor)));
                    }
                    if !matches!(m.kind.as_str(), "official" | "unofficial" | "") {
                        out.push_str(&format!("    status: {}\n", m.kind));
                    }
                    if let Some(source) = &m.source {
                        out.push_str(&format!("    source: {}\n", quote(source)));
                    }
                    if let Some(url) = &m.spec_url {
                        out.push_str(&format!("    spec_url: {}\n", quote(url)));
                    }
                    if !m.note.is_empty() {
                        out.push_str(&format!("    summary: {}\n", quote(&m.note)));
                    }
                    if !m.former_names.is_empty() {
                        out.push_str(&format!(
                            "    aliases: {}\n",
                            list(m.former_names.iter().map(String::as_str))
                        ));
                    }
                }
            }
        }
        None => {
            out.push_str(&format!(
                "description: {}\n",
                quote(&format!(
                    "TODO: one sentence (at most 160 characters) on what {code} means."
                ))
            ));
            out.push_str(
                "# source: \"RFC 9110 §15.x.y\", or \"Unofficial (Vendor)\" for a vendor's code\n",
            );
            out.push_str("# spec_url: \"https://…\"\n");
            out.push_str("related: []\n");
            out.push_str("aliases: []\n");
            out.push_str("keywords: []\n");
        }
    }
    out.push_str(&format!("# class {class} is derived from the code; add `draft: true` to keep the page out of builds\n"));
    out.push_str("---\n\n");

    out.push_str(&format!("# {title}\n\n"));
    out.push_str("## Meaning\n\n");
    if meanings.is_empty() {
        out.push_str(&format!(
            "TODO: what {code} means, in a paragraph or two.\n\n"
        ));
    } else {
        for m in &meanings {
            if meanings.len() > 1 {
                let who = m.vendor.as_deref().unwrap_or("IANA");
                out.push_str(&format!("### {} ({who})\n\n", m.name));
            }
            out.push_str(&format!(
                "TODO: explain, in your own words. From the code list: {}\n\n",
                m.note
            ));
        }
    }
    out.push_str("## When to Use\n\n");
    out.push_str(&format!(
        "TODO: when a server should send {code}, and who sends it in practice.\n\n"
    ));
    out.push_str("## Example\n\n");
    out.push_str("TODO: one realistic exchange, then a sentence on what it shows.\n\n");
    let reason = title.split_once(' ').map(|(_, r)| r).unwrap_or("");
    out.push_str("```http\n");
    out.push_str("GET /TODO HTTP/1.1\nHost: example.com\n\n");
    out.push_str(&format!(
        "HTTP/1.1 {code} {reason}\nContent-Type: text/plain\n\n"
    ));
    out.push_str("```\n\n");
    out.push_str("## When Not to Use\n\n");
    out.push_str(&format!(
        "TODO: the look-alike codes, each linked (e.g. `[404 Not Found](/http-codes/404/)`), and how to tell them from {code}.\n\n"
    ));
    out.push_str("## Source\n\n");
    match meanings.first() {
        Some(_) => {
            for m in &meanings {
                let source = m.source.as_deref().unwrap_or("TODO: where this is defined");
                match &m.spec_url {
                    Some(url) => out.push_str(&format!("- [{source}]({url})\n")),
                    None => {
                        out.push_str(&format!("- {source} (TODO: link to the documentation)\n"))
                    }
                }
            }
        }
        None => out.push_str("TODO: the specification or the vendor's documentation, linked.\n"),
    }
    out
}

/// The note as a meta description when it fits: whole, or up to its first `;`.
fn short_description(note: &str) -> Option<String> {
    let fits = |s: &str| !s.is_empty() && s.chars().count() <= crate::content::DESCRIPTION_MAX;
    if fits(note) {
        return Some(note.to_string());
    }
    let first = note.split("; ").next()?.trim_end_matches('.');
    fits(first).then(|| format!("{first}."))
}

/// A YAML double-quoted scalar.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML flow list of double-quoted strings.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.map(quote).collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_starts_with_its_front_matter_and_has_the_five_sections() {
        let page = page_text(504, None);
        assert!(page.starts_with("---\ntitle: \"504 Gateway Timeout\"\n"));
        assert!(page.contains("aliases: [\"Gateway Time-out\"]"));
        assert!(page.contains("\n## When Not to Use\n"));
    }

    #[test]
    fn the_list_parses_and_covers_every_class() {
        let codes = known_codes();
        assert!(codes.len() > 90);
        for class in ["1xx", "2xx", "3xx", "4xx", "5xx"] {
            assert!(codes.iter().any(|c| c.class == class), "{class}");
        }
        let teapot = &meanings_of(418)[0];
        assert_eq!(teapot.name, "I'm a teapot");
        assert_eq!(teapot.kind, "unused");
        assert_eq!(
            meanings_of(413)[0].former_names,
            ["Payload Too Large", "Request Entity Too Large"]
        );
        assert!(meanings_of(299).is_empty());
    }

    #[test]
    fn every_known_code_gives_front_matter_that_parses_cleanly() {
        let mut codes: Vec<u16> = known_codes().iter().map(|k| k.code).collect();
        codes.dedup();
        codes.push(299);
        for code in codes {
            let text = page_text(code, None);
            let rel = PathBuf::from(format!("content/codes/{code}.md"));
            let slug = PathBuf::from(format!("codes/{code}.md"));
            match crate::content::parse(&rel, &slug, &text) {
                Ok((page, warnings)) => {
                    assert_eq!(page.code(), Some(code));
                    let unexpected: Vec<_> = warnings
                        .iter()
                        .filter(|w| !w.message.starts_with("description is"))
                        .collect();
                    assert!(unexpected.is_empty(), "{code}: {unexpected:?}");
                }
                Err(errors) => panic!("{code}: {errors:?}\n{text}"),
            }
        }
    }

    #[test]
    fn titles_are_numbered() {
        assert_eq!(page_title(418, None), "418 I'm a teapot");
        assert_eq!(page_title(418, Some("Teapot")), "418 Teapot");
        assert_eq!(page_title(418, Some("418 Teapot")), "418 Teapot");
        assert_eq!(page_title(299, None), "299 TODO Reason Phrase");
    }

    #[test]
    fn quoting_escapes_yaml_specials() {
        assert_eq!(quote(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
    }
}
