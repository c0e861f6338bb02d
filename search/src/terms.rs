//! One term-dictionary lookup per term and search.
//!
//! A search asks tantivy for the same terms again and again: [`SearchIndex`]'s expansion looks
//! each word up in every field, then every clause built from them asks for each term's
//! document frequency (BM25's statistics, once per weight) and its postings (once per scorer,
//! and the coordinator builds its own scorers of the same clauses). Each of those is a lookup
//! in tantivy's sstable dictionary, which decodes a whole ~4 KB block of term infos to find one
//! term: in the browser they were most of a query's time. [`TermInfos`] keeps the term info of
//! every term looked up during one search, filled by the expansion (which reads them anyway)
//! and read by [`Statistics`] (document frequencies) and [`CachedTermWeight`] (postings), so
//! each term is decoded once. The scores are tantivy's own: the same BM25 weight, the same
//! postings, the same field norms as `TermQuery`'s weight and scorer.
//!
//! [`SearchIndex`]: crate::SearchIndex

use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    AllScorer, Bm25StatisticsProvider, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Scorer,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term};

/// The term infos (or their absence) of the terms looked up since the last
/// [`TermInfos::clear`], per segment. Shared by the queries of one search (hence the `Arc`
/// and the lock: tantivy's queries are `Send + Sync`).
#[derive(Debug, Default)]
pub(crate) struct TermInfos {
    segments: Mutex<FxHashMap<SegmentId, FxHashMap<Term, Option<TermInfo>>>>,
}

impl TermInfos {
    fn lock(&self) -> MutexGuard<'_, FxHashMap<SegmentId, FxHashMap<Term, Option<TermInfo>>>> {
        // Each operation is one insert or read: a panic elsewhere cannot leave it half done.
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every term (at the start of a search, so that memory stays bounded).
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// Records what a dictionary lookup of `term` in `segment` found.
    pub(crate) fn insert(&self, segment: SegmentId, term: Term, info: Option<TermInfo>) {
        self.lock().entry(segment).or_default().insert(term, info);
    }

    /// The term info of `term` in `segment`, looked up in its dictionary the first time.
    /// A failed lookup (a chunk of a split index not loaded yet) is not remembered.
    pub(crate) fn get(
        &self,
        segment: &SegmentReader,
        term: &Term,
    ) -> tantivy::Result<Option<TermInfo>> {
        let id = segment.segment_id();
        if let Some(info) = self.lock().get(&id).and_then(|terms| terms.get(term)) {
            return Ok(info.clone());
        }
        let info = segment.inverted_index(term.field())?.get_term_info(term)?;
        self.insert(id, term.clone(), info.clone());
        Ok(info)
    }
}

/// BM25's statistics from the searcher, with document frequencies from [`TermInfos`]:
/// the same numbers as the searcher's own.
pub(crate) struct Statistics<'a> {
    pub(crate) searcher: &'a Searcher,
    pub(crate) terms: &'a TermInfos,
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut total = 0u64;
        for segment in self.searcher.segment_readers() {
            if let Some(info) = self.terms.get(segment, term)? {
                total += u64::from(info.doc_freq);
            }
        }
        Ok(total)
    }
}

/// `TermQuery`'s weight for an indexed field, reading term infos through [`TermInfos`].
pub(crate) struct CachedTermWeight {
    term: Term,
    record: IndexRecordOption,
    similarity: Bm25Weight,
    scoring: bool,
    terms: Arc<TermInfos>,
}

impl CachedTermWeight {
    /// What `TermQuery::specialized_weight` computes: BM25 from the statistics provider when
    /// scoring, and postings without frequencies when not.
    pub(crate) fn new(
        term: Term,
        record: IndexRecordOption,
        scoring: EnableScoring<'_>,
        terms: Arc<TermInfos>,
    ) -> tantivy::Result<Self> {
        let entry = scoring.schema().get_field_entry(term.field());
        if !entry.is_indexed() {
            return Err(TantivyError::SchemaError(format!(
                "Field {:?} is not indexed.",
                entry.name()
            )));
        }
        let (similarity, record) = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => (
                Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(&term))?,
                record,
            ),
            // Nothing reads the scores of a search without scoring: any weight does.
            EnableScoring::Disabled { .. } => (
                Bm25Weight::for_one_term(1, 1, 1.0),
                IndexRecordOption::Basic,
            ),
        };
        Ok(CachedTermWeight {
            term,
            record,
            similarity,
            scoring: scoring.is_scoring_enabled(),
            terms,
        })
    }
}

