//! Search for statusref: the tantivy schema, the one-file index bundle and the query logic.
//!
//! The same code runs natively (the site generator writes the bundle with [`build_bundle`]; the
//! `statusref search` command and the tests query it with [`SearchIndex`]) and compiled to
//! `wasm32-unknown-unknown` in the reader's browser (crate `statusref-search-wasm`). The
//! browser therefore runs exactly the query code that the native tests check.
//!
//! # Example
//!
//! ```
//! use statusref_search::{build_bundle, Document, SearchIndex};
//!
//! let docs = vec![Document {
//!     code: Some(504),
//!     title: "504 Gateway Timeout".into(),
//!     aliases: vec!["Gateway Time-out".into()],
//!     keywords: vec!["proxy".into(), "upstream".into()],
//!     description: "A gateway or proxy did not receive a timely response.".into(),
//!     body: String::new(),
//!     class: statusref_search::Class::Codes(5),
//!     status: Some(statusref_search::Status::Official),
//!     vendor: None,
//!     url: "/http-codes/504/".into(),
//!     ..Document::default()
//! }];
//! let bundle = build_bundle(&docs)?;
//! let index = SearchIndex::open(bundle)?;
//! let hits = index.search("gatway timout", 10)?;
//! assert_eq!(hits[0].code, Some(504));
//! # Ok::<(), statusref_search::Error>(())
//! ```
//!
//! # Query syntax
//!
//! A query is a list of whitespace-separated words and filters, matched case-insensitively.
//!
//! | query | meaning |
//! |---|---|
//! | `504` | a three-digit number alone: that code first (every meaning of it), then pages that mention it |
//! | `1020`, `cloudflare 1020`, `error 1020`, `status 0`, `500.19` | a content-family entry's key: that entry first. A number is a key in a query of at most two words and numbers, next to a code word (`error`, `status`, `code`, `HTTP`), where a code stands (`code: 1020`), or next to a word of a vendor's name (`Cloudflare 1020 access denied`); an IIS sub-status (`500.19`) always. The `0` of a pasted line (`X-RateLimit-Remaining: 0`, an access log's byte count) is not |
//! | `HTTP/1.1 413`, `abort(401)`, `res.status(409)`, `status=404`, `error 502`, `HTTP_404_NOT_FOUND`, `502.5` | a number where a code stands (status line, call, assignment, next to `error`/`status`/`HTTP` written as words of their own, in a constant, an IIS sub-status): that code first |
//! | `… "GET / HTTP/1.1" 404 0 …`, `… status=503 bytes=0`, `… 0.000 0.001 0.000 502 502 34 366 …` | in a pasted line, a status after a status line's protocol, assigned to `status`, or the first known code among the three-digit columns of a log of numbers (an ALB or W3C access log) names that code first however long the line; an IIS log's `… 500 19 13 15` names the sub-status entry 500.19 |
//! | `400 Bad Request …` | a number next to its code's reason phrase is that code too; when the query says much more besides (a pasted error page), the rest of it decides and the code only helps |
//! | `100 seconds`, `(110: Connection timed out)`, `nginx/1.24.0`, `10485760 bytes` | quantities, error numbers, versions, addresses and times are not codes and are not searched |
//! | `52`, `52x`, `5` | one or two digits alone (optionally followed by `x`): the codes that start with them, 520–529 |
//! | `5xx` | a class: the codes of that class, in order; with other words, restricts them to the class |
//! | `gateway timeout` | words: every word matches by English stem; the last word, while it is still being typed (no space after it), also as a prefix (`too man` → 429); a word no title, alias, vendor or keyword contains also matches those fields with typos, keeping its first letter (one edit from 4 letters, two from 8: `gatway timout` → 504; `bread` is not `read`) |
//! | `StatusTooManyRequests`, `HttpStatus.TOO_MANY_REQUESTS`, `:too_many_requests`, `Response::HTTP_NOT_FOUND` | identifiers are split into words (camel case, snake case, dotted and `::` paths, symbols); their framing (`Status`, `HttpStatus`, `SC_`, `HTTP_`, `Exception`) is dropped |
//! | `ActiveRecord::RecordNotFound`, `werkzeug.exceptions.MethodNotAllowed` | the segments of a path before its last one (a namespace) weigh a quarter of a word |
//! | `what does 429 mean`, `which code when …`, `difference between 401 and 403`, `is 404 an error` | question and filler words carry no weight (and do not keep a number from its `error`/`status`/`code` word); a query made only of them finds only a name made of them |
//! | `class:4xx` | only codes of that class (`class:guide` for guides, `class:iis-codes` for a content family's entries) |
//! | `vendor:cloudflare` | only codes of that vendor; a multi-word vendor is written with dashes (`vendor:microsoft-iis`) or in quotes (`vendor:"microsoft iis"`), every word must match |
//! | `is:official` | only codes registered by a standard (status official, temporary, deprecated, unused or obsolete) |
//! | `is:unofficial` | only vendor and informal codes; `is:<status>` (`is:deprecated`, `is:guide`, …) filters by status |
//! | `-class:5xx`, `-is:unofficial` | a filter preceded by `-` excludes instead |
//!
//! Only the first 1024 bytes and 32 words of a query count (any input answers in bounded
//! time); control characters are spaces.
//!
//! Double quotes group a filter value (`vendor:"microsoft iis"`); elsewhere they are ignored.
//! A few readers' words also match the reference's vocabulary (`password` → credentials,
//! authentication; `permission`, `denied` → forbidden; `big` → large; `upload`, `file` →
//! content, payload), weighted below the words themselves.
//!
//! Several values of the same filter are alternatives (`class:4xx class:5xx`: either class);
//! different filters must all hold. A filter alone (`vendor:cloudflare`) lists what it keeps in
//! code order. Unknown `key:value` words are searched as plain words.
//!
//! # Ranking
//!
//! Each word scores by BM25 in the field where it matches best: title and aliases above vendor
//! and keywords, above the description, above the body; an exact match weighs more than a
//! prefix match, more than a one-edit typo, more than a two-edit typo. The scores of the words
//! add up, then scale by the share of the words a document matches and by that share again
//! with words found only in its body counted half, each word counting by its rarity (a
//! document missing a rare word drops more than one missing a common word; the words of one
//! identifier (`CrashLoopBackOff`) together count as one typed word; a word no page holds
//! counts as a rare word in a query of three typed words or fewer, half of one in a longer,
//! pasted, query). Bonuses add to that: all the query's
//! words in a row in a title or alias; each run of consecutive query words equal to a title, an
//! alias or a keyword (by the run's length); each pair of consecutive query words that a page's
//! names, keywords or description hold in that order. A query equal to a title or an alias
//! (punctuation and case aside) puts that document first; so does a code the query names. A
//! vendor's code scores a tenth less than an official one (near ties go to the official code),
//! and four tenths less when the query does not name it (by its vendor, the key of one of its
//! entries, or a run of three or more words of one of its names): `api rate limit exceeded`
//! gives the official 429 before Twitter's 420. A content-family entry scores a further fifth
//! less, a guide half. Ties are broken by code, then title.
//!
//! Results end where they stop being relevant: a document matching few of the words, few
//! of them in its title, aliases, vendor, keywords or description, and no run, pair, name or
//! code, is left out; so is a document holding none of the words (exactly or by a typo) in
//! those fields, however many its body mentions (`how to tie a tie`), and one scoring under an
//! eighth of the best. In a short query (three typed words or fewer) or one at least half of
//! whose typed words are in no page (`how to center a div`), a run or pair of two of its words
//! is no proof (`kubernetes CrashLoopBackOff` is not 529's `back off`): only a named code, key
//! or name is; in the latter a result also needs most of the words in its names. A query
//! matching nothing relevant has no results.
//!
//! # Results
//!
//! A [`Hit`] carries the code, title, URL, class, status, vendor, a display badge and a plain
//! text snippet (the description) with the byte ranges of the matched words in
//! [`Hit::highlights`].
#![deny(missing_docs)]

