//! Diagrams drawn at build time from data: `{{diagram:proxy-chain}}` on a line of its own.
//!
//! The proxy chain (client → CDN → load balancer → reverse proxy → app server → database)
//! appears on the timeouts guide and on the 5xx pages it explains. Drawing it from one table
//! keeps every page's picture consistent with the others and with the sources of its numbers.
//! The picture is inline SVG (no image request), coloured by the theme's CSS custom
//! properties (`.diagram` in `assets/site.css`, light and dark), labelled for assistive
//! technology (`role="img"`, `<title>`, `<desc>`), and followed by the same data as a table
//! with each number's source and the date it was checked.

use crate::facts::{fact_html, parse_date, Fact};
use crate::markdown::escape;

/// The diagrams a page can ask for.
pub const DIAGRAMS: &[&str] = &["proxy-chain"];

/// A vendor number of the chain: value, source and the day it was checked (see
/// [`crate::facts`]).
struct Number {
    value: &'static str,
    source: &'static str,
    checked: &'static str,
    label: &'static str,
}

/// One layer of the proxy chain.
struct Layer {
    /// `highlight=` name.
    id: &'static str,
    /// What the layer is.
    name: &'static str,
    /// The product the numbers are for.
    example: &'static str,
    /// The clock that runs out.
    setting: &'static str,
    /// Its default, when the layer has a documented one.
    timeout: Option<Number>,
    /// Shown instead of a timeout when there is none to source.
    no_timeout: &'static str,
    /// What the client gets when this layer gives up: a status code, or `—`.
    gives_up: &'static str,
    /// One short line on how.
    note: &'static str,
}

const CHECKED: &str = "2026-12-01";

/// The chain, outside in. Every number was compared with its source on `checked`.
const CHAIN: &[Layer] = &[
    Layer {
        id: "client",
        name: "Client",
        example: "browser, curl, SDK",
        setting: "request timeout",
        timeout: None,
        no_timeout: "often none",
        gives_up: "hangs up",
        note: "an error of its own; the server logs 499 or 460",
    },
    Layer {
        id: "cdn",
        name: "CDN",
        example: "Cloudflare",
        setting: "proxy read timeout",
        timeout: Some(Number {
            value: "120 s",
            source: "https://developers.cloudflare.com/fundamentals/reference/connection-limits/",
            checked: CHECKED,
            label: "Cloudflare proxy read timeout",
        }),
        no_timeout: "",
        gives_up: "524",
        note: "522 when the TCP connection to the origin fails",
    },
    Layer {
        id: "load-balancer",
        name: "Load balancer",
        example: "AWS ALB",
        setting: "idle timeout",
        timeout: Some(Number {
            value: "60 s",
            source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
            checked: CHECKED,
            label: "AWS Application Load Balancer idle timeout",
        }),
        no_timeout: "",
        gives_up: "504",
        note: "502 when the target closes the connection",
    },
    Layer {
        id: "reverse-proxy",
        name: "Reverse proxy",
        example: "nginx",
        setting: "proxy_read_timeout",
        timeout: Some(Number {
            value: "60 s",
            source: "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
            checked: CHECKED,
            label: "nginx proxy_read_timeout",
        }),
        no_timeout: "",
        gives_up: "504",
        note: "502 when the upstream drops the connection",
    },
    Layer {
        id: "app",
        name: "App server",
        example: "gunicorn",
        setting: "worker --timeout",
        timeout: Some(Number {
            value: "30 s",
            source: "https://docs.gunicorn.org/en/stable/settings.html#timeout",
            checked: CHECKED,
            label: "gunicorn worker timeout",
        }),
        no_timeout: "",
        gives_up: "502",
        note: "the worker is killed; the proxy in front answers 502",
    },
    Layer {
        id: "database",
        name: "Database",
        example: "PostgreSQL",
        setting: "statement_timeout",
        timeout: Some(Number {
            value: "0 (none)",
            source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT",
            checked: CHECKED,
            label: "PostgreSQL statement_timeout",
        }),
        no_timeout: "",
        gives_up: "500",
        note: "the query is cancelled; the app decides, usually 500 or 503",
    },
];

fn fact_of(number: &Number) -> Option<Fact> {
    Some(Fact {
        value: number.value.to_string(),
        source: number.source.to_string(),
        checked: parse_date(number.checked)?,
        label: Some(number.label.to_string()),
    })
}

