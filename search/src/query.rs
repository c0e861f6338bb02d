//! Query string parsing: filters, code patterns and words (see the crate docs for the syntax).
//!
//! Readers type words, but they also paste log lines, status lines, response headers and
//! framework constants, and ask questions. The parser takes such text apart into what carries
//! meaning:
//!
//! - identifiers are split into words (`StatusTooManyRequests`, `HTTP_429_TOO_MANY_REQUESTS`,
//!   `http.StatusServiceUnavailable`, `:too_many_requests`, `Response::HTTP_NOT_FOUND`), and
//!   the framing words of such names (`status`, `http`, `code`, `sc`, `response`,
//!   `exception`) are dropped;
//! - three-digit numbers found inside tokens and lines are codes when they stand where a code
//!   stands (see [`ParsedQuery::codes`]); numbers that are clearly something else (`100
//!   seconds`, `(110: Connection timed out)`, `nginx/1.24.0`, `10485760 bytes`) are dropped;
//! - question and filler words (`what does … mean`, `which`, `how to`, `the`, `is`, …) are
//!   dropped, unless the query has nothing else;
//! - the input is capped ([`MAX_QUERY_BYTES`], [`MAX_WORDS`]) so that any input answers in
//!   bounded time.

/// Longest query considered, in bytes; the rest is ignored. A pasted log line or error page
/// heading fits; a pasted page costs no more than this.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Most words searched (after filler words are dropped); later ones are ignored.
pub const MAX_WORDS: usize = 32;

/// Question and filler words: they carry no weight (`what does 429 mean`, `which code when
/// the user is not logged in`, `difference between 401 and 403`). A query made only of them
/// is searched with them (`this is fine`).
pub(crate) const FILLER_WORDS: &[&str] = &[
    "a",
    "about",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "between",
    "but",
    "by",
    "can",
    "code",
    "codes",
    "could",
    "d",
    "did",
    "difference",
    "do",
    "does",
    "doing",
    "don",
    "for",
    "from",
    "get",
    "gets",
    "getting",
    "got",
    "how",
    "http",
    "i",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "its",
    "ll",
    "m",
    "me",
    "mean",
    "meaning",
    "means",
    "my",
    "new",
    "of",
    "on",
    "or",
    "raise",
    "re",
    "return",
    "returned",
    "returning",
    "returns",
    "s",
    "should",
    "status",
    "t",
    "than",
    "that",
    "the",
    "then",
    "there",
    "these",
    "this",
    "those",
    "throw",
    "throws",
    "to",
    "use",
    "ve",
    "versus",
    "vs",
    "was",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
];

/// Words that frame a status name in code (`HttpStatus.NOT_FOUND`, `SC_NOT_FOUND`,
/// `http.StatusNotFound`, `ForbiddenException`): dropped when they come from splitting an
/// identifier, since every code's constant carries them.
const FRAMING_WORDS: &[&str] = &[
    "code",
    "codes",
    "exc",
    "exception",
    "http",
    "httpstatus",
    "response",
    "sc",
    "status",
    "statuscode",
    "statuses",
];

/// Most filler words between a number and the word that makes it a code (`404 is an
/// error`).
const MAX_FILLER_SKIPPED: usize = 2;

/// A query of at most this many words and numbers (filler dropped) is typed, not pasted: a
/// number in it names a family entry (`cloudflare 1020`, `status 0`, `0`).
const SHORT_KEY_QUERY: usize = 2;

/// Least number of numeric fields (numbers, addresses, times, dashes) that makes a query a
/// pasted log line of columns (see [`ParsedQuery::column_codes`]).
const MIN_COLUMNS: usize = 5;

/// Words that make the number before them a quantity, not a code (`100 seconds`, `500 ms`).
const UNIT_WORDS: &[&str] = &[
    "b",
    "byte",
    "bytes",
    "chars",
    "connections",
    "day",
    "days",
    "gb",
    "h",
    "hour",
    "hours",
    "k",
    "kb",
    "kib",
    "mb",
    "mib",
    "milliseconds",
    "min",
    "mins",
    "minute",
    "minutes",
    "ms",
    "percent",
    "px",
    "qps",
    "reqs",
    "retries",
    "rps",
    "s",
    "sec",
    "second",
    "seconds",
    "secs",
    "times",
];

/// Words next to which a number is a status code (`status 404`, `error 502`, `HTTP 503`,
/// `code: 429`).
const CODE_CONTEXT_WORDS: &[&str] = &[
    "code",
    "error",
    "http",
    "https",
    "response",
    "status",
    "statuscode",
];

use crate::schema::{camel_parts, has_inner_uppercase};

/// Which field a [`Filter`] restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilterKind {
    /// `class:5xx`
    Class,
    /// `vendor:cloudflare`
    Vendor,
    /// `is:official`, `is:unofficial`, `is:<status>`
    Is,
}

/// One `key:value` filter of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The field it restricts.
    pub kind: FilterKind,
    /// The value, lowercased; for vendors, words separated by spaces.
    pub value: String,
    /// `true` for `-key:value` (exclude).
    pub negated: bool,
}

