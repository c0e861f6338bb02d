//! Search quality checks: reader queries with the code a good search must rank high.
//!
//! The generator's tests run [`evaluate`] over `tests/queries.tsv` against the real content;
//! this crate's tests run it against a corpus made from `tests/codes.tsv`
//! ([`documents_from_codes_tsv`]).
//!
//! ```
//! use statusref_search::quality::{evaluate, parse_queries_tsv};
//! # use statusref_search::{build_bundle, Document, SearchIndex};
//! # let docs = vec![Document { code: Some(404), title: "404 Not Found".into(), aliases: vec![],
//! #     keywords: vec![], description: String::new(), body: String::new(), class: statusref_search::Class::Codes(4),
//! #     status: Some(statusref_search::Status::Official), vendor: None, url: "/http-codes/404/".into(),
//! #     ..Document::default() }];
//! # let index = SearchIndex::open(build_bundle(&docs)?)?;
//! let queries = parse_queries_tsv("query\texpected\trank\nnot fuond\t404\t1\n").unwrap();
//! let outcomes = evaluate(&index, &queries)?;
//! assert!(outcomes.iter().all(|o| o.passed()), "{outcomes:#?}");
//! # Ok::<(), statusref_search::Error>(())
//! ```

use crate::{Document, Result, SearchIndex};

/// One line of `queries.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityQuery {
    /// What a reader types.
    pub query: String,
    /// The code that must be found; `None` (written `-`) when the query must find nothing
    /// (nonsense, another topic).
    pub expected: Option<u16>,
    /// A content-family entry that must be found instead of a code, by its key (written
    /// `key:500.19`): the IIS error page's own line names its sub-status page.
    pub expected_key: Option<String>,
    /// The lowest acceptable position, 1-based.
    pub rank: usize,
    /// What kind of query it is (`name`, `typo`, `log`, `constant`, `symptom`, `question`,
    /// `nonsense`, …; optional fourth column): for per-kind pass rates and samples.
    pub kind: String,
}

/// How one [`QualityQuery`] fared.
#[derive(Debug, Clone)]
pub struct QualityOutcome {
    /// The query checked.
    pub query: QualityQuery,
    /// 1-based position of the first hit with the expected code, if any in the top ten.
    pub found_at: Option<usize>,
    /// The top hits: code and title.
    pub top: Vec<(Option<u16>, String)>,
}

impl QualityOutcome {
    /// Whether the expected code ranked at or above the required position (for a query that
    /// must find nothing: whether it found nothing).
    pub fn passed(&self) -> bool {
        if self.query.expected.is_some() || self.query.expected_key.is_some() {
            self.found_at.is_some_and(|at| at <= self.query.rank)
        } else {
            self.top.is_empty()
        }
    }
}

/// Share of `outcomes` that passed, in `0.0..=1.0` (1.0 for none).
pub fn pass_rate(outcomes: &[QualityOutcome]) -> f64 {
    if outcomes.is_empty() {
        return 1.0;
    }
    outcomes.iter().filter(|o| o.passed()).count() as f64 / outcomes.len() as f64
}

/// The pass rate of each kind of query (`log`, `typo`, …), by kind name: `(kind, rate,
/// queries of that kind)`.
pub fn pass_rates_by_kind(outcomes: &[QualityOutcome]) -> Vec<(String, f64, usize)> {
    let mut kinds: Vec<&str> = outcomes.iter().map(|o| o.query.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|kind| {
            let of: Vec<QualityOutcome> = outcomes
                .iter()
                .filter(|o| o.query.kind == kind)
                .cloned()
                .collect();
            (kind.to_string(), pass_rate(&of), of.len())
        })
        .collect()
}

/// One line per failed query (what was expected, where it was found, the top five), for a
/// test's failure message.
pub fn describe_failures(outcomes: &[QualityOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| {
            let expected = match (o.query.expected, &o.query.expected_key) {
                (Some(code), _) => format!("{code} within rank {}", o.query.rank),
                (None, Some(key)) => format!("entry {key} within rank {}", o.query.rank),
                (None, None) => "no result".to_string(),
            };
            format!(
                "{:?} [{}]: expected {expected}, found at {:?}; top: {:?}",
                o.query.query,
                o.query.kind,
                o.found_at,
                &o.top[..o.top.len().min(5)]
            )
        })
        .collect()
}

