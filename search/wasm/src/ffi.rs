//! The raw exports and imports. All of this crate's `unsafe` is here.

use std::cell::RefCell;

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "env")]
extern "C" {
    /// Writes a UTF-8 message (`ptr`, `len`) to the browser console.
    fn js_log(ptr: *const u8, len: usize);
}

/// Native stand-in for the import, so the crate builds and tests natively.
#[cfg(not(target_arch = "wasm32"))]
unsafe fn js_log(ptr: *const u8, len: usize) {
    // SAFETY: callers pass a pointer and length of one live byte slice.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    eprintln!("{}", String::from_utf8_lossy(bytes));
}

fn log(message: &str) {
    // SAFETY: the pointer and length describe `message`, alive for the call.
    unsafe { js_log(message.as_ptr(), message.len()) }
}

thread_local! {
    /// The last result, `[u32 LE length][JSON]`, kept alive until the next call.
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn set_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log(&format!("statusref search panicked: {info}"))
        }));
    });
}

fn respond(json: Vec<u8>) -> *const u8 {
    RESULT.with(|slot| {
        let mut out = slot.borrow_mut();
        out.clear();
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.as_ptr()
    })
}

/// Allocates `len` bytes for the caller to fill; never returns null for `len > 0`.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    set_panic_hook();
    let mut buf = Vec::<u8>::with_capacity(len);
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees `len` bytes at `ptr` from [`alloc`].
///
/// # Safety
///
/// `ptr` and `len` must come from one [`alloc`] call, not yet freed nor given to
/// [`load_bundle`].
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: per the contract above, this is the allocation `alloc(len)` made.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
}

/// Takes ownership of the bundle at `ptr` (`len` bytes from [`alloc`]) and opens it.
///
/// # Safety
///
/// `ptr` and `len` must come from one [`alloc`] call, with all `len` bytes written.
#[no_mangle]
pub unsafe extern "C" fn load_bundle(ptr: *mut u8, len: usize) -> *const u8 {
    set_panic_hook();
    // SAFETY: per the contract above, an initialised allocation of `len` bytes.
    let bundle = unsafe { Vec::from_raw_parts(ptr, len, len) };
    let json = crate::load(bundle);
    if json.starts_with(b"{\"error\"") {
        log(&String::from_utf8_lossy(&json));
    }
    respond(json)
}

/// Takes ownership of one fetched chunk of a split index at `ptr` (`len` bytes from
/// [`alloc`]) and adds it; the chunk is identified by the hash of its bytes.
///
/// # Safety
///
/// As [`load_bundle`].
#[no_mangle]
pub unsafe extern "C" fn add_chunk(ptr: *mut u8, len: usize) -> *const u8 {
    // SAFETY: per the contract above, an initialised allocation of `len` bytes.
    let chunk = unsafe { Vec::from_raw_parts(ptr, len, len) };
    respond(crate::add_chunk(chunk))
}

/// Builds the automata the first queries need; call once after [`load_bundle`].
#[no_mangle]
pub extern "C" fn warm_up() -> *const u8 {
    respond(crate::warm_up())
}

/// Longest query answered, in bytes: longer input is cut (at a character boundary) before it
/// reaches the query parser, so a pasted page of text costs no more than a long sentence.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Most hits one call returns (the page shows 50): bounds the work and memory of a call.
pub const MAX_LIMIT: u32 = 1000;

