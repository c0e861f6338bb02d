//! Incremental rebuilds for the dev server: an edit to one page re-renders that page and the
//! pages that show it, and re-indexes search in the background.
//!
//! ```text
//!            ┌──── cache per content file (path + size + mtime + inode/ctime) ────┐
//! content/ ──┤ unchanged: the parsed Page and its markdown, as they were         ├─▶ Site
//!            └ changed, new: read, parsed, rendered again; removed: forgotten   ┘  (assembled
//!                                                                                 from all)
//! templates/ assets/ site.yaml: read and compared every time; templates parsed
//!                               again only when they changed
//!
//! Site ─▶ jobs ─▶ each job compared with the last good build's ─▶ render the ones that differ
//!                 (its page data, its list, the shared `site`,     ─▶ swap into the file map
//!                  the asset URLs, the templates, the config)      ─▶ index job (if the search
//!                                                                     documents changed)
//! ```
//!
//! Pages are a pure function of their job (template, URL, title, description, page data), the
//! shared `site` object, the asset URLs, the templates and the configuration; a page whose
//! inputs all compare equal to the last build's renders to the same bytes, so it is kept. The
//! site model is assembled again from every page on each rebuild (cheap and linear: the cached
//! pages are borrowed), so cross-page rules — duplicate codes, related codes, links — are checked
//! exactly as in a full build.
//!
//! The search index is the slow part (seconds at ten thousand pages), so it is built off the
//! rebuild path: pages are rendered with a placeholder URL for `assets['index.bin']`, served
//! with the URL of the index being served now, and patched again when the new index lands
//! ([`Incremental::apply_index`]). After the index job of the last rebuild has been applied,
//! [`Incremental::files`] is byte for byte what [`crate::render_site`] produces (the dev
//! server's live-reload script is added when a page is served, not stored).
//!
//! The placeholder (`<base>assets/index.xxxxxxxxxx.bin`, never a real fingerprint, which is
//! hex) is assumed to reach a page only through `assets['index.bin']`, printed as it is: a
//! template that transforms that URL (slices it, changes its case), or content that contains
//! the placeholder itself, would be served differently from what `build` writes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use rayon::prelude::*;

use crate::assets::{self, Asset, ThemeFile};
use crate::config::Config;
use crate::content::{self, Page};
use crate::diagnostic::{self, Diagnostic};
use crate::index::{self, Document};
use crate::markdown;
use crate::pipeline::plan::{self, PageData, Route, Routes};
use crate::render::{RenderError, Renderer};
use crate::site::Site;
use crate::{BuildError, BuildOptions, SEARCH_WASM};

/// A site's output files: path relative to the output directory → bytes.
pub type Files = HashMap<String, Bytes>;

/// What the index URL is while pages render; never a real fingerprint (those are hex).
const INDEX_PLACEHOLDER: &str = "index.xxxxxxxxxx.bin";

/// The dev server's builder: caches, the last good build, and the index in flight.
pub struct Incremental {
    options: BuildOptions,
    /// Content files by path as walked, with what was made of them.
    content: HashMap<PathBuf, Entry>,
    /// The base path the cached markdown was rendered with (links are rewritten under it).
    markdown_base: String,
    /// The last templates that parsed.
    theme: Option<Theme>,
    /// The last theme assets read, fingerprinted, with the search wasm.
    assets: Option<StaticAssets>,
    /// Bumped whenever the templates or the assets change.
    generation: u64,
    /// The last good build.
    last: Option<Last>,
}

/// One content file: its stamp when read, the parse result, and its markdown when it parsed.
struct Entry {
    stamp: Option<Stamp>,
    parsed: content::FileResult,
    markdown: Option<markdown::Rendered>,
}

/// What says a file changed without reading it: size, modification time and, on Unix, the
/// inode and status-change time (an editor that saves by renaming gets a new inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64, i64, i64),
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
        };
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode,
        })
    }
}

