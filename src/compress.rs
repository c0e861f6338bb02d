//! Precompressed siblings: `assets/search.1a2b3c4d5e.wasm` gets `….wasm.br` and `….wasm.gz`
//! beside it, so that hosts serving precompressed files (nginx `gzip_static` / `brotli_static`,
//! Caddy `file_server { precompressed br gzip }`) send them without compressing on the fly,
//! at the best ratio (brotli quality 11) a host would never spend its CPU on per request.
//!
//! Which files: everything under `assets/` (fingerprinted, cacheable forever: the search wasm,
//! the index, the scripts and styles) except formats that are compressed already (images,
//! fonts); HTML pages only on request (`statusref build --precompress-html`), since at ten
//! thousand pages that is most of a build's time. A sibling is written only when it is smaller
//! than the file. The bytes are deterministic: brotli has no header, and the gzip header has
//! mtime 0, no file name and the "unknown" OS byte, so two builds stay byte-identical.

use std::io::Write;

/// Brotli quality (0–11) for text (HTML, CSS, JS, SVG, JSON): the best, as `brotli -q 11`.
const BROTLI_QUALITY: u32 = 11;
/// Brotli quality for the search index's head (`assets/index.<hash>.bin`, or a whole bundle):
/// postings and documents are compressed already, so quality 11 gains ~3% over 5 at four
/// times the CPU. Quality 3 would make the head (on the way to every first result) ~8% bigger.
const BROTLI_QUALITY_INDEX: u32 = 5;
/// Brotli quality for the index's chunks (`assets/index/<name>.bin`, fetched when a query
/// reads them). These siblings are compressed after the index is built, on the build's
/// critical path. On the 2,417 chunks of the plain 10,000-page site (7.7 MB): quality 4 writes
/// 5.465 MB in 0.16–0.21 s of CPU, 3 writes 5.538 MB (+1.3%) in 0.11 s, 2 writes 5.635 MB
/// (+3.1%) in 0.09 s. Quality 3 took the whole build from 1.93 to 1.81 s and 2.07 to 1.93 s
/// (medians of 8 interleaved rounds): the larger encoder state of quality 4 costs more than
/// its compression alone.
const BROTLI_QUALITY_CHUNK: u32 = 3;
/// Gzip level for text: the best, as `gzip -9`.
const GZIP_LEVEL: u32 = 9;
/// Gzip level for the search index (head and chunks), compressed data already: on the 3,200
/// chunks of a 10,000-page site (7.7 MB) level 6 writes 5.603 MB in 127 ms of CPU, level 9
/// 5.622 MB in 177 ms (zlib-rs).
const GZIP_LEVEL_INDEX: u32 = 6;
/// Brotli window, log2 bytes: 22 (4 MiB) is the default of the reference encoder and what
/// every decoder supports.
const BROTLI_WINDOW: u32 = 22;
/// Extensions not worth compressing again.
const ALREADY_COMPRESSED: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "woff", "woff2", "br", "gz", "zip", "mp4",
    "webm",
];

/// Whether `path` (relative to the output directory) gets `.br` and `.gz` siblings: assets
/// always (but already compressed formats), `.html` pages only when `html` is set.
pub fn wanted(path: &str, html: bool) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if path.ends_with(".html") {
        return html;
    }
    path.starts_with("assets/") && !ALREADY_COMPRESSED.contains(&ext.to_ascii_lowercase().as_str())
}

/// The `.br` and `.gz` siblings of the file at `path` holding `bytes`: `(path.br, brotli)` and
/// `(path.gz, gzip)`, each only when smaller than `bytes`. The wasm's and the built-in
/// assets' come compressed already ([`crate::PRECOMPRESSED`]).
pub fn siblings(path: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let known = crate::PRECOMPRESSED
        .iter()
        .find(|(known, _, _)| known.len() == bytes.len() && *known == bytes);
    if let Some((_, br, gz)) = known {
        return known_siblings(path, bytes, br, gz);
    }
    let (quality, level) = if path.starts_with("assets/index/") && path.ends_with(".bin") {
        (BROTLI_QUALITY_CHUNK, GZIP_LEVEL_INDEX)
    } else if path.ends_with(".bin") {
        (BROTLI_QUALITY_INDEX, GZIP_LEVEL_INDEX)
    } else {
        (BROTLI_QUALITY, GZIP_LEVEL)
    };
    known_siblings(path, bytes, &brotli(bytes, quality), &gzip_at(bytes, level))
}

