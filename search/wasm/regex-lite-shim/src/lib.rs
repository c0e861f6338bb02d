//! `regex`'s API backed by `regex-lite`: the search wasm needs regexes only for tantivy's facet
//! escaping, and `regex-lite` does that without `regex`'s Unicode tables.
pub use regex_lite::*;
