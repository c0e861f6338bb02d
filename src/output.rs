//! Writing the site: generated files (sitemap, robots, codes.json), then everything into a
//! staging directory beside the output, swapped in only when all of it was written. A failed
//! build leaves the previous site exactly as it was.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::site::Site;

/// An I/O failure while writing, with the path it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct WriteError {
    /// What was being done.
    pub action: &'static str,
    /// Where.
    pub path: PathBuf,
    /// Why it failed.
    #[source]
    pub source: io::Error,
}

fn ctx<T>(action: &'static str, path: &Path, r: io::Result<T>) -> Result<T, WriteError> {
    r.map_err(|source| WriteError {
        action,
        path: path.to_path_buf(),
        source,
    })
}

/// One entry of `/codes.json`.
#[derive(Debug, Serialize)]
pub struct CodeEntry<'a> {
    /// The code.
    pub code: u16,
    /// `504 Gateway Timeout`.
    pub title: String,
    /// Reason phrase.
    pub name: &'a str,
    /// `5xx`.
    pub class: &'a str,
    /// Registered with IANA (official, temporary, deprecated, unused, obsolete).
    pub official: bool,
    /// Registry status.
    pub status: &'a str,
    /// Vendor of an unofficial code.
    pub vendor: Option<&'a str>,
    /// Where it is defined.
    pub source: Option<&'a str>,
    /// Link to the definition.
    pub spec_url: Option<&'a str>,
    /// Absolute URL when the site has a domain, else the path.
    pub url: String,
    /// One sentence.
    pub description: &'a str,
    /// Other meanings of the same number (vendor uses).
    pub other_meanings: Vec<OtherMeaning<'a>>,
}

/// A further meaning of a code, in `/codes.json`.
#[derive(Debug, Serialize)]
pub struct OtherMeaning<'a> {
    /// Reason phrase.
    pub name: &'a str,
    /// Registered with IANA.
    pub official: bool,
    /// Registry status.
    pub status: &'a str,
    /// Vendor.
    pub vendor: Option<&'a str>,
    /// Where it is defined.
    pub source: Option<&'a str>,
}

/// `/codes.json`: every code, for tools and other sites.
pub fn codes_json(site: &Site) -> Vec<u8> {
    let origin = site.config.origin().unwrap_or_default();
    let entries: Vec<CodeEntry<'_>> = site.codes.iter().map(|c| code_entry(c, &origin)).collect();
    let mut json = serde_json::to_vec_pretty(&entries).unwrap_or_default();
    json.push(b'\n');
    json
}

/// One code's entry of `/codes.json` (also the start of its own `index.json`, see
/// [`crate::open_formats`]); `origin` is `https://example.org` or empty.
pub fn code_entry<'a>(c: &'a crate::site::CodePage, origin: &str) -> CodeEntry<'a> {
    CodeEntry {
        code: c.code,
        title: format!("{} {}", c.code, c.name),
        name: &c.name,
        class: &c.class,
        official: c.status != crate::content::Status::Unofficial,
        status: c.status.as_str(),
        vendor: c.vendor.as_deref(),
        source: c.source.as_deref(),
        spec_url: c.spec_url.as_deref(),
        url: format!("{origin}{}", c.url),
        description: &c.description,
        other_meanings: c.meanings[1..]
            .iter()
            .map(|m| OtherMeaning {
                name: &m.name,
                official: m.status != crate::content::Status::Unofficial,
                status: m.status.as_str(),
                vendor: m.vendor.as_deref(),
                source: m.source.as_deref(),
            })
            .collect(),
    }
}

/// `/sitemap.xml`, when the site has an absolute base URL (sitemaps need absolute URLs).
pub fn sitemap(site: &Site) -> Option<Vec<u8>> {
    let origin = site.config.origin()?;
    let mut urls = vec![site.base_path.clone(), site.search_url()];
    urls.extend(
        site.classes
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| c.url.clone()),
    );
    urls.extend(site.codes.iter().map(|c| c.url.clone()));
    urls.push(format!("{}guides/", site.base_path));
    urls.extend(site.articles.iter().map(|a| a.url.clone()));
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for url in urls {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            crate::markdown::escape(&format!("{origin}{url}"))
        ));
    }
    xml.push_str("</urlset>\n");
    Some(xml.into_bytes())
}

/// `/robots.txt`: everything may be crawled; points at the sitemap when there is one.
pub fn robots(site: &Site) -> Vec<u8> {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(origin) = site.config.origin() {
        text.push_str(&format!(
            "\nSitemap: {origin}{}sitemap.xml\n",
            site.base_path
        ));
    }
    text.into_bytes()
}

/// Refuses output directories that would destroy the site's own sources.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf());
    let output = match output.file_name() {
        Some(name) => parent.join(name),
        None => return Err(format!("{} is not a directory name", output.display())),
    };
    if root.starts_with(&output) {
        return Err(format!(
            "the output directory {} contains the site root; the build replaces the output directory",
            output.display()
        ));
    }
    for dir in ["content", "templates", "assets"] {
        if output == root.join(dir) {
            return Err(format!(
                "the output directory {} is the site's {dir}/ directory",
                output.display()
            ));
        }
    }
    Ok(())
}

