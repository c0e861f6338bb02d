//! The tantivy schema shared by the writer and the readers, and its analyzers.

use std::borrow::Cow;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STORED,
};

use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter,
    TokenStream, Tokenizer, TokenizerManager,
};
use tantivy::Index;

use crate::query::content_words;
use crate::{Error, Result};

/// Analyzer of every searchable text field: words of letters and digits, lowercased, English
/// stems.
pub(crate) const TEXT_ANALYZER: &str = "statusref_en";
/// Analyzer of the keyword fields (class, status, code as text, exact names): the whole value.
pub(crate) const RAW_ANALYZER: &str = "raw";
/// Analyzer of the `pairs` field: each two consecutive stems of the text (filler words
/// dropped) as one term, `"upstream time"`, `"time out"`.
pub(crate) const PAIRS_ANALYZER: &str = "statusref_pairs";

/// Field handles; looked up by name so that a reader checks the bundle's schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// The code as a number (fast field, stored).
    pub code: Field,
    /// The code as text (`"504"`), for prefix queries (`52` → 520–529).
    pub code_text: Field,
    pub title: Field,
    pub aliases: Field,
    pub keywords: Field,
    pub description: Field,
    pub body: Field,
    /// Vendor name, analyzed like text: scored, and filtered by `vendor:`.
    pub vendor: Field,
    pub class: Field,
    pub status: Field,
    /// Filter flags for `is:` (the status, plus `official` for registered codes).
    pub flags: Field,
    pub url: Field,
    /// Normalised title, name and aliases, whole: an exact-name match.
    pub name_exact: Field,
    /// Stored only: a body excerpt for documents without a description.
    pub excerpt: Field,
    /// Input order (fast field), to merge segments deterministically.
    pub ord: Field,
    /// A family entry's key, whole (`500.19`): matched exactly, stored.
    pub key: Field,
    /// The HTTP status a family entry arrives with (stored).
    pub http_status: Field,
    /// The family's label for its entries (stored only).
    pub family: Field,
    /// Each title (without its code), alias and keyword of two words or more, as one term:
    /// its stems joined by spaces, filler words dropped ([`phrase_key`]). A run of query words
    /// equal to one of them is a phrase match.
    pub phrases: Field,
    /// Pairs of consecutive words of the title, aliases, keywords and description
    /// ([`PAIRS_ANALYZER`]): a run of query words that the text holds in that order.
    pub pairs: Field,
    /// Each code page's code and title, `"504 Gateway Timeout"`, whole: which names a code
    /// has, read from its dictionary alone (a split index fetches no document for it).
    pub code_titles: Field,
}

/// Fields searched by words, with their weights (title and aliases first).
pub(crate) fn weighted_text_fields(f: &Fields) -> [(Field, f32); 6] {
    [
        (f.title, 5.0),
        (f.aliases, 4.5),
        (f.vendor, 3.0),
        (f.keywords, 3.0),
        (f.description, 1.6),
        (f.body, 1.0),
    ]
}

/// Which analyzer names the schema gives the fields that are indexed but not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Analysis {
    /// The analyzers by their names: what a bundle's `meta.json` says and readers use.
    Named,
    /// [`PRE_ANALYZED`] and [`PRE_ANALYZED_PAIRS`] for `aliases`, `keywords`, `body` and `pairs`,
    /// whose tokens the writer receives already analyzed (see `bundle.rs`); the bundle's
    /// `meta.json` is then given the [`Analysis::Named`] names back.
    PreAnalyzed,
}

/// Writer-only stand-in for [`TEXT_ANALYZER`] on fields whose text arrives analyzed.
pub(crate) const PRE_ANALYZED: &str = "statusref_en_pre";
/// Writer-only stand-in for [`PAIRS_ANALYZER`] on the `pairs` field.
pub(crate) const PRE_ANALYZED_PAIRS: &str = "statusref_pairs_pre";

