//! The `statusref` command line: build, check, serve and search a status code reference site,
//! and start new code pages.
//!
//! Exit codes: 0 success, 1 content/template/config errors (or a failed write), 2 usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use statusref::{BuildError, BuildOptions, Diagnostic};

/// statusref: builds an HTTP status code reference site with tantivy search in the browser.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        #[arg(long, default_value_t = statusref::serve::DEFAULT_PORT)]
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
        /// Built site to search [default: public]
        #[arg(long, value_name = "DIR", default_value = "public")]
        output: PathBuf,
        /// Maximum number of results
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print a JSON array of results (code, title, url, score, …)
        #[arg(long)]
        json: bool,
        /// The query: `504`, `52x`, `5xx`, `gateway timeout`, `class:4xx vendor:nginx`, …
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
}

#[derive(clap::Args)]
struct SiteArgs {
    /// Site root holding content/, and optionally templates/, assets/ and site.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Deployment URL, e.g. https://example.org/ref/ (overrides site.yaml's base_url)
    #[arg(long, value_name = "URL")]
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
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { site, output } => build(&site.options(output)),
        Command::Check { site } => check(&site.options(None)),
        Command::Serve { site, port, open } => serve(site.options(None), port, open),
        Command::New { code, root, title } => new(&root, code, title.as_deref()),
        Command::Search {
            output,
            limit,
            json,
            query,
        } => search(&output, limit, json, &query.join(" ")),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    // Errors last, so they are what stays on screen.
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in sorted {
        eprintln!("{d}\n");
    }
}

fn report_failure(err: BuildError) -> ExitCode {
    match err {
        BuildError::Input(diagnostics) => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            eprintln!(
                "error: build failed with {errors} error{} and {warnings} warning{}; nothing was written",
                plural(errors),
                plural(warnings)
            );
            ExitCode::from(1)
        }
        BuildError::Usage(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        BuildError::Write(e) => {
            eprintln!("error: {e}\n  = note: the previous output was left in place");
            ExitCode::from(1)
        }
    }
}

fn build(options: &BuildOptions) -> Result<ExitCode> {
    match statusref::build(options) {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            println!(
                "built {} pages ({} code{}, {} guide{}) with {} warning{} into {} ({}) in {:.2} s",
                report.pages,
                report.codes,
                plural(report.codes),
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
        Err(err) => Ok(report_failure(err)),
    }
}

fn check(options: &BuildOptions) -> Result<ExitCode> {
    match statusref::render_site(options) {
        Ok(rendered) => {
            print_diagnostics(&rendered.warnings);
            println!(
                "checked {} codes and {} guides: no errors, {} warning{}",
                rendered.site.codes.len(),
                rendered.site.guides().count(),
                rendered.warnings.len(),
                plural(rendered.warnings.len())
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Ok(report_failure(err)),
    }
}

fn serve(build: BuildOptions, port: u16, open: bool) -> Result<ExitCode> {
    statusref::serve::run(statusref::serve::ServeOptions { build, port, open })?;
    Ok(ExitCode::SUCCESS)
}

fn new(root: &Path, code: u16, title: Option<&str>) -> Result<ExitCode> {
    use statusref::scaffold::{new_page, NewError};
    match new_page(root, code, title) {
        Ok(page) => {
            println!("wrote {} ({})", page.path.display(), page.title);
            if !page.known {
                println!("{code} is not in the built-in code list: fill in the title, source and spec_url");
            }
            println!("next: replace the TODOs, then run `statusref check`");
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ NewError::Exists(_)) => {
            eprintln!("error: {err}\n  = help: edit that file, or delete it to start over");
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err.into()),
    }
}

fn search(output: &Path, limit: usize, json: bool, query: &str) -> Result<ExitCode> {
    let bundle_path = find_bundle(output)?;
    let bytes = std::fs::read(&bundle_path)
        .with_context(|| format!("reading {}", bundle_path.display()))?;
    let index = statusref_search::SearchIndex::open(bytes)
        .with_context(|| format!("opening the search index {}", bundle_path.display()))?;
    let hits = index.search(query, limit).context("searching")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else if hits.is_empty() {
        println!("no results for {query:?}");
    } else {
        for hit in &hits {
            println!(
                "{:>7.2}  {:<40} {:<12} {}",
                hit.score, hit.title, hit.badge, hit.url
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
