//! The index in parts, for the browser: a small head with what opening the index and every
//! query needs, and content-addressed chunks of the large files fetched only when a query reads
//! them, so that the bytes before the first result stay nearly flat as a site grows.
//!
//! A whole bundle ([`crate::build_bundle`]) is split by [`split_bundle`]:
//!
//! - tantivy's postings (`.idx`) and positions (`.pos`) are cut into [`CHUNK_SIZE`]-byte
//!   chunks, its term dictionaries (`.term`) and document store (`.store`) at their blocks'
//!   boundaries ([`block_cuts`]), each chunk named after a hash of its bytes (20 hex
//!   digits). The dictionaries are sstables (tantivy's `quickwit` feature): opening one reads
//!   only its block index, a lookup one block of about 4 KB, so a query fetches one chunk per
//!   term and the head does not grow with the vocabulary; a result shown fetches one chunk
//!   too, its store block;
//! - the index is opened once over those chunks, with every field's dictionary, recording
//!   which chunks that reads (footers, block and skip indexes): those go into the head, as
//!   do all other files (schema, field norms, fast fields) whole, and each field's
//!   dictionary, postings and positions when they are small ([`SMALL_PART`]: a small site's
//!   name fields). Large ones stay in chunks that queries fetch as they need them, so the
//!   head does not grow with the vocabulary;
//! - the head is a bundle of version [`SPLIT_VERSION`] holding those files, the inlined chunks
//!   (named by their hash) and a manifest, `statusref-chunks`: one line per chunked file,
//!   `name<TAB>length<TAB>chunk size<TAB>hash,hash,…`, or for a file cut at its own
//!   boundaries `name<TAB>length<TAB>0<TAB>hash:length,hash:length,…`.
//!
//! [`open_split`] opens a head. Reading a byte of a chunk that is not loaded fails the read
//! (tantivy passes the I/O error up) and records the chunk's name; the caller fetches the
//! chunks [`ChunkStore::take_missing`] names, hands them to [`ChunkStore::add`] (which checks
//! each against its hash) and asks again. A search that recorded a missing chunk is discarded
//! whole, even if it returned hits: the answer given is always the one of a search that read
//! only real bytes, so results are the whole index's.
//!
//! Round trips: a search stops at its first failed read, so on a miss [`ChunkStore::search`]
//! names at once every chunk of the stage where it stopped: missing dictionary blocks, it
//! looks up, ignoring failures, the dictionary blocks of every term the query is likely to
//! read ([`prefetch_terms`]); missing postings, it searches once more reading the postings
//! and positions of every term of its query ([`prefetch_postings`]; only then: over loaded
//! chunks a query looks nothing up twice); missing documents, the search has named them all.
//! A cold query therefore takes three rounds (its terms' dictionary blocks, their postings
//! and positions, the documents of its hits); a prediction that misses costs a round, never a
//! wrong answer. Apart from that prediction nothing here knows about
//! queries or ranking; it is a tantivy [`Directory`](tantivy::Directory) whose files arrive
//! late.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::directory::{CompositeFile, FileHandle, OwnedBytes};
use tantivy::index::SegmentComponent;
use tantivy::query::{FuzzyTermQuery, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::TermStreamer;
use tantivy::tokenizer::TokenStream;
use tantivy::{HasLen, Searcher, Term};

use crate::bundle::{self, BundleDirectory};
use crate::schema;
use crate::search::{corrections, terms_starting_with};
use crate::terms::TermInfos;
use crate::{Error, Hit, Result, SearchIndex};

/// Version of a split head (a whole bundle is [`crate::BUNDLE_VERSION`]); 3: sstable term
/// dictionaries, chunked; 4: dictionaries and store cut at their blocks.
pub const SPLIT_VERSION: u32 = 4;
/// Bytes per chunk of postings and positions (and the least a chunked file has): small
/// enough that a query's rare terms cost little, large enough that a site of ten thousand
/// pages has a few thousand chunk files, not a million.
pub const CHUNK_SIZE: usize = 4096;
/// A field's term dictionary, postings or positions of at most this many bytes go into the
/// head whole. Nearly every word of a query is looked up in the name fields (title, aliases,
/// keywords, vendor, exact names); on a small site each of those is a block or two, and one
/// head compresses better than the many 2 KB chunks a cold query would fetch instead. Large
/// parts (a big site's body words, any site's body postings) stay in chunks, so the head
/// stays small. On this repository's site a cold `gateway timeout` then fetches 19 chunks
/// instead of 30, for the same bytes in all (head and chunks, brotli: 57.4 KB, was 57.7).
const SMALL_PART: usize = 16 * 1024;
/// The manifest's name inside a head.
const MANIFEST: &str = "statusref-chunks";

/// A whole bundle split for the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitIndex {
    /// The head: fetched first, opened by [`open_split`].
    pub head: Vec<u8>,
    /// The chunks not inlined in the head: (name, bytes), sorted by name. The browser fetches
    /// a chunk at `index/<name>.bin` relative to the head's URL ([`chunk_path`]).
    pub chunks: Vec<(String, Vec<u8>)>,
}

/// Where chunk `name` lives, relative to the directory of the head.
pub fn chunk_path(name: &str) -> String {
    format!("index/{name}.bin")
}

/// Whether `bytes` start like a split head (rather than a whole bundle).
pub fn is_split(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[..8] == crate::BUNDLE_MAGIC
        && bytes[8..12] == SPLIT_VERSION.to_le_bytes()
}

/// The name of a chunk: 20 hex digits of two independent 64-bit FNV-1a hashes of its bytes.
pub fn chunk_name(bytes: &[u8]) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x6c62_272e_07bb_0142;
    for &b in bytes {
        h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        h2 = (h2 ^ u64::from(b))
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(5);
    }
    format!("{h1:016x}{:04x}", h2 >> 48)
}

