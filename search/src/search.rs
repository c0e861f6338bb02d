//! Opening a bundle and answering queries.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tantivy::collector::{Collector, TopDocs};
use tantivy::directory::OwnedBytes;
use tantivy::postings::TermInfo;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper,
    DisjunctionMaxQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query,
    Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::termdict::{TermDictionary, TermStreamer};
use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentReader,
    TantivyDocument, Term,
};

use crate::bundle::open_index;
use crate::bundle::strip_code;
use crate::query::{parse_query, FilterKind, ParsedQuery};
use crate::schema::{self, content_stems, normalize_name, pair_key, weighted_text_fields, Fields};
use crate::terms::{CachedTermWeight, Statistics, TermInfos};
use crate::{Hit, Result, Status};

/// A `TermQuery` on a field that is indexed, as every field this crate queries is.
///
/// tantivy's own `TermQuery::weight` falls back to a range scan of the fast field when a
/// field is fast but not indexed. None of ours takes that branch, but it keeps tantivy's whole
/// columnar reader (every column type and codec, about a sixth of the wasm) in the browser's
/// download. This query goes straight to the term's postings, as `TermQuery` does for an
/// indexed field: same weight, same scores.
///
/// Its term info is read through the search's [`TermInfos`], so that the term is looked up in
/// the dictionary once per search however many weights and scorers ask for it (see
/// terms.rs).
#[derive(Clone, Debug)]
struct IndexedTermQuery {
    term: Term,
    record: IndexRecordOption,
    terms: Arc<TermInfos>,
}

impl IndexedTermQuery {
    fn new(term: Term, record: IndexRecordOption, terms: &Arc<TermInfos>) -> IndexedTermQuery {
        IndexedTermQuery {
            term,
            record,
            terms: Arc::clone(terms),
        }
    }
}

impl Query for IndexedTermQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CachedTermWeight::new(
            self.term.clone(),
            self.record,
            enable_scoring,
            Arc::clone(&self.terms),
        )?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// `searcher.search(query, collector)`, segment by segment on this thread, as tantivy's
/// `Searcher::search` does with its single-thread executor.
///
/// Going through tantivy's `Executor` keeps its thread-pool variant (rayon and crossbeam's
/// channels) in the browser's wasm, where no thread is ever started.
///
/// BM25's statistics come from `statistics` (the searcher's own numbers, see terms.rs).
fn search_here<C: Collector>(
    searcher: &Searcher,
    statistics: &dyn Bm25StatisticsProvider,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_statistics_provider(statistics, searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    collector.check_schema(searcher.schema())?;
    let fruits = searcher
        .segment_readers()
        .iter()
        .enumerate()
        .map(|(ord, reader)| collector.collect_segment(weight.as_ref(), ord as u32, reader))
        .collect::<tantivy::Result<Vec<_>>>()?;
    collector.merge_fruits(fruits)
}

/// Score added for a document whose code the query names (see [`ParsedQuery::codes`]) when
/// the query says little else: that code first.
const CODE_BOOST: f32 = 1000.0;
/// A word equal to a family entry's key (`1020`, `500.19`): that entry first, before the code
/// it arrives with (`500.19` names both the IIS entry and, as a sub-status, code 500).
const KEY_BOOST: f32 = 1500.0;
/// Score added for a named code when the query says much more besides (a pasted error page:
/// `400 Bad Request The plain HTTP request was sent to HTTPS port`): the rest decides.
const CODE_HINT_BOOST: f32 = 12.0;
/// Most query words besides the code and its reason phrase for [`CODE_BOOST`].
const MAX_WORDS_BESIDES_CODE: usize = 2;
/// Score added per word beyond the first of a run of consecutive query words that equals a
/// title, an alias or a keyword (`upstream timed out`).
const RUN_BOOST: f32 = 4.0;
/// Longest run of query words looked up as a phrase.
const MAX_RUN: usize = 8;
/// Weight of a pair of consecutive query words found in that order in a document's text.
const PAIR_WEIGHT: f32 = 1.5;
/// Factor on the score of a vendor's (unofficial) code: near ties go to the official code.
const VENDOR_FACTOR: f32 = 0.9;
/// [`VENDOR_FACTOR`] when no query word is the vendor's name: a reader who does not name
/// Twitter or cPanel asking about `api rate limit exceeded` wants the official 429 before
/// the vendor variants that mean the same, unless a variant matches much better.
const UNNAMED_VENDOR_FACTOR: f32 = 0.6;
/// A vendor's code counts as named when the query holds one of its names, aliases or
/// keywords of at least this many words (filler dropped) as a run: `The plain HTTP request
/// was sent to HTTPS port` names nginx's 497.
const NAMING_RUN: usize = 3;
/// Further factor on a content-family entry's score (a Cloudflare 1xxx error, an IIS
/// sub-status): a word query's near ties go to the HTTP code a reader can act on first; an
/// entry named by its key (`1020`) still comes first through [`KEY_BOOST`].
const ENTRY_FACTOR: f32 = 0.8;
/// Factor on a guide's score for a word query: a pasted log line or error text goes to the
/// code it means first, the guide that explains it right after.
const GUIDE_FACTOR: f32 = 0.5;
/// Results scoring below this share of the best one are left out: the list ends where the
/// scores fall off.
const RELATIVE_CUTOFF: f32 = 0.12;
/// A result matching less than this share of the query's words (by importance; a word
/// found only in the body counts half), with no code, name, phrase or word-pair match, is
/// noise.
const MIN_COVERAGE: f32 = 0.5;
/// A result whose title, aliases, vendor, keywords and description hold at least this share of the
/// query's words (by importance) is relevant whatever else it misses.
const MIN_NAMES_COVERAGE: f32 = 0.2;
/// Below this share of a rare title word's score, a result of a word query is noise (a
/// single word deep in a page's text).
const MIN_SCORE_SHARE: f32 = 0.05;
/// [`MIN_NAMES_COVERAGE`] for a query most of whose words no document holds.
const MIN_NAMES_COVERAGE_OFF_TOPIC: f32 = 0.5;
/// The least score of code, name, phrase and word-pair matches that makes a result relevant
/// whatever its share of the words.
const MIN_BONUS: f32 = 1.0;
/// [`MIN_BONUS`] for a query most of whose words no document holds (`kubernetes
/// CrashLoopBackOff`): a pair or a run of two of its words that some page holds (`back
/// off`) is chance; a code it names is not.
const MIN_BONUS_OFF_TOPIC: f32 = CODE_HINT_BOOST;
/// A query of at most this many words (filler dropped) is short: typed, not pasted.
const SHORT_QUERY_WORDS: usize = 3;
/// Score added when the whole query is a title, a name or an alias.
const EXACT_NAME_BOOST: f32 = 200.0;
/// Score added per title/alias field that contains the query words as a phrase.
const PHRASE_BOOST: f32 = 6.0;
/// Score of a code matching a code prefix (`52` → 520–529) when nothing else is asked.
const CODE_PREFIX_SCORE: f32 = 1.0;

/// Weight of a match by kind, times the field weight.
const EXACT_WEIGHT: f32 = 1.0;
const FUZZY1_WEIGHT: f32 = 0.55;
const FUZZY2_WEIGHT: f32 = 0.35;
/// Prefix completions weigh between these, more when the typed part is most of the word.
const PREFIX_MIN_WEIGHT: f32 = 0.5;
const PREFIX_MAX_WEIGHT: f32 = 0.85;
/// Most completions of a prefix kept per field (the most frequent ones).
const MAX_PREFIX_EXPANSIONS: usize = 24;
/// Most typo corrections kept per field (the closest, then most frequent, ones).
const MAX_FUZZY_EXPANSIONS: usize = 16;
/// Weight of a filler word's match, times its field weight (in a query made only of them).
const STOP_WORD_WEIGHT: f32 = 0.2;
/// Weight of a reader's word standing in for the site's word (`password` → `credentials`).
const SYNONYM_WEIGHT: f32 = 0.8;
/// Share of the other fields' scores added to a word's best field.
const TIE_BREAKER: f32 = 0.1;
/// Longest snippet, in bytes, before it is cut around the first match.
const SNIPPET_LEN: usize = 220;

/// Readers' words and the words the reference uses for them (matched by stem, weighed
/// [`SYNONYM_WEIGHT`]). Kept short: each line fixes a query readers actually type.
const SYNONYMS: &[(&[&str], &[&str])] = &[
    (
        &[
            "password",
            "credential",
            "login",
            "logged",
            "signin",
            "unauthenticated",
        ],
        &["unauthorized", "authentication", "credentials"],
    ),
    (
        &["permission", "denied", "forbid", "disallowed"],
        &["forbidden", "refuses"],
    ),
    (&["big", "huge"], &["large"]),
    (&["upload", "file"], &["content", "payload"]),
];

/// A query ready to run: the whole query, and each word's clause (to count the words a
/// document matches).
struct Built {
    query: Box<dyn Query>,
    /// Each word's clause and importance (inverse document frequency).
    words: Vec<(Box<dyn Query>, f32)>,
    /// Each word's exact (or synonym) matches in a title, alias, vendor, keyword or description, with the
    /// word's importance: the share of the words a document's names hold.
    name_words: Vec<(Box<dyn Query>, f32)>,
    highlight: BTreeSet<String>,
    /// Any query word in a document's vendor name: which vendors the query names.
    vendor_named: Box<dyn Query>,
    /// Any query word, exact or approximate, in a document's title, aliases, vendor,
    /// keywords or description: a document without is one that only mentions the words.
    in_any_name: Box<dyn Query>,

    /// Whether the query has words, so that weak results are noise to leave out.
    floor: bool,
    /// Whether at least half of the query's words are in no document (`git rebase
    /// interactive squash`, `how to center a div`): a result then needs most of the words in
    /// its names.
    off_topic: bool,
    /// Whether the query is short (at most [`SHORT_QUERY_WORDS`] typed words): each word is
    /// what the reader asks about, and a phrase of two of them is no proof of relevance.
    short: bool,
}

/// A search index opened from a bundle, ready to answer queries.
pub struct SearchIndex {
    #[allow(dead_code)]
    index: Index,
    #[allow(dead_code)]
    reader: IndexReader,
    searcher: Searcher,
    fields: Fields,
    analyzer: TextAnalyzer,
    /// [`SYNONYMS`] as stems.
    synonyms: Vec<(Vec<String>, Vec<String>)>,
    /// The term infos the current search has looked up (see terms.rs).
    terms: Arc<TermInfos>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("num_docs", &self.num_docs())
            .finish_non_exhaustive()
    }
}

