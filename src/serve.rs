//! `statusref serve`: the authors' dev server, with live reload.
//!
//! ```text
//! content/ templates/ assets/ site.yaml ─notify (debounced)─▶ incremental rebuild (in memory)
//!        │ ok: swap the new files in, tell tabs to reload       │ errors: keep the last good
//!        ▼                                                      ▼ files, show an overlay
//!   HashMap<path, Bytes> ◀── axum on 127.0.0.1 ── browser tabs ◀─ WebSocket /__statusref/live
//!        ▲
//!        └── search index, built on its own thread after the pages are swapped in
//! ```
//!
//! The site is built with [`crate::incremental::Incremental`] and served from memory: nothing
//! is written to disk, and `public/` is left alone. An edit re-renders the pages it can change
//! and nothing else; the search index is rebuilt in the background, the previous one served
//! until the new one lands (then the pages that link it are rendered again with its URL, and
//! tabs showing them reload). Every HTML page is served with one `<script>` tag (only here, never in `build`)
//! that connects to [`LIVE_PATH`]; after a successful rebuild the server sends `reload`, after a
//! failed one the diagnostics, which the script shows in an overlay (as text, never as HTML)
//! over the last good page.
//!
//! # Who is answered
//!
//! The server listens on 127.0.0.1 only, but a listening port on the loopback interface is
//! reachable from any web page the developer opens: through DNS rebinding (a name that first
//! resolves to the attacker's server, then to 127.0.0.1) a page could read every served page,
//! drafts included, and any page could open the live-reload WebSocket and receive the
//! diagnostics of a broken edit, with file paths and quoted source lines. So:
//!
//! - every request must name this server in `Host` (`127.0.0.1`, `localhost` or `[::1]`,
//!   with the server's port; the same for an absolute request target): anything else,
//!   including no `Host` at all (which HTTP/1.1 requires), is answered `421 Misdirected
//!   Request` with a one-line reason;
//! - the WebSocket upgrade is accepted only from the server's own origins
//!   (`http://127.0.0.1:PORT`, `http://localhost:PORT`, `http://[::1]:PORT`), else `403`.
//!   A request without `Origin` is accepted: browsers always send `Origin` on a WebSocket
//!   handshake (the Fetch standard requires it, and page scripts cannot remove it), so its
//!   absence means a non-browser client on this machine, which could read the files directly;
//! - a connection must send a request's headers within [`HEADER_READ_TIMEOUT`] (idle
//!   keep-alive connections included), so idle or slow clients do not hold sockets forever.
//!
//! # Path safety
//!
//! A request path is percent-decoded exactly once, segment by segment, and refused with a 404
//! when any segment is `.` or `..`, decodes to something containing `/`, `\` or NUL, looks like
//! a drive (`C:`), or is empty (`//etc/passwd`). What is left is only ever used as a key into the
//! in-memory map of the last good build; the file system is never consulted at request time.
//! So no request can reach a file outside the site's output, and symbolic links in the site
//! root cannot lead a request anywhere either: they are followed by the build alone, whose output
//! is the only thing served.

