//! `statusref serve` against hostile clients: it answers only requests addressed to itself
//! (`Host`), its live-reload socket only its own pages (`Origin`), and it drops connections
//! that do not send a request head in time.
//!
//! A DNS-rebinding page reaches the server with its own name in `Host`; any page can open a
//! WebSocket to 127.0.0.1 with its own `Origin`. Requests are raw bytes over `TcpStream`, so
//! the headers are exactly what a browser (or an attacker) would send.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long anything may take before a test gives up (debug builds, busy machines).
const PATIENCE: Duration = Duration::from_secs(30);

/// The server's header read timeout (`statusref::internals::serve::HEADER_READ_TIMEOUT`).
const HEADER_TIMEOUT: Duration = statusref::internals::serve::HEADER_READ_TIMEOUT;

/// A running `statusref serve` on a free port; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_statusref"))
            .args(["serve", "--root", root.to_str().unwrap(), "--port", "0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start statusref serve");
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + PATIENCE;
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).expect("the serving line");
            if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                break rest
                    .split('/')
                    .next()
                    .unwrap()
                    .parse()
                    .expect("port in the URL");
            }
        };
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `head` (request line and headers, without the blank line) and returns the status code
/// and the whole response text.
fn raw(port: u16, head: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "{head}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    // A WebSocket that was accepted stays open: read what came, up to the timeout.
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    (status, text)
}

/// A request for `path` with `host` as the Host header (none when `None`).
fn get(port: u16, path: &str, host: Option<&str>) -> (u16, String) {
    let host = host.map_or(String::new(), |h| format!("\r\nHost: {h}"));
    raw(port, &format!("GET {path} HTTP/1.1{host}"))
}

#[test]
fn only_requests_for_its_own_host_are_answered() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let server = Server::start(&root);
    let port = server.port;
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        let (status, text) = get(port, "/http-codes/504/", Some(&host));
        assert_eq!(status, 200, "Host: {host}\n{text}");
        assert!(text.contains("The proxy waited and gave up."), "{text}");
    }
    let other = port.wrapping_add(1);
    for host in [
        Some(format!("evil.example:{port}")),
        Some("evil.example".to_string()),
        Some(format!("127.0.0.1.evil.example:{port}")),
        Some(format!("localhost.:{port}")),
        Some(format!("127.0.0.1:{other}")),
        Some("127.0.0.1".to_string()),
        Some(format!("127.0.0.1:{port}@evil.example")),
        Some(String::new()),
        None,
    ] {
        for path in ["/http-codes/504/", "/", "/nowhere/", "/__statusref/live.js"] {
            let (status, text) = get(port, path, host.as_deref());
            assert_eq!(status, 421, "Host: {host:?} {path}\n{text}");
            assert!(
                text.contains("text/plain") && text.contains("Misdirected"),
                "Host: {host:?}: a short plain-text reason\n{text}"
            );
            assert!(
                !text.contains("<html") && !text.contains("proxy waited"),
                "Host: {host:?}: the site leaked\n{text}"
            );
        }
    }
    // Two Host headers, HTTP/1.0 without Host, an absolute request target for another host.
    let (status, text) = raw(
        port,
        &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example:{port}"),
    );
    assert_eq!(status, 421, "{text}");
    let (status, text) = raw(port, "GET /http-codes/504/ HTTP/1.0");
    assert_eq!(status, 421, "{text}");
    let (status, text) = raw(
        port,
        &format!("GET http://evil.example/http-codes/504/ HTTP/1.1\r\nHost: 127.0.0.1:{port}"),
    );
    assert_eq!(status, 421, "{text}");
    let (status, text) = raw(
        port,
        &format!("GET http://localhost:{port}/http-codes/504/ HTTP/1.1\r\nHost: localhost:{port}"),
    );
    assert_eq!(status, 200, "{text}");
}

/// The status of a live-reload handshake, without waiting for an accepted socket to close.
fn live_status(port: u16, host: &str, origin: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    write!(
        stream,
        "GET /__statusref/live HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{origin}\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).expect("response") == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let mut text = String::from_utf8_lossy(&head).into_owned();
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    if status != 101 {
        // The connection stays open (keep-alive): read just the body.
        let length: usize = text
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())
                    .flatten()
            })
            .unwrap_or_else(|| panic!("no content-length in {text:?}"));
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).expect("body");
        text.push_str(&String::from_utf8_lossy(&body));
    }
    (status, text)
}

#[test]
fn the_live_socket_answers_only_its_own_pages() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let server = Server::start(&root);
    let port = server.port;
    let host = format!("127.0.0.1:{port}");
    let ok = [
        Some(format!("http://127.0.0.1:{port}")),
        Some(format!("http://localhost:{port}")),
        Some(format!("http://[::1]:{port}")),
        // Browsers always send Origin on a WebSocket handshake; a client without one is not a
        // web page.
        None,
    ];
    for origin in &ok {
        let (status, text) = live_status(port, &host, origin.as_deref());
        assert_eq!(status, 101, "Origin: {origin:?}\n{text}");
    }
    let other = port.wrapping_add(1);
    for origin in [
        "http://evil.example".to_string(),
        format!("http://evil.example:{port}"),
        "null".to_string(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{other}"),
        format!("http://127.0.0.1:{port}.evil.example"),
        "http://127.0.0.1".to_string(),
        String::new(),
    ] {
        let (status, text) = live_status(port, &host, Some(&origin));
        assert_eq!(status, 403, "Origin: {origin:?}\n{text}");
        assert!(text.contains("text/plain"), "{text}");
    }
    // A rebinding page: its own name in Host and Origin.
    let (status, text) = live_status(
        port,
        &format!("evil.example:{port}"),
        Some(&format!("http://evil.example:{port}")),
    );
    assert_eq!(status, 421, "{text}");
}

/// Reads from `stream` until the server closes it (EOF or reset); returns when that happened,
/// or `None` if it was still open after `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 1024];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            // A `408 Request Timeout` before closing is fine.
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

#[test]
fn a_client_that_sends_its_headers_too_slowly_is_dropped() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let server = Server::start(&root);
    let port = server.port;
    let limit = HEADER_TIMEOUT + Duration::from_secs(5);

    // Half a request line, then nothing.
    let mut partial = TcpStream::connect(("127.0.0.1", port)).unwrap();
    partial.write_all(b"GET /http-codes/5").unwrap();
    // Nothing at all.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // A byte a second: always sending, never done within the timeout.
    let mut drip = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let drip_writer = drip.try_clone().unwrap();
    let dripping = std::thread::spawn(move || {
        let mut writer = drip_writer;
        let head = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ");
        let mut bytes = head.bytes().chain(std::iter::repeat(b'a'));
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            let byte = bytes.next().unwrap();
            if writer.write_all(&[byte]).is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        false
    });

    let partial_closed = closed_within(&mut partial, limit);
    let idle_closed = closed_within(&mut idle, limit);
    let drip_closed = closed_within(&mut drip, limit);
    assert!(
        partial_closed.is_some(),
        "a partial request line was kept open past {limit:?}"
    );
    assert!(
        idle_closed.is_some(),
        "an idle connection was kept open past {limit:?}"
    );
    assert!(
        drip_closed.is_some(),
        "a client dripping its headers was kept open past {limit:?}"
    );
    let _ = drip.shutdown(std::net::Shutdown::Both);
    let _ = dripping.join();

    // The server still answers.
    let (status, _) = get(port, "/", Some(&format!("127.0.0.1:{port}")));
    assert_eq!(status, 200);
}
