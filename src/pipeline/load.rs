//! Load: `site.yaml` (with `--base-url` over it), the content files and their families, the
//! templates and the theme assets. Problems are gathered, not returned one by one: a build
//! reports everything it found.
//!
//! The full pipeline ([`load`]) reads everything; the dev server's cache policy
//! ([`crate::incremental`]) calls the same pieces ([`config`], [`template_sources`],
//! [`templates`], [`asset_sources`], [`static_assets`], [`pages`]) and keeps what did not
//! change.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::assets::{self, Assets, ThemeFile};
use crate::config::Config;
use crate::content::{self, FileResult, Page};
use crate::diagnostic::{self, Diagnostic};
use crate::family::Families;
use crate::pipeline::render::Renderer;
use crate::{output, BuildError, BuildOptions, SEARCH_WASM};

/// The search index's logical asset name, as templates look it up (`assets['index.bin']`).
pub const INDEX_ASSET: &str = "index.bin";

/// The search engine's logical asset name.
pub const WASM_ASSET: &str = "search.wasm";

/// What the load stage read.
pub struct Loaded {
    /// The configuration in effect (`--base-url` applied).
    pub config: Config,
    /// The content pages that parsed (drafts only when asked for), in file order.
    pub pages: Vec<Page>,
    /// URLs of content files that failed to load (see [`crate::site::Site::assemble`]).
    pub unparsed_urls: Vec<String>,
    /// The content families.
    pub families: Families,
    /// The templates, when they all parsed.
    pub renderer: Option<Renderer>,
    /// The theme assets fingerprinted with the search engine, when they could be read.
    pub assets: Option<Assets>,
    /// Errors and warnings so far, in the order they are reported.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the whole site at `options.root`. Only a broken `site.yaml` or `--base-url` stops it;
/// every other problem is in [`Loaded::diagnostics`], so that the later stages can still
/// check what did load.
pub fn load(options: &BuildOptions) -> Result<Loaded, BuildError> {
    let root = &options.root;
    let config = config(options)?;
    let content::Discovered {
        files,
        mut diagnostics,
    } = content::discover(root);
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|path| content::load_file(root, path))
        .collect();
    let mut unparsed_urls = Vec::new();
    let pages: Vec<Page> = self::pages(
        results.into_iter().map(|r| (r, ())),
        options.drafts,
        &mut diagnostics,
        &mut unparsed_urls,
    )
    .into_iter()
    .map(|(page, ())| page)
    .collect();
    let families = crate::family::load(root, &files);
    diagnostics.retain(|d| families.keep(d));
    diagnostics.extend(families.diagnostics.iter().cloned());
    // Templates are parsed even when content failed, so one run reports both.
    let renderer =
        template_sources(root, &mut diagnostics).and_then(|t| templates(t, &mut diagnostics));
    let assets = asset_sources(root, &mut diagnostics).map(static_assets);
    Ok(Loaded {
        config,
        pages,
        unparsed_urls,
        families,
        renderer,
        assets,
        diagnostics,
    })
}

/// `site.yaml` with `--base-url` over it.
pub fn config(options: &BuildOptions) -> Result<Config, BuildError> {
    let mut config = Config::load(&options.root).map_err(|d| BuildError::Input(vec![d]))?;
    if let Some(base_url) = &options.base_url {
        config.override_base_url(base_url).map_err(|e| {
            BuildError::Usage(output::Refusal {
                message: format!("--base-url {e}"),
                help: "give an http(s) URL (`https://example.org/ref/`) or a path starting with one `/` (`/ref/`)".into(),
            })
        })?;
    }
    Ok(config)
}

/// The templates' sources: built-in, overridden by the site root's `templates/`.
pub fn template_sources(
    root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<String, ThemeFile>> {
    diagnostic::gather(assets::theme_files(root, "templates"), diagnostics)
}

/// Parses the templates; every broken one goes into `diagnostics`.
pub fn templates(
    sources: BTreeMap<String, ThemeFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Renderer> {
    match Renderer::new(sources) {
        Ok(renderer) => Some(renderer),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    }
}

/// The theme assets' sources: built-in, overridden by the site root's `assets/`.
pub fn asset_sources(
    root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<String, ThemeFile>> {
    diagnostic::gather(assets::theme_files(root, "assets"), diagnostics)
}

/// The theme assets and the search engine, fingerprinted: every asset but the search index,
/// which the index stage adds ([`with_index`]). The generated files win over theme files of
/// the same name.
pub fn static_assets(mut theme: BTreeMap<String, ThemeFile>) -> Assets {
    theme.remove(INDEX_ASSET);
    Assets::new(theme, vec![(WASM_ASSET.into(), SEARCH_WASM.to_vec())])
}

/// `assets` with the search index (its head, when split) added, in name order.
pub fn with_index(mut assets: Assets, index: Vec<u8>) -> Assets {
    let mut list = std::mem::take(&mut assets.list);
    list.extend(Assets::new(BTreeMap::new(), vec![(INDEX_ASSET.into(), index)]).list);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    assets.list = list;
    assets
}

/// One content file's outcome, owned (the full load moves its pages on) or borrowed (the dev
/// server's cache keeps them).
pub trait FileOutcome {
    /// `Page` or `&Page`.
    type Page: Borrow<Page>;
    /// The page with its warnings, or the file's errors.
    fn into_parts(self) -> Result<(Self::Page, Vec<Diagnostic>), Vec<Diagnostic>>;
}

impl FileOutcome for FileResult {
    type Page = Page;
    fn into_parts(self) -> Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>> {
        self
    }
}

impl<'a> FileOutcome for &'a FileResult {
    type Page = &'a Page;
    fn into_parts(self) -> Result<(&'a Page, Vec<Diagnostic>), Vec<Diagnostic>> {
        match self {
            Ok((page, warnings)) => Ok((page, warnings.clone())),
            Err(errors) => Err(errors.clone()),
        }
    }
}

/// The pages of loaded content files, in file order: each file's page unless it is a draft and
/// drafts are left out (its warnings go to `diagnostics`), or its errors and the URL it would
/// have had (into `unparsed_urls`). One rule for the full load and the dev server's cache.
pub fn pages<R: FileOutcome, T>(
    results: impl Iterator<Item = (R, T)>,
    include_drafts: bool,
    diagnostics: &mut Vec<Diagnostic>,
    unparsed_urls: &mut Vec<String>,
) -> Vec<(R::Page, T)> {
    let mut pages = Vec::new();
    for (result, extra) in results {
        match result.into_parts() {
            Ok((page, warnings)) => {
                diagnostics.extend(warnings);
                if include_drafts || !page.borrow().front.draft {
                    pages.push((page, extra));
                }
            }
            Err(errors) => {
                if let Some(d) = errors.first() {
                    unparsed_urls.push(super::plan::source_url(&d.path));
                }
                diagnostics.extend(errors);
            }
        }
    }
    pages
}