/// One query token: the typed text and its stem.
#[derive(Debug, Clone)]
struct Token {
    raw: String,
    stem: String,
    prefix: bool,
    /// A filler word (the query has nothing else): weighs little, never expanded.
    stop: bool,
    /// Index of its word in [`ParsedQuery::words`].
    word: usize,
}

/// The terms a token expands to, per field, with their match weight.
type Expansions = BTreeMap<(Field, String), f32>;

impl SearchIndex {
    /// Opens a bundle written by [`build_bundle`](crate::build_bundle).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBundle`](crate::Error::InvalidBundle) for bytes that are not a bundle,
    /// [`Error::SchemaMismatch`](crate::Error::SchemaMismatch) for a bundle of another version.
    pub fn open(bundle: Vec<u8>) -> Result<Self> {
        Self::open_bytes(OwnedBytes::new(bundle))
    }

    /// Like [`SearchIndex::open`], over bytes already in an [`OwnedBytes`] (no copy).
    ///
    /// # Errors
    ///
    /// As [`SearchIndex::open`].
    pub fn open_bytes(bundle: OwnedBytes) -> Result<Self> {
        let (index, schema) = open_index(bundle)?;
        Self::from_index(index, &schema)
    }

    /// Searches `index` (opened by the bundle or chunk code, analyzers registered).
    pub(crate) fn from_index(index: Index, schema: &tantivy::schema::Schema) -> Result<Self> {
        let fields = Fields::from_schema(schema)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut index = SearchIndex {
            index,
            reader,
            searcher,
            fields,
            analyzer: schema::text_analyzer(),
            synonyms: Vec::new(),
            terms: Arc::default(),
        };
        let stems = |words: &[&str]| -> Vec<String> {
            words
                .iter()
                .flat_map(|w| index.tokens(w))
                .map(|(_, stem)| stem)
                .collect()
        };
        let synonyms = SYNONYMS
            .iter()
            .map(|(from, to)| (stems(from), stems(to)))
            .collect();
        index.synonyms = synonyms;
        Ok(index)
    }

