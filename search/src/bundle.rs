//! The index bundle: a whole tantivy index in one file, and a read-only [`Directory`] over it.
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"SRSEARCH"
//! 8       4     version, u32 little-endian (1)
//! 12      4     file count n, u32 LE
//! 16      ...   n entries: name length u16 LE, name (UTF-8), offset u32 LE, length u32 LE
//! ...     ...   file contents, in table order; offsets count from the start of the bundle
//! ```
//!
//! The files are tantivy's `meta.json` and the files of the one segment. The segment's random
//! id is replaced by one derived from a hash of its contents, so identical input gives an
//! identical bundle.
//!
//! Analysing the text (words, camel-case parts, English stems, word pairs) is most of the work
//! of indexing, and tantivy does it on its one indexing thread. So the writer gets the fields
//! it does not store (`aliases`, `keywords`, `body`, `pairs`) already analysed: the documents
//! are analysed in parallel, a batch at a time, into a compact token list
//! ([`PreAnalyzer`]) which a trivial tokenizer ([`PreAnalyzedTokenizer`]) hands to the
//! postings. The tokens are the same, so the index is the same, byte for byte (a test builds
//! each corpus both ways). Stored fields (title, description, vendor) keep their text: the
//! document store keeps what the writer is given.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, OwnedBytes, RamDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{Field, Schema};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Directory, Index, IndexSettings, IndexWriter, TantivyDocument};

use crate::query::content_words;
use crate::schema::{self, camel_parts, has_inner_uppercase, normalize_name, Analysis, Fields};
use crate::status::{Status, GUIDE};
use crate::{Document, Error, Result};

/// First bytes of every bundle.
pub const BUNDLE_MAGIC: &[u8; 8] = b"SRSEARCH";
/// Version of the bundle layout (not of the index inside).
pub const BUNDLE_VERSION: u32 = 1;

/// Memory budget of the one indexing thread: a reference site fits in one segment.
const WRITER_MEMORY_BUDGET: usize = 64 * 1024 * 1024;
/// Longest body excerpt stored for documents without a description.
const EXCERPT_LEN: usize = 240;
const META_FILE: &str = "meta.json";
/// Uncompressed bytes per document-store block.
const DOCSTORE_BLOCK_SIZE: usize = 2048;
/// Documents analysed at a time, in parallel, ahead of the writer: small enough that the
/// batches in flight stay a few megabytes, large enough to keep every core busy.
#[cfg(not(target_arch = "wasm32"))]
const BATCH: usize = 128;

/// Indexes `docs` and packs the index into one bundle.
///
/// The documents are indexed in code order (guides last, then by title and URL) by one
/// writer thread, their unstored text analysed in parallel ahead of it (see the module
/// documentation); committed, merged into one segment and garbage-collected. The result is
/// byte-identical for identical input, whatever the number of cores.
///
/// # Errors
///
/// [`Error::InvalidDocument`] for a document whose code is out of `100..=999`; an
/// [`Error::Tantivy`] if indexing fails.
pub fn build_bundle(docs: &[Document]) -> Result<Vec<u8>> {
    build_with(docs, Analysis::PreAnalyzed)
}

/// [`build_bundle`]; with [`Analysis::Named`] the way it was built before the analysis moved
/// ahead of the writer (every field's text given to tantivy as is, on one thread): the
/// reference the tests hold the parallel build to.
fn build_with(docs: &[Document], analysis: Analysis) -> Result<Vec<u8>> {
    let schema = schema::schema_for(analysis);
    let fields = Fields::from_schema(&schema)?;
    let dir = RamDirectory::create();
    let settings = IndexSettings {
        docstore_compress_dedicated_thread: false,
        // Small blocks: the browser fetches the block of each result it shows (chunks.rs), and
        // a 16 KB block (the default) holds ~60 documents of which it needs one.
        docstore_blocksize: DOCSTORE_BLOCK_SIZE,
        ..IndexSettings::default()
    };
    let index = Index::create(dir.clone(), schema.clone(), settings)?;
    schema::register_analyzers(&index);
    if analysis == Analysis::PreAnalyzed {
        index
            .tokenizers()
            .register(schema::PRE_ANALYZED, PreAnalyzedTokenizer);
        index
            .tokenizers()
            .register(schema::PRE_ANALYZED_PAIRS, PreAnalyzedTokenizer);
    }

    let mut sorted: Vec<&Document> = docs.iter().collect();
    sorted.sort_by(|a, b| {
        (a.code.is_none(), a.code, &a.title, &a.url).cmp(&(
            b.code.is_none(),
            b.code,
            &b.title,
            &b.url,
        ))
    });

    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY_BUDGET)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    match analysis {
        Analysis::Named => {
            for (ord, doc) in sorted.iter().enumerate() {
                writer.add_document(to_tantivy(&fields, doc, ord as u64, &mut Texts::AsIs)?)?;
            }
        }
        Analysis::PreAnalyzed => feed_pre_analyzed(&writer, &fields, &sorted)?,
    }
    writer.commit()?;

    let mut segments = index.searchable_segment_metas()?;
    if segments.len() > 1 {
        // Merge in input order so that doc ids follow `sorted`.
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut first_ord: Vec<(u64, tantivy::index::SegmentId)> = Vec::new();
        for seg in searcher.segment_readers() {
            let ords = seg.fast_fields().u64("ord")?;
            first_ord.push((ords.first(0).unwrap_or(u64::MAX), seg.segment_id()));
        }
        first_ord.sort();
        let ids: Vec<_> = first_ord.into_iter().map(|(_, id)| id).collect();
        writer.merge(&ids).wait()?;
        segments = index.searchable_segment_metas()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut meta = String::from_utf8(read(&dir, Path::new(META_FILE))?)
        .map_err(|_| invalid("meta.json is not UTF-8"))?;
    if analysis == Analysis::PreAnalyzed {
        meta = name_analyzers(&meta)?;
    }
    match segments.as_slice() {
        [] => files.push((META_FILE.to_string(), meta.into_bytes())),
        [segment] => {
            let old_id = segment.id().uuid_string();
            let mut seg_files: Vec<(String, Vec<u8>)> = Vec::new();
            for ext in ["idx", "pos", "term", "store", "fast", "fieldnorm", "del"] {
                let name = format!("{old_id}.{ext}");
                let path = PathBuf::from(&name);
                if !dir.exists(&path).unwrap_or(false) {
                    continue;
                }
                let bytes = read(&dir, &path)?;
                seg_files.push((name, bytes));
            }
            seg_files.sort();
            let new_id = content_id(&seg_files);
            let new_hyphenated = hyphenate(&new_id);
            let meta = meta
                .replace(&hyphenate(&old_id), &new_hyphenated)
                .replace(&old_id, &new_id);
            files.push((META_FILE.to_string(), meta.into_bytes()));
            for (name, bytes) in seg_files {
                files.push((name.replace(&old_id, &new_id), bytes));
            }
        }
        _ => return Err(invalid("the index did not merge into one segment")),
    }
    encode(&files)
}