/// The sourced numbers a diagram shows (for the staleness check).
pub fn facts(name: &str) -> Vec<Fact> {
    if name != "proxy-chain" {
        return Vec::new();
    }
    CHAIN
        .iter()
        .filter_map(|l| l.timeout.as_ref().and_then(fact_of))
        .collect()
}

/// Checks a `{{diagram:…}}` marker: a known diagram, a known layer, alone in its paragraph.
/// The error is a message and its help.
pub fn check(name: &str, highlight: Option<&str>, alone: bool) -> Result<(), (String, String)> {
    if !DIAGRAMS.contains(&name) {
        return Err((
            format!("unknown diagram `{name}`"),
            format!("the diagrams are: {}", DIAGRAMS.join(", ")),
        ));
    }
    if let Some(layer) = highlight {
        if !CHAIN.iter().any(|l| l.id == layer) {
            let ids: Vec<&str> = CHAIN.iter().map(|l| l.id).collect();
            return Err((
                format!("diagram `{name}` has no layer `{layer}`"),
                format!("highlight one of: {}", ids.join(", ")),
            ));
        }
    }
    if !alone {
        return Err((
            format!("the diagram `{name}` must be a paragraph of its own"),
            "put `{{diagram:…}}` on a line of its own, with blank lines around it".into(),
        ));
    }
    Ok(())
}

/// Geometry of the drawing, in viewBox units (CSS pixels at the natural size).
const WIDTH: u32 = 400;
const ROW: u32 = 52;
const GAP: u32 = 22;
const TOP: u32 = 30;
const BOX_W: u32 = 176;
const RIGHT_X: u32 = 196;

