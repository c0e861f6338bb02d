//! `statusref serve`: the real binary on a free port, over a fixture site in a temp dir.
//!
//! The HTTP and WebSocket clients are a few lines over `std::net::TcpStream`: raw requests let
//! the traversal tests send paths exactly as written, which most clients would normalise.
//!
//! `cargo test --release --test serve -- --ignored --nocapture` also measures edit → reload time
//! on the project's own content.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long anything may take before a test gives up (debug builds, busy CI machines).
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `statusref serve`; killed on drop if a test failed before stopping it.
struct Server {
    child: Child,
    port: u16,
    stdout: mpsc::Receiver<String>,
    stdout_seen: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_statusref"))
            .args(["serve", "--root", root.to_str().unwrap(), "--port", "0"])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start statusref serve");
        let (tx, rx) = mpsc::channel();
        let stdout_seen = Arc::new(Mutex::new(String::new()));
        let seen = stdout_seen.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                seen.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_sink = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                err_sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stdout: rx,
            stdout_seen,
            stderr,
        };
        let line = server.wait_for_line("serving http://");
        let url = line.split_whitespace().nth(1).unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        server.port = url["http://127.0.0.1:".len()..]
            .trim_end_matches('/')
            .parse()
            .expect("port in the URL");
        server
    }

    /// The next stdout line containing `needle` (earlier lines are skipped).
    fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no line with {needle:?} on stdout\n--- stdout\n{}--- stderr\n{}",
                    self.stdout_seen.lock().unwrap(),
                    self.stderr()
                ),
            }
        }
    }

    /// Waits until stderr contains `needle`.
    fn wait_for_stderr(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.stderr().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on stderr\n--- stderr\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path)
    }

    fn live(&self) -> LiveClient {
        LiveClient::connect(self.port)
    }

    /// Sends SIGINT (Ctrl-C) and waits for the process to end.
    fn interrupt(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "serve did not stop after SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with the path sent exactly as given.
fn request(port: u16, method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// A minimal WebSocket client: the handshake, then unmasked text frames from the server.
struct LiveClient {
    stream: TcpStream,
}

impl LiveClient {
    fn connect(port: u16) -> LiveClient {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "GET /__statusref/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("handshake");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
        LiveClient { stream }
    }

    /// The next text message as JSON, or `None` when the server closed the channel.
    fn next(&mut self) -> Option<serde_json::Value> {
        loop {
            let mut head = [0u8; 2];
            self.stream.read_exact(&mut head).ok()?;
            let opcode = head[0] & 0x0f;
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut ext = [0u8; 2];
                self.stream.read_exact(&mut ext).ok()?;
                len = u64::from(u16::from_be_bytes(ext));
            } else if len == 127 {
                let mut ext = [0u8; 8];
                self.stream.read_exact(&mut ext).ok()?;
                len = u64::from_be_bytes(ext);
            }
            assert_eq!(head[1] & 0x80, 0, "server frames are not masked");
            let mut payload = vec![0u8; len as usize];
            self.stream.read_exact(&mut payload).ok()?;
            match opcode {
                0x1 => return Some(serde_json::from_slice(&payload).expect("JSON message")),
                0x8 => return None,
                _ => {}
            }
        }
    }

    /// Skips messages until one of type `kind`.
    fn expect(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let message = self
                .next()
                .unwrap_or_else(|| panic!("channel closed while waiting for {kind}"));
            if message["type"] == kind {
                return message;
            }
        }
    }
}

/// Writes a file the way editors do: new content in one go.
fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