    /// BM25's statistics with the document frequencies of this search's [`TermInfos`].
    fn statistics(&self) -> Statistics<'_> {
        Statistics {
            searcher: &self.searcher,
            terms: &self.terms,
        }
    }

    /// The words a query word `stem` also looks up, in every field but the body.
    pub(crate) fn synonyms_of<'a>(&'a self, stem: &'a str) -> impl Iterator<Item = &'a String> {
        self.synonyms
            .iter()
            .filter(move |(from, _)| from.iter().any(|f| f == stem))
            .flat_map(|(_, to)| to)
    }

    /// The term infos of this index's searches, and its decoded dictionary blocks (terms.rs).
    pub(crate) fn term_infos(&self) -> &TermInfos {
        &self.terms
    }

    /// The searcher every query runs on (for chunks.rs's predictions).
    pub(crate) fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// The schema's fields (for chunks.rs's predictions).
    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Number of documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Runs a few representative queries so that the first real one is fast (typo automata
    /// are built once, on first use).
    ///
    /// # Errors
    ///
    /// As [`SearchIndex::search`].
    pub fn warm_up(&self) -> Result<()> {
        // The typo automata first: over a split index the queries below stop at the first
        // chunk not loaded yet, and the automata do not depend on what the index holds.
        let term = Term::from_field_text(self.fields.title, "warm");
        FuzzyTermQuery::new(term.clone(), 1, true).automaton()?;
        FuzzyTermQuery::new(term.clone(), 2, true).automaton()?;
        FuzzyTermQuery::new_prefix(term, 1, true).automaton()?;
        self.search("gatway timout internl", 1)?;
        self.search("5xx vendor:x is:official 52 404 not fou", 1)?;
        Ok(())
    }

    /// Opens every indexed field's term dictionary in every segment: what each query reads
    /// before its first term (the dictionaries' footers and block indexes), and what the head
    /// of a split index holds (chunks.rs).
    ///
    /// # Errors
    ///
    /// As [`SearchIndex::search`].
    pub fn open_fields(&self) -> Result<()> {
        let schema = self.searcher.schema();
        for segment in self.searcher.segment_readers() {
            for (field, entry) in schema.fields() {
                if entry.is_indexed() {
                    segment.inverted_index(field)?;
                }
            }
        }
        Ok(())
    }

    /// Answers `query` (see the crate docs for the syntax) with at most `limit` hits, best
    /// first.
    ///
    /// # Errors
    ///
    /// [`Error::Tantivy`](crate::Error::Tantivy) if the index cannot be read.
    ///
    /// `limit` may be anything (the browser and the CLI pass what they are given): the
    /// collector is sized by the number of documents at most, never by `limit` alone.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let parsed = parse_query(query);
        // Tantivy's top-N collector allocates room for about twice its limit up front.
        let limit = limit.min(usize::try_from(self.num_docs()).unwrap_or(usize::MAX));
        if parsed.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        // Each term is looked up in its dictionary once per search (see terms.rs).
        self.terms.clear();
        let built = self.build_query(&parsed)?;
        let statistics = self.statistics();
        let scoring = EnableScoring::enabled_from_statistics_provider(&statistics, &self.searcher);
        let weights = |clauses: &[(Box<dyn Query>, f32)]| {
            clauses
                .iter()
                .map(|(q, importance)| Ok((q.weight(scoring)?, *importance)))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let word_weights = weights(&built.words)?;
        let name_weights = weights(&built.name_words)?;
        let vendor_named = built
            .vendor_named
            .weight(EnableScoring::disabled_from_searcher(&self.searcher))?;
        let in_any_name = built
            .in_any_name
            .weight(EnableScoring::disabled_from_searcher(&self.searcher))?;

        let unofficial = Term::from_field_text(self.fields.flags, "unofficial");
        let entry = Term::from_field_text(self.fields.flags, "entry");
        let guide = Term::from_field_text(self.fields.flags, "guide");
        let collector = TopDocs::with_limit(limit).tweak_score(coordinator(
            Arc::new(word_weights),
            Arc::new(name_weights),
            Arc::from(vendor_named),
            Arc::from(in_any_name),
            KindTerms {
                unofficial,
                entry,
                guide,
            },
            Floor {
                words_asked: built.floor,
                min_names_coverage: if built.off_topic {
                    MIN_NAMES_COVERAGE_OFF_TOPIC
                } else {
                    MIN_NAMES_COVERAGE
                },
                min_bonus: if built.off_topic || built.short {
                    MIN_BONUS_OFF_TOPIC
                } else {
                    MIN_BONUS
                },
            },
        ));
        // With an index split into chunks, find every chunk the search reads in one pass
        // (see chunks.rs); a no-op otherwise.
        crate::chunks::prefetch_postings(&self.searcher, &self.terms, &*built.query);
        let top = search_here(&self.searcher, &statistics, &*built.query, &collector)?;
        let best = top.first().map_or(0.0, |((score, _), _)| *score);
        let min_score = self.min_score();
        let mut hits = Vec::with_capacity(top.len());
        // Every hit is read even after one fails, so that a split index learns all the
        // document chunks it lacks at once; the first error is returned.
        let mut failed = None;
        for ((score, _), address) in top {
            if built.floor && (score < min_score || score < best * RELATIVE_CUTOFF) {
                break;
            }
            match self.hit(address, score, &built.highlight) {
                Ok(hit) => hits.push(hit),
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(hits),
        }
    }

    /// The least score of a relevant result of a word query: [`MIN_SCORE_SHARE`] of what a
    /// word found in one title scores (BM25 scales with the number of documents).
    fn min_score(&self) -> f32 {
        let docs = self.num_docs() as f32;
        let rare_word = (1.0 + (docs - 0.5).max(0.0) / 1.5).ln();
        let title_weight = weighted_text_fields(&self.fields)[0].1;
        MIN_SCORE_SHARE * title_weight * rare_word
    }

    /// Tokenizes `text` with the index's analyzer: (raw lowercase text, stem) per token.
    fn tokens(&self, text: &str) -> Vec<(String, String)> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            let raw = text
                .get(token.offset_from..token.offset_to)
                .unwrap_or(&token.text)
                .to_lowercase();
            out.push((raw, token.text.clone()));
        }
        out
    }

    fn query_tokens(&self, parsed: &ParsedQuery) -> Vec<Token> {
        let mut tokens = Vec::new();
        for (word_index, word) in parsed.words.iter().enumerate() {
            for (raw, stem) in self.tokens(word) {
                tokens.push(Token {
                    raw,
                    stem,
                    prefix: false,
                    stop: parsed.only_filler,
                    word: word_index,
                });
            }
        }
        if parsed.last_word_is_prefix {
            if let Some(last) = tokens.last_mut() {
                last.prefix = true;
            }
        }
        tokens
    }

    /// The exact, prefix and typo expansions of `token` in every searched field.
    ///
    /// Also returns the largest document frequency among the expansions (how common the word
    /// is), for its importance in coordination.
    fn expand(&self, token: &Token) -> Result<(Expansions, u32)> {
        let mut out = Expansions::new();
        let mut max_doc_freq = 0u32;
        let stop = token.stop;
        let chars = token.raw.chars().count().min(token.stem.chars().count());
        let distance: u8 = if stop || token.raw.bytes().any(|b| b.is_ascii_digit()) {
            0
        } else if chars >= 8 {
            2
        } else if chars >= 4 {
            1
        } else {
            0
        };
        let prefix = token.prefix && !stop;
        let synonyms: Vec<&String> = self.synonyms_of(&token.stem).collect();
        let names = [
            self.fields.title,
            self.fields.aliases,
            self.fields.vendor,
            self.fields.keywords,
        ];
        // Exact, synonyms and completions, in every field.
        let mut names_matched = false;
        for (field, _) in weighted_text_fields(&self.fields) {
            let approximate = field != self.fields.body;
            for segment in self.searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let dict = inverted.terms();
                let exact = Term::from_field_text(field, &token.stem);
                if let Some(info) = self.terms.get(segment, &exact)? {
                    max_doc_freq = max_doc_freq.max(info.doc_freq);
                    bump(&mut out, field, &token.stem, EXACT_WEIGHT);
                    names_matched |= names.contains(&field);
                }
                if !approximate || stop {
                    continue;
                }
                for synonym in &synonyms {
                    let term = Term::from_field_text(field, synonym);
                    if let Some(info) = self.terms.get(segment, &term)? {
                        max_doc_freq = max_doc_freq.max(info.doc_freq);
                        bump(&mut out, field, synonym, SYNONYM_WEIGHT);
                    }
                }
                if prefix {
                    let mut stream = terms_starting_with(dict, token.raw.as_bytes())?;
                    let mut found: Vec<(u32, String, TermInfo)> = Vec::new();
                    while stream.advance() {
                        if let Ok(term) = std::str::from_utf8(stream.key()) {
                            let info = stream.value().clone();
                            found.push((info.doc_freq, term.to_string(), info));
                        }
                    }
                    names_matched |= !found.is_empty() && names.contains(&field);
                    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                    for (doc_freq, term, info) in found.into_iter().take(MAX_PREFIX_EXPANSIONS) {
                        self.terms.insert(
                            segment.segment_id(),
                            Term::from_field_text(field, &term),
                            Some(info),
                        );
                        max_doc_freq = max_doc_freq.max(doc_freq);
                        let share = token.raw.len() as f32 / term.len().max(1) as f32;
                        let weight =
                            PREFIX_MIN_WEIGHT + (PREFIX_MAX_WEIGHT - PREFIX_MIN_WEIGHT) * share;
                        bump(&mut out, field, &term, weight);
                    }
                }
            }
        }
        // Typos: only for words no title, alias, vendor or keyword has, and only in those
        // fields (names are what readers misspell; scanning every field's terms with an
        // automaton is the slowest part of a query).
        if names_matched || stop {
            return Ok((out, max_doc_freq));
        }
        let fuzzy = if distance > 0 {
            let term = Term::from_field_text(self.fields.title, &token.stem);
            Some(FuzzyTermQuery::new(term, distance, true).automaton()?)
        } else {
            None
        };
        let fuzzy_prefix = if prefix && chars >= 5 {
            let term = Term::from_field_text(self.fields.title, &token.raw);
            Some(FuzzyTermQuery::new_prefix(term, 1, true).automaton()?)
        } else {
            None
        };
        if fuzzy.is_none() && fuzzy_prefix.is_none() {
            return Ok((out, max_doc_freq));
        }
        for field in names {
            for segment in self.searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let dict = inverted.terms();
                let mut found: Vec<(u8, u32, String, TermInfo)> = Vec::new();
                if let Some(dfa) = &fuzzy {
                    let mut stream = corrections(dict, dfa, &token.stem)?;
                    while stream.advance() {
                        if let Ok(term) = std::str::from_utf8(stream.key()) {
                            let d = osa_distance(&token.stem, term);
                            let info = stream.value().clone();
                            found.push((d, info.doc_freq, term.to_string(), info));
                        }
                    }
                }
                if let Some(dfa) = &fuzzy_prefix {
                    let mut stream = corrections(dict, dfa, &token.stem)?;
                    while stream.advance() {
                        if let Ok(term) = std::str::from_utf8(stream.key()) {
                            // A typo in the part typed so far: one edit, weighed like a
                            // two-edit correction since the word is unfinished.
                            let info = stream.value().clone();
                            found.push((2, info.doc_freq, term.to_string(), info));
                        }
                    }
                }
                // A correction keeps the first letter: readers rarely mistype it, and a word
                // that differs there is another word (`bread` is not a typo of `read`).
                let first = token.stem.chars().next();
                found.retain(|(_, _, term, _)| term.chars().next() == first);
                found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
                for (d, doc_freq, term, info) in found.into_iter().take(MAX_FUZZY_EXPANSIONS) {
                    self.terms.insert(
                        segment.segment_id(),
                        Term::from_field_text(field, &term),
                        Some(info),
                    );
                    max_doc_freq = max_doc_freq.max(doc_freq);
                    let weight = match d {
                        0 => EXACT_WEIGHT,
                        1 => FUZZY1_WEIGHT,
                        _ => FUZZY2_WEIGHT,
                    };
                    bump(&mut out, field, &term, weight);
                }
            }
        }
        Ok((out, max_doc_freq))
    }

    fn build_query(&self, parsed: &ParsedQuery) -> Result<Built> {
        let f = &self.fields;
        let field_weights: BTreeMap<Field, f32> = weighted_text_fields(f).into_iter().collect();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut words: Vec<(Box<dyn Query>, f32)> = Vec::new();
        let mut highlight = BTreeSet::new();

        let names = [f.title, f.aliases, f.vendor, f.keywords, f.description];
        let mut name_words: Vec<(Box<dyn Query>, f32)> = Vec::new();
        let mut any_name_terms: Vec<Term> = Vec::new();
        let tokens = self.query_tokens(parsed);
        // The query's words as the reader typed them (an identifier is one), and those of
        // them that some document holds.
        let part_of = |token: &Token| parsed.word_parts.get(token.word).copied();
        let typed: BTreeSet<Option<usize>> = tokens.iter().map(part_of).collect();
        let mut known: BTreeSet<Option<usize>> = BTreeSet::new();
        // How many words share a token's typed word: the words of one identifier
        // (`CrashLoopBackOff`) together count about as much as one typed word.
        let part_share = |token: &Token| {
            tokens
                .iter()
                .filter(|t| !t.stop && part_of(t) == part_of(token))
                .count()
                .max(1)
        };
        // A vendor is named by its name, by the key of one of its entries (`502.5`), or by a
        // long run of words one of its names holds (see [`NAMING_RUN`]).
        let mut naming_terms: Vec<Term> = tokens
            .iter()
            .filter(|t| !t.stop)
            .map(|t| Term::from_field_text(f.vendor, &t.stem))
            .chain(parsed.keys.iter().map(|k| Term::from_field_text(f.key, k)))
            .collect();
        for token in &tokens {
            let (expansions, doc_freq) = self.expand(token)?;
            if !token.stop {
                highlight.extend(expansions.keys().map(|(_, t)| t.clone()));
            }
            if expansions.is_empty() {
                // A word nothing holds still counts as a word the documents miss: a query
                // of words the reference does not use has no relevant result.
                if !token.stop {
                    // Half a rare word's weight in a pasted line, which has tokens no page
                    // holds (`AH00124`, `epoll_wait`) that say little; a whole one in a short
                    // query, where each word is what the reader asks about (`center a div`,
                    // `kubernetes CrashLoopBackOff`).
                    let share = if typed.len() <= SHORT_QUERY_WORDS {
                        1.0
                    } else {
                        0.5
                    };
                    let idf = share * (1.0 + self.num_docs() as f32).ln();
                    words.push((Box::new(EmptyQuery), idf));
                    name_words.push((Box::new(EmptyQuery), idf));
                }
                continue;
            }
            known.insert(part_of(token));
            let stop = token.stop;
            if !stop {
                any_name_terms.extend(
                    expansions
                        .keys()
                        .filter(|(field, _)| names.contains(field))
                        .map(|(field, term)| Term::from_field_text(*field, term)),
                );
            }
            let in_names: Vec<Box<dyn Query>> = expansions
                .iter()
                .filter(|((field, _), weight)| **weight >= SYNONYM_WEIGHT && names.contains(field))
                .map(|((field, term), _)| {
                    Box::new(IndexedTermQuery::new(
                        Term::from_field_text(*field, term),
                        IndexRecordOption::Basic,
                        &self.terms,
                    )) as Box<dyn Query>
                })
                .collect();

            let disjuncts: Vec<Box<dyn Query>> = expansions
                .into_iter()
                .map(|((field, term), weight)| {
                    let q = IndexedTermQuery::new(
                        Term::from_field_text(field, &term),
                        IndexRecordOption::WithFreqs,
                        &self.terms,
                    );
                    let weight =
                        weight * field_weights[&field] * if stop { STOP_WORD_WEIGHT } else { 1.0 };
                    Box::new(BoostQuery::new(Box::new(q), weight)) as Box<dyn Query>
                })
                .collect();
            let clause: Box<dyn Query> = Box::new(DisjunctionMaxQuery::with_tie_breaker(
                disjuncts,
                TIE_BREAKER,
            ));
            // A namespace's word (`ActiveRecord::`) scores and counts less.
            let word_weight = parsed.word_weight(token.word);
            let clause: Box<dyn Query> = if word_weight < 1.0 {
                Box::new(BoostQuery::new(clause, word_weight))
            } else {
                clause
            };
            // Filler words score but do not count as words to match.
            if !stop {
                let idf = word_weight
                    * (1.0 + self.num_docs() as f32 / (1.0 + doc_freq as f32)).ln()
                    / part_share(token) as f32;
                words.push((clause.box_clone(), idf));
                name_words.push((Box::new(BooleanQuery::union(in_names)), idf));
            }
            // A query of filler words only finds a name made of them (`this is fine`).
            if !stop {
                should.push((Occur::Should, clause));
            }
        }

        // The whole text part as a phrase in a title or an alias.
        let stems: Vec<&str> = tokens.iter().map(|t| t.stem.as_str()).collect();
        if stems.len() >= 2 {
            for field in [f.title, f.aliases] {
                let terms = stems
                    .iter()
                    .map(|s| Term::from_field_text(field, s))
                    .collect();
                should.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(
                        Box::new(PhraseQuery::new(terms)),
                        PHRASE_BOOST,
                    )),
                ));
            }
        }
        // Runs of consecutive words that are a name, an alias or a keyword; pairs of
        // consecutive words the text holds in that order.
        if !parsed.only_filler {
            let mut runs: Vec<Box<dyn Query>> = Vec::new();
            let names = self.phrase_keys(&stems)?;
            for start in 0..stems.len() {
                for len in 2..=MAX_RUN.min(stems.len() - start) {
                    let key = stems[start..start + len].join(" ");
                    // A run no name holds would match nothing.
                    if names.as_ref().is_some_and(|names| !names.contains(&key)) {
                        continue;
                    }
                    if len >= NAMING_RUN {
                        naming_terms.push(Term::from_field_text(f.phrases, &key));
                    }
                    runs.push(Box::new(ConstScoreQuery::new(
                        Box::new(IndexedTermQuery::new(
                            Term::from_field_text(f.phrases, &key),
                            IndexRecordOption::Basic,
                            &self.terms,
                        )),
                        RUN_BOOST * (len - 1) as f32,
                    )));
                }
            }
            should.extend(runs.into_iter().map(|q| (Occur::Should, q)));
            for pair in stems.windows(2) {
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(IndexedTermQuery::new(
                            Term::from_field_text(f.pairs, &pair_key(pair[0], pair[1])),
                            IndexRecordOption::Basic,
                            &self.terms,
                        )),
                        PAIR_WEIGHT,
                    )),
                ));
            }
        }
        // The whole query is a name.
        let name = normalize_name(&parsed.name);
        if !name.is_empty() && !parsed.words.is_empty() {
            should.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(IndexedTermQuery::new(
                        Term::from_field_text(f.name_exact, &name),
                        IndexRecordOption::Basic,
                        &self.terms,
                    )),
                    EXACT_NAME_BOOST,
                )),
            ));
        }
        let (mut codes, besides) = self.named_codes(parsed, &tokens)?;
        let mut placed = parsed.placed_codes.clone();
        // A log line of columns: its first column that is a known code is its status.
        for &code in &parsed.column_codes {
            let term = Term::from_field_text(f.code_text, &code.to_string());
            if self.statistics().doc_freq(&term)? > 0 {
                placed.push(code);
                if !codes.contains(&code) {
                    codes.push(code);
                }
                break;
            }
        }
        for code in &codes {
            // A code written where a status stands names it however long the line.
            let code_boost = if besides <= MAX_WORDS_BESIDES_CODE || placed.contains(code) {
                CODE_BOOST
            } else {
                CODE_HINT_BOOST
            };
            should.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(IndexedTermQuery::new(
                        Term::from_field_text(f.code_text, &code.to_string()),
                        IndexRecordOption::Basic,
                        &self.terms,
                    )),
                    code_boost,
                )),
            ));
        }

        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !parsed.code_prefixes.is_empty() {
            let prefixes: Vec<(Occur, Box<dyn Query>)> = parsed
                .code_prefixes
                .iter()
                .map(|p| {
                    let term = Term::from_field_text(f.code_text, p);
                    (
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(
                            Box::new(FuzzyTermQuery::new_prefix(term, 0, false)),
                            CODE_PREFIX_SCORE,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
            let prefixes = Box::new(BooleanQuery::new(prefixes));
            if should.is_empty() {
                should.push((Occur::Should, prefixes));
            } else {
                // With words, `5xx timeout` restricts the words to the class.
                must.push((Occur::Must, Box::new(ConstScoreQuery::new(prefixes, 0.0))));
            }
        }

        // Family keys (`1020`, `500.19`, `0`): that entry first. A key that exists makes a
        // one- or two-digit word (`status 0`) a key rather than a code range to restrict to.
        let mut known_key = false;
        let mut keys = parsed.keys.clone();
        for (key, neighbours) in &parsed.keys_if_vendor {
            if self.names_a_vendor(neighbours)? && !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        for key in &keys {
            let term = Term::from_field_text(f.key, key);
            known_key |= self.statistics().doc_freq(&term)? > 0;
            should.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(IndexedTermQuery::new(
                        term,
                        IndexRecordOption::Basic,
                        &self.terms,
                    )),
                    KEY_BOOST,
                )),
            ));
        }
        if known_key {
            if let Some(at) = must.iter().position(|(occur, _)| *occur == Occur::Must) {
                let (_, prefixes) = must.remove(at);
                should.push((Occur::Should, prefixes));
            }
        }

        // Filters: alternatives within a kind, all kinds must hold.
        let mut by_kind: BTreeMap<FilterKind, Vec<Box<dyn Query>>> = BTreeMap::new();
        for filter in &parsed.filters {
            let q = self.filter_query(filter.kind, &filter.value);
            if filter.negated {
                must.push((Occur::MustNot, q));
            } else {
                by_kind.entry(filter.kind).or_default().push(q);
            }
        }
        for (_, alternatives) in by_kind {
            let any = BooleanQuery::new(
                alternatives
                    .into_iter()
                    .map(|q| (Occur::Should, q))
                    .collect(),
            );
            must.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(any), 0.0)),
            ));
        }

        let main: Box<dyn Query> = if should.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(should))
        };
        let query: Box<dyn Query> = if must.is_empty() {
            main
        } else {
            must.push((Occur::Must, main));
            Box::new(BooleanQuery::new(must))
        };
        let vendor_named = self.any_term(naming_terms);
        Ok(Built {
            query,
            words,
            name_words,
            highlight,
            vendor_named,
            in_any_name: self.any_term(any_name_terms),
            floor: !tokens.is_empty(),
            short: typed.len() <= SHORT_QUERY_WORDS,
            off_topic: (typed.len() - known.len()) * 2 >= typed.len(),
        })
    }

    /// The runs of consecutive `stems` (two to [`MAX_RUN`] of them) that are a term of the
    /// `phrases` field (a name, an alias or a keyword), their term infos recorded in
    /// [`TermInfos`].
    ///
    /// One range of the dictionary per first word (the terms starting with it and a space)
    /// rather than one lookup per run: a pasted line of twenty words has about 130 runs, and
    /// each lookup decodes a block of the dictionary.
    ///
    /// `None` when a range cannot be read (a split index's chunk not loaded yet): every run
    /// then stays in the query, whose own lookups fail alike, so that the search still goes
    /// on to name the postings it needs in the same round (see chunks.rs).
    fn phrase_keys(&self, stems: &[&str]) -> Result<Option<BTreeSet<String>>> {
        let mut wanted: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for start in 0..stems.len() {
            for len in 2..=MAX_RUN.min(stems.len() - start) {
                wanted
                    .entry(stems[start])
                    .or_default()
                    .insert(stems[start..start + len].join(" "));
            }
        }
        let mut found = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.phrases)?;
            for (first, keys) in &wanted {
                let prefix = format!("{first} ");
                let Ok(mut stream) = terms_starting_with(inverted.terms(), prefix.as_bytes())
                else {
                    return Ok(None);
                };
                while stream.advance() {
                    let Ok(key) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if keys.contains(key) {
                        self.terms.insert(
                            segment.segment_id(),
                            Term::from_field_text(self.fields.phrases, key),
                            Some(stream.value().clone()),
                        );
                        found.insert(key.to_string());
                    }
                }
            }
        }
        Ok(Some(found))
    }

    /// The codes the query names: [`ParsedQuery::codes`], and each of
    /// [`ParsedQuery::code_candidates`] that has its reason phrase right before or after it
    /// (`400 Bad Request`, `Not Found 404`). Also returns how many query words are neither
    /// those numbers nor their reason phrases.
    fn named_codes(&self, parsed: &ParsedQuery, tokens: &[Token]) -> Result<(Vec<u16>, usize)> {
        let stems: Vec<&str> = tokens.iter().map(|t| t.stem.as_str()).collect();
        let position = |word: usize| tokens.iter().position(|t| t.word == word);
        let mut covered = BTreeSet::new();
        let mut codes = parsed.codes.clone();
        let numbered = parsed
            .codes
            .iter()
            .map(|&c| {
                let at = tokens.iter().position(|t| t.raw == c.to_string());
                (at, c, true)
            })
            .chain(
                parsed
                    .code_candidates
                    .iter()
                    .map(|&(word, c)| (position(word), c, false)),
            );
        for (at, code, named) in numbered {
            let Some(at) = at else {
                continue;
            };
            let mut phrase = None;
            for title in self.titles_of(code)? {
                let name = content_stems(strip_code(&title, Some(code)));
                if name.is_empty() {
                    continue;
                }
                let n = name.len();
                let after = stems.get(at + 1..at + 1 + n);
                let before = at.checked_sub(n).and_then(|s| stems.get(s..at));
                if after.is_some_and(|w| w.iter().eq(name.iter())) {
                    phrase = Some(at + 1..at + 1 + n);
                } else if before.is_some_and(|w| w.iter().eq(name.iter())) {
                    phrase = Some(at - n..at);
                }
                if phrase.is_some() {
                    break;
                }
            }
            if named || phrase.is_some() {
                covered.insert(at);
                covered.extend(phrase.into_iter().flatten());
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
        }
        let besides = tokens.len() - covered.len().min(tokens.len());
        Ok((codes, besides))
    }

    /// Whether one of `words` is a word of a vendor's name (`cloudflare`, `iis`): a number
    /// next to it may be one of the vendor's entry keys.
    fn names_a_vendor(&self, words: &[String]) -> Result<bool> {
        for word in words {
            for (_, stem) in self.tokens(word) {
                let term = Term::from_field_text(self.fields.vendor, &stem);
                if self.statistics().doc_freq(&term)? > 0 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Matches the documents holding any of `terms` (unscored: a filter).
    fn any_term(&self, terms: impl IntoIterator<Item = Term>) -> Box<dyn Query> {
        Box::new(BooleanQuery::union(
            terms
                .into_iter()
                .map(|term| {
                    Box::new(IndexedTermQuery::new(
                        term,
                        IndexRecordOption::Basic,
                        &self.terms,
                    )) as Box<dyn Query>
                })
                .collect(),
        ))
    }

    /// The titles of the documents of `code`, sorted: read from the `code_titles`
    /// dictionary alone (a split index fetches no document for them).
    fn titles_of(&self, code: u16) -> Result<Vec<String>> {
        let mut titles = Vec::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.code_titles)?;
            each_code_title(inverted.terms(), code, |t| titles.push(t.to_string()))?;
        }
        titles.sort();
        titles.dedup();
        Ok(titles)
    }

    fn filter_query(&self, kind: FilterKind, value: &str) -> Box<dyn Query> {
        let f = &self.fields;
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(IndexedTermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
                &self.terms,
            ))
        };
        match kind {
            FilterKind::Class => {
                let value = if value.len() == 1 && value.as_bytes()[0].is_ascii_digit() {
                    format!("{value}xx")
                } else {
                    value.to_string()
                };
                exact(f.class, &value)
            }
            FilterKind::Is => exact(f.flags, value),
            FilterKind::Vendor => {
                let words: Vec<(Occur, Box<dyn Query>)> = self
                    .tokens(value)
                    .into_iter()
                    .map(|(_, stem)| (Occur::Must, exact(f.vendor, &stem)))
                    .collect();
                if words.is_empty() {
                    Box::new(EmptyQuery)
                } else {
                    Box::new(BooleanQuery::new(words))
                }
            }
        }
    }

    fn hit(&self, address: DocAddress, score: f32, terms: &BTreeSet<String>) -> Result<Hit> {
        let f = &self.fields;
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let text = |field: Field| -> String {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let code = doc
            .get_first(f.code)
            .and_then(|v| v.as_u64())
            .and_then(|c| u16::try_from(c).ok());
        let title = text(f.title);
        let status = text(f.status);
        let vendor = Some(text(f.vendor)).filter(|v| !v.is_empty());
        let mut source = text(f.description);
        if source.trim().is_empty() {
            source = text(f.excerpt);
        }
        let (snippet, highlights) = self.snippet(&source, terms);
        let key = Some(text(f.key)).filter(|k| !k.is_empty());
        let http_status = doc
            .get_first(f.http_status)
            .and_then(|v| v.as_u64())
            .and_then(|c| u16::try_from(c).ok());
        let family = Some(text(f.family)).filter(|k| !k.is_empty());
        Ok(Hit {
            code,
            badge: family
                .clone()
                .unwrap_or_else(|| badge(&status, vendor.as_deref())),
            key,
            http_status,
            family,
            title,
            url: text(f.url),
            score,
            class: text(f.class),
            status,
            vendor,
            snippet,
            highlights,
        })
    }

    /// The snippet for `source`: shortened around the first match when long, with the byte
    /// ranges of the matched words.
    fn snippet(&self, source: &str, terms: &BTreeSet<String>) -> (String, Vec<[u32; 2]>) {
        // Only words starting like a matched term are stemmed (stemming keeps the first two
        // letters): most of a snippet is skipped cheaply.
        let starts: BTreeSet<String> = terms.iter().map(|t| t.chars().take(2).collect()).collect();
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let ranges = |text: &str| -> Vec<[u32; 2]> {
            let mut tokenizer = SimpleTokenizer::default();
            let mut stream = tokenizer.token_stream(text);
            let mut out: Vec<[u32; 2]> = Vec::new();
            while let Some(token) = stream.next() {
                if token.text.len() > 40 {
                    continue;
                }
                let lower = token.text.to_lowercase();
                let start: String = lower.chars().take(2).collect();
                if !starts.contains(&start) || !terms.contains(stemmer.stem(&lower).as_ref()) {
                    continue;
                }
                let (from, to) = (token.offset_from as u32, token.offset_to as u32);
                match out.last_mut() {
                    Some(last) if last[1] == from => last[1] = to,
                    _ => out.push([from, to]),
                }
            }
            out
        };
        let all = ranges(source);
        if source.len() <= SNIPPET_LEN {
            return (source.to_string(), all);
        }
        let first = all.first().map_or(0, |r| r[0] as usize);
        let mut start = first.saturating_sub(SNIPPET_LEN / 4);
        if start > 0 {
            // Start at a word.
            start = source[..start]
                .rfind(char::is_whitespace)
                .map_or(0, |i| i + 1);
        }
        let mut end = (start + SNIPPET_LEN).min(source.len());
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        if end < source.len() {
            end = source[..end].rfind(char::is_whitespace).unwrap_or(end);
        }
        let mut snippet = String::new();
        if start > 0 {
            snippet.push('…');
        }
        snippet.push_str(source[start..end].trim_end());
        if end < source.len() {
            snippet.push('…');
        }
        let ranges = ranges(&snippet);
        (snippet, ranges)
    }
}