struct Theme {
    sources: BTreeMap<String, ThemeFile>,
    renderer: Renderer,
    generation: u64,
}

struct StaticAssets {
    sources: BTreeMap<String, ThemeFile>,
    /// Theme assets and the search wasm, fingerprinted (the index is kept apart).
    list: Vec<Asset>,
    generation: u64,
}

/// The last good build: what the next one is compared with.
struct Last {
    config: Config,
    site: Site,
    routes: Routes,
    asset_urls: BTreeMap<String, String>,
    theme_generation: u64,
    assets_generation: u64,
    asset_paths: Vec<String>,
    generated_paths: Vec<String>,
    files: Arc<Files>,
    /// Pages that show the index URL, as rendered (with the placeholder).
    raw: HashMap<String, Bytes>,
    /// The index being served: its output path and the digest of its documents.
    index_path: String,
    index_digest: u64,
    /// The digest of the index job in flight, if any.
    pending: Option<u64>,
}

/// What a successful rebuild did.
#[derive(Debug)]
pub struct Outcome {
    /// HTML pages in the site.
    pub pages: usize,
    /// Pages rendered by this rebuild (all of them on the first build or after a template,
    /// asset or configuration change).
    pub rendered: usize,
    /// Content files read again.
    pub reloaded: usize,
    /// Code pages.
    pub codes: usize,
    /// Guides.
    pub guides: usize,
    /// Output paths added, changed or removed, sorted.
    pub changed: Vec<String>,
    /// Warnings of the whole site, in the order a full build reports them.
    pub warnings: Vec<Diagnostic>,
    /// The search index to build, when the documents changed (never on the first build, which
    /// builds it in place): run it anywhere, then hand the result to
    /// [`Incremental::apply_index`].
    pub index: Option<IndexJob>,
    /// Wall time.
    pub elapsed: Duration,
}

/// A search index to build from a rebuild's documents; `Send`, for a background thread.
#[derive(Debug)]
pub struct IndexJob {
    digest: u64,
    documents: Vec<Document>,
}

impl IndexJob {
    /// Builds the index bundle (the slow part: seconds at ten thousand pages).
    pub fn run(self) -> IndexResult {
        let started = Instant::now();
        let bundle = index::bundle_documents(&self.documents);
        IndexResult {
            digest: self.digest,
            bundle,
            elapsed: started.elapsed(),
        }
    }
}

/// A built index, for [`Incremental::apply_index`].
#[derive(Debug)]
pub struct IndexResult {
    digest: u64,
    bundle: Result<Vec<u8>, Diagnostic>,
    /// How long building it took.
    pub elapsed: Duration,
}

impl Incremental {
    /// A builder for the site of `options` (its `output` is not used); nothing is read until
    /// the first [`Incremental::rebuild`].
    pub fn new(options: BuildOptions) -> Incremental {
        Incremental {
            options,
            content: HashMap::new(),
            markdown_base: String::new(),
            theme: None,
            assets: None,
            generation: 0,
            last: None,
        }
    }

    /// The files of the last good build (with the index being served), or `None` before the
    /// site has built once.
    pub fn files(&self) -> Option<Arc<Files>> {
        self.last.as_ref().map(|last| last.files.clone())
    }

    /// The model of the last good build.
    pub fn site(&self) -> Option<&Site> {
        self.last.as_ref().map(|last| &last.site)
    }

    /// Whether an index job handed out by a rebuild has not been applied yet.
    pub fn index_pending(&self) -> bool {
        self.last
            .as_ref()
            .is_some_and(|last| last.pending.is_some())
    }

