//! Hostile outputs: a build never deletes or overwrites what it did not make, and a killed build
//! leaves either the old site or the new one, and no debris after the next build.
//!
//! - `--output` pointing at a source path (content/, templates/, assets/, site.yaml, .git, or
//!   anything inside them), at an existing file, or at a directory another tool filled is a
//!   usage error (exit 2) that names the path and the fix, and changes nothing;
//! - a page whose output path collides with a file the site writes fails `check` and `build`
//!   alike, located at the content file;
//! - content without pages does not replace a built site unless `--allow-empty`;
//! - staging directories of dead builds are removed by the next build, a running build's are
//!   kept, and `kill -9` at any moment of a build of thousands of pages never leaves a
//!   half-written or missing site.

mod util;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A copy of this repository's site (content/, templates/, assets/, site.yaml) with a `.git`
/// directory, in a temp dir: (guard, site root).
fn project_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    for part in ["content", "templates", "assets"] {
        util::copy_tree(&util::repo_root().join(part), &root.join(part));
    }
    std::fs::copy(util::repo_root().join("site.yaml"), root.join("site.yaml")).unwrap();
    std::fs::create_dir_all(root.join(".git/refs")).unwrap();
    std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    (dir, root)
}

/// A site with one code page; more pages are written by the tests.
fn small_site() -> (tempfile::TempDir, PathBuf) {
    util::one_code_site_in(tempfile::tempdir().unwrap())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 2, a message naming `path`, a help line, and no panic.
fn assert_refused(out: &Output, path: &Path, what: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{what}: want exit 2\n{err}");
    assert!(
        err.contains(&path.display().to_string()),
        "{what}: the message does not name {}\n{err}",
        path.display()
    );
    assert!(
        err.contains("help:") && err.contains("--output"),
        "{what}: no help naming --output\n{err}"
    );
    assert!(!err.contains("panicked"), "{what}: panicked\n{err}");
}

/// Names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---- 1. --output over sources, files and foreign directories -------------------------------

#[test]
fn an_output_that_is_or_lies_inside_a_source_path_is_refused_and_nothing_changes() {
    let (dir, root) = project_site();
    let before = util::snapshot(&root);
    let pages = util::snapshot(&root.join("content")).len();
    assert!(pages >= 96, "the project's content: {pages} files");
    #[cfg(unix)]
    std::os::unix::fs::symlink("content", root.join("link-to-content")).unwrap();
    let mut cases: Vec<PathBuf> = [
        "content/codes",
        "content/guides",
        "content",
        "content/codes/new-dir",
        "templates",
        "templates/partials",
        "assets",
        "site.yaml",
        ".git",
        ".git/refs",
    ]
    .iter()
    .map(|rel| root.join(rel))
    .collect();
    cases.push(root.clone());
    cases.push(dir.path().to_path_buf());
    cases.push(root.join("content/../content/codes"));
    #[cfg(unix)]
    cases.push(root.join("link-to-content/codes"));
    for output in &cases {
        let out = util::build(&root, output, &[]);
        assert_refused(&out, output, &output.display().to_string());
        // --force changes nothing for sources.
        let out = util::build(&root, output, &["--force"]);
        assert_refused(&out, output, &format!("{} --force", output.display()));
    }
    #[cfg(unix)]
    std::fs::remove_file(root.join("link-to-content")).unwrap();
    assert!(
        util::snapshot(&root) == before,
        "a refused build changed the site root"
    );
    assert_eq!(
        entries(dir.path()),
        ["site"],
        "nothing was created beside it"
    );
}

#[test]
fn an_existing_file_is_never_replaced() {
    let (dir, root) = small_site();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "my notes\n").unwrap();
    let inside = root.join("README.md");
    std::fs::write(&inside, "# my site\n").unwrap();
    for file in [&notes, &inside] {
        for extra in [&[][..], &["--force"][..]] {
            let out = util::build(&root, file, extra);
            assert_refused(&out, file, &format!("{} {extra:?}", file.display()));
            assert!(stderr(&out).contains("file"), "{}", stderr(&out));
        }
    }
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
    assert_eq!(std::fs::read_to_string(&inside).unwrap(), "# my site\n");
    assert_eq!(entries(dir.path()), ["notes.txt", "site"]);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_as_output_is_refused() {
    let (dir, root) = small_site();
    let target = dir.path().join("www");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("keep.html"), "theirs").unwrap();
    let link = dir.path().join("public");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = util::build(&root, &link, &[]);
    assert_refused(&out, &link, "a link");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(entries(&target), ["keep.html"]);
}

