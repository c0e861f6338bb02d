//! statusref: a static-site generator for an HTTP status code reference.
//!
//! One pass, one way through the data (see DESIGN.md):
//!
//! ```text
//! content/**/*.md ─load─▶ Page ─markdown─▶ Rendered ─site─▶ Site ─┬─ index  (tantivy bundle)
//!                                                                  ├─ render (tera pages)
//!                                                                  └─ output (staging → swap)
//! ```
//!
//! [`build`] runs the whole pipeline; each stage is its own module and reads only what the
//! stage before it produced.

#![deny(missing_docs)]

pub mod assets;
pub mod config;
pub mod constants;
pub mod content;
pub mod diagnostic;
pub mod diagram;
pub mod facts;
pub mod family;
pub mod incremental;
pub mod index;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use diagnostic::{Diagnostic, Severity};

/// The search engine compiled to WebAssembly by `build.rs`, shipped with every site.
pub const SEARCH_WASM: &[u8] = include_bytes!(env!("STATUSREF_SEARCH_WASM"));

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Site root: `content/`, optional `templates/`, `assets/`, `site.yaml`.
    pub root: PathBuf,
    /// Output directory; `<root>/public` by default.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from `site.yaml`.
    pub base_url: Option<String>,
    /// Include pages with `draft: true`.
    pub drafts: bool,
    /// Replace an output directory that is not empty and was not written by statusref
    /// (`--force`); see [`output::check_output_dir`].
    pub force: bool,
    /// Replace a built site with one that has no pages (`--allow-empty`): without it, a build
    /// whose content has no page refuses to replace an earlier build's output.
    pub allow_empty: bool,
}

impl BuildOptions {
    /// Options for the site at `root` with every default.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            force: false,
            allow_empty: false,
        }
    }

    /// The output directory in effect.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// Code pages.
    pub codes: usize,
    /// Guides.
    pub guides: usize,
    /// Entries of content families.
    pub entries: usize,
    /// Warnings found (the build succeeded regardless).
    pub warnings: Vec<Diagnostic>,
    /// Bytes written.
    pub bytes: u64,
    /// Where.
    pub output: PathBuf,
    /// Wall time.
    pub elapsed: Duration,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Content, template or configuration problems: all of them, errors and warnings.
    #[error("{} error(s) in the site's input", .0.iter().filter(|d| d.is_error()).count())]
    Input(Vec<Diagnostic>),
    /// The options make no sense (e.g. an output directory that contains the site, or holds
    /// files statusref did not write); nothing was read or written.
    #[error(transparent)]
    Usage(#[from] output::Refusal),
    /// Writing the output failed; the previous output is untouched.
    #[error(transparent)]
    Write(#[from] output::WriteError),
}

/// A site loaded, checked and rendered in memory: every output file, nothing written yet.
pub struct Rendered {
    /// The model.
    pub site: site::Site,
    /// Output files (HTML, assets, JSON, sitemap…), paths relative to the output directory.
    pub files: Vec<render::OutputFile>,
    /// HTML pages among them.
    pub pages: usize,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// A stage of the pipeline, reported to the progress hook of [`build_with_progress`] and
/// [`render_site_with_progress`] as it starts. A stage lasts until the next one starts, or until
/// the function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Reading `site.yaml`, the content files, templates and assets.
    Load,
    /// Markdown to HTML for this many pages, then the cross-page checks.
    Markdown {
        /// Content pages loaded.
        pages: usize,
    },
    /// Building the search index over the site's pages.
    Index {
        /// Content pages (codes and articles).
        pages: usize,
    },
    /// Rendering the pages through the templates, and the other output files.
    Render {
        /// Content pages (codes and articles); class and list pages come on top.
        pages: usize,
    },
    /// Writing the output through the staging directory.
    Write {
        /// Files to write.
        files: usize,
    },
}

impl Stage {
    /// Short lowercase name: `load`, `markdown`, `index`, `render`, `write`.
    pub fn name(&self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Markdown { .. } => "markdown",
            Stage::Index { .. } => "index",
            Stage::Render { .. } => "render",
            Stage::Write { .. } => "write",
        }
    }
}

/// Runs every stage but writing: what `statusref check` runs, and the reference the dev
/// server's incremental builds ([`incremental`]) equal. Every output file is held in memory;
/// [`build`] streams pages to disk instead.
pub fn render_site(options: &BuildOptions) -> Result<Rendered, BuildError> {
    render_site_with_progress(options, &|_| {})
}

