//! Writing the site: generated files (sitemap, robots, codes.json, families.json), then everything into a
//! staging directory beside the output, swapped in only when all of it was written. A failed
//! build leaves the previous site exactly as it was.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::pipeline::plan::{PageData, Routes};
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

/// `/codes.json`: every code, for tools and other sites, at the URLs of its route table.
pub fn codes_json(site: &Site, routes: &Routes) -> Vec<u8> {
    let entries: Vec<CodeEntry<'_>> = routes
        .pages
        .iter()
        .filter_map(|route| match route.data {
            PageData::Code(i) => site
                .codes
                .get(i)
                .map(|c| code_entry(c, Routes::full_url(site, &route.url))),
            _ => None,
        })
        .collect();
    pretty_json(&entries)
}

/// One family in `/families.json`.
#[derive(Debug, Serialize)]
pub struct FamilyEntry<'a> {
    /// `Cloudflare errors`.
    pub name: &'a str,
    /// `cloudflare-errors`.
    pub slug: &'a str,
    /// How one entry is named: `Cloudflare error`.
    pub entry_label: &'a str,
    /// One sentence.
    pub description: &'a str,
    /// The list page: absolute URL when the site has a domain, else the path.
    pub url: String,
    /// Its entries, in key order.
    pub entries: Vec<FamilyMember<'a>>,
}

/// One entry of a family in `/families.json`.
#[derive(Debug, Serialize)]
pub struct FamilyMember<'a> {
    /// `1020`, `500.19`, `000` (a string: leading zeros and dots matter).
    pub key: &'a str,
    /// `1020 Access Denied`.
    pub title: &'a str,
    /// The HTTP status it arrives with; `null` for none.
    pub http_status: Option<u16>,
    /// Absolute URL when the site has a domain, else the path.
    pub url: String,
    /// One sentence.
    pub description: &'a str,
    /// The document it comes from.
    pub source: Option<&'a str>,
    /// Link to that document.
    pub spec_url: Option<&'a str>,
}

/// `/families.json`: every content family and its entries (a sibling of `codes.json`, which
/// keeps its shape).
pub fn families_json(site: &Site) -> Vec<u8> {
    let origin = site.config.origin().unwrap_or_default();
    let families: Vec<FamilyEntry<'_>> = site
        .families
        .iter()
        .map(|f| FamilyEntry {
            name: &f.name,
            slug: &f.slug,
            entry_label: &f.entry_label,
            description: &f.description,
            url: format!("{origin}{}", f.url),
            entries: f
                .members
                .iter()
                .filter_map(|&i| site.entries.get(i))
                .map(|e| FamilyMember {
                    key: &e.key,
                    title: &e.title,
                    http_status: e.http_status,
                    url: format!("{origin}{}", e.url),
                    description: &e.description,
                    source: e.source.as_deref(),
                    spec_url: e.spec_url.as_deref(),
                })
                .collect(),
        })
        .collect();
    pretty_json(&families)
}

/// One code's entry of `/codes.json` (also the start of its own `index.json`, see
/// [`crate::open_formats`]); `url` is its page's full URL.
pub fn code_entry(c: &crate::site::CodePage, url: String) -> CodeEntry<'_> {
    CodeEntry {
        code: c.code,
        title: format!("{} {}", c.code, c.name),
        name: &c.name,
        class: &c.class,
        official: c.status.is_registered(),
        status: c.status.as_str(),
        vendor: c.vendor.as_deref(),
        source: c.source.as_deref(),
        spec_url: c.spec_url.as_deref(),
        url,
        description: &c.description,
        other_meanings: c.meanings[1..]
            .iter()
            .map(|m| OtherMeaning {
                name: &m.name,
                official: m.status.is_registered(),
                status: m.status.as_str(),
                vendor: m.vendor.as_deref(),
                source: m.source.as_deref(),
            })
            .collect(),
    }
}