use std::collections::{BTreeSet, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
// notify through notify-debouncer-mini's re-export: the debouncing is done here, because the
// mini debouncer drops event kinds, and without them the build's own reads of the files
// (inotify `OPEN` events) would trigger rebuilds forever.
use notify_debouncer_mini::notify::event::{AccessKind, AccessMode};
use notify_debouncer_mini::notify::{self, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::{broadcast, watch};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::incremental::{Incremental, IndexJob, IndexResult};
use crate::pipeline::plan;
use crate::{BuildError, BuildOptions, Diagnostic};

/// The live-reload WebSocket.
pub const LIVE_PATH: &str = "/__statusref/live";

/// The live-reload script that HTML pages load in `serve`.
pub const SCRIPT_PATH: &str = "/__statusref/live.js";

/// A rebuild starts once the watched files have been quiet this long (an editor's save is
/// often several events: write, rename, attributes).
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// The port `serve` uses unless told otherwise (as Zola's).
pub const DEFAULT_PORT: u16 = 1111;

/// A connection that has not sent a whole request head this long after it opened (or after the
/// previous response) is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The host names the server answers to (with its port).
const LOCAL_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// What to serve and how.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site: root, drafts, base URL. `output` is ignored (nothing is written). Without a
    /// base URL the site is built for `http://127.0.0.1:<port>/`, whatever `site.yaml` says,
    /// so that every link stays on the dev server; with one, the site is served under its path.
    pub build: BuildOptions,
    /// Port on 127.0.0.1; `0` lets the system pick a free one (the URL printed names it).
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// Why the server could not start (problems in the site's input never stop it).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The port is taken or not allowed.
    #[error("cannot listen on 127.0.0.1:{port}: {source} (pass --port 0 to use any free port)")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The file watcher could not be set up.
    #[error("cannot watch {path} for changes: {source}")]
    Watch {
        /// The directory or file.
        path: String,
        /// notify's reason.
        source: notify::Error,
    },
    /// Anything else from the operating system (runtime, threads, sockets).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The site being served: one immutable value, replaced as a whole after each rebuild.
struct Snapshot {
    /// Output path (`http-codes/504/index.html`) → bytes, exactly as `build` writes them; the
    /// live-reload script goes into HTML as it is served.
    files: Arc<HashMap<String, Bytes>>,
    /// Build id written into each page; a tab whose page has another id reloads on connect.
    version: Arc<str>,
    /// While the input is broken: what is wrong, as shown in the terminal.
    error: Option<Arc<str>>,
}

/// State shared by the request handlers and the rebuild thread.
struct App {
    current: RwLock<Arc<Snapshot>>,
    events: broadcast::Sender<LiveEvent>,
    shutdown: watch::Receiver<bool>,
    base_path: String,
    /// The port listened on: the only one `Host` and `Origin` may name.
    port: u16,
}

impl App {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn replace(&self, snapshot: Snapshot) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
    }
}

/// Messages on the live channel, as JSON: `{"type":"reload","version":"…"}`.
#[derive(Debug, Clone)]
enum LiveEvent {
    /// Sent first on every connection: the version being served.
    Hello { version: Arc<str> },
    /// A new version is being served.
    Reload { version: Arc<str> },
    /// A new version is being served in which only these pages (URL paths) changed: tabs
    /// showing one of them reload (sent when a new search index lands).
    Update {
        version: Arc<str>,
        paths: Arc<[String]>,
    },
    /// The last edit broke the build; the text of the diagnostics.
    Error { text: Arc<str> },
}

impl LiveEvent {
    fn to_message(&self) -> Message {
        let json = match self {
            LiveEvent::Hello { version } => {
                serde_json::json!({ "type": "hello", "version": &**version })
            }
            LiveEvent::Reload { version } => {
                serde_json::json!({ "type": "reload", "version": &**version })
            }
            LiveEvent::Update { version, paths } => {
                serde_json::json!({ "type": "update", "version": &**version, "paths": &**paths })
            }
            LiveEvent::Error { text } => serde_json::json!({ "type": "error", "text": &**text }),
        };
        Message::Text(json.to_string().into())
    }
}

/// Builds the site, serves it on 127.0.0.1 and rebuilds on every change until Ctrl-C (or
/// SIGTERM); then stops accepting connections, closes the live channels and returns.
///
/// Progress goes to stdout (the URL first of all: `serving http://127.0.0.1:PORT/`), the
/// site's diagnostics to stderr.
///
/// # Errors
///
/// Only when the server cannot start or the watcher cannot be set up; broken content is
/// reported and served around, never returned.
pub fn run(options: ServeOptions) -> Result<(), ServeError> {
    let listener =
        std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).map_err(|source| {
            ServeError::Bind {
                port: options.port,
                source,
            }
        })?;
    listener.set_nonblocking(true)?;
    let addr: SocketAddr = listener.local_addr()?;

    let mut build = options.build.clone();
    build.output = None;
    let base_url = build
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}/"));
    let base_path = crate::config::Config {
        base_url: base_url.clone(),
        ..Default::default()
    }
    .base_path();
    build.base_url = Some(base_url);

    let (events, _) = broadcast::channel(16);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let empty = Snapshot {
        files: Arc::new(HashMap::new()),
        version: "none".into(),
        error: None,
    };
    let app = Arc::new(App {
        current: RwLock::new(Arc::new(empty)),
        events,
        shutdown: shutdown_rx,
        base_path,
        port: addr.port(),
    });
    let instance = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let (message_tx, message_rx) = mpsc::channel::<RebuildMessage>();
    let indexer = spawn_indexer(message_tx.clone())?;
    let mut rebuilder = Rebuilder {
        root: build.root.clone(),
        builder: Incremental::new(build),
        instance: format!("{:x}", instance as u64),
        builds: 0,
        last_warnings: Vec::new(),
        app: app.clone(),
        indexer,
    };
    // The first build, before the URL is printed, so the first request finds a site.
    rebuilder.first_build();

    let root = canonical_root(&rebuilder.root);
    let fs_tx = message_tx.clone();
    let watcher = notify::recommended_watcher(move |event| {
        let _ = fs_tx.send(RebuildMessage::Fs(event));
    })
    .map_err(|source| ServeError::Watch {
        path: root.display().to_string(),
        source,
    })?;
    let mut set = WatchSet {
        watcher,
        root: root.clone(),
        dirs: BTreeSet::new(),
    };
    set.watch_root()?;
    set.watch_new_dirs();
    let watched = Arc::new(Mutex::new(Some(set)));
    let rebuild_thread = {
        let watched = watched.clone();
        std::thread::Builder::new()
            .name("statusref-rebuild".into())
            .spawn(move || rebuilder.watch_loop(message_rx, &watched, &root))?
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("statusref-serve")
        .enable_all()
        .build()?;
    let result = runtime.block_on(serve(listener, app, shutdown_tx, options.open));
    runtime.shutdown_timeout(Duration::from_secs(1));
    // The watcher first (no more events), then the rebuild thread. The index thread ends when
    // the rebuild thread drops its end of the job channel; an index being built is abandoned.
    drop(watched.lock().unwrap_or_else(|e| e.into_inner()).take());
    let _ = message_tx.send(RebuildMessage::Stop);
    let _ = rebuild_thread.join();
    println!("stopped");
    result
}