/// [`siblings`] from compressed forms made earlier (by `build.rs`).
fn known_siblings(path: &str, bytes: &[u8], br: &[u8], gz: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::with_capacity(2);
    if br.len() < bytes.len() {
        out.push((format!("{path}.br"), br.to_vec()));
    }
    if gz.len() < bytes.len() {
        out.push((format!("{path}.gz"), gz.to_vec()));
    }
    out
}

/// Brotli at `quality`, window 22.
pub fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3 + 64);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, BROTLI_WINDOW);
        // Writing into a Vec cannot fail.
        let _ = writer.write_all(bytes);
        let _ = writer.flush();
    }
    out
}

/// Gzip at `level` with a fixed header (mtime 0, no name), as `gzip -9n` at level 9.
fn gzip_at(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(bytes.len() / 3 + 64),
        flate2::Compression::new(level),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample() -> Vec<u8> {
        "504 Gateway Timeout: the upstream did not answer in time. "
            .repeat(200)
            .into_bytes()
    }

    #[test]
    fn siblings_decompress_to_the_file() {
        let bytes = sample();
        // A script (quality 11), the index's head (5) and one of its chunks (3).
        for path in [
            "assets/search.0123456789.js",
            "assets/index.0123456789.bin",
            "assets/index/0123456789abcdef0123.bin",
        ] {
            let siblings = siblings(path, &bytes);
            let names: Vec<&str> = siblings.iter().map(|(p, _)| p.as_str()).collect();
            assert_eq!(names, [format!("{path}.br"), format!("{path}.gz")]);
            let mut unbrotli = Vec::new();
            brotli::Decompressor::new(&siblings[0].1[..], 4096)
                .read_to_end(&mut unbrotli)
                .unwrap();
            assert_eq!(unbrotli, bytes, "{path}.br");
            let mut ungzip = Vec::new();
            flate2::read::GzDecoder::new(&siblings[1].1[..])
                .read_to_end(&mut ungzip)
                .unwrap();
            assert_eq!(ungzip, bytes, "{path}.gz");
        }
    }

    #[test]
    fn output_is_deterministic_with_a_zero_mtime() {
        let bytes = sample();
        assert_eq!(brotli(&bytes, 11), brotli(&bytes, 11));
        let gz = gzip_at(&bytes, GZIP_LEVEL);
        assert_eq!(gz, gzip_at(&bytes, GZIP_LEVEL));
        // RFC 1952: magic, method 8, flags 0 (no name), MTIME 0 (bytes 4..8).
        assert_eq!(&gz[..8], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn the_shipped_files_come_precompressed_at_the_best_levels() {
        // The wasm and every built-in asset: build.rs's table holds each, compressed at
        // brotli 11 and gzip 9 as this module would.
        assert!(
            crate::PRECOMPRESSED.len() >= 5,
            "the wasm and the theme's four assets"
        );
        assert!(crate::PRECOMPRESSED
            .iter()
            .any(|(bytes, _, _)| *bytes == crate::SEARCH_WASM));
        for (bytes, br, gz) in crate::PRECOMPRESSED {
            let mut unbrotli = Vec::new();
            brotli::Decompressor::new(*br, 4096)
                .read_to_end(&mut unbrotli)
                .unwrap();
            assert_eq!(&unbrotli, bytes);
            let mut ungzip = Vec::new();
            flate2::read::GzDecoder::new(*gz)
                .read_to_end(&mut ungzip)
                .unwrap();
            assert_eq!(&ungzip, bytes);
            if bytes.len() < 100_000 {
                assert_eq!(*br, brotli(bytes, BROTLI_QUALITY), "brotli 11");
            }
            assert_eq!(*gz, gzip_at(bytes, GZIP_LEVEL), "gzip 9");
            let siblings = siblings("assets/x.0123456789.js", bytes);
            assert!(siblings
                .iter()
                .any(|(path, data)| path.ends_with(".br") && data == br));
        }
    }

    #[test]
    fn tiny_files_get_no_sibling() {
        assert!(siblings("assets/x.css", b"a").is_empty());
    }

    #[test]
    fn picks_assets_and_html_on_request() {
        assert!(wanted("assets/search.0123456789.wasm", false));
        assert!(wanted("assets/index.0123456789.bin", false));
        assert!(!wanted("assets/logo.0123456789.png", false));
        assert!(!wanted("http-codes/504/index.html", false));
        assert!(wanted("http-codes/504/index.html", true));
        assert!(!wanted("codes.json", true));
    }
}