/// The sort key of a matching document: its score with the words' share scaled by the share
/// of the words it matches and by that share again with words found only in its body counted
/// half, each word counting by its importance (coordination: a page naming the query's words
/// in its title, aliases or keywords beats one that only mentions them), and its doc id for
/// stable ties (docs are indexed in code order).
type WordWeights = Arc<Vec<(Box<dyn Weight>, f32)>>;
/// Computes a document's sort key within one segment.
type DocSortKey = Box<dyn Fn(DocId, Score) -> (Score, Reverse<DocId>)>;

fn coordinator(
    word_weights: WordWeights,
    name_weights: WordWeights,
    vendor_named: Arc<dyn Weight>,
    in_any_name: Arc<dyn Weight>,
    kinds: KindTerms,
    floor: Floor,
) -> impl Fn(&SegmentReader) -> DocSortKey + Send + Sync {
    move |segment: &SegmentReader| {
        let KindTerms {
            unofficial,
            entry,
            guide,
        } = &kinds;
        let scorers: Vec<(Box<dyn Scorer>, f32)> = word_weights
            .iter()
            .filter_map(|(w, importance)| Some((w.scorer(segment, 1.0).ok()?, *importance)))
            .collect();
        let total: f32 = word_weights.iter().map(|(_, importance)| importance).sum();
        let Floor {
            words_asked,
            min_names_coverage,
            min_bonus,
        } = floor;
        let (vendor, entries, guides) = if words_asked {
            (
                docs_with(segment, unofficial),
                docs_with(segment, entry),
                docs_with(segment, guide),
            )
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        let scorers = RefCell::new(scorers);
        let name_scorers: Vec<(Box<dyn Scorer>, f32)> = name_weights
            .iter()
            .filter_map(|(w, importance)| Some((w.scorer(segment, 1.0).ok()?, *importance)))
            .collect();
        let name_scorers = RefCell::new(name_scorers);
        let vendor_scorer = RefCell::new(vendor_named.scorer(segment, 1.0).ok());
        let name_scorer = RefCell::new(in_any_name.scorer(segment, 1.0).ok());

        Box::new(move |doc: DocId, score: Score| {
            let flagged = |docs: &Vec<bool>| docs.get(doc as usize).copied().unwrap_or(false);
            let (vendor, entry, guide) = (flagged(&vendor), flagged(&entries), flagged(&guides));
            let vendor_factor = if (vendor || entry) && !guide {
                let named = vendor_scorer
                    .borrow_mut()
                    .as_mut()
                    .is_some_and(|s| at_doc(s.as_mut(), doc));
                if named {
                    VENDOR_FACTOR
                } else {
                    UNNAMED_VENDOR_FACTOR
                }
            } else {
                1.0
            };
            let factor = match (vendor, entry, guide) {
                (_, _, true) => GUIDE_FACTOR,
                (_, true, false) => vendor_factor * ENTRY_FACTOR,
                (true, false, false) => vendor_factor,
                (false, false, false) => 1.0,
            };
            if total <= 0.0 {
                return (score * factor, Reverse(doc));
            }
            let mut scorers = scorers.borrow_mut();
            let mut matched = 0.0;
            let mut words_score = 0.0;
            for (scorer, importance) in scorers.iter_mut() {
                let mut at = scorer.doc();
                if at < doc {
                    at = scorer.seek(doc);
                }
                if at == doc {
                    matched += *importance;
                    words_score += scorer.score();
                }
            }
            let coverage = matched / total;
            let bonus = (score - words_score).max(0.0);
            let mut in_names = 0.0;
            for (scorer, importance) in name_scorers.borrow_mut().iter_mut() {
                let mut at = scorer.doc();
                if at < doc {
                    at = scorer.seek(doc);
                }
                if at == doc {
                    in_names += *importance;
                }
            }
            let names_coverage = in_names / total;
            // Words found only deep in a page's text count half.
            let weighed_coverage = names_coverage + 0.5 * (coverage - names_coverage).max(0.0);
            let body_only = words_asked
                && !name_scorer
                    .borrow_mut()
                    .as_mut()
                    .is_some_and(|s| at_doc(s.as_mut(), doc));
            if words_asked
                && bonus < min_bonus
                && ((weighed_coverage < MIN_COVERAGE && names_coverage < min_names_coverage)
                    || body_only)
            {
                // A few of the words, scattered, or words only mentioned in a page's text:
                // noise.
                return (0.0, Reverse(doc));
            }
            let score = bonus + words_score * coverage * weighed_coverage;
            (score * factor, Reverse(doc))
        })
    }
}

/// Whether `scorer` has `doc` (moving it there when it is before).
fn at_doc(scorer: &mut dyn Scorer, doc: DocId) -> bool {
    let mut at = scorer.doc();
    if at < doc {
        at = scorer.seek(doc);
    }
    at == doc
}

/// The flags that make a document a vendor's code, a family entry or a guide (see
/// [`coordinator`]).
struct KindTerms {
    unofficial: Term,
    entry: Term,
    guide: Term,
}

/// When a result is noise (see [`coordinator`]).
#[derive(Debug, Clone, Copy)]
struct Floor {
    /// Whether the query has words at all (else nothing is noise: a code range, a filter).
    words_asked: bool,
    /// The share of the words a result's names must hold when it matches few of them.
    min_names_coverage: f32,
    /// The least score of code, name, phrase and word-pair matches that makes a result
    /// relevant whatever its share of the words.
    min_bonus: f32,
}

/// Which documents of `segment` have `term` (indexed by doc id); empty if it cannot be read.
fn docs_with(segment: &SegmentReader, term: &Term) -> Vec<bool> {
    let mut out = vec![false; segment.max_doc() as usize];
    let postings = segment.inverted_index(term.field()).ok().and_then(|index| {
        index
            .read_postings(term, IndexRecordOption::Basic)
            .ok()
            .flatten()
    });
    if let Some(mut postings) = postings {
        let mut doc = postings.doc();
        while doc != tantivy::TERMINATED {
            if let Some(slot) = out.get_mut(doc as usize) {
                *slot = true;
            }
            doc = postings.advance();
        }
    }
    out
}

fn bump(out: &mut Expansions, field: Field, term: &str, weight: f32) {
    let slot = out.entry((field, term.to_string())).or_insert(0.0);
    if weight > *slot {
        *slot = weight;
    }
}

/// The terms of `dict` starting with `prefix`.
pub(crate) fn terms_starting_with<'a>(
    dict: &'a TermDictionary,
    prefix: &[u8],
) -> std::io::Result<TermStreamer<'a>> {
    let builder = dict.range().ge(prefix);
    match prefix_end(prefix) {
        Some(end) => builder.lt(end),
        None => builder,
    }
    .into_stream()
}