#[derive(Debug, Default)]
struct StoreState {
    /// Loaded chunks by name.
    chunks: HashMap<String, OwnedBytes>,
    /// Every chunk name a file of this index refers to.
    known: BTreeSet<String>,
    /// Chunks a read wanted and did not find, since the last [`ChunkStore::take_missing`].
    missing: BTreeSet<String>,
    /// While splitting: every chunk read.
    touched: BTreeSet<String>,
    /// Whether reads are recorded in `touched` (only while splitting: a reader's every read
    /// would otherwise clone names into a set that only grows).
    recording: bool,
    /// What the chunks in `missing` hold ([`ChunkKind`] bits): how far the search that
    /// missed them had got.
    missed_kinds: u8,
}

/// What a chunk holds, as bits of [`StoreState::missed_kinds`]: which stage of a search reads it.
/// A search reads term dictionaries while it builds its query, postings and positions while
/// it scores, documents last; it stops at its first missing chunk, so the kinds missed tell
/// how far it got and what more a round can learn ([`ChunkStore::search`]).
#[derive(Debug, Clone, Copy)]
enum ChunkKind {
    /// A block of a term dictionary (`.term`).
    Terms = 1,
    /// Postings or positions (`.idx`, `.pos`).
    Postings = 2,
    /// A block of a document store (`.store`).
    Documents = 4,
}

impl ChunkKind {
    /// The kind of the chunks of the index file `name`, by its extension; `None` for the
    /// files never cut into chunks (they go into the head whole).
    fn of_file(name: &str) -> Option<Self> {
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("term") => Some(ChunkKind::Terms),
            Some("idx" | "pos") => Some(ChunkKind::Postings),
            Some("store") => Some(ChunkKind::Documents),
            _ => None,
        }
    }
}

/// The chunks of one split index: those loaded, and those reads asked for in vain.
#[derive(Debug, Clone, Default)]
pub struct ChunkStore {
    state: Arc<Mutex<StoreState>>,
}

/// What a search over a split index gives ([`ChunkStore::search`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The hits, best first: those of the whole index.
    Hits(Vec<Hit>),
    /// Chunks to fetch and [`ChunkStore::add`] before asking again (names, sorted).
    Need(Vec<String>),
}

impl ChunkStore {
    fn lock(&self) -> MutexGuard<'_, StoreState> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters (each operation is one insert): keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a fetched chunk; its name is computed from its bytes, so a damaged or foreign
    /// file is refused. Returns the name.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBundle`] when the bytes are no chunk of this index.
    pub fn add(&self, bytes: Vec<u8>) -> Result<String> {
        let name = chunk_name(&bytes);
        let mut state = self.lock();
        if !state.known.contains(&name) {
            return Err(Error::InvalidBundle {
                reason: format!(
                    "a fetched search chunk ({} bytes, hash {name}) is not part of this index; \
                     the site changed while loading: reload the page",
                    bytes.len()
                ),
            });
        }
        state.missing.remove(&name);
        state.chunks.insert(name.clone(), OwnedBytes::new(bytes));
        Ok(name)
    }

    /// The chunks reads have asked for since the last call, sorted; clears the list.
    pub fn take_missing(&self) -> Vec<String> {
        let mut state = self.lock();
        state.missed_kinds = 0;
        std::mem::take(&mut state.missing).into_iter().collect()
    }

    /// Every chunk name the index refers to that is not loaded yet.
    pub fn not_loaded(&self) -> Vec<String> {
        let state = self.lock();
        state
            .known
            .iter()
            .filter(|n| !state.chunks.contains_key(*n))
            .cloned()
            .collect()
    }

    /// Loaded chunks.
    pub fn loaded(&self) -> usize {
        self.lock().chunks.len()
    }

    /// Answers `query` over `index` (opened with this store by [`open_split`]): its hits, or
    /// the chunks to fetch first. On a miss, also names the dictionary blocks of every term
    /// the query is likely to read ([`prefetch_terms`]), so that one fetch brings them all.
    ///
    /// # Errors
    ///
    /// As [`SearchIndex::search`], for a search that read only loaded chunks.
    pub fn search(&self, index: &SearchIndex, query: &str, limit: usize) -> Result<Answer> {
        self.take_missing();
        let result = index.search(query, limit);
        let (nothing_missed, missed) = {
            let state = self.lock();
            (state.missing.is_empty(), state.missed_kinds)
        };
        if nothing_missed {
            return result.map(Answer::Hits);
        }
        // A miss: learn in this round all the chunks the next search would stop at, from
        // where this one stopped. Without its dictionary blocks a search builds no query, so
        // it would stop at the same place again: look up every term it is likely to read
        // instead. With the dictionaries in and postings missing, search again reading every
        // term's postings and positions once. With only documents missing, scoring is done
        // and the documents of the hits are all named already.
        if missed & ChunkKind::Terms as u8 != 0 {
            prefetch_terms(index, query);
        } else if missed & ChunkKind::Postings as u8 != 0 {
            let _on = Prefetching::new();
            let _ = index.search(query, limit);
        }
        Ok(Answer::Need(self.take_missing()))
    }
}

thread_local! {
    /// How many [`Prefetching`] guards are alive on this thread: [`prefetch_postings`] does
    /// nothing while there is none. Per thread, not per process: a guard is the state of one
    /// search call, and another thread's search (tests run in parallel; a server could too)
    /// must not make this one read more than it asks for.
    static PREFETCHING: Cell<usize> = const { Cell::new(0) };
}

/// Turns [`prefetch_postings`] on while alive: only for the search [`ChunkStore::search`]
/// repeats after a miss, so that a query over loaded chunks does not look its terms up twice.
#[derive(Debug)]
struct Prefetching;

/// Whether a [`Prefetching`] guard is alive on this thread.
fn prefetching() -> bool {
    PREFETCHING.with(Cell::get) > 0
}

impl Prefetching {
    fn new() -> Self {
        PREFETCHING.with(|alive| alive.set(alive.get() + 1));
        Prefetching
    }
}

impl Drop for Prefetching {
    fn drop(&mut self) {
        PREFETCHING.with(|alive| alive.set(alive.get() - 1));
    }
}

