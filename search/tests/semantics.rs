//! The query semantics of issue 4, checked natively on the codes.tsv corpus plus a guide.

use std::sync::OnceLock;

use statusref_search::quality::documents_from_codes_tsv;
use statusref_search::{build_bundle, Document, Hit, SearchIndex};

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/codes.tsv");
        let tsv = std::fs::read_to_string(path).expect("tests/codes.tsv");
        let mut docs = documents_from_codes_tsv(&tsv);
        docs.push(Document {
            code: None,
            title: "Debugging timeouts behind a proxy".into(),
            aliases: vec![],
            keywords: vec!["troubleshooting".into()],
            description: "How to tell 504, 524 and 408 apart.".into(),
            body: "Walk the chain from the browser to the origin: load balancer, CDN, reverse \
                   proxy, application server. Each hop has its own idle timeout."
                .into(),
            class: statusref_search::Class::Guide,
            status: None,
            vendor: None,
            url: "/guides/timeouts/".into(),
            ..Document::default()
        });
        SearchIndex::open(build_bundle(&docs).unwrap()).unwrap()
    })
}

fn search(q: &str) -> Vec<Hit> {
    index().search(q, 100).unwrap()
}

fn codes(q: &str) -> Vec<Option<u16>> {
    search(q).iter().map(|h| h.code).collect()
}

#[test]
fn a_number_puts_that_code_first() {
    assert_eq!(codes("524")[0], Some(524));
    assert_eq!(codes("404 not found")[0], Some(404));
    // Both meanings of a shared code come first.
    let hits = codes("499");
    assert_eq!(&hits[..2], &[Some(499), Some(499)]);
}

#[test]
fn two_digits_or_nnx_give_the_decade_in_order() {
    let expected: Vec<Option<u16>> = [520, 521, 522, 523, 524, 525, 526, 527, 529, 529]
        .into_iter()
        .map(Some)
        .collect();
    assert_eq!(codes("52"), expected);
    assert_eq!(codes("52x"), expected);
}

#[test]
fn nxx_gives_the_class() {
    let hits = search("5xx");
    assert!(hits.len() > 20);
    assert!(hits.iter().all(|h| h.class == "5xx"));
    assert_eq!(hits[0].code, Some(500));
    // With words, it restricts them to the class.
    let hits = search("5xx timeout");
    assert_eq!(hits[0].code, Some(504));
    assert!(hits.iter().all(|h| h.class == "5xx"), "{hits:?}");
}

#[test]
fn typos_prefixes_and_former_names() {
    assert_eq!(codes("gatway timout")[0], Some(504));
    assert_eq!(codes("unathorized")[0], Some(401));
    assert_eq!(codes("too man")[0], Some(429));
    assert_eq!(codes("gateway ti")[0], Some(504));
    assert_eq!(codes("payload too large")[0], Some(413));
    assert_eq!(codes("request entity too large")[0], Some(413));
    assert_eq!(codes("unprocessable entity")[0], Some(422));
}

#[test]
fn exact_title_first() {
    assert_eq!(codes("bad request")[0], Some(400));
    assert_eq!(codes("Not Found")[0], Some(404));
    assert_eq!(codes("this is fine")[0], Some(218));
}

#[test]
fn filters() {
    let hits = search("vendor:cloudflare");
    assert!(hits.len() >= 9);
    assert!(hits
        .iter()
        .all(|h| h.vendor.as_deref() == Some("Cloudflare")));
    let hits = search("timeout is:official");
    assert!(hits.iter().all(|h| h.status != "unofficial"), "{hits:?}");
    assert_eq!(hits[0].code, Some(408));
    let hits = search("timeout -is:unofficial class:5xx");
    assert_eq!(codes_of(&hits), [Some(504)]);
    let hits = search("vendor:microsoft-iis");
    assert!(
        !hits.is_empty()
            && hits
                .iter()
                .all(|h| h.vendor.as_deref() == Some("Microsoft IIS"))
    );
    let hits = search("class:4xx class:5xx timeout");
    assert!(hits.iter().all(|h| h.class == "4xx" || h.class == "5xx"));
    assert!(search("vendor:nobody").is_empty());
}

