//! The VitePress-style `head:` front-matter key: `[tag, {attribute: value}]` entries that go
//! into the page's `<head>`.
//!
//! Only what a reference page needs there is accepted: `meta` and `link` tags, a known set of
//! attributes for each, a known set of `rel` and `name` values, and `href`s that are http(s)
//! URLs or paths ([`crate::urls::check_link`]). Anything else (`onerror`, `http-equiv`
//! refresh, a second canonical link, `javascript:`) is refused while the YAML is read, so the
//! error points at the offending key or value in the file.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::urls;
use crate::yaml::refusal;

/// A tag for `<head>` from the `head:` key, checked against the allowed sets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeadTag {
    /// `meta` or `link`.
    pub tag: String,
    /// Attributes in the order written; names from [`META_ATTRIBUTES`] or
    /// [`LINK_ATTRIBUTES`].
    pub attrs: Vec<(String, String)>,
}

/// Attributes a `meta` tag may have.
pub const META_ATTRIBUTES: &[&str] = &["name", "property", "content", "media"];

/// Attributes a `link` tag may have.
pub const LINK_ATTRIBUTES: &[&str] = &[
    "rel", "href", "hreflang", "type", "media", "sizes", "title", "color",
];

/// `rel` values a `link` may have (each word of a space-separated list). Not `canonical`: the
/// generator writes it. Not `preload` or `modulepreload`: they fetch scripts.
pub const LINK_RELS: &[&str] = &[
    "alternate",
    "apple-touch-icon",
    "author",
    "dns-prefetch",
    "help",
    "icon",
    "license",
    "mask-icon",
    "me",
    "preconnect",
    "prefetch",
    "shortcut",
    "stylesheet",
];

/// `name` values a `meta` tag may have, besides those starting with `twitter:`.
pub const META_NAMES: &[&str] = &[
    "application-name",
    "author",
    "color-scheme",
    "description",
    "generator",
    "googlebot",
    "keywords",
    "referrer",
    "robots",
    "theme-color",
];

/// Prefixes of `property` (and `name`) values for Open Graph and similar vocabularies.
pub const META_PROPERTY_PREFIXES: &[&str] = &["og:", "article:", "twitter:"];

/// The help line for `head` entries of the wrong shape.
const SHAPE_HELP: &str =
    "write each entry as `- - meta` followed by `  - name: …` / `content: …` (VitePress form)";

/// `head:` as a list of checked tags: the `deserialize_with` of [`crate::content::FrontMatter`].
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<HeadTag>, D::Error> {
    d.deserialize_any(ListVisitor)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<HeadTag>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of `[tag, {attribute: value}]` entries")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut tags = Vec::new();
        while let Some(tag) = seq.next_element_seed(EntrySeed { n: tags.len() + 1 })? {
            tags.push(tag);
        }
        Ok(tags)
    }
}

/// One entry, `n` counting from 1 (for messages).
struct EntrySeed {
    n: usize,
}

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = HeadTag;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<HeadTag, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed {
    type Value = HeadTag;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "`head` entry {} as a `[tag, {{attribute: value}}]` list",
            self.n
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HeadTag, A::Error> {
        let n = self.n;
        let tag = seq
            .next_element_seed(TagSeed { n })?
            .ok_or_else(|| refusal(format!("`head` entry {n} is empty"), SHAPE_HELP))?;
        let attrs = seq
            .next_element_seed(AttributesSeed { n, tag })?
            .unwrap_or_default();
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(refusal(
                format!("`head` entry {n}: `<{tag}>` takes no content after its attributes"),
                SHAPE_HELP,
            ));
        }
        Ok(HeadTag {
            tag: tag.to_string(),
            attrs,
        })
    }
}

/// The tag name, first in an entry.
struct TagSeed {
    n: usize,
}

impl<'de> DeserializeSeed<'de> for TagSeed {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for TagSeed {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tag name, `meta` or `link`")
    }

    fn visit_str<E: de::Error>(self, tag: &str) -> Result<&'static str, E> {
        match tag {
            "meta" => Ok("meta"),
            "link" => Ok("link"),
            other => Err(refusal(
                format!("`head` entry {}: `<{other}>` is not allowed", self.n),
                "`head` takes `meta` and `link` tags only; scripts and styles belong in a template or asset",
            )),
        }
    }
}

/// The attribute mapping of a `tag`.
struct AttributesSeed {
    n: usize,
    tag: &'static str,
}

impl AttributesSeed {
    fn allowed(&self) -> &'static [&'static str] {
        if self.tag == "meta" {
            META_ATTRIBUTES
        } else {
            LINK_ATTRIBUTES
        }
    }
}

impl<'de> DeserializeSeed<'de> for AttributesSeed {
    type Value = Vec<(String, String)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttributesSeed {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "the attributes of `head` entry {} as a mapping, e.g. `{{name: robots, content: noindex}}`",
            self.n
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut attrs: Vec<(String, String)> = Vec::new();
        while let Some(name) = map.next_key_seed(NameSeed { seed: &self })? {
            if attrs.iter().any(|(k, _)| k == name) {
                return Err(refusal(
                    format!("`head` entry {}: attribute `{name}` is given twice", self.n),
                    "keep one of them",
                ));
            }
            let value = map.next_value_seed(ValueSeed { seed: &self, name })?;
            attrs.push((name.to_string(), value));
        }
        Ok(attrs)
    }
}