/// [`render_site`], calling `progress` as each [`Stage`] starts.
pub fn render_site_with_progress(
    options: &BuildOptions,
    progress: &(dyn Fn(Stage) + Sync),
) -> Result<Rendered, BuildError> {
    let Prepared {
        site,
        renderer,
        assets,
        docs,
        warnings,
    } = prepare(options, progress)?;
    let jobs = render::jobs(&site);
    progress(Stage::Render {
        pages: site.codes.len() + site.articles.len() + site.entries.len(),
    });
    let rendered = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    let assets = match render_alongside_index(
        &site,
        &renderer,
        assets,
        &docs,
        &jobs,
        progress,
        &|job, html| {
            rendered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((job.path.clone(), html));
            Ok::<(), output::WriteError>(())
        },
    ) {
        Ok(assets) => assets,
        Err(e) => return Err(e.into_build_error(warnings)),
    };
    let mut files = rendered.into_inner().unwrap_or_else(|e| e.into_inner());
    let pages = files.len();
    files.extend(generated_files(&site));
    files.extend(assets.list.into_iter().map(|a| (a.path, a.bytes)));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Rendered {
        site,
        files,
        pages,
        warnings,
    })
}

/// The files besides pages and assets: `codes.json`, `families.json`, `robots.txt`, `sitemap.xml` (only with an
/// absolute base URL).
pub fn generated_files(site: &site::Site) -> Vec<render::OutputFile> {
    let mut files = vec![
        ("codes.json".to_string(), output::codes_json(site)),
        ("families.json".to_string(), output::families_json(site)),
        ("robots.txt".to_string(), output::robots(site)),
    ];
    if let Some(sitemap) = output::sitemap(site) {
        files.push(("sitemap.xml".into(), sitemap));
    }
    files
}

/// A site loaded and checked, ready to index and render.
struct Prepared {
    site: site::Site,
    renderer: render::Renderer,
    /// Every asset but the search index, which [`render_alongside_index`] adds.
    assets: assets::Assets,
    /// The search index's documents.
    docs: Vec<index::Document>,
    warnings: Vec<Diagnostic>,
}

/// The search index's logical asset name, as templates look it up (`assets['index.bin']`).
const INDEX_ASSET: &str = "index.bin";

/// What pages rendered before the index exists see as its URL. A page whose output holds it
/// is not kept but rendered again once the index is built: nothing patches rendered HTML.
const PENDING_INDEX_URL: &str = "statusref-pending-index-url-5c2e9a";

/// Loads, renders the markdown, assembles the model, gathers the search index's documents and
/// fingerprints the assets: everything before the index and the pages.
fn prepare(
    options: &BuildOptions,
    progress: &(dyn Fn(Stage) + Sync),
) -> Result<Prepared, BuildError> {
    progress(Stage::Load);
    let root = &options.root;
    let mut diagnostics = Vec::new();
    let mut config = match config::Config::load(root) {
        Ok(config) => config,
        Err(d) => return Err(BuildError::Input(vec![d])),
    };
    if let Some(base_url) = &options.base_url {
        config.base_url = base_url.clone();
    }
    let base_path = config.base_path();

    let loaded = content::load(root, options.drafts);
    let families = family::load(root, &loaded.files);
    diagnostics.extend(loaded.diagnostics.into_iter().filter(|d| families.keep(d)));
    diagnostics.extend(families.diagnostics.iter().cloned());
    // Templates are parsed even when content failed, so one run reports both.
    let (renderer, theme_assets) = load_theme(root, &mut diagnostics);
    // Cross-page checks run even when some files failed, so one build reports everything.
    progress(Stage::Markdown {
        pages: loaded.pages.len(),
    });
    let pages: Vec<(content::Page, markdown::Rendered)> = loaded
        .pages
        .into_par_iter()
        .map(|page| {
            let rendered = markdown::render_page(&page, &base_path);
            (page, rendered)
        })
        .collect();
    let site = diagnostic::gather(
        site::Site::assemble(config, &families.defs, pages, &loaded.unparsed_urls),
        &mut diagnostics,
    );
    let site = site.map(|mut site| {
        constants::attach(root, &mut site, &mut diagnostics);
        site
    });
    let (Some(renderer), Some(theme_assets), Some(site)) = (renderer, theme_assets, site) else {
        return Err(BuildError::Input(diagnostics));
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Input(diagnostics));
    }

    let docs = index::documents(&site);
    let assets = assets::Assets::new(
        theme_assets,
        vec![("search.wasm".into(), SEARCH_WASM.to_vec())],
    );
    Ok(Prepared {
        site,
        renderer,
        assets,
        docs,
        warnings: diagnostics,
    })
}

