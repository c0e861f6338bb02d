//! statusref's search in the browser: [`statusref_search`] compiled to
//! `wasm32-unknown-unknown` behind a few plain `extern "C"` functions (no wasm-bindgen).
//!
//! The JavaScript side (`assets/search.js`):
//!
//! 1. instantiates the module with one import, `env.js_log(ptr, len)` (a UTF-8 message: panics
//!    and load errors);
//! 2. copies the bundle into memory from `alloc(len)` and calls `load_bundle(ptr, len)`, which
//!    takes ownership of those bytes (do not `dealloc` them);
//! 3. calls `warm_up()` once;
//! 4. for each query, copies its UTF-8 bytes into `alloc(len)`, calls `search(ptr, len, limit)`
//!    and frees the query with `dealloc(ptr, len)`.
//!
//! `load_bundle`, `warm_up` and `search` return a pointer to `[u32 little-endian length][JSON]`,
//! valid until the next call into the module: `{"docs": N}` after loading, `{"ok": true}` after
//! warming up, an array of [`statusref_search::Hit`] for a search (highlights are UTF-8 byte
//! ranges in the snippet), or `{"error": "message"}` on failure.
#![deny(missing_docs)]

mod ffi;

use std::cell::RefCell;

use statusref_search::{Hit, SearchIndex};

thread_local! {
    static INDEX: RefCell<Option<SearchIndex>> = const { RefCell::new(None) };
}

fn error_json(message: &str) -> Vec<u8> {
    serde_json::json!({ "error": message })
        .to_string()
        .into_bytes()
}

/// Opens `bundle` as the index to search; returns `{"docs": N}` or `{"error": …}`.
pub fn load(bundle: Vec<u8>) -> Vec<u8> {
    match SearchIndex::open(bundle) {
        Ok(index) => {
            let docs = index.num_docs();
            INDEX.with(|slot| *slot.borrow_mut() = Some(index));
            serde_json::json!({ "docs": docs }).to_string().into_bytes()
        }
        Err(e) => error_json(&e.to_string()),
    }
}

/// Runs the warm-up queries; returns `{"ok": true}` or `{"error": …}`.
pub fn warm_up() -> Vec<u8> {
    INDEX.with(|slot| match slot.borrow().as_ref() {
        Some(index) => match index.warm_up() {
            Ok(()) => br#"{"ok":true}"#.to_vec(),
            Err(e) => error_json(&e.to_string()),
        },
        None => error_json("no search index loaded"),
    })
}

/// Answers `query`; returns a JSON array of hits or `{"error": …}`.
pub fn search(query: &str, limit: usize) -> Vec<u8> {
    INDEX.with(|slot| match slot.borrow().as_ref() {
        Some(index) => match index.search(query, limit) {
            Ok(hits) => {
                serde_json::to_vec::<[Hit]>(&hits).unwrap_or_else(|e| error_json(&e.to_string()))
            }
            Err(e) => error_json(&e.to_string()),
        },
        None => error_json("no search index loaded"),
    })
}