    /// Brings the site up to date with the files on disk. `changed` are paths relative to the
    /// root (`content/codes/504.md`) reported changed by the file watcher: read again even if
    /// their size and times look the same (a second edit within the file system's timestamp
    /// granularity). Other content files are checked by their stamps; templates, assets and
    /// `site.yaml` are always read and compared.
    ///
    /// On errors, the last good build stays as it was (and is what the next rebuild is compared
    /// with); the errors are the ones [`crate::render_site`] reports.
    pub fn rebuild(&mut self, changed: &BTreeSet<String>) -> Result<Outcome, BuildError> {
        let started = Instant::now();
        let root = self.options.root.clone();
        let mut config = Config::load(&root).map_err(|d| BuildError::Input(vec![d]))?;
        if let Some(base_url) = &self.options.base_url {
            config
                .override_base_url(base_url)
                .map_err(|e| BuildError::Usage(crate::output::Refusal { message: format!("--base-url {e}"), help: "give an http(s) URL (`https://example.org/ref/`) or a path starting with one `/` (`/ref/`)".into() }))?;
        }
        let base_path = config.base_path();
        if base_path != self.markdown_base {
            // Links in the markdown are rewritten under the base path.
            self.content.clear();
            self.markdown_base = base_path.clone();
        }

        // Content: read what changed, keep the rest.
        let discovered = content::discover(&root);
        let mut diagnostics = discovered.diagnostics;
        let files = discovered.files;
        // Family files are a few lines each: read again on every rebuild.
        let families = crate::family::load(&root, &files);
        let forced: HashSet<PathBuf> = changed.iter().map(|rel| root.join(rel)).collect();
        let cache = &self.content;
        let to_load: Vec<(&PathBuf, Option<Stamp>)> = files
            .par_iter()
            .filter_map(|path| {
                let stamp = Stamp::of(path);
                match cache.get(path) {
                    Some(entry)
                        if stamp.is_some() && entry.stamp == stamp && !forced.contains(path) =>
                    {
                        None
                    }
                    _ => Some((path, stamp)),
                }
            })
            .collect();
        let reloaded: Vec<(PathBuf, Entry)> = to_load
            .into_par_iter()
            .map(|(path, stamp)| {
                let parsed = content::load_file(&root, path);
                let markdown = parsed
                    .as_ref()
                    .ok()
                    .map(|(page, _)| markdown::render_page(page, &base_path));
                (
                    path.clone(),
                    Entry {
                        stamp,
                        parsed,
                        markdown,
                    },
                )
            })
            .collect();
        let reloaded_count = reloaded.len();
        self.content.extend(reloaded);
        let present: HashSet<&PathBuf> = files.iter().collect();
        self.content.retain(|path, _| present.contains(path));

        let mut pages: Vec<(&Page, &markdown::Rendered)> = Vec::with_capacity(files.len());
        let mut unparsed_urls = Vec::new();
        for path in &files {
            let Some(entry) = self.content.get(path) else {
                continue;
            };
            match (&entry.parsed, &entry.markdown) {
                (Ok((page, warnings)), Some(markdown)) => {
                    diagnostics.extend(warnings.iter().cloned());
                    if self.options.drafts || !page.front.draft {
                        pages.push((page, markdown));
                    }
                }
                (Ok(_), None) => {}
                (Err(errors), _) => {
                    if let Some(d) = errors.first() {
                        unparsed_urls.push(plan::source_url(&d.path));
                    }
                    diagnostics.extend(errors.iter().cloned());
                }
            }
        }

        diagnostics.retain(|d| families.keep(d));
        diagnostics.extend(families.diagnostics.iter().cloned());

        // Theme: parsed again only when it changed.
        let theme_ok = refresh_theme(
            &root,
            &mut self.theme,
            &mut self.generation,
            &mut diagnostics,
        );
        let assets_ok = refresh_assets(
            &root,
            &mut self.assets,
            &mut self.generation,
            &mut diagnostics,
        );

        let site = crate::diagnostic::gather(
            Site::assemble_refs(config.clone(), &families.defs, &pages, &unparsed_urls),
            &mut diagnostics,
        );
        let site = site.map(|mut site| {
            crate::constants::attach(&root, &mut site, &mut diagnostics);
            site
        });
        drop(pages);
        let (Some(site), Some(theme), Some(static_assets), true, true) = (
            site,
            self.theme.as_ref(),
            self.assets.as_ref(),
            theme_ok,
            assets_ok,
        ) else {
            return Err(BuildError::Input(diagnostics));
        };
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(BuildError::Input(diagnostics));
        }

