//! Framework constants (`content/framework-constants.yaml`): the "In your framework" table on
//! each code page, escaped; the names in the search index; a site without the file; a page
//! without a row. The invalid files are fixtures of `build_errors` (`invalid/constants-*`).

mod util;

fn search_codes(output: &std::path::Path, query: &str) -> Vec<Option<u64>> {
    let out = util::statusref(&[
        "search",
        "--output",
        output.to_str().unwrap(),
        "--limit",
        "3",
        "--json",
        query,
    ]);
    assert!(out.status.success(), "{out:?}");
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    hits.as_array()
        .expect("array")
        .iter()
        .map(|h| h["code"].as_u64())
        .collect()
}

#[test]
fn each_code_page_shows_its_constants_escaped() {
    let (dir, root) = util::site_from_fixture("valid/constants");
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");

    let html = util::read(&output, "http-codes/413/index.html");
    let start = html
        .find(r#"<section class="frameworks""#)
        .expect("the table's section");
    let section = &html[start..start + html[start..].find("</section>").expect("end")];
    for want in [
        r#"<h2 id="frameworks-h">In your framework</h2>"#,
        "<caption>The constant for 413 Content Too Large, spelt as in each framework's source</caption>",
        r#"<th scope="col">Framework</th><th scope="col">Constant</th>"#,
        r#"<th scope="row"><a href="https://example.org/cpython/Lib/http/__init__.py" rel="noopener">Python</a> <span class="fw-api">http.<wbr>HTTPStatus</span></th>"#,
        // Names break after their separators (`.`, `::`, `\\`, `/`) in narrow columns.
        "<code>HTTPStatus.<wbr>CONTENT_TOO_LARGE</code> <span class=\"fw-details\">(3.13+; formerly <code>HTTPStatus.<wbr>REQUEST_ENTITY_TOO_LARGE</code>; the old name still works)</span>",
        "<code>:content_too_large</code>",
        // Text from the data file is escaped like all front matter.
        "Rails / Rack &lt;script&gt;",
        "formerly <code>:payload_too_large</code>; &lt;b&gt;deprecated&lt;/b&gt; &amp; warned)",
        // The month, as beside the facts, with the date for machines.
        r#"checked <time datetime="2026-12-01">Dec 2026</time>."#,
    ] {
        assert!(section.contains(want), "missing {want:?} in\n{section}");
    }
    assert!(
        !section.contains("<script>") && !section.contains("<b>"),
        "{section}"
    );

    // No ecosystem has a constant for 520: a sentence instead of a table of dashes.
    let html = util::read(&output, "http-codes/520/index.html");
    assert!(
        html.contains("None of the 2 frameworks tracked here (Python, Rails / Rack &lt;script&gt;) has a constant for 520: write the number."),
        "{html}"
    );
    assert!(!html.contains("frameworks-table"));

    // The names find their code, the current ones and the former ones.
    for query in [
        "HTTPStatus.CONTENT_TOO_LARGE",
        "REQUEST_ENTITY_TOO_LARGE",
        ":payload_too_large",
    ] {
        assert_eq!(
            search_codes(&output, query).first(),
            Some(&Some(413)),
            "{query}"
        );
    }
}

#[test]
fn a_site_without_the_file_has_no_table() {
    let (dir, root) = util::site_from_fixture("valid/constants");
    std::fs::remove_file(root.join("content/framework-constants.yaml")).unwrap();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    assert!(out.status.success(), "{out:?}");
    let html = util::read(&output, "http-codes/413/index.html");
    assert!(!html.contains("In your framework"), "{html}");
}

#[test]
fn a_code_page_without_a_row_is_a_warning() {
    let (dir, root) = util::site_from_fixture("valid/constants");
    let page = std::fs::read_to_string(root.join("content/codes/413.md"))
        .unwrap()
        .replace("413 Content Too Large", "414 URI Too Long")
        .replace("aliases: [\"Payload Too Large\"]", "");
    std::fs::write(root.join("content/codes/414.md"), page).unwrap();
    let output = dir.path().join("public");
    let out = util::build(&root, &output, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "warning: 1 code page(s) without a row: 414\n--> content/framework-constants.yaml"
        ),
        "{stderr}"
    );
    assert!(!util::read(&output, "http-codes/414/index.html").contains("In your framework"));
    assert!(util::read(&output, "http-codes/413/index.html").contains("In your framework"));
}

#[test]
fn the_dev_server_rerenders_the_pages_whose_names_changed() {
    use statusref::internals::incremental::Incremental;
    let (_dir, root) = util::site_from_fixture("valid/constants");
    let mut inc = Incremental::new(statusref::BuildOptions::new(&root));
    inc.rebuild(&Default::default()).expect("first build");
    let data = root.join("content/framework-constants.yaml");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(
        &data,
        text.replace("name: CONTENT_TOO_LARGE", "name: CONTENT_TOO_BIG"),
    )
    .unwrap();
    let outcome = inc
        .rebuild(&["content/framework-constants.yaml".to_string()].into())
        .expect("rebuild");
    let files = inc.files().expect("files");
    let page = String::from_utf8_lossy(&files["http-codes/413/index.html"]).into_owned();
    assert!(
        page.contains("<code>HTTPStatus.<wbr>CONTENT_TOO_BIG</code>"),
        "{page}"
    );
    assert!(outcome
        .changed
        .contains(&"http-codes/413/index.html".to_string()));
    assert!(!outcome
        .changed
        .contains(&"http-codes/520/index.html".to_string()));
    assert!(
        outcome.index.is_some(),
        "the names changed: the index is rebuilt"
    );

    // A broken edit is reported like in a build, and the last good site stays.
    std::fs::write(&data, text.replace("    rack: none\n", "")).unwrap();
    let Err(statusref::BuildError::Input(errors)) =
        inc.rebuild(&["content/framework-constants.yaml".to_string()].into())
    else {
        panic!("expected the missing entry to fail the rebuild");
    };
    assert!(
        errors
            .iter()
            .any(|d| d.message == "code 520 has no entry for `rack`"),
        "{errors:?}"
    );
}