async fn serve(
    listener: std::net::TcpListener,
    app: Arc<App>,
    shutdown_tx: watch::Sender<bool>,
    open: bool,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;
    let router = Router::new()
        .route(LIVE_PATH, get(live))
        .route(SCRIPT_PATH, get(live_script))
        .fallback(serve_request)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            guard_host,
        ))
        .with_state(app.clone())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));

    let url = format!("http://{addr}{}", app.base_path);
    println!("serving {url} (Ctrl-C to stop)");
    println!("watching content/, templates/, assets/ and site.yaml; nothing is written to disk");
    if open {
        open_browser(&url);
    }

    let server = accept_loop(listener, router, app.shutdown.clone());
    let mut server = tokio::spawn(server);
    let outcome = tokio::select! {
        result = &mut server => Some(result),
        () = shutdown_signal() => None,
    };
    // Closes the live channels and stops accepting connections.
    let _ = shutdown_tx.send(true);
    let result = match outcome {
        Some(result) => result,
        None => {
            println!("stopping");
            match tokio::time::timeout(Duration::from_secs(3), &mut server).await {
                Ok(result) => result,
                Err(_) => {
                    server.abort();
                    Ok(Ok(()))
                }
            }
        }
    };
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ServeError::Io(e)),
        Err(join) => Err(ServeError::Io(std::io::Error::other(join))),
    }
}

/// Accepts connections until `shutdown` turns true, serving each on its own task with hyper's
/// HTTP/1 server (WebSocket upgrades allowed) and [`HEADER_READ_TIMEOUT`]; on shutdown, open
/// connections finish their current response and close. (`axum::serve` has no way to set a
/// header read timeout.)
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A connection that failed before it was accepted, or out of file
                // descriptors: wait a little (no busy loop) and go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut shutdown) => return Ok(()),
        };
        let service = TowerToHyperService::new(router.clone());
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                () = stopped(&mut stop) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
}

/// Resolves once `shutdown` is true (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopping| *stopping).await;
}

/// Whether `authority` (a `Host` header, or the authority of an absolute request target)
/// names this server: one of [`LOCAL_HOSTS`] with `port` (a missing port means 80).
pub fn is_local_authority(authority: &str, port: u16) -> bool {
    let authority = authority.to_ascii_lowercase();
    let (host, port_text) = match authority.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inside, after)) => (format!("[{inside}]"), after),
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((host, _)) => (host.to_string(), &authority[host.len()..]),
            None => (authority.clone(), ""),
        },
    };
    let named_port = match port_text {
        "" => Some(80),
        text => text.strip_prefix(':').and_then(|p| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
        }),
    };
    LOCAL_HOSTS.contains(&host.as_str()) && named_port == Some(port)
}

/// Whether a WebSocket handshake's `Origin` is one of this server's own pages: exactly
/// `http://` + one of [`LOCAL_HOSTS`] + `:port`.
pub fn is_local_origin(origin: &str, port: u16) -> bool {
    LOCAL_HOSTS
        .iter()
        .any(|host| origin.eq_ignore_ascii_case(&format!("http://{host}:{port}")))
}

/// Answers only requests addressed to this server (see the module documentation); others get
/// `421 Misdirected Request` and a one-line reason.
async fn guard_host(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let port = app.port;
    let hosts = request.headers().get_all(header::HOST).iter().count();
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().map(str::to_string));
    let problem = match (&host, request.uri().authority()) {
        _ if hosts > 1 => Some("several Host headers".to_string()),
        (None, None) => Some("no Host header".to_string()),
        (Some(Err(_)), _) => Some("a Host header that is not text".to_string()),
        (Some(Ok(host)), _) if !is_local_authority(host, port) => Some(format!("Host {host:?}")),
        (_, Some(authority)) if !is_local_authority(authority.as_str(), port) => {
            Some(format!("request target for {:?}", authority.as_str()))
        }
        _ => None,
    };
    match problem {
        None => next.run(request).await,
        Some(what) => (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "421 Misdirected Request: {what}; this statusref dev server answers only http://127.0.0.1:{port}/, http://localhost:{port}/ and http://[::1]:{port}/\n"
            ),
        )
            .into_response(),
    }
}

/// Resolves on Ctrl-C, and on SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = command.spawn() {
        eprintln!("warning: could not open a browser ({e}); open {url} yourself");
    }
}

fn canonical_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

// ---------------------------------------------------------------------------------------------
// Watching and rebuilding

/// The watcher and what it watches: the root itself (for `site.yaml` and directories that
/// appear later) and each of `content/`, `templates/`, `assets/` that exists, recursively.
struct WatchSet {
    watcher: RecommendedWatcher,
    root: PathBuf,
    dirs: BTreeSet<&'static str>,
}

/// Directories under the root whose changes rebuild the site.
const WATCHED_DIRS: [&str; 3] = ["content", "templates", "assets"];

impl WatchSet {
    fn watch_root(&mut self) -> Result<(), ServeError> {
        self.watcher
            .watch(&self.root, RecursiveMode::NonRecursive)
            .map_err(|source| ServeError::Watch {
                path: self.root.display().to_string(),
                source,
            })
    }

