//! Hostile input found by a red-team run (issue 13): links out of the root from `assets/` and
//! `templates/`, script through `head:` attributes, unchecked URLs, unsafe guide slugs, flags
//! that panic, and input that was accepted silently. Each case builds a small site with the
//! real binary and asserts the exit code, the exact diagnostic (located, with a help line) and
//! what was or was not written.

mod util;

use std::path::{Path, PathBuf};

fn guide(title: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndescription: \"A guide.\"\n---\n\n# {title}\n\nText.\n")
}

/// A site with 502 and 504; returns (guard, site root, output directory).
fn new_site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content/codes")).unwrap();
    std::fs::create_dir_all(root.join("content/guides")).unwrap();
    util::write(
        &root,
        "content/codes/502.md",
        &util::code_page(502, "Bad Gateway", ""),
    );
    util::write(
        &root,
        "content/codes/504.md",
        &util::code_page(504, "Gateway Timeout", ""),
    );
    let output = dir.path().join("public");
    (dir, root, output)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], root: &Path) -> Run {
    checked(util::statusref(args), root)
}

fn build(root: &Path, output: &Path, extra: &[&str]) -> Run {
    checked(util::build(root, output, extra), root)
}

/// The run's exit code and output (stderr with the site root redacted); it must not panic.
fn checked(out: std::process::Output, root: &Path) -> Run {
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: util::redact(&String::from_utf8_lossy(&out.stderr), root),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "statusref panicked:\n{}",
        run.stderr
    );
    run
}

impl Run {
    /// Exit 1, nothing written, and `diagnostic` (one rendered diagnostic, exactly) on stderr.
    fn fails_with(&self, output: &Path, diagnostic: &str) {
        assert_eq!(self.code, Some(1), "want exit 1\n{}", self.stderr);
        assert!(
            self.stderr.contains(&format!("{diagnostic}\n\n")),
            "want\n{diagnostic}\n\nin\n{}",
            self.stderr
        );
        assert!(
            !output.exists(),
            "a failed build wrote {}",
            output.display()
        );
    }

    fn built(&self) {
        assert_eq!(self.code, Some(0), "build failed\n{}", self.stderr);
    }
}

/// The rendered diagnostic for an error at `line:col` of `text` in `path`.
fn located(
    severity: &str,
    message: &str,
    path: &str,
    text: &str,
    needle: &str,
    help: &str,
) -> String {
    let (line, col, quoted) = position(text, needle);
    let gutter = " ".repeat(line.to_string().len());
    format!(
        "{severity}: {message}\n{gutter}--> {path}:{line}:{col}\n{gutter} |\n{line} | {quoted}\n{gutter} | {caret}^\n{gutter} |\n{gutter} = help: {help}",
        caret = " ".repeat(col - 1)
    )
}

/// 1-based line and column of the first `needle` in `text`, and that line. A `|` in the
/// needle marks the column (`- |script`: the `s` after `- `); else it is the needle's start.
fn position(text: &str, needle: &str) -> (usize, usize, String) {
    let (before, after) = needle.split_once('|').unwrap_or(("", needle));
    let whole = format!("{before}{after}");
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find(&whole) {
            let at = at + before.len();
            return (i + 1, line[..at].chars().count() + 1, line.to_string());
        }
    }
    panic!("{needle:?} not in\n{text}");
}

