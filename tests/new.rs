//! `statusref new NNN`: the page it writes, refusing to overwrite, range checks, and that the
//! page passes `check`.

mod util;

use std::path::Path;

fn new(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", root.to_str().unwrap()]);
    util::statusref(&all)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn new_418_prefills_the_front_matter_from_the_code_list() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let out = new(&root, &["418"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "wrote content/codes/418.md (418 I'm a teapot)\nnext: replace the TODOs, then run `statusref check`\n"
    );
    let page = std::fs::read_to_string(root.join("content/codes/418.md")).unwrap();
    let front = page.split("\n---\n").next().unwrap();
    assert!(
        front.starts_with("---\ntitle: \"418 I'm a teapot\"\n"),
        "{page}"
    );
    assert!(
        front.contains("\nsource: \"RFC 9110 §15.5.19\"\n"),
        "{front}"
    );
    assert!(
        front.contains("\nspec_url: \"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.19\"\n"),
        "{front}"
    );
    assert!(front.contains("\nstatus: unused\n"), "{front}");
    assert!(front.contains("\ndescription: \"April Fools' code from RFC 2324 (HTCPCP); RFC 9110 lists 418 as (Unused)"), "{front}");
    assert!(front.contains("# class 4xx"), "{front}");
    for section in [
        "# 418 I'm a teapot",
        "## Meaning",
        "## When to Use",
        "## Example",
        "## When Not to Use",
        "## Source",
    ] {
        assert!(
            page.contains(&format!("\n{section}\n")),
            "missing {section}:\n{page}"
        );
    }
    assert!(
        page.contains(
            "```http\nGET /TODO HTTP/1.1\nHost: example.com\n\nHTTP/1.1 418 I'm a teapot\n"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "- [RFC 9110 §15.5.19](https://www.rfc-editor.org/rfc/rfc9110#section-15.5.19)"
        ),
        "{page}"
    );
}

#[test]
fn former_names_become_aliases_and_vendors_are_named() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    assert!(new(&root, &["413"]).status.success());
    let p413 = std::fs::read_to_string(root.join("content/codes/413.md")).unwrap();
    assert!(
        p413.contains("\naliases: [\"Payload Too Large\", \"Request Entity Too Large\"]\n"),
        "{p413}"
    );
    assert!(
        !p413.contains("\nstatus:"),
        "official codes need no status: {p413}"
    );

    assert!(new(&root, &["444"]).status.success());
    let p444 = std::fs::read_to_string(root.join("content/codes/444.md")).unwrap();
    assert!(
        p444.contains("\nsource: \"Unofficial (nginx)\"\n"),
        "{p444}"
    );
    assert!(p444.contains("\nvendor: \"nginx\"\n"), "{p444}");

    // Several meanings: a `meanings:` list, one `###` per meaning under Meaning.
    assert!(new(&root, &["420"]).status.success());
    let p420 = std::fs::read_to_string(root.join("content/codes/420.md")).unwrap();
    assert!(
        p420.contains("\nmeanings:\n  - name: \"Enhance Your Calm\"\n    vendor: \"Twitter\"\n"),
        "{p420}"
    );
    assert!(
        p420.contains("\n  - name: \"Method Failure\"\n    vendor: \"Spring Framework\"\n"),
        "{p420}"
    );
    assert!(
        p420.contains("\n### Method Failure (Spring Framework)\n"),
        "{p420}"
    );
}

#[test]
fn a_title_replaces_the_name() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let out = new(&root, &["418", "--title", "Short and Stout"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(root.join("content/codes/418.md")).unwrap();
    assert!(
        page.starts_with("---\ntitle: \"418 Short and Stout\"\n"),
        "{page}"
    );
}

#[test]
fn an_existing_page_is_never_overwritten() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let before = std::fs::read(root.join("content/codes/524.md")).unwrap();
    let out = new(&root, &["524"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: content/codes/524.md already exists; refusing to overwrite it\n |\n = help: edit that file, or delete it to start over\n"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read(root.join("content/codes/524.md")).unwrap(),
        before
    );
}

#[test]
fn codes_out_of_range_are_usage_errors() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let out = new(&root, &["600"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .starts_with("error: invalid value '600' for '<NNN>': 600 is not in 100..=599\n"),
        "{}",
        text(&out.stderr)
    );
    for code in ["99", "1000", "abc", "-1", "5xx"] {
        let out = new(&root, &[code]);
        assert_eq!(out.status.code(), Some(2), "{code}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).starts_with("error: "),
            "{code}: {}",
            text(&out.stderr)
        );
    }
    assert!(!root.join("content/codes/600.md").exists());
}

#[test]
fn an_unknown_code_gets_a_generic_page_with_a_todo_title() {
    let (_dir, root) = util::site_from_fixture("valid/seed");
    let out = new(&root, &["299"]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("299 is not in the built-in code list"),
        "{}",
        text(&out.stdout)
    );
    let page = std::fs::read_to_string(root.join("content/codes/299.md")).unwrap();
    assert!(
        page.starts_with("---\ntitle: \"299 TODO Reason Phrase\"\n"),
        "{page}"
    );
    assert!(page.contains("\n## When Not to Use\n"));
}

#[test]
fn new_pages_pass_check_and_build() {
    let (dir, root) = util::site_from_fixture("valid/seed");
    for code in ["418", "420", "299", "104", "306"] {
        assert!(new(&root, &[code]).status.success(), "{code}");
    }
    let out = util::statusref(&["check", "--root", root.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(
        text(&out.stdout).starts_with("checked 6 codes"),
        "{}",
        text(&out.stdout)
    );
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let teapot = util::read(&output, "http-codes/418/index.html");
    assert!(teapot.contains("<title>418 I&#39;m a teapot"), "{teapot}");
}