    /// Starts watching whichever of the site's directories exist and are not watched yet.
    /// Directories deleted since are forgotten, so that they are watched again when they come
    /// back.
    fn watch_new_dirs(&mut self) {
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            if self.dirs.contains(dir) && !path.is_dir() {
                let _ = self.watcher.unwatch(&path);
                self.dirs.remove(dir);
            }
            if self.dirs.contains(dir) || !path.is_dir() {
                continue;
            }
            match self.watcher.watch(&path, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.dirs.insert(dir);
                }
                Err(e) => eprintln!("warning: cannot watch {dir}/ for changes: {e}"),
            }
        }
    }
}

/// True for the files whose changes affect the site: anything under content/, templates/ or
/// assets/ except editors' hidden and backup files, and site.yaml.
fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
    {
        return false;
    }
    let mut components = rel.components();
    match components.next().and_then(|c| c.as_os_str().to_str()) {
        Some("site.yaml") => components.next().is_none(),
        Some(dir) => WATCHED_DIRS.contains(&dir),
        None => false,
    }
}

/// True for events that can change a file's content or existence (not mere reads).
fn is_change(event: &notify::Result<notify::Event>) -> bool {
    match event {
        Ok(event) => match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        },
        Err(_) => false,
    }
}

/// Adds the site inputs an event changed to `changed` (relative paths) and says whether there
/// were any; reports watcher errors.
fn collect_changes(
    root: &Path,
    event: notify::Result<notify::Event>,
    changed: &mut BTreeSet<String>,
) -> bool {
    if !is_change(&event) {
        if let Err(e) = event {
            eprintln!("warning: file watcher: {e}");
        }
        return false;
    }
    let mut any = false;
    if let Ok(event) = event {
        for path in event.paths.iter().filter(|p| is_relevant(root, p)) {
            changed.insert(crate::display_path(root, path));
            any = true;
        }
    }
    any
}

/// `content/codes/504.md` or `content/codes/504.md and 2 more`.
fn summarize_changes(changed: &BTreeSet<String>) -> String {
    let mut files: Vec<&String> = changed.iter().filter(|p| p.contains('.')).collect();
    if files.is_empty() {
        files = changed.iter().collect();
    }
    match files.len() {
        0 => "the site".to_string(),
        1 => files[0].clone(),
        n => format!("{} and {} more", files[0], n - 1),
    }
}

/// What the rebuild thread waits for.
enum RebuildMessage {
    /// A file system event from the watcher.
    Fs(notify::Result<notify::Event>),
    /// A search index built in the background.
    Index(IndexResult),
    /// The server is stopping.
    Stop,
}

/// Starts the thread that builds search indexes off the rebuild path: it takes the latest job
/// (older ones waiting are skipped: their site is gone) and sends the result back.
fn spawn_indexer(results: mpsc::Sender<RebuildMessage>) -> std::io::Result<mpsc::Sender<IndexJob>> {
    let (jobs_tx, jobs_rx) = mpsc::channel::<IndexJob>();
    std::thread::Builder::new()
        .name("statusref-index".into())
        .spawn(move || {
            while let Ok(mut job) = jobs_rx.recv() {
                while let Ok(newer) = jobs_rx.try_recv() {
                    job = newer;
                }
                if results.send(RebuildMessage::Index(job.run())).is_err() {
                    return;
                }
            }
        })?;
    Ok(jobs_tx)
}

/// Runs builds and publishes their results; owned by the rebuild thread after the first build.
struct Rebuilder {
    root: PathBuf,
    builder: Incremental,
    instance: String,
    builds: u64,
    /// Warnings last printed, to print them again only when they change.
    last_warnings: Vec<String>,
    app: Arc<App>,
    /// Index jobs go to the index thread.
    indexer: mpsc::Sender<IndexJob>,
}

impl Rebuilder {
    fn next_version(&mut self) -> Arc<str> {
        self.builds += 1;
        format!("{}-{}", self.instance, self.builds).into()
    }

    /// The snapshot to start with: the site, or (when the input is broken) an empty site that
    /// answers every request with the error until it is fixed.
    fn first_build(&mut self) {
        match self.builder.rebuild(&BTreeSet::new()) {
            Ok(outcome) => {
                print_diagnostics(&outcome.warnings);
                self.last_warnings = outcome.warnings.iter().map(ToString::to_string).collect();
                println!(
                    "built {} pages ({} codes, {} guides) with {} warning{} in {} ms",
                    outcome.pages,
                    outcome.codes,
                    outcome.guides,
                    outcome.warnings.len(),
                    if outcome.warnings.len() == 1 { "" } else { "s" },
                    outcome.elapsed.as_millis()
                );
                let version = self.next_version();
                self.app.replace(Snapshot {
                    files: self.builder.files().unwrap_or_default(),
                    version,
                    error: None,
                });
                self.start_index(outcome.index);
            }
            Err(err) => {
                let text = report_failure(&err);
                eprintln!("error: the site does not build yet; fix the errors above and it will be served");
                self.app.replace(Snapshot {
                    files: Arc::new(HashMap::new()),
                    version: "none".into(),
                    error: Some(text.into()),
                });
            }
        }
    }