#[test]
fn a_directory_another_tool_filled_is_replaced_only_with_force() {
    let (dir, root) = small_site();
    let output = dir.path().join("dist");
    std::fs::create_dir_all(output.join("sub")).unwrap();
    std::fs::write(output.join("keep.txt"), "not statusref's").unwrap();
    std::fs::write(output.join("sub/more.txt"), "nor this").unwrap();
    let before = util::snapshot(&output);

    let out = util::build(&root, &output, &[]);
    assert_refused(&out, &output, "a foreign directory");
    let err = stderr(&out);
    assert!(err.contains("--force"), "{err}");
    assert!(err.contains(".statusref-build"), "{err}");
    assert!(
        util::snapshot(&output) == before,
        "the directory was changed"
    );
    assert_eq!(entries(dir.path()), ["dist", "site"], "no staging left");

    let out = util::build(&root, &output, &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!output.join("keep.txt").exists());
    assert!(output.join("http-codes/504/index.html").is_file());
    // The marker: fixed text, so two builds stay byte-identical.
    let marker = util::read(&output, ".statusref-build");
    assert!(marker.starts_with("statusref build output\n"), "{marker}");

    // Now it is statusref's: rebuilt without --force.
    let first = util::snapshot(&output);
    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        util::snapshot(&output) == first,
        "a rebuild is byte-identical"
    );
    assert_eq!(entries(dir.path()), ["dist", "site"]);
}

