//! The dev server's incremental rebuilds serve exactly what a full build produces: after any
//! sequence of edits (and once the background index has landed), the files of
//! `incremental::Incremental` equal `render_site`'s byte for byte.

mod util;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use statusref::internals::incremental::{Incremental, Outcome};
use statusref::{render_site, BuildError, BuildOptions};

/// The options `serve` uses: the site built for the dev server's own URL.
fn options(root: &Path) -> BuildOptions {
    let mut options = BuildOptions::new(root);
    options.base_url = Some("http://127.0.0.1:1111/".into());
    options
}

/// Rebuilds after `changed` (relative paths) and lands the index, as the server does.
fn rebuild(inc: &mut Incremental, changed: &[&str]) -> Outcome {
    let changed: BTreeSet<String> = changed.iter().map(|s| s.to_string()).collect();
    let mut outcome = match inc.rebuild(&changed) {
        Ok(outcome) => outcome,
        Err(BuildError::Input(d)) => panic!(
            "rebuild failed:\n{}",
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Err(e) => panic!("rebuild failed: {e}"),
    };
    if let Some(job) = outcome.index.take() {
        let changed = inc.apply_index(job.run()).expect("index builds");
        assert!(
            changed.iter().any(|p| p.starts_with("assets/index.")),
            "{changed:?}"
        );
    }
    assert!(!inc.index_pending());
    outcome
}

/// The incremental files equal a full build's, file for file.
fn assert_same_as_full_build(inc: &Incremental, options: &BuildOptions, step: &str) {
    let full = match render_site(options) {
        Ok(full) => full,
        Err(e) => panic!("{step}: the full build fails: {e}"),
    };
    let files = inc.files().expect("built");
    let mut ours: Vec<&String> = files.keys().collect();
    ours.sort();
    let theirs: Vec<&String> = full.files.iter().map(|(p, _)| p).collect();
    assert_eq!(ours, theirs, "{step}: the same files");
    for (path, bytes) in &full.files {
        let served = &files[path];
        assert!(
            served[..] == bytes[..],
            "{step}: {path} differs\n--- incremental\n{}\n--- full\n{}",
            String::from_utf8_lossy(served),
            String::from_utf8_lossy(bytes)
        );
    }
}

fn diagnostics(err: &BuildError) -> Vec<String> {
    match err {
        BuildError::Input(d) => d.iter().map(|d| d.to_string()).collect(),
        other => vec![other.to_string()],
    }
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = f(text.clone());
    assert_ne!(text, edited, "the edit of {rel} changes it");
    std::fs::write(path, edited).unwrap();
}

fn write(root: &Path, rel: &str, text: &str) {
    let path: PathBuf = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn any_sequence_of_edits_serves_what_a_full_build_produces() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let options = options(&root);
    let mut inc = Incremental::new(options.clone());
    let first = rebuild(&mut inc, &[]);
    assert_eq!(
        first.rendered, first.pages,
        "the first build renders everything"
    );
    assert!(first.index.is_none());
    assert_same_as_full_build(&inc, &options, "first build");

    // A body edit: the page itself and its Markdown twin (and nothing that only lists it).
    edit(&root, "content/codes/504.md", |t| {
        t.replace(
            "The proxy waited and gave up.",
            "The proxy waited, then gave up.",
        )
    });
    let outcome = rebuild(&mut inc, &["content/codes/504.md"]);
    assert_eq!(outcome.reloaded, 1);
    assert_eq!(
        outcome.changed,
        ["http-codes/504/index.html", "http-codes/504/index.html.md"],
        "{outcome:?}"
    );
    assert_same_as_full_build(&inc, &options, "body edit");

    // A title edit: the name shows on the lists, on its neighbours and on related pages.
    edit(&root, "content/codes/504.md", |t| {
        t.replace("504 Gateway Timeout\"", "504 Gateway Time-out Reached\"")
            .replace("# 504 Gateway Timeout", "# 504 Gateway Time-out Reached")
    });
    let outcome = rebuild(&mut inc, &["content/codes/504.md"]);
    assert!(outcome.rendered < outcome.pages, "{outcome:?}");
    assert!(
        outcome
            .changed
            .contains(&"http-codes/502/index.html".to_string()),
        "{outcome:?}"
    );
    assert_same_as_full_build(&inc, &options, "title edit");

    // A guide's description: the guide, the guides list and the landing page.
    edit(&root, "content/guides/timeouts.md", |t| {
        t.replace("Who times out first.", "Who times out first, and why.")
    });
    rebuild(&mut inc, &["content/guides/timeouts.md"]);
    assert_same_as_full_build(&inc, &options, "guide description");

    // A new page, then its removal.
    write(
        &root,
        "content/codes/418.md",
        "---\ntitle: \"418 I'm a teapot\"\nsource: \"RFC 9110 §15.5.19\"\nrelated: [504]\n---\n# 418 I'm a teapot\n\n## Meaning\n\nShort and stout. See [504](/http-codes/504/).\n",
    );
    let outcome = rebuild(&mut inc, &["content/codes/418.md"]);
    assert!(outcome
        .changed
        .contains(&"http-codes/418/index.html".to_string()));
    assert_same_as_full_build(&inc, &options, "new page");
    std::fs::remove_file(root.join("content/codes/418.md")).unwrap();
    let outcome = rebuild(&mut inc, &["content/codes/418.md"]);
    assert!(outcome
        .changed
        .contains(&"http-codes/418/index.html".to_string()));
    assert_same_as_full_build(&inc, &options, "page removed");

    // A new guide (the guides count is on every page).
    write(
        &root,
        "content/guides/retries.md",
        "---\ntitle: \"Retrying safely\"\ndescription: \"When a retry helps.\"\n---\n# Retrying safely\n\nSee [504](/http-codes/504/#meaning).\n",
    );
    rebuild(&mut inc, &["content/guides/retries.md"]);
    assert_same_as_full_build(&inc, &options, "new guide");

    // A draft made public.
    edit(&root, "content/guides/draft.md", |t| {
        t.replace("draft: true", "draft: false")
    });
    rebuild(&mut inc, &["content/guides/draft.md"]);
    assert_same_as_full_build(&inc, &options, "draft published");

    // A template override, edited, then removed.
    write(
        &root,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>custom 404</p>{% endblock main %}",
    );
    let outcome = rebuild(&mut inc, &["templates/404.html"]);
    assert_eq!(outcome.changed, ["404.html"], "{outcome:?}");
    assert_same_as_full_build(&inc, &options, "template added");
    let code = std::fs::read_to_string(util::repo_root().join("templates/code.html")).unwrap();
    write(
        &root,
        "templates/code.html",
        &code.replace(
            "{{ page.html | safe }}",
            "<div class=\"x\">{{ page.html | safe }}</div>",
        ),
    );
    rebuild(&mut inc, &["templates/code.html"]);
    assert_same_as_full_build(&inc, &options, "template edited");
    std::fs::remove_file(root.join("templates/code.html")).unwrap();
    rebuild(&mut inc, &["templates/code.html"]);
    assert_same_as_full_build(&inc, &options, "template removed");

    // An asset (renamed by its fingerprint on every page) and site.yaml.
    let css = std::fs::read_to_string(util::repo_root().join("assets/site.css")).unwrap();
    write(
        &root,
        "assets/site.css",
        &format!("{css}\n.x {{ color: red; }}\n"),
    );
    rebuild(&mut inc, &["assets/site.css"]);
    assert_same_as_full_build(&inc, &options, "asset edited");
    edit(&root, "site.yaml", |t| {
        t.replace("Test Codes", "Renamed Codes")
    });
    rebuild(&mut inc, &["site.yaml"]);
    assert_same_as_full_build(&inc, &options, "site.yaml edited");

    // A broken edit fails like a full build and changes nothing; the fix builds again.
    let good = std::fs::read_to_string(root.join("content/codes/502.md")).unwrap();
    write(
        &root,
        "content/codes/502.md",
        &good.replacen("title:", "title: [", 1),
    );
    let before = inc.files().unwrap();
    let err = inc
        .rebuild(&["content/codes/502.md".to_string()].into())
        .expect_err("broken YAML");
    let Err(full_err) = render_site(&options) else {
        panic!("the full build fails too")
    };
    assert_eq!(diagnostics(&err), diagnostics(&full_err));
    assert!(std::sync::Arc::ptr_eq(&before, &inc.files().unwrap()));
    write(&root, "content/codes/502.md", &good);
    rebuild(&mut inc, &["content/codes/502.md"]);
    assert_same_as_full_build(&inc, &options, "fixed");

    // An edit with no effect on the output.
    let outcome = rebuild(&mut inc, &["content/codes/502.md"]);
    assert!(outcome.changed.is_empty(), "{outcome:?}");
    assert_eq!(outcome.rendered, 0);
}

#[test]
fn a_stale_index_is_never_served() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    let options = options(&root);
    let mut inc = Incremental::new(options.clone());
    rebuild(&mut inc, &[]);
    let search_page = |inc: &Incremental| {
        String::from_utf8(inc.files().unwrap()["http-codes/index.html"].to_vec()).unwrap()
    };
    let served_index = |inc: &Incremental| {
        let files = inc.files().unwrap();
        let mut names: Vec<String> = files
            .keys()
            .filter(|k| k.starts_with("assets/index."))
            .cloned()
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        names.remove(0)
    };
    let index0 = served_index(&inc);
    assert!(search_page(&inc).contains(&format!("data-index=\"/{index0}\"")));

    // Two edits, two index jobs; the first lands last and is ignored.
    edit(&root, "content/codes/504.md", |t| {
        t.replace("When an upstream is too slow.", "When an upstream is slow.")
    });
    let first = inc
        .rebuild(&["content/codes/504.md".to_string()].into())
        .unwrap();
    let job1 = first.index.expect("the body changed: a new index");
    assert!(inc.index_pending());
    // Until the index lands, the previous one is served and linked.
    assert_eq!(served_index(&inc), index0);
    assert!(search_page(&inc).contains(&format!("data-index=\"/{index0}\"")));
    edit(&root, "content/codes/524.md", |t| {
        format!("{t}\nOne more line.\n")
    });
    let second = inc
        .rebuild(&["content/codes/524.md".to_string()].into())
        .unwrap();
    let job2 = second.index.expect("a newer index");
    let result1 = job1.run();
    let result2 = job2.run();
    assert!(inc.apply_index(result2).unwrap().len() >= 2);
    assert!(inc.apply_index(result1).unwrap().is_empty(), "stale");
    let index2 = served_index(&inc);
    assert_ne!(index2, index0);
    assert!(search_page(&inc).contains(&format!("data-index=\"/{index2}\"")));
    assert_same_as_full_build(&inc, &options, "after two index jobs");

    // An edit undone before its index lands: the pending index is dropped.
    let original = std::fs::read_to_string(root.join("content/codes/502.md")).unwrap();
    write(
        &root,
        "content/codes/502.md",
        &format!("{original}\nTemporary.\n"),
    );
    let job = inc
        .rebuild(&["content/codes/502.md".to_string()].into())
        .unwrap()
        .index
        .expect("index job");
    write(&root, "content/codes/502.md", &original);
    let undone = inc
        .rebuild(&["content/codes/502.md".to_string()].into())
        .unwrap();
    assert!(undone.index.is_none(), "back to the served index");
    assert!(!inc.index_pending());
    assert!(inc.apply_index(job.run()).unwrap().is_empty());
    assert_eq!(served_index(&inc), index2);
    assert_same_as_full_build(&inc, &options, "edit undone");
}

