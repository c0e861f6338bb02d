//! The module's JSON output, written by hand: a few fixed shapes (hits, chunk names, errors),
//! so no serializer is linked into the wasm. The bytes match what `serde_json` writes for
//! [`Hit`] (the tests check that natively).

use std::fmt::Write;

use statusref_search::Hit;

/// Appends `text` as a JSON string: quotes, backslashes and control characters escaped as
/// serde_json does (`\n`, `\t`, …, `\u00XX`), everything else as UTF-8.
pub fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn opt_string(out: &mut String, text: Option<&str>) {
    match text {
        Some(text) => string(out, text),
        None => out.push_str("null"),
    }
}

/// A score as serde_json (ryu) writes an `f32`: the shortest digits that read back the same
/// (Rust's formatting gives the same digits), in decimal from 1e-6 up to 1e13 with `.0` on
/// whole numbers, else in exponent form (`1e-7`, `3.4e+38`); `null` for NaN and infinities.
fn score(out: &mut String, value: f32) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-6..1e13).contains(&magnitude) {
        let start = out.len();
        let _ = write!(out, "{value:e}");
        // ryu writes `3.4e+38` where Rust writes `3.4e38`.
        if let Some(e) = out[start..].find('e') {
            if out.as_bytes().get(start + e + 1) != Some(&b'-') {
                out.insert(start + e + 1, '+');
            }
        }
        return;
    }
    let start = out.len();
    let _ = write!(out, "{value}");
    if !out[start..].contains('.') {
        out.push_str(".0");
    }
}

/// A JSON array of hits, field for field as `serde_json::to_string(&hits)`.
pub fn hits(hits: &[Hit]) -> String {
    let mut out = String::with_capacity(64 + hits.len() * 256);
    out.push('[');
    for (i, hit) in hits.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"code\":");
        match hit.code {
            Some(code) => {
                let _ = write!(out, "{code}");
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"title\":");
        string(&mut out, &hit.title);
        out.push_str(",\"url\":");
        string(&mut out, &hit.url);
        out.push_str(",\"score\":");
        score(&mut out, hit.score);
        out.push_str(",\"class\":");
        string(&mut out, &hit.class);
        out.push_str(",\"status\":");
        string(&mut out, &hit.status);
        out.push_str(",\"vendor\":");
        opt_string(&mut out, hit.vendor.as_deref());
        out.push_str(",\"badge\":");
        string(&mut out, &hit.badge);
        out.push_str(",\"snippet\":");
        string(&mut out, &hit.snippet);
        out.push_str(",\"highlights\":[");
        for (j, [start, end]) in hit.highlights.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "[{start},{end}]");
        }
        out.push_str("],\"key\":");
        opt_string(&mut out, hit.key.as_deref());
        out.push_str(",\"http_status\":");
        match hit.http_status {
            Some(status) => {
                let _ = write!(out, "{status}");
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"family\":");
        opt_string(&mut out, hit.family.as_deref());
        out.push('}');
    }
    out.push(']');
    out
}

/// `{"need":["name",…]}`: the chunks a search must fetch before it can answer.
pub fn need(names: &[String]) -> String {
    let mut out = String::from("{\"need\":[");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(&mut out, name);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(title: &str, score: f32, vendor: Option<&str>) -> Hit {
        Hit {
            code: Some(504),
            title: title.into(),
            url: "/http-codes/504/".into(),
            score,
            class: "5xx".into(),
            status: "official".into(),
            vendor: vendor.map(str::to_string),
            badge: "Official".into(),
            snippet: "A \"gateway\" \\ timed out\n\t\u{1}\u{7f}é€😀".into(),
            highlights: vec![[2, 11], [20, 25]],
            key: None,
            http_status: None,
            family: None,
        }
    }

    #[test]
    fn hits_match_serde_json() {
        let mut guide = hit("Guide: \u{1b}[31m", 0.0, None);
        guide.code = None;
        guide.highlights.clear();
        let mut entry = hit("500.19 Configuration \"Data\"", 3.5, Some("Microsoft"));
        entry.code = None;
        entry.key = Some("500.19".into());
        entry.http_status = Some(500);
        entry.family = Some("IIS sub-status code".into());
        for hits in [
            vec![],
            vec![hit("504 Gateway Timeout", 12.345_678, Some("nginx"))],
            vec![
                hit("a", 1.0, None),
                hit("b", 1e-7, None),
                hit("c", 3.4e38, Some("x")),
                hit("d", 100.0, None),
                hit("d2", 0.000_012_5, None),
                hit("d3", -0.0, None),
                hit("d4", 123_456.79, None),
                hit("e", f32::NAN, None),
                hit("f", f32::INFINITY, None),
                guide,
                entry,
            ],
        ] {
            assert_eq!(hits_json(&hits), serde_json::to_string(&hits).unwrap());
        }
    }

    fn hits_json(h: &[Hit]) -> String {
        hits(h)
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for text in [
            "",
            "plain",
            "\"q\" \\ /",
            "\u{0}\u{1f}\u{7f}\u{2028}",
            "lone \u{fffd}",
        ] {
            let mut out = String::new();
            string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap());
        }
        assert_eq!(need(&["ab".into(), "cd".into()]), r#"{"need":["ab","cd"]}"#);
    }
}
