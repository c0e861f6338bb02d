//! Dated, sourced vendor numbers (`facts:` and `{{fact:…}}`) and the proxy-chain diagram,
//! through the real binary: what a page renders, and the staleness warning of `check`.

mod util;

use std::path::Path;
use std::process::{Command, Output};

const GUIDE: &str = "---
title: \"Timeouts\"
description: \"Which layer gives up first.\"
facts:
  cf_proxy_read_timeout:
    value: \"120 s\"
    source: \"https://developers.cloudflare.com/fundamentals/reference/connection-limits/\"
    checked: 2026-12-01
    label: \"Cloudflare proxy read timeout\"
---
# Timeouts

Cloudflare waits {{fact:cf_proxy_read_timeout}} for the origin, `{{fact:cf_proxy_read_timeout}}` in code stays.

{{diagram:proxy-chain highlight=cdn}}
";

fn site() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content/guides")).expect("mkdir");
    std::fs::write(root.join("content/guides/timeouts.md"), GUIDE).expect("write");
    (dir, root)
}

/// `statusref check` with "today" fixed.
fn check_on(root: &Path, today: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_statusref"))
        .args(["check", "--root", root.to_str().expect("utf-8 path")])
        .env("NO_COLOR", "1")
        .env("STATUSREF_TODAY", today)
        .output()
        .expect("run statusref")
}

#[test]
fn a_fact_checked_more_than_twelve_months_ago_is_a_warning_naming_file_and_fact() {
    let (_dir, root) = site();
    let fresh = check_on(&root, "2027-12-01");
    let stderr = String::from_utf8_lossy(&fresh.stderr);
    assert_eq!(fresh.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");

    let stale = check_on(&root, "2027-12-02");
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert_eq!(
        stale.status.code(),
        Some(0),
        "a stale fact does not fail: {stderr}"
    );
    assert!(
        stderr.contains(
            "warning: fact `cf_proxy_read_timeout` was checked on 2026-12-01, more than 12 months ago\n --> content/guides/timeouts.md:8:5"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: compare `120 s` with https://developers.cloudflare.com/fundamentals/reference/connection-limits/"),
        "{stderr}"
    );
    // The diagram's own numbers are dated too, and named on the page that shows them.
    assert!(
        stderr.contains(
            "warning: diagram `proxy-chain` shows numbers checked more than 12 months ago"
        ),
        "{stderr}"
    );
}

#[test]
fn a_fact_renders_with_its_source_and_the_diagram_as_inline_svg() {
    let (dir, root) = site();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = util::read(&output, "guides/timeouts/index.html");
    assert!(
        html.contains("waits <span class=\"fact\">120 s <a class=\"fact-src\" href=\"https://developers.cloudflare.com/fundamentals/reference/connection-limits/\" title=\"Cloudflare proxy read timeout: developers.cloudflare.com, checked 2026-12-01\">[source, checked <time datetime=\"2026-12-01\">Dec 2026</time>]</a></span> for the origin"),
        "{html}"
    );
    assert!(
        html.contains("<code>{{fact:cf_proxy_read_timeout}}</code>"),
        "{html}"
    );
    assert!(html.contains("<svg class=\"diagram-svg\""), "{html}");
    assert!(html.contains("role=\"img\" aria-labelledby=\"proxy-chain-title proxy-chain-desc\""));
    assert!(!html.contains("{{diagram"), "{html}");
    assert!(!html.contains("<img"), "no image request: {html}");
}
