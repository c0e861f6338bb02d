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
pub mod compress;
pub mod config;
pub mod constants;
pub mod content;
pub mod diagnostic;
pub mod diagram;
pub mod facts;
pub mod family;
pub mod head;
pub mod incremental;
pub mod index;
pub mod markdown;
pub mod open_formats;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod urls;
pub mod walk;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use diagnostic::{Diagnostic, Severity};

/// The search engine compiled to WebAssembly by `build.rs`, shipped with every site.
pub const SEARCH_WASM: &[u8] = include_bytes!(env!("STATUSREF_SEARCH_WASM"));
/// [`SEARCH_WASM`] at brotli quality 11, compressed once by `build.rs` (see [`compress`]).
pub const SEARCH_WASM_BR: &[u8] = include_bytes!(env!("STATUSREF_SEARCH_WASM_BR"));
/// [`SEARCH_WASM`] at gzip level 9 (mtime 0), compressed once by `build.rs`.
pub const SEARCH_WASM_GZ: &[u8] = include_bytes!(env!("STATUSREF_SEARCH_WASM_GZ"));

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
    /// Also write `.br` and `.gz` siblings of every HTML page (assets always get them; see
    /// [`compress`]).
    pub precompress_html: bool,
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
            precompress_html: false,
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
        search_chunks: _,
        mut warnings,
    } = prepare(options, progress, false)?;
    progress(Stage::Render {
        pages: site.codes.len() + site.articles.len() + site.entries.len(),
    });
    let routes = pipeline::plan::plan(&site);
    let selected: Vec<&pipeline::plan::Route> = routes.pages.iter().collect();
    let rendered = std::sync::Mutex::new(Vec::with_capacity(selected.len()));
    let result = renderer.render(
        &site,
        &routes,
        &assets.urls(&site.base_path),
        &selected,
        |_, route, html| {
            rendered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((route.path.clone(), html));
            Ok::<(), std::convert::Infallible>(())
        },
    );
    match result {
        Ok(()) => {}
        Err(render::RenderError::Templates(errors)) => {
            warnings.extend(errors);
            return Err(BuildError::Input(warnings));
        }
        Err(render::RenderError::Sink(never)) => match never {},
    }
    let mut files = rendered.into_inner().unwrap_or_else(|e| e.into_inner());
    let pages = files.len();
    files.extend(generated_files(&site, &routes));
    files.extend(assets.list.into_iter().map(|a| (a.path, a.bytes)));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Rendered {
        site,
        files,
        pages,
        warnings,
    })
}

/// The files besides pages and assets: `codes.json`, `families.json`, `robots.txt`, `sitemap.xml`
/// (only with an absolute base URL), and the open formats (`llms.txt`, each page's Markdown twin
/// and each code's JSON record: [`open_formats`]).
pub fn generated_files(
    site: &site::Site,
    routes: &pipeline::plan::Routes,
) -> Vec<render::OutputFile> {
    let mut files = site_files(site, routes);
    files.extend(
        routes
            .pages
            .par_iter()
            .flat_map_iter(|route| open_formats::page_files(site, route))
            .collect::<Vec<_>>(),
    );
    files
}

/// [`generated_files`] but the per-page ones, which `build` writes as each page is rendered:
/// the site-wide files of the route table.
fn site_files(site: &site::Site, routes: &pipeline::plan::Routes) -> Vec<render::OutputFile> {
    use pipeline::plan::FileKind;
    routes
        .files
        .iter()
        .filter_map(|file| {
            let bytes = match file.kind {
                FileKind::CodesJson => output::codes_json(site, routes),
                FileKind::FamiliesJson => output::families_json(site),
                FileKind::LlmsTxt => open_formats::llms_txt(site, routes),
                FileKind::Robots => output::robots(site),
                FileKind::Sitemap => output::sitemap(site, routes)?,
            };
            Some((file.path.clone(), bytes))
        })
        .collect()
}

/// A site loaded, checked and indexed, ready to render.
struct Prepared {
    site: site::Site,
    renderer: render::Renderer,
    assets: assets::Assets,
    /// The chunks of a split search index, `(path under the output, bytes)`; empty when the
    /// index is one whole bundle.
    search_chunks: Vec<(String, Vec<u8>)>,
    warnings: Vec<Diagnostic>,
}