// ---- 3. symbolic links out of the site root from assets/ and templates/ ---------------------

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_from_assets_and_templates_are_refused() {
    use std::os::unix::fs::symlink;
    let (dir, root, output) = new_site();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("id_rsa"), "PRIVATE KEY").unwrap();
    std::fs::write(elsewhere.join("404.html"), "{% extends \"base.html\" %}").unwrap();
    std::fs::create_dir_all(root.join("assets")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    symlink(&elsewhere, root.join("assets/home")).unwrap();
    symlink(elsewhere.join("404.html"), root.join("templates/404.html")).unwrap();
    let out = build(&root, &output, &[]);
    let target = elsewhere.canonicalize().unwrap();
    for (link, target) in [
        ("assets/home", target.clone()),
        ("templates/404.html", target.join("404.html")),
    ] {
        out.fails_with(
            &output,
            &format!(
                "error: symbolic link to {}, outside the site root\n--> {link}\n = help: copy the file or directory into the site, or point the link at a path inside the site root",
                target.display()
            ),
        );
    }
    assert!(!out.stderr.contains("PRIVATE KEY"));

    // site.yaml, which the pages are made from.
    let (dir, root, output) = new_site();
    let elsewhere = dir.path().join("elsewhere.yaml");
    std::fs::write(&elsewhere, "title: from elsewhere\n").unwrap();
    symlink(&elsewhere, root.join("site.yaml")).unwrap();
    build(&root, &output, &[]).fails_with(
        &output,
        &format!(
            "error: symbolic link to {}, outside the site root\n--> site.yaml\n = help: copy the file or directory into the site, or point the link at a path inside the site root",
            elsewhere.canonicalize().unwrap().display()
        ),
    );

    // The whole directory as a link out of the root.
    let (dir, root, output) = new_site();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("x.css"), "body{}").unwrap();
    symlink(&elsewhere, root.join("assets")).unwrap();
    let out = build(&root, &output, &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("--> assets\n"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_from_assets_are_followed() {
    use std::os::unix::fs::symlink;
    let (_dir, root, output) = new_site();
    util::write(&root, "shared/extra.css", "body{color:red}");
    std::fs::create_dir_all(root.join("assets")).unwrap();
    symlink("../shared/extra.css", root.join("assets/extra.css")).unwrap();
    build(&root, &output, &[]).built();
    let names: Vec<String> = std::fs::read_dir(output.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("extra.") && n.ends_with(".css")),
        "{names:?}"
    );
}

// ---- 4. head: ------------------------------------------------------------------------------

/// A 504 page whose front matter has `head` (written after `head:\n`); the build's result.
fn with_head(head: &str) -> (tempfile::TempDir, PathBuf, PathBuf, String, Run) {
    let (dir, root, output) = new_site();
    let text = util::code_page(504, "Gateway Timeout", &format!("head:\n{head}"));
    util::write(&root, "content/codes/504.md", &text);
    let out = build(&root, &output, &[]);
    (dir, root, output, text, out)
}

#[test]
fn head_refuses_event_handlers_at_the_attribute() {
    let (_dir, _root, output, text, out) =
        with_head("  - - link\n    - {rel: stylesheet, href: /x.css, onerror: \"alert(1)\"}\n");
    out.fails_with(
        &output,
        &located(
            "error",
            "`head` entry 1: attribute `onerror` is not allowed on `<link>` (event handlers run script)",
            "content/codes/504.md",
            &text,
            "onerror",
            "`<link>` takes rel, href, hreflang, type, media, sizes, title, color",
        ),
    );
}

#[test]
fn head_refuses_meta_refresh_a_second_canonical_script_and_javascript_urls() {
    let cases = [
        (
            "  - - meta\n    - http-equiv: refresh\n      content: \"0;url=https://evil.example/\"\n",
            "http-equiv",
            "`head` entry 1: attribute `http-equiv` is not allowed on `<meta>`",
            "`<meta>` takes name, property, content, media".to_string(),
        ),
        (
            "  - - meta\n    - name: robots\n      content: noindex\n  - - link\n    - rel: canonical\n      href: \"https://evil.example/\"\n",
            "canonical",
            "`head` entry 2: `rel: canonical` is not allowed (`canonical`)",
            format!(
                "rel takes {}; the generator writes the canonical link itself",
                statusref::internals::head::LINK_RELS.join(", ")
            ),
        ),
        (
            "  - - script\n    - src: \"https://evil.example/x.js\"\n",
            "- |script",
            "`head` entry 1: `<script>` is not allowed",
            "`head` takes `meta` and `link` tags only; scripts and styles belong in a template or asset".to_string(),
        ),
        (
            "  - [link, {rel: icon, href: \"javascript:alert(1)\"}]\n",
            "\"javascript",
            "`head` entry 1: `href` \"javascript:alert(1)\" is refused: it uses the `javascript:` scheme; only http and https are allowed",
            "write an http(s) URL or a path, e.g. `https://example.org/feed.xml` or `/assets/extra.css`".to_string(),
        ),
        (
            "  - [link, {rel: icon, href: \"/\\\\evil.example/x.ico\"}]\n",
            "\"/\\",
            "`head` entry 1: `href` \"/\\\\evil.example/x.ico\" is refused: it contains a backslash, which browsers read as `/`",
            "write an http(s) URL or a path, e.g. `https://example.org/feed.xml` or `/assets/extra.css`".to_string(),
        ),
        (
            "  - [meta, {name: Refresh, content: \"0\"}]\n",
            "Refresh",
            "`head` entry 1: `name: Refresh` is not allowed",
            format!(
                "meta names are {}, or start with og:, article:, twitter:",
                statusref::internals::head::META_NAMES.join(", ")
            ),
        ),
    ];
    for (head, needle, message, help) in cases {
        let (_dir, _root, output, text, out) = with_head(head);
        out.fails_with(
            &output,
            &located(
                "error",
                message,
                "content/codes/504.md",
                &text,
                needle,
                &help,
            ),
        );
    }
}

#[test]
fn head_keeps_allowed_tags_escaped() {
    let (_dir, _root, output, _text, out) = with_head(
        "  - - meta\n    - name: robots\n      content: \"noindex\\\" onload=\\\"alert(1)\"\n  - - link\n    - rel: alternate\n      type: application/rss+xml\n      href: \"https://example.org/feed.xml\"\n",
    );
    out.built();
    let html = util::read(&output, "http-codes/504/index.html");
    assert!(
        html.contains("<meta name=\"robots\" content=\"noindex&quot; onload=&quot;alert(1)\">"),
        "{html}"
    );
    assert!(
        html.contains("<link rel=\"alternate\" type=\"application/rss+xml\" href=\"https://example.org/feed.xml\">"),
        "{html}"
    );
}

// ---- 5. URLs ---------------------------------------------------------------------------------

#[test]
fn base_url_flags_that_leave_the_site_are_usage_errors() {
    let (_dir, root, output) = new_site();
    for (flag, why) in [
        (
            "/\\evil.com",
            "contains a backslash, which browsers read as `/`",
        ),
        (
            "//evil.com/",
            "starts with `//`, which browsers read as another host",
        ),
        (
            "javascript://%0aalert(1)",
            "uses the `javascript:` scheme; only http and https are allowed",
        ),
        (
            "docs/",
            "is neither an absolute http(s) URL nor a path starting with `/`",
        ),
        ("/docs/\t", "contains a control character (tab, newline, …)"),
    ] {
        let out = build(&root, &output, &["--base-url", flag]);
        assert_eq!(out.code, Some(2), "{flag:?}: {}", out.stderr);
        let expected = format!(
            "error: invalid value '{flag}' for '--base-url <URL>': {flag:?} is refused: it {why}; write an absolute http(s) URL such as `https://example.org/ref/`, or a path that starts with a single `/` such as `/ref/`"
        );
        assert!(
            out.stderr.starts_with(&expected),
            "{flag:?}: want\n{expected}\nin\n{}",
            out.stderr
        );
        assert!(!output.exists());
    }
    // A path and an absolute URL are fine; every src and href stays on the site.
    build(&root, &output, &["--base-url", "/docs"]).built();
    let html = util::read(&output, "http-codes/504/index.html");
    assert!(html.contains("src=\"/docs/assets/"), "{html}");
    assert!(!html.contains("evil"));
}

#[test]
fn site_yaml_urls_are_checked_and_located() {
    for (yaml, key, message, help) in [
        (
            "title: x\nbase_url: \"/\\\\evil.com\"\n",
            "base_url",
            "`base_url` \"/\\\\evil.com\" is refused: it contains a backslash, which browsers read as `/`",
            "write an absolute http(s) URL such as `https://example.org/ref/`, or a path that starts with a single `/` such as `/ref/`",
        ),
        (
            "base_url: \"javascript://%0aalert(1)\"\n",
            "base_url",
            "`base_url` \"javascript://%0aalert(1)\" is refused: it uses the `javascript:` scheme; only http and https are allowed",
            "write an absolute http(s) URL such as `https://example.org/ref/`, or a path that starts with a single `/` such as `/ref/`",
        ),
        (
            "title: x\nedit_url: \"javascript:alert(1)//\"\n",
            "edit_url",
            "`edit_url` \"javascript:alert(1)//\" is refused: it uses the `javascript:` scheme; only http and https are allowed",
            "write an http(s) URL, e.g. `https://github.com/o/r/edit/main/`",
        ),
    ] {
        let (_dir, root, output) = new_site();
        util::write(&root, "site.yaml", yaml);
        let out = build(&root, &output, &[]);
        out.fails_with(
            &output,
            &located("error", message, "site.yaml", yaml, key, help),
        );
    }
}

#[test]
fn spec_urls_must_be_http_or_a_path() {
    let (_dir, root, output) = new_site();
    let text = util::code_page(
        504,
        "Gateway Timeout",
        "spec_url: \"javascript:alert(document.cookie)\"\n",
    );
    util::write(&root, "content/codes/504.md", &text);
    build(&root, &output, &[]).fails_with(
        &output,
        &located(
            "error",
            "`spec_url` \"javascript:alert(document.cookie)\" is refused: it uses the `javascript:` scheme; only http and https are allowed",
            "content/codes/504.md",
            &text,
            "\"javascript",
            "write the specification's http(s) URL, e.g. `https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5`",
        ),
    );

    // In a meaning, located at the meaning's own value.
    let (_dir, root, output) = new_site();
    let text = util::code_page(
        504,
        "Gateway Timeout",
        "meanings:\n  - name: \"Gateway Timeout\"\n    spec_url: \"https://www.rfc-editor.org/rfc/rfc9110\"\n  - name: \"Other\"\n    vendor: X\n    spec_url: \"data:text/html,<script>alert(1)</script>\"\n",
    );
    util::write(&root, "content/codes/504.md", &text);
    build(&root, &output, &[]).fails_with(
        &output,
        &located(
            "error",
            "`spec_url` \"data:text/html,<script>alert(1)</script>\" is refused: it uses the `data:` scheme; only http and https are allowed",
            "content/codes/504.md",
            &text,
            "\"data:",
            "write the specification's http(s) URL, e.g. `https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5`",
        ),
    );
}

// ---- 7. guide slugs --------------------------------------------------------------------------

#[test]
fn unsafe_guide_file_names_are_refused_with_a_safe_name() {
    for (name, shown, safe) in [
        ("a#b.md", "a#b.md", "a-b.md"),
        ("%2e%2e.md", "%2e%2e.md", "2e-2e.md"),
        ("tab\there.md", "tab\\there.md", "tab-here.md"),
        ("new\nline.md", "new\\nline.md", "new-line.md"),
        ("Timeouts.md", "Timeouts.md", "timeouts.md"),
        (".hidden.md", ".hidden.md", "hidden.md"),
        ("trailing..md", "trailing..md", "trailing.md"),
    ] {
        let (_dir, root, output) = new_site();
        util::write(&root, &format!("content/guides/{name}"), &guide("Hostile"));
        let out = build(&root, &output, &[]);
        out.fails_with(
            &output,
            &format!(
                "error: the file name `{shown}` cannot be part of a URL: use lowercase letters, digits, `-`, `_` and `.` (not first or last)\n--> content/guides/{name}\n = help: rename the file to content/guides/{safe}"
            ),
        );
    }
    // A directory name is a URL segment too.
    let (_dir, root, output) = new_site();
    util::write(&root, "content/guides/Sub Dir/x.md", &guide("Nested"));
    build(&root, &output, &[]).fails_with(
        &output,
        "error: the directory name `Sub Dir` cannot be part of a URL: use lowercase letters, digits, `-`, `_` and `.` (not first or last)\n--> content/guides/Sub Dir/x.md\n = help: rename the directory to content/guides/sub-dir/",
    );
}

#[test]
fn safe_slugs_build_including_family_style_names() {
    let (_dir, root, output) = new_site();
    for name in ["500.19", "1020", "a_b-c.d", "timeouts"] {
        util::write(
            &root,
            &format!("content/guides/{name}.md"),
            &guide(&format!("Guide {name}")),
        );
    }
    build(&root, &output, &[]).built();
    for name in ["500.19", "1020", "a_b-c.d", "timeouts"] {
        let html = util::read(&output, &format!("guides/{name}/index.html"));
        assert!(html.contains(&format!("Guide {name}")));
    }
    // The family entries to come (500.19.md, 1020.md, 000.md) all pass the rule.
    for stem in ["500.19", "1020", "000", "504"] {
        assert!(
            statusref::internals::content::is_safe_slug_segment(stem),
            "{stem}"
        );
    }
}

// ---- 9. search --limit -------------------------------------------------------------------------

#[test]
fn search_limit_is_bounded() {
    let (_dir, root, output) = new_site();
    build(&root, &output, &[]).built();
    let out_dir = output.to_str().unwrap();
    for limit in ["18446744073709551615", "1000000000", "0", "1001"] {
        let out = run(
            &["search", "--output", out_dir, "--limit", limit, "504"],
            &root,
        );
        assert_eq!(out.code, Some(2), "--limit {limit}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "error: invalid value '{limit}' for '--limit <LIMIT>': "
            )),
            "{}",
            out.stderr
        );
    }
    let out = run(
        &[
            "search", "--output", out_dir, "--limit", "1000", "--json", "gateway",
        ],
        &root,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let hits: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let codes: Vec<u64> = hits
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["code"].as_u64())
        .collect();
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes.contains(&502) && codes.contains(&504));
}

