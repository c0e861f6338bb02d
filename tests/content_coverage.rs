//! The project's own reference is complete and deep: a page for every code and meaning in
//! `tests/codes.tsv` (a copy of shared/codes.tsv), word floors for top codes and guides, every
//! link resolving (the build checks them), no page citing the obsoleted RFC 7231 as its source.

use std::collections::BTreeMap;

use statusref::{render_site, BuildOptions};

/// Codes whose pages reach the depth of a long-form article.
const TOP_CODES: [u16; 31] = [
    200, 201, 204, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 409, 410, 413, 415, 418, 422,
    429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526,
];

struct Row {
    code: u16,
    name: String,
    kind: String,
    vendor: String,
    former_names: Vec<String>,
}

fn rows() -> Vec<Row> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/codes.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                code: f[0].parse().unwrap(),
                name: f[1].to_string(),
                kind: f[3].to_string(),
                vendor: f[4].to_string(),
                former_names: f[7]
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

fn norm(s: &str) -> String {
    s.replace('’', "'").to_lowercase()
}

fn built() -> statusref::Rendered {
    let options = BuildOptions::new(env!("CARGO_MANIFEST_DIR"));
    match render_site(&options) {
        Ok(rendered) => rendered,
        Err(statusref::BuildError::Input(d)) => {
            panic!(
                "{}",
                d.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n\n")
            )
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_code_and_meaning_of_the_code_list_has_its_page() {
    let rendered = built();
    assert!(
        rendered.warnings.is_empty(),
        "the reference builds without warnings: {:#?}",
        rendered.warnings
    );
    let pages: BTreeMap<u16, &statusref::site::CodePage> =
        rendered.site.codes.iter().map(|c| (c.code, c)).collect();
    let mut problems = Vec::new();
    for row in rows() {
        let Some(page) = pages.get(&row.code) else {
            problems.push(format!("{}: no page", row.code));
            continue;
        };
        let Some(meaning) = page
            .meanings
            .iter()
            .find(|m| norm(&m.name) == norm(&row.name))
        else {
            problems.push(format!(
                "{}: no meaning named {:?} (has {:?})",
                row.code,
                row.name,
                page.meanings.iter().map(|m| &m.name).collect::<Vec<_>>()
            ));
            continue;
        };
        if meaning.status.as_str() != row.kind {
            problems.push(format!(
                "{} {}: status {} but the code list says {}",
                row.code,
                row.name,
                meaning.status.as_str(),
                row.kind
            ));
        }
        if !row.vendor.is_empty() && meaning.vendor.as_deref() != Some(row.vendor.as_str()) {
            problems.push(format!(
                "{} {}: vendor {:?}, want {:?}",
                row.code, row.name, meaning.vendor, row.vendor
            ));
        }
        for former in &row.former_names {
            let known = page
                .aliases
                .iter()
                .chain(&meaning.aliases)
                .any(|a| norm(a) == norm(former));
            if !known {
                problems.push(format!(
                    "{}: former name {former:?} missing from aliases",
                    row.code
                ));
            }
            if !norm(&page.plain_text).contains(&norm(former)) {
                problems.push(format!(
                    "{}: former name {former:?} not mentioned in the text",
                    row.code
                ));
            }
        }
        if page.description.chars().count() > 160 {
            problems.push(format!("{}: description over 160 characters", row.code));
        }
    }
    let listed: std::collections::BTreeSet<u16> = rows().iter().map(|r| r.code).collect();
    for code in pages.keys() {
        if !listed.contains(code) {
            problems.push(format!("{code}: page for a code not in the code list"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn pages_and_guides_meet_their_word_floors() {
    let rendered = built();
    let mut problems = Vec::new();
    for page in &rendered.site.codes {
        let floor = if TOP_CODES.contains(&page.code) {
            1000
        } else {
            250
        };
        if page.word_count < floor {
            problems.push(format!(
                "{}: {} words, floor {floor}",
                page.code, page.word_count
            ));
        }
        let sections: Vec<&str> = page
            .toc
            .iter()
            .filter(|t| t.level == 2)
            .map(|t| t.title.as_str())
            .take(5)
            .collect();
        if sections
            != [
                "Meaning",
                "When to Use",
                "Example",
                "When Not to Use",
                "Source",
            ]
        {
            problems.push(format!("{}: first sections are {sections:?}", page.code));
        }
        if !page.html.contains("class=\"code http\"") {
            problems.push(format!("{}: no fenced http example", page.code));
        }
    }
    let guides: Vec<_> = rendered.site.guides().collect();
    assert!(guides.len() >= 3, "at least three guides");
    for guide in guides {
        if guide.word_count < 1500 {
            problems.push(format!(
                "{}: {} words, floor 1500",
                guide.slug, guide.word_count
            ));
        }
    }
    for top in TOP_CODES {
        let page = rendered
            .site
            .codes
            .iter()
            .find(|c| c.code == top)
            .expect("top code page");
        let has_table = page.html.contains("<table>");
        let has_faq = page
            .toc
            .iter()
            .any(|t| t.title.to_lowercase().contains("faq"));
        if !has_table || !has_faq {
            problems.push(format!(
                "{top}: deep page lacks a comparison table ({has_table}) or FAQ ({has_faq})"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_page_cites_rfc_7231_as_current() {
    let rendered = built();
    for page in &rendered.site.codes {
        for m in &page.meanings {
            let cited = format!("{:?} {:?}", m.source, m.spec_url);
            assert!(
                !cited.contains("7231"),
                "{}: cites RFC 7231 as its source: {cited}",
                page.code
            );
        }
        assert!(
            !page.html.contains("rfc7231"),
            "{}: links RFC 7231",
            page.code
        );
    }
    for article in &rendered.site.articles {
        assert!(
            !article.html.contains("rfc7231"),
            "{}: links RFC 7231",
            article.slug
        );
    }
}

#[test]
fn the_seed_form_of_524_is_kept() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/content/codes/524.md"))
            .unwrap();
    assert!(text.starts_with("---\nlayout: doc\n"));
    assert!(text.contains("\nhead:\n"));
    assert!(text.trim_end().ends_with("← Back to Search</a>\n</div>"));
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/valid/seed/content/codes/524.md"
    ))
    .unwrap();
    let block = &seed[seed.find("<div style=\"margin-top: 40px;\">").unwrap()..];
    assert!(
        text.ends_with(block),
        "the Back to Search block is the seed's, verbatim"
    );
}