#[test]
fn family_edits_serve_what_a_full_build_produces() {
    let (_dir, root) = util::site_from_fixture("valid/families");
    let options = options(&root);
    let mut inc = Incremental::new(options.clone());
    rebuild(&mut inc, &[]);
    assert_same_as_full_build(&inc, &options, "first build");

    // An entry's name shows on its neighbours, its family's list and the pages relating it.
    edit(&root, "content/cloudflare-errors/1015.md", |t| {
        t.replace("You Are Being Rate Limited", "Rate Limited")
    });
    let outcome = rebuild(&mut inc, &["content/cloudflare-errors/1015.md"]);
    for page in [
        "cloudflare-errors/1015/index.html",
        "cloudflare-errors/1020/index.html",
        "cloudflare-errors/index.html",
    ] {
        assert!(
            outcome.changed.contains(&page.to_string()),
            "{page}: {outcome:?}"
        );
    }
    assert!(outcome.rendered < outcome.pages, "{outcome:?}");
    assert_same_as_full_build(&inc, &options, "entry title edit");

    // A new entry, then `_family.yaml` renamed: the nav of every page changes.
    write(
        &root,
        "content/other-codes/998.md",
        &std::fs::read_to_string(root.join("content/other-codes/999.md"))
            .unwrap()
            .replace("999", "998"),
    );
    rebuild(&mut inc, &["content/other-codes/998.md"]);
    assert_same_as_full_build(&inc, &options, "new entry");
    edit(&root, "content/other-codes/_family.yaml", |t| {
        t.replace(
            "name: \"Codes outside the HTTP registry\"",
            "name: \"Odd codes\"",
        )
    });
    rebuild(&mut inc, &["content/other-codes/_family.yaml"]);
    let files = inc.files().unwrap();
    assert!(String::from_utf8_lossy(&files["index.html"]).contains("Odd codes"));
    assert_same_as_full_build(&inc, &options, "family renamed");
}