/// Parses `queries.tsv`: a header line, then `query<TAB>expected code<TAB>rank[<TAB>kind]`
/// lines; an expected code `-` means the query must find nothing.
///
/// # Errors
///
/// A message naming the line that is malformed.
pub fn parse_queries_tsv(tsv: &str) -> std::result::Result<Vec<QualityQuery>, String> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let bad = || {
            format!(
                "queries.tsv line {}: expected `query<TAB>code<TAB>rank`, got {line:?}",
                i + 1
            )
        };
        if cols.len() < 3 {
            return Err(bad());
        }
        let (expected, expected_key) = match cols[1].trim() {
            "-" => (None, None),
            key if key.starts_with("key:") => (None, Some(key["key:".len()..].to_string())),
            code => (Some(code.parse().map_err(|_| bad())?), None),
        };
        let rank = match (expected, &expected_key, cols[2].trim()) {
            (None, None, "-") => 0,
            (_, _, rank) => rank.parse().map_err(|_| bad())?,
        };
        out.push(QualityQuery {
            query: cols[0].to_string(),
            expected,
            expected_key,
            rank,
            kind: cols.get(3).map_or(String::new(), |k| k.trim().to_string()),
        });
    }
    Ok(out)
}

/// Runs every query and reports where its expected code ranked.
///
/// # Errors
///
/// If a search fails.
pub fn evaluate(index: &SearchIndex, queries: &[QualityQuery]) -> Result<Vec<QualityOutcome>> {
    queries
        .iter()
        .map(|q| {
            let hits = index.search(&q.query, 10)?;
            Ok(QualityOutcome {
                found_at: hits
                    .iter()
                    .position(|h| match (q.expected, &q.expected_key) {
                        (Some(code), _) => h.code == Some(code),
                        (None, Some(key)) => h.key.as_deref() == Some(key.as_str()),
                        (None, None) => false,
                    })
                    .map(|p| p + 1),
                top: hits.iter().map(|h| (h.code, h.title.clone())).collect(),
                query: q.clone(),
            })
        })
        .collect()
}

/// A test corpus from `codes.tsv` (columns `code name class kind vendor source spec_url
/// former_names note`): title `"NNN Name"`, aliases from `former_names` (`;`-separated), the
/// vendor, the note as description. Malformed lines are skipped.
pub fn documents_from_codes_tsv(tsv: &str) -> Vec<Document> {
    tsv.lines()
        .skip(1)
        .filter_map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() < 9 {
                return None;
            }
            let code: u16 = c[0].trim().parse().ok()?;
            let vendor = Some(c[4].trim().to_string()).filter(|v| !v.is_empty());
            let slug = vendor
                .as_deref()
                .map(|v| {
                    v.to_lowercase()
                        .split(|ch: char| !ch.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                        .join("-")
                })
                .map(|s| format!("#{s}"))
                .unwrap_or_default();
            Some(Document {
                code: Some(code),
                title: format!("{code} {}", c[1].trim()),
                aliases: c[7]
                    .split(';')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
                keywords: Vec::new(),
                description: c[8].trim().to_string(),
                body: String::new(),
                class: crate::Class::from(c[2].trim()),
                status: Some(
                    crate::Status::parse(c[3].trim()).unwrap_or(crate::Status::Unofficial),
                ),
                vendor,
                url: format!("/http-codes/{code}/{slug}"),
                ..Document::default()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_expected_nothing_and_kinds() {
        let q = parse_queries_tsv(
            "query\texpected\trank\tkind\nbanana bread\t-\t-\tnonsense\n504\t504\t1\n",
        )
        .unwrap();
        assert_eq!(q[0].expected, None);
        assert_eq!(q[0].kind, "nonsense");
        assert_eq!(q[1].expected, Some(504));
        let keyed =
            parse_queries_tsv("query\texpected\trank\nHTTP Error 500.19\tkey:500.19\t1\n").unwrap();
        assert_eq!(keyed[0].expected, None);
        assert_eq!(keyed[0].expected_key.as_deref(), Some("500.19"));
        assert_eq!(keyed[0].rank, 1);
        assert_eq!(q[1].kind, "");
        assert!(parse_queries_tsv("h\nx\tfoo\t1\n").is_err());
        let nothing = QualityOutcome {
            query: q[0].clone(),
            found_at: None,
            top: vec![],
        };
        assert!(nothing.passed());
        let noise = QualityOutcome {
            top: vec![(Some(598), "598".into())],
            ..nothing
        };
        assert!(!noise.passed());
        assert_eq!(pass_rate(&[noise]), 0.0);
    }
}
