//! The pipeline, one way through the data:
//!
//! ```text
//! load ──▶ assemble ──▶ plan ──▶ index ─┬─▶ render ──▶ sink
//! (config, (markdown,   (the     (search  │  (tera, pages that
//!  content, Site model,  route    bundle,  │   name the index
//!  theme)   checks)      table)   own      │   wait for it)
//!                                 thread) ─┘
//! ```
//!
//! Each stage is a module ([`load`], [`assemble`], [`plan`], [`index`],
//! [`render`], [`sink`]) and reads only what the stages before it produced.
//! [`run`] runs them in order for `build` (sink: [`sink::Disk`], a staging directory swapped
//! in at the end) and `check` ([`sink::Memory`]); the dev server ([`crate::incremental`]) calls
//! the same stage functions through its cache policy and keeps its own file map.
//!
//! The search index is built on its own thread while the pages whose templates do not name
//! `assets['index.bin']` render ([`render_alongside_index`]); the pages that do (the search
//! page) wait for it and render with its final URL. Nothing patches rendered HTML, and the
//! output is byte for byte what rendering after the index gives.

pub mod assemble;
pub mod index;
pub mod load;
pub mod plan;
pub mod render;
pub mod sink;

use std::collections::BTreeSet;

use crate::assets::Assets;
use crate::diagnostic::Diagnostic;
use crate::markdown::SharedText;
use crate::site::Site;
use crate::{open_formats, output, BuildError, BuildOptions, Stage};
use index::Document;
use plan::{FileKind, Route, Routes};
use render::{OutputFile, RenderError, Renderer};
use sink::Sink;

/// What a run produced besides its files (which went to the sink).
pub struct Run {
    /// The model.
    pub site: Site,
    /// HTML pages rendered.
    pub pages: usize,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// Runs every stage for the site of `options`, into `sink`, calling `progress` as each
/// [`Stage`] starts.
pub fn run(
    options: &BuildOptions,
    sink: &dyn Sink,
    progress: &(dyn Fn(Stage) + Sync),
) -> Result<Run, BuildError> {
    progress(Stage::Load);
    let load::Loaded {
        config,
        pages,
        unparsed_urls,
        families,
        renderer,
        assets,
        mut diagnostics,
    } = load::load(options)?;
    // Cross-page checks run even when some files failed, so one build reports everything.
    progress(Stage::Markdown { pages: pages.len() });
    let pages = assemble::markdown(pages, &config.base_path());
    let site = assemble::site(
        &options.root,
        config,
        &families.defs,
        pages,
        &unparsed_urls,
        &mut diagnostics,
    );
    let (Some(renderer), Some(assets), Some(mut site)) = (renderer, assets, site) else {
        return Err(BuildError::Input(diagnostics));
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Input(diagnostics));
    }
    if let Err(refusal) = sink.accept(&site) {
        diagnostics.push(refusal);
        return Err(BuildError::Input(diagnostics));
    }

    let routes = plan::plan(&site);
    // The sink prepares (a build creates the output's directories, one system call each)
    // while the index's documents are gathered: neither needs the other.
    let (documents, prepared) = std::thread::scope(|scope| {
        let preparing = scope.spawn(|| sink.prepare(&routes));
        let documents = index::documents(&site);
        let prepared = preparing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (documents, prepared)
    });
    prepared?;
    if !sink.keeps_text() {
        // The index has its documents: the model's copy of the text is not needed any more.
        drop_plain_text(&mut site);
    }
    let indexed = render_alongside_index(
        &site,
        &renderer,
        &routes,
        assets,
        &documents,
        sink.split_index(),
        progress,
        &|route, html| sink.page(route, html, open_formats::page_files(&site, route)),
    )
    .map_err(|e| e.into_build_error(&mut diagnostics))?;

    let mut index_files: Vec<OutputFile> = indexed
        .assets
        .list
        .into_iter()
        .map(|a| (a.path, a.bytes))
        .collect();
    index_files.extend(indexed.chunks);
    if sink.write_stage() {
        progress(Stage::Write {
            files: routes.files.len() + index_files.len(),
        });
    }
    // The site-wide files are made while the assets and index chunks are compressed.
    let (site_wide, index) = rayon::join(
        || sink.files(site_files(&site, &routes)),
        || sink.files(index_files),
    );
    site_wide?;
    index?;
    drop(documents);
    Ok(Run {
        pages: routes.pages.len(),
        site,
        warnings: diagnostics,
    })
}

