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
//! A search still looks up tens of distinct terms (each word in each field, its synonyms, its
//! pairs), most of them in the same few blocks, and the next search (the next keystroke, or
//! the next round of a split index's cold query) the same ones again: [`DecodedBlocks`] keeps
//! the blocks decoded for the life of the index, so a lookup in a block seen before is a
//! binary search.
//!
//! [`SearchIndex`]: crate::SearchIndex

use std::io;
use std::ops::{Bound, Range};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;
use tantivy::directory::OwnedBytes;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    AllScorer, Bm25StatisticsProvider, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Scorer,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term};
use tantivy_common::VInt;

/// The term infos (or their absence) of the terms looked up since the last
/// [`TermInfos::clear`], per segment. Shared by the queries of one search (hence the `Arc`
/// and the lock: tantivy's queries are `Send + Sync`).
#[derive(Debug, Default)]
pub(crate) struct TermInfos {
    segments: Mutex<FxHashMap<SegmentId, FxHashMap<Term, Option<TermInfo>>>>,
    /// The dictionary blocks lookups have decoded; kept across searches.
    blocks: DecodedBlocks,
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
        let info = self.blocks.lookup(segment, term)?;
        self.insert(id, term.clone(), info.clone());
        Ok(info)
    }

    /// The term info of `term` in `segment`, from its decoded dictionary block, without
    /// recording it for the current search (for lookups outside a search: chunks.rs's
    /// prefetching).
    pub(crate) fn lookup(
        &self,
        segment: &SegmentReader,
        term: &Term,
    ) -> tantivy::Result<Option<TermInfo>> {
        self.blocks.lookup(segment, term)
    }
}

/// Most blocks [`DecodedBlocks`] keeps: past that it starts over, so that memory stays
/// bounded however many queries a page answers (a wasm module's memory never shrinks). A
/// decoded block takes about 20 KB (its keys, and a span and a term info per key), so at
/// most about 5 MB; a typed query reads a few tens of blocks.
const MAX_DECODED_BLOCKS: usize = 256;

/// Term dictionary blocks decoded once, for the life of the index. tantivy's sstable
/// dictionary decodes a whole block (the keys, and the term infos of all its terms) to find
/// one term; a block here is decoded once and then searched by bisection.
///
/// A block is known by the bytes tantivy reads for it: the dictionary's file slice of a
/// key's block, which is the same memory for every read of an index's files (a split index
/// hands out slices of its loaded chunks, which never move). The entry holds those bytes, so
/// their address is not reused while it is in the map.
#[derive(Debug, Default)]
struct DecodedBlocks {
    blocks: Mutex<FxHashMap<BlockId, Arc<DecodedBlock>>>,
}

/// (segment, field, address and length of the block's bytes).
type BlockId = (SegmentId, Field, usize, usize);

impl DecodedBlocks {
    fn lookup(&self, segment: &SegmentReader, term: &Term) -> tantivy::Result<Option<TermInfo>> {
        let inverted = segment.inverted_index(term.field())?;
        let key = term.serialized_value_bytes();
        // The block whose range holds `key`: the same block `TermDictionary::get` reads.
        let slice = inverted
            .terms()
            .file_slice_for_range((Bound::Included(key), Bound::Included(key)), None);
        if slice.num_bytes() == 0 {
            // Past the last term (or an empty dictionary).
            return Ok(None);
        }
        let bytes = slice.read_bytes()?;
        let id = (
            segment.segment_id(),
            term.field(),
            bytes.as_slice().as_ptr() as usize,
            bytes.len(),
        );
        let cached = self.lock().get(&id).cloned();
        let block = match cached {
            Some(block) => block,
            None => {
                let block = Arc::new(DecodedBlock::decode(bytes)?);
                let mut blocks = self.lock();
                if blocks.len() >= MAX_DECODED_BLOCKS {
                    blocks.clear();
                }
                blocks.insert(id, Arc::clone(&block));
                block
            }
        };
        Ok(block.get(key).cloned())
    }

    fn lock(&self) -> MutexGuard<'_, FxHashMap<BlockId, Arc<DecodedBlock>>> {
        // Each operation is one insert or read: a panic elsewhere cannot leave it half done.
        self.blocks.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One sstable block of a term dictionary, decoded: its keys in order and their term infos.
#[derive(Debug)]
struct DecodedBlock {
    /// The bytes it was decoded from (see [`DecodedBlocks`]: they name it).
    _bytes: OwnedBytes,
    /// The keys, one after the other (one allocation per block, not per key).
    keys: Vec<u8>,
    /// Where each key lies in `keys`, in key order, with its term info.
    entries: Vec<(Range<usize>, TermInfo)>,
}

impl DecodedBlock {
    fn decode(bytes: OwnedBytes) -> io::Result<DecodedBlock> {
        let mut reader = tantivy_sstable::DeltaReader::<TermInfoValues>::new(bytes.clone());
        let mut key = Vec::new();
        let (mut keys, mut entries) = (Vec::new(), Vec::new());
        while reader.advance()? {
            key.truncate(reader.common_prefix_len());
            key.extend_from_slice(reader.suffix());
            let start = keys.len();
            keys.extend_from_slice(&key);
            entries.push((start..keys.len(), reader.value().clone()));
        }
        Ok(DecodedBlock {
            _bytes: bytes,
            keys,
            entries,
        })
    }