/// Gives `meta.json` of an index written with [`Analysis::PreAnalyzed`] the analyzer names
/// readers know (the names are all that differs: the tokens were the same).
fn name_analyzers(meta: &str) -> Result<String> {
    let mut meta = meta.to_string();
    for (writer, reader) in [
        (schema::PRE_ANALYZED, schema::TEXT_ANALYZER),
        (schema::PRE_ANALYZED_PAIRS, schema::PAIRS_ANALYZER),
    ] {
        let quoted = format!("\"{writer}\"");
        if !meta.contains(&quoted) {
            return Err(invalid(&format!(
                "meta.json does not name the analyzer {writer}"
            )));
        }
        meta = meta.replace(&quoted, &format!("\"{reader}\""));
    }
    // What readers will see must be the readers' schema, exactly.
    let written: serde_json::Value = serde_json::from_str(&meta)
        .map_err(|e| invalid(&format!("meta.json does not parse: {e}")))?;
    let expected = serde_json::to_value(schema::schema())
        .map_err(|e| invalid(&format!("the schema does not serialize: {e}")))?;
    if written.get("schema") != Some(&expected) {
        return Err(invalid(
            "meta.json's schema differs from the readers' schema in more than analyzer names",
        ));
    }
    Ok(meta)
}

/// Analyses the documents a batch at a time on rayon's threads and feeds them to `writer` in
/// order; the next batch is analysed while the writer indexes this one.
///
/// The calling thread runs the analysis and a scoped thread hands the documents to the writer:
/// the thread that blocks waiting is never a rayon worker, so this cannot deadlock when called
/// from inside rayon's pool, even with one thread.
#[cfg(not(target_arch = "wasm32"))]
fn feed_pre_analyzed(writer: &IndexWriter, fields: &Fields, sorted: &[&Document]) -> Result<()> {
    use rayon::prelude::*;

    std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Result<TantivyDocument>>>(2);
        let feeder = scope.spawn(move || -> Result<()> {
            for batch in received {
                for doc in batch {
                    writer.add_document(doc?)?;
                }
            }
            Ok(())
        });
        let analyse = || {
            for (b, chunk) in sorted.chunks(BATCH).enumerate() {
                let batch: Vec<Result<TantivyDocument>> = chunk
                    .par_iter()
                    .enumerate()
                    .map_init(PreAnalyzer::new, |analyzer, (i, doc)| {
                        let ord = (b * BATCH + i) as u64;
                        to_tantivy(fields, doc, ord, &mut Texts::Analyzed(analyzer))
                    })
                    .collect();
                // The receiver is gone when the feeder stopped on an error: it reports it.
                if batches.send(batch).is_err() {
                    break;
                }
            }
        };
        match analysis_pool() {
            Some(pool) => pool.install(analyse),
            None => analyse(),
        }
        drop(batches);
        feeder
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The threads that analyse the documents ahead of the writer: their own, not rayon's global
/// pool, where a build renders its pages at the same time; there the analysis would wait
/// until every page is rendered, the writer idle meanwhile, then run with the writer alone
/// on the cores. One thread fewer than the cores, so the writer keeps one. `None` if the
/// threads cannot be started (the global pool then serves).
#[cfg(not(target_arch = "wasm32"))]
fn analysis_pool() -> Option<rayon::ThreadPool> {
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("statusref-analyse-{i}"))
        .build()
        .ok()
}

/// [`feed_pre_analyzed`] without threads (a wasm build reads bundles; it does not write them,
/// but the crate compiles there too).
#[cfg(target_arch = "wasm32")]
fn feed_pre_analyzed(writer: &IndexWriter, fields: &Fields, sorted: &[&Document]) -> Result<()> {
    let mut analyzer = PreAnalyzer::new();
    for (ord, doc) in sorted.iter().enumerate() {
        let doc = to_tantivy(fields, doc, ord as u64, &mut Texts::Analyzed(&mut analyzer))?;
        writer.add_document(doc)?;
    }
    Ok(())
}

/// Ends a token in [`PreAnalyzer`]'s encoding.
const TOKEN_END: char = '\u{1e}';
/// Opens and separates an explicit position and position length in [`PreAnalyzer`]'s encoding.
const TOKEN_POSITION: char = '\u{1d}';
/// Opens and ends a count before a token that stands for this many tokens in a row
/// ([`PreAnalyzer::counted_words`]).
const TOKEN_REPEAT: char = '\u{1c}';
/// Distinct words whose stems each thread keeps (words are under 40 bytes: about ten megabytes
/// at most; input with more distinct words is stemmed without the cache past that).
const STEM_CACHE_WORDS: usize = 100_000;

thread_local! {
    /// Word → English stem, for this thread's [`PreAnalyzer`]s: prose repeats its words, and
    /// stemming is the costliest step of analysis.
    static STEMS: RefCell<StemCache> = RefCell::new(StemCache::default());
}

/// Each word seen (as written) gets a number, its stem kept under that number: a document's
/// words are then counted in an array ([`PreAnalyzer::counted_words`]), not a map.
#[derive(Default)]
struct StemCache {
    ids: FxHashMap<String, u32>,
    stems: Vec<String>,
}

/// How often each cached word occurs in one text, for [`PreAnalyzer::counted_words`].
#[derive(Default)]
struct WordCounts {
    /// By word number; zero but for the words of `seen`.
    counts: Vec<u32>,
    /// The numbers of the words counted so far, in order of first occurrence.
    seen: Vec<u32>,
}

/// Analyses text as the index's analyzers do, into one string the writer's
/// [`PreAnalyzedTokenizer`] reads back token by token: each token's text followed by
/// [`TOKEN_END`], preceded by `TOKEN_POSITION position TOKEN_POSITION length TOKEN_POSITION`
/// unless it sits one position after the token before it (the first at 0) and spans one; or,
/// in [`PreAnalyzer::counted_words`], by `TOKEN_REPEAT count TOKEN_REPEAT` for a token that
/// comes `count` times in a row. Token texts are letters and digits (and what lowercasing
/// makes of them) and, for pairs, one space: the markers, control characters, cannot occur in
/// them.
pub(crate) struct PreAnalyzer {
    /// A lowercased word.
    lower: String,
    stemmer: frostem::Stemmer,
    /// Reused by [`PreAnalyzer::counted_words`].
    counts: WordCounts,
}

/// Words of this many bytes or more are dropped (as by [`schema::text_analyzer`]'s
/// `RemoveLongFilter::limit(40)`).
const LONG_WORD: usize = 40;

impl PreAnalyzer {
    fn new() -> PreAnalyzer {
        PreAnalyzer {
            lower: String::new(),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            counts: WordCounts::default(),
        }
    }

    /// `text` through [`schema::TEXT_ANALYZER`], encoded.
    ///
    /// The analyzer's steps, without its per-token allocations: the words of
    /// [`alphanumeric_runs`], each followed by its camel-case parts
    /// ([`IdentifierTokenizer`](schema::IdentifierTokenizer): only a word with an uppercase
    /// letter has any), words of [`LONG_WORD`] bytes or more dropped, lowercased as tantivy's
    /// `LowerCaser` does, and stemmed through this thread's cache. The tests hold it to the
    /// analyzer itself.
    fn words(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let mut next = 0;
        self.analyze(text, None, &mut |position, stem, _| {
            push_token(&mut out, &mut next, position, 1, stem);
        });
        out
    }