/// Reads the postings of every term `query` names ([`Query::query_terms`]), ignoring
/// failures. A search stops at its first failed read, so without this a split index would
/// learn the chunks a query needs one per round trip; with it, a read of each term's postings
/// (and, when some are missing, of its positions, which phrase matches read) records every
/// missing chunk at once. Only the terms matter, not how they are ranked. Does nothing unless
/// a [`Prefetching`] guard is alive.
pub(crate) fn prefetch_postings(searcher: &Searcher, terms_read: &TermInfos, query: &dyn Query) {
    if !prefetching() {
        return;
    }
    let mut terms: Vec<Term> = Vec::new();
    query.query_terms(&mut |term, _| terms.push(term.clone()));
    let mut missed = false;
    // (segment, field, byte range in that field's positions) of every term with positions.
    let mut positions = Vec::new();
    for segment in searcher.segment_readers() {
        for term in &terms {
            let Ok(inverted) = segment.inverted_index(term.field()) else {
                continue;
            };
            if let Ok(Some(info)) = terms_read.get(segment, term) {
                missed |= inverted
                    .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                    .is_err();
                if !info.positions_range.is_empty() {
                    positions.push((segment.segment_id(), term.field(), info.positions_range));
                }
            }
        }
    }
    // Positions (read by phrase matches) are read after the postings; with postings missing, a
    // search would learn the positions it needs one round trip later, one term at a time.
    // Read them here, straight from the positions file, in the same round as the postings.
    if !missed || positions.is_empty() {
        return;
    }
    let Ok(segments) = searcher.index().searchable_segments() else {
        return;
    };
    for segment in segments {
        let Ok(file) = segment.open_read(SegmentComponent::Positions) else {
            continue;
        };
        let Ok(composite) = CompositeFile::open(&file) else {
            continue;
        };
        for (_, field, range) in positions.iter().filter(|p| p.0 == segment.id()) {
            if let Some(slice) = composite.open_read(*field) {
                if range.end <= slice.len() {
                    let _ = slice.slice(range.clone()).read_bytes();
                }
            }
        }
    }
}

/// Looks up, ignoring failures, every term `query` is likely to make a search look up in a
/// term dictionary, so that the dictionary blocks not loaded yet are all recorded as missing
/// at once (a search stops at its first failed read): per word, its stem in every text field
/// (and its synonyms in all but the body),
/// the last word as a prefix, typo corrections in the name fields; runs and pairs of words in
/// the phrase and pair fields; the whole query as an exact name; codes, their names and keys. A prediction
/// of search.rs's lookups, not a copy: a block it misses costs the search one more round
/// trip, never a different answer.
pub(crate) fn prefetch_terms(index: &SearchIndex, query: &str) {
    let (searcher, fields) = (index.searcher(), index.fields());
    let parsed = crate::parse_query(query);
    let mut analyzer = schema::text_analyzer();
    // (lowercased word as typed, stem) of each word, in order.
    let mut tokens: Vec<(String, String)> = Vec::new();
    for word in &parsed.words {
        let mut stream = analyzer.token_stream(word);
        while let Some(token) = stream.next() {
            let raw = word
                .get(token.offset_from..token.offset_to)
                .unwrap_or(&token.text)
                .to_lowercase();
            tokens.push((raw, token.text.clone()));
        }
    }
    let mut exact: Vec<(Field, String)> = Vec::new();
    for (field, _) in schema::weighted_text_fields(fields) {
        exact.extend(tokens.iter().map(|(_, stem)| (field, stem.clone())));
        if field != fields.body {
            for (_, stem) in &tokens {
                exact.extend(index.synonyms_of(stem).map(|s| (field, s.clone())));
            }
        }
    }
    let stems: Vec<&str> = tokens.iter().map(|(_, stem)| stem.as_str()).collect();
    // Runs are read as the terms starting with their first word and a space (search.rs's
    // `phrase_keys`).
    let run_starts: BTreeSet<String> = stems
        .iter()
        .take(stems.len().saturating_sub(1))
        .map(|first| format!("{first} "))
        .collect();
    exact.extend(
        stems
            .windows(2)
            .map(|w| (fields.pairs, schema::pair_key(w[0], w[1]))),
    );
    exact.push((fields.name_exact, schema::normalize_name(&parsed.name)));
    exact.extend(
        parsed
            .codes
            .iter()
            .chain(&parsed.column_codes)
            .map(|c| (fields.code_text, c.to_string())),
    );
    // The names of the codes the query holds (search.rs's `titles_of`).
    let named_codes: BTreeSet<u16> = parsed
        .codes
        .iter()
        .chain(parsed.code_candidates.iter().map(|(_, c)| c))
        .copied()
        .collect();
    exact.extend(parsed.keys.iter().map(|k| (fields.key, k.clone())));

    let names = [fields.title, fields.aliases, fields.vendor, fields.keywords];
    let last = tokens.len().checked_sub(1);
    for segment in searcher.segment_readers() {
        for (field, term) in &exact {
            let _ = index
                .term_infos()
                .lookup(segment, &Term::from_field_text(*field, term));
        }
        if let Ok(inverted) = segment.inverted_index(fields.code_titles) {
            for &code in &named_codes {
                let _ = crate::search::each_code_title(inverted.terms(), code, |_| ());
            }
        }
        if let Ok(inverted) = segment.inverted_index(fields.phrases) {
            for prefix in &run_starts {
                read_all(terms_starting_with(inverted.terms(), prefix.as_bytes()));
            }
        }
        for (i, (raw, stem)) in tokens.iter().enumerate() {
            let prefix = parsed.last_word_is_prefix && Some(i) == last;
            let chars = raw.chars().count().min(stem.chars().count());
            let distance: u8 = if raw.bytes().any(|b| b.is_ascii_digit()) {
                0
            } else if chars >= 8 {
                2
            } else if chars >= 4 {
                1
            } else {
                0
            };
            let typo = (distance > 0)
                .then(|| {
                    FuzzyTermQuery::new(Term::from_field_text(fields.title, stem), distance, true)
                })
                .and_then(|q| q.automaton().ok());
            let typo_prefix = (prefix && chars >= 5)
                .then(|| {
                    FuzzyTermQuery::new_prefix(Term::from_field_text(fields.title, raw), 1, true)
                })
                .and_then(|q| q.automaton().ok());
            for (field, _) in schema::weighted_text_fields(fields) {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let dict = inverted.terms();
                if prefix && field != fields.body {
                    read_all(terms_starting_with(dict, raw.as_bytes()));
                }
                if !names.contains(&field) {
                    continue;
                }
                for dfa in typo.iter().chain(typo_prefix.iter()) {
                    if let Ok(mut stream) = corrections(dict, dfa, stem) {
                        while stream.advance() {}
                    }
                }
            }
        }
    }
}