/// Where [`render_alongside_index`] hands each rendered page.
type PageSink<'a, E> = dyn Fn(&render::Job, Vec<u8>) -> Result<(), E> + Sync + 'a;

/// Why [`render_alongside_index`] failed.
enum Overlap<E> {
    /// Building the index failed.
    Index(Diagnostic),
    /// Rendering failed.
    Render(render::RenderError<E>),
}

impl Overlap<output::WriteError> {
    /// The build error, after `warnings`.
    fn into_build_error(self, mut warnings: Vec<Diagnostic>) -> BuildError {
        match self {
            Overlap::Index(d) => BuildError::Input(vec![d]),
            Overlap::Render(render::RenderError::Templates(errors)) => {
                warnings.extend(errors);
                BuildError::Input(warnings)
            }
            Overlap::Render(render::RenderError::Sink(e)) => BuildError::Write(e),
        }
    }
}

/// Builds the search index on its own thread while the pages render on the others, and
/// returns `assets` with the index added. The caller reports [`Stage::Render`] before; this
/// reports [`Stage::Index`] while it waits for the index, then `Render` again for the pages
/// that waited. The pages whose templates name the index
/// ([`render::Renderer::templates_naming`]: the search page) wait for it, since its URL is
/// fingerprinted; so does any other page whose output turns out to hold the placeholder URL.
/// Every page reaches `sink` once, rendered with the final asset URLs: the same bytes as
/// rendering after the index. When a template fails, every page is rendered again after the
/// index, so that each broken template is reported once, with its page count, as before.
fn render_alongside_index<E: Send>(
    site: &site::Site,
    renderer: &render::Renderer,
    mut assets: assets::Assets,
    docs: &[index::Document],
    jobs: &[render::Job],
    progress: &(dyn Fn(Stage) + Sync),
    sink: &PageSink<'_, E>,
) -> Result<assets::Assets, Overlap<E>> {
    let pages = site.codes.len() + site.articles.len() + site.entries.len();
    let (early, mut late): (Vec<&render::Job>, Vec<&render::Job>) =
        match renderer.templates_naming(INDEX_ASSET) {
            Some(naming) => jobs.iter().partition(|j| !naming.contains(j.template)),
            None => (Vec::new(), jobs.iter().collect()),
        };
    let mut pending_urls = assets.urls(&site.base_path);
    pending_urls.insert(INDEX_ASSET.into(), PENDING_INDEX_URL.into());
    let held = std::sync::Mutex::new(Vec::new());
    let (bundle, early_result) = std::thread::scope(|scope| {
        let indexer = scope.spawn(|| index::bundle_documents(docs));
        let result = if early.is_empty() {
            Ok(())
        } else {
            renderer.render_jobs(site, &pending_urls, &early, |i, job, html| {
                if memchr::memmem::find(&html, PENDING_INDEX_URL.as_bytes()).is_some() {
                    held.lock().unwrap_or_else(|e| e.into_inner()).push(i);
                    Ok(())
                } else {
                    sink(job, html)
                }
            })
        };
        progress(Stage::Index { pages });
        let bundle = indexer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (bundle, result)
    });
    let bundle = bundle.map_err(Overlap::Index)?;
    let mut list = std::mem::take(&mut assets.list);
    list.extend(assets::Assets::new(BTreeMap::new(), vec![(INDEX_ASSET.into(), bundle)]).list);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    assets.list = list;
    let urls = assets.urls(&site.base_path);
    let all = || -> Vec<&render::Job> { jobs.iter().collect() };
    match early_result {
        Ok(()) => {
            let mut held = held.into_inner().unwrap_or_else(|e| e.into_inner());
            held.sort_unstable();
            late.extend(held.into_iter().map(|i| early[i]));
        }
        Err(render::RenderError::Sink(e)) => {
            return Err(Overlap::Render(render::RenderError::Sink(e)))
        }
        Err(render::RenderError::Templates(_)) => late = all(),
    }
    progress(Stage::Render { pages });
    match renderer.render_jobs(site, &urls, &late, |_, job, html| sink(job, html)) {
        Ok(()) => Ok(assets),
        Err(render::RenderError::Templates(_)) if late.len() < jobs.len() => renderer
            .render_jobs(site, &urls, &all(), |_, job, html| sink(job, html))
            .map(|()| assets)
            .map_err(Overlap::Render),
        Err(e) => Err(Overlap::Render(e)),
    }
}