    /// The tokens of [`PreAnalyzer::words`] for a field indexed without positions (the body):
    /// their order and positions are not recorded there, only each term's count and the
    /// number of tokens. So each word is written once with its count ([`TOKEN_REPEAT`]), and
    /// the writer takes a repeated term from the same place in its memory, one token after
    /// the other, instead of parsing and looking it up again between other terms. The index
    /// is byte for byte the one [`PreAnalyzer::words`] gives.
    fn counted_words(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() / 2);
        let mut counts = std::mem::take(&mut self.counts);
        self.analyze(text, Some(&mut counts), &mut |_, stem, count| {
            if count > 1 {
                out.push(TOKEN_REPEAT);
                // Once per repeated word of every body: itoa, not `fmt`'s machinery.
                out.push_str(itoa::Buffer::new().format(count));
                out.push(TOKEN_REPEAT);
            }
            out.push_str(stem);
            out.push(TOKEN_END);
        });
        self.counts = counts;
        out
    }

    /// Calls `emit(position, stem, 1)` for each token of `text` (see [`PreAnalyzer::words`]).
    /// With `counts`, the words the cache holds are counted there instead and come last, each
    /// once, as `emit(0, stem, count)`, in the order they first occur; words the cache has no
    /// room for (past [`STEM_CACHE_WORDS`]) still come one by one.
    fn analyze(
        &mut self,
        text: &str,
        counts: Option<&mut WordCounts>,
        emit: &mut dyn FnMut(usize, &str, u32),
    ) {
        let mut position = 0;
        STEMS.with(|stems| {
            let mut stems = stems.borrow_mut();
            let mut word = Word {
                stems: &mut stems,
                stemmer: &self.stemmer,
                lower: &mut self.lower,
                counts,
                emit,
            };
            for (text, inner_upper) in alphanumeric_runs(text) {
                let parts = if inner_upper {
                    camel_parts(text)
                } else {
                    Vec::new()
                };
                word.push(text, position);
                if parts.len() > 1 {
                    for (i, &(start, end)) in parts.iter().enumerate() {
                        word.push(&text[start..end], position + i);
                    }
                    position += parts.len();
                } else {
                    position += 1;
                }
            }
            if let Some(counts) = word.counts {
                for &id in &counts.seen {
                    let count = std::mem::take(&mut counts.counts[id as usize]);
                    (word.emit)(0, &word.stems.stems[id as usize], count);
                }
                counts.seen.clear();
            }
        });
    }

    /// [`schema::content_stems`], through this thread's stem cache.
    fn content_stems(&mut self, text: &str) -> Vec<String> {
        let mut stems = Vec::new();
        for word in content_words(text) {
            self.analyze(&word, None, &mut |_, stem, _| stems.push(stem.to_string()));
        }
        stems
    }

    /// [`schema::phrase_key`], through this thread's stem cache.
    #[cfg(test)]
    fn phrase_key(&mut self, text: &str) -> Option<String> {
        phrase_of(&self.content_stems(text))
    }

    /// `text` through [`schema::PAIRS_ANALYZER`]
    /// ([`PairTokenizer`](schema::PairTokenizer)), encoded.
    fn pairs(&mut self, text: &str) -> String {
        pairs_of(&self.content_stems(text))
    }

    /// [`PreAnalyzer::phrase_key`] and [`PreAnalyzer::pairs`] of `text`, from one analysis
    /// (a name's words give both).
    fn phrase_and_pairs(&mut self, text: &str) -> (Option<String>, String) {
        let stems = self.content_stems(text);
        (phrase_of(&stems), pairs_of(&stems))
    }
}

/// The `phrases` term of a text whose content stems are `stems`: two or more, joined.
fn phrase_of(stems: &[String]) -> Option<String> {
    (stems.len() >= 2).then(|| stems.join(" "))
}

/// The `pairs` field's tokens of a text whose content stems are `stems`, encoded.
fn pairs_of(stems: &[String]) -> String {
    let mut out = String::new();
    let mut next = 0;
    for (position, pair) in stems.windows(2).enumerate() {
        push_token(
            &mut out,
            &mut next,
            position,
            1,
            &schema::pair_key(&pair[0], &pair[1]),
        );
    }
    out
}

/// The words of tantivy's [`SimpleTokenizer`](tantivy::tokenizer::SimpleTokenizer) (the first
/// step of [`schema::text_analyzer`]'s [`IdentifierTokenizer`](schema::IdentifierTokenizer)):
/// the runs of alphanumeric characters, as slices of `text` (the tokenizer copies each into its
/// token), ASCII a byte at a time; each with whether [`camel_parts`] may cut it
/// ([`has_inner_uppercase`]), found on the way.
fn alphanumeric_runs(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let bytes = text.as_bytes();
    // The character at `at`: its length, and whether it is alphanumeric.
    let char_at = move |at: usize| -> (usize, bool) {
        let c = text[at..].chars().next().unwrap_or_default();
        (c.len_utf8(), c.is_alphanumeric())
    };
    let mut at = 0;
    std::iter::from_fn(move || {
        // Up to the next word.
        while at < bytes.len() {
            let b = bytes[at];
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    break;
                }
                at += 1;
            } else {
                let (len, alphanumeric) = char_at(at);
                if alphanumeric {
                    break;
                }
                at += len;
            }
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        let mut inner_upper = false;
        let mut ascii = true;
        while at < bytes.len() {
            let b = bytes[at];
            if b < 0x80 {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                inner_upper |= at > start && b.is_ascii_uppercase();
                at += 1;
            } else {
                let (len, alphanumeric) = char_at(at);
                if !alphanumeric {
                    break;
                }
                ascii = false;
                at += len;
            }
        }
        let word = &text[start..at];
        Some((word, inner_upper || (!ascii && has_inner_uppercase(word))))
    })
}

/// One word's way through [`PreAnalyzer::analyze`]: the cache, the stemmer, the caller.
struct Word<'a> {
    stems: &'a mut StemCache,
    stemmer: &'a frostem::Stemmer,
    lower: &'a mut String,
    counts: Option<&'a mut WordCounts>,
    emit: &'a mut dyn FnMut(usize, &str, u32),
}

impl Word<'_> {
    /// Drops a long `word`, lowercases and stems the others into the output. The cache is
    /// keyed by the word as written, so that a word seen before is neither lowercased nor
    /// stemmed again.
    fn push(&mut self, word: &str, position: usize) {
        if word.len() >= LONG_WORD {
            return;
        }
        if let Some(&id) = self.stems.ids.get(word) {
            match &mut self.counts {
                Some(counts) => counts.add(id),
                None => (self.emit)(position, &self.stems.stems[id as usize], 1),
            }
            return;
        }
        self.lower.clear();
        if word.is_ascii() {
            self.lower.push_str(word);
            self.lower.make_ascii_lowercase();
        } else {
            // As tantivy's LowerCaser: char by char (no final-sigma rule).
            self.lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        let stem = self.stemmer.stem(self.lower).into_owned();
        if self.stems.stems.len() >= STEM_CACHE_WORDS {
            (self.emit)(position, &stem, 1);
            return;
        }
        let id = self.stems.stems.len() as u32;
        self.stems.ids.insert(word.to_string(), id);
        match &mut self.counts {
            Some(counts) => counts.add(id),
            None => (self.emit)(position, &stem, 1),
        }
        self.stems.stems.push(stem);
    }
}