/// `value` as indented JSON with a final newline: how every JSON file of the site is written
/// (`codes.json`, `families.json`, each page's `index.json`).
pub(crate) fn pretty_json(value: &impl Serialize) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(value).unwrap_or_default();
    json.push(b'\n');
    json
}

/// `/sitemap.xml`, when the site has an absolute base URL (sitemaps need absolute URLs): the
/// pages the route table lists for it, in its order.
pub fn sitemap(site: &Site, routes: &Routes) -> Option<Vec<u8>> {
    let origin = site.config.origin()?;
    let urls = routes
        .sitemap
        .iter()
        .filter_map(|&i| routes.pages.get(i))
        .map(|r| &r.url);
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
            "\nSitemap: {origin}{}{}\n",
            site.base_path,
            crate::pipeline::plan::SITEMAP
        ));
    }
    text.into_bytes()
}

/// The file every build writes at the top of its output, so that the next build knows the
/// directory is statusref's to replace (see [`check_output_dir`]). Its content is fixed: two
/// builds of the same input stay byte-identical.
pub const MARKER: &str = ".statusref-build";

/// What [`MARKER`] holds. Only its first line is checked, so later versions may add to it.
pub const MARKER_TEXT: &str = "statusref build output\n\nThis directory was written by `statusref build`, which replaces it as a whole on\nevery build: anything added here is lost on the next build.\n";

/// Paths under the site root that are the site's sources: an output may not be one of them,
/// contain one, or lie inside one, whatever the flags.
pub const SOURCE_PATHS: [&str; 5] = ["content", "templates", "assets", "site.yaml", ".git"];

/// Why an output directory was refused: what is wrong and how to fix it. A usage error
/// (exit 2): the build has not started and nothing was touched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// What is wrong, naming the path.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

fn refuse(message: String, help: impl Into<String>) -> Refusal {
    Refusal {
        message,
        help: help.into(),
    }
}

/// `path` with its longest existing ancestor canonicalized (symbolic links and `..` resolved
/// where the file system can tell), the rest appended: where a write to `path` would land.
fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest.iter().rev().fold(canonical, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Whether two existing paths are the same file or directory (same device and inode): catches
/// a source reached by another spelling (`Content/` on a case-insensitive file system, a bind
/// mount) that a comparison of path strings misses.
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// Whether `dir` holds a site an earlier `statusref build` wrote: it has the [`MARKER`] file.
pub fn is_statusref_output(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MARKER))
        .is_ok_and(|text| text.lines().next() == MARKER_TEXT.lines().next())
}

