//! Assemble: each page's markdown rendered, then the site model ([`Site`]) built from all of
//! them, with the cross-page checks and the framework constants attached.

use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::Page;
use crate::diagnostic::{self, Diagnostic};
use crate::family::FamilyDef;
use crate::markdown::{self, Rendered};
use crate::site::Site;

/// Markdown to HTML for every page, in parallel, links under `base_path`.
pub fn markdown(pages: Vec<Page>, base_path: &str) -> Vec<(Page, Rendered)> {
    pages
        .into_par_iter()
        .map(|page| {
            let rendered = markdown::render_page(&page, base_path);
            (page, rendered)
        })
        .collect()
}

/// One page's markdown, for a caller that renders pages one by one (the dev server's cache).
pub fn page_markdown(page: &Page, base_path: &str) -> Rendered {
    markdown::render_page(page, base_path)
}

/// The site model from owned pages (their bodies move into it); problems go into
/// `diagnostics`.
pub fn site(
    root: &Path,
    config: Config,
    families: &[FamilyDef],
    pages: Vec<(Page, Rendered)>,
    unparsed_urls: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Site> {
    let site = diagnostic::gather(
        Site::assemble(config, families, pages, unparsed_urls),
        diagnostics,
    );
    site.map(|site| with_constants(root, site, diagnostics))
}

/// [`site`] over borrowed pages (the dev server keeps them; the model shares their bodies).
pub fn site_refs(
    root: &Path,
    config: Config,
    families: &[FamilyDef],
    pages: &[(&Page, &Rendered)],
    unparsed_urls: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Site> {
    let site = diagnostic::gather(
        Site::assemble_refs(config, families, pages, unparsed_urls),
        diagnostics,
    );
    site.map(|site| with_constants(root, site, diagnostics))
}

/// The framework constants table (`content/framework-constants.yaml`) attached to the codes.
fn with_constants(root: &Path, mut site: Site, diagnostics: &mut Vec<Diagnostic>) -> Site {
    crate::constants::attach(root, &mut site, diagnostics);
    site
}
