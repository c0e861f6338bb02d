//! statusref: a static-site generator for an HTTP status code reference.
//!
//! One pipeline, one way through the data (see DESIGN.md and [`pipeline`]):
//!
//! ```text
//! content/**/*.md ─load─▶ Page ─assemble─▶ Site ─plan─▶ Routes ─index─▶ bundle ─render─▶ pages ─▶ sink
//!  site.yaml, theme       (markdown,      (model,   (route table:   (own thread;  (tera; pages     build: staging
//!                          cross-page      checks)   kind, template, pages that    naming the      dir, swap
//!                          checks)                   URL, path)      don't name    index wait)     check: memory
//!                                                                    it render)                    serve: file map
//! ```
//!
//! [`build`] (disk) and [`render_site`] (`check`, memory) run [`pipeline::run`]; the dev server
//! ([`incremental`]) runs the same stage functions through its cache policy. Each stage is its
//! own module and reads only what the stages before it produced.

#![deny(missing_docs)]

mod assets;
mod compress;
mod config;
mod constants;
mod content;
mod diagnostic;
mod diagram;
mod facts;
mod family;
mod head;
mod incremental;
mod markdown;
mod open_formats;
mod output;
mod pipeline;
mod scaffold;
mod serve;
mod site;
mod urls;
mod walk;
mod yaml;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use config::check_base_url_flag;
pub use diagnostic::{render_message, stderr_color, Diagnostic, Severity};
pub use scaffold::{new_page, NewError};
pub use serve::{run as serve, ServeOptions, DEFAULT_PORT};

/// The generator's insides that the integration tests (`tests/`) and the fuzz harness
/// (`tests/fuzz`) drive directly. Not an API: it changes with the code. Only what they use is
/// here, so that the dead-code lint still sees the rest of the crate.
#[doc(hidden)]
pub mod internals {
    /// Front matter and pages.
    pub mod content {
        pub use crate::content::{is_safe_slug_segment, parse, parse_bytes, Page};
    }
    /// `site.yaml`.
    pub mod config {
        pub use crate::config::Config;
    }
    /// Theme files and fingerprinted assets.
    pub mod assets {
        pub use crate::assets::{theme_files, Assets};
    }
    /// Dated facts.
    pub mod facts {
        pub use crate::facts::{parse_date, Fact, Facts};
    }
    /// Content families.
    pub mod family {
        pub use crate::family::Requirement;
    }
    /// The `head:` allow-lists.
    pub mod head {
        pub use crate::head::{LINK_ATTRIBUTES, LINK_RELS, META_ATTRIBUTES, META_NAMES};
    }
    /// The dev server's cache policy.
    pub mod incremental {
        pub use crate::incremental::{Incremental, Outcome};
    }
    /// The search index's documents.
    pub mod index {
        pub use crate::pipeline::index::documents;
    }
    /// Markdown rendering.
    pub mod markdown {
        pub use crate::markdown::{render, render_page, render_with};
    }
    /// Output files and the staging directory.
    pub mod output {
        pub use crate::output::{codes_json, robots, sitemap, Staging, MARKER, MARKER_TEXT};
    }
    /// The route table.
    pub mod plan {
        pub use crate::pipeline::plan::plan;
    }
    /// Templates.
    pub mod render {
        pub use crate::pipeline::render::Renderer;
    }
    /// The dev server's limits.
    pub mod serve {
        pub use crate::serve::HEADER_READ_TIMEOUT;
    }
    /// The site model.
    pub mod site {
        pub use crate::site::{CodePage, Site};
    }
    /// Link targets.
    pub mod urls {
        pub use crate::urls::check_link;
    }
}

/// The search engine compiled to WebAssembly by `build.rs`, shipped with every site.
pub const SEARCH_WASM: &[u8] = include_bytes!(env!("STATUSREF_SEARCH_WASM"));
/// `(bytes, brotli 11, gzip 9)` of [`SEARCH_WASM`] and of each built-in asset, compressed once
/// by `build.rs` rather than in every build (see [`compress`]).
pub(crate) const PRECOMPRESSED: &[(&[u8], &[u8], &[u8])] =
    include!(concat!(env!("OUT_DIR"), "/precompressed.rs"));

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
    pub files: Vec<pipeline::render::OutputFile>,
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
    /// Building the search index over the site's pages, on its own thread, while the pages
    /// that do not show its URL render (and, in `build`, are written).
    Index {
        /// Content pages (codes and articles).
        pages: usize,
    },
    /// Rendering the pages that waited for the index (those that show its URL: the search
    /// page), once it is built.
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
    let memory = pipeline::sink::Memory::default();
    let run = pipeline::run(options, &memory, progress)?;
    let (files, pages) = memory.into_files();
    Ok(Rendered {
        site: run.site,
        files,
        pages,
        warnings: run.warnings,
    })
}

/// Builds the site into its output directory through a staging directory: pages are written
/// as they are rendered (never all held in memory), and the staging directory is swapped in
/// only when everything was written. On any error the previous output is left as it was.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_with_progress(options, &|_| {})
}

/// [`build`], calling `progress` as each [`Stage`] starts (for a progress bar, or timings).
/// Pages are written as they are rendered, so [`Stage::Index`] and [`Stage::Render`] cover
/// writing them; [`Stage::Write`] is the rest (JSON, sitemap, assets) and the swap.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &(dyn Fn(Stage) + Sync),
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let output = options.output_dir();
    output::check_output_dir(&options.root, &output, options.force)?;
    let disk = pipeline::sink::Disk::new(&output, options.precompress_html, options.allow_empty);
    let run = pipeline::run(options, &disk, progress)?;
    let bytes = disk.commit()?;
    Ok(BuildReport {
        pages: run.pages,
        codes: run.site.codes.len(),
        guides: run.site.guides().count(),
        entries: run.site.entries.len(),
        warnings: run.warnings,
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
