//! The dev server's cache policy: which parts of the pipeline ([`crate::pipeline`]) to run
//! again after an edit, and which results to keep. The stages are the ones `build` and `check`
//! run; only what they are given differs.
//!
//! ```text
//!            ┌──── cache per content file (path + size + mtime + inode/ctime) ────┐
//! content/ ──┤ unchanged: the parsed Page and its markdown, as they were         ├─▶ assemble
//!            └ changed, new: read, parsed, rendered again; removed: forgotten   ┘  (from all)
//! templates/ assets/ site.yaml: read and compared every time; templates parsed and
//!                               assets fingerprinted again only when they changed
//!
//! Site ─plan─▶ Routes ─▶ each route compared with the last good build's ─▶ render the ones
//!                        (its page data, the shared `site` object, the     that differ ─▶ the
//!                         asset URLs, the templates, the configuration)    file map
//! documents ─▶ the search index: on the first build alongside the pages, as `build` does;
//!              after an edit, on the server's index thread when the documents changed
//! ```
//!
//! Pages are a pure function of their route (template, URL, title, description, page data),
//! the shared `site` object, the asset URLs, the templates and the configuration; a page whose
//! inputs all compare equal to the last build's renders to the same bytes, so it is kept. The
//! site model is assembled again from every page on each rebuild (cheap and linear: the cached
//! pages are borrowed), so cross-page rules — duplicate codes, related codes, links — are checked
//! exactly as in a full build.
//!
//! The search index is the slow part (seconds at ten thousand pages), so after an edit it is
//! built off the rebuild path: until it lands, the index being served stays, and the pages that
//! show its URL (the search page: those whose template names `assets['index.bin']`, or whose
//! output holds the URL) are rendered with the URL of the index being served. When the new
//! index lands ([`Incremental::apply_index`]), those pages are rendered again with its URL —
//! rendered, not patched. After the index job of the last rebuild has been applied,
//! [`Incremental::files`] is byte for byte what [`crate::pipeline::render_site`] produces (the dev
//! server's live-reload script is added when a page is served, not stored).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use rayon::prelude::*;

use crate::assets::{Assets, ThemeFile};
use crate::config::Config;
use crate::content::{self, Page};
use crate::diagnostic::Diagnostic;
use crate::markdown;
use crate::pipeline::index::{self, Document};
use crate::pipeline::plan::{self, PageData, Route, Routes};
use crate::pipeline::render::{RenderError, Renderer};
use crate::pipeline::{assemble, load};
use crate::site::Site;
use crate::{BuildError, BuildOptions};

/// A site's output files: path relative to the output directory → bytes.
pub type Files = HashMap<String, Bytes>;

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
    renderer: Arc<Renderer>,
    generation: u64,
}

struct StaticAssets {
    sources: BTreeMap<String, ThemeFile>,
    /// Theme assets and the search wasm, fingerprinted (the index is kept apart).
    assets: Assets,
    generation: u64,
}