        // Which pages differ from the last good build's.
        let placeholder = format!("{base_path}assets/{INDEX_PLACEHOLDER}");
        let mut asset_urls: BTreeMap<String, String> = static_assets
            .list
            .iter()
            .map(|a| (a.name.clone(), assets::url_of(&base_path, &a.path)))
            .collect();
        asset_urls.insert("index.bin".into(), placeholder.clone());
        let routes = plan::plan(&site);
        let jobs = &routes.pages;
        let last = self.last.as_ref();
        let full = match last {
            None => true,
            Some(last) => {
                last.theme_generation != theme.generation
                    || last.config != config
                    || last.routes.shared != routes.shared
                    || last.asset_urls != asset_urls
            }
        };
        let selected: Vec<&Route> = match last {
            Some(last) if !full => {
                let old: HashMap<&str, &Route> = last
                    .routes
                    .pages
                    .iter()
                    .map(|j| (j.path.as_str(), j))
                    .collect();
                jobs.iter()
                    .filter(|job| {
                        old.get(job.path.as_str())
                            .is_none_or(|old| !same_output(&site, job, old, &last.site))
                    })
                    .collect()
            }
            _ => jobs.iter().collect(),
        };
        let rendered: Mutex<Vec<(String, Vec<u8>)>> = Mutex::new(Vec::new());
        let result =
            theme
                .renderer
                .render(&site, &routes, &asset_urls, &selected, |_, job, html| {
                    rendered
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((job.path.clone(), html));
                    Ok::<(), std::convert::Infallible>(())
                });
        match result {
            Ok(()) => {}
            Err(RenderError::Templates(errors)) => {
                diagnostics.extend(errors);
                return Err(BuildError::Input(diagnostics));
            }
            Err(RenderError::Sink(never)) => match never {},
        }
        let rendered = rendered.into_inner().unwrap_or_else(|e| e.into_inner());

        // The search index: in place on the first build, else in the background when the
        // documents changed.
        let documents = index::documents(&site);
        let digest = index::digest(&documents);
        let mut first_index = None;
        let mut index_job = None;
        let (index_path, index_digest, pending) = match last {
            None => {
                let bundle =
                    index::bundle_documents(&documents).map_err(|d| BuildError::Input(vec![d]))?;
                let path = format!(
                    "assets/{}",
                    assets::fingerprinted_name("index.bin", &bundle)
                );
                first_index = Some(bundle);
                (path, digest, None)
            }
            Some(last) if last.index_digest == digest => {
                (last.index_path.clone(), last.index_digest, None)
            }
            Some(last) if last.pending == Some(digest) => {
                (last.index_path.clone(), last.index_digest, last.pending)
            }
            Some(last) => {
                index_job = Some(IndexJob { digest, documents });
                (last.index_path.clone(), last.index_digest, Some(digest))
            }
        };
        let index_url = format!("{base_path}{index_path}");

