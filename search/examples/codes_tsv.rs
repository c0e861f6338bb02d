//! Builds a bundle from a `codes.tsv` file, writes it, and answers queries against it.
//!
//! `cargo run -p statusref-search --example codes_tsv -- tests/codes.tsv [--out FILE] [QUERY…]`
//! (or a built `index.*.bin` instead of the TSV; `--bench queries.tsv` times the queries)

use statusref_search::quality::documents_from_codes_tsv;
use statusref_search::{build_bundle, SearchIndex};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let tsv = args
        .next()
        .ok_or("usage: codes_tsv CODES.TSV [--out FILE] [QUERY…]")?;
    // A built bundle (`*.bin`) is searched as is.
    let (docs, bundle) = if tsv.ends_with(".bin") {
        (Vec::new(), std::fs::read(&tsv)?)
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
    let index = SearchIndex::open(bundle)?;
    index.warm_up()?;
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