/// Refuses an output that would destroy something statusref did not make, before anything is
/// read or written:
///
/// - the site root or a directory containing it;
/// - a source path ([`SOURCE_PATHS`]), or anything inside one (even with `--force`);
/// - an existing file or symbolic link (a build output is a directory, and a build replaces
///   its output as a whole);
/// - an existing non-empty directory without the [`MARKER`] of an earlier build, unless
///   `force` (another tool's output, or a site from before the marker existed).
///
/// An output that does not exist yet, an empty directory and an earlier build's output pass.
pub fn check_output_dir(root: &Path, output: &Path, force: bool) -> Result<(), Refusal> {
    const ELSEWHERE: &str = "pass --output with a new directory, e.g. <root>/public";
    let Some(name) = output.file_name() else {
        return Err(refuse(
            format!("the output {} is not a directory name", output.display()),
            ELSEWHERE,
        ));
    };
    let root = resolve(root);
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The output itself is not resolved: a build replaces the entry at this path, not the
    // target of a link there.
    let resolved = resolve(parent).join(name);
    let shown = output.display();
    if root.starts_with(&resolved) || same_file(&root, &resolved) {
        return Err(refuse(
            format!("the output directory {shown} contains the site root; a build replaces its output as a whole"),
            ELSEWHERE,
        ));
    }
    for source in SOURCE_PATHS {
        let source_path = root.join(source);
        let inside = resolved.starts_with(&source_path)
            || resolved
                .ancestors()
                .take_while(|a| a.starts_with(&root) && *a != root)
                .any(|a| same_file(a, &source_path));
        if inside {
            let what = if source == "site.yaml" {
                "the site's site.yaml".to_string()
            } else {
                format!("the site's {source}/")
            };
            let relation = if resolved == source_path || same_file(&resolved, &source_path) {
                "is"
            } else {
                "lies inside"
            };
            return Err(refuse(
                format!("the output {shown} {relation} {what}: a build would replace the site's sources"),
                format!("{ELSEWHERE}; sources (content/, templates/, assets/, site.yaml, .git) are never an output, even with --force"),
            ));
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(output) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            format!("the output {shown} is a symbolic link; a build would replace the link with a directory"),
            "pass --output with the directory the link points to, or with a new directory",
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(
            format!("the output {shown} is an existing file; a build writes a directory there and would delete the file"),
            format!("{ELSEWHERE}; statusref never replaces a file, even with --force"),
        ));
    }
    if force || is_statusref_output(output) {
        return Ok(());
    }
    let empty = match std::fs::read_dir(output) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => {
            return Err(refuse(
                format!("cannot read the output directory {shown}: {e}"),
                ELSEWHERE,
            ))
        }
    };
    if empty {
        return Ok(());
    }
    Err(refuse(
        format!("the output directory {shown} is not empty and was not written by statusref (it has no {MARKER} file); a build would delete everything in it"),
        format!("{ELSEWHERE}, or pass --force to replace {shown} and all it holds"),
    ))
}

/// Writes `files` into a staging directory beside `output`, then swaps it in.
///
/// The previous output is moved aside and deleted only after the new one is in place; if
/// anything fails before the swap, the staging directory is removed and `output` is untouched.
/// (The pipeline writes through [`Staging`] as it renders; this is the whole-site form its
/// tests use.)
#[cfg(test)]
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

/// Numbers the staging directories of this process (a process may build several sites, or
/// the same one from several threads in tests).
static STAGING_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A staging directory beside the output (`.public.staging-<pid>-<n>`): files are written into
/// it one by one, possibly from several threads and as they are produced, and it replaces the
/// output only on [`Staging::commit`]. Dropped without a commit (an error anywhere in the
/// build), it is removed and the output is left as it was.
///
/// While it exists the build holds an advisory lock (`flock`) on it. A build killed halfway
/// leaves its staging directory behind, unlocked (the kernel drops a dead process's locks):
/// the next build's [`Staging::create`] removes such debris, and keeps the directories whose
/// lock is held, which belong to builds still running.
#[derive(Debug)]
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    committed: bool,
    /// The staging directory, open and locked for as long as this value lives.
    _lock: DirLock,
}

