//! What `build` and `check` print: the summary by default, nothing but errors with `-q`, stage
//! timings with `-v`; diagnostics in colour only on a terminal and never with `NO_COLOR`.
//!
//! (The progress bar needs a terminal; off one, as here, it must leave no trace.)

mod util;

use std::path::Path;
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs statusref with `NO_COLOR` as given (`None`: unset); stdout and stderr are pipes.
fn run(args: &[&str], no_color: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_statusref"));
    command.args(args).env_remove("NO_COLOR");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    command.output().expect("run statusref")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A copy of `valid/small` (which has one warning: a misspelt front-matter key) with a broken
/// link added: one error, one warning.
fn site_with_an_error_and_a_warning() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = util::site_from_fixture("valid/small");
    let page = root.join("content/codes/502.md");
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str("\nSee [nowhere](/no/such/page/).\n");
    std::fs::write(&page, text).unwrap();
    (dir, root)
}

fn has_ansi(text: &str) -> bool {
    text.contains('\u{1b}')
}

#[test]
fn by_default_build_prints_warnings_and_the_summary_line() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("out");
    let out = util::build(&root, &output, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("built ") && lines[0].contains(" with 1 warning into "),
        "{stdout}"
    );
    assert!(!stdout.contains("stages:"), "{stdout}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: unknown front-matter key `descripton`"),
        "{stderr}"
    );
}

#[test]
fn quiet_build_and_check_print_nothing_on_success() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("out");
    for args in [
        vec![
            "-q",
            "build",
            "--root",
            path(&root),
            "--output",
            path(&output),
        ],
        vec![
            "build",
            "--quiet",
            "--root",
            path(&root),
            "--output",
            path(&output),
        ],
        vec!["check", "-q", "--root", path(&root)],
    ] {
        let out = util::statusref(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "", "{args:?}: stdout");
        assert_eq!(text(&out.stderr), "", "{args:?}: stderr (the warning too)");
    }
    assert!(output.join("index.html").exists(), "-q still builds");
}

#[test]
fn quiet_prints_only_the_errors_of_a_failed_build() {
    let (dir, root) = site_with_an_error_and_a_warning();
    let output = dir.path().join("out");
    let loud = util::build(&root, &output, &[]);
    let quiet = util::build(&root, &output, &["-q"]);
    assert_eq!(loud.status.code(), Some(1));
    assert_eq!(quiet.status.code(), Some(1));
    let loud = text(&loud.stderr);
    let quiet = text(&quiet.stderr);
    assert!(loud.contains("warning: unknown front-matter key"), "{loud}");
    // The warning itself is left out; the last line still counts it.
    assert!(!quiet.contains("warning:"), "{quiet}");
    assert!(!quiet.contains("descripton"), "{quiet}");
    for stderr in [&loud, &quiet] {
        assert!(
            stderr.contains("error: link to /no/such/page/: no page has that URL"),
            "{stderr}"
        );
        assert!(stderr.contains("--> content/codes/502.md:"), "{stderr}");
        assert!(stderr.contains("= help: "), "{stderr}");
        assert!(
            stderr
                .ends_with("error: build failed with 1 error and 1 warning; nothing was written\n"),
            "{stderr}"
        );
    }
}

#[test]
fn verbose_prints_each_stage_timing_before_the_summary() {
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("out");
    let out = util::build(&root, &output, &["-v"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_stage_timings(lines[0], &["load", "markdown", "index", "render", "write"]);
    assert!(lines[1].starts_with("built "), "{stdout}");

    let out = util::statusref(&["check", "--verbose", "--root", path(&root)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_stage_timings(lines[0], &["load", "markdown", "index", "render"]);
    assert!(lines[1].starts_with("checked "), "{stdout}");
}

/// `stages: load 12 ms, markdown 3 ms, …` with exactly `names`, in order.
fn assert_stage_timings(line: &str, names: &[&str]) {
    let list = line
        .strip_prefix("stages: ")
        .unwrap_or_else(|| panic!("no stage timings in {line:?}"));
    let stages: Vec<&str> = list.split(", ").collect();
    assert_eq!(stages.len(), names.len(), "{line}");
    for (stage, name) in stages.iter().zip(names) {
        let ms = stage
            .strip_prefix(&format!("{name} "))
            .and_then(|rest| rest.strip_suffix(" ms"))
            .unwrap_or_else(|| panic!("want `{name} N ms`, got {stage:?} in {line:?}"));
        assert!(ms.parse::<u64>().is_ok(), "{stage:?} in {line:?}");
    }
}

#[test]
fn quiet_and_verbose_together_are_a_usage_error() {
    let out = util::statusref(&["-q", "-v", "check"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn quiet_new_prints_nothing() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let out = util::statusref(&["new", "-q", "418", "--root", path(&root)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "");
    assert!(root.join("content/codes/418.md").exists());
}

#[test]
fn no_colour_off_a_terminal_or_with_no_color() {
    let (dir, root) = site_with_an_error_and_a_warning();
    let output = dir.path().join("out");
    let args = ["build", "--root", path(&root), "--output", path(&output)];
    // stderr is a pipe here: plain text whatever NO_COLOR says, and the same text each time.
    let mut seen = Vec::new();
    for no_color in [None, Some(""), Some("1")] {
        let out = run(&args, no_color);
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("error: link to /no/such/page/"), "{stderr}");
        assert!(!has_ansi(&stderr), "NO_COLOR={no_color:?}: {stderr:?}");
        assert!(!has_ansi(&text(&out.stdout)));
        seen.push(stderr);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:#?}");
    // And a successful build with warnings: no escapes, no progress bar remnants.
    let (dir, root) = util::site_from_fixture("valid/small");
    let output = dir.path().join("out");
    let out = run(
        &[
            "build",
            "-v",
            "--root",
            path(&root),
            "--output",
            path(&output),
        ],
        None,
    );
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("warning: "), "{stderr}");
    assert!(!has_ansi(&stderr) && !stderr.contains('\r'), "{stderr:?}");
}
