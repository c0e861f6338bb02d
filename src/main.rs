//! The `statusref` command line: build, check, serve and search a status code reference site,
//! and start new code pages.
//!
//! Exit codes: 0 success, 1 content/template/config errors (or a failed write), 2 usage.
//!
//! Diagnostics go to stderr, coloured only when stderr is a terminal and `NO_COLOR` is unset;
//! `build` and `check` show a progress line there too (terminal only, after a second), and end
//! with a one-line summary on stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{mpsc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use statusref::{render_message, stderr_color};
use statusref::{BuildError, BuildOptions, Diagnostic, Severity, Stage};

/// mimalloc rather than glibc's malloc: a build allocates millions of small strings on every
/// core (tokens, stems, rendered pages); glibc spent ~14% of a 10,000-page build's CPU in
/// malloc, free and their arena locks, and its per-thread arenas fragment.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// statusref: builds an HTTP status code reference site with tantivy search in the browser.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Print only errors: no warnings, no progress, no summary line (build, check, new)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print how long each stage took: load, markdown, index, render, write (build, check)
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// How much to print, and how.
#[derive(Clone, Copy)]
struct Output {
    /// `-q`: errors only.
    quiet: bool,
    /// `-v`: stage timings.
    verbose: bool,
    /// ANSI colours on stderr.
    color: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output directory (replaced only if the whole build succeeds).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output directory [default: <root>/public]
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Replace the output directory even if it is not empty and was not written by
        /// statusref (it has no .statusref-build file). Never a file, nor a source path.
        #[arg(long)]
        force: bool,
        /// Replace a built site even when the content has no pages
        #[arg(long)]
        allow_empty: bool,
        /// Also write .br and .gz siblings of every HTML page, for hosts that serve
        /// precompressed files (assets always get them)
        #[arg(long)]
        precompress_html: bool,
    },
    /// Check content, links and templates without writing anything; exit 1 on errors.
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Serve the site on 127.0.0.1 from memory, rebuilding and reloading open tabs on every edit.
    ///
    /// Watches content/, templates/, assets/ and site.yaml. Nothing is written to disk. Without
    /// --base-url the site is built for the local URL, whatever site.yaml says.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Port on 127.0.0.1; 0 picks a free one (the printed URL names it)
        #[arg(long, default_value_t = statusref::DEFAULT_PORT)]
        port: u16,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
    },
    /// Start a page: write content/codes/NNN.md with front matter from the built-in code list.
    ///
    /// Never overwrites an existing page.
    New {
        /// The status code, 100 to 599
        #[arg(value_name = "NNN", value_parser = clap::value_parser!(u16).range(100..=599))]
        code: u16,
        /// Site root holding content/
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// Page title, e.g. "418 I'm a teapot" [default: the code's name from the list]
        #[arg(long)]
        title: Option<String>,
    },
    /// Search a built site's index with the same code the browser runs.
    Search {
        /// Built site to search
        #[arg(long, value_name = "DIR", default_value = "public")]
        output: PathBuf,
        /// Maximum number of results, 1 to 1000
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=MAX_SEARCH_LIMIT))]
        limit: u16,
        /// Print a JSON array of results (code, title, url, score, …)
        #[arg(long)]
        json: bool,
        /// The query: `504`, `52x`, `5xx`, `gateway timeout`, `class:4xx vendor:nginx`, …
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
}

/// Most results `statusref search --limit` asks for: more than any site has codes, and a
/// bound on what the collector allocates.
const MAX_SEARCH_LIMIT: i64 = 1000;

/// `--base-url`: refused as a usage error (exit 2) unless it is an absolute http(s) URL or a
/// path starting with a single `/`.
fn base_url_arg(value: &str) -> std::result::Result<String, String> {
    statusref::check_base_url_flag(value).map(|()| value.to_string())
}

#[derive(clap::Args)]
struct SiteArgs {
    /// Site root holding content/, and optionally templates/, assets/ and site.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Deployment URL, e.g. https://example.org/ref/ or /ref/ (overrides site.yaml's base_url)
    #[arg(long, value_name = "URL", value_parser = base_url_arg)]
    base_url: Option<String>,
    /// Include pages marked `draft: true`
    #[arg(long)]
    drafts: bool,
}

