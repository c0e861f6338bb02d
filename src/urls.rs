//! URLs that authors and operators write (front matter, `site.yaml`, flags), checked before the
//! generator puts them into `href` and `src`.
//!
//! Escaping keeps a value inside its attribute; it does not stop `javascript:alert(1)` from
//! running when the link is clicked, nor `/\evil.com` from loading from another host (browsers
//! read `\` as `/`). So every such URL is parsed with the `url` crate (the WHATWG URL standard
//! that browsers implement) and only two kinds are let through: absolute `http(s)://host/…`
//! URLs and references within the site (paths, `#fragments`, `?queries`).

use url::Url;

/// Why a URL was refused; the text completes "… is refused: it …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Nothing was written.
    #[error("is empty")]
    Empty,
    /// Tabs, newlines and other control characters: browsers drop some of them silently, so
    /// `java\tscript:` is `javascript:`.
    #[error("contains a control character (tab, newline, …)")]
    Control,
    /// Spaces before or after: browsers strip them, so they hide what the URL really is.
    #[error("starts or ends with a space")]
    Space,
    /// `\`, which browsers read as `/` in http(s) URLs.
    #[error("contains a backslash, which browsers read as `/`")]
    Backslash,
    /// `//host/…`: a reference to another host.
    #[error("starts with `//`, which browsers read as another host")]
    ProtocolRelative,
    /// A scheme other than http and https (`javascript:`, `data:`, `file:`, …).
    #[error("uses the `{0}:` scheme; only http and https are allowed")]
    Scheme(String),
    /// `https:host` without the `//`.
    #[error("has a scheme but no `//` before the host")]
    NoSlashes,
    /// `user:password@` in the URL.
    #[error("contains a user name or password")]
    Credentials,
    /// A base URL with `?query` or `#fragment`.
    #[error("has a query or fragment, which a base URL cannot have")]
    QueryOrFragment,
    /// A base URL path that does not start with `/`.
    #[error("is neither an absolute http(s) URL nor a path starting with `/`")]
    NotAbsolutePath,
    /// The URL parser refused it.
    #[error("is not a valid URL ({0})")]
    Invalid(String),
    /// A relative reference that resolves to another host.
    #[error("leaves the site")]
    LeavesSite,
}

/// The host relative references are resolved against, to see where a browser would take them.
const PROBE_HOST: &str = "statusref.invalid";

fn probe_base() -> Url {
    // A constant that parses: the `url` crate's own tests cover URLs of this form.
    Url::parse("https://statusref.invalid/probe/").expect("the probe base URL is valid")
}

/// Checks a link target written by an author (`spec_url`, `edit_url`, a `head` `href`): an
/// absolute `http://` or `https://` URL with a host, or a reference within the site (`/path`,
/// `path`, `#id`, `?q`).
pub fn check_link(value: &str) -> Result<(), UrlError> {
    check_characters(value)?;
    match scheme(value) {
        Some(_) => check_absolute(value).map(|_| ()),
        None => check_relative(value).map(|_| ()),
    }
}

/// A checked base URL: where the site is deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://example.org` (scheme, host and a non-default port), for an absolute base URL.
    pub origin: Option<String>,
    /// The path every URL of the site starts with, percent-encoded and normalised, with a
    /// slash at both ends: `/` or `/ref/`.
    pub path: String,
}

/// Checks `base_url` (site.yaml or `--base-url`): an absolute http(s) URL without credentials,
/// query or fragment, or a path that starts with a single `/`.
pub fn check_base_url(value: &str) -> Result<BaseUrl, UrlError> {
    check_characters(value)?;
    let (origin, url) = match scheme(value) {
        Some(_) => {
            let url = check_absolute(value)?;
            (Some(url.origin().ascii_serialization()), url)
        }
        None if value.starts_with("//") => return Err(UrlError::ProtocolRelative),
        None if !value.starts_with('/') => return Err(UrlError::NotAbsolutePath),
        None => (None, check_relative(value)?),
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlError::QueryOrFragment);
    }
    let trimmed = url.path().trim_matches('/');
    let path = if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    };
    Ok(BaseUrl { origin, path })
}

/// Empty, control characters, surrounding spaces, backslashes.
fn check_characters(value: &str) -> Result<(), UrlError> {
    if value.is_empty() {
        return Err(UrlError::Empty);
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(UrlError::Control);
    }
    if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        return Err(UrlError::Space);
    }
    if value.contains('\\') {
        return Err(UrlError::Backslash);
    }
    Ok(())
}

/// The scheme of `value` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`, then `:`,
/// before any `/`, `?` or `#`), if it has one.
fn scheme(value: &str) -> Option<&str> {
    let end = value.find([':', '/', '?', '#'])?;
    if value.as_bytes()[end] != b':' {
        return None;
    }
    let candidate = &value[..end];
    let mut chars = candidate.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(candidate)
}