/// A query string taken apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Filters, in the order written.
    pub filters: Vec<Filter>,
    /// Three-digit numbers standing where a code stands: alone (`504`), in a status line
    /// (`HTTP/1.1 413`, `awselb/2.0 503`), in a call's parentheses (`abort(401)`,
    /// `res.status(409)`), after `status=`/`code:`, next to `error`/`status`/`HTTP`
    /// (`error 502`), inside a constant (`HTTP_404_NOT_FOUND`, `Http404`) or an IIS sub-status
    /// (`502.5`). Those codes rank first.
    pub codes: Vec<u16>,
    /// Other three-digit numbers, with the position of their word in [`ParsedQuery::words`]:
    /// a code when that code's reason phrase stands right before or after it (`400 Bad
    /// Request …`), decided against the index; otherwise only a word.
    pub code_candidates: Vec<(usize, u16)>,
    /// Those of [`ParsedQuery::codes`] written where a status stands in a status line, a
    /// header, a call or an assignment (`HTTP/1.1 413`, `Status: 404`, `abort(401)`,
    /// `status=503`, `HTTP_404_NOT_FOUND`): they name the code however long the pasted text
    /// around them (a Heroku router line, an access-log line) is.
    pub placed_codes: Vec<u16>,
    /// Three-digit numbers standing alone as columns of a pasted log line (a line most of
    /// whose fields are numbers, addresses, times and dashes: an ALB or W3C access log), in
    /// order: the first that is a code the index knows is the line's status (decided against
    /// the index, since byte counts and ports look the same).
    pub column_codes: Vec<u16>,
    /// Code prefixes from `52`, `52x`, `5`: codes starting with them rank first.
    pub code_prefixes: Vec<String>,
    /// Numbers that name an entry of a family numbered otherwise: `502.5` (an IIS
    /// sub-status, always), and other numbers (`1020` of Cloudflare, `0`, `000`, `999`) when
    /// the query is short (`cloudflare 1020`, `0`), a code word stands next to them
    /// (`error 1020`, `status 0`) or they stand where a code does (`code: 1020`); for a
    /// `key`-like field. A number in a pasted line (`X-RateLimit-Remaining: 0`, an access
    /// log's byte count) is not a key.
    pub keys: Vec<String>,
    /// Other numbers that may be keys, with the words right before and after them: keys
    /// when one of those words names a family's vendor (`Cloudflare 1020 access denied`),
    /// decided against the index.
    pub keys_if_vendor: Vec<(String, Vec<String>)>,
    /// Words to search, lowercased, in order: identifiers split, framing and filler words
    /// dropped, numbers that may be codes kept (pages mentioning a code are found too).
    pub words: Vec<String>,
    /// For each of [`ParsedQuery::words`], the index of the whitespace-separated part of
    /// the query it comes from: the words of one identifier (`CrashLoopBackOff`) share it, so
    /// that a query's length and its unknown words are counted as the reader typed them.
    pub word_parts: Vec<usize>,
    /// `true` when the query has only filler words: [`ParsedQuery::words`] are then those
    /// words, to be weighted low (`this is fine`, `what is`).
    pub only_filler: bool,
    /// Every word of the text part, filler included, lowercased and joined by one space: a
    /// query equal to a name (`this is fine`, `retry with`) finds it.
    pub name: String,
    /// Whether the last word is still being typed (the query does not end with a space or
    /// punctuation), so it also matches as a prefix.
    pub last_word_is_prefix: bool,
    /// Indices into [`ParsedQuery::words`] of words from a namespace: the segments before a
    /// `.` or `::` of a dotted or `::` path (`werkzeug.exceptions.MethodNotAllowed`,
    /// `ActiveRecord::RecordNotFound`, `org.springframework.web.client…`). The last segment
    /// names the status; the path around it only says where it lives, so these words weigh
    /// [`NAMESPACE_WEIGHT`].
    pub namespace_words: Vec<usize>,
}

/// The weight of a namespace word ([`ParsedQuery::namespace_words`]) against another word.
pub const NAMESPACE_WEIGHT: f32 = 0.25;

impl ParsedQuery {
    /// `true` when the query asks for nothing (empty or only spaces).
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
            && self.codes.is_empty()
            && self.code_prefixes.is_empty()
            && self.words.is_empty()
            && self.keys.is_empty()
    }

    /// The words joined by spaces (the text part of the query).
    pub fn text(&self) -> String {
        self.words.join(" ")
    }

    /// How much word `index` of [`ParsedQuery::words`] counts: 1, or [`NAMESPACE_WEIGHT`]
    /// for a namespace's word.
    pub fn word_weight(&self, index: usize) -> f32 {
        if self.namespace_words.contains(&index) {
            NAMESPACE_WEIGHT
        } else {
            1.0
        }
    }
}

/// Whether `word` (lowercase) is a question or filler word (see [`FILLER_WORDS`]), or a
/// single letter (`w` of `http.Error(w, …)`, `x` of `x-amzn-…`).
pub(crate) fn is_filler(word: &str) -> bool {
    let mut chars = word.chars();
    let single_letter = chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none();
    single_letter || FILLER_WORDS.binary_search(&word).is_ok()
}

fn is_framing(word: &str) -> bool {
    FRAMING_WORDS.binary_search(&word).is_ok()
}

fn is_unit(word: &str) -> bool {
    UNIT_WORDS.binary_search(&word).is_ok()
}

fn is_code_context(word: &str) -> bool {
    CODE_CONTEXT_WORDS.binary_search(&word).is_ok()
}

/// The first `max_bytes` of `input` (cut at a character boundary), control
/// characters turned into spaces.
fn clean_input(input: &str, max_bytes: usize) -> (String, bool) {
    let mut end = input.len().min(max_bytes);
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    let cut = end < input.len();
    let input = &input[..end];
    let text = if input.chars().any(char::is_control) {
        input
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        input.to_string()
    };
    (text, cut)
}

