//! The search index: the site's pages as `statusref_search` documents, written as one bundle.
//!
//! Each meaning of a code is its own document (so `arcgis token required` finds 499 even
//! though nginx's meaning is the page title); guides are documents too. The bundle format,
//! schema and query code live in the `search/` crate, shared with the browser.

use statusref_search::build_bundle;
pub use statusref_search::Document;

use crate::diagnostic::Diagnostic;
use crate::site::Site;

/// The documents of a site, in a stable order. Made in parallel: the bodies are copied (tens
/// of megabytes at ten thousand pages) while nothing else runs.
pub fn documents(site: &Site) -> Vec<Document> {
    use rayon::prelude::*;
    let mut docs = Vec::with_capacity(site.codes.len() + site.articles.len() + site.entries.len());
    docs.par_extend(site.codes.par_iter().flat_map_iter(|page| {
        let several = page.meanings.len() > 1;
        page.meanings.iter().enumerate().map(move |(i, meaning)| {
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
                // Framework constants as written (`HTTPStatus.TOO_MANY_REQUESTS`,
                // `http.StatusTooManyRequests`, `:too_many_requests`) find their code as
                // keywords. Measured on tests/queries.tsv (mean reciprocal rank): 0.977 as
                // keywords, 0.975 without them, 0.960 as aliases (longer alias fields pushed
                // `rate limit` and `cloudflare origin timeout` off their first place).
                for keyword in page.keywords.iter().chain(&page.framework_names) {
                    if !keywords.contains(keyword) {
                        keywords.push(keyword.clone());
                    }
                }
            }
            if let Some(vendor) = &meaning.vendor {
                keywords.push(vendor.clone());
            }
            Document {
                code: Some(page.code),
                title: format!("{} {}", page.code, meaning.name),
                aliases,
                keywords,
                description,
                // The body is shared by every meaning; index it once, with the first.
                body: if i == 0 || !several {
                    page.plain_text.to_string()
                } else {
                    String::new()
                },
                class: statusref_search::Class::from(page.class.as_str()),
                status: Some(meaning.status),
                vendor: meaning.vendor.clone(),
                url: page.url.clone(),
                ..Document::default()
            }
        })
    }));
    docs.par_extend(site.articles.par_iter().map(|article| Document {
        code: None,
        title: article.heading.clone(),
        aliases: Vec::new(),
        keywords: article.keywords.clone(),
        description: article.description.clone(),
        body: article.plain_text.to_string(),
        class: statusref_search::Class::Guide,
        status: None,
        vendor: None,
        url: article.url.clone(),
        ..Document::default()
    }));
    for family in &site.families {
        for entry in family.members.iter().filter_map(|&i| site.entries.get(i)) {
            let mut keywords = entry.keywords.clone();
            // "cloudflare error 1020", "iis 500.19": the family's words are the entry's too.
            keywords.push(family.name.clone());
            keywords.push(family.entry_label.clone());
            keywords.extend(family.vendor.clone());
            docs.push(Document {
                code: None,
                title: entry.title.clone(),
                aliases: entry.aliases.clone(),
                keywords,
                description: entry.description.clone(),
                body: entry.plain_text.to_string(),
                class: statusref_search::Class::Family(family.slug.clone()),
                status: Some(statusref_search::Status::Unofficial),
                vendor: family.vendor.clone(),
                url: entry.url.clone(),
                key: Some(entry.key.clone()),
                http_status: entry.http_status,
                family: Some(family.entry_label.clone()),
            });
        }
    }
    docs
}

/// Writes the index bundle of these documents (see [`documents`]).
pub fn bundle_documents(docs: &[Document]) -> Result<Vec<u8>, Diagnostic> {
    build_bundle(docs).map_err(|e| {
        Diagnostic::error("content", format!("cannot build the search index: {e}"))
            .help("this is a bug in statusref; please report it with the content that triggers it")
    })
}

/// The index for a built site: the whole bundle split into a head (`assets/index.<hash>.bin`)
/// and chunks the browser fetches as queries need them (`assets/index/<name>.bin`), so that
/// the bytes before the first result stay flat as the site grows (see
/// `statusref_search::chunks`).
pub fn split(bundle: Vec<u8>) -> Result<statusref_search::SplitIndex, Diagnostic> {
    statusref_search::split_bundle(bundle).map_err(|e| {
        Diagnostic::error("content", format!("cannot split the search index: {e}"))
            .help("this is a bug in statusref; please report it with the content that triggers it")
    })
}

/// A 64-bit digest of the documents: equal digests mean (but for a 2⁻⁶⁴ chance) the same
/// index, so the dev server rebuilds the index only when it would change. Not a
/// cryptographic hash: it only tells accidental edits apart, quickly (a few GB/s).
pub fn digest(docs: &[Document]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = WordHasher(0x243f_6a88_85a3_08d3);
    // Every field of every document (the derived `Hash`: a field added later is covered).
    docs.hash(&mut hasher);
    hasher.finish()
}

/// Eight bytes at a time: xor, multiply, rotate; a final avalanche (as MurmurHash3's).
struct WordHasher(u64);

impl WordHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Document {
        Document {
            code: Some(504),
            title: "504 Gateway Timeout".into(),
            aliases: vec![],
            keywords: vec!["proxy".into()],
            description: "A gateway timed out.".into(),
            body: body.into(),
            class: statusref_search::Class::Codes(5),
            status: Some(statusref_search::Status::Official),
            vendor: None,
            url: "/http-codes/504/".into(),
            ..Document::default()
        }
    }

    #[test]
    fn the_digest_follows_every_change() {
        let a = digest(&[doc("The proxy waited and gave up.")]);
        assert_eq!(a, digest(&[doc("The proxy waited and gave up.")]));
        assert_ne!(a, digest(&[doc("The proxy waited and gave up!")]));
        assert_ne!(a, digest(&[doc("The proxy waited and gave up.\0")]));
        assert_ne!(a, digest(&[doc("")]));
        let mut moved = doc("The proxy waited and gave up.");
        moved.keywords = vec!["pro".into(), "xy".into()];
        assert_ne!(a, digest(&[moved]));
        assert_ne!(digest(&[]), digest(&[doc("")]));
    }
}