/// The terms of `dict` that `dfa` accepts, among those starting with the first character of
/// `word`: a typo correction keeps it (`bread` is not a typo of `read`), and an automaton
/// alone reads every block of a dictionary, since one edit may be the first letter.
pub(crate) fn corrections<'a>(
    dict: &'a TermDictionary,
    dfa: &'a DfaWrapper,
    word: &str,
) -> std::io::Result<TermStreamer<'a, &'a DfaWrapper>> {
    let mut builder = dict.search(dfa);
    if let Some(first) = word.chars().next() {
        let mut buf = [0u8; 4];
        let start = first.encode_utf8(&mut buf).as_bytes();
        builder = builder.ge(start);
        if let Some(end) = prefix_end(start) {
            builder = builder.lt(end);
        }
    }
    builder.into_stream()
}

/// Calls `title` with each title of `code` in a `code_titles` dictionary
/// ([`crate::bundle::code_title_key`]), in byte order.
pub(crate) fn each_code_title(
    dict: &TermDictionary,
    code: u16,
    mut title: impl FnMut(&str),
) -> std::io::Result<()> {
    let prefix = crate::bundle::code_title_key(code, "");
    let mut stream = terms_starting_with(dict, prefix.as_bytes())?;
    while stream.advance() {
        if let Some(rest) = std::str::from_utf8(stream.key())
            .ok()
            .and_then(|key| key.strip_prefix(&prefix))
        {
            title(rest);
        }
    }
    Ok(())
}