fn codes_of(hits: &[Hit]) -> Vec<Option<u16>> {
    hits.iter().map(|h| h.code).collect()
}

#[test]
fn guides_are_found_by_body_words() {
    let hits = search("reverse proxy hop");
    assert_eq!(hits[0].url, "/guides/timeouts/");
    assert_eq!(hits[0].badge, "Guide");
    assert_eq!(hits[0].code, None);
    assert_eq!(search("is:guide").len(), 1);
}

#[test]
fn hits_carry_badges_and_highlights() {
    let hit = &search("gatway timout")[0];
    assert_eq!(hit.url, "/http-codes/504/");
    assert_eq!(hit.badge, "Official");
    let marked: Vec<&str> = hit
        .highlights
        .iter()
        .map(|[a, b]| &hit.snippet[*a as usize..*b as usize])
        .collect();
    assert!(
        marked.contains(&"gateway"),
        "{marked:?} in {:?}",
        hit.snippet
    );
    let hit = &search("railgun")[0];
    assert_eq!(hit.badge, "Cloudflare");
    assert_eq!(hit.status, "unofficial");
}

#[test]
fn empty_and_odd_queries() {
    assert!(search("").is_empty());
    assert!(search("   ").is_empty());
    assert!(search("zzzzqqqq").is_empty());
    // Nothing panics on punctuation, quotes or non-ASCII.
    for q in [
        "\"",
        "-",
        ":",
        "class:",
        "é",
        "日本語",
        "x-forwarded-for:",
        "((",
        "*",
    ] {
        index().search(q, 10).unwrap();
    }
    assert_eq!(codes("x-forwarded-for")[0], Some(463));
}

#[test]
fn json_has_the_cli_fields() {
    let json = serde_json::to_value(&search("504")[0]).unwrap();
    for key in [
        "code",
        "title",
        "url",
        "score",
        "badge",
        "snippet",
        "highlights",
    ] {
        assert!(json.get(key).is_some(), "{key} missing in {json}");
    }
    assert_eq!(json["code"], 504);
}

#[test]
fn codes_in_pasted_text_and_numbers_that_are_not_codes() {
    assert_eq!(codes("abort(401)")[0], Some(401));
    assert_eq!(codes("res.status(409)")[0], Some(409));
    assert_eq!(codes("HTTP/1.1 413")[0], Some(413));
    assert_eq!(codes("awselb/2.0 503")[0], Some(503));
    assert_eq!(codes("status.HTTP_404_NOT_FOUND")[0], Some(404));
    assert_eq!(codes("502.5")[0], Some(502));
    // A number next to its reason phrase is that code.
    assert_eq!(codes("Not Found 404 nginx")[0], Some(404));
    // Quantities and error numbers are not codes.
    let slow = codes("cloudflare origin slow 100 seconds");
    assert_ne!(slow.first(), Some(&Some(100)), "{slow:?}");
    assert!(!codes("(110: Connection timed out)").contains(&Some(110)));
}

#[test]
fn a_pasted_page_is_ranked_by_what_it_says_beyond_its_status_line() {
    // nginx answers 400 with the text of its own 497; the text decides.
    let hits = codes("400 Bad Request The plain HTTP request was sent to HTTPS port");
    assert_eq!(hits[0], Some(497), "{hits:?}");
    assert!(hits.contains(&Some(400)));
}

#[test]
fn identifiers_find_their_code() {
    assert_eq!(codes("StatusTooManyRequests")[0], Some(429));
    assert_eq!(codes("http.StatusServiceUnavailable")[0], Some(503));
    assert_eq!(codes("HttpStatus.I_AM_A_TEAPOT")[0], Some(418));
    assert_eq!(codes(":unprocessable_entity")[0], Some(422));
}

