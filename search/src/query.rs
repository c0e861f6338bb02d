//! Query string parsing: filters, code patterns and words (see the crate docs for the syntax).

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
    /// Three-digit numbers: those codes first.
    pub codes: Vec<u16>,
    /// Code prefixes from `52`, `52x`, `5`: codes starting with them rank first.
    pub code_prefixes: Vec<String>,
    /// Words to search, lowercased, in order (numbers included, so that pages mentioning a
    /// code are found too).
    pub words: Vec<String>,
    /// Whether the last word is still being typed (the query does not end with a space),
    /// so it also matches as a prefix.
    pub last_word_is_prefix: bool,
    /// Words shaped like a content-family key (`1020`, `500.19`, `0`, `000`): an entry with
    /// that key ranks first.
    pub keys: Vec<String>,
}

impl ParsedQuery {
    /// `true` when the query asks for nothing (empty or only spaces).
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
            && self.codes.is_empty()
            && self.code_prefixes.is_empty()
            && self.words.is_empty()
    }

    /// The words joined by spaces (the text part of the query).
    pub fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// Splits on whitespace, keeping double-quoted stretches together (quotes removed).
fn split_quoted(input: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for c in input.chars() {
        match c {
            '"' | '“' | '”' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
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

/// Digits, optionally a dot and more digits: the shape of a content-family key.
fn is_key(word: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match word.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(word),
    }
}

/// Parses a query string. Never fails: anything that is not a filter or a code pattern is a
/// word.
pub fn parse_query(input: &str) -> ParsedQuery {
    let mut q = ParsedQuery {
        last_word_is_prefix: !input.ends_with(char::is_whitespace),
        ..ParsedQuery::default()
    };
    for part in split_quoted(input) {
        let lower = part.to_lowercase();
        if let Some((key, value)) = lower.split_once(':') {
            let (negated, key) = match key.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, key),
            };
            let kind = match key {
                "class" => Some(FilterKind::Class),
                "vendor" => Some(FilterKind::Vendor),
                "is" | "status" => Some(FilterKind::Is),
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
                continue;
            }
        }
        let trimmed = lower.trim_matches(|c: char| !c.is_alphanumeric());
        if is_key(trimmed) {
            q.keys.push(trimmed.to_string());
        }
        if trimmed.len() == 3 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(code) = trimmed.parse() {
                q.codes.push(code);
            }
            q.words.push(trimmed.to_string());
        } else if (1..=2).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            q.code_prefixes.push(trimmed.to_string());
        } else if let Some(prefix) = class_pattern(trimmed) {
            q.code_prefixes.push(prefix);
        } else if !lower.is_empty() {
            q.words.push(lower);
        }
    }
    if q.words.is_empty() {
        q.last_word_is_prefix = false;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(parse_query("5000").words, ["5000"]);
        assert_eq!(
            parse_query("error 500.19 0 000").keys,
            ["500.19", "0", "000"]
        );
        assert!(parse_query("52x 5xx v1.2").keys.is_empty());
    }

    #[test]
    fn unknown_keys_are_words() {
        let q = parse_query("x-forwarded-for: foo:bar");
        assert!(q.filters.is_empty());
        assert_eq!(q.words, ["x-forwarded-for:", "foo:bar"]);
    }

    #[test]
    fn empty() {
        assert!(parse_query("").is_empty());
        assert!(parse_query("   ").is_empty());
        assert!(!parse_query("is:official").is_empty());
    }
}