impl Weight for CachedTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(info) = self.terms.get(reader, &self.term)? else {
            return Ok(Box::new(EmptyScorer));
        };
        // As tantivy's term weight: without scoring, a term every document has is all of them.
        if !self.scoring && info.doc_freq == reader.max_doc() {
            return Ok(Box::new(AllScorer::new(reader.max_doc())));
        }
        let field = self.term.field();
        let postings = reader
            .inverted_index(field)?
            .read_postings_from_terminfo(&info, self.record)?;
        let fieldnorms = if self.scoring {
            reader.fieldnorms_readers().get_field(field)?
        } else {
            None
        };
        Ok(Box::new(TermInfoScorer {
            postings,
            fieldnorms: fieldnorms
                .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)),
            similarity: self.similarity.boost_by(boost),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("term", scorer.score()))
    }
}

/// tantivy's `TermScorer` (not public): a term's postings scored by BM25 with its field norms.
struct TermInfoScorer {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    similarity: Bm25Weight,
}

impl DocSet for TermInfoScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for TermInfoScorer {
    fn score(&mut self) -> Score {
        let fieldnorm_id = self.fieldnorms.fieldnorm_id(self.postings.doc());
        self.similarity
            .score(fieldnorm_id, self.postings.term_freq())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, SearchIndex};
    use tantivy::query::TermQuery;

    fn index() -> SearchIndex {
        let words = ["gateway", "timeout", "proxy", "upstream", "cache", "header"];
        let docs: Vec<Document> = (0..60u16)
            .map(|i| Document {
                code: Some(400 + i),
                title: format!("{} {}", 400 + i, words[usize::from(i) % 6]),
                description: (0..=usize::from(i) % 5)
                    .map(|k| words[(usize::from(i) + k) % 6])
                    .collect::<Vec<_>>()
                    .join(" "),
                url: format!("/http-codes/{}/", 400 + i),
                ..Document::default()
            })
            .collect();
        SearchIndex::open(crate::build_bundle(&docs).unwrap()).unwrap()
    }

    /// Every (doc, score) of a scorer, in order.
    fn scored(weight: &dyn Weight, segment: &SegmentReader) -> Vec<(DocId, Score)> {
        let mut scorer = weight.scorer(segment, 1.7).unwrap();
        let mut out = Vec::new();
        while scorer.doc() != tantivy::TERMINATED {
            out.push((scorer.doc(), scorer.score()));
            scorer.advance();
        }
        out
    }

    #[test]
    fn scores_are_tantivys_own() {
        let index = index();
        let searcher = index.searcher();
        let fields = index.fields();
        let terms = Arc::new(TermInfos::default());
        let statistics = Statistics {
            searcher,
            terms: &terms,
        };
        let mut compared = 0;
        for (field, word) in [
            (fields.title, "gateway"),
            (fields.description, "proxi"),
            (fields.description, "cach"),
            (fields.title, "absent"),
        ] {
            let term = Term::from_field_text(field, word);
            for record in [IndexRecordOption::WithFreqs, IndexRecordOption::Basic] {
                let ours = CachedTermWeight::new(
                    term.clone(),
                    record,
                    EnableScoring::enabled_from_statistics_provider(&statistics, searcher),
                    Arc::clone(&terms),
                )
                .unwrap();
                let theirs = TermQuery::new(term.clone(), record)
                    .specialized_weight(EnableScoring::enabled_from_searcher(searcher))
                    .unwrap();
                for segment in searcher.segment_readers() {
                    let want = scored(&theirs, segment);
                    assert_eq!(scored(&ours, segment), want, "{word}");
                    compared += want.len();
                }
            }
        }
        assert!(compared > 20, "too few postings compared: {compared}");
    }

    #[test]
    fn a_term_is_looked_up_once() {
        let index = index();
        let segment = &index.searcher().segment_readers()[0];
        let terms = TermInfos::default();
        let term = Term::from_field_text(index.fields().title, "gateway");
        let found = terms
            .get(segment, &term)
            .unwrap()
            .expect("gateway is in a title");
        assert_eq!(found.doc_freq, 10);
        // What is recorded is what later lookups answer, not the dictionary.
        let recorded = TermInfo {
            doc_freq: 1234,
            ..found.clone()
        };
        terms.insert(segment.segment_id(), term.clone(), Some(recorded.clone()));
        assert_eq!(terms.get(segment, &term).unwrap(), Some(recorded));
        terms.clear();
        assert_eq!(terms.get(segment, &term).unwrap(), Some(found));
    }
}