impl SiteArgs {
    fn options(&self, output: Option<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            output,
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            force: false,
            allow_empty: false,
            precompress_html: false,
        }
    }
}

/// Transparent huge pages off for `build` and `check`: a build's heap is many small,
/// short-lived allocations, and with THP each first touch zeroes a whole 2 MB page (a quarter
/// of a 10,000-page build's CPU samples were in `clear_page_erms`). On 10,000 plain pages, two
/// runs of 7 interleaved rounds: median 1.78 -> 1.70 s and 1.92 -> 1.77 s. With THP off,
/// keeping mimalloc's freed pages from being returned to the OS no longer pays (1.85 against
/// 1.79 s, 50 MB more RSS), so mimalloc's defaults stay. Measured again later, THP's effect
/// follows the host's memory more than the build: on a fresh host it won on the plain and
/// rich corpora (1.93 -> 1.80 s, 1.90 -> 1.71 s), then lost on plain (2.07 -> 2.26 s) once the
/// page cache was full, and on the 217 MB real corpus it doubled the system time (1.6-1.8 ->
/// 2.9-3.7 s: compaction to find 2 MB pages), +1 s of wall time. Off is the predictable
/// choice. An explicit `MIMALLOC_ALLOW_THP` leaves the process as it is. `serve` lives on and
/// keeps the kernel's default.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process's memory map; a
    // failure (an old kernel) leaves THP as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

/// Rayon's global pool (markdown, page rendering, compression) at the lowest priority for
/// `build` and `check`. While the pages render, the search index is written at the same time
/// by one tantivy thread fed by its own analysis threads (search/src/bundle.rs): that writer
/// is the build's critical path, and at equal priority the render threads took half its core.
/// Lowered, they take every cycle the writer leaves, and the pages are still done before it.
/// Within one process (and, with the kernel's autogroup, one session) this only orders the
/// build's own threads. Plain 10,000 pages, 7 interleaved rounds: median 2.17 -> 1.96 s.
#[cfg(target_os = "linux")]
fn writer_first() {
    // A pool already built (never, this early in main) keeps its priority.
    let _ = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("statusref-worker-{i}"))
        .start_handler(|_| {
            // SAFETY: setpriority on this thread's own id; raising one's niceness needs no
            // privilege, and a failure leaves the thread as it was.
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19);
            }
        })
        .build_global();
}

#[cfg(not(target_os = "linux"))]
fn writer_first() {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Build { .. } | Command::Check { .. }) {
        no_huge_pages();
        writer_first();
    }
    let out = Output {
        quiet: cli.quiet,
        verbose: cli.verbose,
        color: stderr_color(),
    };
    let result = match cli.command {
        Command::Build {
            site,
            output,
            force,
            allow_empty,
            precompress_html,
        } => {
            let mut options = site.options(output);
            options.force = force;
            options.allow_empty = allow_empty;
            options.precompress_html = precompress_html;
            build(&options, out)
        }
        Command::Check { site } => check(&site.options(None), out),
        Command::Serve { site, port, open } => serve(site.options(None), port, open),
        Command::New { code, root, title } => new(&root, code, title.as_deref(), out),
        Command::Search {
            output,
            limit,
            json,
            query,
        } => search(&output, usize::from(limit), json, &query.join(" ")),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            print_error(out, &format!("{err:#}"), None, None);
            ExitCode::from(1)
        }
    }
}

/// `error: message` on stderr, rendered like the diagnostics.
fn print_error(out: Output, message: &str, note: Option<&str>, help: Option<&str>) {
    eprintln!(
        "{}",
        render_message(Severity::Error, message, note, help, out.color)
    );
}

/// Diagnostics on stderr, errors last so they are what stays on screen; warnings are left out
/// with `-q`.
fn print_diagnostics(diagnostics: &[Diagnostic], out: Output) {
    let mut sorted: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !out.quiet)
        .collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in sorted {
        eprintln!("{}\n", d.render(out.color));
    }
}

