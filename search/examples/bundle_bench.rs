//! Times [`build_bundle`] alone on a JSON array of documents, and prints a digest of the bundle
//! (a change in the index build must leave it unchanged); then times [`split_bundle`], the rest
//! of a build's index stage.
//!
//! `cargo run --release -p statusref-search --example bundle_bench -- DOCS.json [ROUNDS]`

use std::time::Instant;

use statusref_search::{build_bundle, split_bundle, Document};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bundle_bench DOCS.json [ROUNDS]")?;
    let rounds: usize = args.next().map_or(Ok(1), |r| r.parse())?;
    let docs: Vec<Document> = serde_json::from_slice(&std::fs::read(&path)?)?;
    for round in 1..=rounds {
        let started = Instant::now();
        let bundle = build_bundle(&docs)?;
        let elapsed = started.elapsed();
        let digest = fnv1a(&bundle);
        let size = bundle.len();
        // What a build does next (the index stage of `statusref -v` covers both).
        let split_started = Instant::now();
        let split = split_bundle(bundle)?;
        println!(
            "round {round}: {} documents, {size} bytes, digest {digest:016x}, {:.0} ms; \
             split into {} chunks in {:.0} ms",
            docs.len(),
            elapsed.as_secs_f64() * 1000.0,
            split.chunks.len(),
            split_started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

/// 64-bit FNV-1a: enough to tell two bundles apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