/// One chunked file: its length, and the names of its chunks in order with where each starts.
#[derive(Debug)]
struct ChunkedFile {
    len: usize,
    /// The offset of each chunk: `0`, then ascending.
    starts: Vec<usize>,
    names: Vec<String>,
    store: ChunkStore,
    /// What its chunks hold ([`ChunkKind`] bits; 0 for a file of no known kind).
    kind: u8,
    /// Reads that spanned several chunks, by range, so that the next read of the same range
    /// (a dictionary block looked up by every query that has its terms) is not copied again.
    spanning: Mutex<HashMap<Range<usize>, OwnedBytes>>,
}

/// Most spanning reads a [`ChunkedFile`] keeps ([`ChunkedFile::spanning`]); about 4 KB each.
const MAX_SPANNING: usize = 512;

impl ChunkedFile {
    fn new(
        name: &str,
        len: usize,
        starts: Vec<usize>,
        names: Vec<String>,
        store: ChunkStore,
    ) -> Self {
        debug_assert_eq!(starts.len(), names.len());
        ChunkedFile {
            len,
            starts,
            names,
            store,
            kind: ChunkKind::of_file(name).map_or(0, |kind| kind as u8),
            spanning: Mutex::new(HashMap::new()),
        }
    }
}

/// The error of a read that needs a chunk not loaded yet.
fn not_loaded(names: &[&String]) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!(
            "search chunk not loaded yet: {}",
            names
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

impl HasLen for ChunkedFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ChunkedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let end = range.end.min(self.len);
        let start = range.start.min(end);
        if start == end {
            return Ok(OwnedBytes::empty());
        }
        let first = self.starts.partition_point(|&s| s <= start) - 1;
        let last = self.starts.partition_point(|&s| s < end) - 1;
        let mut state = self.store.lock();
        let wanted = &self.names[first..=last];
        let absent: Vec<&String> = wanted
            .iter()
            .filter(|n| !state.chunks.contains_key(*n))
            .collect();
        if !absent.is_empty() {
            let err = not_loaded(&absent);
            let absent: Vec<String> = absent.into_iter().cloned().collect();
            state.missing.extend(absent);
            state.missed_kinds |= self.kind;
            return Err(err);
        }
        if state.recording {
            state.touched.extend(wanted.iter().cloned());
        }
        if first == last {
            let base = self.starts[first];
            let chunk = &state.chunks[&self.names[first]];
            return Ok(chunk.slice(start - base..end - base));
        }
        let mut spanning = self.spanning.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bytes) = spanning.get(&(start..end)) {
            return Ok(bytes.clone());
        }
        let mut out = Vec::with_capacity(end - start);
        for (i, name) in wanted.iter().enumerate() {
            let chunk = state.chunks[name].as_slice();
            let chunk_start = self.starts[first + i];
            let from = start.max(chunk_start) - chunk_start;
            let to = end.min(chunk_start + chunk.len()) - chunk_start;
            out.extend_from_slice(&chunk[from..to]);
        }
        let out = OwnedBytes::new(out);
        if spanning.len() >= MAX_SPANNING {
            spanning.clear();
        }
        spanning.insert(start..end, out.clone());
        Ok(out)
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidBundle {
        reason: reason.into(),
    }
}

/// Whether the index file `name` of `len` bytes is cut into chunks (the rest of the index goes
/// into the head whole).
fn is_chunked(name: &str, len: usize) -> bool {
    ChunkKind::of_file(name).is_some() && len > CHUNK_SIZE
}

/// Opens the index over `whole` files and chunked ones, with analyzers registered.
fn open(
    whole: BTreeMap<String, OwnedBytes>,
    chunked: Vec<(String, ChunkedFile)>,
) -> Result<SearchIndex> {
    let mut handles: BTreeMap<String, Arc<dyn FileHandle>> = whole
        .into_iter()
        .map(|(p, b)| (p, Arc::new(b) as Arc<dyn FileHandle>))
        .collect();
    for (path, file) in chunked {
        handles.insert(path, Arc::new(file));
    }
    let index = crate::bundle::open_directory(BundleDirectory::from_handles(handles))?;
    schema::register_analyzers(&index);
    let schema = index.schema();
    SearchIndex::from_index(index, &schema)
}

/// Splits a whole bundle into a head and chunks (see the module docs).
///
/// # Errors
///
/// [`Error::InvalidBundle`] for bytes that are not a whole bundle; a tantivy error if the
/// index cannot be opened.
pub fn split_bundle(bundle: Vec<u8>) -> Result<SplitIndex> {
    let files = bundle::decode(OwnedBytes::new(bundle))?;
    let mut block_cuts = block_cuts(&files)?;
    let store = ChunkStore::default();
    store.lock().recording = true;
    let mut whole = BTreeMap::new();
    let mut chunked = Vec::new();
    let mut manifest = String::new();
    for (path, bytes) in files {
        if !is_chunked(&path, bytes.len()) {
            whole.insert(path, bytes);
            continue;
        }
        let (size, starts) = match block_cuts.remove(&path) {
            Some(cuts) => (0, cuts),
            None => (CHUNK_SIZE, (0..bytes.len()).step_by(CHUNK_SIZE).collect()),
        };
        let mut names = Vec::with_capacity(starts.len());
        {
            let mut state = store.lock();
            for (&from, len) in starts.iter().zip(chunk_lens(&starts, bytes.len())) {
                let piece = &bytes.as_slice()[from..from + len];
                let name = chunk_name(piece);
                state.known.insert(name.clone());
                state
                    .chunks
                    .entry(name.clone())
                    .or_insert_with(|| OwnedBytes::new(piece.to_vec()));
                names.push(name);
            }
        }
        let name = path.as_str();
        let list = if size == 0 {
            names
                .iter()
                .zip(chunk_lens(&starts, bytes.len()))
                .map(|(name, len)| format!("{name}:{len}"))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            names.join(",")
        };
        manifest.push_str(&format!("{name}\t{}\t{size}\t{list}\n", bytes.len()));
        let file = ChunkedFile::new(&path, bytes.len(), starts, names, store.clone());
        chunked.push((path, file));
    }
    let mut head_files: Vec<(String, Vec<u8>)> = whole
        .iter()
        .map(|(p, b)| (p.clone(), b.as_slice().to_vec()))
        .collect();
    // What opening the index and its dictionaries reads goes into the head, and the small
    // parts of the index whole.
    let index = open(whole, chunked)?;
    index.open_fields()?;
    read_small_parts(index.searcher())?;
    drop(index);
    let state = std::mem::take(&mut *store.lock());
    head_files.push((MANIFEST.to_string(), manifest.into_bytes()));
    let mut chunks = Vec::new();
    let mut all: Vec<(String, OwnedBytes)> = state.chunks.into_iter().collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, bytes) in all {
        if state.touched.contains(&name) {
            head_files.push((name, bytes.as_slice().to_vec()));
        } else {
            chunks.push((name, bytes.as_slice().to_vec()));
        }
    }
    Ok(SplitIndex {
        head: bundle::encode_version(&head_files, SPLIT_VERSION)?,
        chunks,
    })
}