/// An attribute name: one of the tag's allowed attributes.
struct NameSeed<'a> {
    seed: &'a AttributesSeed,
}

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed<'_> {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<&'static str, E> {
        let AttributesSeed { n, tag } = *self.seed;
        let allowed = self.seed.allowed();
        if let Some(known) = allowed.iter().find(|a| **a == name) {
            return Ok(known);
        }
        let why = if name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) {
            " (event handlers run script)"
        } else {
            ""
        };
        Err(refusal(
            format!("`head` entry {n}: attribute `{name}` is not allowed on `<{tag}>`{why}"),
            format!("`<{tag}>` takes {}", allowed.join(", ")),
        ))
    }
}

/// An attribute value: a string (numbers and booleans are written as text), checked where its
/// attribute has a known set of values or is a URL.
struct ValueSeed<'a> {
    seed: &'a AttributesSeed,
    name: &'static str,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for ValueSeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a string for attribute `{}`", self.name)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        match check_value(self.seed.tag, self.name, value) {
            Ok(()) => Ok(value.to_string()),
            Err((what, help)) => Err(refusal(
                format!("`head` entry {}: {what}", self.seed.n),
                help,
            )),
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }
}

/// Checks the value of attribute `name` of a `tag`: URLs, `rel` and `name`/`property` values.
/// The error is (what is wrong, the help line).
fn check_value(tag: &str, name: &str, value: &str) -> Result<(), (String, String)> {
    let lower = value.to_ascii_lowercase();
    let prefixed = META_PROPERTY_PREFIXES.iter().any(|p| lower.starts_with(p));
    match (tag, name) {
        ("link", "href") => urls::check_link(value).map_err(|e| {
            (
                format!("`href` {value:?} is refused: it {e}"),
                "write an http(s) URL or a path, e.g. `https://example.org/feed.xml` or `/assets/extra.css`".to_string(),
            )
        }),
        ("link", "rel") => {
            let words: Vec<&str> = lower.split_ascii_whitespace().collect();
            match words.iter().find(|w| !LINK_RELS.contains(w)) {
                None if !words.is_empty() => Ok(()),
                bad => Err((
                    match bad {
                        Some(bad) => format!("`rel: {value}` is not allowed (`{bad}`)"),
                        None => "`rel` is empty".to_string(),
                    },
                    format!(
                        "rel takes {}; the generator writes the canonical link itself",
                        LINK_RELS.join(", ")
                    ),
                )),
            }
        }
        ("meta", "name") if !META_NAMES.contains(&lower.as_str()) && !prefixed => Err((
            format!("`name: {value}` is not allowed"),
            format!(
                "meta names are {}, or start with {}",
                META_NAMES.join(", "),
                META_PROPERTY_PREFIXES.join(", ")
            ),
        )),
        ("meta", "property") if !prefixed => Err((
            format!("`property: {value}` is not allowed"),
            format!(
                "meta properties start with {}",
                META_PROPERTY_PREFIXES.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Front {
        #[serde(deserialize_with = "deserialize")]
        head: Vec<HeadTag>,
    }

    fn head(yaml: &str) -> Result<Vec<HeadTag>, String> {
        crate::yaml::from_str::<Front>(yaml)
            .map(|f| f.head)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn allowed_tags_keep_their_attributes_in_order() {
        let tags = head("head:\n  - [link, {rel: shortcut icon, href: /favicon.ico, sizes: 32}]\n  - [meta, {name: Description, content: x}]\n  - [meta, {property: og:image, content: /x.png}]\n").unwrap();
        assert_eq!(tags.len(), 3);
        assert_eq!(
            tags[0].attrs,
            [
                ("rel".to_string(), "shortcut icon".to_string()),
                ("href".to_string(), "/favicon.ico".to_string()),
                ("sizes".to_string(), "32".to_string())
            ]
        );
        assert_eq!(head("head: ~\n").unwrap(), []);
    }

    #[test]
    fn refusals_say_what_and_why() {
        for (yaml, says) in [
            ("head: [[link, {rel: \"\"}]]", "`rel` is empty"),
            ("head: [[link, {rel: icon canonical}]]", "(`canonical`)"),
            ("head: [[link, {onload: x}]]", "event handlers run script"),
            ("head: [[meta, {charset: utf-8}]]", "attribute `charset`"),
            ("head: [[meta, {property: fb:x}]]", "`property: fb:x`"),
            ("head: [[style, {}]]", "`<style>` is not allowed"),
            (
                "head: [[link, {href: \"vbscript:x\"}]]",
                "`vbscript:` scheme",
            ),
        ] {
            let err = head(yaml).unwrap_err();
            assert!(err.contains(says), "{yaml}: {err}");
        }
    }
}
