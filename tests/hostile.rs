//! Hostile inputs: each site either builds correctly or fails with a located error, within a
//! time and memory bound, and never panics or hangs.
//!
//! Every case runs the real binary under `ulimit -v` (address space, so runaway memory is an
//! allocation failure, not a swapping machine) and a wall-clock deadline (a hang is killed and
//! reported). Bounds are generous for a debug build on two cores; the largest inputs (50 MB
//! markdown, 20,000 files) run in release builds only (`cargo test --release --test hostile`,
//! a step of `.ci/run`; their builds take about 12 s and 20 s there on a loaded two-core
//! machine), and a smaller variant of each (2 MB, 2,000 files) runs always, so plain `cargo
//! test` stays quick.

mod util;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MB: usize = 1 << 20;

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Outcome {
    fn assert_no_panic(&self, what: &str) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{what}: statusref panicked\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("memory allocation") && self.code.is_some(),
            "{what}: statusref was killed or ran out of memory (exit {:?})\n{}",
            self.code,
            tail(&self.stderr)
        );
    }

    /// Exit 0 and a summary line.
    fn assert_built(&self, what: &str) {
        self.assert_no_panic(what);
        assert_eq!(
            self.code,
            Some(0),
            "{what}: build failed\n{}",
            tail(&self.stderr)
        );
    }

    /// Exit 1 with every error located in `path` (and at a line when `line` is set).
    fn assert_located_error(&self, what: &str, path: &str, message: &str) {
        self.assert_no_panic(what);
        assert_eq!(
            self.code,
            Some(1),
            "{what}: want exit 1\nstdout: {}\nstderr: {}",
            tail(&self.stdout),
            tail(&self.stderr)
        );
        assert!(
            self.stderr.contains(message),
            "{what}: no `{message}` in\n{}",
            tail(&self.stderr)
        );
        assert!(
            self.stderr.contains(&format!("--> {path}")),
            "{what}: error not located at {path}\n{}",
            tail(&self.stderr)
        );
        assert!(
            self.stderr.contains("help:"),
            "{what}: no help line\n{}",
            tail(&self.stderr)
        );
    }
}

fn tail(text: &str) -> String {
    let start = text.len().saturating_sub(4000);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_string()
}

/// Runs statusref with an address-space limit (KiB) and a deadline.
fn run_bounded(args: &[&str], deadline: Duration, memory_kib: u64) -> Outcome {
    let bin = env!("CARGO_BIN_EXE_statusref");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {memory_kib} && exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run statusref");
    let started = Instant::now();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("statusref {args:?} did not finish within {deadline:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    Outcome {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        elapsed,
    }
}

/// A site with one page at `rel` (under the site root), built with the bounds.
fn build_site(root: &Path, deadline: Duration, memory_kib: u64) -> Outcome {
    let output = root.parent().unwrap().join("public");
    let out = run_bounded(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
        deadline,
        memory_kib,
    );
    eprintln!(
        "  built {} in {:.2?} (exit {:?})",
        root.display(),
        out.elapsed,
        out.code
    );
    out
}

fn new_site() -> (tempfile::TempDir, PathBuf) {
    util::one_code_site_in(tempfile::tempdir().unwrap())
}

/// A temp dir in memory (`/dev/shm`) where there is one, else the usual temp dir. For the
/// many-files cases: writing 20,000 pages and their 20,000 outputs (175 MB) and deleting them
/// again took four minutes of disk waits on a loaded CI disk, against 20 s for the build
/// under test; the build, its bounds and its output are the same in memory.
fn in_memory_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

fn guide(title: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndescription: \"Hostile input.\"\n---\n\n{body}\n")
}

const GB: u64 = 1 << 20; // in KiB

// ---- size ----------------------------------------------------------------------------------

/// Prose of about `bytes` bytes in paragraphs, with headings, links and an http block now and
/// then: the shape of a real page, repeated.
fn big_markdown(bytes: usize) -> String {
    let chunk = "## Section\n\nA gateway or proxy did not receive a timely response from the upstream server; see [504](/http-codes/504/#meaning) and the `Retry-After` header. Words words words words words words.\n\n```http\nHTTP/1.1 504 Gateway Timeout\nRetry-After: 30\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n";
    let mut s = String::with_capacity(bytes + chunk.len());
    while s.len() < bytes {
        s.push_str(chunk);
    }
    s
}

