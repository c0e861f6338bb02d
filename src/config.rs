//! Site-wide settings from the optional `site.yaml` at the site root.
//!
//! Every key has a default, so a site root holding only `content/` builds. Unknown keys are an
//! error (a typo in a config file should never be silently ignored).
//!
//! ```
//! let config = statusref::config::Config::parse("title: My codes\n").unwrap();
//! assert_eq!(config.title, "My codes");
//! assert_eq!(config.base_url, "/");
//! ```

use serde::Deserialize;

use crate::diagnostic::Diagnostic;

/// The parsed `site.yaml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site name in titles and the header. Default: `statusref`.
    pub title: String,
    /// One-sentence description for the landing page and feeds.
    /// Default: `Every HTTP status code, explained: meaning, examples, look-alikes and fixes.`
    pub description: String,
    /// Where the site is deployed: an absolute URL (`https://example.org/ref/`) gives canonical,
    /// Open Graph and sitemap URLs and moves every link under its path; `/` (the default) builds
    /// a site for the domain root without absolute URLs.
    pub base_url: String,
    /// `lang` of every page. Default: `en`.
    pub language: String,
    /// Repository URL for "Edit this page" links, e.g. `https://github.com/o/r/edit/main/`;
    /// the page's path under the site root is appended. Default: none (no edit links).
    pub edit_url: Option<String>,
    /// Codes featured on the landing page as "most looked up". Default: a list of the usual
    /// suspects (those without a page are skipped).
    pub popular: Vec<u16>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "statusref".into(),
            description:
                "Every HTTP status code, explained: meaning, examples, look-alikes and fixes."
                    .into(),
            base_url: "/".into(),
            language: "en".into(),
            edit_url: None,
            popular: vec![
                200, 301, 302, 304, 400, 401, 403, 404, 429, 500, 502, 503, 504, 524,
            ],
        }
    }
}

impl Config {
    /// Parses `site.yaml` text. An empty file is the default configuration.
    pub fn parse(text: &str) -> Result<Config, serde_yaml::Error> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        serde_yaml::from_str(text)
    }

    /// Reads `site.yaml` from the site root, or the defaults when there is none.
    pub fn load(root: &std::path::Path) -> Result<Config, Diagnostic> {
        let path = root.join("site.yaml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Diagnostic::error("site.yaml", format!("cannot read: {e}"))),
        };
        Config::parse(&text).map_err(|e| {
            let mut d = Diagnostic::error("site.yaml", yaml_message(&e));
            if let Some(loc) = e.location() {
                d = d.at(&text, loc.line(), loc.column());
            }
            d.help("see README.md, section \"site.yaml\", for the keys and their defaults")
        })
    }

    /// The path every URL starts with: `/` or `/ref/` for `https://example.org/ref/`.
    pub fn base_path(&self) -> String {
        let after_scheme = match self.base_url.split_once("://") {
            Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
            None => self.base_url.as_str(),
        };
        let trimmed = after_scheme.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_string()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// `https://example.org` for an absolute base URL; `None` when the site has no domain.
    pub fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.base_url.split_once("://")?;
        let host = rest.split('/').next().filter(|h| !h.is_empty())?;
        Some(format!("{scheme}://{host}"))
    }
}

/// serde_yaml's message without its trailing " at line X column Y" (the location is shown
/// separately).
pub(crate) fn yaml_message(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_from_absolute_and_relative_urls() {
        let mut c = Config::default();
        assert_eq!(c.base_path(), "/");
        assert_eq!(c.origin(), None);
        c.base_url = "https://example.org/ref".into();
        assert_eq!(c.base_path(), "/ref/");
        assert_eq!(c.origin().as_deref(), Some("https://example.org"));
        c.base_url = "https://example.org".into();
        assert_eq!(c.base_path(), "/");
        c.base_url = "/docs/".into();
        assert_eq!(c.base_path(), "/docs/");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Config::parse("titel: x\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `titel`"), "{err}");
    }

    #[test]
    fn empty_file_is_default() {
        assert_eq!(Config::parse("  \n").unwrap(), Config::default());
    }
}