/// The smallest byte string greater than every string starting with `prefix`.
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions), by chars.
fn osa_distance(a: &str, b: &str) -> u8 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(u8::MAX as usize) as u8
}

/// The badge shown beside a result, from the status the index holds: the status's own
/// ([`Status::badge`]), or "Guide" for a page without a code.
fn badge(status: &str, vendor: Option<&str>) -> String {
    match Status::parse(status) {
        Some(status) => status.badge(vendor),
        None => "Guide".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{build_bundle, Document};
    use std::sync::OnceLock;

    fn code(code: u16, name: &str, description: &str, body: &str) -> Document {
        Document {
            code: Some(code),
            title: format!("{code} {name}"),
            description: description.into(),
            body: body.into(),
            class: crate::Class::of_code(code).unwrap_or_default(),
            status: Some(Status::Official),
            url: format!("/http-codes/{code}/"),
            ..Document::default()
        }
    }

    fn entry(key: &str, name: &str, vendor: Option<&str>, family: &str) -> Document {
        Document {
            code: None,
            title: format!("{key} {name}"),
            description: format!("{name}: what it means and how to fix it."),
            class: crate::Class::Family("other".into()),
            status: Some(Status::Unofficial),
            vendor: vendor.map(str::to_string),
            key: Some(key.into()),
            family: Some(family.into()),
            url: format!("/entries/{key}/"),
            ..Document::default()
        }
    }

    /// A small reference: a few codes, a vendor's code, two family entries.
    fn index() -> &'static SearchIndex {
        static INDEX: OnceLock<SearchIndex> = OnceLock::new();
        INDEX.get_or_init(|| {
            let mut overloaded = code(
                529,
                "Overloaded",
                "The API is overloaded for all users. Back off and retry later.",
                "Clients should back off; a retry loop without a pause makes it worse.",
            );
            overloaded.status = Some(Status::Unofficial);
            overloaded.vendor = Some("Anthropic".into());
            let docs = vec![
                code(
                    300,
                    "Multiple Choices",
                    "The resource has several representations.",
                    "When two representations tie, the server lets the client choose.",
                ),
                code(
                    401,
                    "Unauthorized",
                    "The request lacks valid credentials.",
                    "Log in and send the request back with a token; a cookie that was \
                     switched off is a common cause.",
                ),
                code(
                    403,
                    "Forbidden",
                    "The server refuses to fulfil the request.",
                    "Logging in again does not help; the answer comes back the same.",
                ),
                code(
                    404,
                    "Not Found",
                    "The server has no resource at this URL.",
                    "Check the link; go back and see whether a redirect was turned off.",
                ),
                code(
                    429,
                    "Too Many Requests",
                    "The client sent too many requests: a rate limit.",
                    "Rate limit headers tell how many remain.",
                ),
                code(
                    500,
                    "Internal Server Error",
                    "The server failed to answer the request.",
                    "The app may crash in a loop.",
                ),
                code(
                    502,
                    "Bad Gateway",
                    "The upstream server answered badly.",
                    "The proxy got back an answer it could not read, or the upstream cut \
                     the connection off.",
                ),
                code(
                    503,
                    "Service Unavailable",
                    "The server cannot handle the request right now.",
                    "A Kubernetes pod that is not ready gets no traffic; Heroku's router \
                     times out after 30 seconds.",
                ),
                overloaded,
                entry("0", "No Response (Status 0)", None, "Nonstandard code"),
                entry(
                    "1020",
                    "Access Denied",
                    Some("Cloudflare"),
                    "Cloudflare error",
                ),
            ];
            SearchIndex::open(build_bundle(&docs).unwrap()).unwrap()
        })
    }

    fn top(query: &str) -> Vec<(Option<u16>, Option<String>)> {
        index()
            .search(query, 10)
            .unwrap()
            .into_iter()
            .map(|h| (h.code, h.key))
            .collect()
    }

    fn first_key(query: &str) -> Option<String> {
        top(query).into_iter().next().and_then(|(_, key)| key)
    }

    #[test]
    fn a_short_number_names_its_entry_only_where_it_can() {
        assert_eq!(first_key("0").as_deref(), Some("0"));
        assert_eq!(first_key("status 0").as_deref(), Some("0"));
        assert_eq!(
            first_key("XMLHttpRequest status 0 cors").as_deref(),
            Some("0")
        );
        assert_eq!(first_key("cloudflare 1020").as_deref(), Some("1020"));
        assert_eq!(first_key("error 1020").as_deref(), Some("1020"));
        // Named by its vendor among other words: the index knows `cloudflare` is one.
        assert_eq!(
            first_key("Cloudflare 1020 access denied firewall rule").as_deref(),
            Some("1020")
        );
        // The `0` of a pasted line is a byte count, a counter or a priority.
        for line in [
            "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 404 0 \
             \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"",
            "X-RateLimit-Limit: 60 X-RateLimit-Remaining: 0 X-RateLimit-Reset: 1372700873",
            "h2 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 \
             10.0.0.1:80 0.000 0.001 0.000 502 502 34 366 \"GET https://www.example.com:443/ \
             HTTP/2.0\" \"curl/7.46.0\" - - 0 2018-07-02T22:22:48.364000Z \"forward\" \"-\"",
        ] {
            let hits = index().search(line, 10).unwrap();
            assert!(
                hits.iter().all(|h| h.key.as_deref() != Some("0")),
                "{line}: {:?}",
                top(line)
            );
            assert!(hits.iter().all(|h| h.score < KEY_BOOST), "{line}");
        }
        // A four-digit number among words and not next to a vendor is no key.
        let hits = index()
            .search(
                "connect to port 1020 failed: access refused by the firewall",
                10,
            )
            .unwrap();
        assert!(hits.iter().all(|h| h.score < KEY_BOOST), "{hits:?}");
    }

    #[test]
    fn a_status_in_a_long_line_gets_the_full_code_boost() {
        for (line, code) in [
            (
                "at=error code=H12 desc=\"Request timeout\" method=GET path=\"/\" \
                 host=myapp.herokuapp.com request_id=8601b555 fwd=\"204.204.204.204\" \
                 dyno=web.1 connect=0ms service=30000ms status=503 bytes=0",
                503,
            ),
            (
                "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" \
                 404 0 \"http://www.example.com/start.html\" \"Mozilla/4.08\"",
                404,
            ),
            (
                "h2 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 \
                 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 502 502 34 366 \
                 \"GET https://www.example.com:443/ HTTP/2.0\" \"curl/7.46.0\"",
                502,
            ),
        ] {
            let hits = index().search(line, 10).unwrap();
            assert_eq!(hits.first().and_then(|h| h.code), Some(code), "{line}");
            assert!(hits[0].score >= CODE_BOOST, "{line}: {}", hits[0].score);
        }
    }

    #[test]
    fn pages_that_only_mention_the_words_are_noise() {
        for query in [
            "how to tie a tie",
            "kubernetes CrashLoopBackOff",
            "banana bread recipe",
        ] {
            assert!(top(query).is_empty(), "{query}: {:?}", top(query));
        }
        // A typo of a title word is still a name match.
        assert_eq!(top("unathorized").first(), Some(&(Some(401), None)));
        assert_eq!(top("too many requests").first(), Some(&(Some(429), None)));
    }

    #[test]
    fn distances() {
        assert_eq!(osa_distance("gatway", "gateway"), 1);
        assert_eq!(osa_distance("fuond", "found"), 1);
        assert_eq!(osa_distance("abc", "abc"), 0);
        assert_eq!(osa_distance("", "ab"), 2);
    }

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[b'a', 0xff]), Some(b"b".to_vec()));
        assert_eq!(prefix_end(&[0xff]), None);
    }

    #[test]
    fn badges() {
        assert_eq!(badge("official", None), "Official");
        assert_eq!(badge("unofficial", Some("Cloudflare")), "Cloudflare");
        assert_eq!(badge("deprecated", None), "Deprecated");
        assert_eq!(badge("guide", None), "Guide");
    }
}
