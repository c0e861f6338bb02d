//! Walking a directory of the site root (`content/`, `templates/`, `assets/`): the one place
//! that decides which files on disk belong to the site.
//!
//! Symbolic links are followed only while they stay inside the site root: the site is what its
//! root holds (a clean clone builds the same site), and a stray link cannot publish a file from
//! elsewhere on the machine (`ln -s ~/.ssh assets/keys`). Names that differ only in case are
//! reported: on macOS and Windows they are one file, so the site would build differently there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// The files found under one directory of the site root, and what was wrong on the way.
#[derive(Debug, Default)]
pub struct Walked {
    /// Regular files (links to files inside the root included), as walked
    /// (`root/content/codes/504.md`), sorted by file name within each directory.
    pub files: Vec<PathBuf>,
    /// Errors (links leading outside the root, link loops, unreadable directories) and
    /// warnings (names that differ only in case).
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks `dir` (a directory inside the site root `root`) for files, following symbolic links
/// only while they stay inside the root. A link that leaves it is an error located at the link
/// and is not followed.
pub fn files_inside_root(root: &Path, dir: &Path) -> Walked {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let mut walked = Walked::default();
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        match entry {
            Ok(entry) => {
                if entry.path_is_symlink() {
                    if let Some(target) = target_outside(entry.path(), &canonical_root) {
                        walked
                            .diagnostics
                            .push(link_out_of_root(relative(entry.path()), &target));
                        if entry.file_type().is_dir() {
                            walker.skip_current_dir();
                        }
                        continue;
                    }
                }
                if entry.file_type().is_file() {
                    walked.files.push(entry.into_path());
                }
            }
            Err(err) => {
                let path = err.path().unwrap_or(dir).to_path_buf();
                let message = if err.loop_ancestor().is_some() {
                    format!("symbolic link loop in {}/", relative(dir).display())
                } else {
                    format!(
                        "cannot read: {}",
                        err.io_error().map_or(err.to_string(), |e| e.to_string())
                    )
                };
                walked.diagnostics.push(
                    Diagnostic::error(relative(&path), message)
                        .help("remove the link or make it point at a real file or directory"),
                );
            }
        }
    }
    walked
        .diagnostics
        .extend(case_collisions(&walked.files, root));
    walked
}

/// An error for the site root's file `rel` (`site.yaml`) when it is a symbolic link that leads
/// outside the root, as the walk reports one under `content/`, `templates/` or `assets/`.
pub fn check_link_inside_root(root: &Path, rel: &Path) -> Result<(), Diagnostic> {
    let path = root.join(rel);
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Ok(());
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match target_outside(&path, &canonical_root) {
        Some(target) => Err(link_out_of_root(rel.to_path_buf(), &target)),
        None => Ok(()),
    }
}

/// Where the link at `path` leads, when that is outside `canonical_root` (a dangling link is
/// left to the reader, which reports it as unreadable).
fn target_outside(path: &Path, canonical_root: &Path) -> Option<PathBuf> {
    path.canonicalize()
        .ok()
        .filter(|target| !target.starts_with(canonical_root))
}

/// The error for a link at `rel` that leads to `target`, outside the site root.
fn link_out_of_root(rel: PathBuf, target: &Path) -> Diagnostic {
    Diagnostic::error(
        rel,
        format!("symbolic link to {}, outside the site root", target.display()),
    )
    .help("copy the file or directory into the site, or point the link at a path inside the site root")
}

/// A warning for each file whose path differs from an earlier one only in letter case.
fn case_collisions(files: &[PathBuf], root: &Path) -> Vec<Diagnostic> {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    let mut warnings = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        let key = rel.to_string_lossy().to_lowercase();
        match seen.get(&key) {
            Some(first) => warnings.push(
                Diagnostic::warning(
                    rel,
                    format!(
                        "{} and {} differ only in letter case",
                        first.display(),
                        rel.display()
                    ),
                )
                .help("rename one of them: on case-insensitive file systems (macOS, Windows) they are the same file"),
            ),
            None => {
                seen.insert(key, rel);
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_only_in_case_are_warned_about_once_each() {
        let root = Path::new("/site");
        let files: Vec<PathBuf> = ["assets/Logo.svg", "assets/logo.svg", "assets/LOGO.svg"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        let warnings = case_collisions(&files, root);
        assert_eq!(warnings.len(), 2);
        assert_eq!(
            warnings[0].message,
            "assets/Logo.svg and assets/logo.svg differ only in letter case"
        );
        assert_eq!(warnings[1].path, Path::new("assets/LOGO.svg"));
        assert!(!warnings[0].is_error());
    }
}