impl Staging {
    /// Removes the debris of dead builds beside `output`, then creates an empty, locked
    /// staging directory for it, holding the [`MARKER`].
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
        remove_debris(parent, &name);
        let pid = std::process::id();
        let mut attempts = 0;
        loop {
            let serial = STAGING_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = parent.join(format!(".{name}.staging-{pid}-{serial}"));
            let previous = parent.join(format!(".{name}.previous-{pid}-{serial}"));
            match std::fs::create_dir(&dir) {
                Ok(()) => {}
                // Left by a dead process with this pid and still locked by... nobody alive:
                // it is debris for the next build; take another name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => {
                    attempts += 1;
                    continue;
                }
                Err(e) => return ctx("creating", &dir, Err(e)),
            }
            // Another build's debris sweep may have taken the fresh directory for debris
            // between its creation and the lock: then the lock fails, or the directory at the
            // path is no longer the one locked. Either way, start over under a new name.
            match DirLock::try_new(&dir) {
                Ok(Some(lock)) if lock.is_at(&dir) => {
                    let staging = Staging {
                        output: output.to_path_buf(),
                        dir,
                        previous,
                        committed: false,
                        _lock: lock,
                    };
                    staging.write(MARKER, MARKER_TEXT.as_bytes())?;
                    return Ok(staging);
                }
                Ok(_) if attempts < 100 => attempts += 1,
                Ok(_) => {
                    return ctx(
                        "locking",
                        &dir,
                        Err(io::Error::other("another build keeps taking it")),
                    )
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    return ctx("locking", &dir, Err(e));
                }
            }
        }
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

    /// Swaps the staging directory in for the output.
    ///
    /// Where the system has an atomic exchange (Linux `renameat2(RENAME_EXCHANGE)`, macOS
    /// `renamex_np(RENAME_SWAP)`), the output is at every instant either the old site or the
    /// new one, even if the process is killed; the old site, now at the staging path, is
    /// deleted afterwards. Elsewhere (or on a file system without the exchange) the old output
    /// is renamed aside first, then the staging directory into place: a kill between the two
    /// renames leaves no output until the next build.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let output = self.output.clone();
        if std::fs::symlink_metadata(&output).is_err() {
            ctx(
                "moving into place",
                &output,
                std::fs::rename(&self.dir, &output),
            )?;
            self.committed = true;
            return Ok(());
        }
        match exchange(&self.dir, &output) {
            Ok(()) => {
                self.committed = true;
                // The old site is now at the staging path.
                let old = self.dir.clone();
                ctx("removing the previous output", &old, remove_all(&old))
            }
            Err(e) if e.kind() == io::ErrorKind::Unsupported => self.swap_by_renames(),
            Err(e) => ctx("moving into place", &output, Err(e)),
        }
    }

    /// The swap where there is no atomic exchange: the old output aside, the staging directory
    /// into place, the old output removed.
    fn swap_by_renames(&mut self) -> Result<(), WriteError> {
        let output = self.output.clone();
        if let Err(e) = std::fs::rename(&output, &self.previous) {
            return ctx("moving aside", &output, Err(e));
        }
        if let Err(e) = std::fs::rename(&self.dir, &output) {
            let _ = std::fs::rename(&self.previous, &output);
            return ctx("moving into place", &output, Err(e));
        }
        self.committed = true;
        let previous = self.previous.clone();
        ctx("removing", &previous, remove_all(&previous))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes a directory tree (or a file); one already gone (a concurrent build's debris sweep
/// got there first) is not an error.
fn remove_all(path: &Path) -> io::Result<()> {
    let result = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Removes what dead builds left beside the output `name` in `parent`: staging and
/// previous-output directories (`.<name>.staging-*`, `.<name>.previous-*`) whose lock can be
/// taken. A directory whose lock is held belongs to a build that is still running, and is
/// kept. Best effort: what cannot be removed now is tried again by the next build.
///
/// Without `flock` (not Unix) a dead build's directory cannot be told from a live one's, so
/// nothing is removed.
fn remove_debris(parent: &Path, name: &str) {
    if cfg!(not(unix)) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.previous-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        if !prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            continue;
        }
        // A link or a file with such a name is not a build's: left alone.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if let Ok(Some(lock)) = DirLock::try_new(&path) {
            if lock.is_at(&path) {
                let _ = remove_all(&path);
            }
        }
    }
}

/// An advisory lock on a directory (`flock` on the directory itself), held until dropped; the
/// kernel releases it when the process dies, however it dies.
#[derive(Debug)]
struct DirLock {
    #[cfg(unix)]
    file: std::fs::File,
}

impl DirLock {
    /// Takes the lock if no one holds it: `Ok(None)` when another open of the directory (a
    /// running build) holds it.
    #[cfg(unix)]
    fn try_new(dir: &Path) -> io::Result<Option<DirLock>> {
        use rustix::fs::{flock, FlockOperation};
        let file = std::fs::File::open(dir)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(DirLock { file })),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Without `flock` there is no lock to take: [`remove_debris`] removes nothing there.
    #[cfg(not(unix))]
    fn try_new(_dir: &Path) -> io::Result<Option<DirLock>> {
        Ok(Some(DirLock {}))
    }