fn large_file(bytes: usize, deadline: Duration) {
    let (_dir, root) = new_site();
    std::fs::write(
        root.join("content/guides/big.md"),
        guide("Big", &big_markdown(bytes)),
    )
    .unwrap();
    let out = build_site(&root, deadline, 6 * GB);
    out.assert_built("large markdown file");
    let html = std::fs::read_to_string(root.parent().unwrap().join("public/guides/big/index.html"))
        .unwrap();
    assert!(html.len() > bytes, "the big page is rendered in full");
    // Ten thousand "Section" headings get distinct ids.
    assert!(html.contains("id=\"section-1000\""));
}

#[test]
fn markdown_file_of_2_mb() {
    large_file(2 * MB, Duration::from_secs(90));
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "50 MB runs in release: cargo test --release --test hostile"
)]
fn markdown_file_of_50_mb() {
    large_file(50 * MB, Duration::from_secs(120));
}

#[test]
fn single_line_of_1_mb() {
    let (_dir, root) = new_site();
    // Prose, inline links and markup on one line.
    let mut prose = String::new();
    while prose.len() < MB {
        prose.push_str("word *emphasis* [504](/http-codes/504/) `code` ");
    }
    // Raw HTML with a root-relative href every few bytes, also on one line (base-path rewriting
    // looks at every attribute).
    let mut html = String::from("<div>");
    while html.len() < MB {
        html.push_str("<a href=\"/http-codes/504/\">x</a> ");
    }
    html.push_str("</div>");
    std::fs::write(root.join("content/guides/line.md"), guide("Line", &prose)).unwrap();
    std::fs::write(root.join("content/guides/html.md"), guide("Html", &html)).unwrap();
    // A front matter value of 1 MB on one line.
    let long_description = "d".repeat(MB);
    std::fs::write(
        root.join("content/guides/desc.md"),
        format!("---\ntitle: \"Desc\"\nkeywords: [{long_description}]\n---\n\nText.\n"),
    )
    .unwrap();
    let out = build_site(&root, Duration::from_secs(60), 4 * GB);
    out.assert_built("1 MB single lines");
    let page =
        std::fs::read_to_string(root.parent().unwrap().join("public/guides/html/index.html"))
            .unwrap();
    assert!(page.contains("<a href=\"/http-codes/504/\">x</a>"));
}

#[test]
fn a_1_mb_line_of_broken_links_fails_with_bounded_errors() {
    let (_dir, root) = new_site();
    let mut line = String::new();
    while line.len() < MB {
        line.push_str("[x](/nowhere/) ");
    }
    std::fs::write(
        root.join("content/guides/broken.md"),
        guide("Broken", &line),
    )
    .unwrap();
    let out = build_site(&root, Duration::from_secs(60), 4 * GB);
    out.assert_located_error(
        "1 MB line of broken links",
        "content/guides/broken.md:6:",
        "link to /nowhere/",
    );
    assert!(
        out.stderr.len() < 20 * MB,
        "stderr is {} bytes",
        out.stderr.len()
    );
}

// ---- depth ---------------------------------------------------------------------------------

fn deep(body: &str, what: &str) {
    let (_dir, root) = new_site();
    std::fs::write(root.join("content/guides/deep.md"), guide("Deep", body)).unwrap();
    let out = build_site(&root, Duration::from_secs(60), 4 * GB);
    out.assert_built(what);
}

#[test]
fn nested_blockquotes_100_000_deep() {
    deep(
        &format!("{} deep", ">".repeat(100_000)),
        "100,000 nested blockquotes",
    );
}

#[test]
fn nested_lists_100_000_deep() {
    deep(
        &format!("{} deep", "- ".repeat(100_000)),
        "100,000 nested bullet lists",
    );
    deep(
        &format!("{} deep", "1. ".repeat(100_000)),
        "100,000 nested ordered lists",
    );
    deep(
        &format!("{} deep", "> - ".repeat(50_000)),
        "quotes and lists, 100,000 deep",
    );
}

#[test]
fn nested_inline_markup_100_000_deep() {
    deep(
        &format!("{}x{}", "*".repeat(100_000), "*".repeat(100_000)),
        "100,000 emphasis markers",
    );
    deep(
        &format!("{}x{}", "[".repeat(100_000), "]".repeat(100_000)),
        "100,000 brackets",
    );
}

// ---- YAML ------------------------------------------------------------------------------------

