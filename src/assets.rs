//! Theme files: the templates and assets the binary carries, overridden file by file by the
//! site root's `templates/` and `assets/`, and the fingerprinted names assets are served under
//! (their paths and URLs come from the plan stage: [`crate::pipeline::plan::asset_path`]).

use std::collections::BTreeMap;
use std::path::Path;

use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct EmbeddedTemplates;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct EmbeddedAssets;

/// A theme file and where it came from (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeFile {
    /// `templates/code.html` (site root) or `templates/code.html (built-in)`.
    pub origin: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Embedded files of `kind` (`templates` or `assets`) merged with the site root's overrides,
/// keyed by path relative to that directory (`partials/head.html`), with the warnings found on
/// the way (names that differ only in case); or every error (a symbolic link out of the site
/// root, an unreadable file). Hidden files (`.name`) are left out.
pub fn theme_files(root: &Path, kind: &str) -> FileResult<BTreeMap<String, ThemeFile>> {
    let mut files = BTreeMap::new();
    let embedded: Box<dyn Iterator<Item = (String, Vec<u8>)>> =
        match kind {
            "templates" => Box::new(EmbeddedTemplates::iter().filter_map(|n| {
                EmbeddedTemplates::get(&n).map(|f| (n.to_string(), f.data.into_owned()))
            })),
            _ => Box::new(EmbeddedAssets::iter().filter_map(|n| {
                EmbeddedAssets::get(&n).map(|f| (n.to_string(), f.data.into_owned()))
            })),
        };
    for (name, bytes) in embedded {
        let origin = format!("{kind}/{name} (built-in)");
        files.insert(name, ThemeFile { origin, bytes });
    }
    let dir = root.join(kind);
    if !dir.is_dir() {
        return Ok((files, Vec::new()));
    }
    let walked = crate::walk::files_inside_root(root, &dir);
    let (mut errors, mut warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = walked
        .diagnostics
        .into_iter()
        .partition(Diagnostic::is_error);
    let built_in: Vec<String> = files.keys().cloned().collect();
    for path in walked.files {
        let Ok(rel) = path.strip_prefix(&dir) else {
            continue;
        };
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if name.starts_with('.') || name.contains("/.") {
            continue;
        }
        if let Some(other) = built_in
            .iter()
            .find(|b| **b != name && b.eq_ignore_ascii_case(&name))
        {
            warnings.push(
                Diagnostic::warning(
                    format!("{kind}/{name}"),
                    format!("{kind}/{name} differs only in letter case from the built-in {kind}/{other}, so it does not replace it"),
                )
                .help(format!(
                    "rename it to {kind}/{other} to replace the built-in file (and it is one file with it on macOS and Windows)"
                )),
            );
        }
        match std::fs::read(&path) {
            Ok(bytes) => {
                files.insert(
                    name.clone(),
                    ThemeFile {
                        origin: format!("{kind}/{name}"),
                        bytes,
                    },
                );
            }
            Err(e) => errors.push(Diagnostic::cannot_read(format!("{kind}/{name}"), &e)),
        }
    }
    if errors.is_empty() {
        Ok((files, warnings))
    } else {
        errors.extend(warnings);
        Err(errors)
    }
}

/// A value with its warnings, or every error (what [`crate::diagnostic::gather`] takes).
pub type FileResult<T> = Result<(T, Vec<Diagnostic>), Vec<Diagnostic>>;

/// One asset with its content-hashed output name.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Logical name templates use: `site.css`.
    pub name: String,
    /// Output path relative to the site: `assets/site.1a2b3c4d5e.css`.
    pub path: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// All assets of a build, fingerprinted: cacheable forever, since a change renames the file.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    /// Sorted by logical name.
    pub list: Vec<Asset>,
}

impl Assets {
    /// Fingerprints theme assets plus generated ones (the search wasm and index bundle).
    pub fn new(theme: BTreeMap<String, ThemeFile>, generated: Vec<(String, Vec<u8>)>) -> Assets {
        let mut all: BTreeMap<String, Vec<u8>> =
            theme.into_iter().map(|(n, f)| (n, f.bytes)).collect();
        all.extend(generated);
        let list = all
            .into_iter()
            .map(|(name, bytes)| Asset {
                path: crate::pipeline::plan::asset_path(&name, &bytes),
                name,
                bytes,
            })
            .collect();
        Assets { list }
    }

    /// Logical name → URL under `base_path`, for templates.
    pub fn urls(&self, base_path: &str) -> BTreeMap<String, String> {
        self.list
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    crate::pipeline::plan::asset_url(base_path, &a.path),
                )
            })
            .collect()
    }
}

/// `site.css` → `site.<10 hex digits of SHA-256>.css`.
pub fn fingerprinted_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_content() {
        let a = fingerprinted_name("site.css", b"a");
        let b = fingerprinted_name("site.css", b"b");
        assert_ne!(a, b);
        assert!(a.starts_with("site.") && a.ends_with(".css") && a.len() == "site..css".len() + 10);
        assert!(fingerprinted_name("icons/x.svg", b"a").starts_with("icons/x."));
    }

    #[test]
    fn built_in_theme_is_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let (templates, _) = theme_files(dir.path(), "templates").unwrap();
        assert!(templates.contains_key("code.html"));
        let (assets, _) = theme_files(dir.path(), "assets").unwrap();
        assert!(assets.contains_key("site.css"));
    }

    #[test]
    fn site_root_overrides_a_built_in_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("assets/site.css"), "body{}").unwrap();
        let (assets, warnings) = theme_files(dir.path(), "assets").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(assets["site.css"].bytes, b"body{}");
        assert_eq!(assets["site.css"].origin, "assets/site.css");
    }
}