/// Writes `files` into a staging directory beside `output`, then swaps it in.
///
/// The previous output is moved aside and deleted only after the new one is in place; if
/// anything fails before the swap, the staging directory is removed and `output` is untouched.
pub fn write_site(output: &Path, files: &[(String, Vec<u8>)]) -> Result<u64, WriteError> {
    let staging = Staging::create(output)?;
    staging.create_dirs(files.iter().map(|(rel, _)| rel.as_str()))?;
    use rayon::prelude::*;
    let bytes = files
        .par_iter()
        .map(|(rel, bytes)| staging.write(rel, bytes))
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    staging.commit()?;
    Ok(bytes)
}

/// A staging directory beside the output (`.public.staging-<pid>`): files are written into it
/// one by one, possibly from several threads and as they are produced, and it replaces the
/// output only on [`Staging::commit`]. Dropped without a commit (an error anywhere in the
/// build), it is removed and the output is left as it was.
#[derive(Debug)]
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging directory for `output` (removing a stale one of this process).
    pub fn create(output: &Path) -> Result<Staging, WriteError> {
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        ctx("creating", parent, std::fs::create_dir_all(parent))?;
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let previous = parent.join(format!(".{name}.previous-{}", std::process::id()));
        if dir.exists() {
            ctx("removing", &dir, std::fs::remove_dir_all(&dir))?;
        }
        ctx("creating", &dir, std::fs::create_dir_all(&dir))?;
        Ok(Staging {
            output: output.to_path_buf(),
            dir,
            previous,
            committed: false,
        })
    }

    /// Creates the directories that files at these paths (relative to the output) need, in
    /// sorted order so that parents come before children. Creating them up front lets
    /// [`Staging::write`] run on many threads without racing on directories.
    pub fn create_dirs<'a>(&self, paths: impl Iterator<Item = &'a str>) -> Result<(), WriteError> {
        let dirs: std::collections::BTreeSet<&Path> = paths
            .filter_map(|rel| Path::new(rel).parent())
            .filter(|parent| !parent.as_os_str().is_empty())
            .collect();
        for parent in dirs {
            let path = self.dir.join(parent);
            ctx("creating", &path, std::fs::create_dir_all(&path))?;
        }
        Ok(())
    }

    /// Writes one file (its directory must exist: see [`Staging::create_dirs`]); returns its
    /// size. At ten thousand pages, creating files is most of the writing (ext4 inode
    /// allocation), and it overlaps well across threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<u64, WriteError> {
        let path = self.dir.join(rel);
        ctx("writing", &path, std::fs::write(&path, bytes))?;
        Ok(bytes.len() as u64)
    }

    /// Swaps the staging directory in for the output. The previous output is moved aside and
    /// deleted only after the new one is in place.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let output = self.output.clone();
        let had_previous = output.exists();
        if had_previous {
            if let Err(e) = std::fs::rename(&output, &self.previous) {
                return ctx("moving aside", &output, Err(e));
            }
        }
        if let Err(e) = std::fs::rename(&self.dir, &output) {
            if had_previous {
                let _ = std::fs::rename(&self.previous, &output);
            }
            return ctx("moving into place", &output, Err(e));
        }
        self.committed = true;
        if had_previous {
            let previous = self.previous.clone();
            if previous.is_dir() {
                ctx("removing", &previous, std::fs::remove_dir_all(&previous))?;
            } else {
                ctx("removing", &previous, std::fs::remove_file(&previous))?;
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_replaces_the_whole_directory() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(
            &out,
            &[
                ("a/index.html".into(), b"one".to_vec()),
                ("stale.txt".into(), b"x".to_vec()),
            ],
        )
        .unwrap();
        write_site(&out, &[("a/index.html".into(), b"two".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"two");
        assert!(!out.join("stale.txt").exists());
        assert_only_public_is_left(dir.path());
    }

    /// No staging or previous-output directory is left beside the output.
    fn assert_only_public_is_left(parent: &Path) {
        let leftovers: Vec<_> = std::fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [std::ffi::OsString::from("public")]);
    }

    #[test]
    fn a_staging_directory_dropped_without_commit_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[("index.html".into(), b"previous".to_vec())]).unwrap();
        {
            let staging = Staging::create(&out).unwrap();
            staging.create_dirs(["a/index.html"].into_iter()).unwrap();
            staging.write("a/index.html", b"half a build").unwrap();
            // An error here: the staging directory is dropped.
        }
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"previous");
        assert!(!out.join("a").exists());
        assert_only_public_is_left(dir.path());
    }

    #[test]
    fn refuses_to_replace_the_site_root() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_output_dir(dir.path(), dir.path()).is_err());
        assert!(check_output_dir(dir.path(), &dir.path().join("content")).is_err());
        assert!(check_output_dir(dir.path(), &dir.path().join("public")).is_ok());
    }
}