fn text(positions: bool, stored: bool, analysis: Analysis) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    // Stored text goes into the document store as given: only unstored text can arrive
    // analyzed.
    let analyzer = match analysis {
        Analysis::PreAnalyzed if !stored => PRE_ANALYZED,
        _ => TEXT_ANALYZER,
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn raw(stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(RAW_ANALYZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The schema of a statusref search index.
pub(crate) fn schema() -> Schema {
    schema_for(Analysis::Named)
}

/// The schema with the analyzer names of `analysis` (the writer's differs from [`schema`] in
/// those names only).
pub(crate) fn schema_for(analysis: Analysis) -> Schema {
    let mut b = Schema::builder();
    b.add_u64_field(
        "code",
        NumericOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored(),
    );
    b.add_text_field("code_text", raw(false));
    b.add_text_field("title", text(true, true, analysis));
    // Aliases and keywords are searched, not shown: not stored (smaller bundle, faster hits).
    b.add_text_field("aliases", text(true, false, analysis));
    b.add_text_field("keywords", text(false, false, analysis));
    b.add_text_field("description", text(false, true, analysis));
    b.add_text_field("body", text(false, false, analysis));
    b.add_text_field("vendor", text(false, true, analysis));
    b.add_text_field("class", raw(true));
    b.add_text_field("status", raw(true));
    b.add_text_field("flags", raw(false));
    b.add_text_field("url", STORED);
    b.add_text_field("name_exact", raw(false));
    b.add_text_field("excerpt", STORED);
    b.add_u64_field("ord", NumericOptions::default().set_fast());
    b.add_text_field("key", raw(true));
    b.add_u64_field("http_status", NumericOptions::default().set_stored());
    b.add_text_field("family", STORED);
    b.add_text_field("phrases", raw(false));
    b.add_text_field(
        "pairs",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(match analysis {
                    Analysis::Named => PAIRS_ANALYZER,
                    Analysis::PreAnalyzed => PRE_ANALYZED_PAIRS,
                })
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    b.add_text_field("code_titles", raw(false));
    b.build()
}

impl Fields {
    /// Looks every field up in `schema`.
    pub(crate) fn from_schema(schema: &Schema) -> Result<Fields> {
        // By name over the schema's fields, not `Schema::get_field` (which parses JSON paths):
        // this runs on the browser's way to its first result.
        let named: Vec<(&str, Field)> = schema
            .fields()
            .map(|(field, entry)| (entry.name(), field))
            .collect();
        let get = |name: &str| {
            named
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, field)| field)
                .ok_or_else(|| Error::SchemaMismatch {
                    field: name.to_string(),
                })
        };
        Ok(Fields {
            code: get("code")?,
            code_text: get("code_text")?,
            title: get("title")?,
            aliases: get("aliases")?,
            keywords: get("keywords")?,
            description: get("description")?,
            body: get("body")?,
            vendor: get("vendor")?,
            class: get("class")?,
            status: get("status")?,
            flags: get("flags")?,
            url: get("url")?,
            name_exact: get("name_exact")?,
            excerpt: get("excerpt")?,
            ord: get("ord")?,
            key: get("key")?,
            http_status: get("http_status")?,
            family: get("family")?,
            phrases: get("phrases")?,
            pairs: get("pairs")?,
            code_titles: get("code_titles")?,
        })
    }
}

/// The text analyzer: words of letters and digits (identifiers also as their parts),
/// long tokens dropped, lowercase, English stemmer.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdentifierTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(EnglishStemmer)
        .build()
}

/// [`SimpleTokenizer`], plus the parts of a camel-case word after the word itself
/// (`StatusTooManyRequests` → `StatusTooManyRequests`, `Status`, `Too`, `Many`, `Requests`):
/// an indexed constant is found by its words, as the query parser splits a typed one, and by
/// its whole name typed in lowercase.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdentifierTokenizer;

impl Tokenizer for IdentifierTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut simple = SimpleTokenizer::default();
        let mut stream = simple.token_stream(text);
        let mut tokens = Vec::new();
        let mut position = 0;
        while let Some(token) = stream.next() {
            let parts = camel_parts(&token.text);
            let mut whole = token.clone();
            whole.position = position;
            tokens.push(whole);
            if parts.len() > 1 {
                for (i, (start, end)) in parts.iter().enumerate() {
                    tokens.push(Token {
                        offset_from: token.offset_from + start,
                        offset_to: token.offset_from + end,
                        position: position + i,
                        text: token.text[*start..*end].to_string(),
                        position_length: 1,
                    });
                }
                position += parts.len();
            } else {
                position += 1;
            }
        }
        VecTokenStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

/// Byte ranges of the camel-case parts of a word (`tooManyRequests`, `HTTPStatus` → `HTTP`,
/// `Status`); one range for a word without humps.
pub(crate) fn camel_parts(word: &str) -> Vec<(usize, usize)> {
    if !has_inner_uppercase(word) {
        // Every cut is before an uppercase letter that is not the first: a plain or
        // capitalised word (most of prose) is one part.
        return vec![(0, word.len())];
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut cuts = vec![0];
    for i in 1..chars.len() {
        let (at, c) = chars[i];
        let prev = chars[i - 1].1;
        let next = chars.get(i + 1).map(|p| p.1);
        if ((prev.is_lowercase() || prev.is_ascii_digit()) && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase))
        {
            cuts.push(at);
        }
    }
    cuts.push(word.len());
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Whether `word` has an uppercase letter after its first character: only then does
/// [`camel_parts`] cut it.
pub(crate) fn has_inner_uppercase(word: &str) -> bool {
    // One pass over the bytes while they are ASCII (every word of most text).
    for &b in word.as_bytes().iter().skip(1) {
        if b >= 0x80 {
            return word.chars().skip(1).any(char::is_uppercase);
        }
        if b.is_ascii_uppercase() {
            return true;
        }
    }
    false
}

/// The Snowball English stemmer (the one tantivy's `Stemmer` uses), calling only the English
/// algorithm so that the wasm build does not carry the other seventeen languages tantivy's
/// runtime language switch links in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = EnglishStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> EnglishStemmerFilter<T> {
        EnglishStemmerFilter(tokenizer)
    }
}