        // The new file map: the last one with what changed swapped in.
        let mut map = FileMap::new(last);
        let new_paths: HashSet<&str> = jobs.iter().map(|j| j.path.as_str()).collect();
        if let Some(last) = last {
            for job in &last.routes.pages {
                if !new_paths.contains(job.path.as_str()) {
                    map.remove(&job.path);
                }
            }
        }
        let rendered_count = rendered.len();
        for (path, html) in rendered {
            map.set_page(path, Bytes::from(html), &placeholder, &index_url);
        }
        let generated = crate::pipeline::generated_files(&site, &routes);
        if let Some(last) = last {
            for path in &last.generated_paths {
                if !generated.iter().any(|(p, _)| p == path) {
                    map.remove(path);
                }
            }
        }
        let generated_paths: Vec<String> = generated.iter().map(|(p, _)| p.clone()).collect();
        for (path, bytes) in generated {
            map.set(path, Bytes::from(bytes));
        }
        let asset_paths: Vec<String> = static_assets.list.iter().map(|a| a.path.clone()).collect();
        if last.is_none_or(|last| last.assets_generation != static_assets.generation) {
            if let Some(last) = last {
                for path in &last.asset_paths {
                    if !asset_paths.contains(path) {
                        map.remove(path);
                    }
                }
            }
            for asset in &static_assets.list {
                map.set(asset.path.clone(), Bytes::from(asset.bytes.clone()));
            }
        }
        if let Some(bundle) = first_index {
            map.set(index_path.clone(), Bytes::from(bundle));
        }

        let outcome = Outcome {
            pages: jobs.len(),
            rendered: rendered_count,
            reloaded: reloaded_count,
            codes: site.codes.len(),
            guides: site.guides().count(),
            changed: map.changed.into_iter().collect(),
            warnings: diagnostics,
            index: index_job,
            elapsed: started.elapsed(),
        };
        let previous = self.last.replace(Last {
            config,
            routes,
            asset_urls,
            theme_generation: theme.generation,
            assets_generation: static_assets.generation,
            asset_paths,
            generated_paths,
            files: Arc::new(map.files),
            raw: map.raw,
            index_path,
            index_digest,
            pending,
            site,
        });
        // Freeing the previous build (at ten thousand pages, a few hundred thousand
        // allocations) need not delay the new one.
        drop_in_background(previous);
        Ok(outcome)
    }

    /// Serves a built index: swaps it in for the previous one and points the pages that show
    /// its URL at it. Returns the output paths that changed; none when the index is stale (a
    /// later rebuild asked for another one, or went back to the index being served).
    ///
    /// # Errors
    ///
    /// When building the index failed; the previous index stays.
    pub fn apply_index(&mut self, result: IndexResult) -> Result<Vec<String>, Diagnostic> {
        let Some(last) = self.last.as_mut() else {
            return Ok(Vec::new());
        };
        if last.pending != Some(result.digest) {
            return Ok(Vec::new());
        }
        last.pending = None;
        let bundle = result.bundle?;
        let base_path = &last.site.base_path;
        let path = format!(
            "assets/{}",
            assets::fingerprinted_name("index.bin", &bundle)
        );
        let url = format!("{base_path}{path}");
        let placeholder = format!("{base_path}assets/{INDEX_PLACEHOLDER}");
        let mut map = FileMap::new(Some(last));
        if path != last.index_path {
            map.remove(&last.index_path);
        }
        map.set(path.clone(), Bytes::from(bundle));
        let raw: Vec<(String, Bytes)> = map
            .raw
            .iter()
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        for (page, bytes) in raw {
            map.set_page(page, bytes, &placeholder, &url);
        }
        last.index_path = path;
        last.index_digest = result.digest;
        last.files = Arc::new(map.files);
        last.raw = map.raw;
        Ok(map.changed.into_iter().collect())
    }
}