/// Parses the templates and reads the theme assets (built-in, overridden by the site root's
/// `templates/` and `assets/`); problems go into `diagnostics`.
pub(crate) fn load_theme(
    root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> (
    Option<render::Renderer>,
    Option<std::collections::BTreeMap<String, assets::ThemeFile>>,
) {
    let templates = assets::theme_files(root, "templates");
    let theme_assets = assets::theme_files(root, "assets");
    let renderer = match templates {
        Ok(templates) => match render::Renderer::new(templates) {
            Ok(renderer) => Some(renderer),
            Err(errors) => {
                diagnostics.extend(errors);
                None
            }
        },
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };
    let theme_assets = match theme_assets {
        Ok(files) => Some(files),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };
    (renderer, theme_assets)
}

/// Builds the site into its output directory through a staging directory: pages are written
/// as they are rendered (never all held in memory), and the staging directory is swapped in
/// only when everything was written. On any error the previous output is left as it was.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_with_progress(options, &|_| {})
}

/// [`build`], calling `progress` as each [`Stage`] starts (for a progress bar, or timings).
/// Pages are written as they are rendered, so [`Stage::Render`] covers writing them;
/// [`Stage::Write`] is the rest (JSON, sitemap, assets) and the swap.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &(dyn Fn(Stage) + Sync),
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let output = options.output_dir();
    output::check_output_dir(&options.root, &output, options.force)?;
    let Prepared {
        mut site,
        renderer,
        assets,
        docs,
        mut warnings,
    } = prepare(options, progress)?;
    if site.codes.is_empty()
        && site.articles.is_empty()
        && !options.allow_empty
        && output::is_statusref_output(&output)
    {
        warnings.push(
            Diagnostic::error(
                "content",
                format!(
                    "the content has no pages; the build would replace the site in {} with an empty one",
                    output.display()
                ),
            )
            .help("add pages under content/ (or pass --drafts if they are all drafts), or pass --allow-empty to replace the site anyway"),
        );
        return Err(BuildError::Input(warnings));
    }
    // The index has its documents: the plain text is not needed any more.
    for page in &mut site.codes {
        page.plain_text = markdown::SharedText::default();
    }
    for page in &mut site.articles {
        page.plain_text = markdown::SharedText::default();
    }
    for page in &mut site.entries {
        page.plain_text = markdown::SharedText::default();
    }
    let jobs = render::jobs(&site);
    let generated = generated_files(&site);
    progress(Stage::Render {
        pages: site.codes.len() + site.articles.len() + site.entries.len(),
    });
    let staging = output::Staging::create(&output)?;
    staging.create_dirs(
        jobs.iter()
            .map(|j| j.path.as_str())
            .chain(generated.iter().map(|(p, _)| p.as_str()))
            .chain(assets.list.iter().map(|a| a.path.as_str())),
    )?;
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let assets = match render_alongside_index(
        &site,
        &renderer,
        assets,
        &docs,
        &jobs,
        progress,
        &|job, html| {
            let n = staging.write(&job.path, &html)?;
            bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        },
    ) {
        Ok(assets) => assets,
        Err(e) => return Err(e.into_build_error(warnings)),
    };
    drop(docs);
    progress(Stage::Write {
        files: generated.len() + assets.list.len(),
    });
    let mut bytes = bytes.into_inner();
    for (path, data) in &generated {
        bytes += staging.write(path, data)?;
    }
    for asset in &assets.list {
        bytes += staging.write(&asset.path, &asset.bytes)?;
    }
    staging.commit()?;
    Ok(BuildReport {
        pages: jobs.len(),
        codes: site.codes.len(),
        guides: site.guides().count(),
        entries: site.entries.len(),
        warnings,
        bytes,
        output,
        elapsed: started.elapsed(),
    })
}

/// Relative path for messages: `content/codes/504.md` rather than an absolute path.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
