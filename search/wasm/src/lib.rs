//! statusref's search in the browser: [`statusref_search`] compiled to
//! `wasm32-unknown-unknown` behind a few plain `extern "C"` functions (no wasm-bindgen).
//!
//! The JavaScript side (`assets/search.js`):
//!
//! 1. instantiates the module with one import, `env.js_log(ptr, len)` (a UTF-8 message: panics
//!    and load errors);
//! 2. copies the bundle into memory from `alloc(len)` and calls `load_bundle(ptr, len)`, which
//!    takes ownership of those bytes (do not `dealloc` them): a whole bundle, or the head of an
//!    index split into chunks ([`statusref_search::chunks`]);
//! 3. calls `warm_up()` once, which makes later queries fast (search.js does it after the
//!    first answer, or a second after loading when no query came: off the way to the first
//!    result);
//! 4. for each query, copies its UTF-8 bytes into `alloc(len)`, calls `search(ptr, len, limit)`
//!    and frees the query with `dealloc(ptr, len)`. With a split index the answer may be
//!    `{"need": ["name", …]}`: fetch each chunk (`index/<name>.bin` beside the head), hand each
//!    to `add_chunk(ptr, len)` (which takes ownership, like `load_bundle`), and search again.
//!
//! `load_bundle`, `warm_up`, `add_chunk` and `search` return a pointer to `[u32 little-endian
//! length][JSON]`, valid until the next call into the module: `{"docs": N, "split": bool}`
//! after loading, `{"ok": true}` after warming up or adding a chunk, an array of
//! [`statusref_search::Hit`] or `{"need": […]}` for a search (highlights are UTF-8 byte ranges
//! in the snippet), or `{"error": "message"}` on failure. The JSON is written by hand
//! ([`json`]): serde_json was 5% of the module for these few shapes.
#![deny(missing_docs)]

mod ffi;
pub mod json;

use std::cell::RefCell;

use statusref_search::{Answer, ChunkStore, SearchIndex};

thread_local! {
    static INDEX: RefCell<Option<(SearchIndex, Option<ChunkStore>)>> = const { RefCell::new(None) };
}

fn error_json(message: &str) -> Vec<u8> {
    let mut out = String::from("{\"error\":");
    json::string(&mut out, message);
    out.push('}');
    out.into_bytes()
}

/// Opens `bundle` (whole, or a split head) as the index to search; returns `{"docs": N,
/// "split": bool}` or `{"error": …}`.
pub fn load(bundle: Vec<u8>) -> Vec<u8> {
    let opened = if statusref_search::chunks::is_split(&bundle) {
        statusref_search::open_split(bundle).map(|(index, store)| (index, Some(store)))
    } else {
        SearchIndex::open(bundle).map(|index| (index, None))
    };
    match opened {
        Ok((index, store)) => {
            let out = format!(
                "{{\"docs\":{},\"split\":{}}}",
                index.num_docs(),
                store.is_some()
            );
            INDEX.with(|slot| *slot.borrow_mut() = Some((index, store)));
            out.into_bytes()
        }
        Err(e) => error_json(&e.to_string()),
    }
}

/// Runs the warm-up queries; returns `{"ok": true}` or `{"error": …}`. With a split index a
/// warm-up query stops at its first chunk not loaded (nothing is fetched for it); the typo
/// automata, built first, are ready either way.
pub fn warm_up() -> Vec<u8> {
    INDEX.with(|slot| match slot.borrow().as_ref() {
        Some((index, store)) => {
            let result = index.warm_up();
            let missed = store.as_ref().is_some_and(|s| !s.take_missing().is_empty());
            match result {
                Ok(()) => br#"{"ok":true}"#.to_vec(),
                Err(_) if missed => br#"{"ok":true}"#.to_vec(),
                Err(e) => error_json(&e.to_string()),
            }
        }
        None => error_json("no search index loaded"),
    })
}

/// Adds one fetched chunk of a split index; returns `{"ok": true}` or `{"error": …}`.
pub fn add_chunk(bytes: Vec<u8>) -> Vec<u8> {
    INDEX.with(|slot| match slot.borrow().as_ref() {
        Some((_, Some(store))) => match store.add(bytes) {
            Ok(_) => br#"{"ok":true}"#.to_vec(),
            Err(e) => error_json(&e.to_string()),
        },
        Some((_, None)) => error_json("the loaded index is whole: it has no chunks"),
        None => error_json("no search index loaded"),
    })
}

/// Answers `query`; returns a JSON array of hits, `{"need": [chunk names]}` when a split index
/// must fetch chunks first, or `{"error": …}`.
pub fn search(query: &str, limit: usize) -> Vec<u8> {
    INDEX.with(|slot| match slot.borrow().as_ref() {
        // A split index answers with the chunks to fetch when a search wanted one it did not
        // have (the search is discarded, even if it returned hits: the answer is always that
        // of a search over real bytes), naming every dictionary block the query is likely to
        // read at once.
        Some((index, Some(store))) => match store.search(index, query, limit) {
            Ok(Answer::Hits(hits)) => json::hits(&hits).into_bytes(),
            Ok(Answer::Need(missing)) => json::need(&missing).into_bytes(),
            Err(e) => error_json(&e.to_string()),
        },
        Some((index, None)) => match index.search(query, limit) {
            Ok(hits) => json::hits(&hits).into_bytes(),
            Err(e) => error_json(&e.to_string()),
        },
        None => error_json("no search index loaded"),
    })
}