    fn start_index(&self, job: Option<IndexJob>) {
        if let Some(job) = job {
            if self.indexer.send(job).is_err() {
                eprintln!("warning: the search index thread stopped; search shows the last index");
            }
        }
    }

    /// Waits for changes, lets them settle for [`DEBOUNCE`], rebuilds; serves indexes as they
    /// land; until told to stop.
    fn watch_loop(
        mut self,
        messages: mpsc::Receiver<RebuildMessage>,
        watched: &Mutex<Option<WatchSet>>,
        root: &Path,
    ) {
        loop {
            let mut changed = BTreeSet::new();
            match messages.recv() {
                Ok(RebuildMessage::Fs(event)) => {
                    collect_changes(root, event, &mut changed);
                }
                Ok(RebuildMessage::Index(result)) => self.index_landed(result),
                Ok(RebuildMessage::Stop) | Err(_) => return,
            }
            if changed.is_empty() {
                continue;
            }
            let mut quiet_from = Instant::now() + DEBOUNCE;
            loop {
                let now = Instant::now();
                if now >= quiet_from {
                    break;
                }
                match messages.recv_timeout(quiet_from - now) {
                    Ok(RebuildMessage::Fs(event)) => {
                        if collect_changes(root, event, &mut changed) {
                            quiet_from = Instant::now() + DEBOUNCE;
                        }
                    }
                    Ok(RebuildMessage::Index(result)) => self.index_landed(result),
                    Ok(RebuildMessage::Stop) => return,
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            if let Some(set) = watched.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                set.watch_new_dirs();
            }
            self.rebuild(&changed);
        }
    }

    fn rebuild(&mut self, changed: &BTreeSet<String>) {
        let app = self.app.clone();
        let summary = summarize_changes(changed);
        let started = Instant::now();
        let result = self.builder.rebuild(changed);
        let current = app.snapshot();
        match result {
            Ok(outcome) => {
                let warnings: Vec<String> =
                    outcome.warnings.iter().map(ToString::to_string).collect();
                if warnings != self.last_warnings {
                    print_diagnostics(&outcome.warnings);
                    self.last_warnings = warnings;
                }
                let indexing = outcome.index.is_some();
                self.start_index(outcome.index);
                if current.error.is_none() && outcome.changed.is_empty() {
                    let ms = started.elapsed().as_millis();
                    if indexing {
                        println!("{summary}: no change to the pages; updating the search index ({ms} ms)");
                    } else {
                        println!("{summary}: no change to the site ({ms} ms)");
                    }
                    return;
                }
                let version = self.next_version();
                app.replace(Snapshot {
                    files: self.builder.files().unwrap_or_default(),
                    version: version.clone(),
                    error: None,
                });
                // From the rebuild's start (after the debounce) to the new pages being served.
                let ms = started.elapsed().as_millis();
                let _ = app.events.send(LiveEvent::Reload { version });
                let fixed = if current.error.is_some() {
                    "; the errors are fixed"
                } else {
                    ""
                };
                let index = if indexing {
                    "; updating the search index"
                } else {
                    ""
                };
                println!(
                    "{summary}: rebuilt {} pages in {ms} ms ({} in the site, {} file{} read){index}{fixed}",
                    outcome.rendered,
                    outcome.pages,
                    outcome.reloaded,
                    if outcome.reloaded == 1 { "" } else { "s" },
                );
            }
            Err(err) => {
                let text: Arc<str> = report_failure(&err).into();
                eprintln!("{summary}: error: the site does not build; still serving the last good version");
                app.replace(Snapshot {
                    files: current.files.clone(),
                    version: current.version.clone(),
                    error: Some(text.clone()),
                });
                let _ = app.events.send(LiveEvent::Error { text });
            }
        }
    }

    /// A search index built in the background: served if it is still the one wanted, and the
    /// tabs showing the pages that link it reload.
    fn index_landed(&mut self, result: IndexResult) {
        let ms = result.elapsed.as_millis();
        match self.builder.apply_index(result) {
            Ok(changed) if changed.is_empty() => {}
            Ok(changed) => {
                let app = self.app.clone();
                let current = app.snapshot();
                let version = self.next_version();
                app.replace(Snapshot {
                    files: self.builder.files().unwrap_or_default(),
                    version: version.clone(),
                    error: current.error.clone(),
                });
                let paths: Vec<String> = changed
                    .iter()
                    .map(|path| url_path(&app.base_path, path))
                    .collect();
                let _ = app.events.send(LiveEvent::Update {
                    version,
                    paths: paths.into(),
                });
                println!("search index updated in {ms} ms");
            }
            Err(d) => {
                eprintln!("{d}\n");
                eprintln!("error: the search index was not rebuilt; search uses the previous one");
            }
        }
    }
}

/// The URL path of an output file: `http-codes/504/index.html` → `/http-codes/504/` (the plan
/// stage's URL scheme, backwards).
fn url_path(base_path: &str, path: &str) -> String {
    format!("{base_path}{}", plan::url_of_output(path))
}

/// Prints diagnostics like `build` does (errors last, so they stay on screen).
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let color = crate::diagnostic::stderr_color();
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in sorted {
        eprintln!("{}\n", d.render(color));
    }
}

