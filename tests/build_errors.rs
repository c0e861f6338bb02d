//! Every bad input gets exit 1, a located message with a fix, and an untouched previous site.
//!
//! Each directory under `tests/fixtures/invalid/` is a site with one fault and the exact
//! stderr it must produce in `expected.stderr` (`[ROOT]` stands for the temp site root).
//! `STATUSREF_BLESS=1 cargo test --test build_errors` rewrites the expectations; read the diff.

mod util;

use std::path::Path;

fn invalid_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(util::fixture("invalid"))
        .expect("fixtures/invalid")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

/// An earlier build's output (with the marker every build writes, so the next build may
/// replace it).
fn previous_site(output: &Path) {
    std::fs::create_dir_all(output.join("http-codes/504")).unwrap();
    std::fs::write(
        output.join(statusref::internals::output::MARKER),
        statusref::internals::output::MARKER_TEXT,
    )
    .unwrap();
    std::fs::write(output.join("index.html"), "previous build").unwrap();
    std::fs::write(output.join("http-codes/504/index.html"), "previous 504").unwrap();
}

#[test]
fn every_invalid_fixture_fails_with_its_exact_message_and_keeps_the_previous_site() {
    let bless = std::env::var_os("STATUSREF_BLESS").is_some();
    // Blessing rewrites the expectations and so cannot fail on them: never under CI.
    assert!(
        !(bless && util::under_ci()),
        "STATUSREF_BLESS is set under CI: the expectations would be rewritten, not checked"
    );
    let mut failures = Vec::new();
    let cases = invalid_cases();
    assert!(
        cases.len() >= 15,
        "expected the invalid fixtures, found {cases:?}"
    );
    for case in &cases {
        let (dir, root) = util::site_from_fixture(&format!("invalid/{case}"));
        let output = dir.path().join("public");
        previous_site(&output);
        let before = util::snapshot(&output);
        let out = util::build(&root, &output, &[]);
        let stderr = util::redact(&String::from_utf8_lossy(&out.stderr), &root);
        let expected_path = util::fixture(&format!("invalid/{case}/expected.stderr"));
        if bless {
            std::fs::write(&expected_path, &stderr).unwrap();
        }
        let expected = match std::fs::read_to_string(&expected_path) {
            Ok(expected) => expected,
            Err(e) => {
                failures.push(format!(
                    "{case}: {e} reading expected.stderr (bless with STATUSREF_BLESS=1)\n{stderr}"
                ));
                continue;
            }
        };
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{case}: exit code {:?}, want 1\n{stderr}",
                out.status.code()
            ));
        }
        if stderr != expected {
            failures.push(format!(
                "{case}: stderr differs\n--- expected\n{expected}\n--- actual\n{stderr}"
            ));
        }
        // README: every error comes with a `help:` fix (the closing summary line aside).
        for block in error_blocks(&stderr) {
            if !block.contains("= help:") && !block.starts_with("error: build failed") {
                failures.push(format!("{case}: an error without a help line:\n{block}"));
            }
        }
        if stderr.contains("panicked") {
            failures.push(format!("{case}: panicked\n{stderr}"));
        }
        if util::snapshot(&output) != before {
            failures.push(format!("{case}: the previous output was modified"));
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        if !leftovers.is_empty() {
            failures.push(format!("{case}: staging left behind: {leftovers:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The `error…` blocks of rendered diagnostics: each runs from its `error` line to the next
/// `error`/`warning` line.
fn error_blocks(stderr: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut in_error = false;
    for line in stderr.lines() {
        if line.starts_with("error") {
            blocks.push(String::new());
            in_error = true;
        } else if line.starts_with("warning") {
            in_error = false;
        }
        if in_error {
            if let Some(block) = blocks.last_mut() {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

#[test]
fn error_blocks_split_where_diagnostics_start() {
    let blocks = error_blocks(
        "error: a\n  --> x\n   = help: h\nwarning: w\n   = help: w\nerror: b\nerror: build failed\n",
    );
    assert_eq!(
        blocks,
        [
            "error: a\n  --> x\n   = help: h\n",
            "error: b\n",
            "error: build failed\n"
        ]
    );
}

#[test]
fn a_failed_write_leaves_the_previous_site() {
    // The output's parent is a file: staging cannot be created, nothing changes.
    let (dir, root) = util::site_from_fixture("valid/seed");
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = util::build(&root, &blocker.join("public"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the previous output was left in place"),
        "{stderr}"
    );
}

#[test]
fn output_inside_content_or_at_the_root_is_a_usage_error() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    for output in [root.clone(), root.join("content")] {
        let out = util::build(&root, &output, &[]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(root.join("content/codes/524.md").exists());
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = util::statusref(&["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = util::statusref(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