fn report_failure(err: BuildError, out: Output) -> ExitCode {
    match err {
        BuildError::Input(diagnostics) => {
            print_diagnostics(&diagnostics, out);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            let message = format!(
                "build failed with {errors} error{} and {warnings} warning{}; nothing was written",
                plural(errors),
                plural(warnings)
            );
            print_error(out, &message, None, None);
            ExitCode::from(1)
        }
        BuildError::Usage(refusal) => {
            print_error(out, &refusal.message, None, Some(&refusal.help));
            ExitCode::from(2)
        }
        BuildError::Write(e) => {
            let note = "the previous output was left in place";
            print_error(out, &e.to_string(), Some(note), None);
            ExitCode::from(1)
        }
    }
}

/// Shown once a build has run this long (and only on a terminal): quick builds stay quiet.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

/// A build's progress: a spinner on stderr naming the current stage, and each stage's start
/// time for `-v`. The spinner appears only when stderr is a terminal, not with `-q`, and only
/// once the build has taken [`PROGRESS_DELAY`].
struct Progress {
    bar: ProgressBar,
    started: Mutex<Vec<(Stage, Instant)>>,
    /// Dropping the sender tells the thread that would show the bar that the build is over.
    reveal: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// `stages`: how many [`Stage`]s the run goes through (the bar's length).
    fn new(stages: u64, out: Output) -> Self {
        use std::io::IsTerminal;
        let bar = ProgressBar::with_draw_target(Some(stages), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg}") {
            bar.set_style(style);
        }
        let reveal = (!out.quiet && std::io::stderr().is_terminal()).then(|| {
            let (done, wait) = mpsc::channel::<()>();
            let bar = bar.clone();
            let thread = std::thread::spawn(move || {
                if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(PROGRESS_DELAY) {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(100));
                }
            });
            (done, thread)
        });
        Progress {
            bar,
            started: Mutex::new(Vec::new()),
            reveal,
        }
    }

    /// The library's progress hook.
    fn stage(&self, stage: Stage) {
        let mut started = self.started.lock().unwrap_or_else(PoisonError::into_inner);
        started.push((stage, Instant::now()));
        self.bar.set_position(started.len() as u64 - 1);
        self.bar.set_message(match stage {
            Stage::Load => "loading the site".to_string(),
            Stage::Markdown { pages } => format!("rendering the markdown of {pages} pages"),
            Stage::Index { pages } => format!("indexing {pages} pages"),
            Stage::Render { pages } => format!("rendering {pages} pages"),
            Stage::Write { files } => format!("writing {files} files"),
            _ => stage.name().to_string(),
        });
    }

    /// Clears the bar; returns how long each stage took (until the next began, or until now).
    fn finish(mut self) -> Vec<(&'static str, Duration)> {
        if let Some((done, thread)) = self.reveal.take() {
            drop(done);
            // The thread only waits for `done` and sets up the bar; it cannot panic.
            let _ = thread.join();
        }
        self.bar.finish_and_clear();
        let now = Instant::now();
        let started = self
            .started
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        started
            .iter()
            .enumerate()
            .map(|(i, (stage, at))| {
                let end = started.get(i + 1).map_or(now, |next| next.1);
                (stage.name(), end.duration_since(*at))
            })
            .collect()
    }
}

