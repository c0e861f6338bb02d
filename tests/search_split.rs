//! The index as `build` writes it for the browser — a head plus chunks fetched on demand
//! (`statusref_search::chunks`) — answers exactly like the whole index: every reader query of
//! `tests/queries.tsv` (and a few hostile ones) gives the same hits, score for score, through
//! the same fetch-and-retry loop search.js runs. Also: what `build` writes on disk (head,
//! chunks, precompressed siblings) and that `statusref search` reads it.

mod util;

use std::collections::HashMap;
use std::io::Read;

use statusref::{render_site, BuildOptions};
use statusref_search::quality::parse_queries_tsv;
use statusref_search::{open_split, split_bundle, Answer, ChunkStore, Hit, SearchIndex};

fn whole_bundle() -> Vec<u8> {
    let rendered =
        render_site(&BuildOptions::new(env!("CARGO_MANIFEST_DIR"))).expect("the real site builds");
    rendered
        .files
        .into_iter()
        .find(|(path, _)| path.starts_with("assets/index.") && path.ends_with(".bin"))
        .expect("the build writes an index bundle")
        .1
}

/// search.js's loop: search; if it needed chunks, add them and search again. Returns the hits,
/// the chunks fetched and the fetch rounds.
fn answer(
    index: &SearchIndex,
    store: &ChunkStore,
    chunks: &HashMap<String, Vec<u8>>,
    query: &str,
) -> (Vec<Hit>, usize, usize) {
    let mut fetched = 0;
    for round in 0..10 {
        match store
            .search(index, query, 50)
            .expect("the search succeeds once its chunks are in")
        {
            Answer::Hits(hits) => return (hits, fetched, round),
            Answer::Need(missing) => {
                assert!(!missing.is_empty(), "{query:?}: asked for no chunk");
                for name in missing {
                    store
                        .add(chunks[&name].clone())
                        .expect("a chunk of this index");
                    fetched += 1;
                }
            }
        }
    }
    panic!("{query:?} still needs chunks after 10 rounds");
}

#[test]
fn split_index_answers_every_query_like_the_whole_one() {
    let bundle = whole_bundle();
    let whole = SearchIndex::open(bundle.clone()).unwrap();
    let split = split_bundle(bundle.clone()).unwrap();
    assert!(
        split.head.len() < bundle.len(),
        "head {} of {} bytes",
        split.head.len(),
        bundle.len()
    );
    let chunks: HashMap<String, Vec<u8>> = split.chunks.iter().cloned().collect();
    let (index, store) = open_split(split.head).unwrap();
    index.open_fields().unwrap();
    assert!(
        store.take_missing().is_empty(),
        "the head holds what opening the dictionaries reads"
    );

    let tsv =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/queries.tsv")).unwrap();
    let mut queries: Vec<String> = parse_queries_tsv(&tsv)
        .unwrap()
        .into_iter()
        .map(|q| q.query)
        .collect();
    assert!(queries.len() >= 60, "the query list is loaded");
    queries.extend(
        [
            "",
            "5xx",
            "class:4xx vendor:nginx",
            "is:official 52",
            "\u{0}\u{7}\u{1b}[31m gateway \u{fffd}",
            &"gateway timeout ".repeat(64),
        ]
        .map(String::from),
    );
    let mut fetched = 0;
    let mut by_rounds = [0usize; 10];
    for query in &queries {
        let want = whole.search(query, 50).unwrap();
        let (got, n, rounds) = answer(&index, &store, &chunks, query);
        fetched += n;
        by_rounds[rounds] += 1;
        assert_eq!(got, want, "{query:?}");
        // One round for the dictionary blocks of the query's terms (predicted at once), one
        // for their postings, one for the documents of the hits.
        assert!(rounds <= 3, "{query:?} took {rounds} rounds");
    }
    eprintln!("queries by fetch rounds (0, 1, 2, …): {by_rounds:?}; {fetched} chunks");
    assert!(
        fetched > 0,
        "no query fetched a chunk: the split was not exercised"
    );
}

/// Each query on its own, as a reader's first one on a fresh page: cold, from the head alone.
/// The dictionary blocks of its terms come in one round, so no query needs more than three.
#[test]
fn a_cold_query_takes_at_most_three_rounds() {
    let bundle = whole_bundle();
    let split = split_bundle(bundle).unwrap();
    let chunks: HashMap<String, Vec<u8>> = split.chunks.iter().cloned().collect();
    let tsv =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/queries.tsv")).unwrap();
    let queries = parse_queries_tsv(&tsv).unwrap();
    let mut by_rounds = [0usize; 10];
    for query in queries.iter().map(|q| q.query.as_str()) {
        let (index, store) = open_split(split.head.clone()).unwrap();
        let (_, _, rounds) = answer(&index, &store, &chunks, query);
        by_rounds[rounds] += 1;
        assert!(rounds <= 3, "{query:?} took {rounds} rounds");
    }
    eprintln!("cold queries by fetch rounds (0, 1, 2, …): {by_rounds:?}");
}

#[test]
fn build_writes_head_chunks_and_precompressed_siblings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let built = util::build(&util::repo_root(), &out, &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let assets = out.join("assets");
    let names: Vec<String> = std::fs::read_dir(&assets)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let head = names
        .iter()
        .find(|n| n.starts_with("index.") && n.ends_with(".bin"))
        .expect("a head");
    assert!(statusref_search::chunks::is_split(
        &std::fs::read(assets.join(head)).unwrap()
    ));
    let chunks: Vec<_> = std::fs::read_dir(assets.join("index"))
        .expect("assets/index/ holds the chunks")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    assert!(!chunks.is_empty());

    // Every asset that compresses has .br and .gz siblings that decompress to it; HTML has
    // none by default.
    let wasm = names
        .iter()
        .find(|n| n.ends_with(".wasm"))
        .expect("the wasm");
    for name in [wasm, head] {
        let original = std::fs::read(assets.join(name)).unwrap();
        let br = std::fs::read(assets.join(format!("{name}.br"))).expect("a .br sibling");
        let mut unbr = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut unbr)
            .unwrap();
        assert_eq!(unbr, original, "{name}.br");
        let gz = std::fs::read(assets.join(format!("{name}.gz"))).expect("a .gz sibling");
        let mut ungz = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut ungz)
            .unwrap();
        assert_eq!(ungz, original, "{name}.gz");
    }
    assert!(out.join("http-codes/504/index.html").is_file());
    assert!(!out.join("http-codes/504/index.html.br").exists());

    // The command line reads the split index with all its chunks.
    let found = util::statusref(&[
        "search",
        "--output",
        out.to_str().unwrap(),
        "--json",
        "gateway timeout",
    ]);
    assert!(
        found.status.success(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
    let hits: Vec<Hit> = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(hits[0].code, Some(504));

    // Deterministic, and HTML siblings on request.
    let again = dir.path().join("again");
    let built = util::build(&util::repo_root(), &again, &["--precompress-html"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let html_siblings: Vec<_> = util::snapshot(&again)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html.br") || p.ends_with(".html.gz"))
        .collect();
    assert!(
        html_siblings.len() > 20,
        "{} HTML siblings",
        html_siblings.len()
    );
    let without_html: Vec<_> = util::snapshot(&again)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".html.br") && !p.ends_with(".html.gz"))
        .collect();
    assert!(util::snapshot(&out) == without_html, "two builds differ");
}