/// The lengths of the chunks of a file of `len` bytes that start at `starts`.
fn chunk_lens(starts: &[usize], len: usize) -> impl Iterator<Item = usize> + '_ {
    starts
        .iter()
        .enumerate()
        .map(move |(i, &from)| starts.get(i + 1).copied().unwrap_or(len) - from)
}

/// The chunk names and offsets of one manifest line's list: `hash,hash,…` of `size`-byte
/// chunks, or `hash:length,…` when `size` is 0.
fn manifest_chunks(
    file: &str,
    len: usize,
    size: usize,
    list: &str,
) -> Result<(Vec<String>, Vec<usize>)> {
    let wrong = || invalid(format!("chunk manifest: {file} has a wrong chunk list"));
    let mut names = Vec::new();
    let mut starts = Vec::new();
    let mut at = 0;
    for entry in list.split(',') {
        let (name, chunk_len) = if size == 0 {
            let (name, chunk_len) = entry.split_once(':').ok_or_else(wrong)?;
            (name, chunk_len.parse::<usize>().map_err(|_| wrong())?)
        } else {
            (entry, size.min(len.saturating_sub(at)))
        };
        if chunk_len == 0 || at >= len {
            return Err(wrong());
        }
        names.push(name.to_string());
        starts.push(at);
        at = at.checked_add(chunk_len).ok_or_else(wrong)?;
    }
    if at != len {
        return Err(wrong());
    }
    Ok((names, starts))
}

/// Where the chunks of the document stores and term dictionaries start: at their blocks, so
/// that showing a result fetches exactly its store block and looking a term up exactly its
/// dictionary block. Files are read through [`RecordingFile`]s, which note the byte ranges
/// tantivy asks for:
/// - a store's blocks are the ranges read when every document is fetched once through a
///   one-block cache (tantivy does not expose the store's block index);
/// - a dictionary (one sstable per field, inside the composite `.term` file) is read whole,
///   which gives its place in the file, and its blocks are walked as tantivy-sstable lays them
///   out: each a little-endian `u32` length then that many bytes, until a length of 0 or 1.
///
/// What follows the last block (indexes, footers) is one more chunk, read when the index is
/// opened and so inlined in the head.
fn block_cuts(files: &BTreeMap<String, OwnedBytes>) -> Result<BTreeMap<String, Vec<usize>>> {
    let mut handles: BTreeMap<String, Arc<dyn FileHandle>> = BTreeMap::new();
    let mut recorders = Vec::new();
    for (path, bytes) in files {
        let kind = ChunkKind::of_file(path);
        if matches!(kind, Some(ChunkKind::Documents | ChunkKind::Terms))
            && is_chunked(path, bytes.len())
        {
            let recorder = Arc::new(RecordingFile {
                bytes: bytes.clone(),
                reads: Mutex::default(),
            });
            recorders.push((path.clone(), recorder.clone()));
            handles.insert(path.clone(), recorder);
        } else {
            handles.insert(path.clone(), Arc::new(bytes.clone()));
        }
    }
    if recorders.is_empty() {
        return Ok(BTreeMap::new());
    }
    let index = bundle::open_directory(BundleDirectory::from_handles(handles))?;
    let mut cuts: BTreeMap<String, BTreeSet<usize>> = recorders
        .iter()
        .map(|(path, _)| (path.clone(), BTreeSet::from([0])))
        .collect();
    for segment in index.searchable_segments()? {
        let reader = tantivy::SegmentReader::open(&segment)?;
        let store = reader.get_store_reader(1)?;
        for doc in 0..reader.max_doc() {
            store.get_document_bytes(doc)?;
        }
        let terms_path = segment
            .relative_path(SegmentComponent::Terms)
            .to_string_lossy()
            .into_owned();
        let Some((_, recorder)) = recorders.iter().find(|(path, _)| *path == terms_path) else {
            continue;
        };
        let terms = segment
            .open_read(SegmentComponent::Terms)
            .map_err(tantivy::TantivyError::from)?;
        let composite = CompositeFile::open(&terms).map_err(tantivy::TantivyError::from)?;
        let file_cuts = cuts.entry(terms_path).or_default();
        for (field, _) in index.schema().fields() {
            let Some(part) = composite.open_read(field) else {
                continue;
            };
            let dictionary = part.read_bytes().map_err(tantivy::TantivyError::from)?;
            // That read tells where the dictionary sits in its file (an empty one reads
            // nothing).
            let read = recorder.last_read();
            if read.len() == dictionary.len() {
                file_cuts.insert(read.start);
                file_cuts.extend(sstable_blocks(&dictionary).map(|b| read.start + b));
            }
        }
    }
    for (path, recorder) in &recorders {
        if matches!(ChunkKind::of_file(path), Some(ChunkKind::Documents)) {
            let reads = recorder.reads.lock().unwrap_or_else(|e| e.into_inner());
            let file_cuts = cuts.entry(path.clone()).or_default();
            for read in reads.iter() {
                file_cuts.extend([read.start, read.end]);
            }
        }
    }
    Ok(recorders
        .into_iter()
        .map(|(path, recorder)| {
            let len = recorder.bytes.len();
            let file_cuts = cuts.remove(&path).unwrap_or_default();
            (path, file_cuts.into_iter().filter(|&c| c < len).collect())
        })
        .collect())
}