/// Splits on whitespace, keeping double-quoted stretches together (quotes removed); at most
/// `max_parts` parts.
fn split_quoted(input: &str, max_parts: usize) -> Vec<String> {
    if !input.contains(['"', '“', '”']) {
        // No quotes: the words between whitespace (most input, and every indexed name).
        return input
            .split_whitespace()
            .take(max_parts.max(1))
            .map(str::to_string)
            .collect();
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for c in input.chars() {
        match c {
            '"' | '“' | '”' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                    if parts.len() >= max_parts {
                        return parts;
                    }
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Whether `text` is `part` lowercased (`part.to_lowercase() == text`), without allocating
/// for ASCII.
fn lowercases_to(part: &str, text: &str) -> bool {
    if part.is_ascii() {
        part.len() == text.len()
            && part
                .bytes()
                .zip(text.bytes())
                .all(|(p, t)| p.to_ascii_lowercase() == t)
    } else {
        part.to_lowercase() == text
    }
}

/// `"5xx"` → `Some("5")`, `"52x"` → `Some("52")`, `"5XX"` → `Some("5")`.
fn class_pattern(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    if bytes.len() != 3 || !(b'1'..=b'9').contains(&bytes[0]) {
        return None;
    }
    match (bytes[1], bytes[2]) {
        (b'x' | b'X', b'x' | b'X') => Some(word[..1].to_string()),
        (b'0'..=b'9', b'x' | b'X') => Some(word[..2].to_string()),
        _ => None,
    }
}

/// How a number found in the query is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberRole {
    /// In a code-like position: a code.
    Code,
    /// Anywhere else: a word, and a code if its reason phrase stands next to it.
    Candidate,
    /// A quantity, version, address, time or error number: dropped.
    Skip,
}

/// One piece of a whitespace-separated part.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// A word (lowercase), whether it came from splitting an identifier, and whether it is
    /// a namespace's (see [`ParsedQuery::namespace_words`]).
    Word {
        text: String,
        identifier: bool,
        namespace: bool,
    },
    /// A run of ASCII digits and how the text around it reads it.
    Number { digits: String, role: NumberRole },
    /// An IIS-style sub-status, `502.5`.
    SubStatus { code: u16, key: String },
}

/// Splits a run of letters and digits at camel-case humps (`tooMany`, `HTTPStatus` →
/// `HTTP`, `Status`), and a three-digit number from a framing, context or unit word glued to
/// it (`Http404`, `error500`, `404error`, `100s`); other letters and digits stay together
/// (`x509`, `http2`, `s3`).
fn split_run(run: &str) -> Vec<&str> {
    if !has_inner_uppercase(run) && !run.bytes().any(|b| b.is_ascii_digit()) {
        // No hump to cut at and no number to take off: the run is one word.
        return vec![run];
    }
    camel_parts(run)
        .into_iter()
        .flat_map(|(start, end)| split_glued_number(&run[start..end]))
        .collect()
}

/// `Http404` → `Http`, `404`; `100s` → `100`, `s`; `x509` stays whole.
fn split_glued_number(piece: &str) -> Vec<&str> {
    let Some(start) = piece.find(|c: char| c.is_ascii_digit()) else {
        return vec![piece];
    };
    let end = piece[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(piece.len(), |e| start + e);
    let (head, digits, tail) = (&piece[..start], &piece[start..end], &piece[end..]);
    let word_ok = |w: &str| {
        let w = w.to_lowercase();
        w.is_empty() || is_framing(&w) || is_code_context(&w) || is_unit(&w)
    };
    if digits.len() != 3
        || (head.is_empty() && tail.is_empty())
        || !word_ok(head)
        || !word_ok(tail)
        || tail.contains(|c: char| c.is_ascii_digit())
    {
        return vec![piece];
    }
    [head, digits, tail]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect()
}

/// Whether a part is written like an identifier: camel-case humps, `_`, `::`, a leading `:`,
/// or dots between letters.
fn is_identifier_like(part: &str) -> bool {
    // One pass, with the two characters before each (no collected `Vec<char>`: every part of
    // every query and indexed name comes here).
    let (mut hump, mut joined) = (false, false);
    let (mut before_last, mut last) = (None, None);
    for c in part.chars() {
        if let Some(b) = last {
            hump |= char::is_lowercase(b) && c.is_uppercase();
            if let Some(a) = before_last {
                joined |=
                    char::is_alphanumeric(a) && matches!(b, '_' | '.' | ':') && c.is_alphabetic();
            }
        }
        (before_last, last) = (last, Some(c));
    }
    hump || joined || (part.starts_with(':') && part.len() > 1)
}

/// `HTTP/1.1`, `HTTP/2`, `awselb/2.0`, `nginx/1.24.0`: a protocol or product and its version,
/// as at the start of a status line or in a `Server` header.
fn is_version_token(part: &str) -> bool {
    match part.split_once('/') {
        Some((name, version)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && name.chars().any(|c| c.is_ascii_alphabetic())
                && !version.is_empty()
                && version.starts_with(|c: char| c.is_ascii_digit())
                && version.chars().all(|c| c.is_ascii_digit() || c == '.')
        }
        None => false,
    }
}

/// Takes one whitespace-separated part apart into words and numbers.
///
/// `prev_context` is whether the part before makes a number at the start of this one a code
/// (`HTTP/1.1 413`, `status: 404`).
fn pieces(part: &str, prev_context: bool) -> Vec<Piece> {
    let trimmed = part.trim_matches(|c: char| !c.is_alphanumeric());
    // An IIS sub-status: `502.5`, `500.19`.
    if let Some((code, sub)) = trimmed.split_once('.') {
        if code.len() == 3
            && (1..=2).contains(&sub.len())
            && code.bytes().chain(sub.bytes()).all(|b| b.is_ascii_digit())
            && !code.starts_with('0')
        {
            if let Ok(code) = code.parse() {
                return vec![Piece::SubStatus {
                    code,
                    key: trimmed.to_string(),
                }];
            }
        }
    }
    let identifier = is_identifier_like(part);
    let version = is_version_token(trimmed);
    let bytes = part.as_bytes();
    let mut out = Vec::new();
    // Runs of letters and digits, with their byte ranges in `part`.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in part.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, part.len()));
    }
    let before = |at: usize| -> Option<u8> { at.checked_sub(1).map(|i| bytes[i]) };
    let after = |at: usize| -> Option<u8> { bytes.get(at).copied() };
    for (run_index, &(s, e)) in runs.iter().enumerate() {
        let run = &part[s..e];
        // A segment of a path: `.` or `::` then a letter follow it (`ActiveRecord::`,
        // `exceptions.`), not a sentence's full stop nor a version's dot.
        let rest = &part[e..];
        let namespace = identifier
            && ["::", "."].iter().any(|sep| {
                rest.strip_prefix(sep)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_alphabetic()))
            });
        for piece in split_run(run) {
            let offset = s + (piece.as_ptr() as usize - run.as_ptr() as usize);
            let end = offset + piece.len();
            if !piece.bytes().all(|b| b.is_ascii_digit()) {
                out.push(Piece::Word {
                    text: piece.to_lowercase(),
                    identifier,
                    namespace,
                });
                continue;
            }
            let glued_before = offset > s;
            let glued_after = end < e;
            let (b, a) = (before(offset), after(end));
            let digit_after = |at: usize| bytes.get(at + 1).is_some_and(u8::is_ascii_digit);
            let digit_before = |at: usize| {
                at.checked_sub(2)
                    .and_then(|i| bytes.get(i))
                    .is_some_and(u8::is_ascii_digit)
            };
            // Inside a dotted, slashed or colon-separated number: a version, an address, a
            // date or a time (`1.24.0`, `127.0.0.1`, `2024/01/01`, `12:00:01`).
            let in_group = (!glued_before
                && matches!(b, Some(b'.' | b'/' | b':' | b'-'))
                && digit_before(offset))
                || (!glued_after
                    && matches!(a, Some(b'.' | b'/' | b':' | b'-'))
                    && digit_after(end));
            // `(110: Connection timed out)`: an error number, not a status.
            let errno = b == Some(b'(')
                && a == Some(b':')
                && (offset < 2 || !bytes[offset - 2].is_ascii_alphanumeric());
            // `abort(401)`, `res.status(409)`, `status=404`, `HTTP_404_NOT_FOUND`, `Http404`.
            let call = b == Some(b'(')
                && offset >= 2
                && bytes[offset - 2].is_ascii_alphanumeric()
                && matches!(a, None | Some(b')' | b','));
            let assigned = matches!(b, Some(b'=' | b':'))
                && run_index > 0
                && split_run(&part[runs[run_index - 1].0..runs[run_index - 1].1])
                    .last()
                    .is_some_and(|w| is_code_context(&w.to_lowercase()));
            let in_identifier = identifier && b == Some(b'_');
            let first = run_index == 0 && !glued_before;
            // Four digits are not a status but maybe an entry's number (Cloudflare 1020):
            // `Code` then says it stands where a code does (`code: 1020`).
            let role = if version || in_group || errno || !(3..=4).contains(&piece.len()) {
                NumberRole::Skip
            } else if call
                || assigned
                || in_identifier
                || glued_before
                || glued_after
                || (first && prev_context)
            {
                NumberRole::Code
            } else {
                NumberRole::Candidate
            };
            out.push(Piece::Number {
                digits: piece.to_string(),
                role,
            });
        }
    }
    out
}