#[test]
fn serves_the_site_from_memory_with_types_redirects_and_its_404_page() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let before = files_under(&root);
    let server = Server::start(&root, &[]);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-cache"));
    // site.yaml's base URL is https://example.org/ref/; serve builds for itself instead.
    let page = server.get("/http-codes/504/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("The proxy waited and gave up."), "{html}");
    assert!(html.contains(&format!(
        r#"<link rel="canonical" href="http://127.0.0.1:{}/http-codes/504/">"#,
        server.port
    )));
    assert!(
        html.contains(r#"<script src="/__statusref/live.js" data-statusref-version=""#),
        "live script injected"
    );
    assert!(html.trim_end().ends_with("</html>"));

    let redirect = server.get("/http-codes/504?x=1");
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location"), Some("/http-codes/504/?x=1"));

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        missing.text().contains("<h1>Page not found</h1>"),
        "the site's 404.html"
    );
    assert!(missing.text().contains("/__statusref/live.js"));

    let css_href = html
        .split("href=\"/assets/site.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("css link");
    let css = server.get(&format!("/assets/site.{css_href}"));
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        !css.text().contains("__statusref"),
        "only HTML gets the script"
    );
    let json = server.get("/codes.json");
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert!(json.text().starts_with('['));
    // The open formats: a page's Markdown twin (without the live script), a code's record.
    let twin = server.get("/http-codes/504/index.html.md");
    assert_eq!(twin.status, 200);
    assert_eq!(
        twin.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert!(twin.text().starts_with("# 504 Gateway Timeout\n"));
    assert!(!twin.text().contains("__statusref"));
    let record = server.get("/http-codes/504/index.json");
    assert_eq!(record.header("content-type"), Some("application/json"));
    let llms = server.get("/llms.txt");
    assert_eq!(
        llms.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(llms.text().contains(&format!(
        "(http://127.0.0.1:{}/http-codes/504/index.html.md)",
        server.port
    )));
    let script = server.get("/__statusref/live.js");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("textContent"));

    let head = request(server.port, "HEAD", "/http-codes/504/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(request(server.port, "POST", "/").status, 405);

    // Served from memory: nothing was written into the site.
    assert_eq!(files_under(&root), before);
}

#[test]
fn edits_reload_and_broken_edits_keep_the_last_good_site() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let mut server = Server::start(&root, &[]);
    let mut live = server.live();
    let hello = live.expect("hello");
    let version = hello["version"].as_str().unwrap().to_string();
    assert!(server
        .get("/http-codes/504/")
        .text()
        .contains(&format!("data-statusref-version=\"{version}\"")));

    // An edit: reload, and the new text is served.
    let original = std::fs::read_to_string(root.join("content/codes/504.md")).unwrap();
    write(
        &root,
        "content/codes/504.md",
        &original.replace(
            "The proxy waited and gave up.",
            "The proxy waited, then gave up.",
        ),
    );
    let reload = live.expect("reload");
    assert_ne!(reload["version"], hello["version"]);
    let page = server.get("/http-codes/504/").text();
    assert!(page.contains("The proxy waited, then gave up."), "{page}");
    server.wait_for_line("content/codes/504.md: rebuilt");

    // A broken edit: the error on the live channel and in the terminal; the last good page stays.
    let broken = original.replace("related: [502, 524]", "related: [502, 524");
    write(&root, "content/codes/504.md", &broken);
    let error = live.expect("error");
    let text = error["text"].as_str().unwrap();
    assert!(
        text.starts_with("1 error in the site's input\n\nerror: invalid YAML in front matter"),
        "{text}"
    );
    assert!(text.contains("--> content/codes/504.md:7:8"), "{text}");
    server.wait_for_stderr(
        "content/codes/504.md: error: the site does not build; still serving the last good version",
    );
    assert!(
        server
            .stderr()
            .contains("error: invalid YAML in front matter"),
        "{}",
        server.stderr()
    );
    let page = server.get("/http-codes/504/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("The proxy waited, then gave up."));
    // A tab opened now gets the overlay at once.
    let mut late = server.live();
    late.expect("hello");
    assert_eq!(late.expect("error")["text"], error["text"]);

    // The fix: reload, overlay gone with the page it covered.
    write(&root, "content/codes/504.md", &original);
    live.expect("reload");
    late.expect("reload");
    assert!(server
        .get("/http-codes/504/")
        .text()
        .contains("The proxy waited and gave up."));
    server.wait_for_line("the errors are fixed");

    // Templates, assets and site.yaml are watched too.
    write(
        &root,
        "site.yaml",
        "title: Renamed Codes\nbase_url: \"https://example.org/ref/\"\n",
    );
    live.expect("reload");
    assert!(server.get("/").text().contains("Renamed Codes"));
    std::fs::create_dir_all(root.join("templates")).unwrap();
    write(
        &root,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>custom 404</p>{% endblock main %}",
    );
    live.expect("reload");
    assert!(server.get("/nope").text().contains("<p>custom 404</p>"));
    // The new directory is watched from then on.
    write(
        &root,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>custom 404, edited</p>{% endblock main %}",
    );
    live.expect("reload");
    assert!(server
        .get("/nope")
        .text()
        .contains("<p>custom 404, edited</p>"));
}

/// The `data-index` URL of the search page.
fn index_url(server: &Server) -> String {
    let search = server.get("/http-codes/").text();
    search
        .split("data-index=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the search page links the index")
        .to_string()
}

#[test]
fn an_edit_re_renders_only_what_it_changes_and_the_index_follows() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let mut server = Server::start(&root, &[]);
    let mut live = server.live();
    live.expect("hello");
    let index_before = index_url(&server);
    assert_eq!(server.get(&index_before).status, 200);
    let guides_before = server.get("/guides/").text();

    let original = std::fs::read_to_string(root.join("content/codes/504.md")).unwrap();
    write(
        &root,
        "content/codes/504.md",
        &original.replace("When an upstream is too slow.", "When an upstream is slow."),
    );
    let reload = live.expect("reload");
    let line = server.wait_for_line("content/codes/504.md: rebuilt");
    assert!(
        line.contains(": rebuilt 1 pages in ") && line.contains("; updating the search index"),
        "{line}"
    );
    // Pages that did not change are served as they were (the same version of the script
    // aside).
    let strip = |html: String| {
        html.split("<script src=\"/__statusref/")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(strip(server.get("/guides/").text()), strip(guides_before));
    assert!(server
        .get("/http-codes/504/")
        .text()
        .contains("When an upstream is slow."));

    // The new index lands: the search page links it, tabs on the search page reload.
    let update = live.expect("update");
    assert_ne!(update["version"], reload["version"]);
    let paths: Vec<&str> = update["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(paths.contains(&"/http-codes/"), "{paths:?}");
    server.wait_for_line("search index updated in");
    let index_after = index_url(&server);
    assert_ne!(index_after, index_before);
    let bundle = server.get(&index_after);
    assert_eq!(bundle.status, 200);
    assert!(!bundle.body.is_empty());
    assert_eq!(
        server.get(&index_before).status,
        404,
        "the old index is gone"
    );
    let page = server.get("/http-codes/504/").text();
    assert!(
        page.contains(&format!(
            "data-statusref-version=\"{}\"",
            update["version"].as_str().unwrap()
        )),
        "pages are served with the current version"
    );
}

#[test]
fn a_site_that_does_not_build_yet_shows_its_errors_until_fixed() {
    let (_dir, root) = util::site_from_fixture("invalid/broken-yaml");
    let mut server = Server::start(&root, &[]);
    server.wait_for_stderr("error: invalid YAML in front matter");
    server.wait_for_stderr(
        "error: the site does not build yet; fix the errors above and it will be served",
    );
    let page = server.get("/http-codes/504/");
    assert_eq!(page.status, 500);
    assert!(
        page.text().contains("--&gt; content/codes/504.md:6:1"),
        "errors are escaped: {}",
        page.text()
    );
    let mut live = server.live();
    live.expect("hello");
    assert!(live.expect("error")["text"]
        .as_str()
        .unwrap()
        .contains("invalid YAML"));

    let text = std::fs::read_to_string(root.join("content/codes/504.md")).unwrap();
    write(
        &root,
        "content/codes/504.md",
        &text.replace("related: [502, 503\n", "related: []\n"),
    );
    live.expect("reload");
    server.wait_for_line("rebuilt");
    assert_eq!(server.get("/http-codes/504/").status, 200);
}

#[test]
fn traversal_attempts_are_answered_404() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    std::fs::write(root.join("site.yaml"), "title: Secret Title\n").unwrap();
    // A file outside the root, and a link to it from inside: never served (nothing is read
    // from disk at request time).
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    std::fs::write(dir.path().join("outside/secret.txt"), "root:x:0:0\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("outside"), root.join("link-out")).unwrap();
    let server = Server::start(&root, &[]);
    for path in [
        "/../Cargo.toml",
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/assets/..%2f..%2fsite.yaml",
        "/assets/%2e%2e%2fsite.yaml",
        "/assets/..%5csite.yaml",
        "/assets/..\\site.yaml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/link-out/secret.txt",
        "/../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/site.yaml",
        "/content/codes/524.md",
        "/http-codes/./524/",
        "/index.html%00.css",
        "/C:/Windows/win.ini",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}: {}", response.text());
        assert!(!response.text().contains("Secret Title: "), "{path}");
        assert!(!response.text().contains("root:"), "{path}");
    }
    // The real files are there.
    assert_eq!(server.get("/http-codes/524/").status, 200);
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_nothing_behind() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    let before = files_under(dir.path());
    let mut server = Server::start(&root, &[]);
    let mut live = server.live();
    live.expect("hello");
    assert_eq!(server.get("/").status, 200);
    let status = server.interrupt();
    assert!(status.success(), "{status:?}\n{}", server.stderr());
    // The live channel was closed by the server, not cut.
    assert!(live.next().is_none());
    server.wait_for_line("stopped");
    assert!(
        TcpStream::connect(("127.0.0.1", server.port)).is_err(),
        "the port is released"
    );
    assert_eq!(files_under(dir.path()), before, "no files written");
}

#[test]
fn a_busy_port_is_an_error_with_a_hint() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = util::statusref(&["serve", "--root", root.to_str().unwrap(), "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")),
        "{stderr}"
    );
    assert!(stderr.contains("pass --port 0"), "{stderr}");
}