/// The offsets in one sstable of its blocks and of what follows the last (see
/// [`block_cuts`]); stops early, never fails, on bytes laid out otherwise.
fn sstable_blocks(sstable: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut at = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let here = at;
        let len = sstable
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        match len {
            Some(len) if len > 1 && at + 4 + len <= sstable.len() => at += 4 + len,
            _ => done = true,
        }
        Some(here)
    })
}

/// A file that records the byte ranges read from it ([`block_cuts`]).
#[derive(Debug)]
struct RecordingFile {
    bytes: OwnedBytes,
    reads: Mutex<Vec<Range<usize>>>,
}

impl RecordingFile {
    /// The range of the latest read.
    fn last_read(&self) -> Range<usize> {
        let reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        reads.last().cloned().unwrap_or(0..0)
    }
}

impl HasLen for RecordingFile {
    fn len(&self) -> usize {
        self.bytes.len()
    }
}

impl FileHandle for RecordingFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        self.reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(range.clone());
        Ok(self.bytes.slice(range))
    }
}

/// Reads a range of terms to its end, ignoring failures (a prediction: what it could not read
/// is recorded as missing).
fn read_all(stream: io::Result<TermStreamer<'_>>) {
    if let Ok(mut stream) = stream {
        while stream.advance() {}
    }
}