/// Prints a failed build's diagnostics and returns the text for the browser overlay (errors
/// first there, since the top is what is seen).
fn report_failure(err: &BuildError) -> String {
    match err {
        BuildError::Input(diagnostics) => {
            print_diagnostics(diagnostics);
            let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
            sorted.sort_by_key(|d| d.severity);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let mut text = format!(
                "{errors} error{} in the site's input\n\n",
                if errors == 1 { "" } else { "s" }
            );
            for d in sorted {
                text.push_str(&d.to_string());
                text.push_str("\n\n");
            }
            text.trim_end().to_string()
        }
        other => {
            eprintln!("error: {other}");
            other.to_string()
        }
    }
}

/// Inserts the live-reload `<script>` before the last `</body>` (or at the end).
fn inject_script(html: &[u8], version: &str) -> Vec<u8> {
    let tag =
        format!("<script src=\"{SCRIPT_PATH}\" data-statusref-version=\"{version}\"></script>\n");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// This output file.
    File(String),
    /// A directory asked for without its slash, or the site root outside its base path.
    Redirect(String),
    /// Nothing, or a path that is refused.
    NotFound,
}

/// Maps a raw (still percent-encoded) request path to an output file of a site served under
/// `base_path` (`/` or `/ref/`); `exists` says whether an output path is in the site.
///
/// `/x/` is `x/index.html`; `/x` is the file `x`, or a redirect to `/x/` when only
/// `x/index.html` exists. Anything unsafe (see the module docs) is [`Resolved::NotFound`].
pub fn resolve(raw_path: &str, base_path: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let Some(rel) = raw_path.strip_prefix(base_path) else {
        if base_path != "/" && (raw_path == "/" || raw_path == base_path.trim_end_matches('/')) {
            return Resolved::Redirect(base_path.to_string());
        }
        return Resolved::NotFound;
    };
    let Some(key) = decode_path(rel) else {
        return Resolved::NotFound;
    };
    if key.is_empty() || key.ends_with('/') {
        let index = plan::output_path(&key);
        return if exists(&index) {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if exists(&key) {
        Resolved::File(key)
    } else if exists(&plan::output_path(&format!("{key}/"))) {
        Resolved::Redirect(format!("{raw_path}/"))
    } else {
        Resolved::NotFound
    }
}

/// Decodes a path relative to the base (`http-codes/504/`) into an output key, or `None` when
/// it is malformed or unsafe. A trailing `/` is kept; any other empty segment is refused.
fn decode_path(rel: &str) -> Option<String> {
    if rel.is_empty() {
        return Some(String::new());
    }
    let segments: Vec<&str> = rel.split('/').collect();
    let last = segments.len() - 1;
    let mut decoded = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            if i == last {
                decoded.push(String::new());
                continue;
            }
            return None;
        }
        let text = String::from_utf8(percent_decode(segment)?).ok()?;
        let drive = text.len() == 2
            && text.as_bytes()[0].is_ascii_alphabetic()
            && text.as_bytes()[1] == b':';
        if text == "."
            || text == ".."
            || drive
            || text.chars().any(|c| matches!(c, '/' | '\\' | '\0'))
        {
            return None;
        }
        decoded.push(text);
    }
    Some(decoded.join("/"))
}

/// `%XX` → byte, once; a `%` not followed by two hex digits makes the whole path invalid.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `Content-Type` for an output path, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "wasm" => "application/wasm",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

async fn serve_request(State(app): State<Arc<App>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let snapshot = app.snapshot();
    if snapshot.files.is_empty() {
        return error_page(&snapshot);
    }
    match resolve(uri.path(), &app.base_path, |key| {
        snapshot.files.contains_key(key)
    }) {
        Resolved::File(key) => match snapshot.files.get(&key) {
            Some(bytes) => site_file_response(StatusCode::OK, &key, bytes, &snapshot.version),
            None => not_found(&snapshot),
        },
        Resolved::Redirect(mut location) => {
            if let Some(query) = uri.query() {
                location.push('?');
                location.push_str(query);
            }
            match HeaderValue::try_from(location) {
                Ok(location) => (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, location)],
                )
                    .into_response(),
                Err(_) => not_found(&snapshot),
            }
        }
        Resolved::NotFound => not_found(&snapshot),
    }
}

/// A file of the site; HTML gets the live-reload script.
fn site_file_response(status: StatusCode, key: &str, bytes: &Bytes, version: &str) -> Response {
    if key.ends_with(".html") {
        file_response(status, key, Bytes::from(inject_script(bytes, version)))
    } else {
        file_response(status, key, bytes.clone())
    }
}

fn file_response(status: StatusCode, key: &str, bytes: Bytes) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, content_type(key))],
        Body::from(bytes),
    )
        .into_response()
}

/// The site's own `404.html`, with status 404.
fn not_found(snapshot: &Snapshot) -> Response {
    match snapshot.files.get("404.html") {
        Some(page) => {
            site_file_response(StatusCode::NOT_FOUND, "404.html", page, &snapshot.version)
        }
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "404 Not Found\n",
        )
            .into_response(),
    }
}

