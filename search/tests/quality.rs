//! Every reader query in `tests/queries.tsv` meets its rank against a corpus made from
//! `tests/codes.tsv` (names, former names, vendors, notes; no page bodies).

use statusref_search::quality::{documents_from_codes_tsv, evaluate, parse_queries_tsv};
use statusref_search::{build_bundle, SearchIndex};

fn workspace_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

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
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| {
            format!(
                "{:?}: expected {} within rank {}, found at {:?}; top: {:?}",
                o.query.query,
                o.query.expected,
                o.query.rank,
                o.found_at,
                &o.top[..o.top.len().min(5)]
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} queries miss their rank:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
}