/// Whether `part` makes a number at the start of the next part a code: a status-line or
/// server token (`HTTP/1.1`, `awselb/2.0`), or a word like `status`, `error`, `code:`.
fn gives_code_context(part: &str) -> bool {
    // A quoted stretch (`"GET /x HTTP/1.1"` of an access log) ends with its last word.
    let part = part.split_whitespace().last().unwrap_or(part);
    let trimmed = part.trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '.');
    if is_version_token(trimmed.trim_end_matches('.')) {
        return true;
    }
    part.split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .and_then(|w| split_run(w).last().map(|l| l.to_lowercase()))
        .is_some_and(|w| is_code_context(&w))
}

/// Removes repeated items, keeping the first of each in place.
fn dedup_in_order<T: PartialEq + Clone>(items: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(items.len());
    items.retain(|item| {
        if seen.contains(item) {
            false
        } else {
            seen.push(item.clone());
            true
        }
    });
}

/// Whether `parts` read as a pasted log line of columns (an ALB, ELB, W3C or common access
/// log): at least [`MIN_COLUMNS`] fields that are numbers, decimals, addresses, dates, times
/// or a lone dash.
fn is_columns_line(parts: &[String]) -> bool {
    let numeric = |part: &&String| {
        let trimmed = part.trim_matches(|c: char| matches!(c, '"' | '[' | ']' | '(' | ')' | ','));
        trimmed == "-"
            || (trimmed.bytes().any(|b| b.is_ascii_digit())
                && trimmed
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b':' | b'/' | b'-' | b'+')))
    };
    parts.iter().filter(numeric).count() >= MIN_COLUMNS
}

