//! Builds a bundle from a `codes.tsv` file, writes it, and answers queries against it.
//!
//! `cargo run -p statusref-search --example codes_tsv -- tests/codes.tsv [--out FILE] [QUERY…]`
//! (or a built `index.*.bin` instead of the TSV, whole or a split head with its `index/` chunks
//! beside it; `--bench queries.tsv` times the queries)

use statusref_search::quality::documents_from_codes_tsv;
use statusref_search::{build_bundle, SearchIndex};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let tsv = args
        .next()
        .ok_or("usage: codes_tsv CODES.TSV [--out FILE] [QUERY…]")?;
    // A built bundle (`*.bin`) is searched as is; `*.json` is an array of documents.
    let (docs, bundle) = if tsv.ends_with(".bin") {
        (Vec::new(), std::fs::read(&tsv)?)
    } else if tsv.ends_with(".json") {
        let docs: Vec<statusref_search::Document> =
            serde_json::from_str(&std::fs::read_to_string(&tsv)?)?;
        let bundle = build_bundle(&docs)?;
        (docs, bundle)
    } else {
        let docs = documents_from_codes_tsv(&std::fs::read_to_string(&tsv)?);
        let bundle = build_bundle(&docs)?;
        (docs, bundle)
    };
    let mut queries = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--out" {
            let out = args.next().ok_or("--out needs a file")?;
            std::fs::write(&out, &bundle)?;
            eprintln!(
                "{} documents, bundle {} bytes → {out}",
                docs.len(),
                bundle.len()
            );
        } else {
            queries.push(arg);
        }
    }
    // A built site's head opens with its chunks, read from `index/` beside it.
    let index = if statusref_search::chunks::is_split(&bundle) {
        let dir = std::path::Path::new(&tsv)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        statusref_search::open_split_with(bundle, |name| {
            std::fs::read(dir.join(statusref_search::chunks::chunk_path(name))).map_err(|e| {
                statusref_search::Error::InvalidBundle {
                    reason: format!("chunk {name}: {e}"),
                }
            })
        })?
    } else {
        SearchIndex::open(bundle)?
    };
    index.warm_up()?;
    if queries.first().map(String::as_str) == Some("--eval") {
        use statusref_search::quality::{
            describe_failures, evaluate, pass_rate, pass_rates_by_kind,
        };
        let tsv = std::fs::read_to_string(&queries[1])?;
        let qs = statusref_search::quality::parse_queries_tsv(&tsv)?;
        let t = std::time::Instant::now();
        let outcomes = evaluate(&index, &qs)?;
        let per_query = t.elapsed().as_secs_f64() * 1000.0 / qs.len().max(1) as f64;
        for line in describe_failures(&outcomes) {
            println!("FAIL {line}");
        }
        if std::env::var_os("SCORES").is_some() {
            for q in &qs {
                let hits = index.search(&q.query, 10)?;
                let at = hits
                    .iter()
                    .find(|h| q.expected.is_some() && h.code == q.expected);
                println!(
                    "SCORE {:9.3} top {:9.3} {:?} {:?}",
                    at.map_or(-1.0, |h| h.score),
                    hits.first().map_or(-1.0, |h| h.score),
                    q.query,
                    hits.first().map(|h| h.title.clone())
                );
            }
        }
        for (kind, rate, n) in pass_rates_by_kind(&outcomes) {
            println!("{kind:>10}: {:.1}% of {n}", rate * 100.0);
        }
        println!(
            "all: {:.1}% of {} ({per_query:.3} ms per query)",
            pass_rate(&outcomes) * 100.0,
            outcomes.len()
        );
        return Ok(());
    }
    if queries.first().map(String::as_str) == Some("--bench") {
        let tsv = std::fs::read_to_string(&queries[1])?;
        let qs = statusref_search::quality::parse_queries_tsv(&tsv)?;
        let mut times: Vec<(f64, String)> = Vec::new();
        for q in &qs {
            let t = std::time::Instant::now();
            for _ in 0..20 {
                index.search(
                    &q.query,
                    std::env::var("LIMIT")
                        .ok()
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(100),
                )?;
            }
            times.push((t.elapsed().as_secs_f64() * 1000.0 / 20.0, q.query.clone()));
        }
        times.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, q) in times.iter().take(12) {
            println!("{ms:8.3} ms  {q}");
        }
        let mut all: Vec<f64> = times.iter().map(|t| t.0).collect();
        all.sort_by(f64::total_cmp);
        println!(
            "median {:.3} ms, p95 {:.3} ms",
            all[all.len() / 2],
            all[all.len() * 95 / 100]
        );
        return Ok(());
    }
    for q in queries {
        println!("== {q:?}");
        for hit in index.search(&q, 8)? {
            println!(
                "{:8.3} {:?} {} [{}] {:?}",
                hit.score, hit.code, hit.title, hit.badge, hit.highlights
            );
        }
    }
    Ok(())
}