/// The figure for `{{diagram:name}}`: SVG, caption and the table equivalent. `None` for an
/// unknown diagram (refused earlier by [`check`]).
pub fn html(name: &str, highlight: Option<&str>) -> Option<String> {
    if name != "proxy-chain" {
        return None;
    }
    let height = TOP + 8 + ROW * CHAIN.len() as u32 + GAP * (CHAIN.len() as u32 - 1);
    let highlighted = highlight.and_then(|id| CHAIN.iter().find(|l| l.id == id));
    let mut desc = String::from("The request passes, outside in: ");
    for (i, layer) in CHAIN.iter().enumerate() {
        if i > 0 {
            desc.push_str(", then ");
        }
        let wait = layer.timeout.as_ref().map_or(layer.no_timeout, |t| t.value);
        desc.push_str(&format!(
            "{} ({}), which waits {} ({}) and then gives up with {}",
            layer.name, layer.example, wait, layer.setting, layer.gives_up
        ));
    }
    desc.push('.');
    if let Some(layer) = highlighted {
        desc.push_str(&format!(" Highlighted: {}.", layer.name));
    }
    let mut svg = format!(
        "<svg class=\"diagram-svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"proxy-chain-title proxy-chain-desc\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"proxy-chain-title\">The proxy chain: each layer's default timeout and the code it returns when it gives up</title>\n<desc id=\"proxy-chain-desc\">{}</desc>\n",
        escape(&desc)
    );
    svg.push_str("<defs><marker id=\"proxy-chain-arrow\" viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"dg-arrowhead\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n");
    svg.push_str(&format!(
        "<text class=\"dg-head\" x=\"4\" y=\"16\">Layer, example</text><text class=\"dg-head\" x=\"{RIGHT_X}\" y=\"16\">Clock: default → code</text>\n"
    ));
    for (i, layer) in CHAIN.iter().enumerate() {
        let y = TOP + i as u32 * (ROW + GAP);
        let hl = highlight == Some(layer.id);
        svg.push_str(&format!(
            "<g class=\"dg-layer{}\">",
            if hl { " dg-hl" } else { "" }
        ));
        svg.push_str(&format!(
            "<rect class=\"dg-box\" x=\"2\" y=\"{y}\" width=\"{BOX_W}\" height=\"{ROW}\" rx=\"8\"/>"
        ));
        svg.push_str(&format!(
            "<text class=\"dg-name\" x=\"14\" y=\"{}\">{}</text>",
            y + 22,
            escape(layer.name)
        ));
        svg.push_str(&format!(
            "<text class=\"dg-example\" x=\"14\" y=\"{}\">{}</text>",
            y + 41,
            escape(layer.example)
        ));
        svg.push_str(&format!(
            "<text class=\"dg-setting\" x=\"{RIGHT_X}\" y=\"{}\">{}</text>",
            y + 20,
            escape(layer.setting)
        ));
        let wait = layer.timeout.as_ref().map_or(layer.no_timeout, |t| t.value);
        svg.push_str(&format!(
            "<text class=\"dg-wait\" x=\"{RIGHT_X}\" y=\"{}\">{}<tspan class=\"dg-then\"> → </tspan><tspan class=\"dg-code\">{}</tspan></text>",
            y + 42,
            escape(wait),
            escape(layer.gives_up)
        ));
        svg.push_str("</g>\n");
        if i + 1 < CHAIN.len() {
            let x = 2 + BOX_W / 2;
            svg.push_str(&format!(
                "<line class=\"dg-arrow\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" marker-end=\"url(#proxy-chain-arrow)\"/>\n",
                y + ROW + 2,
                y + ROW + GAP - 3
            ));
        }
    }
    svg.push_str("</svg>");

    let mut table = String::from(
        "<table>\n<thead><tr><th scope=\"col\">Layer</th><th scope=\"col\">Clock and its default</th><th scope=\"col\">Gives up with</th></tr></thead>\n<tbody>\n",
    );
    for layer in CHAIN {
        let default = match layer.timeout.as_ref().and_then(fact_of) {
            Some(fact) => {
                let (open, close) = fact_html(&fact);
                format!("{open}{}{close}", escape(&fact.value))
            }
            None => escape(layer.no_timeout),
        };
        let row_class = if highlight == Some(layer.id) {
            " class=\"dg-hl-row\""
        } else {
            ""
        };
        table.push_str(&format!(
            "<tr{row_class}><th scope=\"row\">{} <span class=\"dg-muted\">({})</span></th><td>{}: {default}</td><td><strong>{}</strong>: {}</td></tr>\n",
            escape(layer.name),
            escape(layer.example),
            escape(layer.setting),
            escape(layer.gives_up),
            escape(layer.note),
        ));
    }
    table.push_str("</tbody>\n</table>");
    let caption = match highlighted {
        Some(layer) => format!(
            "Each layer waits for the one below it; the first clock to run out decides what the client sees. Highlighted: {}, the layer this page is about.",
            layer.name
        ),
        None => "Each layer waits for the one below it; the first clock to run out decides what the client sees.".to_string(),
    };
    Some(format!(
        "<figure class=\"diagram\">\n{svg}\n<figcaption>{}</figcaption>\n<details class=\"diagram-data\"><summary>The diagram as a table, with sources</summary>\n<div class=\"table-wrap\">{table}</div>\n</details>\n</figure>\n",
        escape(&caption)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_has_an_https_source_and_a_real_date() {
        for layer in CHAIN {
            if let Some(t) = &layer.timeout {
                assert!(t.source.starts_with("https://"), "{}", layer.name);
                assert!(parse_date(t.checked).is_some(), "{}", layer.name);
            }
        }
        assert_eq!(facts("proxy-chain").len(), 5);
        assert!(facts("nope").is_empty());
    }

    #[test]
    fn markers_are_checked() {
        assert!(check("proxy-chain", None, true).is_ok());
        assert!(check("proxy-chain", Some("cdn"), true).is_ok());
        assert!(check("proxy-chain", Some("cdm"), true)
            .unwrap_err()
            .0
            .contains("no layer `cdm`"));
        assert!(check("chain", None, true)
            .unwrap_err()
            .0
            .contains("unknown diagram"));
        assert!(check("proxy-chain", None, false)
            .unwrap_err()
            .0
            .contains("paragraph of its own"));
    }

    #[test]
    fn the_figure_has_a_text_alternative_and_the_highlight() {
        let html = html("proxy-chain", Some("cdn")).expect("figure");
        assert!(html.contains("role=\"img\""));
        assert!(html.contains("<title id=\"proxy-chain-title\">"));
        assert!(html.contains(
            "CDN (Cloudflare), which waits 120 s (proxy read timeout) and then gives up with 524"
        ));
        assert_eq!(html.matches("dg-layer dg-hl").count(), 1);
        assert_eq!(html.matches("class=\"dg-hl-row\"").count(), 1);
        assert!(html.contains("viewBox=\"0 0 400 "));
        // The table carries the numbers with their sources.
        assert_eq!(html.matches("class=\"fact-src\"").count(), 5);
        assert!(html.contains("Highlighted: CDN, the layer this page is about."));
        let plain = super::html("proxy-chain", None).expect("figure");
        assert!(!plain.contains("dg-hl"));
    }
}