/// Loads, renders the markdown, assembles the model, builds the search index and fingerprints
/// the assets: everything before the pages. With `split_index` (what `build` writes) the
/// index is a head plus chunks fetched on demand; without (`check`, and `serve`, which serves
/// from memory) one whole bundle, which the same search.js and wasm read too.
fn prepare(
    options: &BuildOptions,
    progress: &(dyn Fn(Stage) + Sync),
    split_index: bool,
) -> Result<Prepared, BuildError> {
    progress(Stage::Load);
    let root = &options.root;
    let mut diagnostics = Vec::new();
    let mut config = match config::Config::load(root) {
        Ok(config) => config,
        Err(d) => return Err(BuildError::Input(vec![d])),
    };
    if let Some(base_url) = &options.base_url {
        config
            .override_base_url(base_url)
            .map_err(|e| BuildError::Usage(output::Refusal { message: format!("--base-url {e}"), help: "give an http(s) URL (`https://example.org/ref/`) or a path starting with one `/` (`/ref/`)".into() }))?;
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

    progress(Stage::Index {
        pages: site.codes.len() + site.articles.len() + site.entries.len(),
    });
    let mut bundle = index::bundle(&site).map_err(|d| BuildError::Input(vec![d]))?;
    let mut search_chunks = Vec::new();
    if split_index {
        let split = index::split(bundle).map_err(|d| BuildError::Input(vec![d]))?;
        bundle = split.head;
        search_chunks = split
            .chunks
            .into_iter()
            .map(|(name, bytes)| {
                let path = statusref_search::chunks::chunk_path(&name);
                (format!("assets/{path}"), bytes)
            })
            .collect();
    }
    let assets = assets::Assets::new(
        theme_assets,
        vec![
            ("search.wasm".into(), SEARCH_WASM.to_vec()),
            ("index.bin".into(), bundle),
        ],
    );
    Ok(Prepared {
        site,
        renderer,
        assets,
        search_chunks,
        warnings: diagnostics,
    })
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
    let templates = diagnostic::gather(assets::theme_files(root, "templates"), diagnostics);
    let theme_assets = diagnostic::gather(assets::theme_files(root, "assets"), diagnostics);
    let renderer = templates.and_then(|templates| match render::Renderer::new(templates) {
        Ok(renderer) => Some(renderer),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    });
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
        search_chunks,
        mut warnings,
    } = prepare(options, progress, true)?;
    if site.codes.is_empty()
        && site.articles.is_empty()
        && site.entries.is_empty()
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
    // The index is built: the plain text is not needed any more.
    for page in &mut site.codes {
        page.plain_text = markdown::SharedText::default();
    }
    for page in &mut site.articles {
        page.plain_text = markdown::SharedText::default();
    }
    for page in &mut site.entries {
        page.plain_text = markdown::SharedText::default();
    }
    let routes = pipeline::plan::plan(&site);
    let jobs = &routes.pages;
    let generated = site_files(&site, &routes);
    progress(Stage::Render {
        pages: site.codes.len() + site.articles.len() + site.entries.len(),
    });
    let staging = output::Staging::create(&output)?;
    staging.create_dirs(
        jobs.iter()
            .map(|j| j.path.as_str())
            .chain(generated.iter().map(|(p, _)| p.as_str()))
            .chain(assets.list.iter().map(|a| a.path.as_str()))
            .chain(search_chunks.iter().map(|(p, _)| p.as_str())),
    )?;
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let selected: Vec<&pipeline::plan::Route> = jobs.iter().collect();
    let rendered = renderer.render(
        &site,
        &routes,
        &assets.urls(&site.base_path),
        &selected,
        |_, job, html| {
            let mut n = staging.write(&job.path, &html)?;
            // The page's twin and JSON record go beside it, into the directory it is in.
            for (path, data) in open_formats::page_files(&site, job) {
                n += staging.write(&path, &data)?;
            }
            if options.precompress_html {
                for (path, data) in compress::siblings(&job.path, &html) {
                    n += staging.write(&path, &data)?;
                }
            }
            bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        },
    );
    match rendered {
        Ok(()) => {}
        Err(render::RenderError::Templates(errors)) => {
            warnings.extend(errors);
            return Err(BuildError::Input(warnings));
        }
        Err(render::RenderError::Sink(e)) => return Err(BuildError::Write(e)),
    }
    progress(Stage::Write {
        files: generated.len() + assets.list.len() + search_chunks.len(),
    });
    let mut bytes = bytes.into_inner();
    for (path, data) in &generated {
        bytes += staging.write(path, data)?;
    }
    for asset in &assets.list {
        bytes += staging.write(&asset.path, &asset.bytes)?;
    }
    for (path, data) in &search_chunks {
        bytes += staging.write(path, data)?;
    }
    let siblings: Vec<(String, Vec<u8>)> = assets
        .list
        .iter()
        .map(|a| (&a.path, &a.bytes))
        .chain(search_chunks.iter().map(|(p, b)| (p, b)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter(|(path, _)| compress::wanted(path, options.precompress_html))
        .flat_map_iter(|(path, data)| {
            if data.as_slice() == SEARCH_WASM {
                compress::known_siblings(path, data, SEARCH_WASM_BR, SEARCH_WASM_GZ)
            } else {
                compress::siblings(path, data)
            }
        })
        .collect();
    for (path, data) in &siblings {
        bytes += staging.write(path, data)?;
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