/// `load 12 ms, markdown 30 ms, …`
fn format_timings(timings: &[(&str, Duration)]) -> String {
    timings
        .iter()
        .map(|(name, took)| format!("{name} {} ms", took.as_millis()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn build(options: &BuildOptions, out: Output) -> Result<ExitCode> {
    let progress = Progress::new(5, out);
    let result = statusref::build_with_progress(options, &|stage| progress.stage(stage));
    let timings = progress.finish();
    match result {
        Ok(report) => {
            print_diagnostics(&report.warnings, out);
            if out.quiet {
                return Ok(ExitCode::SUCCESS);
            }
            if out.verbose {
                println!("stages: {}", format_timings(&timings));
            }
            println!(
                "built {} pages ({} code{}{}, {} guide{}) with {} warning{} into {} ({}) in {:.2} s",
                report.pages,
                report.codes,
                plural(report.codes),
                family_entries(report.entries),
                report.guides,
                plural(report.guides),
                report.warnings.len(),
                plural(report.warnings.len()),
                report.output.display(),
                human_bytes(report.bytes),
                report.elapsed.as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Ok(report_failure(err, out)),
    }
}

/// `", 48 family entries"` for the summary lines; nothing for a site without families.
fn family_entries(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ", 1 family entry".into(),
        n => format!(", {n} family entries"),
    }
}

fn check(options: &BuildOptions, out: Output) -> Result<ExitCode> {
    let progress = Progress::new(4, out);
    let result = statusref::render_site_with_progress(options, &|stage| progress.stage(stage));
    let timings = progress.finish();
    match result {
        Ok(rendered) => {
            print_diagnostics(&rendered.warnings, out);
            if out.quiet {
                return Ok(ExitCode::SUCCESS);
            }
            if out.verbose {
                println!("stages: {}", format_timings(&timings));
            }
            println!(
                "checked {} codes{} and {} guides: no errors, {} warning{}",
                rendered.site.codes.len(),
                family_entries(rendered.site.entries.len()),
                rendered.site.guides().count(),
                rendered.warnings.len(),
                plural(rendered.warnings.len())
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Ok(report_failure(err, out)),
    }
}

fn serve(build: BuildOptions, port: u16, open: bool) -> Result<ExitCode> {
    statusref::serve(statusref::ServeOptions { build, port, open })?;
    Ok(ExitCode::SUCCESS)
}

fn new(root: &Path, code: u16, title: Option<&str>, out: Output) -> Result<ExitCode> {
    use statusref::{new_page, NewError};
    match new_page(root, code, title) {
        Ok(_) if out.quiet => Ok(ExitCode::SUCCESS),
        Ok(page) => {
            println!("wrote {} ({})", page.path.display(), page.title);
            if !page.known {
                println!("{code} is not in the built-in code list: fill in the title, source and spec_url");
            }
            println!("next: replace the TODOs, then run `statusref check`");
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ NewError::Exists(_)) => {
            let help = "edit that file, or delete it to start over";
            print_error(out, &err.to_string(), None, Some(help));
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err.into()),
    }
}

fn search(output: &Path, limit: usize, json: bool, query: &str) -> Result<ExitCode> {
    let bundle_path = find_bundle(output)?;
    let bytes = std::fs::read(&bundle_path)
        .with_context(|| format!("reading {}", bundle_path.display()))?;
    let index = if statusref_search::chunks::is_split(&bytes) {
        // A built site's index: the head plus every chunk, read from assets/index/.
        let dir = bundle_path.parent().unwrap_or(Path::new("."));
        statusref_search::open_split_with(bytes, |name| {
            let path = dir.join(statusref_search::chunks::chunk_path(name));
            std::fs::read(&path).map_err(statusref_search::Error::Io)
        })
    } else {
        statusref_search::SearchIndex::open(bytes)
    }
    .with_context(|| format!("opening the search index {}", bundle_path.display()))?;
    let hits = index.search(query, limit).context("searching")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else if hits.is_empty() {
        println!("no results for {query:?}");
    } else {
        for hit in &hits {
            // A family entry reads "Cloudflare error · HTTP 403", as in the browser.
            let badge = match (&hit.family, hit.http_status) {
                (Some(family), Some(status)) => format!("{family} · HTTP {status}"),
                (Some(family), None) => format!("{family} · no HTTP response"),
                (None, _) => hit.badge.clone(),
            };
            println!(
                "{:>7.2}  {:<40} {:<12} {}",
                hit.score, hit.title, badge, hit.url
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `assets/index.<hash>.bin` of a built site.
fn find_bundle(output: &Path) -> Result<PathBuf> {
    let assets = output.join("assets");
    let entries = std::fs::read_dir(&assets).with_context(|| {
        format!(
            "{} has no built site (run `statusref build` first, or pass --output)",
            output.display()
        )
    })?;
    let mut bundles: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("index.") && name.ends_with(".bin")
        })
        .collect();
    bundles.sort();
    match bundles.len() {
        0 => bail!(
            "no search index (assets/index.*.bin) in {}; run `statusref build` first",
            output.display()
        ),
        1 => Ok(bundles.remove(0)),
        _ => bail!(
            "several search indexes in {}; rebuild the site",
            assets.display()
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