#[test]
fn an_empty_or_missing_directory_is_a_fine_output() {
    let (dir, root) = small_site();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = util::build(&root, &empty, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(empty.join("index.html").is_file());
    let nested = dir.path().join("a/b/public");
    let out = util::build(&root, &nested, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(nested.join("index.html").is_file());
    // The default output inside the site root is fine, and so is a second build into it.
    for _ in 0..2 {
        let out = util::statusref(&["build", "--root", root.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert!(root.join("public/http-codes/504/index.html").is_file());
}

// ---- 8. output paths that collide: check and build agree -------------------------------------

/// Runs `check` and `build` on `root`; both must fail, located at `path`, with a help line.
fn assert_check_and_build_fail_at(root: &Path, path: &str, message: &str) {
    let output = root.parent().unwrap().join("public");
    let check = util::statusref(&["check", "--root", root.to_str().unwrap()]);
    let build = util::build(root, &output, &[]);
    for (command, out) in [("check", &check), ("build", &build)] {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(1), "{command}: want exit 1\n{err}");
        assert!(
            err.contains(&format!("--> {path}")),
            "{command}: not located at {path}\n{err}"
        );
        assert!(err.contains(message), "{command}: no {message:?} in\n{err}");
        assert!(err.contains("help:"), "{command}: no help\n{err}");
        assert!(
            !err.contains("staging"),
            "{command}: an I/O error on the staging dir\n{err}"
        );
    }
    assert!(!output.exists(), "nothing was written");
}

#[test]
fn a_page_over_a_generated_file_fails_check_and_build_at_the_content_file() {
    for (file, collides) in [
        ("codes.json.md", "codes.json"),
        ("robots.txt.md", "robots.txt"),
        ("404.html.md", "404.html"),
        ("index.html.md", "index.html"),
        ("sitemap.xml.md", "sitemap.xml"),
        (".statusref-build.md", ".statusref-build"),
        ("guides/index.html.md", "guides/index.html"),
    ] {
        let (_dir, root) = small_site();
        let path = root.join("content").join(file);
        std::fs::write(&path, "---\ntitle: \"Collides\"\n---\n\nText.\n").unwrap();
        assert_check_and_build_fail_at(&root, &format!("content/{file}"), collides);
    }
}

#[test]
fn a_page_under_another_page_fails_check_and_build_at_the_content_file() {
    let (_dir, root) = small_site();
    std::fs::write(
        root.join("content/guides/a.md"),
        "---\ntitle: \"A\"\n---\n\nText.\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content/guides/a/index.html")).unwrap();
    std::fs::write(
        root.join("content/guides/a/index.html/b.md"),
        "---\ntitle: \"B\"\n---\n\nText.\n",
    )
    .unwrap();
    assert_check_and_build_fail_at(
        &root,
        "content/guides/a/index.html/b.md",
        "content/guides/a.md",
    );
}

// ---- 10. empty content does not replace a built site -----------------------------------------

#[test]
fn content_without_pages_does_not_replace_a_built_site_without_allow_empty() {
    let (dir, root) = project_site();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let built = util::snapshot(&output);
    assert!(output.join("http-codes/504/index.html").is_file());

    // Every page gone (a failed checkout, a wrong --root with an empty content/).
    std::fs::remove_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("content/codes")).unwrap();
    let out = util::build(&root, &output, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--> content"), "{err}");
    assert!(err.contains("no pages"), "{err}");
    assert!(err.contains("--allow-empty"), "{err}");
    assert!(
        util::snapshot(&output) == built,
        "the built site was replaced"
    );

    let out = util::build(&root, &output, &["--allow-empty"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!output.join("http-codes/504/index.html").exists());
    assert!(output.join("index.html").is_file());

    // Into a new output there is nothing to lose: no flag needed.
    let fresh = dir.path().join("fresh");
    let out = util::build(&root, &fresh, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// ---- 6. debris of killed builds; atomic swap ----------------------------------------------

/// Fills `dir` with a few files, as a build killed while writing leaves it.
fn half_written(dir: &Path) {
    std::fs::create_dir_all(dir.join("http-codes/504")).unwrap();
    std::fs::write(dir.join("http-codes/504/index.html"), "half").unwrap();
    std::fs::write(dir.join(".statusref-build"), "statusref build output\n").unwrap();
}

#[test]
fn the_next_build_removes_what_dead_builds_left() {
    let (dir, root) = small_site();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // What killed builds leave (their pids are gone, so no one holds their locks): staging
    // directories of this version and of earlier ones, previous outputs.
    for name in [
        ".public.staging-4000001-0",
        ".public.staging-4000002-7",
        ".public.previous-4000003-1",
        ".public.staging-12345",
        ".public.previous-12345",
    ] {
        half_written(&dir.path().join(name));
    }
    // Not a build's: another output's staging name, a file, an unrelated directory.
    half_written(&dir.path().join(".other.staging-4000004-0"));
    std::fs::write(dir.path().join(".public.staging-notes"), "a file").unwrap();
    std::fs::create_dir_all(dir.path().join(".cache")).unwrap();

    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        entries(dir.path()),
        [
            ".cache",
            ".other.staging-4000004-0",
            ".public.staging-notes",
            "public",
            "site"
        ]
    );
    assert!(output.join("http-codes/504/index.html").is_file());
}

#[test]
fn a_running_builds_staging_directory_is_kept() {
    let (dir, root) = small_site();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A build in progress: this process holds a staging directory (and its lock).
    let live = statusref::internals::output::Staging::create(&output).expect("staging");
    live.create_dirs(["http-codes/200/index.html"].into_iter())
        .unwrap();
    live.write("http-codes/200/index.html", b"being written")
        .unwrap();
    let staging: Vec<String> = entries(dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".public.staging-"))
        .collect();
    assert_eq!(staging.len(), 1, "{staging:?}");
    let staging = dir.path().join(&staging[0]);

    for _ in 0..2 {
        let out = util::build(&root, &output, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(staging.join("http-codes/200/index.html")).unwrap(),
            "being written",
            "the running build's staging directory was touched"
        );
    }
    // It finishes: its site is swapped in, and nothing is left.
    live.commit().unwrap();
    assert_eq!(entries(dir.path()), ["public", "site"]);
    assert_eq!(
        util::read(&output, "http-codes/200/index.html"),
        "being written"
    );
}

/// One hash over every file's path and bytes under `dir` (`None` when there is no `dir`).
fn digest(dir: &Path) -> Option<u64> {
    if !dir.exists() {
        return None;
    }
    let mut hasher = DefaultHasher::new();
    for (path, bytes) in util::snapshot(dir) {
        path.hash(&mut hasher);
        bytes.hash(&mut hasher);
    }
    Some(hasher.finish())
}

/// A site of `pages` guides linking each other, and one code page.
fn generated_site(pages: usize, text: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = small_site();
    for i in 0..pages {
        std::fs::write(
            root.join(format!("content/guides/g{i:05}.md")),
            format!(
                "---\ntitle: \"Guide {i}\"\nrelated: [504]\n---\n\n## Part\n\n{text} {i} links to [504](/http-codes/504/) and [the next](/guides/g{:05}/#part).\n",
                (i + 1) % pages
            ),
        )
        .unwrap();
    }
    (dir, root)
}

/// Rewrites the first guide of a [`generated_site`] with `to` in place of `from`: enough for
/// another site (that page, the guides list, the search index).
fn set_version(root: &Path, from: &str, to: &str) {
    let path = root.join("content/guides/g00000.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// When to kill a build.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// This fraction of a full build's time after the start.
    Fraction(f64),
    /// This long after the staging directory holds `codes.json`: pages are all written, and
    /// the last files, the swap and the removal of the old site are under way.
    AfterPages(Duration),
    /// As soon as the output shows the new site: the old one is being removed.
    AfterSwap,
}

/// A staging directory in `parent` that is not one of `earlier` (left by builds killed before)
/// holds `codes.json`: the write stage has begun.
fn pages_written(parent: &Path, earlier: &[String]) -> bool {
    std::fs::read_dir(parent).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(".public.staging-")
                && !earlier.contains(&name)
                && e.path().join("codes.json").exists()
        })
    })
}

#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_leaves_the_old_or_the_new_site_and_no_debris() {
    const PAGES: usize = 2_000;
    let versions = ["Old guide", "New guide"];
    let (dir, root) = generated_site(PAGES, versions[0]);
    let output = dir.path().join("public");

    // Each version's site, built once for reference (the output does not depend on where it is
    // written); the second build is timed, to spread the kills over a whole build.
    let reference = dir.path().join("reference");
    let mut digests = Vec::new();
    let mut full = Duration::ZERO;
    for (i, version) in versions.iter().enumerate() {
        if i > 0 {
            set_version(&root, versions[i - 1], version);
        }
        let started = Instant::now();
        let out = util::build(&root, &reference, &[]);
        full = started.elapsed();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        digests.push(digest(&reference));
        std::fs::remove_dir_all(&reference).unwrap();
    }
    assert_ne!(digests[0], digests[1]);
    eprintln!("a full build of {PAGES} pages takes {full:.2?}");
    // The output starts as version 1 (the content's current text).
    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Which version the output holds, and which the content.
    let mut current = 1;
    let mut content = 1;
    assert_eq!(digest(&output), digests[current]);
    let switch_content = |to: usize, content: &mut usize| {
        if *content != to {
            set_version(&root, versions[*content], versions[to]);
            *content = to;
        }
    };

    let mut schedule: Vec<KillAt> = [0.3, 0.7].into_iter().map(KillAt::Fraction).collect();
    schedule.extend(
        [0, 20, 100, 400]
            .into_iter()
            .map(|ms| KillAt::AfterPages(Duration::from_millis(ms))),
    );
    schedule.push(KillAt::AfterSwap);
    let mut outcomes = Vec::new();
    for kill_at in schedule {
        // Build the other version.
        let next = 1 - current;
        switch_content(next, &mut content);
        let before: Vec<String> = entries(dir.path());
        let mut child = Command::new(env!("CARGO_BIN_EXE_statusref"))
            .args(["build", "--root", root.to_str().unwrap()])
            .args(["--output", output.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let spawned = Instant::now();
        match kill_at {
            KillAt::Fraction(f) => std::thread::sleep(full.mul_f64(f)),
            KillAt::AfterPages(delay) => {
                let started = Instant::now();
                while !pages_written(dir.path(), &before) && child.try_wait().unwrap().is_none() {
                    assert!(started.elapsed() < full * 10, "the build does not progress");
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::sleep(delay);
            }
            KillAt::AfterSwap => {
                let started = Instant::now();
                let page = output.join("guides/g00000/index.html");
                let new_text = format!("{} 0 links", versions[next]);
                while !std::fs::read_to_string(&page).is_ok_and(|t| t.contains(&new_text))
                    && child.try_wait().unwrap().is_none()
                {
                    assert!(started.elapsed() < full * 10, "the build does not progress");
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        // SIGKILL: no destructor, no cleanup.
        let _ = child.kill();
        let status = child.wait().unwrap();
        let now = digest(&output);
        let landed = if now == digests[current] {
            "old"
        } else if now == digests[next] {
            current = next;
            "new"
        } else {
            panic!(
                "killed at {kill_at:?} ({status}): public/ is neither the old nor the new site (exists: {})",
                output.exists()
            );
        };
        if let KillAt::AfterSwap = kill_at {
            assert_eq!(landed, "new", "the swap is atomic: once seen, it stays");
        }
        let how = if status.success() {
            "finished"
        } else {
            "killed"
        };
        outcomes.push(format!(
            "{kill_at:?}: {how}, {landed} site at {:.2?}",
            spawned.elapsed()
        ));
    }
    eprintln!("after each kill: {outcomes:#?}");

    let next = 1 - current;
    switch_content(next, &mut content);
    let out = util::build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(digest(&output), digests[next]);
    assert_eq!(
        entries(dir.path()),
        ["public", "site"],
        "debris left after a clean build"
    );
}