/// The query to run for the bytes the caller passed: any bytes are accepted (invalid UTF-8,
/// e.g. an unpaired surrogate encoded by hand, becomes U+FFFD; `TextEncoder` already does that
/// to lone surrogates), then cut to [`MAX_QUERY_BYTES`] at a character boundary.
fn query_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_QUERY_BYTES + 3)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if text.len() > MAX_QUERY_BYTES {
        let mut end = MAX_QUERY_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Searches for the query at `ptr` (`len` bytes, UTF-8; see [`MAX_QUERY_BYTES`] for what is
/// done with other input); at most `limit` hits (capped at [`MAX_LIMIT`]).
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes (the caller still owns them); `len` may be 0.
#[no_mangle]
pub unsafe extern "C" fn search(ptr: *const u8, len: usize, limit: u32) -> *const u8 {
    let bytes: &[u8] = if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: per the contract above.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    };
    let query = query_text(bytes);
    respond(crate::search(&query, limit.min(MAX_LIMIT) as usize))
}

/// getrandom 0.3's custom backend (see `.cargo/config.toml`). The index is only read here, so
/// nothing needs unpredictable bytes (tantivy only draws random ids for new segments): a
/// fixed-seed xorshift generator is enough.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
unsafe extern "Rust" fn __getrandom_v03_custom(
    dest: *mut u8,
    len: usize,
) -> Result<(), getrandom::Error> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    for i in 0..len {
        let mut x = STATE.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        STATE.store(x, Ordering::Relaxed);
        // SAFETY: getrandom passes `len` writable bytes at `dest`.
        unsafe { dest.add(i).write(x as u8) };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_cut_on_a_character_boundary() {
        assert_eq!(query_text(b"gateway"), "gateway");
        assert_eq!(query_text(&[0xff, b'a']), "\u{fffd}a");
        let long = "é".repeat(MAX_QUERY_BYTES);
        let cut = query_text(long.as_bytes());
        assert!(cut.len() <= MAX_QUERY_BYTES && cut.len() >= MAX_QUERY_BYTES - 1);
        assert!(cut.chars().all(|c| c == 'é'));
        // Cutting in the middle of a multi-byte character never yields more than U+FFFD.
        let mut bytes = vec![b'a'; MAX_QUERY_BYTES - 1];
        bytes.extend_from_slice("€".as_bytes());
        let cut = query_text(&bytes);
        assert!(cut.len() <= MAX_QUERY_BYTES, "{}", cut.len());
    }

    fn read_result(ptr: *const u8) -> String {
        // SAFETY: `respond` wrote a u32 length and that many bytes at `ptr`.
        unsafe {
            let len = u32::from_le_bytes(*(ptr as *const [u8; 4])) as usize;
            String::from_utf8(std::slice::from_raw_parts(ptr.add(4), len).to_vec()).unwrap()
        }
    }

    fn load(bytes: &[u8]) -> String {
        let ptr = alloc(bytes.len());
        // SAFETY: `ptr` has room for `bytes.len()` bytes.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
        // SAFETY: from `alloc`, fully written.
        read_result(unsafe { load_bundle(ptr, bytes.len()) })
    }

    fn query(q: &str) -> String {
        // SAFETY: `q` is alive for the call.
        read_result(unsafe { search(q.as_ptr(), q.len(), 10) })
    }

    #[test]
    fn split_index_asks_for_chunks_then_answers_like_whole() {
        let words = [
            "gateway", "timeout", "proxy", "cache", "retry", "token", "origin",
        ];
        let docs: Vec<statusref_search::Document> = (0..400u16)
            .map(|i| statusref_search::Document {
                code: Some(100 + i),
                title: format!("{} Status {}", 100 + i, words[usize::from(i) % 7]),
                aliases: vec![],
                keywords: vec![],
                // Distinct text per document, so that the document store spans many chunks.
                description: (0..40)
                    .map(|k| format!("w{}", (usize::from(i) * 31 + k * 7) % 997))
                    .collect::<Vec<_>>()
                    .join(" "),
                body: (0..200)
                    .map(|j| words[(usize::from(i) * 5 + j * j) % 7])
                    .collect::<Vec<_>>()
                    .join(" "),
                class: statusref_search::Class::of_code(100 + i).unwrap_or_default(),
                status: Some(statusref_search::Status::Official),
                vendor: None,
                url: format!("/http-codes/{}/", 100 + i),
                ..statusref_search::Document::default()
            })
            .collect();
        let bundle = statusref_search::build_bundle(&docs).unwrap();
        let split = statusref_search::split_bundle(bundle.clone()).unwrap();
        let chunks: std::collections::HashMap<String, Vec<u8>> =
            split.chunks.iter().cloned().collect();
        assert!(!chunks.is_empty());

        assert_eq!(load(&bundle), r#"{"docs":400,"split":false}"#);
        let want = query("gateway proxy");
        assert!(want.starts_with("[{"), "{want}");

        assert_eq!(load(&split.head), r#"{"docs":400,"split":true}"#);
        assert_eq!(read_result(warm_up()), r#"{"ok":true}"#);
        let mut rounds = 0;
        let got = loop {
            let answer = query("gateway proxy");
            let Some(need) = answer.strip_prefix(r#"{"need":["#) else {
                break answer;
            };
            rounds += 1;
            assert!(rounds < 10, "still {answer}");
            for name in need.trim_end_matches("]}").split(',') {
                let bytes = &chunks[name.trim_matches('"')];
                let ptr = alloc(bytes.len());
                // SAFETY: `ptr` has room for `bytes.len()` bytes.
                unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
                // SAFETY: from `alloc`, fully written.
                let added = read_result(unsafe { add_chunk(ptr, bytes.len()) });
                assert_eq!(added, r#"{"ok":true}"#);
            }
        };
        assert!(rounds > 0, "no chunk was needed: nothing tested");
        assert_eq!(got, want);
        // A foreign chunk is refused, not added.
        let junk = b"junk".to_vec();
        let ptr = alloc(junk.len());
        // SAFETY: `ptr` has room for 4 bytes.
        unsafe { std::ptr::copy_nonoverlapping(junk.as_ptr(), ptr, junk.len()) };
        // SAFETY: from `alloc`, fully written.
        let refused = read_result(unsafe { add_chunk(ptr, junk.len()) });
        assert!(refused.contains("not part of this index"), "{refused}");
    }

    #[test]
    fn exports_round_trip() {
        let docs = vec![statusref_search::Document {
            code: Some(504),
            title: "504 Gateway Timeout".into(),
            aliases: vec![],
            keywords: vec![],
            description: "A gateway did not receive a timely response.".into(),
            body: String::new(),
            class: statusref_search::Class::Codes(5),
            status: Some(statusref_search::Status::Official),
            vendor: None,
            url: "/http-codes/504/".into(),
            ..statusref_search::Document::default()
        }];
        let bundle = statusref_search::build_bundle(&docs).unwrap();
        let ptr = alloc(bundle.len());
        // SAFETY: `ptr` has room for `bundle.len()` bytes.
        unsafe { std::ptr::copy_nonoverlapping(bundle.as_ptr(), ptr, bundle.len()) };
        // SAFETY: from `alloc`, fully written.
        let loaded = read_result(unsafe { load_bundle(ptr, bundle.len()) });
        assert_eq!(loaded, r#"{"docs":1,"split":false}"#);
        assert_eq!(read_result(warm_up()), r#"{"ok":true}"#);
        let q = "gatway";
        // SAFETY: `q` is alive for the call.
        let hits = read_result(unsafe { search(q.as_ptr(), q.len(), 5) });
        assert!(hits.starts_with(r#"[{"code":504,"#), "{hits}");
        // Bytes that are not UTF-8 (a lone surrogate as WTF-8, a cut character), control
        // characters and 10 KB of text: an answer (a JSON array), no panic.
        let long = "upstream timed out gatway ".repeat(400);
        for bad in [
            &[0xffu8, 0xfe][..],
            b"\xed\xa0\x80 gateway",
            b"gatew\xc3",
            b"\x00\x01\x1b[31m504\x7f",
            long.as_bytes(),
        ] {
            // SAFETY: `bad` is alive for the call.
            let out = read_result(unsafe { search(bad.as_ptr(), bad.len(), 5) });
            assert!(out.starts_with('['), "{out}");
        }
        // Invalid UTF-8 (a lone surrogate encoded by hand: ED A0 80) is searched as U+FFFD.
        let bad = [b'g', b'a', b't', 0xed, 0xa0, 0x80, 0xff];
        // SAFETY: `bad` is alive for the call.
        let hits = read_result(unsafe { search(bad.as_ptr(), bad.len(), 5) });
        assert!(hits.starts_with('['), "{hits}");
        // Empty and null input.
        // SAFETY: a null pointer with length 0 is allowed.
        assert_eq!(read_result(unsafe { search(std::ptr::null(), 0, 5) }), "[]");
        // 10 KB of text, control characters and all: answered, quickly.
        let long = "gateway\u{0}\u{7}\t timeout \u{1b}[31m ".repeat(400);
        let started = std::time::Instant::now();
        // SAFETY: `long` is alive for the call.
        let hits = read_result(unsafe { search(long.as_ptr(), long.len(), u32::MAX) });
        assert!(hits.starts_with('['), "{hits}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "a 10 KB query took {:?}",
            started.elapsed()
        );
    }
}