#[test]
fn questions_weigh_by_their_content_words() {
    assert_eq!(codes("what does 429 mean")[0], Some(429));
    assert_eq!(codes("what is a gateway timeout")[0], Some(504));
    // A query of filler words only finds a name made of them, or nothing.
    assert!(search("what is the").is_empty());
    assert_eq!(codes("this is fine")[0], Some(218));
}

#[test]
fn nonsense_finds_nothing_and_common_words_are_not_typos() {
    for q in [
        "banana bread recipe",
        "weather tomorrow in paris",
        "lorem ipsum dolor sit amet",
    ] {
        assert!(search(q).is_empty(), "{q}: {:?}", codes(q));
    }
    // `bread` is an English word, not a typo of `read` (598 Network Read Timeout Error).
    assert!(!codes("bread").contains(&Some(598)));
    // A typo keeps its first letter.
    assert_eq!(codes("forbiden")[0], Some(403));
}

#[test]
fn near_ties_go_to_the_official_code() {
    // 401 Unauthorized and AWS's 561 Unauthorized have the same title.
    let hits = codes("unauthorized");
    let official = hits.iter().position(|c| *c == Some(401));
    let vendor = hits.iter().position(|c| *c == Some(561));
    assert!(official < vendor || vendor.is_none(), "{hits:?}");
}

#[test]
fn the_list_ends_where_scores_fall_off() {
    let hits = search("timeout");
    assert!(!hits.is_empty() && hits.len() < 40, "{} hits", hits.len());
    let best = hits[0].score;
    assert!(hits.iter().all(|h| h.score >= best * 0.1), "{hits:?}");
}

#[test]
fn any_input_answers_without_panic() {
    let long = "upstream timed out gatway 504 ".repeat(400);
    let controls: String = (0u8..32).map(char::from).collect();
    let wide = "日本語 ".repeat(2000);
    for q in [
        long.as_str(),
        controls.as_str(),
        wide.as_str(),
        "\u{fffd}\u{fffd} gateway",
        "((((((((((((((((((((",
        "HTTP/1.1 HTTP/1.1 HTTP/1.1",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
        "999999999999999999999999 1.2.3.4.5.6",
    ] {
        index().search(q, 50).unwrap();
    }
    assert_eq!(codes(&long)[0], Some(504));
}

#[test]
fn any_input_answers_in_bounded_time() {
    // The costliest queries: 10 KB of distinct long words, each a typo candidate that no
    // name holds (every word would be expanded by an automaton if the input were not capped),
    // 10 KB of one pasted line, and 10 KB of control characters and punctuation.
    let distinct: String = (0..1200).map(|i| format!("zqxwvu{i:04} ")).collect();
    let pasted =
        "upstream timed out (110: Connection timed out) while reading response header ".repeat(140);
    let noise: String = (0u8..128)
        .map(char::from)
        .filter(|c| !c.is_alphanumeric())
        .cycle()
        .take(10_240)
        .collect();
    for q in [&distinct, &pasted, &noise] {
        assert!(q.len() >= 10_240, "{} bytes", q.len());
        let started = std::time::Instant::now();
        let hits = index().search(q, usize::MAX).unwrap();
        let took = started.elapsed();
        // Debug builds on a shared machine: generous, yet far below what an uncapped query
        // of 1,200 typo-expanded words takes.
        assert!(took < std::time::Duration::from_secs(3), "{took:?}");
        assert!(hits.len() as u64 <= index().num_docs());
    }
    // Only the first 1024 bytes count (the crate docs): the rest changes nothing.
    assert_eq!(codes(&pasted), codes(&pasted[..1024]));
}

#[test]
fn any_limit_is_bounded_by_the_number_of_documents() {
    // Tantivy's collector allocates for its limit up front: usize::MAX overflowed its capacity
    // (a panic) and a billion tried to allocate 24 GB (an abort).
    let everything = index().num_docs() as usize;
    for limit in [usize::MAX, 1_000_000_000, everything + 1] {
        let hits = index().search("timeout", limit).unwrap();
        assert!(!hits.is_empty() && hits.len() <= everything, "{limit}");
        assert_eq!(hits, index().search("timeout", everything).unwrap());
    }
}