// ---- 10. accepted silently -------------------------------------------------------------------

#[test]
fn skipped_md_files_are_warned_about() {
    let (_dir, root, output) = new_site();
    util::write(&root, "content/guides/Extra.MD", &guide("Upper"));
    util::write(&root, "content/guides/other.Md", &guide("Mixed"));
    util::write(&root, "content/guides/.md", &guide("Nameless"));
    let out = build(&root, &output, &[]);
    out.built();
    for expected in [
        "warning: skipped: content files end in `.md`, not `.MD`\n--> content/guides/Extra.MD\n = help: rename it to content/guides/extra.md\n\n",
        "warning: skipped: content files end in `.md`, not `.Md`\n--> content/guides/other.Md\n = help: rename it to content/guides/other.md\n\n",
        "warning: skipped: `.md` has no name before the extension\n--> content/guides/.md\n = help: name the file after its page, e.g. content/guides/my-guide.md\n\n",
    ] {
        assert!(out.stderr.contains(expected), "want\n{expected}in\n{}", out.stderr);
    }
    assert!(out.stdout.contains("with 3 warnings"), "{}", out.stdout);
}

#[test]
fn related_listing_itself_or_repeats_is_warned_about_and_cleaned() {
    let (_dir, root, output) = new_site();
    let text = util::code_page(
        504,
        "Gateway Timeout",
        "related: [504, 502, 502, 504, 502]\n",
    );
    util::write(&root, "content/codes/504.md", &text);
    let out = build(&root, &output, &[]);
    out.built();
    for (message, help) in [
        (
            "`related` lists the page itself (504)",
            "remove 504 from `related`; it is left out",
        ),
        (
            "`related` lists 502, 504 more than once",
            "list each code once; the repeats are left out",
        ),
    ] {
        let expected = located(
            "warning",
            message,
            "content/codes/504.md",
            &text,
            "related:",
            help,
        );
        assert!(
            out.stderr.contains(&expected),
            "want\n{expected}\nin\n{}",
            out.stderr
        );
    }
    let html = util::read(&output, "http-codes/504/index.html");
    assert_eq!(related_section_links(&html), vec!["/http-codes/502/"]);
}