/// `500.19` from the end of an IIS (W3C) log line, `… 500 19 13 15`: the status at
/// `parts[at]` followed by three numbers, the sub-status (one or two digits), the Win32 status
/// and the time taken, as IIS writes them by default.
fn w3c_sub_status(parts: &[String], at: usize, status: &str) -> Option<String> {
    let number = |i: usize| {
        parts
            .get(i)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let sub = number(at + 1).filter(|s| s.len() <= 2)?;
    number(at + 2)?;
    number(at + 3)?;
    Some(format!("{status}.{sub}"))
}

/// Parses a query string. Never fails: anything that is not a filter or a code pattern is a
/// word. Looks at the first [`MAX_QUERY_BYTES`] and keeps the first [`MAX_WORDS`] words.
pub fn parse_query(input: &str) -> ParsedQuery {
    analyze(input, MAX_QUERY_BYTES, MAX_WORDS)
}

/// The words of an indexed text as [`parse_query`] takes a query apart (identifiers split,
/// filler dropped, numbers that are not codes dropped), without its limits: the index's
/// phrases and word pairs then agree with the query's.
pub(crate) fn content_words(text: &str) -> Vec<String> {
    analyze(text, usize::MAX, usize::MAX).words
}

fn analyze(input: &str, max_bytes: usize, max_words: usize) -> ParsedQuery {
    let (input, cut) = clean_input(input, max_bytes);
    let mut q = ParsedQuery::default();
    let max_parts = max_words.saturating_mul(4);
    let parts = split_quoted(&input, max_parts);
    let typing =
        !cut && !input.ends_with(char::is_whitespace) && input.ends_with(char::is_alphanumeric);

    // Every word and number in order: (piece, part index, is the last piece of the input).
    let mut all: Vec<(Piece, usize)> = Vec::new();
    let mut prev_context = false;
    for (part_index, part) in parts.iter().enumerate() {
        let lower = part.to_lowercase();
        if let Some((key, value)) = lower.split_once(':') {
            let (negated, key) = match key.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, key),
            };
            let kind = match key {
                "class" => Some(FilterKind::Class),
                "vendor" => Some(FilterKind::Vendor),
                "is" => Some(FilterKind::Is),
                "status" if value.starts_with(|c: char| c.is_alphabetic()) => Some(FilterKind::Is),
                _ => None,
            };
            if let Some(kind) = kind {
                let value = match kind {
                    FilterKind::Vendor => value
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => value.trim().to_string(),
                };
                if !value.is_empty() {
                    q.filters.push(Filter {
                        kind,
                        value,
                        negated,
                    });
                }
                prev_context = false;
                continue;
            }
        }
        let trimmed = lower.trim_matches(|c: char| !c.is_alphanumeric());
        if let Some(prefix) = class_pattern(trimmed) {
            q.code_prefixes.push(prefix);
            prev_context = false;
            continue;
        }
        if (1..=2).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            // `52`: a code prefix if the query has nothing else (decided below).
            all.push((
                Piece::Number {
                    digits: trimmed.to_string(),
                    role: NumberRole::Skip,
                },
                part_index,
            ));
            prev_context = false;
            continue;
        }
        for piece in pieces(part, prev_context) {
            all.push((piece, part_index));
        }
        prev_context = gives_code_context(part);
    }

    // Whether each piece is a whole part (`error`, `error:`, `[error]`, `0`), not a piece of
    // a token (the `http` of a URL, the `0` of `bytes=0`).
    let standalone: Vec<bool> = all
        .iter()
        .map(|(piece, part_index)| {
            let part = parts[*part_index].trim_matches(|c: char| !c.is_alphanumeric());
            match piece {
                Piece::Word { text, .. } => lowercases_to(part, text),
                Piece::Number { digits, .. } => part == digits,
                Piece::SubStatus { key, .. } => part == key,
            }
        })
        .collect();

    // A number followed by a unit is a quantity (`100 seconds`, `100s`), unless the unit is
    // only the name of the next field (`status=503 bytes=0`).
    for i in 0..all.len() {
        let unit_follows = matches!(all.get(i + 1), Some((Piece::Word { text, .. }, part))
            if is_unit(text) && (*part == all[i].1 || standalone[i + 1]));
        if let (Piece::Number { role, .. }, true) = (&mut all[i].0, unit_follows) {
            *role = NumberRole::Skip;
        }
    }

    let mut name = String::new();
    let mut name_word = |word: &str| {
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(word);
    };
    let mut meaningful_words = 0usize;
    // Words and numbers that say something: a query of at most [`SHORT_KEY_QUERY`] of them
    // is typed, and a number in it names an entry (`cloudflare 1020`, `status 0`).
    let mut meaningful_pieces = 0usize;
    for (i, (piece, _)) in all.iter().enumerate() {
        match piece {
            Piece::Word { text, .. } => {
                name_word(text);
                if !is_filler(text) {
                    meaningful_words += 1;
                    meaningful_pieces += 1;
                }
            }
            Piece::Number { digits, role } => {
                name_word(digits);
                if *role != NumberRole::Skip || standalone[i] {
                    meaningful_pieces += 1;
                }
            }
            Piece::SubStatus { key, .. } => {
                name_word(key);
                meaningful_pieces += 1;
            }
        }
    }
    q.name = name;
    let short_query = meaningful_pieces <= SHORT_KEY_QUERY;
    let columns = is_columns_line(&parts);

    // Numbers next to `error`, `status`, `code` … (`502 error`, `error 502`), filler words
    // between them skipped (`is 404 an error`, `error is 502`). The word must stand alone:
    // the `http` of a URL next to a byte count does not make it a code.
    let is_word = |i: usize, test: fn(&str) -> bool| -> bool {
        matches!(all.get(i), Some((Piece::Word { text, .. }, _)) if test(text))
    };
    let skippable = |text: &str| is_filler(text) && !is_code_context(text);
    let context_at = |i: usize, forward: bool| -> bool {
        let mut at = i;
        for _ in 0..=MAX_FILLER_SKIPPED {
            if is_word(at, is_code_context) && standalone[at] {
                return true;
            }
            if !is_word(at, skippable) {
                return false;
            }
            at = match (forward, at.checked_sub(1)) {
                (true, _) => at + 1,
                (false, Some(before)) => before,
                (false, None) => return false,
            };
        }
        false
    };
    // The words right before and after piece `i`, filler skipped, in the same or the next
    // part: a vendor's name there makes a number its entry's key (`Cloudflare 1020 access
    // denied`).
    let neighbour_words = |i: usize| -> Vec<String> {
        let mut out = Vec::new();
        let mut look = |mut at: Option<usize>, forward: bool| {
            let mut part = all[i].1;
            for _ in 0..=MAX_FILLER_SKIPPED {
                let Some(here) = at else { return };
                match all.get(here) {
                    Some((_, p)) if p.abs_diff(part) > 1 => return,
                    Some((Piece::Word { text, .. }, p)) if is_filler(text) => part = *p,
                    Some((Piece::Word { text, .. }, _)) => {
                        out.push(text.clone());
                        return;
                    }
                    _ => return,
                }
                at = if forward {
                    Some(here + 1)
                } else {
                    here.checked_sub(1)
                };
            }
        };
        look(i.checked_sub(1), false);
        look(Some(i + 1), true);
        out
    };
    let last_index = all.len().saturating_sub(1);
    let mut last_word_from_tail = false;
    for (i, (piece, part_index)) in all.iter().enumerate() {
        match piece {
            Piece::Word {
                text,
                identifier,
                namespace,
            } => {
                if is_filler(text) || (*identifier && is_framing(text)) {
                    continue;
                }
                if q.words.len() < max_words {
                    if *namespace {
                        q.namespace_words.push(q.words.len());
                    }
                    q.words.push(text.clone());
                    q.word_parts.push(*part_index);
                    last_word_from_tail = i == last_index && *part_index + 1 == parts.len();
                }
            }
            Piece::SubStatus { code, key } => {
                q.codes.push(*code);
                q.keys.push(key.clone());
                if q.words.len() < max_words {
                    q.words.push(code.to_string());
                    q.word_parts.push(*part_index);
                }
                last_word_from_tail = false;
            }
            Piece::Number { digits, role } => {
                last_word_from_tail = false;
                let neighbour_context = context_at(i + 1, true)
                    || i.checked_sub(1).is_some_and(|b| context_at(b, false));
                // A number that may name an entry: any standing alone as a part (`0`,
                // `000`), and those of three or four digits that are not quantities.
                let may_be_key = (standalone[i] && digits.len() <= 3)
                    || (*role != NumberRole::Skip && (3..=4).contains(&digits.len()));
                if may_be_key {
                    if short_query || neighbour_context || *role == NumberRole::Code {
                        q.keys.push(digits.clone());
                    } else {
                        let words = neighbour_words(i);
                        if !words.is_empty() {
                            q.keys_if_vendor.push((digits.clone(), words));
                        }
                    }
                }
                if digits.len() <= 2 {
                    continue;
                }
                let alone = meaningful_words == 0;
                match role {
                    NumberRole::Skip => {}
                    NumberRole::Code | NumberRole::Candidate if digits.len() == 4 => {
                        if q.words.len() < max_words {
                            q.words.push(digits.clone());
                            q.word_parts.push(*part_index);
                        }
                    }
                    NumberRole::Code | NumberRole::Candidate => {
                        let Ok(code) = digits.parse::<u16>() else {
                            continue;
                        };
                        if code < 100 || q.words.len() >= max_words {
                            continue;
                        }
                        if *role == NumberRole::Code {
                            q.codes.push(code);
                            q.placed_codes.push(code);
                        } else if alone || neighbour_context {
                            q.codes.push(code);
                        } else {
                            if columns && standalone[i] && code < 600 {
                                q.column_codes.push(code);
                                if let Some(key) = w3c_sub_status(&parts, *part_index, digits) {
                                    q.keys.push(key);
                                }
                            }
                            q.code_candidates.push((q.words.len(), code));
                        }
                        q.words.push(digits.clone());
                        q.word_parts.push(*part_index);
                    }
                }
            }
        }
    }
    dedup_in_order(&mut q.codes);
    dedup_in_order(&mut q.placed_codes);
    dedup_in_order(&mut q.column_codes);
    dedup_in_order(&mut q.keys);
    q.keys_if_vendor.retain(|(key, _)| !q.keys.contains(key));

    // `52`: a code prefix when the query has nothing else to search.
    let short_numbers: Vec<&String> = all
        .iter()
        .filter_map(|(p, _)| match p {
            Piece::Number { digits, .. } if digits.len() <= 2 => Some(digits),
            _ => None,
        })
        .collect();
    if q.words.is_empty() && q.codes.is_empty() && meaningful_words == 0 {
        q.code_prefixes.extend(
            short_numbers
                .into_iter()
                .filter(|d| !d.starts_with('0'))
                .cloned(),
        );
    }

    // Only filler words: search them as they are (`this is fine`, `what is`).
    if q.words.is_empty() && q.codes.is_empty() && q.code_prefixes.is_empty() {
        (q.words, q.word_parts) = all
            .iter()
            .filter_map(|(p, part)| match p {
                Piece::Word { text, .. } => Some((text.clone(), *part)),
                _ => None,
            })
            .take(max_words)
            .unzip();
        q.only_filler = !q.words.is_empty();
        q.namespace_words.clear();
        last_word_from_tail = q.only_filler;
    }
    q.last_word_is_prefix = typing && last_word_from_tail && !q.words.is_empty();
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [FILLER_WORDS, FRAMING_WORDS, UNIT_WORDS, CODE_CONTEXT_WORDS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn filters_and_words() {
        let q = parse_query("class:5xx Vendor:\"Microsoft IIS\" -is:unofficial gateway tim");
        assert_eq!(
            q.filters,
            vec![
                Filter {
                    kind: FilterKind::Class,
                    value: "5xx".into(),
                    negated: false
                },
                Filter {
                    kind: FilterKind::Vendor,
                    value: "microsoft iis".into(),
                    negated: false
                },
                Filter {
                    kind: FilterKind::Is,
                    value: "unofficial".into(),
                    negated: true
                },
            ]
        );
        assert_eq!(q.words, ["gateway", "tim"]);
        assert!(q.last_word_is_prefix);
        assert!(!parse_query("gateway ").last_word_is_prefix);
        assert!(!parse_query("gateway.").last_word_is_prefix);
    }

    #[test]
    fn vendor_slugs() {
        let q = parse_query("vendor:aws-elastic-load-balancing");
        assert_eq!(q.filters[0].value, "aws elastic load balancing");
    }

    #[test]
    fn numbers_and_classes() {
        let q = parse_query("504");
        assert_eq!(q.codes, [504]);
        assert_eq!(q.words, ["504"]);
        assert_eq!(parse_query("52").code_prefixes, ["52"]);
        assert_eq!(parse_query("52x").code_prefixes, ["52"]);
        assert_eq!(parse_query("5xx").code_prefixes, ["5"]);
        assert_eq!(parse_query("5XX").code_prefixes, ["5"]);
        assert!(parse_query("5xx").words.is_empty());
        // Four digits: an entry's number, not a status code.
        let q = parse_query("cloudflare 1020");
        assert!(q.codes.is_empty());
        assert_eq!(q.keys, ["1020"]);
        assert_eq!(q.words, ["cloudflare", "1020"]);
        // A one- or two-digit number among words is neither a prefix nor a word.
        let q = parse_query("api gateway 29 seconds");
        assert!(q.code_prefixes.is_empty());
        assert_eq!(q.words, ["api", "gateway", "seconds"]);
    }

    #[test]
    fn codes_inside_tokens_and_lines() {
        for (query, code) in [
            ("abort(401)", 401),
            ("res.status(409)", 409),
            ("res.status(409).json(err)", 409),
            ("HTTP/1.1 413", 413),
            ("HTTP/2 502", 502),
            ("awselb/2.0 503", 503),
            ("status=404", 404),
            ("status: 429", 429),
            ("error 502", 502),
            ("502 error", 502),
            ("HTTP_204_NO_CONTENT", 204),
            ("raise Http404", 404),
            ("new ResponseStatusException(HttpStatus.CONFLICT, 409)", 409),
            ("nginx 504", 504),
        ] {
            let q = parse_query(query);
            let is_code =
                q.codes.contains(&code) || q.code_candidates.iter().any(|&(_, c)| c == code);
            assert!(is_code, "{query}: {q:?}");
        }
        // Code-like positions give a code outright; a number among words only a candidate.
        assert_eq!(parse_query("abort(401)").codes, [401]);
        assert_eq!(parse_query("HTTP/1.1 413").codes, [413]);
        assert_eq!(parse_query("awselb/2.0 503").codes, [503]);
        let q = parse_query("nginx 504");
        assert!(q.codes.is_empty());
        assert_eq!(q.code_candidates, [(1, 504)]);
        // An IIS sub-status: the HTTP code, and the whole number as a key.
        let q = parse_query("502.5");
        assert_eq!(q.codes, [502]);
        assert_eq!(q.keys, ["502.5"]);
    }

    /// An AWS ALB access-log line: byte counts, ports, a lone `0` (the matched rule's
    /// priority) and the status twice, as columns.
    const ALB_LINE: &str = "h2 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 \
        192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 502 502 34 366 \
        \"GET https://www.example.com:443/ HTTP/2.0\" \"curl/7.46.0\" - - \
        arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \
        \"Root=1-58337262-36d228ad5d99923122bbe354\" \"www.example.com\" - 0 \
        2018-07-02T22:22:48.364000Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"502\" \"-\" \"-\"";
    /// An Apache/nginx combined access-log line: the status after the quoted request, then
    /// a byte count of `0`.
    const COMBINED_LINE: &str = "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \
        \"GET /apache_pb.gif HTTP/1.0\" 404 0 \"http://www.example.com/start.html\" \
        \"Mozilla/4.08 [en] (Win98; I ;Nav)\"";
    /// A Heroku router line: the status assigned among other fields, `bytes=0` after it.
    const HEROKU_LINE: &str = "at=error code=H12 desc=\"Request timeout\" method=GET path=\"/\" \
        host=myapp.herokuapp.com request_id=8601b555 fwd=\"204.204.204.204\" dyno=web.1 \
        connect=0ms service=30000ms status=503 bytes=0";

    #[test]
    fn numbers_in_pasted_lines_are_not_entry_keys() {
        for line in [
            ALB_LINE,
            COMBINED_LINE,
            HEROKU_LINE,
            "X-RateLimit-Limit: 60 X-RateLimit-Remaining: 0 X-RateLimit-Reset: 1372700873",
            "GET /download 200 1024 bytes sent to client in 35 ms",
            "upstream sent 1104 bytes of headers while reading response header from upstream",
        ] {
            let q = parse_query(line);
            assert!(
                !q.keys.iter().any(|k| k == "0" || k.len() == 4),
                "{line}: {:?}",
                q.keys
            );
        }
        // Between numbers and dashes, a `0` has no word next to it that could name a vendor.
        let q = parse_query(ALB_LINE);
        assert!(
            q.keys_if_vendor.iter().all(|(k, _)| k != "0"),
            "{:?}",
            q.keys_if_vendor
        );
    }

    #[test]
    fn numbers_name_entries_in_short_queries_and_next_to_code_words() {
        for (query, key) in [
            ("0", "0"),
            ("status 0", "0"),
            ("what is status 0", "0"),
            ("XMLHttpRequest status 0 cors preflight", "0"),
            ("request failed with status code 0 in chrome", "0"),
            ("curl 000", "000"),
            ("linkedin 999", "999"),
            ("cloudflare 1020", "1020"),
            ("1020", "1020"),
            ("error 1020", "1020"),
            (
                "Error 1020 Ray ID: 7d2a1b3c4d5e6f70 access denied by the site owner",
                "1020",
            ),
            (
                "error code: 1020 the owner of this website has banned your access",
                "1020",
            ),
            ("iis 500.19", "500.19"),
            (
                "HTTP Error 500.19 - Internal Server Error The requested page cannot be accessed",
                "500.19",
            ),
        ] {
            let q = parse_query(query);
            assert!(q.keys.iter().any(|k| k == key), "{query}: {q:?}");
        }
        // Among other words, only a vendor's name next to it can make it a key; the index
        // decides whether `cloudflare` is one.
        let q = parse_query("Cloudflare 1020 access denied firewall rule");
        assert!(q.keys.is_empty(), "{q:?}");
        assert_eq!(
            q.keys_if_vendor,
            [(
                "1020".to_string(),
                vec!["cloudflare".to_string(), "access".to_string()]
            )]
        );
    }

    #[test]
    fn codes_where_a_status_stands_in_long_lines_are_placed() {
        let q = parse_query(HEROKU_LINE);
        assert_eq!(q.placed_codes, [503], "{q:?}");
        assert_eq!(parse_query(COMBINED_LINE).placed_codes, [404]);
        let q = parse_query(
            "2024-01-01 12:00:00 W3SVC1 GET /app - 443 - 10.0.0.2 Mozilla/5.0 - sc-status 503 \
             sc-substatus 0 time-taken 15",
        );
        assert_eq!(q.placed_codes, [503], "{q:?}");
        assert_eq!(
            parse_query("HTTP/1.1 429 Too Many Requests Retry-After: 3600 X-Request-Id: abc")
                .placed_codes,
            [429]
        );
        // An IIS log line ends with the status, sub-status, Win32 status and time taken.
        let q = parse_query(
            "2024-01-01 12:00:00 W3SVC1 10.0.0.1 GET /app - 443 - 10.0.0.2 Mozilla/5.0 - \
             500 19 13 15",
        );
        assert_eq!(q.column_codes, [443, 500], "{q:?}");
        assert_eq!(q.keys, ["500.19"], "{q:?}");
        // A log of columns: its three-digit columns, for the index to pick the status from.
        let q = parse_query(ALB_LINE);
        assert!(q.placed_codes.is_empty(), "{q:?}");
        assert_eq!(q.column_codes, [502, 366], "{q:?}");
        // A number among words or before its reason phrase is no placed code.
        let q = parse_query("400 Bad Request The plain HTTP request was sent to HTTPS port");
        assert!(q.placed_codes.is_empty(), "{q:?}");
        assert!(q.column_codes.is_empty(), "{q:?}");
        // A URL's `https` next to a number does not make it a code.
        let q = parse_query("GET https://example.com:443/path 200");
        assert!(!q.codes.contains(&443), "{q:?}");
    }

    #[test]
    fn a_unit_that_names_the_next_field_leaves_the_number_alone() {
        assert_eq!(parse_query("status=503 bytes=0").codes, [503]);
        assert_eq!(parse_query("status=503 bytes=0").placed_codes, [503]);
        // A unit as a word of its own, or glued, still makes a quantity.
        assert!(parse_query("sent 404 bytes to the client").codes.is_empty());
        assert!(parse_query("took 500ms").codes.is_empty());
    }

    #[test]
    fn words_remember_the_part_they_were_typed_in() {
        let q = parse_query("kubernetes CrashLoopBackOff");
        assert_eq!(q.words, ["kubernetes", "crash", "loop", "back", "off"]);
        assert_eq!(q.word_parts, [0, 1, 1, 1, 1]);
        let q = parse_query("what is");
        assert_eq!(q.word_parts.len(), q.words.len());
    }

    #[test]
    fn code_context_skips_filler_words() {
        assert_eq!(parse_query("is 404 an error").codes, [404]);
        assert_eq!(parse_query("the error is 502").codes, [502]);
        // Too far from the context word, or no context word: a candidate only.
        assert!(parse_query("404 is not an error").codes.is_empty());
        assert!(parse_query("nginx 504 again").codes.is_empty());
    }

    #[test]
    fn namespace_words_weigh_less() {
        let q = parse_query("ActiveRecord::RecordNotFound");
        assert_eq!(q.words, ["active", "record", "record", "not", "found"]);
        assert_eq!(q.namespace_words, [0, 1]);
        assert_eq!(q.word_weight(0), NAMESPACE_WEIGHT);
        assert_eq!(q.word_weight(2), 1.0);
        let q = parse_query("werkzeug.exceptions.MethodNotAllowed");
        assert_eq!(
            q.words,
            ["werkzeug", "exceptions", "method", "not", "allowed"]
        );
        assert_eq!(q.namespace_words, [0, 1]);
        // A sentence's full stop, a version and a plain word are not namespaces.
        assert!(parse_query("Request aborted. Try again")
            .namespace_words
            .is_empty());
        assert!(parse_query("nginx/1.24.0 bad gateway")
            .namespace_words
            .is_empty());
        assert!(parse_query("too many requests").namespace_words.is_empty());
    }

    #[test]
    fn numbers_that_are_not_codes() {
        for query in [
            "cloudflare origin slow 100 seconds",
            "timeout after 300s",
            "upstream timed out (110: Connection timed out) while reading",
            "client intended to send too large body: 10485760 bytes",
            "Server: nginx/1.24.0",
            "connect() to 127.0.0.1:8080 failed",
            "2024/01/01 12:00:01 [error]",
        ] {
            let q = parse_query(query);
            assert!(q.codes.is_empty(), "{query}: {q:?}");
            assert!(q.code_candidates.is_empty(), "{query}: {q:?}");
            assert!(
                !q.words
                    .iter()
                    .any(|w| w.bytes().all(|b| b.is_ascii_digit())),
                "{query}: {q:?}"
            );
        }
    }

    #[test]
    fn identifiers_are_split_and_framing_dropped() {
        for (query, words) in [
            ("StatusTooManyRequests", &["too", "many", "requests"][..]),
            ("http.StatusServiceUnavailable", &["service", "unavailable"]),
            ("HttpStatus.TOO_MANY_REQUESTS", &["too", "many", "requests"]),
            ("HTTPStatus.NOT_FOUND", &["not", "found"]),
            ("HttpStatusCode.NotFound", &["not", "found"]),
            ("SC_NOT_FOUND", &["not", "found"]),
            ("Response::HTTP_NOT_FOUND", &["not", "found"]),
            ("status.HTTP_404_NOT_FOUND", &["404", "not", "found"]),
            (":too_many_requests", &["too", "many", "requests"]),
            (
                "StatusRequestHeaderFieldsTooLarge",
                &["request", "header", "fields", "too", "large"],
            ),
            (
                "x-amzn-ErrorType: ForbiddenException",
                &["amzn", "error", "type", "forbidden"],
            ),
            ("HttpStatus.I_AM_A_TEAPOT", &["teapot"]),
            ("proxy_read_timeout", &["proxy", "read", "timeout"]),
        ] {
            assert_eq!(parse_query(query).words, words, "{query}");
        }
        // A word that is not an identifier keeps framing-like words.
        assert_eq!(
            parse_query("response timeout").words,
            ["response", "timeout"]
        );
    }

    #[test]
    fn question_and_filler_words_are_dropped() {
        assert_eq!(parse_query("what does 429 mean").words, ["429"]);
        assert_eq!(parse_query("what does 429 mean").codes, [429]);
        assert_eq!(
            parse_query("which code when user is not logged in").words,
            ["user", "not", "logged"]
        );
        assert_eq!(
            parse_query("difference between 401 and 403").words,
            ["401", "403"]
        );
        // Only filler words: searched as they are.
        let q = parse_query("this is fine");
        assert_eq!(q.words, ["fine"]);
        assert_eq!(q.name, "this is fine");
        let q = parse_query("what is");
        assert_eq!(q.words, ["what", "is"]);
        assert!(q.only_filler);
    }

    #[test]
    fn unknown_keys_are_words() {
        let q = parse_query("x-forwarded-for: foo:bar");
        assert!(q.filters.is_empty());
        assert_eq!(q.words, ["forwarded", "foo", "bar"]);
    }

    #[test]
    fn empty() {
        assert!(parse_query("").is_empty());
        assert!(parse_query("   ").is_empty());
        assert!(!parse_query("is:official").is_empty());
    }

    #[test]
    fn any_input_is_bounded() {
        let long = "timeout ".repeat(2000);
        let q = parse_query(&long);
        assert!(q.words.len() <= MAX_WORDS);
        let words: String = (0..5000).map(|i| format!("w{i} ")).collect();
        let q = parse_query(&words);
        assert_eq!(q.words.len(), MAX_WORDS);
        // Control characters, lone separators, a multi-byte character cut at the limit.
        let q = parse_query("gate\u{0}way\u{7}\ttime\u{1b}out");
        assert_eq!(q.words, ["gate", "way", "time", "out"]);
        let cut = format!("{}é", "a".repeat(MAX_QUERY_BYTES - 1));
        let q = parse_query(&cut);
        assert!(
            !q.last_word_is_prefix,
            "a cut query has no word being typed"
        );
        for odd in ["\u{fffd}", "((((", "::::", "_._._", "\u{200b}", "٣٠٤"] {
            let _ = parse_query(&odd.repeat(500));
        }
    }
}
