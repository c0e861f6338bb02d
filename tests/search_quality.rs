//! Search quality on the project's real content, with the same query code the browser runs:
//! every reader query of `tests/queries.tsv` (a copy of shared/queries.tsv) meets its rank,
//! and the query semantics of DESIGN.md hold (numbers, ranges, classes, filters, former names).

mod util;

use statusref::{render_site, BuildOptions};
use statusref_search::quality::{
    describe_failures, evaluate, parse_queries_tsv, pass_rate, pass_rates_by_kind,
};
use statusref_search::{Hit, SearchIndex};

fn index() -> SearchIndex {
    let rendered =
        render_site(&BuildOptions::new(env!("CARGO_MANIFEST_DIR"))).expect("the real site builds");
    let (_, bundle) = rendered
        .files
        .iter()
        .find(|(path, _)| path.starts_with("assets/index.") && path.ends_with(".bin"))
        .expect("the build writes an index bundle");
    SearchIndex::open(bundle.clone()).expect("the bundle opens")
}

fn codes(hits: &[Hit]) -> Vec<Option<u16>> {
    hits.iter().map(|h| h.code).collect()
}

/// Share of `tests/queries.tsv` that must meet its rank on the real content: a floor against
/// regressions. Issue 10 asks for 97%. Before the issue-10 ranking work this measured 91.2%
/// (320 of 351); then 98.9% (347 of 351): codes named past filler words, namespace
/// words of dotted and `::` paths weighing less, vendor variants the query does not name
/// weighing less, body-only words counting half, unknown words of short queries counting
/// whole, and real servers' wording added to the pages that lacked it; now 99.1% (348 of 351),
/// with words counted as typed (an identifier is one) and pages that only mention the words
/// left out. The misses left are listed by this test.
const MIN_PASS_RATE: f64 = 0.98;

#[test]
fn reader_queries_meet_their_rank() {
    let index = index();
    let tsv =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/queries.tsv")).unwrap();
    let queries = parse_queries_tsv(&tsv).unwrap();
    assert!(queries.len() >= 250, "the query list is loaded");
    let started = std::time::Instant::now();
    let outcomes = evaluate(&index, &queries).unwrap();
    let per_query_ms = started.elapsed().as_secs_f64() * 1000.0 / queries.len() as f64;
    // The seed queries (names, former names, vendors, typos, numbers) all hold.
    let seed: Vec<_> = outcomes
        .iter()
        .filter(|o| o.query.kind == "seed")
        .cloned()
        .collect();
    assert!(seed.len() >= 60, "the seed queries are loaded");
    let failed = describe_failures(&seed);
    assert!(
        failed.is_empty(),
        "{} of {} seed queries miss their rank:\n{}",
        failed.len(),
        seed.len(),
        failed.join("\n")
    );
    // Every kind of query, and no result for nonsense; a few misses are tolerated, listed.
    for (kind, rate, n) in pass_rates_by_kind(&outcomes) {
        eprintln!("{kind:>10}: {:5.1}% of {n}", rate * 100.0);
    }
    let rate = pass_rate(&outcomes);
    eprintln!(
        "all: {:.1}% of {} queries meet their rank; {per_query_ms:.2} ms per query (debug build)",
        rate * 100.0,
        outcomes.len()
    );
    let failed = describe_failures(&outcomes);
    eprintln!("misses:\n{}", failed.join("\n"));
    assert!(
        rate >= MIN_PASS_RATE,
        "{:.1}% of queries meet their rank, want {:.0}%:\n{}",
        rate * 100.0,
        MIN_PASS_RATE * 100.0,
        failed.join("\n")
    );
}

/// Share of `tests/queries_holdout.tsv` that must meet its rank. That file (88 queries) was
/// written before the issue-10 ranking work, from real servers', platforms' and frameworks'
/// texts, and its misses were not looked at while tuning: it measures the ranking on queries
/// it was not shaped by. It measured 79.5% (70 of 88) before that work, 81.8% (72 of 88)
/// after, and 86.4% (76 of 88) once numbers in pasted lines stopped naming family entries,
/// statuses in pasted log lines got their code's full weight and pages that only mention a
/// query's words were left out (general rules, not fitted to its rows); the floor is set just
/// below. The gap to [`MIN_PASS_RATE`] is what tuning on one set
/// buys that set: treat this figure, not that one, as the ranking's quality.
const MIN_HOLDOUT_PASS_RATE: f64 = 0.86;

#[test]
fn held_out_queries_meet_their_rank() {
    held_out("tests/queries_holdout.tsv", MIN_HOLDOUT_PASS_RATE);
}

/// Share of `tests/queries_holdout2.tsv` that must meet its rank. That file (126 queries:
/// nginx, Apache, HAProxy, Envoy, AWS, Google Cloud, IIS, Cloudflare and framework texts, each
/// with its source) was written blind, by an engineer who saw neither the ranking code nor the
/// other query lists, after the first held-out set had been used; nothing was tuned on it. It
/// measured 81.0% on the ranking before issue 10's work, 85.7% after the first round and
/// 88.9% (112 of 126) after the rules on numbers in pasted lines and on pages that only
/// mention a query's words; the floor is set just below.
const MIN_HOLDOUT2_PASS_RATE: f64 = 0.88;

