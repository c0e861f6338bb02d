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
    let pages: BTreeMap<u16, &statusref::internals::site::CodePage> =
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

/// The entries each of the project's content families must have (issue 11).
const REQUIRED_ENTRIES: [(&str, &[&str]); 3] = [
    (
        "cloudflare-errors",
        &[
            "1001", "1003", "1004", "1006", "1007", "1008", "1009", "1010", "1012", "1014", "1015",
            "1016", "1018", "1019", "1020", "1023", "1033", "1034", "1035", "1036", "1037", "1101",
            "1102", "1104", "1200",
        ],
    ),
    (
        "iis-codes",
        &[
            "401.1", "401.2", "401.3", "401.4", "401.5", "403.14", "403.18", "404.0", "404.2",
            "404.3", "404.7", "404.13", "500.19", "500.21", "500.30", "500.31", "500.37", "502.3",
            "502.5", "503.0",
        ],
    ),
    ("other-codes", &["999", "0", "000"]),
];

#[test]
fn every_family_entry_meets_the_floors_and_the_required_entries_exist() {
    let rendered = built();
    let site = &rendered.site;
    let mut problems = Vec::new();
    for family in &site.families {
        for entry in family.members.iter().map(|&i| &site.entries[i]) {
            let id = format!("{}/{}", family.slug, entry.key);
            let sections: Vec<&str> = entry
                .toc
                .iter()
                .filter(|t| t.level == 2)
                .map(|t| t.title.as_str())
                .collect();
            if sections != family.sections {
                problems.push(format!(
                    "{id}: sections {sections:?}, want {:?}",
                    family.sections
                ));
            }
            if entry.word_count < 250 {
                problems.push(format!("{id}: {} words, floor 250", entry.word_count));
            }
            match entry.spec_url.as_deref() {
                Some(url) if url.starts_with("https://") && url.len() > "https://".len() => {}
                other => problems.push(format!("{id}: spec_url {other:?} is not an https URL")),
            }
            if entry.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
                problems.push(format!("{id}: no source"));
            }
            if family.http_status == statusref::internals::family::Requirement::Required
                && entry.http_status.is_none()
            {
                problems.push(format!("{id}: no http_status"));
            }
            if !entry.heading.starts_with(&format!("{} ", entry.key)) {
                problems.push(format!(
                    "{id}: the H1 {:?} does not carry the code",
                    entry.heading
                ));
            }
            if entry.description.chars().count() > 160 {
                problems.push(format!("{id}: description over 160 characters"));
            }
        }
    }
    for (slug, keys) in REQUIRED_ENTRIES {
        let Some(family) = site.families.iter().find(|f| f.slug == slug) else {
            problems.push(format!("content/{slug}/: the family is missing"));
            continue;
        };
        for key in keys {
            if !family.members.iter().any(|&i| site.entries[i].key == *key) {
                problems.push(format!("{slug}/{key}: no page"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every content file, parsed as the build parses it: (path relative to the root, page, warnings).
fn parsed_pages() -> Vec<(
    String,
    statusref::internals::content::Page,
    Vec<statusref::Diagnostic>,
)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap();
        let slug = rel.strip_prefix("content").unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        match statusref::internals::content::parse(rel, slug, &text) {
            Ok((page, warnings)) => out.push((rel.display().to_string(), page, warnings)),
            Err(errors) => panic!("{}: {errors:?}", rel.display()),
        }
    }
    out
}

/// Issue 11, item 4: every vendor number a page states is a fact with its source and check date.
/// The build already refuses a fact without source or date; here: none is declared and left
/// unused, one name means one number everywhere (a fact stated on several pages agrees), and
/// the reference keeps its sourced numbers.
#[test]
fn facts_are_used_sourced_and_agree_across_pages() {
    let pages = parsed_pages();
    let mut problems = Vec::new();
    let mut by_name: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let (mut facts, mut with_facts) = (0usize, 0usize);
    for (path, page, warnings) in &pages {
        for w in warnings {
            if w.message.contains("never used") {
                problems.push(format!("{path}: {}", w.message));
            }
        }
        if !page.facts.0.is_empty() {
            with_facts += 1;
        }
        for (name, fact) in &page.facts.0 {
            facts += 1;
            if !fact.source.starts_with("https://") {
                problems.push(format!("{path}: fact `{name}` has source {}", fact.source));
            }
            let here = (fact.value.clone(), fact.source.clone(), path.clone());
            match by_name.get(name) {
                Some((value, source, first)) if value != &fact.value || source != &fact.source => {
                    problems.push(format!(
                        "fact `{name}`: {path} says {} ({}), {first} says {value} ({source})",
                        fact.value, fact.source
                    ))
                }
                Some(_) => {}
                None => {
                    by_name.insert(name.clone(), here);
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The converted reference (2026-12-01: 94 facts on 33 pages); losing them is a regression.
    assert!(
        facts >= 94 && with_facts >= 33,
        "{facts} facts on {with_facts} pages"
    );
}

/// Units a vendor default is written in (`60 s`, `8k`, `1m`, `30,000,000 bytes`).
const UNITS: &[&str] = &[
    "s", "ms", "sec", "second", "seconds", "minute", "minutes", "hour", "hours", "b", "byte",
    "bytes", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib",
];

/// Whether `word` is a number with a unit (`60s`, `8k`), or a number followed by a unit word.
fn number_with_unit(word: &str, next: Option<&str>) -> bool {
    let word = word.trim_matches(|c: char| "`()[],.;:\"".contains(c));
    let digits = word
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(word.len());
    if digits == 0 || !word.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let unit = |u: &str| {
        UNITS.contains(
            &u.trim_matches(|c: char| "`()[],.;:\"".contains(c))
                .to_lowercase()
                .as_str(),
        )
    };
    let suffix = &word[digits..];
    if !suffix.is_empty() {
        return unit(suffix);
    }
    next.is_some_and(unit)
}

/// Prose statements of a default with a literal number ("defaults to 5 seconds", "(default
/// 60s)", "30 s by default") that are not written as `{{fact:…}}`. Fenced code and the
/// `## Source` section (citations that name the number beside its link) are not prose claims.
fn unsourced_defaults(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_code = false;
    let mut in_source = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if line.starts_with("## ") {
            in_source = line.trim() == "## Source" || line.trim() == "## Sources";
        }
        if in_code || in_source || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let lower = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            let ends_clause = |w: &str| w.ends_with(['.', ';', '!', '?']);
            let flagged = if lower.starts_with("default") {
                // The next few words of the same clause: "defaults to 5 seconds", "(default
                // 60s)", "default is 1m"; a fact ends the search.
                !ends_clause(w)
                    && (i + 1..(i + 5).min(words.len()))
                        .take_while(|&j| !words[j].contains("{{fact:"))
                        .scan(false, |ended, j| {
                            let here = (!*ended).then_some(j);
                            *ended = ends_clause(words[j]);
                            here
                        })
                        .any(|j| number_with_unit(words[j], words.get(j + 1).copied()))
            } else {
                lower == "by"
                    && words.get(i + 1).is_some_and(|n| n.starts_with("default"))
                    && i >= 1
                    && (number_with_unit(words[i - 1], None)
                        || (i >= 2 && number_with_unit(words[i - 2], Some(words[i - 1]))))
            };
            if flagged {
                found.push(line.trim().chars().take(160).collect());
                break;
            }
        }
    }
    found
}

#[test]
fn the_default_scanner_finds_literal_vendor_defaults() {
    for claim in [
        "Node.js's `server.keepAliveTimeout` defaults to 5 seconds.",
        "raise `proxy_read_timeout` (default 60s) for that location",
        "gunicorn's `--timeout` (30 s by default) kills the worker",
        "the limit is 128 MB by default",
        "`maxAllowedContentLength` defaults to 30,000,000 bytes.",
    ] {
        assert_eq!(unsourced_defaults(claim).len(), 1, "{claim}");
    }
    for fine in [
        "`proxy_read_timeout` defaults to {{fact:nginx_proxy_read_timeout}}.",
        "Most redirect helpers default to 302: `res.redirect(url)`.",
        "`limit_req_status` defaults to 503.",
        "```\nproxy_read_timeout 300s; # default 60s\n```",
        "## Source\n\nnginx docs: `proxy_read_timeout`, default 60s.",
        "quote 100 seconds, the earlier default; if you read \"100 seconds\" somewhere",
    ] {
        assert!(unsourced_defaults(fine).is_empty(), "{fine}");
    }
}

/// No page states a vendor default as a bare number: each is a fact with source and date, or
/// the text says where to look instead.
#[test]
fn no_page_states_a_vendor_default_without_its_source() {
    let mut problems = Vec::new();
    for (path, page, _) in parsed_pages() {
        for line in unsourced_defaults(page.body()) {
            problems.push(format!("{path}: {line}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