#[test]
fn yaml_alias_bombs_and_deep_nesting_fail_with_located_errors() {
    let laughs =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n\
                  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n\
                  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n\
                  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    let cases = [
        (
            "billion laughs under an unknown key",
            format!("---\ntitle: \"Bomb\"\n{laughs}---\nText.\n"),
        ),
        (
            "billion laughs into a known key",
            format!("---\ntitle: \"Bomb\"\n{laughs}keywords: *i\n---\nText.\n"),
        ),
        (
            "100,000 nested flow lists",
            format!(
                "---\ntitle: \"Deep\"\nx: {}{}\n---\nText.\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "100,000 nested mappings",
            format!(
                "---\ntitle: \"Deep\"\nx: {}{}\n---\nText.\n",
                "{a: ".repeat(100_000),
                "}".repeat(100_000)
            ),
        ),
        ("2,000 block-nested lists (past any recursion limit)", {
            let mut y = String::from("---\ntitle: \"Deep\"\nx:\n");
            for i in 0..2_000 {
                y.push_str(&" ".repeat(i));
                y.push_str("-\n");
            }
            y.push_str("---\nText.\n");
            y
        }),
    ];
    for (what, text) in cases {
        let (_dir, root) = new_site();
        std::fs::write(root.join("content/guides/bomb.md"), text).unwrap();
        let out = build_site(&root, Duration::from_secs(60), 2 * GB);
        out.assert_located_error(
            what,
            "content/guides/bomb.md:",
            "invalid YAML in front matter",
        );
    }
}

// ---- encodings -----------------------------------------------------------------------------

#[test]
fn crlf_and_bom_build_like_lf() {
    let lf = "---\ntitle: \"504 Gateway Timeout\"\ndescription: \"A gateway timed out.\"\nkeywords: [proxy]\n---\n\n# 504 Gateway Timeout\n\n## Meaning\n\nSlow upstream, see [the guide](/guides/g/#part).\n\n## When to Use\n\nA.\n\n## Example\n\n```http\nHTTP/1.1 504 Gateway Timeout\nRetry-After: 30\n```\n\n## When Not to Use\n\nC.\n\n## Source\n\nRFC 9110 §15.6.5\n";
    let guide_lf = "---\ntitle: \"G\"\n---\n\n## Part\n\nText.\n";
    let mut outputs = Vec::new();
    for (what, transform) in [
        ("LF", (|s: &str| s.to_string()) as fn(&str) -> String),
        ("CRLF", |s: &str| s.replace('\n', "\r\n")),
        ("BOM + CRLF", |s: &str| {
            format!("\u{feff}{}", s.replace('\n', "\r\n"))
        }),
        ("BOM + LF", |s: &str| format!("\u{feff}{s}")),
    ] {
        let (dir, root) = new_site();
        std::fs::write(root.join("content/codes/504.md"), transform(lf)).unwrap();
        std::fs::write(root.join("content/guides/g.md"), transform(guide_lf)).unwrap();
        let out = build_site(&root, Duration::from_secs(60), 2 * GB);
        out.assert_built(what);
        let public = dir.path().join("public");
        let page = util::read(&public, "http-codes/504/index.html");
        assert!(
            !page.contains('\r') && !page.contains('\u{feff}'),
            "{what}: CR or BOM in the output"
        );
        assert!(
            page.contains("<span class=\"http-code http-5xx\">504</span>"),
            "{what}: http block"
        );
        outputs.push((what, util::snapshot(&public)));
    }
    for (what, snapshot) in &outputs[1..] {
        assert!(
            snapshot == &outputs[0].1,
            "{what} builds a different site than LF"
        );
    }
}

#[test]
fn old_mac_line_endings_fail_with_a_located_error() {
    let (_dir, root) = new_site();
    std::fs::write(
        root.join("content/guides/cr.md"),
        "---\rtitle: \"CR\"\r---\r\rText.\r",
    )
    .unwrap();
    let out = build_site(&root, Duration::from_secs(60), 2 * GB);
    out.assert_located_error(
        "CR-only line endings",
        "content/guides/cr.md:1",
        "front matter",
    );
}

// ---- many files --------------------------------------------------------------------------

fn many_files(count: usize, deadline: Duration) {
    let (_dir, root) = util::one_code_site_in(in_memory_tempdir());
    for i in 0..count {
        std::fs::write(
            root.join(format!("content/guides/g{i:05}.md")),
            format!("---\ntitle: \"Guide {i}\"\nrelated: [504]\n---\n\n## Part\n\nGuide {i} links to [504](/http-codes/504/) and [the next](/guides/g{:05}/#part).\n", (i + 1) % count),
        )
        .unwrap();
    }
    let out = build_site(&root, deadline, 6 * GB);
    out.assert_built("many files");
    assert!(
        out.stdout.contains(&format!("{} guides", count)),
        "{}",
        out.stdout
    );
    // The last page is rendered in full, its link round to the first rewritten.
    let last = util::read(
        &root.parent().unwrap().join("public"),
        &format!("guides/g{:05}/index.html", count - 1),
    );
    assert!(
        last.contains(&format!("Guide {} links to", count - 1))
            && last.contains("href=\"/guides/g00000/#part\""),
        "{last}"
    );
}

#[test]
fn content_dir_of_2_000_files() {
    many_files(2_000, Duration::from_secs(90));
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "20,000 files run in release: cargo test --release --test hostile"
)]
fn content_dir_of_20_000_files() {
    many_files(20_000, Duration::from_secs(120));
}