/// Whether `route`, in `site`, renders the same bytes as `old` did in `old_site`, given the same
/// templates, the same shared `site` object ([`Routes::shared`]) and the same asset URLs (the
/// caller checks those).
fn same_output(site: &Site, route: &Route, old: &Route, old_site: &Site) -> bool {
    if route.kind != old.kind
        || route.template != old.template
        || route.path != old.path
        || route.twin != old.twin
        || route.record != old.record
        || route.url != old.url
        || route.title != old.title
        || route.description != old.description
    {
        return false;
    }
    match (&route.data, &old.data) {
        (PageData::List(a), PageData::List(b)) => a == b,
        (PageData::Code(i), PageData::Code(j)) => {
            matches!((site.codes.get(*i), old_site.codes.get(*j)), (Some(a), Some(b)) if a == b)
        }
        (PageData::Article(i), PageData::Article(j)) => {
            matches!((site.articles.get(*i), old_site.articles.get(*j)), (Some(a), Some(b)) if a == b)
        }
        (PageData::Entry(i), PageData::Entry(j)) => {
            matches!((site.entries.get(*i), old_site.entries.get(*j)), (Some(a), Some(b)) if a == b)
        }
        _ => false,
    }
}

/// Drops `value` on a short-lived thread (or here, when no thread can be started: the
/// closure that owns it is dropped then).
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("statusref-free".into())
        .spawn(move || drop(value));
}

/// A file map being changed, recording which paths changed.
struct FileMap {
    files: Files,
    raw: HashMap<String, Bytes>,
    changed: BTreeSet<String>,
}

impl FileMap {
    fn new(last: Option<&Last>) -> FileMap {
        FileMap {
            files: last.map(|l| (*l.files).clone()).unwrap_or_default(),
            raw: last.map(|l| l.raw.clone()).unwrap_or_default(),
            changed: BTreeSet::new(),
        }
    }

    fn set(&mut self, path: String, bytes: Bytes) {
        if self.files.get(&path) != Some(&bytes) {
            self.changed.insert(path.clone());
            self.files.insert(path, bytes);
        }
    }

    fn remove(&mut self, path: &str) {
        self.raw.remove(path);
        if self.files.remove(path).is_some() {
            self.changed.insert(path.to_string());
        }
    }

    /// A rendered page: kept as rendered when it shows the index placeholder, and served with
    /// the placeholder replaced by `index_url`.
    fn set_page(&mut self, path: String, html: Bytes, placeholder: &str, index_url: &str) {
        match std::str::from_utf8(&html) {
            Ok(text) if text.contains(placeholder) => {
                let patched = Bytes::from(text.replace(placeholder, index_url));
                self.raw.insert(path.clone(), html);
                self.set(path, patched);
            }
            _ => {
                self.raw.remove(&path);
                self.set(path, html);
            }
        }
    }
}

/// Reads the templates; parses them again only when they differ from the last ones that
/// parsed. Returns whether `theme` holds the current templates.
fn refresh_theme(
    root: &Path,
    theme: &mut Option<Theme>,
    generation: &mut u64,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let Some(sources) = diagnostic::gather(assets::theme_files(root, "templates"), diagnostics)
    else {
        return false;
    };
    if theme.as_ref().is_some_and(|t| t.sources == sources) {
        return true;
    }
    match Renderer::new(sources.clone()) {
        Ok(renderer) => {
            *generation += 1;
            *theme = Some(Theme {
                sources,
                renderer,
                generation: *generation,
            });
            true
        }
        Err(errors) => {
            diagnostics.extend(errors);
            false
        }
    }
}

/// Reads the theme assets; fingerprints them (and the search wasm) again only when they
/// differ from the last ones. Returns whether `assets` holds the current assets.
fn refresh_assets(
    root: &Path,
    current: &mut Option<StaticAssets>,
    generation: &mut u64,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let Some(sources) = diagnostic::gather(assets::theme_files(root, "assets"), diagnostics) else {
        return false;
    };
    if current.as_ref().is_some_and(|a| a.sources == sources) {
        return true;
    }
    // As in a full build, the generated files win over theme files of the same name.
    let mut theme = sources.clone();
    theme.remove("index.bin");
    let list = assets::Assets::new(theme, vec![("search.wasm".into(), SEARCH_WASM.to_vec())]).list;
    *generation += 1;
    *current = Some(StaticAssets {
        sources,
        list,
        generation: *generation,
    });
    true
}