/// What every path answers before the site has built once: the errors, escaped.
fn error_page(snapshot: &Snapshot) -> Response {
    let text = snapshot
        .error
        .as_deref()
        .unwrap_or("the site has not been built yet");
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>statusref: build failed</title></head>\n<body><h1>The site does not build yet</h1>\n<p>Fix the errors below; this page reloads when the site builds.</p>\n<pre>{escaped}</pre>\n</body></html>\n"
    );
    let html = inject_script(html.as_bytes(), &snapshot.version);
    file_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "error.html",
        Bytes::from(html),
    )
}

async fn live_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        LIVE_JS,
    )
        .into_response()
}

/// The live-reload socket, for this server's own pages only (see the module documentation):
/// another origin's script gets `403`.
async fn live(
    ws: WebSocketUpgrade,
    headers: axum::http::HeaderMap,
    State(app): State<Arc<App>>,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let local = origin
            .to_str()
            .is_ok_and(|origin| is_local_origin(origin, app.port));
        if !local {
            return (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!(
                    "403 Forbidden: the live-reload socket answers only pages of http://127.0.0.1:{0}/, http://localhost:{0}/ and http://[::1]:{0}/\n",
                    app.port
                ),
            )
                .into_response();
        }
    }
    ws.on_upgrade(move |socket| live_socket(socket, app))
}

/// One tab's live channel: the current state first, then every event, until either side
/// closes or the server stops.
async fn live_socket(mut socket: WebSocket, app: Arc<App>) {
    let mut events = app.events.subscribe();
    let mut shutdown = app.shutdown.clone();
    let snapshot = app.snapshot();
    let mut greeting = vec![LiveEvent::Hello {
        version: snapshot.version.clone(),
    }];
    if let Some(text) = &snapshot.error {
        greeting.push(LiveEvent::Error { text: text.clone() });
    }
    for event in greeting {
        if socket.send(event.to_message()).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            event = events.recv() => {
                let event = match event {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(_)) => LiveEvent::Reload { version: app.snapshot().version.clone() },
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                if socket.send(event.to_message()).await.is_err() {
                    return;
                }
            }
            message = socket.recv() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
            () = async { let _ = shutdown.wait_for(|stopping| *stopping).await; } => break,
        }
    }
    let close = CloseFrame {
        code: 1001,
        reason: "server stopping".into(),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
}