    fn get(&self, key: &[u8]) -> Option<&TermInfo> {
        self.entries
            .binary_search_by(|(span, _)| self.keys[span.clone()].cmp(key))
            .ok()
            .map(|i| &self.entries[i].1)
    }
}

/// The term infos of a dictionary block, as tantivy writes them (its `TermInfoValueWriter`;
/// the reader that decodes them is private to tantivy): the number of terms, where the
/// first term's postings and positions start, then per term its document frequency and the
/// lengths of its postings and positions.
#[derive(Debug, Default)]
struct TermInfoValues {
    infos: Vec<TermInfo>,
}

impl tantivy_sstable::value::ValueReader for TermInfoValues {
    type Value = TermInfo;

    fn value(&self, idx: usize) -> &TermInfo {
        &self.infos[idx]
    }

    fn load(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let len_before = data.len();
        self.infos.clear();
        let count = VInt::deserialize_u64(&mut data)?;
        let mut postings = VInt::deserialize_u64(&mut data)? as usize;
        let mut positions = VInt::deserialize_u64(&mut data)? as usize;
        let past = |start: usize, len: u64| {
            usize::try_from(len)
                .ok()
                .and_then(|len| start.checked_add(len))
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "term info out of range"))
        };
        for _ in 0..count {
            let doc_freq = VInt::deserialize_u64(&mut data)? as u32;
            let postings_end = past(postings, VInt::deserialize_u64(&mut data)?)?;
            let positions_end = past(positions, VInt::deserialize_u64(&mut data)?)?;
            self.infos.push(TermInfo {
                doc_freq,
                postings_range: postings..postings_end,
                positions_range: positions..positions_end,
            });
            postings = postings_end;
            positions = positions_end;
        }
        Ok(len_before - data.len())
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
    fn decoded_blocks_answer_as_the_dictionary() {
        // A site large enough for several blocks per field.
        let words: Vec<String> = (0..3000).map(|i| format!("w{i:x}q{}", i % 7)).collect();
        let docs: Vec<Document> = (0..300u16)
            .map(|i| Document {
                code: Some(100 + i),
                title: format!("{} {}", 100 + i, words[usize::from(i) * 7 % 3000]),
                body: (0..40)
                    .map(|k| words[(usize::from(i) * 40 + k) % 3000].as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                url: format!("/http-codes/{}/", 100 + i),
                ..Document::default()
            })
            .collect();
        let index = SearchIndex::open(crate::build_bundle(&docs).unwrap()).unwrap();
        let segment = &index.searcher().segment_readers()[0];
        let blocks = DecodedBlocks::default();
        let mut checked = 0;
        for field in [index.fields().title, index.fields().body] {
            let inverted = segment.inverted_index(field).unwrap();
            let mut stream = inverted.terms().stream().unwrap();
            let mut keys = Vec::new();
            while stream.advance() {
                keys.push(stream.key().to_vec());
            }
            assert!(
                inverted.terms().num_terms() > 500,
                "too few terms to span blocks"
            );
            for key in &keys {
                // The term, and keys just before and after it (absent).
                let mut after = key.clone();
                after.push(0);
                let before = &key[..key.len() - 1];
                for probe in [key.as_slice(), &after, before] {
                    let term = Term::from_field_bytes(field, probe);
                    let want = inverted.get_term_info(&term).unwrap();
                    assert_eq!(blocks.lookup(segment, &term).unwrap(), want, "{probe:?}");
                    checked += 1;
                }
            }
            // Past the last key and before the first.
            for probe in [&[0xff_u8, 0xff][..], b""] {
                let term = Term::from_field_bytes(field, probe);
                assert_eq!(blocks.lookup(segment, &term).unwrap(), None);
            }
        }
        assert!(checked > 3000, "{checked} lookups");
        let decoded = blocks.lock().len();
        assert!(decoded > 2, "{decoded} blocks: not several per field");
        // Looked up again, every block is decoded already.
        let term = Term::from_field_text(index.fields().title, &words[7]);
        assert!(blocks.lookup(segment, &term).unwrap().is_some());
        assert_eq!(blocks.lock().len(), decoded);
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