/// Edit → reload on the project's own content: time from writing content/codes/504.md to the
/// reload message, and to the new page being served. Run in release:
/// `cargo test --release --test serve -- --ignored --nocapture edit_to_reload`.
#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn edit_to_reload_time_on_the_project_content() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    for part in ["content", "templates", "assets"] {
        let from = util::repo_root().join(part);
        if from.is_dir() {
            util::copy_tree(&from, &root.join(part));
        }
    }
    std::fs::copy(util::repo_root().join("site.yaml"), root.join("site.yaml")).unwrap();
    let mut server = Server::start(&root, &[]);
    let mut live = server.live();
    live.expect("hello");
    let original = std::fs::read_to_string(root.join("content/codes/504.md")).unwrap();
    let mut to_reload = Vec::new();
    let mut to_served = Vec::new();
    for i in 0..7 {
        let marker = format!("Edit number {i} for timing.");
        let edited = original.replacen("## Meaning\n\n", &format!("## Meaning\n\n{marker} "), 1);
        let started = Instant::now();
        write(&root, "content/codes/504.md", &edited);
        live.expect("reload");
        to_reload.push(started.elapsed());
        assert!(server.get("/http-codes/504/").text().contains(&marker));
        to_served.push(started.elapsed());
        let line = server.wait_for_line("rebuilt");
        println!(
            "edit {i}: reload after {:?}, page served after {:?} ({line})",
            to_reload[i], to_served[i]
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    to_reload.sort();
    to_served.sort();
    println!(
        "median over {} edits: reload message {:?}, new page served {:?} (debounce {:?} included)",
        to_reload.len(),
        to_reload[to_reload.len() / 2],
        to_served[to_served.len() / 2],
        Duration::from_millis(100)
    );
}