/// Reads whole every field's term dictionary, postings and positions of at most
/// [`SMALL_PART`] bytes, so that the head holds them (see [`split_bundle`]).
fn read_small_parts(searcher: &Searcher) -> Result<()> {
    for segment in searcher.index().searchable_segments()? {
        for component in [
            SegmentComponent::Terms,
            SegmentComponent::Postings,
            SegmentComponent::Positions,
        ] {
            let file = segment
                .open_read(component)
                .map_err(tantivy::TantivyError::from)?;
            let composite = CompositeFile::open(&file).map_err(tantivy::TantivyError::from)?;
            for (field, _) in searcher.schema().fields() {
                if let Some(part) = composite.open_read(field) {
                    if part.len() <= SMALL_PART {
                        part.read_bytes().map_err(tantivy::TantivyError::from)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Opens a head from [`split_bundle`]: the index is searchable, and reads of chunks not loaded
/// yet fail and are listed by the returned store (see the module docs).
///
/// # Errors
///
/// [`Error::InvalidBundle`] for bytes that are not a split head, or a truncated one.
pub fn open_split(head: Vec<u8>) -> Result<(SearchIndex, ChunkStore)> {
    let files = bundle::decode_version(OwnedBytes::new(head), SPLIT_VERSION)?;
    let manifest = files
        .get(MANIFEST)
        .ok_or_else(|| invalid("the search head has no chunk manifest"))?;
    let manifest = std::str::from_utf8(manifest.as_slice())
        .map_err(|_| invalid("the chunk manifest is not UTF-8"))?
        .to_string();
    let store = ChunkStore::default();
    let mut chunked = Vec::new();
    let mut chunk_names = BTreeSet::new();
    for line in manifest.lines().filter(|l| !l.is_empty()) {
        let mut parts = line.split('\t');
        let (Some(name), Some(len), Some(size), Some(list), None) = (
            parts.next(),
            parts.next().and_then(|n| n.parse::<usize>().ok()),
            parts.next().and_then(|n| n.parse::<usize>().ok()),
            parts.next(),
            parts.next(),
        ) else {
            return Err(invalid(format!("bad chunk manifest line {line:?}")));
        };
        let (names, starts) = manifest_chunks(name, len, size, list)?;
        chunk_names.extend(names.iter().cloned());
        chunked.push((
            name.to_string(),
            ChunkedFile::new(name, len, starts, names, store.clone()),
        ));
    }
    let mut whole = BTreeMap::new();
    {
        let mut state = store.lock();
        state.known = chunk_names;
        for (name, bytes) in files {
            if name == MANIFEST {
                continue;
            }
            if state.known.contains(&name) {
                // Not hashed again: the head is one file, written with its chunks by one
                // build (hashing them was a tenth of opening it). Fetched chunks are checked
                // ([`ChunkStore::add`]): they come one by one, from a site that may change.
                state.chunks.insert(name, bytes);
            } else {
                whole.insert(name, bytes);
            }
        }
    }
    let index = open(whole, chunked)?;
    Ok((index, store))
}

/// Opens a head and loads every chunk it refers to with `load(name)` (for the command line
/// and tests: everything local, nothing fetched on demand).
///
/// # Errors
///
/// As [`open_split`]; whatever `load` returns; [`Error::InvalidBundle`] for a chunk whose
/// bytes do not match its name.
pub fn open_split_with(
    head: Vec<u8>,
    mut load: impl FnMut(&str) -> Result<Vec<u8>>,
) -> Result<SearchIndex> {
    let (index, store) = open_split(head)?;
    for name in store.not_loaded() {
        let bytes = load(&name)?;
        let got = store.add(bytes)?;
        if got != name {
            return Err(invalid(format!("chunk {name} has other bytes ({got})")));
        }
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;

    fn docs(n: usize) -> Vec<Document> {
        let words = [
            "gateway", "timeout", "proxy", "upstream", "cache", "header", "retry", "limit",
            "token", "session", "redirect", "payload", "server", "client", "origin",
        ];
        (0..n)
            .map(|i| {
                let code = 100 + (i % 500) as u16;
                let body: Vec<&str> = (0..300)
                    .map(|j| words[(i * 7 + j * j) % words.len()])
                    .collect();
                Document {
                    code: (i < 400).then_some(code),
                    title: if i < 400 {
                        format!("{code} Status {}", words[i % words.len()])
                    } else {
                        format!("Guide {i}: {} and {}", words[i % 15], words[(i / 15) % 15])
                    },
                    aliases: vec![],
                    keywords: vec![words[(i * 3) % words.len()].to_string()],
                    description: format!("About {} {}.", words[i % 15], words[(i * 5) % 15]),
                    body: body.join(" "),
                    class: if i < 400 {
                        crate::Class::of_code(code).unwrap_or_default()
                    } else {
                        crate::Class::Guide
                    },
                    status: (i < 400).then_some(crate::Status::Official),
                    vendor: None,
                    url: if i < 400 {
                        format!("/http-codes/{code}/")
                    } else {
                        format!("/guides/g{i}/")
                    },
                    key: None,
                    http_status: None,
                    family: None,
                }
            })
            .collect()
    }

    /// Answers `query` over a split index the way the browser does: search, fetch what it
    /// asked for, search again. Returns the hits and the number of fetch rounds.
    fn search_split(
        index: &SearchIndex,
        store: &ChunkStore,
        chunks: &HashMap<String, Vec<u8>>,
        query: &str,
    ) -> (Vec<crate::Hit>, usize) {
        for round in 0..10 {
            match store.search(index, query, 10).unwrap() {
                Answer::Hits(hits) => return (hits, round),
                Answer::Need(missing) => {
                    assert!(!missing.is_empty(), "{query:?}: asked for nothing");
                    for name in missing {
                        store.add(chunks[&name].clone()).unwrap();
                    }
                }
            }
        }
        panic!("{query:?} still misses chunks after 10 rounds");
    }

    #[test]
    fn split_answers_like_whole() {
        let bundle = crate::build_bundle(&docs(900)).unwrap();
        let whole = SearchIndex::open(bundle.clone()).unwrap();
        let split = split_bundle(bundle).unwrap();
        let total: usize = split.chunks.iter().map(|c| c.1.len()).sum();
        eprintln!(
            "head {} chunks {} ({total} B)",
            split.head.len(),
            split.chunks.len()
        );
        assert!(split.chunks.len() > 3, "{} chunks", split.chunks.len());
        let chunks: HashMap<String, Vec<u8>> = split.chunks.iter().cloned().collect();
        let (index, store) = open_split(split.head.clone()).unwrap();
        let queries = [
            "gateway timeout",
            "gatway",
            "5xx",
            "52",
            "404",
            "guide proxy",
            "tok",
            "retry limit",
            "zzzz",
            "class:4xx cache",
            "payload too large",
        ];
        let mut fetched_some = false;
        for q in queries {
            let want = whole.search(q, 10).unwrap();
            let (got, rounds) = search_split(&index, &store, &chunks, q);
            fetched_some |= rounds > 0;
            // One round for the terms' dictionary blocks, one for their postings, one for
            // the documents of the hits.
            assert!(rounds <= 3, "{q:?} took {rounds} rounds");
            assert_eq!(got, want, "{q:?}");
        }
        assert!(fetched_some, "no query needed a chunk: nothing was tested");
        assert!(store.loaded() < chunks.len() + 1000);
    }

    /// The manifest line of the chunked file of `head` whose name ends with `extension`.
    fn manifest_line(head: &[u8], extension: &str) -> String {
        let files = bundle::decode_version(OwnedBytes::new(head.to_vec()), SPLIT_VERSION).unwrap();
        let manifest = std::str::from_utf8(files[MANIFEST].as_slice()).unwrap();
        manifest
            .lines()
            .find(|l| l.split('\t').next().unwrap().ends_with(extension))
            .unwrap_or_else(|| panic!("no chunked {extension} file"))
            .to_string()
    }

    /// The store is cut at its blocks: showing a result fetches one store chunk, its block
    /// (with fixed 1 KB chunks a block of ~1.2 KB took two or three).
    #[test]
    fn a_result_shown_fetches_one_store_chunk() {
        let split = split_bundle(crate::build_bundle(&docs(900)).unwrap()).unwrap();
        let line = manifest_line(&split.head, ".store");
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields[2], "0", "the store is cut at its blocks: {line}");
        let store_chunks: BTreeSet<&str> = fields[3]
            .split(',')
            .map(|entry| entry.split(':').next().unwrap())
            .collect();
        assert!(
            store_chunks.len() > 20,
            "{} store chunks",
            store_chunks.len()
        );
        let chunks: HashMap<String, Vec<u8>> = split.chunks.iter().cloned().collect();
        let mut fetched = 0;
        for (query, limit) in [("gateway timeout", 1), ("guide proxy", 1), ("retry", 3)] {
            let (index, store) = open_split(split.head.clone()).unwrap();
            for (name, bytes) in &chunks {
                if !store_chunks.contains(name.as_str()) {
                    store.add(bytes.clone()).unwrap();
                }
            }
            let mut store_fetches = 0;
            let hits = loop {
                match store.search(&index, query, limit).unwrap() {
                    Answer::Hits(hits) => break hits,
                    Answer::Need(missing) => {
                        for name in missing {
                            assert!(store_chunks.contains(name.as_str()), "{name}");
                            store_fetches += 1;
                            store.add(chunks[&name].clone()).unwrap();
                        }
                    }
                }
            };
            assert_eq!(hits.len(), limit, "{query:?}");
            assert!(
                store_fetches <= limit,
                "{query:?}: {store_fetches} store chunks for {limit} results"
            );
            fetched += store_fetches;
        }
        assert!(
            fetched > 0,
            "no result needed a store chunk: nothing was tested"
        );
    }

    /// The dictionaries are cut at their blocks: looking a term up fetches one chunk (with
    /// fixed 2 KB chunks a block of about 4 KB took two or three).
    #[test]
    fn a_term_looked_up_fetches_one_dictionary_chunk() {
        let mut docs = docs(900);
        for (i, doc) in docs.iter_mut().enumerate() {
            // Words of their own: a body dictionary of many blocks.
            let own: Vec<String> = (0..40).map(|k| format!("w{}x{k}", i * 7 % 997)).collect();
            doc.body.push(' ');
            doc.body.push_str(&own.join(" "));
        }
        let split = split_bundle(crate::build_bundle(&docs).unwrap()).unwrap();
        let line = manifest_line(&split.head, ".term");
        assert_eq!(line.split('\t').nth(2), Some("0"), "cut at blocks: {line}");
        let mut fetched = 0;
        for word in ["w7x3", "w500x39", "w996x0", "w123x20", "gateway", "zzz"] {
            let (index, store) = open_split(split.head.clone()).unwrap();
            let body = index.fields().body;
            let dictionary = index
                .searcher()
                .segment_reader(0)
                .inverted_index(body)
                .unwrap();
            let _ = dictionary.terms().get(word.as_bytes());
            let missing = store.take_missing();
            assert!(missing.len() <= 1, "{word}: {missing:?}");
            fetched += missing.len();
        }
        assert!(
            fetched > 0,
            "every block was in the head: nothing was tested"
        );
    }

    #[test]
    fn manifest_lists_are_checked() {
        assert_eq!(
            manifest_chunks("f", 10, 4, "a,b,c").unwrap(),
            (vec!["a".into(), "b".into(), "c".into()], vec![0, 4, 8])
        );
        assert_eq!(
            manifest_chunks("f", 10, 0, "a:3,b:7").unwrap(),
            (vec!["a".into(), "b".into()], vec![0, 3])
        );
        for (len, size, list) in [
            (10, 4, "a,b"),
            (10, 4, "a,b,c,d"),
            (10, 0, "a:3,b:6"),
            (10, 0, "a:3,b:8"),
            (10, 0, "a:3,b"),
            (10, 0, "a:0,b:10"),
            (10, 0, "a:x,b:7"),
            (10, 0, "a:3,b:18446744073709551615"),
        ] {
            assert!(
                manifest_chunks("f", len, size, list).is_err(),
                "{len} {size} {list}"
            );
        }
    }

    /// Read-ahead is the state of one search call on one thread: another thread's search
    /// (tests run in parallel; a server may too) does not turn it on here. (With a process-wide
    /// counter it did, and a parallel test then saw its warm-up read chunks outside the head.)
    #[test]
    fn prefetching_is_per_thread() {
        let (started, guard_alive) = std::sync::mpsc::channel();
        let (finish, finished) = std::sync::mpsc::channel::<()>();
        let elsewhere = std::thread::spawn(move || {
            let _prefetching = Prefetching::new();
            started.send(prefetching()).unwrap();
            finished.recv().unwrap();
        });
        assert!(
            guard_alive.recv().unwrap(),
            "on the thread holding the guard"
        );
        let here = prefetching();
        finish.send(()).unwrap();
        elsewhere.join().unwrap();
        assert!(!here, "another thread's guard turned read-ahead on here");
        let _prefetching = Prefetching::new();
        assert!(prefetching());
    }

    /// The `.term` file is never in the head whole, and of a field's dictionary larger than
    /// [`SMALL_PART`] only what opening it reads is: at three times the documents (and a
    /// larger vocabulary) the head grows by less than half what the dictionaries do (field
    /// norms and the chunk list grow with the documents).
    #[test]
    fn head_stays_small_as_the_vocabulary_grows() {
        let with_vocabulary = |n: usize| -> Vec<Document> {
            let mut docs = docs(n);
            for (i, doc) in docs.iter_mut().enumerate() {
                // Words of their own: the term dictionaries grow with the documents.
                let own: Vec<String> = (0..40).map(|k| format!("w{}x{k}", i * 7 % 997)).collect();
                doc.body.push(' ');
                doc.body.push_str(&own.join(" "));
            }
            docs
        };
        let dictionary_bytes = |bundle: &[u8]| -> usize {
            bundle::decode(OwnedBytes::new(bundle.to_vec()))
                .unwrap()
                .iter()
                .filter(|(p, _)| p.ends_with(".term"))
                .map(|(_, b)| b.len())
                .sum()
        };
        let small = crate::build_bundle(&with_vocabulary(300)).unwrap();
        let large = crate::build_bundle(&with_vocabulary(900)).unwrap();
        let (dict_small, dict_large) = (dictionary_bytes(&small), dictionary_bytes(&large));
        let head_small = split_bundle(small).unwrap().head.len();
        let head_large = split_bundle(large.clone()).unwrap().head;
        let whole_in_head =
            bundle::decode_version(OwnedBytes::new(head_large.clone()), SPLIT_VERSION)
                .unwrap()
                .into_keys()
                .filter(|p| p.ends_with(".term"))
                .count();
        assert_eq!(whole_in_head, 0, "a term dictionary is in the head whole");
        let head_large = head_large.len();
        eprintln!(
            "dictionaries {dict_small} -> {dict_large} B, head {head_small} -> {head_large} B"
        );
        assert!(
            dict_large > dict_small + 20_000,
            "the fixture's vocabulary did not grow"
        );
        assert!(
            head_large - head_small < (dict_large - dict_small) / 2,
            "the head grew with the dictionaries: {head_small} -> {head_large} B"
        );
    }

    #[test]
    fn split_is_deterministic_and_loads_whole() {
        let bundle = crate::build_bundle(&docs(300)).unwrap();
        let a = split_bundle(bundle.clone()).unwrap();
        assert_eq!(a, split_bundle(bundle.clone()).unwrap());
        assert!(is_split(&a.head) && !is_split(&bundle));
        let chunks: HashMap<String, Vec<u8>> = a.chunks.iter().cloned().collect();
        let index = open_split_with(a.head.clone(), |n| Ok(chunks[n].clone())).unwrap();
        let whole = SearchIndex::open(bundle).unwrap();
        assert_eq!(
            index.search("gateway proxy", 20).unwrap(),
            whole.search("gateway proxy", 20).unwrap()
        );
    }

    #[test]
    fn refuses_foreign_and_damaged_chunks() {
        let split = split_bundle(crate::build_bundle(&docs(900)).unwrap()).unwrap();
        let (_, store) = open_split(split.head.clone()).unwrap();
        let err = store.add(b"not a chunk".to_vec()).unwrap_err();
        assert!(err.to_string().contains("not part of this index"), "{err}");
        let mut head = split.head;
        head.truncate(head.len() / 2);
        assert!(open_split(head).is_err());
        assert!(open_split(b"SRSEARCH".to_vec()).is_err());
    }
}
