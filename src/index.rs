//! The search index: the site's pages as `statusref_search` documents, written as one bundle.
//!
//! Each meaning of a code is its own document (so `arcgis token required` finds 499 even
//! though nginx's meaning is the page title); guides are documents too. The bundle format,
//! schema and query code live in the `search/` crate, shared with the browser.

use statusref_search::{build_bundle, Document};

use crate::diagnostic::Diagnostic;
use crate::site::Site;

/// The documents of a site, in a stable order.
pub fn documents(site: &Site) -> Vec<Document> {
    let mut docs = Vec::with_capacity(site.codes.len() + site.articles.len());
    for page in &site.codes {
        let several = page.meanings.len() > 1;
        for (i, meaning) in page.meanings.iter().enumerate() {
            let description = if i == 0 {
                page.description.clone()
            } else {
                meaning
                    .summary
                    .clone()
                    .unwrap_or_else(|| page.description.clone())
            };
            let mut aliases = meaning.aliases.clone();
            if i == 0 {
                for alias in &page.aliases {
                    if !aliases.contains(alias) {
                        aliases.push(alias.clone());
                    }
                }
            }
            let mut keywords = meaning.keywords.clone();
            if i == 0 {
                for keyword in &page.keywords {
                    if !keywords.contains(keyword) {
                        keywords.push(keyword.clone());
                    }
                }
            }
            if let Some(vendor) = &meaning.vendor {
                keywords.push(vendor.clone());
            }
            docs.push(Document {
                code: Some(page.code),
                title: format!("{} {}", page.code, meaning.name),
                aliases,
                keywords,
                description,
                // The body is shared by every meaning; index it once, with the first.
                body: if i == 0 || !several {
                    page.plain_text.clone()
                } else {
                    String::new()
                },
                class: page.class.clone(),
                status: meaning.status.as_str().to_string(),
                vendor: meaning.vendor.clone(),
                url: page.url.clone(),
            });
        }
    }
    for article in &site.articles {
        docs.push(Document {
            code: None,
            title: article.heading.clone(),
            aliases: Vec::new(),
            keywords: article.keywords.clone(),
            description: article.description.clone(),
            body: article.plain_text.clone(),
            class: "guide".into(),
            status: "guide".into(),
            vendor: None,
            url: article.url.clone(),
        });
    }
    docs
}

/// Writes the index bundle for `site`.
pub fn bundle(site: &Site) -> Result<Vec<u8>, Diagnostic> {
    build_bundle(&documents(site)).map_err(|e| {
        Diagnostic::error("content", format!("cannot build the search index: {e}"))
            .help("this is a bug in statusref; please report it with the content that triggers it")
    })
}