impl WordCounts {
    fn add(&mut self, id: u32) {
        let i = id as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        if self.counts[i] == 0 {
            self.seen.push(id);
        }
        self.counts[i] += 1;
    }
}

fn push_token(out: &mut String, next: &mut usize, position: usize, length: usize, text: &str) {
    if position != *next || length != 1 {
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "{TOKEN_POSITION}{position}{TOKEN_POSITION}{length}{TOKEN_POSITION}"
        );
    }
    out.push_str(text);
    out.push(TOKEN_END);
    *next = position + 1;
}

/// The writer's tokenizer for text a [`PreAnalyzer`] encoded: the tokens back, with their
/// positions (offsets are not indexed: they are left at 0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PreAnalyzedTokenizer;

impl Tokenizer for PreAnalyzedTokenizer {
    type TokenStream<'a> = PreAnalyzedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PreAnalyzedStream<'a> {
        PreAnalyzedStream {
            rest: text,
            next: 0,
            repeats: 0,
            token: Token::default(),
        }
    }
}

/// The token stream of [`PreAnalyzedTokenizer`].
pub(crate) struct PreAnalyzedStream<'a> {
    /// The encoding still to read.
    rest: &'a str,
    next: usize,
    /// How many more times the current token comes, at the next positions.
    repeats: u32,
    token: Token,
}

impl TokenStream for PreAnalyzedStream<'_> {
    fn advance(&mut self) -> bool {
        if self.repeats > 0 {
            self.repeats -= 1;
            self.token.position = self.next;
            self.next += 1;
            return true;
        }
        if self.rest.is_empty() {
            return false;
        }
        // Entries are short: a byte loop finds their end sooner than `memchr`'s setup.
        let end = self
            .rest
            .bytes()
            .position(|b| b == TOKEN_END as u8)
            .unwrap_or(self.rest.len());
        let mut entry = &self.rest[..end];
        self.rest = self.rest.get(end + 1..).unwrap_or("");
        if let Some((count, text)) = entry
            .strip_prefix(TOKEN_REPEAT)
            .and_then(|counted| counted.split_once(TOKEN_REPEAT))
        {
            self.repeats = count.parse::<u32>().map_or(0, |c| c.saturating_sub(1));
            entry = text;
        }
        let (position, length, text) = match entry.strip_prefix(TOKEN_POSITION) {
            Some(rest) => {
                let mut parts = rest.splitn(3, TOKEN_POSITION);
                let position = parts.next().and_then(|p| p.parse().ok());
                let length = parts.next().and_then(|l| l.parse().ok());
                (
                    position.unwrap_or(self.next),
                    length.unwrap_or(1),
                    parts.next().unwrap_or(""),
                )
            }
            None => (self.next, 1, entry),
        };
        self.token.text.clear();
        self.token.text.push_str(text);
        self.token.position = position;
        self.token.position_length = length;
        self.next = position + 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// How [`to_tantivy`] gives the writer the text of the fields it does not store.
enum Texts<'a> {
    /// As written, for the field's analyzer ([`Analysis::Named`]).
    AsIs,
    /// Analysed here ([`Analysis::PreAnalyzed`]).
    Analyzed(&'a mut PreAnalyzer),
}

impl Texts<'_> {
    /// Adds `text` to an unstored field analysed as words.
    fn add_words(&mut self, doc: &mut TantivyDocument, field: Field, text: &str) {
        match self {
            Texts::AsIs => doc.add_text(field, text),
            Texts::Analyzed(analyzer) => doc.add_text(field, analyzer.words(text)),
        }
    }

    /// Adds `text` to an unstored field analysed as words and indexed without positions.
    fn add_counted_words(&mut self, doc: &mut TantivyDocument, field: Field, text: &str) {
        match self {
            Texts::AsIs => doc.add_text(field, text),
            Texts::Analyzed(analyzer) => doc.add_text(field, analyzer.counted_words(text)),
        }
    }

    /// The `phrases` term of a name, alias or keyword ([`schema::phrase_key`]), and the text
    /// to give the `pairs` field for it: both from one analysis.
    fn name_pairs(&mut self, text: &str) -> (Option<String>, String) {
        match self {
            Texts::AsIs => (schema::phrase_key(text), text.to_string()),
            Texts::Analyzed(analyzer) => analyzer.phrase_and_pairs(text),
        }
    }

    /// The text to give the `pairs` field for `text`.
    fn pairs(&mut self, text: &str) -> String {
        match self {
            Texts::AsIs => text.to_string(),
            Texts::Analyzed(analyzer) => analyzer.pairs(text),
        }
    }
}

fn invalid(reason: &str) -> Error {
    Error::InvalidBundle {
        reason: reason.to_string(),
    }
}

fn read(dir: &RamDirectory, path: &Path) -> Result<Vec<u8>> {
    let slice = dir.open_read(path).map_err(tantivy::TantivyError::from)?;
    let bytes = slice.read_bytes().map_err(|e| Error::InvalidBundle {
        reason: format!("cannot read {}: {e}", path.display()),
    })?;
    Ok(bytes.as_slice().to_vec())
}

/// 32 hex digits derived from the segment files (two independent 64-bit FNV-1a hashes).
fn content_id(files: &[(String, Vec<u8>)]) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x6c62_272e_07bb_0142;
    for (name, bytes) in files {
        // Names start with the random id: hash only their extension.
        let ext = name.rsplit('.').next().unwrap_or("");
        for &b in ext
            .as_bytes()
            .iter()
            .chain(&(bytes.len() as u64).to_le_bytes())
            .chain(bytes)
        {
            h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            h2 = (h2 ^ u64::from(b))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    }
    // Make it a valid v4 UUID so tantivy parses it like its own.
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&h1.to_be_bytes());
    bytes[8..].copy_from_slice(&h2.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hyphenate(simple: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &simple[0..8],
        &simple[8..12],
        &simple[12..16],
        &simple[16..20],
        &simple[20..32]
    )
}

