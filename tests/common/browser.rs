//! Headless Chromium for browser tests: find it, serve a directory on 127.0.0.1, dump a page's
//! DOM after its scripts ran.
//!
//! Include it from a test with `#[path = "common/browser.rs"] mod browser;`.
//!
//! Chromium comes from `CHROMIUM` (a path) or `/usr/bin/chromium` (Debian's `chromium`
//! package). When it is missing, [`require_chromium`] makes the test fail under CI (`CI=true`)
//! with the install command, and skip (with a message) elsewhere.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The command that installs what these tests need (Debian, as root).
pub const INSTALL_HINT: &str = "apt-get update && apt-get install -y chromium";

/// Where Chromium is, if anywhere: `$CHROMIUM`, else the usual Debian and Ubuntu paths.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Chromium's path; `None` (after printing why) when it is missing outside CI.
///
/// # Panics
///
/// When Chromium is missing and `CI` is `true` or `1`: the browser test must not be skipped
/// there.
pub fn require_chromium() -> Option<PathBuf> {
    if let Some(path) = chromium() {
        return Some(path);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let message = format!(
        "headless Chromium not found (set CHROMIUM=/path/to/chromium, or install it: `{INSTALL_HINT}`)"
    );
    if ci {
        panic!("{message}; browser tests cannot be skipped under CI");
    }
    eprintln!("skipping browser test: {message}");
    None
}

/// The flags every run uses: headless, as root in a container, nothing phoning home.
fn base_command(chromium: &Path) -> Command {
    let profile = std::env::temp_dir().join(format!(
        "statusref-chromium-{}-{}",
        std::process::id(),
        PROFILE_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut command = Command::new(chromium);
    command
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--disable-quic")
        .arg("--no-first-run")
        .arg("--disable-background-networking")
        .arg("--disable-component-update")
        .arg("--disable-sync")
        .arg("--disable-dev-shm-usage")
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

static PROFILE_COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Loads `url`, lets its scripts run for up to ten seconds of virtual time (fetches, wasm
/// and timers included) and returns the serialised DOM.
///
/// # Panics
///
/// When Chromium is missing (see [`require_chromium`] to skip instead) or fails.
pub fn dump_dom(url: &str) -> String {
    let chromium = chromium().unwrap_or_else(|| {
        panic!("headless Chromium not found; install it: `{INSTALL_HINT}` (or set CHROMIUM)")
    });
    dump_dom_with(&chromium, url, 10_000)
}

/// [`dump_dom`] with an explicit browser and virtual-time budget in milliseconds.
pub fn dump_dom_with(chromium: &Path, url: &str, budget_ms: u32) -> String {
    let output = base_command(chromium)
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", chromium.display()));
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() || dom.trim().is_empty() {
        panic!(
            "chromium --dump-dom {url} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    dom
}

/// The `<ol id="search-results">…</ol>` element of a dumped DOM (empty if absent).
pub fn search_results(dom: &str) -> &str {
    element(dom, "<ol id=\"search-results\"", "</ol>")
}

/// The text of `#search-status` in a dumped DOM.
pub fn search_status(dom: &str) -> &str {
    let p = element(dom, "<p id=\"search-status\"", "</p>");
    p.find('>')
        .map_or("", |i| &p[i + 1..p.len().saturating_sub(4)])
}

/// The hrefs of the result links, in order.
pub fn result_links(dom: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = search_results(dom);
    while let Some(i) = rest.find("<a href=\"") {
        rest = &rest[i + 9..];
        if let Some(end) = rest.find('"') {
            links.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    links
}

fn element<'a>(dom: &'a str, start: &str, end: &str) -> &'a str {
    match dom.find(start) {
        Some(i) => {
            let from = &dom[i..];
            match from.find(end) {
                Some(j) => &from[..j + end.len()],
                None => from,
            }
        }
        None => "",
    }
}

/// A static file server on 127.0.0.1 (random port) for one directory; stops when dropped.
/// `/dir/` serves `dir/index.html`; `.wasm` is served as `application/wasm`.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root`.
    pub fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    std::thread::spawn(move || serve_one(stream, &root));
                }
            }
        });
        StaticServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn serve_one(mut stream: TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = root.to_path_buf();
    for part in path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
    {
        file.push(percent_decode(part));
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let response = match std::fs::read(&file) {
        Ok(body) => {
            let mut head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                content_type(&file),
                body.len()
            )
            .into_bytes();
            head.extend_from_slice(&body);
            head
        }
        Err(_) => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"
                .to_vec()
        }
    };
    let _ = stream.write_all(&response);
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