/// Empties the model's plain text (kept for the index only).
fn drop_plain_text(site: &mut Site) {
    for (_, plain_text) in page_texts(site) {
        *plain_text = SharedText::default();
    }
}

/// The HTML body and the plain text of every content page of the model.
fn page_texts(site: &mut Site) -> impl Iterator<Item = (&mut SharedText, &mut SharedText)> {
    let codes = site
        .codes
        .iter_mut()
        .map(|p| (&mut p.html, &mut p.plain_text));
    let articles = site
        .articles
        .iter_mut()
        .map(|p| (&mut p.html, &mut p.plain_text));
    let entries = site
        .entries
        .iter_mut()
        .map(|p| (&mut p.html, &mut p.plain_text));
    codes.chain(articles).chain(entries)
}

/// The site-wide files of the route table: `codes.json`, `families.json`, `llms.txt`,
/// `robots.txt`, `sitemap.xml` (only with an absolute base URL).
pub fn site_files(site: &Site, routes: &Routes) -> Vec<OutputFile> {
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

/// The files beside pages and assets: [`site_files`] and each content page's open formats
/// (its Markdown twin and JSON record: [`open_formats`]).
pub fn generated_files(site: &Site, routes: &Routes) -> Vec<OutputFile> {
    use rayon::prelude::*;
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

/// Where [`render_alongside_index`] hands each rendered page.
pub type PageSink<'a, E> = dyn Fn(&Route, Vec<u8>) -> Result<(), E> + Sync + 'a;

/// What pages rendered before the index exists see as its URL. A page whose output holds it
/// is not kept but rendered again once the index is built: nothing patches rendered HTML.
const PENDING_INDEX_URL: &str = "statusref-pending-index-url-5c2e9a";

/// The index stage's output, with the pages that waited for it.
pub struct Indexed {
    /// The assets with the search index (its head, when split) added.
    pub assets: Assets,
    /// The chunks of a split index, `(path under the output, bytes)`; empty when whole.
    pub chunks: Vec<OutputFile>,
    /// The output paths of the pages that show the index's URL (rendered after it).
    pub index_pages: BTreeSet<String>,
}

/// Why [`render_alongside_index`] failed.
pub enum Overlap<E> {
    /// Building the index failed.
    Index(Diagnostic),
    /// Rendering failed.
    Render(RenderError<E>),
}

impl Overlap<output::WriteError> {
    /// The build error, after the `diagnostics` gathered so far.
    fn into_build_error(self, diagnostics: &mut Vec<Diagnostic>) -> BuildError {
        match self {
            Overlap::Index(d) => BuildError::Input(vec![d]),
            Overlap::Render(RenderError::Templates(errors)) => {
                diagnostics.extend(errors);
                BuildError::Input(std::mem::take(diagnostics))
            }
            Overlap::Render(RenderError::Sink(e)) => BuildError::Write(e),
        }
    }
}

/// The index stage: the bundle of `documents`, split into a head and chunks with `split`.
pub fn build_index(
    documents: &[Document],
    split: bool,
) -> Result<(Vec<u8>, Vec<OutputFile>), Diagnostic> {
    let bundle = index::bundle_documents(documents)?;
    if !split {
        return Ok((bundle, Vec::new()));
    }
    let split = index::split(bundle)?;
    let chunks = split
        .chunks
        .into_iter()
        .map(|(name, bytes)| {
            let path = statusref_search::chunks::chunk_path(&name);
            (format!("{}{path}", plan::ASSETS_DIR), bytes)
        })
        .collect();
    Ok((split.head, chunks))
}

/// Builds the search index on its own thread while the pages render on the others, and
/// returns `assets` with the index added. The pages whose templates name the index
/// ([`Renderer::templates_naming`]: the search page) wait for it, since its URL is
/// fingerprinted; so does any other page whose output turns out to hold the pending URL.
/// Every page reaches `sink` once, rendered with the final asset URLs: the same bytes as
/// rendering after the index. When a template fails, every page is rendered again after the
/// index, so that each broken template is reported once, with its page count, as before.
///
/// Reports [`Stage::Index`] as the index starts (pages that do not wait render meanwhile) and
/// [`Stage::Render`] once it is built.
#[allow(clippy::too_many_arguments)]
pub fn render_alongside_index<E: Send>(
    site: &Site,
    renderer: &Renderer,
    routes: &Routes,
    assets: Assets,
    documents: &[Document],
    split: bool,
    progress: &(dyn Fn(Stage) + Sync),
    sink: &PageSink<'_, E>,
) -> Result<Indexed, Overlap<E>> {
    let pages = site.codes.len() + site.articles.len() + site.entries.len();
    let (early, mut late): (Vec<&Route>, Vec<&Route>) =
        match renderer.templates_naming(load::INDEX_ASSET) {
            Some(naming) => routes
                .pages
                .iter()
                .partition(|r| !naming.contains(r.template)),
            None => (Vec::new(), routes.pages.iter().collect()),
        };
    let mut pending_urls = assets.urls(&site.base_path);
    pending_urls.insert(load::INDEX_ASSET.into(), PENDING_INDEX_URL.into());
    let held = std::sync::Mutex::new(Vec::new());
    progress(Stage::Index { pages });
    let (built, early_result) = std::thread::scope(|scope| {
        let indexer = std::thread::Builder::new()
            .name("statusref-index".into())
            .spawn_scoped(scope, || build_index(documents, split));
        let result = if early.is_empty() {
            Ok(())
        } else {
            renderer.render(site, routes, &pending_urls, &early, |i, route, html| {
                if memchr::memmem::find(&html, PENDING_INDEX_URL.as_bytes()).is_some() {
                    held.lock().unwrap_or_else(|e| e.into_inner()).push(i);
                    Ok(())
                } else {
                    sink(route, html)
                }
            })
        };
        let built = match indexer {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to spare: build it here.
            Err(_) => build_index(documents, split),
        };
        (built, result)
    });
    let (bundle, chunks) = built.map_err(Overlap::Index)?;
    let assets = load::with_index(assets, bundle);
    let urls = assets.urls(&site.base_path);
    let all = || -> Vec<&Route> { routes.pages.iter().collect() };
    match early_result {
        Ok(()) => {
            let mut held = held.into_inner().unwrap_or_else(|e| e.into_inner());
            held.sort_unstable();
            late.extend(held.into_iter().map(|i| early[i]));
        }
        Err(RenderError::Sink(e)) => return Err(Overlap::Render(RenderError::Sink(e))),
        Err(RenderError::Templates(_)) => late = all(),
    }
    progress(Stage::Render { pages });
    let result = match renderer.render(site, routes, &urls, &late, |_, route, html| {
        sink(route, html)
    }) {
        Err(RenderError::Templates(_)) if late.len() < routes.pages.len() => {
            late = all();
            renderer.render(site, routes, &urls, &late, |_, route, html| {
                sink(route, html)
            })
        }
        other => other,
    };
    result.map_err(Overlap::Render)?;
    Ok(Indexed {
        assets,
        chunks,
        index_pages: late.iter().map(|r| r.path.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::sync::Mutex;

    use super::*;
    use crate::assets::ThemeFile;
    use crate::config::Config;

    fn site() -> Site {
        let page = |path: &str, text: &str| {
            let rel = Path::new(path);
            let slug = rel.strip_prefix("content").unwrap();
            let (page, _) = crate::content::parse(rel, slug, text).expect("parses");
            let rendered = crate::markdown::render(page.body(), "/");
            (page, rendered)
        };
        let pages = vec![
            page(
                "content/codes/504.md",
                "---\ntitle: \"504 Gateway Timeout\"\n---\n## Meaning\n\nSlow upstream.\n",
            ),
            page(
                "content/codes/502.md",
                "---\ntitle: \"502 Bad Gateway\"\n---\n## Meaning\n\nBad upstream.\n",
            ),
            page(
                "content/guides/x.md",
                "---\ntitle: \"X\"\ndescription: \"About x.\"\n---\n# X\n\nBody.\n",
            ),
        ];
        Site::assemble(Config::default(), &[], pages, &[])
            .expect("assembles")
            .0
    }

    /// The built-in theme, with `overrides` over its templates.
    fn theme(overrides: &[(&str, &str)]) -> (Renderer, Assets) {
        let root = Path::new("/nonexistent-statusref-root");
        let mut diagnostics = Vec::new();
        let mut sources = load::template_sources(root, &mut diagnostics).expect("built-in");
        for (name, text) in overrides {
            sources.insert(
                name.to_string(),
                ThemeFile {
                    bytes: text.as_bytes().to_vec(),
                    origin: format!("templates/{name}"),
                },
            );
        }
        let renderer = load::templates(sources, &mut diagnostics).expect("templates parse");
        let assets = load::static_assets(load::asset_sources(root, &mut diagnostics).unwrap());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        (renderer, assets)
    }

    /// Every page rendered after the index, one after the other: the reference.
    fn sequential(site: &Site, renderer: &Renderer, assets: Assets) -> BTreeMap<String, Vec<u8>> {
        let routes = plan::plan(site);
        let (bundle, _) = build_index(&index::documents(site), false).expect("index");
        let assets = load::with_index(assets, bundle);
        renderer
            .render_site(site, &assets.urls(&site.base_path))
            .expect("renders")
            .into_iter()
            .inspect(|(path, _)| assert!(routes.pages.iter().any(|r| &r.path == path)))
            .collect()
    }

    fn overlapped(
        site: &Site,
        renderer: &Renderer,
        assets: Assets,
    ) -> (BTreeMap<String, Vec<u8>>, Indexed) {
        let routes = plan::plan(site);
        let pages = Mutex::new(BTreeMap::new());
        let indexed = render_alongside_index(
            site,
            renderer,
            &routes,
            assets,
            &index::documents(site),
            false,
            &|_| {},
            &|route, html| {
                let previous = pages.lock().unwrap().insert(route.path.clone(), html);
                assert!(previous.is_none(), "{} came twice", route.path);
                Ok::<(), std::convert::Infallible>(())
            },
        )
        .unwrap_or_else(|_| panic!("renders"));
        (pages.into_inner().unwrap(), indexed)
    }

    #[test]
    fn pages_rendered_alongside_the_index_are_the_sequential_bytes() {
        let site = site();
        let (renderer, assets) = theme(&[]);
        let (pages, indexed) = overlapped(&site, &renderer, assets.clone());
        assert_eq!(pages, sequential(&site, &renderer, assets));
        // Only the search page names the index: it alone waited.
        assert_eq!(
            indexed.index_pages.iter().collect::<Vec<_>>(),
            ["http-codes/index.html"]
        );
        let search = String::from_utf8_lossy(&pages["http-codes/index.html"]).into_owned();
        let index_path = &indexed.assets.list.iter().find(|a| a.name == "index.bin");
        let index_path = &index_path.expect("the index is an asset").path;
        assert!(search.contains(index_path.as_str()), "{search}");
        assert!(!pages.values().any(|html| memchr::memmem::find(
            html,
            PENDING_INDEX_URL.as_bytes()
        )
        .is_some()));
    }

    #[test]
    fn a_page_that_shows_the_index_url_unannounced_waits_for_it_too() {
        let site = site();
        // The guide template computes the asset's name: no template names it as written.
        let guide = "{% extends \"base.html\" %}{% block main %}{% set name = \"index\" ~ \".bin\" %}<p data-i=\"{{ assets[name] }}\">{{ page.heading }}</p>{% endblock %}";
        let (renderer, assets) = theme(&[("guide.html", guide)]);
        let (pages, indexed) = overlapped(&site, &renderer, assets.clone());
        assert_eq!(pages, sequential(&site, &renderer, assets));
        assert!(indexed.index_pages.contains("guides/x/index.html"));
        assert!(indexed.index_pages.contains("http-codes/index.html"));
    }

    #[test]
    fn a_shared_template_naming_the_index_makes_every_page_wait() {
        let site = site();
        let partial = "<meta name=\"x-index\" content=\"{{ assets['index.bin'] }}\">";
        let base_user = "{% extends \"base.html\" %}{% block main %}{% include \"partials/x-index.html\" %}{{ page.heading }}{% endblock %}";
        let (renderer, assets) = theme(&[
            ("partials/x-index.html", partial),
            ("guide.html", base_user),
        ]);
        let (pages, indexed) = overlapped(&site, &renderer, assets.clone());
        assert_eq!(pages, sequential(&site, &renderer, assets));
        assert_eq!(indexed.index_pages.len(), pages.len());
    }
}