fn to_tantivy(f: &Fields, d: &Document, ord: u64, texts: &mut Texts) -> Result<TantivyDocument> {
    // Fields in the order they always had: the document store keeps stored values in the
    // order they were added. Sized for the text it will hold (the body once, analysed, the
    // names about three times: stored, words, pairs), so that it is not copied as it grows.
    let name_bytes: usize = d.aliases.iter().chain(&d.keywords).map(String::len).sum();
    let mut doc = TantivyDocument::with_capacity(
        256 + d.body.len()
            + d.body.len() / 8
            + 3 * (d.title.len() + name_bytes)
            + 2 * d.description.len(),
    );
    doc.add_text(f.title, &d.title);
    doc.add_text(f.description, &d.description);
    // The body is indexed without positions (schema.rs): its words may come counted.
    texts.add_counted_words(&mut doc, f.body, &d.body);
    doc.add_text(f.class, d.class.to_string());
    doc.add_text(f.status, d.status.map_or(GUIDE, Status::as_str));
    doc.add_text(f.url, &d.url);
    doc.add_u64(f.ord, ord);
    if let Some(code) = d.code {
        if !(100..=999).contains(&code) {
            return Err(Error::InvalidDocument {
                title: d.title.clone(),
                url: d.url.clone(),
                reason: format!("code {code} is not a three-digit number"),
            });
        }
        doc.add_u64(f.code, u64::from(code));
        doc.add_text(f.code_text, code.to_string());
        doc.add_text(f.code_titles, code_title_key(code, &d.title));
    }
    if let Some(key) = &d.key {
        doc.add_text(f.key, key.to_lowercase());
    }
    if let Some(status) = d.http_status {
        doc.add_u64(f.http_status, u64::from(status));
    }
    if let Some(family) = &d.family {
        doc.add_text(f.family, family);
    }
    for alias in &d.aliases {
        texts.add_words(&mut doc, f.aliases, alias);
    }
    for keyword in &d.keywords {
        texts.add_words(&mut doc, f.keywords, keyword);
    }
    if let Some(vendor) = &d.vendor {
        doc.add_text(f.vendor, vendor);
    }
    for flag in d.status.map_or(&[GUIDE][..], Status::flags) {
        doc.add_text(f.flags, *flag);
    }
    if d.key.is_some() {
        // A family entry (`is:entry`): ranked after HTTP codes on near ties.
        doc.add_text(f.flags, "entry");
    }
    let mut names: Vec<String> = Vec::new();
    names.push(normalize_name(&d.title));
    names.push(normalize_name(strip_code(&d.title, d.code)));
    if let Some(key) = &d.key {
        names.push(normalize_name(strip_key(&d.title, key)));
    }
    names.extend(d.aliases.iter().map(|a| normalize_name(a)));
    names.sort();
    names.dedup();
    for name in names.into_iter().filter(|n| !n.is_empty()) {
        doc.add_text(f.name_exact, name);
    }
    if d.description.trim().is_empty() && !d.body.trim().is_empty() {
        doc.add_text(f.excerpt, excerpt(&d.body));
    }
    add_phrases_and_pairs(f, d, &mut doc, texts);
    Ok(doc)
}

/// The `phrases` (names, aliases and keywords whole) and `pairs` (consecutive words of the
/// names, aliases, keywords and description; the body's pairs would quadruple the bundle)
/// of a document.
fn add_phrases_and_pairs(f: &Fields, d: &Document, doc: &mut TantivyDocument, texts: &mut Texts) {
    let title = strip_code(&d.title, d.code);
    // Each name is analysed once for its phrase and its pairs; the phrases are added first.
    let mut pairs: Vec<String> = Vec::with_capacity(2 + d.aliases.len() + d.keywords.len());
    let mut phrases: Vec<String> = Vec::new();
    for text in std::iter::once(title)
        .chain(d.aliases.iter().map(String::as_str))
        .chain(d.keywords.iter().map(String::as_str))
    {
        let (phrase, text_pairs) = texts.name_pairs(text);
        phrases.extend(phrase);
        pairs.push(text_pairs);
    }
    pairs.push(texts.pairs(&d.description));
    phrases.sort();
    phrases.dedup();
    for phrase in phrases {
        doc.add_text(f.phrases, phrase);
    }
    for text in pairs {
        doc.add_text(f.pairs, text);
    }
}

/// The `code_titles` term of a code page: its code, a space, its title.
pub(crate) fn code_title_key(code: u16, title: &str) -> String {
    format!("{code} {title}")
}

/// `"504 Gateway Timeout"` → `"Gateway Timeout"`.
pub(crate) fn strip_code(title: &str, code: Option<u16>) -> &str {
    match code {
        Some(code) => {
            let code = code.to_string();
            match title.trim_start().strip_prefix(code.as_str()) {
                Some(rest) if !rest.starts_with(|c: char| c.is_alphanumeric()) => {
                    rest.trim_start_matches(|c: char| !c.is_alphanumeric())
                }
                _ => title,
            }
        }
        None => title,
    }
}

/// `"500.19 Configuration Error"` → `"Configuration Error"` for the key `500.19`.
fn strip_key<'a>(title: &'a str, key: &str) -> &'a str {
    match title.trim_start().strip_prefix(key) {
        Some(rest) if !rest.starts_with(|c: char| c.is_alphanumeric() || c == '.') => {
            rest.trim_start_matches(|c: char| !c.is_alphanumeric())
        }
        _ => title,
    }
}

/// The beginning of `body`, cut at a word boundary, with an ellipsis when cut.
fn excerpt(body: &str) -> String {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() <= EXCERPT_LEN {
        return body;
    }
    let mut end = EXCERPT_LEN;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let cut = body[..end].rfind(' ').unwrap_or(end);
    format!("{}…", &body[..cut])
}

fn encode(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    encode_version(files, BUNDLE_VERSION)
}