/// An absolute URL: http(s), `//` and a host, no credentials.
fn check_absolute(value: &str) -> Result<Url, UrlError> {
    let scheme = scheme(value).unwrap_or_default();
    let lower = scheme.to_ascii_lowercase();
    if lower != "http" && lower != "https" {
        return Err(UrlError::Scheme(scheme.to_string()));
    }
    if !value[scheme.len() + 1..].starts_with("//") {
        return Err(UrlError::NoSlashes);
    }
    let url = Url::parse(value).map_err(|e| UrlError::Invalid(e.to_string()))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::Invalid("no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials);
    }
    Ok(url)
}

/// A reference within the site: resolved the way a browser would, it must stay on the host.
fn check_relative(value: &str) -> Result<Url, UrlError> {
    if value.starts_with("//") {
        return Err(UrlError::ProtocolRelative);
    }
    let url = probe_base()
        .join(value)
        .map_err(|e| UrlError::Invalid(e.to_string()))?;
    if url.scheme() != "https" || url.host_str() != Some(PROBE_HOST) || url.port().is_some() {
        return Err(UrlError::LeavesSite);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_kinds_let_through() {
        assert!(check_link("https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5").is_ok());
        assert!(check_link("/guides/timeouts/").is_ok());
        assert!(check_link("javascript:alert(1)").is_err());
        assert!(check_link("/\\evil.example").is_err());
        let base = check_base_url("https://example.org/ref").unwrap();
        assert_eq!(
            (base.origin.as_deref(), base.path.as_str()),
            (Some("https://example.org"), "/ref/")
        );
    }

    #[test]
    fn links_are_http_or_within_the_site() {
        for ok in [
            "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5",
            "http://example.org",
            "HTTPS://Example.org/a?b=c",
            "/assets/x.css",
            "x.css",
            "../guides/timeouts/",
            "#meaning",
            "?q=504",
            "/a b/",
            "./javascript:alert(1)",
        ] {
            assert_eq!(check_link(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("", UrlError::Empty),
            ("javascript:alert(1)", UrlError::Scheme("javascript".into())),
            ("JaVaScRiPt:alert(1)", UrlError::Scheme("JaVaScRiPt".into())),
            (
                "javascript://%0aalert(1)",
                UrlError::Scheme("javascript".into()),
            ),
            ("data:text/html,<script>", UrlError::Scheme("data".into())),
            ("java\tscript:alert(1)", UrlError::Control),
            ("/x\n.css", UrlError::Control),
            (" javascript:alert(1)", UrlError::Space),
            ("/\\evil.com", UrlError::Backslash),
            ("\\\\evil.com", UrlError::Backslash),
            ("//evil.com/x.css", UrlError::ProtocolRelative),
            ("https:evil.com", UrlError::NoSlashes),
            ("https://user:pw@example.org/", UrlError::Credentials),
        ] {
            assert_eq!(check_link(bad), Err(why), "{bad:?}");
        }
        assert!(matches!(check_link("http://"), Err(UrlError::Invalid(_))));
        assert!(matches!(
            check_link("https://exa mple.org/"),
            Err(UrlError::Invalid(_))
        ));
    }

    #[test]
    fn base_urls_are_absolute_http_or_a_rooted_path() {
        let base = |s: &str| check_base_url(s).map(|b| (b.origin, b.path));
        assert_eq!(base("/"), Ok((None, "/".into())));
        assert_eq!(base("/docs"), Ok((None, "/docs/".into())));
        assert_eq!(base("/a b/../c/"), Ok((None, "/c/".into())));
        assert_eq!(base("/%2e%2e/x/"), Ok((None, "/x/".into())));
        assert_eq!(
            base("https://Example.org:443/ref"),
            Ok((Some("https://example.org".into()), "/ref/".into()))
        );
        assert_eq!(
            base("http://127.0.0.1:1111/"),
            Ok((Some("http://127.0.0.1:1111".into()), "/".into()))
        );
        assert_eq!(base("/\\evil.com"), Err(UrlError::Backslash));
        assert_eq!(base("//evil.com/"), Err(UrlError::ProtocolRelative));
        assert_eq!(base("docs/"), Err(UrlError::NotAbsolutePath));
        assert_eq!(base(""), Err(UrlError::Empty));
        assert_eq!(base("/a?b"), Err(UrlError::QueryOrFragment));
        assert_eq!(base("https://x.org/#a"), Err(UrlError::QueryOrFragment));
        assert_eq!(
            base("javascript://%0aalert(1)"),
            Err(UrlError::Scheme("javascript".into()))
        );
        assert_eq!(base("/docs/\u{7f}"), Err(UrlError::Control));
    }
}