mod bundle;
pub mod chunks;
pub mod quality;
mod query;
mod schema;
mod search;
mod status;
mod terms;

pub use bundle::{build_bundle, BUNDLE_MAGIC, BUNDLE_VERSION};
pub use chunks::{open_split, open_split_with, split_bundle, Answer, ChunkStore, SplitIndex};
pub use query::{parse_query, Filter, FilterKind, ParsedQuery};
pub use search::SearchIndex;
pub use status::{Class, Status};

/// One searchable document: a page, or one meaning of a code with several meanings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Document {
    /// The status code; `None` for guides.
    pub code: Option<u16>,
    /// Display title, e.g. `"504 Gateway Timeout"` (for a vendor meaning: `"499 Token Required"`).
    pub title: String,
    /// Former and alternate names; searchable like the title.
    pub aliases: Vec<String>,
    /// Extra search words, weighted below title and aliases.
    pub keywords: Vec<String>,
    /// One sentence; also the snippet shown in results.
    pub description: String,
    /// Plain text of the page (may be long); searched, not stored.
    pub body: String,
    /// The class it is listed and filtered under: `5xx`, a guide, a family.
    pub class: Class,
    /// Where its code stands in the registry; `None` for guides.
    pub status: Option<Status>,
    /// The vendor of an unofficial code (`"Cloudflare"`, `"nginx"`, …); `None` for official ones.
    pub vendor: Option<String>,
    /// Final URL path, base path included: `"/http-codes/504/"`.
    pub url: String,
    /// The key of a content-family entry as written (`"1020"`, `"500.19"`, `"000"`): a query
    /// word equal to it puts the entry first. `None` for HTTP codes and guides.
    #[serde(default)]
    pub key: Option<String>,
    /// The HTTP status a family entry arrives with (`403` for Cloudflare's 1020).
    #[serde(default)]
    pub http_status: Option<u16>,
    /// How a family names its entries (`"Cloudflare error"`): the entry's badge.
    #[serde(default)]
    pub family: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    /// The status code; `None` for guides.
    pub code: Option<u16>,
    /// The document's title.
    pub title: String,
    /// The document's URL path.
    pub url: String,
    /// Relevance; higher is better. Only comparable within one query.
    pub score: f32,
    /// The document's [`Class`] as filters write it: `"5xx"`, `"guide"` or a family's slug.
    pub class: String,
    /// The document's [`Status`] as filters write it, or `"guide"` for a page without a code.
    pub status: String,
    /// The vendor, for unofficial codes.
    pub vendor: Option<String>,
    /// Display label: `"Official"`, the vendor name, `"Deprecated"`, `"Guide"`, …
    pub badge: String,
    /// Plain text to show under the title (the description, shortened around the first match
    /// when it is long).
    pub snippet: String,
    /// Byte ranges `[start, end)` in [`Hit::snippet`] of the matched words, in order and
    /// disjoint; every bound is on a UTF-8 character boundary.
    pub highlights: Vec<[u32; 2]>,
    /// The key of a family entry (see [`Document::key`]).
    #[serde(default)]
    pub key: Option<String>,
    /// The HTTP status a family entry arrives with.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// The family's label for its entries (`"Cloudflare error"`).
    #[serde(default)]
    pub family: Option<String>,
}

/// What can go wrong when building or opening a bundle, or searching it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The index library failed.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Reading the index failed.
    #[error("reading the search index: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a statusref search bundle (or a damaged one).
    #[error("invalid search bundle: {reason}")]
    InvalidBundle {
        /// What is wrong with it.
        reason: String,
    },
    /// The bundle was written with another schema (another statusref version).
    #[error("search bundle lacks field `{field}`: it was built by another statusref version; rebuild the site")]
    SchemaMismatch {
        /// The missing field.
        field: String,
    },
    /// A document cannot be indexed.
    #[error("cannot index document {title:?} ({url}): {reason}")]
    InvalidDocument {
        /// The document's title.
        title: String,
        /// The document's URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