    /// Whether the locked directory is still the one at `path` (not removed or replaced since
    /// it was opened).
    #[cfg(unix)]
    fn is_at(&self, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (self.file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    fn is_at(&self, _path: &Path) -> bool {
        true
    }
}

/// Atomically exchanges two paths; `Unsupported` where the system or file system cannot.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // An old kernel, or a file system without the exchange (some network ones).
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => {
            Err(io::Error::new(io::ErrorKind::Unsupported, e))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
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
    fn the_swap_without_an_atomic_exchange_replaces_the_output_too() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[("old.html".into(), b"old".to_vec())]).unwrap();
        let mut staging = Staging::create(&out).unwrap();
        staging.write("new.html", b"new").unwrap();
        staging.swap_by_renames().unwrap();
        drop(staging);
        assert_eq!(std::fs::read(out.join("new.html")).unwrap(), b"new");
        assert!(!out.join("old.html").exists());
        assert!(is_statusref_output(&out));
        assert_only_public_is_left(dir.path());
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
    fn refuses_to_replace_the_site_root_or_its_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/codes")).unwrap();
        std::fs::write(root.join("site.yaml"), "title: x\n").unwrap();
        for bad in [
            root.to_path_buf(),
            root.join("content"),
            root.join("content/codes"),
            root.join("content/not-yet"),
            root.join("templates/partials"),
            root.join("assets"),
            root.join("site.yaml"),
            root.join(".git"),
        ] {
            for force in [false, true] {
                let refusal = check_output_dir(root, &bad, force).unwrap_err();
                assert!(
                    refusal.message.contains(&bad.display().to_string()),
                    "{refusal:?}"
                );
                assert!(refusal.help.contains("--output"), "{refusal:?}");
            }
        }
        assert!(check_output_dir(root, &root.join("public"), false).is_ok());
        assert!(check_output_dir(root, &root.join("content-public"), false).is_ok());
    }

    #[test]
    fn a_foreign_directory_needs_force_and_a_file_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        assert!(check_output_dir(&root, &out, false).is_ok(), "empty");
        std::fs::write(out.join("theirs.txt"), "x").unwrap();
        let refusal = check_output_dir(&root, &out, false).unwrap_err();
        assert!(refusal.help.contains("--force"), "{refusal:?}");
        assert!(check_output_dir(&root, &out, true).is_ok());
        std::fs::write(out.join(MARKER), MARKER_TEXT).unwrap();
        assert!(check_output_dir(&root, &out, false).is_ok(), "statusref's");
        std::fs::write(out.join(MARKER), "something else\n").unwrap();
        assert!(
            check_output_dir(&root, &out, false).is_err(),
            "not the marker"
        );
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "notes").unwrap();
        assert!(check_output_dir(&root, &file, false).is_err());
        assert!(check_output_dir(&root, &file, true).is_err());
    }

    #[test]
    fn a_build_writes_the_marker_and_the_next_one_sweeps_dead_staging() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[("index.html".into(), b"one".to_vec())]).unwrap();
        assert!(is_statusref_output(&out));
        // A build killed halfway: its staging directory, with no lock held.
        let dead = dir.path().join(".public.staging-4000000-0");
        std::fs::create_dir_all(dead.join("a")).unwrap();
        std::fs::write(dead.join("a/index.html"), "half").unwrap();
        // A live one (this process holds its lock).
        let live = Staging::create(&out).unwrap();
        write_site(&out, &[("index.html".into(), b"two".to_vec())]).unwrap();
        assert!(!dead.exists(), "dead staging removed");
        assert!(live.dir.is_dir(), "live staging kept");
        drop(live);
        assert_only_public_is_left(dir.path());
    }
}