#[test]
fn ten_thousand_related_codes_are_capped() {
    let (_dir, root, output) = new_site();
    for code in 400..430u16 {
        util::write(
            &root,
            &format!("content/codes/{code}.md"),
            &util::code_page(code, "Some Error", ""),
        );
    }
    let many: Vec<String> = (0..10_000).map(|i| (400 + i % 30).to_string()).collect();
    let text = util::code_page(
        504,
        "Gateway Timeout",
        &format!("related: [{}]\n", many.join(", ")),
    );
    util::write(&root, "content/codes/504.md", &text);
    let out = build(&root, &output, &[]);
    out.built();
    assert!(
        out.stderr.contains(
            "warning: `related` lists 30 codes; only the first 20 are shown\n --> content/codes/504.md:"
        ),
        "{}",
        out.stderr
    );
    let html = util::read(&output, "http-codes/504/index.html");
    assert_eq!(related_section_links(&html).len(), 20);
    assert!(html.len() < 100_000, "{} bytes", html.len());
}

/// Links in the code page's "Related" list.
fn related_section_links(html: &str) -> Vec<&str> {
    let start = html
        .find("<section class=\"related\"")
        .unwrap_or_else(|| panic!("no related list in\n{html}"));
    let section = &html[start..];
    let end = section.find("</section>").unwrap_or(section.len());
    section[..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect()
}

#[test]
fn names_differing_only_in_case_are_warned_about() {
    let (_dir, root, output) = new_site();
    util::write(&root, "assets/Logo.svg", "<svg/>");
    util::write(&root, "assets/logo.svg", "<svg></svg>");
    let out = build(&root, &output, &[]);
    out.built();
    let expected = "warning: assets/Logo.svg and assets/logo.svg differ only in letter case\n--> assets/logo.svg\n = help: rename one of them: on case-insensitive file systems (macOS, Windows) they are the same file\n\n";
    assert!(out.stderr.contains(expected), "{}", out.stderr);

    // A site file that differs from a built-in one only in case does not replace it.
    let (_dir, root, output) = new_site();
    util::write(&root, "assets/Site.css", "body{}");
    let out = build(&root, &output, &[]);
    out.built();
    let expected = "warning: assets/Site.css differs only in letter case from the built-in assets/site.css, so it does not replace it\n--> assets/Site.css\n = help: rename it to assets/site.css to replace the built-in file (and it is one file with it on macOS and Windows)\n\n";
    assert!(out.stderr.contains(expected), "{}", out.stderr);

    // Content files: the upper-case one is also refused as a URL.
    let (_dir, root, output) = new_site();
    util::write(&root, "content/guides/faq.md", &guide("FAQ"));
    util::write(&root, "content/guides/FAQ.md", &guide("FAQ again"));
    let out = build(&root, &output, &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("warning: content/guides/FAQ.md and content/guides/faq.md differ only in letter case\n--> content/guides/faq.md\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn asset_names_are_percent_encoded_in_urls() {
    let (_dir, root, output) = new_site();
    util::write(&root, "assets/a b#c.css", "body{}");
    util::write(
        &root,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<link rel=\"stylesheet\" href=\"{{ assets['a b#c.css'] }}\">{% endblock main %}",
    );
    build(&root, &output, &[]).built();
    let html = util::read(&output, "404.html");
    let start = html
        .find("href=\"/assets/a%20b%23c.")
        .expect("an encoded asset URL")
        + 6;
    let url = &html[start..start + html[start..].find('"').unwrap()];
    // The file the URL names, decoded, is the one written.
    let file = url
        .trim_start_matches('/')
        .replace("%20", " ")
        .replace("%23", "#");
    assert!(output.join(&file).is_file(), "{url} → {file}");
}
