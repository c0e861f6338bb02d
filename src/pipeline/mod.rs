//! The pipeline: load → assemble → plan → index → render → sink.
//!
//! `build`, `check` and `serve` run these stages; they differ only in their sink and their
//! cache.

pub mod plan;
