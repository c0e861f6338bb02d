//! Site-wide settings from the optional `site.yaml` at the site root.
//!
//! Every key has a default, so a site root holding only `content/` builds. Unknown keys are an
//! error (a typo in a config file should never be silently ignored): `title: My codes` alone
//! is a site titled "My codes" at `/`.

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::urls;

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
    pub(crate) fn parse(text: &str) -> Result<Config, crate::yaml::YamlError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        crate::yaml::from_str(text)
    }

    /// Reads `site.yaml` from the site root, or the defaults when there is none.
    pub fn load(root: &std::path::Path) -> Result<Config, Diagnostic> {
        crate::walk::check_link_inside_root(root, std::path::Path::new("site.yaml"))?;
        let path = root.join("site.yaml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Diagnostic::cannot_read("site.yaml", &e)),
        };
        Config::from_yaml(&text)
    }

    /// Parses and checks `site.yaml` text: every error located in the file (`site.yaml`).
    /// What [`Config::load`] runs on the file it reads.
    pub fn from_yaml(text: &str) -> Result<Config, Diagnostic> {
        let config = Config::parse(text).map_err(|e| {
            let mut d = Diagnostic::error("site.yaml", &e.message);
            if let Some((line, column)) = e.location {
                d = d.at(text, line, column);
            }
            d.help("see README.md, section \"site.yaml\", for the keys and their defaults")
        })?;
        let locate = |d: Diagnostic, key: &str| match yaml_key_line(text, key) {
            Some(line) => d.at_line(text, line),
            None => d,
        };
        if let Err(e) = urls::check_base_url(&config.base_url) {
            return Err(locate(
                Diagnostic::error(
                    "site.yaml",
                    format!("`base_url` {:?} is refused: it {e}", config.base_url),
                )
                .help(BASE_URL_HELP),
                "base_url",
            ));
        }
        if let Some(edit_url) = &config.edit_url {
            if let Err(e) = urls::check_link(edit_url) {
                return Err(locate(
                    Diagnostic::error(
                        "site.yaml",
                        format!("`edit_url` {edit_url:?} is refused: it {e}"),
                    )
                    .help("write an http(s) URL, e.g. `https://github.com/o/r/edit/main/`"),
                    "edit_url",
                ));
            }
        }
        Ok(config)
    }

    /// Replaces `base_url` (with `--base-url`), checked as in `site.yaml`; the error says why
    /// a value was refused.
    pub fn override_base_url(&mut self, base_url: &str) -> Result<(), String> {
        check_base_url_flag(base_url)?;
        self.base_url = base_url.to_string();
        Ok(())
    }

    /// The path every URL starts with: `/` or `/ref/` for `https://example.org/ref/`
    /// (percent-encoded and normalised as a browser would).
    pub fn base_path(&self) -> String {
        urls::check_base_url(&self.base_url)
            .map(|base| base.path)
            .unwrap_or_else(|_| "/".to_string())
    }

    /// `https://example.org` for an absolute base URL; `None` when the site has no domain.
    pub fn origin(&self) -> Option<String> {
        urls::check_base_url(&self.base_url)
            .ok()
            .and_then(|base| base.origin)
    }
}

/// What a valid `base_url` looks like, for the help line of every refusal.
pub const BASE_URL_HELP: &str = "write an absolute http(s) URL such as `https://example.org/ref/`, or a path that starts with a single `/` such as `/ref/`";

/// Checks a `--base-url` value (the CLI's value parser): the same rule as `base_url` in
/// `site.yaml`, with the reason and the fix in the message.
pub fn check_base_url_flag(value: &str) -> Result<(), String> {
    urls::check_base_url(value)
        .map(|_| ())
        .map_err(|e| format!("{value:?} is refused: it {e}; {BASE_URL_HELP}"))
}

/// 1-based line of a top-level key in YAML text.
fn yaml_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_and_the_defaults() {
        let config = Config::parse("title: My codes\n").unwrap();
        assert_eq!(config.title, "My codes");
        assert_eq!(config.base_url, "/");
    }

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
    fn urls_in_site_yaml_are_refused_at_their_line() {
        let d = Config::from_yaml("title: x\n\nbase_url: \"/\\\\evil.com\"\n").unwrap_err();
        assert_eq!(d.line(), Some(3));
        assert!(d.message.contains("backslash"), "{}", d.message);
        let d = Config::from_yaml("edit_url: \"data:text/html,x\"\n").unwrap_err();
        assert_eq!(d.line(), Some(1));
        assert!(d.message.starts_with("`edit_url`"), "{}", d.message);
        let ok = Config::from_yaml("base_url: https://example.org/ref\n").unwrap();
        assert_eq!(ok.base_path(), "/ref/");
        let mut c = Config::default();
        assert!(c.override_base_url("//evil.com").is_err());
        assert_eq!(c.base_url, "/");
        assert!(c.override_base_url("/docs").is_ok());
        assert_eq!(c.base_path(), "/docs/");
    }

    #[test]
    fn empty_file_is_default() {
        assert_eq!(Config::parse("  \n").unwrap(), Config::default());
    }
}