/// The script every HTML page loads in `serve`: reloads on `reload`, shows errors in an overlay
/// (as text), and reconnects when the server restarts.
const LIVE_JS: &str = r##"// statusref serve: live reload (injected by the dev server only).
(() => {
  "use strict";
  const script = document.currentScript;
  const version = script ? script.dataset.statusrefVersion : "";
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__statusref/live";
  let overlay = null;
  // This page's path as the server names pages: `/x/index.html` is `/x/`.
  const here = () => {
    let path = location.pathname;
    try { path = decodeURIComponent(path); } catch { /* keep it encoded */ }
    return path.replace(/\/index\.html$/, "/");
  };
  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "statusref-error-overlay";
      overlay.setAttribute("role", "alert");
      Object.assign(overlay.style, {
        position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", boxSizing: "border-box",
        background: "rgba(24, 24, 27, 0.95)", color: "#f4f4f5", padding: "2rem",
        font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      });
      const title = document.createElement("p");
      title.textContent = "statusref: the last edit broke the build. Still showing the last good version; fix the file and this page reloads.";
      Object.assign(title.style, { margin: "0 0 1rem", color: "#fca5a5", fontWeight: "bold" });
      const pre = document.createElement("pre");
      Object.assign(pre.style, { margin: "0 0 1rem", whiteSpace: "pre-wrap" });
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Dismiss";
      close.addEventListener("click", () => { overlay.remove(); overlay = null; });
      overlay.append(title, pre, close);
    }
    overlay.querySelector("pre").textContent = text;
    if (!overlay.isConnected) document.body.appendChild(overlay);
  }
  function connect() {
    const socket = new WebSocket(url);
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type === "hello" && message.version !== version) location.reload();
      else if (message.type === "reload") location.reload();
      else if (message.type === "update" && Array.isArray(message.paths) && message.paths.includes(here())) location.reload();
      else if (message.type === "error") showError(message.text);
    });
    socket.addEventListener("close", () => setTimeout(connect, 1000));
  }
  connect();
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn site(key: &str) -> bool {
        [
            "index.html",
            "404.html",
            "http-codes/index.html",
            "http-codes/504/index.html",
            "assets/site.css",
        ]
        .contains(&key)
    }

    #[test]
    fn directories_serve_their_index_and_redirect_without_slash() {
        assert_eq!(resolve("/", "/", site), Resolved::File("index.html".into()));
        assert_eq!(
            resolve("/http-codes/504/", "/", site),
            Resolved::File("http-codes/504/index.html".into())
        );
        assert_eq!(
            resolve("/http-codes/504", "/", site),
            Resolved::Redirect("/http-codes/504/".into())
        );
        assert_eq!(
            resolve("/assets/site.css", "/", site),
            Resolved::File("assets/site.css".into())
        );
        assert_eq!(
            resolve("/assets/site%2ecss", "/", site),
            Resolved::File("assets/site.css".into())
        );
        assert_eq!(resolve("/nope/", "/", site), Resolved::NotFound);
        assert_eq!(resolve("/assets/site.css/", "/", site), Resolved::NotFound);
    }

    #[test]
    fn a_base_path_prefixes_everything() {
        assert_eq!(
            resolve("/ref/http-codes/504/", "/ref/", site),
            Resolved::File("http-codes/504/index.html".into())
        );
        assert_eq!(
            resolve("/", "/ref/", site),
            Resolved::Redirect("/ref/".into())
        );
        assert_eq!(
            resolve("/ref", "/ref/", site),
            Resolved::Redirect("/ref/".into())
        );
        assert_eq!(
            resolve("/http-codes/504/", "/ref/", site),
            Resolved::NotFound
        );
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        let everything = |_: &str| true;
        for path in [
            "/../Cargo.toml",
            "/%2e%2e/site.yaml",
            "/%2E%2E/site.yaml",
            "/assets/..%2f..%2fsite.yaml",
            "/assets/%2e%2e%2fsite.yaml",
            "/assets/%2fetc%2fpasswd",
            "//etc/passwd",
            "/a//b",
            "/./index.html",
            "/assets/..\\site.yaml",
            "/assets/%5c..%5csite.yaml",
            "/C:/Windows/win.ini",
            "/c%3a/x",
            "/index.html%00.css",
            "/bad%zzescape",
            "/trunc%2",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(path, "/", everything), Resolved::NotFound, "{path}");
        }
        // Decoded once only: `%252e` is the literal name `%2e`, not `.`.
        assert_eq!(
            resolve("/%252e%252e/x", "/", everything),
            Resolved::File("%2e%2e/x".into())
        );
    }

    #[test]
    fn only_the_servers_own_host_and_port_are_local() {
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LocalHost:1111",
            "[::1]:1111",
        ] {
            assert!(is_local_authority(ok, 1111), "{ok}");
        }
        for bad in [
            "127.0.0.1",
            "127.0.0.1:1112",
            "127.0.0.1:",
            "127.0.0.1:+1111",
            "127.0.0.1:01111x",
            "evil.example:1111",
            "localhost.:1111",
            "127.0.0.1.evil.example:1111",
            "[::1]",
            "[::1:1111",
            "[::2]:1111",
            "::1:1111",
            "",
        ] {
            assert!(!is_local_authority(bad, 1111), "{bad}");
        }
        assert!(is_local_authority("localhost", 80), "no port means 80");
        assert!(is_local_origin("http://localhost:1111", 1111));
        assert!(is_local_origin("http://[::1]:1111", 1111));
        for bad in [
            "null",
            "https://localhost:1111",
            "http://localhost:1112",
            "http://localhost",
            "http://evil.example:1111",
            "http://localhost:1111/",
        ] {
            assert!(!is_local_origin(bad, 1111), "{bad}");
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(
            content_type("http-codes/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type("assets/site.1234.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type("assets/search.1234.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("assets/search.1234.wasm"), "application/wasm");
        assert_eq!(content_type("codes.json"), "application/json");
        assert_eq!(
            content_type("http-codes/504/index.html.md"),
            "text/markdown; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("assets/favicon.svg"), "image/svg+xml");
        assert_eq!(
            content_type("assets/index.1234.bin"),
            "application/octet-stream"
        );
    }

    #[test]
    fn the_script_goes_before_the_last_body_end_tag() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject_script(html, "v1")).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><script src=\"/__statusref/live.js\" data-statusref-version=\"v1\"></script>\n</BODY>"), "{out}");
        let bare = String::from_utf8(inject_script(b"<p>x</p>", "v1")).unwrap();
        assert!(bare.starts_with("<p>x</p><script"), "{bare}");
    }

    #[test]
    fn output_paths_map_to_the_urls_tabs_show() {
        assert_eq!(url_path("/", "index.html"), "/");
        assert_eq!(url_path("/", "http-codes/index.html"), "/http-codes/");
        assert_eq!(url_path("/ref/", "guides/a/index.html"), "/ref/guides/a/");
        assert_eq!(
            url_path("/", "assets/index.0a1b2c3d4e.bin"),
            "/assets/index.0a1b2c3d4e.bin"
        );
        assert_eq!(url_path("/", "404.html"), "/404.html");
    }

    #[test]
    fn only_site_inputs_are_relevant() {
        let root = Path::new("/site");
        assert!(is_relevant(root, Path::new("/site/content/codes/504.md")));
        assert!(is_relevant(root, Path::new("/site/templates/base.html")));
        assert!(is_relevant(root, Path::new("/site/assets/site.css")));
        assert!(is_relevant(root, Path::new("/site/site.yaml")));
        assert!(is_relevant(root, Path::new("/site/content")));
        assert!(!is_relevant(root, Path::new("/site/public/index.html")));
        assert!(!is_relevant(
            root,
            Path::new("/site/content/codes/.504.md.swp")
        ));
        assert!(!is_relevant(root, Path::new("/site/content/codes/504.md~")));
        assert!(!is_relevant(root, Path::new("/site/README.md")));
        assert!(!is_relevant(root, Path::new("/elsewhere/content/x.md")));
    }
}