#[test]
fn second_held_out_queries_meet_their_rank() {
    held_out("tests/queries_holdout2.tsv", MIN_HOLDOUT2_PASS_RATE);
}

/// Evaluates a held-out query file (relative to the crate root) against the real site and
/// fails below `floor`, listing the misses only then.
fn held_out(file: &str, floor: f64) {
    let index = index();
    let tsv = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap();
    let queries = parse_queries_tsv(&tsv).unwrap();
    assert!(
        queries.len() >= 60,
        "the held-out queries of {file} are loaded"
    );
    let outcomes = evaluate(&index, &queries).unwrap();
    // Rates only: the misses are shown when the floor fails, not on every run.
    for (kind, rate, n) in pass_rates_by_kind(&outcomes) {
        eprintln!("{file} {kind:>10}: {:5.1}% of {n}", rate * 100.0);
    }
    let rate = pass_rate(&outcomes);
    eprintln!(
        "{file}: {:.1}% of {} queries meet their rank",
        rate * 100.0,
        outcomes.len()
    );
    assert!(
        rate >= floor,
        "{:.1}% of the queries of {file} meet their rank, want {:.0}%:\n{}",
        rate * 100.0,
        floor * 100.0,
        describe_failures(&outcomes).join("\n")
    );
}

#[test]
fn numbers_ranges_and_classes() {
    let index = index();
    assert_eq!(index.search("524", 5).unwrap()[0].code, Some(524));
    let range = index.search("52x", 20).unwrap();
    assert!(
        !range.is_empty()
            && range
                .iter()
                .all(|h| h.code.is_some_and(|c| (520..=529).contains(&c))),
        "{:?}",
        codes(&range)
    );
    assert!(range.iter().any(|h| h.code == Some(520)) && range.iter().any(|h| h.code == Some(526)));
    let class = index.search("5xx", 100).unwrap();
    assert!(
        class.len() >= 20 && class.iter().all(|h| h.class == "5xx"),
        "{:?}",
        codes(&class)
    );
}

#[test]
fn former_names_and_typos_find_the_current_code() {
    let index = index();
    for (query, code) in [
        ("payload too large", 413),
        ("request entity too large", 413),
        ("unprocessable entity", 422),
        ("gatway timout", 504),
        ("unathorized", 401),
        ("too man", 429),
        ("request-uri too long", 414),
    ] {
        let hits = index.search(query, 5).unwrap();
        assert_eq!(
            hits.first().and_then(|h| h.code),
            Some(code),
            "{query}: {:?}",
            codes(&hits)
        );
    }
}

#[test]
fn filters_and_shared_codes() {
    let index = index();
    let cloudflare = index.search("vendor:cloudflare", 50).unwrap();
    assert!(cloudflare.len() >= 9, "{:?}", codes(&cloudflare));
    assert!(cloudflare
        .iter()
        .all(|h| h.vendor.as_deref() == Some("Cloudflare")));
    let official = index.search("timeout is:official", 20).unwrap();
    assert!(
        !official.is_empty() && official.iter().all(|h| h.vendor.is_none()),
        "{:?}",
        codes(&official)
    );
    assert!(official.iter().any(|h| h.code == Some(504)));
    // Both meanings of 451 are reachable, each with its own badge.
    let legal = index.search("unavailable for legal reasons", 3).unwrap();
    assert_eq!(
        (legal[0].code, legal[0].badge.as_str()),
        (Some(451), "Official")
    );
    let iis = index.search("activesync redirect", 3).unwrap();
    assert!(
        iis.iter()
            .any(|h| h.code == Some(451) && h.vendor.as_deref() == Some("Microsoft IIS")),
        "{iis:?}"
    );
    // Results carry what the browser shows: URL, badge, a snippet with highlights inside it.
    let hit = &index.search("gateway timeout", 1).unwrap()[0];
    assert_eq!(hit.url, "/http-codes/504/");
    assert!(!hit.snippet.is_empty());
    for [start, end] in &hit.highlights {
        assert!(hit.snippet.get(*start as usize..*end as usize).is_some());
    }
}

#[test]
fn the_cli_prints_json_best_first() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("public");
    assert!(util::build(&root, &output, &[]).status.success());
    let out = util::statusref(&[
        "search",
        "--output",
        output.to_str().unwrap(),
        "--json",
        "--limit",
        "3",
        "gateway",
        "timeout",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits[0]["code"], 504);
    assert_eq!(
        hits[0]["url"], "/ref/http-codes/504/",
        "URLs carry the base path"
    );
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);
    assert!(hits.as_array().unwrap().len() <= 3);
    let token = util::statusref(&[
        "search",
        "--output",
        output.to_str().unwrap(),
        "--json",
        "token required",
    ]);
    let hits: serde_json::Value = serde_json::from_slice(&token.stdout).unwrap();
    assert_eq!(
        hits[0]["code"], 499,
        "the vendor meaning of a shared code is its own result"
    );
    let missing = util::statusref(&[
        "search",
        "--output",
        dir.path().join("nope").to_str().unwrap(),
        "x",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("run `statusref build` first"));
}