/// [`EnglishStemmer`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub(crate) struct EnglishStemmerFilter<T>(T);

impl<T: Tokenizer> Tokenizer for EnglishStemmerFilter<T> {
    type TokenStream<'a> = EnglishStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        EnglishStemmerStream {
            tail: self.0.token_stream(text),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The token stream of [`EnglishStemmerFilter`].
pub(crate) struct EnglishStemmerStream<T> {
    tail: T,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for EnglishStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let stemmed = match self.stemmer.stem(&token.text) {
            Cow::Owned(stem) => Some(stem),
            Cow::Borrowed(_) => None,
        };
        if let Some(stem) = stemmed {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Registers the analyzers the schema names on `index` (writer and readers alike).
pub(crate) fn register_analyzers(index: &Index) {
    let manager: &TokenizerManager = index.tokenizers();
    manager.register(TEXT_ANALYZER, text_analyzer());
    manager.register(RAW_ANALYZER, RawTokenizer::default());
    manager.register(PAIRS_ANALYZER, PairTokenizer);
}

/// The stems of `text`'s words, in order, taken apart as a query is
/// ([`content_words`](crate::query::content_words)): identifiers split, filler words dropped.
pub(crate) fn content_stems(text: &str) -> Vec<String> {
    let mut analyzer = text_analyzer();
    let mut out = Vec::new();
    for word in content_words(text) {
        let mut stream = analyzer.token_stream(&word);
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
    }
    out
}

/// The `phrases` term of a name, alias or keyword: its content stems joined by one space
/// (`"Upstream timed out"` → `"upstream time out"`); `None` for fewer than two words.
pub(crate) fn phrase_key(text: &str) -> Option<String> {
    let stems = content_stems(text);
    (stems.len() >= 2).then(|| stems.join(" "))
}

/// The `pairs` term of two consecutive stems.
pub(crate) fn pair_key(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Tokenizer of the `pairs` field: each two consecutive content stems as one token.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PairTokenizer;

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let stems = content_stems(text);
        let tokens = stems
            .windows(2)
            .enumerate()
            .map(|(position, w)| Token {
                offset_from: 0,
                offset_to: 0,
                position,
                text: pair_key(&w[0], &w[1]),
                position_length: 1,
            })
            .collect();
        VecTokenStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

/// A token stream over tokens computed up front.
#[derive(Debug)]
pub(crate) struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Normalises a name for exact matching: lowercase words of letters and digits joined by one
/// space (`"Request Time-out"` → `"request time out"`).
pub(crate) fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize_name("Request Time-out"), "request time out");
        assert_eq!(normalize_name("  I'm a teapot! "), "i m a teapot");
        assert_eq!(normalize_name("(Unused)"), "unused");
    }

    #[test]
    fn stems_english() {
        let mut analyzer = text_analyzer();
        let mut stream =
            analyzer.token_stream("Requested entities are unprocessable; TIMEOUTS, many running");
        let mut stems = Vec::new();
        while let Some(t) = stream.next() {
            stems.push(t.text.clone());
        }
        assert_eq!(
            stems,
            [
                "request",
                "entiti",
                "are",
                "unprocess",
                "timeout",
                "mani",
                "run"
            ]
        );
    }

    #[test]
    fn phrases_and_pairs_drop_filler_and_stem() {
        assert_eq!(
            phrase_key("The plain HTTP request was sent to HTTPS port").as_deref(),
            Some("plain request sent https port")
        );
        assert_eq!(
            phrase_key("Upstream timed out").as_deref(),
            Some("upstream time out")
        );
        assert_eq!(phrase_key("teapot"), None);
        let mut pairs = PairTokenizer;
        let mut stream = pairs.token_stream("Upstream timed out while reading the header");
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        assert_eq!(
            out,
            [
                "upstream time",
                "time out",
                "out while",
                "while read",
                "read header"
            ]
        );
    }

    #[test]
    fn identifiers_are_indexed_whole_and_in_parts() {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream("StatusTooManyRequests HTTPStatus x509");
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        assert_eq!(
            out,
            [
                "statustoomanyrequest",
                "status",
                "too",
                "mani",
                "request",
                "httpstatus",
                "http",
                "status",
                "x509"
            ]
        );
    }

    #[test]
    fn schema_round_trips_field_lookup() {
        Fields::from_schema(&schema()).unwrap();
    }
}