/// Packs `files` in the bundle layout, with `version` in the header (a split head is the same
/// layout with another version: see `chunks.rs`).
pub(crate) fn encode_version(files: &[(String, Vec<u8>)], version: u32) -> Result<Vec<u8>> {
    let table_len: usize = files.iter().map(|(n, _)| 2 + n.len() + 8).sum();
    let data_len: usize = files.iter().map(|(_, b)| b.len()).sum();
    let header_len = 16 + table_len;
    if header_len + data_len > u32::MAX as usize {
        return Err(invalid("the index is larger than 4 GiB"));
    }
    let mut out = Vec::with_capacity(header_len + data_len);
    out.extend_from_slice(BUNDLE_MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    let mut offset = header_len;
    for (name, bytes) in files {
        let name_len = u16::try_from(name.len()).map_err(|_| invalid("file name too long"))?;
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        offset += bytes.len();
    }
    for (_, bytes) in files {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// Splits a bundle into its files, as zero-copy slices of `bytes`.
pub(crate) fn decode(bytes: OwnedBytes) -> Result<BTreeMap<String, OwnedBytes>> {
    decode_version(bytes, BUNDLE_VERSION)
}

/// [`decode`] for a bundle whose header says `expected` (a split head: see `chunks.rs`).
pub(crate) fn decode_version(
    bytes: OwnedBytes,
    expected: u32,
) -> Result<BTreeMap<String, OwnedBytes>> {
    let data = bytes.as_slice();
    if data.len() < 16 || &data[..8] != BUNDLE_MAGIC {
        return Err(invalid("it does not start with the statusref bundle magic"));
    }
    let u32_at = |pos: usize| -> Result<u32> {
        data.get(pos..pos + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| invalid("truncated file table"))
    };
    let version = u32_at(8)?;
    if version != expected {
        let reason = if version == crate::chunks::SPLIT_VERSION {
            "this is the head of an index split into chunks (a built site's assets/index.*.bin): \
             open it with its chunks (`statusref_search::open_split_with`)"
                .to_string()
        } else {
            format!("bundle version {version}, this statusref reads version {expected}; rebuild the site")
        };
        return Err(Error::InvalidBundle { reason });
    }
    let count = u32_at(12)? as usize;
    let mut pos = 16;
    let mut files = BTreeMap::new();
    for _ in 0..count {
        let name_len = data
            .get(pos..pos + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| invalid("truncated file table"))?;
        pos += 2;
        let name = data
            .get(pos..pos + name_len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| invalid("bad file name in the table"))?
            .to_string();
        pos += name_len;
        let offset = u32_at(pos)? as usize;
        let len = u32_at(pos + 4)? as usize;
        pos += 8;
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= data.len())
            .ok_or_else(|| Error::InvalidBundle {
                reason: format!("file {name} lies outside the bundle (truncated download?)"),
            })?;
        files.insert(name, bytes.slice(offset..end));
    }
    if !files.contains_key(META_FILE) {
        return Err(invalid("it has no meta.json"));
    }
    Ok(files)
}

/// A read-only tantivy [`Directory`] over the files of one bundle (or of a split head, whose
/// chunked files arrive later: see `chunks.rs`). Files are known by their names as strings:
/// comparing `Path`s walks their components, and the browser opens an index of tens of files
/// (a split head's inlined chunks) on the way to its first result.
#[derive(Clone, Debug)]
pub(crate) struct BundleDirectory {
    files: Arc<BTreeMap<String, Arc<dyn FileHandle>>>,
}

impl BundleDirectory {
    pub(crate) fn new(files: BTreeMap<String, OwnedBytes>) -> Self {
        Self::from_handles(
            files
                .into_iter()
                .map(|(p, b)| (p, Arc::new(b) as Arc<dyn FileHandle>))
                .collect(),
        )
    }

    pub(crate) fn from_handles(files: BTreeMap<String, Arc<dyn FileHandle>>) -> Self {
        BundleDirectory {
            files: Arc::new(files),
        }
    }

    fn get(&self, path: &Path) -> Option<&Arc<dyn FileHandle>> {
        path.to_str().and_then(|name| self.files.get(name))
    }
}

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("the search bundle is read-only ({})", path.display()),
    )
}

impl Directory for BundleDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.get(path)
            .cloned()
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.get(path).is_some())
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let file = self
            .get(path)
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))?;
        file.read_bytes(0..file.len())
            .map(|b| b.as_slice().to_vec())
            .map_err(|io_error| OpenReadError::IoError {
                io_error: Arc::new(io_error),
                filepath: path.to_path_buf(),
            })
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// Opens the index inside a bundle.
pub(crate) fn open_index(bytes: OwnedBytes) -> Result<(Index, Schema)> {
    let files = decode(bytes)?;
    let index = open_directory(BundleDirectory::new(files))?;
    schema::register_analyzers(&index);
    let schema = index.schema();
    Ok((index, schema))
}

/// Opens the tantivy index in `directory`: natively with `Index::open`, which deserializes
/// `meta.json`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn open_directory(directory: BundleDirectory) -> Result<Index> {
    Ok(Index::open(directory)?)
}

/// Opens the tantivy index in `directory`: in the browser through the patched tantivy's
/// `Index::open_with_segments` (search/wasm/tantivy-wasm.patch), so that no JSON
/// deserializer is compiled into the module. The schema is the readers' own
/// ([`schema::schema`]: the build checks that `meta.json` holds exactly it) and the segments
/// are read off `meta.json` by [`meta_segments`].
#[cfg(target_arch = "wasm32")]
pub(crate) fn open_directory(directory: BundleDirectory) -> Result<Index> {
    let meta = directory
        .atomic_read(Path::new(META_FILE))
        .map_err(|e| invalid(&format!("{META_FILE}: {e}")))?;
    let meta =
        std::str::from_utf8(&meta).map_err(|_| invalid(&format!("{META_FILE} is not UTF-8")))?;
    let segments = meta_segments(meta)?;
    Ok(Index::open_with_segments(
        Box::new(directory),
        schema::schema(),
        &segments,
    )?)
}

/// The segments `meta.json` lists, as `(id, max_doc)`, without a JSON deserializer: the keys
/// `"segment_id"`, `"max_doc"` and `"deletes"` of each entry of `"segments"`, as tantivy
/// writes them. A segment with deletes is refused: a bundle is written once, without any.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn meta_segments(meta: &str) -> Result<Vec<(tantivy::index::SegmentId, u32)>> {
    const SEGMENT_ID: &str = "\"segment_id\"";
    let bad = |what: &str| invalid(&format!("{META_FILE}: {what}"));
    let start = meta
        .find("\"segments\"")
        .ok_or_else(|| bad("no segments"))?;
    let end = meta[start..]
        .find("\"schema\"")
        .map_or(meta.len(), |i| start + i);
    // Each piece after a `"segment_id"` key is one segment's entry, its id first.
    let mut segments = Vec::new();
    for entry in meta[start..end].split(SEGMENT_ID).skip(1) {
        let id = scalar_after_colon(entry).ok_or_else(|| bad("a segment without an id"))?;
        let id = tantivy::index::SegmentId::from_uuid_string(id.trim_matches('"'))
            .map_err(|e| bad(&format!("segment id {id}: {e}")))?;
        let max_doc = json_value(entry, "max_doc")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad("a segment without max_doc"))?;
        if json_value(entry, "deletes") != Some("null") {
            return Err(bad("a segment with deletes"));
        }
        segments.push((id, max_doc));
    }
    Ok(segments)
}

/// The scalar value of `"key"` in `object`, as written (see [`scalar_after_colon`]).
fn json_value<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("\"{key}\"");
    scalar_after_colon(&object[object.find(&quoted)? + quoted.len()..])
}

