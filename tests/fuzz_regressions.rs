//! Replays every input under `tests/fuzz/regressions/<target>/` through the same pipeline its
//! fuzz target runs (`tests/fuzz/fuzz_targets/common.rs`, included here), so an input that once
//! crashed or hung statusref is checked by plain `cargo test`, without cargo-fuzz or nightly.
//!
//! To add one: copy the artifact cargo-fuzz wrote (`tests/fuzz/artifacts/<target>/crash-…`)
//! into `tests/fuzz/regressions/<target>/` under a name that says what it was.

#[path = "fuzz/fuzz_targets/common.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/regressions")
        .join(target);
    // A missing or empty directory would replay nothing and pass: every target has at least
    // one regression, so that is a moved or lost corpus.
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files.sort();
    files
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect()
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{} panics again", path.display());
        // Debug builds are slow; a hang the fuzzer found took seconds even in release.
        let limit = Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 2 });
        assert!(
            started.elapsed() < limit,
            "{} took {:?}",
            path.display(),
            started.elapsed()
        );
    }
}

#[test]
fn front_matter_regressions() {
    replay("front_matter", common::front_matter);
}

#[test]
fn markdown_regressions() {
    replay("markdown", common::markdown);
}

#[test]
fn page_regressions() {
    replay("page", common::page);
}

#[test]
fn config_regressions() {
    replay("config", common::config);
}

#[test]
fn head_regressions() {
    replay("head", common::head);
}
