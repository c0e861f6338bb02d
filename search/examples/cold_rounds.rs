//! What each query costs a reader's first search over a built site's split index: on a fresh
//! head per query, the fetch rounds, the chunks and their bytes, and the search passes run
//! (the native time of each round's `ChunkStore::search`, the code the browser runs in wasm).
//! For before/after comparisons of how a split index answers a cold query (chunks.rs).
//!
//! `cargo run --release -p statusref-search --example cold_rounds -- SITE QUERIES.tsv [--each] [--trace]`
//!
//! SITE is a built site (its `assets/index.<hash>.bin` and `assets/index/`); QUERIES a file
//! whose first column is the query (a header line first, as tests/queries.tsv). `--each`
//! prints one line per query too, `--trace` the chunks of each round.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use statusref_search::{open_split, Answer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(site), Some(queries)) = (args.first(), args.get(1)) else {
        return Err("usage: cold_rounds SITE QUERIES.tsv [--each] [--trace]".into());
    };
    let each = args.iter().any(|a| a == "--each");
    let trace = args.iter().any(|a| a == "--trace");
    let assets = Path::new(site).join("assets");
    let head_name = std::fs::read_dir(&assets)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("index.") && n.ends_with(".bin"))
        .ok_or("no assets/index.<hash>.bin in the site")?;
    let head = std::fs::read(assets.join(&head_name))?;
    let queries: Vec<String> = std::fs::read_to_string(queries)?
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect();

    let mut by_rounds: BTreeMap<usize, usize> = BTreeMap::new();
    let (mut chunks_total, mut bytes_total, mut micros_total) = (0usize, 0usize, 0u128);
    for query in &queries {
        let (index, store) = open_split(head.clone())?;
        let (mut rounds, mut chunks, mut bytes) = (0usize, 0usize, 0usize);
        let started = Instant::now();
        loop {
            match store.search(&index, query, 10)? {
                Answer::Hits(_) => break,
                Answer::Need(names) => {
                    rounds += 1;
                    if trace {
                        println!("  round {rounds}: {}", names.join(" "));
                    }
                    if rounds > 16 {
                        return Err(format!("{query:?}: more than 16 rounds").into());
                    }
                    for name in names {
                        let chunk =
                            std::fs::read(assets.join("index").join(format!("{name}.bin")))?;
                        chunks += 1;
                        bytes += chunk.len();
                        store.add(chunk)?;
                    }
                }
            }
        }
        let micros = started.elapsed().as_micros();
        if each {
            println!("{rounds}\t{chunks}\t{bytes}\t{micros}\t{query}");
        }
        *by_rounds.entry(rounds).or_default() += 1;
        chunks_total += chunks;
        bytes_total += bytes;
        micros_total += micros;
    }
    let n = queries.len().max(1);
    println!(
        "{} queries: rounds {}; chunks {:.2} and {:.1} KB per query; search passes {:.2} ms per query (native)",
        queries.len(),
        by_rounds
            .iter()
            .map(|(r, c)| format!("{r}: {c}"))
            .collect::<Vec<_>>()
            .join(", "),
        chunks_total as f64 / n as f64,
        bytes_total as f64 / n as f64 / 1000.0,
        micros_total as f64 / n as f64 / 1000.0
    );
    Ok(())
}
