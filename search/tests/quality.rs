//! Every reader query in `tests/queries.tsv` meets its rank against a corpus made from
//! `tests/codes.tsv` (names, former names, vendors, notes; no page bodies).

use statusref_search::quality::{
    describe_failures, documents_from_codes_tsv, evaluate, parse_queries_tsv, pass_rate,
};
use statusref_search::{build_bundle, SearchIndex};

fn workspace_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Share of `tests/queries.tsv` that must meet its rank on this poorer corpus (no keywords, no
/// page bodies): the real content is checked to 97% by the generator's `search_quality` test.
const MIN_PASS_RATE_ON_CODES_TSV: f64 = 0.75;

#[test]
fn queries_tsv_meet_their_rank_on_codes_tsv() {
    let docs = documents_from_codes_tsv(&workspace_file("codes.tsv"));
    assert!(
        docs.len() > 90,
        "codes.tsv gave only {} documents",
        docs.len()
    );
    let index = SearchIndex::open(build_bundle(&docs).unwrap()).unwrap();
    let queries = parse_queries_tsv(&workspace_file("queries.tsv")).unwrap();
    let outcomes = evaluate(&index, &queries).unwrap();
    // The seed queries (names, former names, vendors, typos) all hold on names alone.
    let seed: Vec<_> = outcomes
        .iter()
        .filter(|o| o.query.kind == "seed")
        .cloned()
        .collect();
    assert!(seed.len() >= 60, "the seed queries are loaded");
    let failures = describe_failures(&seed);
    assert!(
        failures.is_empty(),
        "{} of {} seed queries miss their rank:\n{}",
        failures.len(),
        seed.len(),
        failures.join("\n")
    );
    let rate = pass_rate(&outcomes);
    eprintln!(
        "codes.tsv corpus: {:.1}% of {} queries meet their rank",
        rate * 100.0,
        outcomes.len()
    );
    assert!(
        rate >= MIN_PASS_RATE_ON_CODES_TSV,
        "{:.1}% of queries meet their rank (want {:.0}%):\n{}",
        rate * 100.0,
        MIN_PASS_RATE_ON_CODES_TSV * 100.0,
        describe_failures(&outcomes).join("\n")
    );
}