/// Pages that show the index's URL through a partial shared by other templates (so any page
/// may show it) are rendered again, not patched, when a new index lands.
#[test]
fn pages_showing_the_index_through_a_shared_partial_follow_each_new_index() {
    let (_dir, root) = util::site_from_fixture("valid/small");
    write(
        &root,
        "templates/partials/index-meta.html",
        "<meta name=\"x-index\" content=\"{{ assets['index.bin'] | upper }}\">\n",
    );
    write(
        &root,
        "templates/guide.html",
        "{% extends \"base.html\" %}{% block main %}{% include \"partials/index-meta.html\" %}<h1>{{ page.heading }}</h1>{% endblock main %}",
    );
    let options = options(&root);
    let mut inc = Incremental::new(options.clone());
    rebuild(&mut inc, &[]);
    assert_same_as_full_build(&inc, &options, "first build");

    edit(&root, "content/codes/504.md", |t| {
        t.replace("When an upstream is too slow.", "When an upstream is slow.")
    });
    let outcome = inc
        .rebuild(&["content/codes/504.md".to_string()].into())
        .unwrap();
    let job = outcome.index.expect("the body changed: a new index");
    let changed = inc.apply_index(job.run()).expect("index builds");
    assert!(
        changed.contains(&"guides/timeouts/index.html".to_string()),
        "{changed:?}"
    );
    assert_same_as_full_build(&inc, &options, "after the index landed");
}