/// The last good build: what the next one is compared with.
struct Last {
    config: Config,
    site: Site,
    routes: Routes,
    /// The templates it was rendered with (the index's pages are rendered again with them).
    renderer: Arc<Renderer>,
    /// The asset URLs its pages were rendered with, the index being served included.
    asset_urls: BTreeMap<String, String>,
    theme_generation: u64,
    assets_generation: u64,
    asset_paths: Vec<String>,
    generated_paths: Vec<String>,
    files: Arc<Files>,
    /// The output paths of the pages that show the index's URL.
    index_pages: BTreeSet<String>,
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
    /// Builds the index bundle (the slow part: seconds at ten thousand pages): the pipeline's
    /// index stage, whole (the dev server serves one bundle, as `check` holds it).
    pub fn run(self) -> IndexResult {
        let started = Instant::now();
        let bundle = crate::pipeline::build_index(&self.documents, false).map(|(head, _)| head);
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

/// What rendering a rebuild's pages gave, with the index that goes with them.
struct Pass {
    /// Pages rendered: output path, bytes.
    rendered: Vec<(String, Vec<u8>)>,
    /// The asset URLs they were rendered with.
    asset_urls: BTreeMap<String, String>,
    /// The output paths of the pages that show the index's URL.
    index_pages: BTreeSet<String>,
    /// The index served with them.
    index_path: String,
    index_digest: u64,
    /// The index's bytes, when built by this rebuild (the first one).
    index_bundle: Option<Vec<u8>>,
    /// The digest of the index job in flight, if any.
    pending: Option<u64>,
    /// An index to build in the background.
    job: Option<IndexJob>,
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
    /// with); the errors are the ones [`crate::pipeline::render_site`] reports.
    pub fn rebuild(&mut self, changed: &BTreeSet<String>) -> Result<Outcome, BuildError> {
        let started = Instant::now();
        let root = self.options.root.clone();
        // Load: the configuration, the content files (from the cache when unchanged), the
        // theme (parsed again only when it changed).
        let config = load::config(&self.options)?;
        let base_path = config.base_path();
        if base_path != self.markdown_base {
            // Links in the markdown are rewritten under the base path.
            self.content.clear();
            self.markdown_base = base_path.clone();
        }
        let mut diagnostics = Vec::new();
        let (files, reloaded) = self.refresh_content(changed, &base_path, &mut diagnostics);
        let families = crate::family::load(&root, &files);
        let mut unparsed_urls = Vec::new();
        let entries = files
            .iter()
            .filter_map(|path| self.content.get(path))
            .map(|entry| (&entry.parsed, entry.markdown.as_ref()));
        let pages: Vec<(&Page, &markdown::Rendered)> = load::pages(
            entries,
            self.options.drafts,
            &mut diagnostics,
            &mut unparsed_urls,
        )
        .into_iter()
        .filter_map(|(page, markdown)| markdown.map(|m| (page, m)))
        .collect();
        diagnostics.retain(|d| families.keep(d));
        diagnostics.extend(families.diagnostics.iter().cloned());
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

        // Assemble and plan, from every page.
        let site = assemble::site_refs(
            &root,
            config.clone(),
            &families.defs,
            &pages,
            &unparsed_urls,
            &mut diagnostics,
        );
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
        let routes = plan::plan(&site);
        let documents = index::documents(&site);

        // Index and render: what differs from the last good build.
        let pass = match self.last.as_ref() {
            None => first_pass(&site, &routes, theme, static_assets, documents),
            Some(last) => next_pass(
                last,
                &config,
                &site,
                &routes,
                theme,
                static_assets,
                documents,
            ),
        };
        let pass = pass.map_err(|e| match e {
            PassError::Input(errors) => {
                diagnostics.extend(errors);
                BuildError::Input(diagnostics.clone())
            }
            PassError::Index(d) => BuildError::Input(vec![d]),
        })?;

        // Sink: the last file map with what changed swapped in.
        let last = self.last.as_ref();
        let mut map = FileMap::new(last);
        let rendered_count = pass.rendered.len();
        let generated_paths = map.swap_in_pages(last, &site, &routes, pass.rendered);
        let asset_paths = map.swap_in_assets(last, static_assets);
        if let Some(bundle) = pass.index_bundle {
            map.set(pass.index_path.clone(), Bytes::from(bundle));
        }

        let outcome = Outcome {
            pages: routes.pages.len(),
            rendered: rendered_count,
            reloaded,
            codes: site.codes.len(),
            guides: site.guides().count(),
            changed: map.changed.into_iter().collect(),
            warnings: diagnostics,
            index: pass.job,
            elapsed: started.elapsed(),
        };
        let previous = self.last.replace(Last {
            config,
            routes,
            renderer: theme.renderer.clone(),
            asset_urls: pass.asset_urls,
            theme_generation: theme.generation,
            assets_generation: static_assets.generation,
            asset_paths,
            generated_paths,
            files: Arc::new(map.files),
            index_pages: pass.index_pages,
            index_path: pass.index_path,
            index_digest: pass.index_digest,
            pending: pass.pending,
            site,
        });
        // Freeing the previous build (at ten thousand pages, a few hundred thousand
        // allocations) need not delay the new one.
        drop_in_background(previous);
        Ok(outcome)
    }

    /// Reads the content files that changed (by the watcher's word or their stamps), keeps the
    /// rest, forgets removed ones. Returns every content file, in walk order, and how many were
    /// read.
    fn refresh_content(
        &mut self,
        changed: &BTreeSet<String>,
        base_path: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (Vec<PathBuf>, usize) {
        let root = &self.options.root;
        let discovered = content::discover(root);
        diagnostics.extend(discovered.diagnostics);
        let files = discovered.files;
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
                let parsed = content::load_file(root, path);
                let markdown = parsed
                    .as_ref()
                    .ok()
                    .map(|(page, _)| assemble::page_markdown(page, base_path));
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
        let count = reloaded.len();
        self.content.extend(reloaded);
        let present: HashSet<&PathBuf> = files.iter().collect();
        self.content.retain(|path, _| present.contains(path));
        (files, count)
    }

    /// Serves a built index: swaps it in for the previous one and renders the pages that show
    /// its URL again, with the new URL. Returns the output paths that changed; none when the
    /// index is stale (a later rebuild asked for another one, or went back to the index being
    /// served).
    ///
    /// # Errors
    ///
    /// When building the index failed, or a page that shows it failed to render; the previous
    /// index stays.
    pub fn apply_index(&mut self, result: IndexResult) -> Result<Vec<String>, Diagnostic> {
        let Some(last) = self.last.as_mut() else {
            return Ok(Vec::new());
        };
        if last.pending != Some(result.digest) {
            return Ok(Vec::new());
        }
        last.pending = None;
        let bundle = result.bundle?;
        let path = index_path(&bundle);
        let mut asset_urls = last.asset_urls.clone();
        asset_urls.insert(
            load::INDEX_ASSET.into(),
            plan::asset_url(&last.site.base_path, &path),
        );
        let selected: Vec<&Route> = last
            .routes
            .pages
            .iter()
            .filter(|r| last.index_pages.contains(&r.path))
            .collect();
        let rendered = render_selected(
            &last.renderer,
            &last.site,
            &last.routes,
            &asset_urls,
            &selected,
        )
        .map_err(|errors| {
            errors.into_iter().next().unwrap_or_else(|| {
                Diagnostic::error(
                    "templates",
                    "a page that shows the search index failed to render",
                )
            })
        })?;
        let mut map = FileMap::new(Some(last));
        if path != last.index_path {
            map.remove(&last.index_path);
        }
        map.set(path.clone(), Bytes::from(bundle));
        for (page, html, _) in rendered {
            map.set(page, Bytes::from(html));
        }
        last.index_path = path;
        last.index_digest = result.digest;
        last.asset_urls = asset_urls;
        last.files = Arc::new(map.files);
        Ok(map.changed.into_iter().collect())
    }
}

/// Why a rebuild's index and render pass failed.
enum PassError {
    /// Template errors, after the diagnostics so far.
    Input(Vec<Diagnostic>),
    /// Building the index failed (reported alone, as a full build does).
    Index(Diagnostic),
}

/// `assets/index.<hash>.bin`.
fn index_path(bundle: &[u8]) -> String {
    plan::asset_path(load::INDEX_ASSET, bundle)
}

/// The first build: every page, the index built alongside them as `build` and `check` do.
fn first_pass(
    site: &Site,
    routes: &Routes,
    theme: &Theme,
    static_assets: &StaticAssets,
    documents: Vec<Document>,
) -> Result<Pass, PassError> {
    let rendered = Mutex::new(Vec::with_capacity(routes.pages.len()));
    let indexed = crate::pipeline::render_alongside_index(
        site,
        &theme.renderer,
        routes,
        static_assets.assets.clone(),
        &documents,
        false,
        &|_| {},
        &|route, html| {
            rendered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((route.path.clone(), html));
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let indexed = match indexed {
        Ok(indexed) => indexed,
        Err(crate::pipeline::Overlap::Index(d)) => return Err(PassError::Index(d)),
        Err(crate::pipeline::Overlap::Render(RenderError::Templates(errors))) => {
            return Err(PassError::Input(errors))
        }
        Err(crate::pipeline::Overlap::Render(RenderError::Sink(never))) => match never {},
    };
    let index = indexed
        .assets
        .list
        .iter()
        .find(|a| a.name == load::INDEX_ASSET)
        .map(|a| (a.path.clone(), a.bytes.clone()));
    let Some((index_path, bundle)) = index else {
        return Err(PassError::Index(Diagnostic::error(
            "content",
            "the search index is missing from the assets",
        )));
    };
    Ok(Pass {
        rendered: rendered.into_inner().unwrap_or_else(|e| e.into_inner()),
        asset_urls: indexed.assets.urls(&site.base_path),
        index_pages: indexed.index_pages,
        index_path,
        index_digest: index::digest(&documents),
        index_bundle: Some(bundle),
        pending: None,
        job: None,
    })
}

/// A rebuild after an edit: the routes whose inputs changed, rendered with the index being
/// served; a new index to build in the background when the documents changed.
fn next_pass(
    last: &Last,
    config: &Config,
    site: &Site,
    routes: &Routes,
    theme: &Theme,
    static_assets: &StaticAssets,
    documents: Vec<Document>,
) -> Result<Pass, PassError> {
    let served_url = plan::asset_url(&site.base_path, &last.index_path);
    let mut asset_urls = static_assets.assets.urls(&site.base_path);
    asset_urls.insert(load::INDEX_ASSET.into(), served_url.clone());
    let full = last.theme_generation != theme.generation
        || last.config != *config
        || last.routes.shared != routes.shared
        || last.asset_urls != asset_urls;
    let selected: Vec<&Route> = if full {
        routes.pages.iter().collect()
    } else {
        let old: HashMap<&str, &Route> = last
            .routes
            .pages
            .iter()
            .map(|r| (r.path.as_str(), r))
            .collect();
        routes
            .pages
            .iter()
            .filter(|route| {
                old.get(route.path.as_str())
                    .is_none_or(|old| !same_output(site, route, old, &last.site))
            })
            .collect()
    };
    let rendered = render_selected(&theme.renderer, site, routes, &asset_urls, &selected)
        .map_err(PassError::Input)?;

    // The pages that show the index's URL: as rendered now, or as they were.
    let naming = theme.renderer.templates_naming(load::INDEX_ASSET);
    let current: HashSet<&str> = routes.pages.iter().map(|r| r.path.as_str()).collect();
    let rerendered: HashSet<&str> = rendered.iter().map(|(p, _, _)| p.as_str()).collect();
    let mut index_pages: BTreeSet<String> = last
        .index_pages
        .iter()
        .filter(|p| current.contains(p.as_str()) && !rerendered.contains(p.as_str()))
        .cloned()
        .collect();
    for (path, html, template) in &rendered {
        let names = naming.as_ref().is_none_or(|n| n.contains(template));
        if names || memchr::memmem::find(html, served_url.as_bytes()).is_some() {
            index_pages.insert(path.clone());
        }
    }

    // The search index: kept when the documents are the same, else built in the background.
    let digest = index::digest(&documents);
    let (pending, job) = if last.index_digest == digest {
        (None, None)
    } else if last.pending == Some(digest) {
        (last.pending, None)
    } else {
        (Some(digest), Some(IndexJob { digest, documents }))
    };
    Ok(Pass {
        rendered: rendered.into_iter().map(|(p, h, _)| (p, h)).collect(),
        asset_urls,
        index_pages,
        index_path: last.index_path.clone(),
        index_digest: last.index_digest,
        index_bundle: None,
        pending,
        job,
    })
}

/// A page rendered into memory: output path, bytes, template.
type RenderedPage = (String, Vec<u8>, &'static str);

/// Renders `selected` routes into memory.
fn render_selected(
    renderer: &Renderer,
    site: &Site,
    routes: &Routes,
    asset_urls: &BTreeMap<String, String>,
    selected: &[&Route],
) -> Result<Vec<RenderedPage>, Vec<Diagnostic>> {
    let rendered = Mutex::new(Vec::with_capacity(selected.len()));
    let result = renderer.render(site, routes, asset_urls, selected, |_, route, html| {
        rendered.lock().unwrap_or_else(|e| e.into_inner()).push((
            route.path.clone(),
            html,
            route.template,
        ));
        Ok::<(), std::convert::Infallible>(())
    });
    match result {
        Ok(()) => Ok(rendered.into_inner().unwrap_or_else(|e| e.into_inner())),
        Err(RenderError::Templates(errors)) => Err(errors),
        Err(RenderError::Sink(never)) => match never {},
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

/// A file map being changed, recording which paths changed: the dev server's sink.
struct FileMap {
    files: Files,
    changed: BTreeSet<String>,
}

impl FileMap {
    fn new(last: Option<&Last>) -> FileMap {
        FileMap {
            files: last.map(|l| (*l.files).clone()).unwrap_or_default(),
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
        if self.files.remove(path).is_some() {
            self.changed.insert(path.to_string());
        }
    }

    /// The rendered pages and every generated file (twins, records, site-wide files) swapped
    /// in; pages and generated files the route table no longer has removed. Returns the
    /// generated files' paths.
    fn swap_in_pages(
        &mut self,
        last: Option<&Last>,
        site: &Site,
        routes: &Routes,
        rendered: Vec<(String, Vec<u8>)>,
    ) -> Vec<String> {
        if let Some(last) = last {
            let new_paths: HashSet<&str> = routes.pages.iter().map(|r| r.path.as_str()).collect();
            for route in &last.routes.pages {
                if !new_paths.contains(route.path.as_str()) {
                    self.remove(&route.path);
                }
            }
        }
        for (path, html) in rendered {
            self.set(path, Bytes::from(html));
        }
        let generated = crate::pipeline::generated_files(site, routes);
        if let Some(last) = last {
            let new_paths: HashSet<&str> = generated.iter().map(|(p, _)| p.as_str()).collect();
            for path in &last.generated_paths {
                if !new_paths.contains(path.as_str()) {
                    self.remove(path);
                }
            }
        }
        let paths = generated.iter().map(|(p, _)| p.clone()).collect();
        for (path, bytes) in generated {
            self.set(path, Bytes::from(bytes));
        }
        paths
    }

    /// The theme assets and the search wasm, when they changed. Returns their paths.
    fn swap_in_assets(&mut self, last: Option<&Last>, assets: &StaticAssets) -> Vec<String> {
        let paths: Vec<String> = assets.assets.list.iter().map(|a| a.path.clone()).collect();
        if last.is_none_or(|last| last.assets_generation != assets.generation) {
            if let Some(last) = last {
                for path in &last.asset_paths {
                    if !paths.contains(path) {
                        self.remove(path);
                    }
                }
            }
            for asset in &assets.assets.list {
                self.set(asset.path.clone(), Bytes::from(asset.bytes.clone()));
            }
        }
        paths
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
    let Some(sources) = load::template_sources(root, diagnostics) else {
        return false;
    };
    if theme.as_ref().is_some_and(|t| t.sources == sources) {
        return true;
    }
    match load::templates(sources.clone(), diagnostics) {
        Some(renderer) => {
            *generation += 1;
            *theme = Some(Theme {
                sources,
                renderer: Arc::new(renderer),
                generation: *generation,
            });
            true
        }
        None => false,
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
    let Some(sources) = load::asset_sources(root, diagnostics) else {
        return false;
    };
    if current.as_ref().is_some_and(|a| a.sources == sources) {
        return true;
    }
    let assets = load::static_assets(sources.clone());
    *generation += 1;
    *current = Some(StaticAssets {
        sources,
        assets,
        generation: *generation,
    });
    true
}