/// The scalar after the `:` that `text` starts with (after spaces): a quoted string with its
/// quotes, or a number, `true`, `false` or `null`.
fn scalar_after_colon(text: &str) -> Option<&str> {
    let value = text.trim_start().strip_prefix(':')?.trim_start();
    let len = if let Some(quoted) = value.strip_prefix('"') {
        quoted.find('"')? + 2
    } else {
        value
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(value.len())
    };
    Some(&value[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(code: u16, title: &str) -> Document {
        Document {
            code: Some(code),
            title: title.into(),
            aliases: vec![],
            keywords: vec![],
            description: format!("About {title}."),
            body: "Some body text.".into(),
            class: crate::Class::of_code(code).unwrap_or_default(),
            status: Some(crate::Status::Official),
            vendor: None,
            url: format!("/http-codes/{code}/"),
            ..Document::default()
        }
    }

    #[test]
    fn bundle_is_deterministic() {
        let docs = vec![
            doc(404, "404 Not Found"),
            doc(200, "200 OK"),
            doc(504, "504 Gateway Timeout"),
        ];
        let a = build_bundle(&docs).unwrap();
        let b = build_bundle(&docs).unwrap();
        assert_eq!(a, b);
        // Input order does not matter either.
        let mut reversed = docs.clone();
        reversed.reverse();
        assert_eq!(a, build_bundle(&reversed).unwrap());
    }

    #[test]
    fn meta_segments_reads_what_tantivy_reads() {
        let docs = [doc(404, "404 Not Found"), doc(504, "504 Gateway Timeout")];
        let bundle = build_bundle(&docs).unwrap();
        let files = decode(OwnedBytes::new(bundle.clone())).unwrap();
        let meta = std::str::from_utf8(files[META_FILE].as_slice()).unwrap();
        let index = Index::open(BundleDirectory::new(files.clone())).unwrap();
        let expected: Vec<(String, u32)> = index
            .load_metas()
            .unwrap()
            .segments
            .iter()
            .map(|s| (s.id().uuid_string(), s.max_doc()))
            .collect();
        let read: Vec<(String, u32)> = meta_segments(meta)
            .unwrap()
            .into_iter()
            .map(|(id, max_doc)| (id.uuid_string(), max_doc))
            .collect();
        assert_eq!(read, expected);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].1, 2);
        // The schema the browser assumes is the one the bundle holds.
        assert_eq!(index.schema(), schema::schema());
    }

    #[test]
    fn meta_segments_refuses_what_it_cannot_honour() {
        let id = "d30661db-0e3a-47df-95ff-0409096a6b50";
        let one = |deletes: &str| {
            format!(
                "{{\"segments\": [{{\"segment_id\": \"{id}\", \"max_doc\": 7, \"deletes\": {deletes}}}], \"schema\": []}}"
            )
        };
        let read = meta_segments(&one("null")).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(
            (read[0].0.uuid_string(), read[0].1),
            (id.replace('-', ""), 7)
        );
        let with_deletes = one("{\"num_deleted_docs\": 1, \"opstamp\": 3}");
        assert!(meta_segments(&with_deletes)
            .unwrap_err()
            .to_string()
            .contains("deletes"));
        assert!(meta_segments("{}").is_err());
        let bad_id = one("null").replace(id, "not-a-uuid");
        assert!(meta_segments(&bad_id).is_err());
        let no_max_doc = one("null").replace("\"max_doc\": 7, ", "");
        assert!(meta_segments(&no_max_doc).is_err());
    }

    #[test]
    fn bundle_round_trips() {
        let bundle = build_bundle(&[doc(404, "404 Not Found")]).unwrap();
        let files = decode(OwnedBytes::new(bundle)).unwrap();
        assert!(files.contains_key("meta.json"));
        assert!(files.len() > 3, "{:?}", files.keys().collect::<Vec<_>>());
    }

    #[test]
    fn rejects_garbage() {
        let err = decode(OwnedBytes::new(b"not a bundle at all".to_vec())).unwrap_err();
        assert!(err.to_string().contains("magic"), "{err}");
        let mut bundle = build_bundle(&[doc(404, "404 Not Found")]).unwrap();
        bundle.truncate(bundle.len() - 10);
        let err = decode(OwnedBytes::new(bundle)).unwrap_err();
        assert!(err.to_string().contains("outside the bundle"), "{err}");
    }

    #[test]
    fn empty_input_gives_a_searchable_bundle() {
        let bundle = build_bundle(&[]).unwrap();
        let index = crate::SearchIndex::open(bundle).unwrap();
        assert!(index.search("anything", 10).unwrap().is_empty());
    }

    /// A deterministic corpus that exercises every field and analyzer path: codes, family
    /// entries and guides; several aliases (positions across values); camel-case and dotted
    /// constants; accented, Greek, Turkish and CJK words; tokens past the 40-byte limit; empty
    /// bodies and descriptions; more documents than a batch.
    fn varied_corpus(n: usize) -> Vec<Document> {
        const WORDS: &[&str] = &[
            "gateway",
            "timed",
            "out",
            "upstream",
            "server",
            "responding",
            "caching",
            "proxies",
            "StatusTooManyRequests",
            "HTTPStatus.TOO_MANY_REQUESTS",
            "tooManyRequests",
            ":too_many_requests",
            "naïve",
            "Größe",
            "İstanbul",
            "ΣΊΣΥΦΟΣ",
            "東京",
            "x86_64",
            "IPv6",
            "the",
            "a",
            "of",
            "retries",
            "retrying",
            "connection's",
            "e-mail",
            "supercalifragilisticexpialidocious-and-then-some-more-words",
            "averyveryveryverylongwordthatgoesonpastfortybytes",
            "500.19",
            "1020",
            "HTTP/2",
            "don't",
            "—",
            "…",
            "Ünïcödé",
            "ﬁle",
            "ＦＵＬＬＷＩＤＴＨ",
        ];
        /// xorshift64: the same corpus on every run.
        struct Rng(u64);
        impl Rng {
            fn below(&mut self, bound: usize) -> usize {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 % bound as u64) as usize
            }
            /// `min` to `min + spread - 1` words.
            fn text(&mut self, min: usize, spread: usize) -> String {
                let n = min + self.below(spread);
                let sep = if self.below(5) == 0 { ", " } else { " " };
                (0..n)
                    .map(|_| WORDS[self.below(WORDS.len())])
                    .collect::<Vec<_>>()
                    .join(sep)
            }
        }
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        (0..n)
            .map(|i| {
                let kind = i % 3;
                let code = 100 + (i % 900) as u16;
                let title = match kind {
                    0 => format!("{code} {}", rng.text(1, 4)),
                    1 => format!("500.{} {}", i % 40, rng.text(1, 3)),
                    _ => rng.text(1, 6),
                };
                let aliases = (0..rng.below(4)).map(|_| rng.text(1, 4)).collect();
                let keywords = (0..rng.below(5)).map(|_| rng.text(1, 3)).collect();
                let description = if rng.below(6) == 0 {
                    String::new()
                } else {
                    rng.text(4, 20)
                };
                let body = if rng.below(7) == 0 {
                    String::new()
                } else {
                    rng.text(0, 400)
                };
                Document {
                    code: (kind == 0).then_some(code),
                    title,
                    aliases,
                    keywords,
                    description,
                    body,
                    class: ["5xx", "iis", "guide"][kind].into(),
                    status: [Some(Status::Official), Some(Status::Unofficial), None][kind],
                    vendor: (kind == 1 && rng.below(2) == 0).then(|| "Microsoft IIS".into()),
                    url: format!("/p/{i}/"),
                    key: (kind == 1).then(|| format!("500.{}", i % 40)),
                    http_status: (kind == 1).then_some(500),
                    family: (kind == 1).then(|| "IIS error".into()),
                }
            })
            .collect()
    }

    #[test]
    fn parallel_build_is_byte_identical_to_the_reference() {
        // More than two batches, with a partial last one.
        let docs = varied_corpus(2 * BATCH + 37);
        let reference = build_with(&docs, Analysis::Named).unwrap();
        assert_eq!(
            build_bundle(&docs).unwrap(),
            reference,
            "the pre-analysed build differs from the reference build"
        );
        // The project's code list, as the quality tests index it.
        let tsv = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/codes.tsv"),
        )
        .unwrap();
        let docs = crate::quality::documents_from_codes_tsv(&tsv);
        assert!(docs.len() > 90);
        assert_eq!(
            build_bundle(&docs).unwrap(),
            build_with(&docs, Analysis::Named).unwrap()
        );
        // One document, and none.
        assert_eq!(
            build_bundle(&docs[..1]).unwrap(),
            build_with(&docs[..1], Analysis::Named).unwrap()
        );
        assert_eq!(
            build_bundle(&[]).unwrap(),
            build_with(&[], Analysis::Named).unwrap()
        );
    }

    #[test]
    fn builds_from_inside_a_one_thread_rayon_pool() {
        // The analysis runs on the caller's rayon pool; a build started from a pool's only
        // worker (a caller's `rayon::join`, on one core) must not wait for a task of that
        // pool (say, a feeder spawned into it) that only the waiting worker could run.
        let docs = varied_corpus(BATCH * 3);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let inner = docs.clone();
        pool.spawn(move || {
            let _ = sender.send(build_bundle(&inner).map_err(|e| e.to_string()));
        });
        let built = receiver
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the build finishes inside a one-thread pool")
            .unwrap();
        assert_eq!(built, build_bundle(&docs).unwrap());
    }

    #[test]
    fn alphanumeric_runs_are_the_simple_tokenizers_words() {
        use tantivy::tokenizer::SimpleTokenizer;
        let texts = [
            "",
            "   ",
            "Hello, happy tax payer!",
            "upstream timed out (110: Connection timed out) while reading",
            "x-amzn-ErrorType: ForbiddenException; HTTP/1.1 413",
            "Ünïcödé straße 中文字 ½ ² Ⅻ e\u{301} 🙂emoji🙂 l'été — «quotes»",
            "trailing word",
            "\u{1e}\u{1d}\u{1c}",
            "ǅemal Ǆ ﬁne tooManyRequests HTTPStatus ÉtéÉté éT Xy xY",
        ];
        for text in texts
            .iter()
            .map(|t| t.to_string())
            .chain(varied_corpus(20).into_iter().map(|d| d.body))
        {
            let mut simple = SimpleTokenizer::default();
            let mut stream = simple.token_stream(&text);
            let mut expected = Vec::new();
            while stream.advance() {
                expected.push(stream.token().text.clone());
            }
            let got: Vec<String> = alphanumeric_runs(&text)
                .map(|(word, inner_upper)| {
                    assert_eq!(inner_upper, has_inner_uppercase(word), "{word:?}");
                    word.to_string()
                })
                .collect();
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn counted_words_index_as_the_words_themselves() {
        // Each word once with its count: the same terms, counts and token total.
        fn counted(stream: &mut dyn TokenStream) -> BTreeMap<String, usize> {
            let mut out = BTreeMap::new();
            while stream.advance() {
                *out.entry(stream.token().text.clone()).or_default() += 1;
            }
            out
        }
        let mut pre = PreAnalyzer::new();
        for doc in varied_corpus(30) {
            let words = pre.words(&doc.body);
            let counted_words = pre.counted_words(&doc.body);
            assert!(counted_words.len() <= words.len());
            assert_eq!(
                counted(&mut PreAnalyzedTokenizer.token_stream(&counted_words)),
                counted(&mut PreAnalyzedTokenizer.token_stream(&words)),
                "{:?}",
                doc.body
            );
        }
        // Counted by the word as written: `Retry` is a word of its own (the same term).
        let encoded = pre.counted_words("retry later retry Retry");
        assert_eq!(
            encoded,
            format!(
                "{TOKEN_REPEAT}2{TOKEN_REPEAT}retri{TOKEN_END}later{TOKEN_END}retri{TOKEN_END}"
            )
        );
    }

    #[test]
    fn pre_analysed_tokens_are_the_analyzers_tokens() {
        fn tokens(stream: &mut dyn TokenStream) -> Vec<(String, usize, usize)> {
            let mut out = Vec::new();
            while stream.advance() {
                let t = stream.token();
                out.push((t.text.clone(), t.position, t.position_length));
            }
            out
        }
        let mut pre = PreAnalyzer::new();
        let mut analyzer = schema::text_analyzer();
        for doc in varied_corpus(60) {
            for text in [&doc.title, &doc.description, &doc.body]
                .into_iter()
                .chain(&doc.aliases)
                .chain(&doc.keywords)
            {
                let expected = tokens(&mut analyzer.token_stream(text));
                // Twice: the second time the stems come from the cache.
                for _ in 0..2 {
                    let encoded = pre.words(text);
                    let got = tokens(&mut PreAnalyzedTokenizer.token_stream(&encoded));
                    assert_eq!(got, expected, "{text:?} encoded as {encoded:?}");
                }
                let expected = tokens(&mut schema::PairTokenizer.token_stream(text));
                let encoded = pre.pairs(text);
                let got = tokens(&mut PreAnalyzedTokenizer.token_stream(&encoded));
                assert_eq!(got, expected, "pairs of {text:?}");
                assert_eq!(pre.phrase_key(text), schema::phrase_key(text), "{text:?}");
            }
        }
        // The camel-case parts of an identifier sit at the identifier's own position: an
        // explicit position in the encoding.
        assert!(pre.words("StatusTooManyRequests").contains(TOKEN_POSITION));
    }

    #[test]
    fn meta_json_names_the_readers_analyzers() {
        let bundle = build_bundle(&varied_corpus(5)).unwrap();
        let files = decode(OwnedBytes::new(bundle)).unwrap();
        let meta = std::str::from_utf8(files[META_FILE].as_slice()).unwrap();
        assert!(!meta.contains("_pre\""), "{meta}");
        assert!(meta.contains(&format!("\"{}\"", schema::TEXT_ANALYZER)));
        assert!(meta.contains(&format!("\"{}\"", schema::PAIRS_ANALYZER)));
        // A meta.json whose schema differs in more than the names is refused.
        let mangled = meta.replacen("\"body\"", "\"bodies\"", 1).replace(
            &format!("\"{}\"", schema::TEXT_ANALYZER),
            &format!("\"{}\"", schema::PRE_ANALYZED),
        );
        let mangled = mangled.replace(
            &format!("\"{}\"", schema::PAIRS_ANALYZER),
            &format!("\"{}\"", schema::PRE_ANALYZED_PAIRS),
        );
        let err = name_analyzers(&mangled).unwrap_err();
        assert!(err.to_string().contains("readers' schema"), "{err}");
    }

    #[test]
    fn strips_code_from_title() {
        assert_eq!(
            strip_code("504 Gateway Timeout", Some(504)),
            "Gateway Timeout"
        );
        assert_eq!(strip_code("5040 Things", Some(504)), "5040 Things");
        assert_eq!(strip_code("Guide", None), "Guide");
        assert_eq!(strip_code("418 — I'm a teapot", Some(418)), "I'm a teapot");
    }

    #[test]
    fn excerpts_cut_on_words() {
        let body = "word ".repeat(100);
        let e = excerpt(&body);
        assert!(e.len() <= EXCERPT_LEN + 3 && e.ends_with("word…"), "{e}");
    }
}
