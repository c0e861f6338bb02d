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

/// Builds the automata the first queries need; call once after [`load_bundle`].
#[no_mangle]
pub extern "C" fn warm_up() -> *const u8 {
    respond(crate::warm_up())
}

/// Searches for the UTF-8 query at `ptr` (`len` bytes); at most `limit` hits. Bytes that are
/// not UTF-8 (a lone surrogate encoded by hand, a cut character) count as U+FFFD, like
/// `TextEncoder` does, so any bytes get an answer; the query is capped by the parser.
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes (the caller still owns them).
#[no_mangle]
pub unsafe extern "C" fn search(ptr: *const u8, len: usize, limit: u32) -> *const u8 {
    // SAFETY: per the contract above.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let query = String::from_utf8_lossy(bytes);
    respond(crate::search(&query, limit as usize))
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

    fn read_result(ptr: *const u8) -> String {
        // SAFETY: `respond` wrote a u32 length and that many bytes at `ptr`.
        unsafe {
            let len = u32::from_le_bytes(*(ptr as *const [u8; 4])) as usize;
            String::from_utf8(std::slice::from_raw_parts(ptr.add(4), len).to_vec()).unwrap()
        }
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
            class: "5xx".into(),
            status: "official".into(),
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
        assert_eq!(loaded, r#"{"docs":1}"#);
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
    }
}
