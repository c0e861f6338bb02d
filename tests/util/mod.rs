//! Shared helpers for integration tests: fixture sites copied to temp dirs, the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the project's own site root).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(rel)
}

/// Copies a directory tree (files only) into `dest`.
pub fn copy_tree(from: &Path, dest: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let target = dest.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A fixture site copied into a fresh temp dir; returns (guard, site root).
pub fn site_from_fixture(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    copy_tree(&fixture(rel), &root);
    (dir, root)
}

/// A code page with the five sections; `extra` goes into the front matter (whole lines).
pub fn code_page(code: u16, name: &str, extra: &str) -> String {
    format!(
        "---\ntitle: \"{code} {name}\"\ndescription: \"About {code}.\"\n{extra}---\n\n# {code} {name}\n\n## Meaning\n\nText.\n\n## When to Use\n\nA.\n\n## Example\n\nB.\n\n## When Not to Use\n\nC.\n\n## Source\n\nRFC 9110\n"
    )
}

/// Writes `text` to `root/rel`, creating the directories on the way.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a file under the root")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A site in `dir/site` with one code page (504) and an empty `content/guides/`; the tests
/// write the rest. Returns (guard, site root).
pub fn one_code_site_in(dir: tempfile::TempDir) -> (tempfile::TempDir, PathBuf) {
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content/guides")).expect("mkdir");
    write(
        &root,
        "content/codes/504.md",
        &code_page(504, "Gateway Timeout", ""),
    );
    (dir, root)
}

/// Runs the statusref binary.
pub fn statusref(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_statusref"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run statusref")
}

/// Builds `root` into `output` with extra args; returns the process output.
pub fn build(root: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    statusref(&args)
}

/// Text of a file in a built site.
pub fn read(output: &Path, rel: &str) -> String {
    std::fs::read_to_string(output.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// Every file under `dir` with its bytes, sorted: for byte-for-byte comparisons.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .display()
                .to_string();
            files.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    files
}

/// [`snapshot`] without the build marker (`statusref::internals::output::MARKER`), which only `build`
/// writes (it tells a later build the directory is statusref's); `check` and `serve` hold the
/// site's files alone.
pub fn site_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = snapshot(dir);
    files.retain(|(rel, _)| rel != statusref::internals::output::MARKER);
    files
}

/// A site's files as they compare across `build`, `check` and `serve`, which differ only in
/// how they deliver: `build` writes the search index split into a head and chunks
/// (`assets/index.<hash>.bin`, `assets/index/…`; `tests/search_split.rs` checks that it
/// answers every query as the whole index does) and `.br`/`.gz` siblings of assets, while
/// `check` and `serve` hold the whole index. Everything else must be byte for byte the same:
/// the index files and siblings are left out and the index's name in pages is masked.
pub fn comparable<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let is_index = |p: &str| {
        p.starts_with("assets/index/") || (p.starts_with("assets/index.") && p.ends_with(".bin"))
    };
    files
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".br") && !p.ends_with(".gz") && !is_index(p))
        .map(|(p, bytes)| (p.to_string(), mask_index_name(bytes)))
        .collect()
}

/// `index.<10 hex digits>.bin` → `index.HASH.bin` wherever it occurs.
fn mask_index_name(bytes: &[u8]) -> Vec<u8> {
    let pattern = b"index.";
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(pattern)
            && rest.len() >= pattern.len() + 14
            && rest[6..16].iter().all(u8::is_ascii_hexdigit)
            && &rest[16..20] == b".bin"
        {
            out.extend_from_slice(b"index.HASH.bin");
            i += 20;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Output text with the temp root replaced by `[ROOT]`.
pub fn redact(text: &str, root: &Path) -> String {
    text.replace(root.to_str().unwrap(), "[ROOT]")
}

/// Whether this runs under CI (`CI` set to anything but `false`, `0` or empty), as insta and
/// the browser test read it: checks that may skip on a developer machine must run there.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}