// ---- file system -------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loops_fail_with_located_errors() {
    use std::os::unix::fs::symlink;
    // A directory link to its own ancestor.
    let (_dir, root) = new_site();
    symlink("..", root.join("content/guides/up")).unwrap();
    let out = build_site(&root, Duration::from_secs(30), 2 * GB);
    out.assert_located_error(
        "directory link loop",
        "content/guides/up",
        "symbolic link loop",
    );

    // A file link to itself, and two links to each other.
    let (_dir, root) = new_site();
    symlink("self.md", root.join("content/guides/self.md")).unwrap();
    symlink("b.md", root.join("content/guides/a.md")).unwrap();
    symlink("a.md", root.join("content/guides/b.md")).unwrap();
    let out = build_site(&root, Duration::from_secs(30), 2 * GB);
    out.assert_located_error("file link loops", "content/guides/self.md", "cannot read");
    assert!(
        out.stderr.contains("--> content/guides/a.md"),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_root_are_refused() {
    use std::os::unix::fs::symlink;
    let (dir, root) = new_site();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join("docs")).unwrap();
    std::fs::write(
        outside.join("secret.md"),
        guide("Secret", "Outside the site."),
    )
    .unwrap();
    std::fs::write(
        outside.join("docs/other.md"),
        guide("Other", "Outside too."),
    )
    .unwrap();
    symlink(
        outside.join("secret.md"),
        root.join("content/guides/secret.md"),
    )
    .unwrap();
    symlink(outside.join("docs"), root.join("content/guides/docs")).unwrap();
    symlink("/etc/passwd", root.join("content/guides/passwd.md")).unwrap();
    let out = build_site(&root, Duration::from_secs(30), 2 * GB);
    out.assert_located_error(
        "links out of the root",
        "content/guides/secret.md",
        "outside the site root",
    );
    assert!(
        out.stderr.contains("--> content/guides/docs"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--> content/guides/passwd.md"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("root:"),
        "the target's content leaked into the message"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_within_the_site_root_are_followed() {
    use std::os::unix::fs::symlink;
    let (dir, root) = new_site();
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(
        root.join("shared/linked.md"),
        guide("Linked", "Shared text."),
    )
    .unwrap();
    symlink(
        "../../shared/linked.md",
        root.join("content/guides/linked.md"),
    )
    .unwrap();
    // Under guides/: any other folder of pages under content/ is a content family and needs
    // a `_family.yaml`.
    symlink("../../shared", root.join("content/guides/more")).unwrap();
    let out = build_site(&root, Duration::from_secs(30), 2 * GB);
    out.assert_built("links within the root");
    let public = dir.path().join("public");
    assert!(util::read(&public, "guides/linked/index.html").contains("Shared text."));
    assert!(util::read(&public, "guides/more/linked/index.html").contains("Shared text."));
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_fail_with_located_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (_dir, root) = new_site();
    let name = OsStr::from_bytes(b"caf\xe9.md");
    if let Err(e) = std::fs::write(
        root.join("content/guides").join(name),
        guide("Cafe", "Latin-1 name."),
    ) {
        // Linux file systems take any bytes but `/` and NUL: there a refusal is a broken
        // setup, not a reason to check nothing. (macOS's APFS refuses such names.)
        if cfg!(target_os = "linux") {
            panic!("cannot create a non-UTF-8 file name: {e}");
        }
        eprintln!("the file system refuses non-UTF-8 names ({e}); nothing to test");
        return;
    }
    let out = build_site(&root, Duration::from_secs(30), 2 * GB);
    out.assert_no_panic("non-UTF-8 file name");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("--> content/guides/caf"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("not valid UTF-8"), "{}", out.stderr);
}
