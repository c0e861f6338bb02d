//! Where a document stands: its code's registry status and its class, as types shared by the
//! generator (which reads them from front matter) and the search (which indexes, filters and
//! badges them), so neither side spells or re-parses the other's strings.

use std::fmt;

/// What the index holds as the status, and the `is:` flag, of a guide (which has no code).
pub(crate) const GUIDE: &str = "guide";

/// Where a status code stands: in the IANA registry, or a vendor's own use.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Registered and current.
    Official,
    /// Registered provisionally (IANA temporary registration).
    Temporary,
    /// Registered but deprecated (305 Use Proxy).
    Deprecated,
    /// Reserved, not to be used (306, 418).
    Unused,
    /// Registered, but its specification is historic (510).
    Obsolete,
    /// Not registered: a vendor's or a convention's.
    Unofficial,
}

impl Status {
    /// Every status, in the order the registry's standing weakens.
    pub const ALL: [Status; 6] = [
        Status::Official,
        Status::Temporary,
        Status::Deprecated,
        Status::Unused,
        Status::Obsolete,
        Status::Unofficial,
    ];

    /// The word used in front matter, badges' classes, filters (`is:deprecated`) and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Official => "official",
            Status::Temporary => "temporary",
            Status::Deprecated => "deprecated",
            Status::Unused => "unused",
            Status::Obsolete => "obsolete",
            Status::Unofficial => "unofficial",
        }
    }

    /// The status [`Status::as_str`] names, in any case.
    pub fn parse(word: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(word))
    }

    /// Whether the code is in the IANA registry in any standing (`is:official` matches these).
    pub fn is_registered(self) -> bool {
        self != Status::Unofficial
    }

    /// The badge shown beside the code: "Official", the vendor's name for an unofficial code,
    /// "Deprecated"…
    pub fn badge(self, vendor: Option<&str>) -> String {
        match (self, vendor) {
            (Status::Official, _) => "Official".into(),
            (Status::Unofficial, Some(vendor)) => vendor.into(),
            (Status::Unofficial, None) => "Unofficial".into(),
            (Status::Temporary, _) => "Temporary".into(),
            (Status::Deprecated, _) => "Deprecated".into(),
            (Status::Unused, _) => "Unused".into(),
            (Status::Obsolete, _) => "Obsolete".into(),
        }
    }

    /// The words `is:` filters match for a document of this status: its own, and `official`
    /// or `unofficial` besides.
    pub fn flags(self) -> &'static [&'static str] {
        match self {
            Status::Official => &["official"],
            Status::Temporary => &["temporary", "official"],
            Status::Deprecated => &["deprecated", "official"],
            Status::Unused => &["unused", "official"],
            Status::Obsolete => &["obsolete", "official"],
            Status::Unofficial => &["unofficial"],
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The group a document is listed and filtered under (`class:4xx`, `class:guide`,
/// `class:iis-codes`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Class {
    /// A class of HTTP codes by its first digit, 1 to 5: `4` is `4xx`.
    Codes(u8),
    /// A long-form guide.
    #[default]
    Guide,
    /// An entry of a content family, by the family's slug (`cloudflare-errors`).
    Family(String),
}

impl Class {
    /// The class of an HTTP code (`504` → `5xx`), or `None` outside 100..=599.
    pub fn of_code(code: u16) -> Option<Class> {
        (100..=599)
            .contains(&code)
            .then_some(Class::Codes((code / 100) as u8))
    }
}

/// `5xx`, `guide`, or the family's slug: what filters and JSON say.
impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Class::Codes(digit) => write!(f, "{digit}xx"),
            Class::Guide => f.write_str("guide"),
            Class::Family(slug) => f.write_str(slug),
        }
    }
}

impl From<Class> for String {
    fn from(class: Class) -> String {
        class.to_string()
    }
}

impl From<&str> for Class {
    /// `1xx`…`5xx` and `guide` (any case) are those classes; any other name is a family's.
    fn from(name: &str) -> Class {
        let lower = name.to_ascii_lowercase();
        match lower.as_bytes() {
            [d @ b'1'..=b'5', b'x', b'x'] => Class::Codes(d - b'0'),
            b"guide" => Class::Guide,
            _ => Class::Family(lower),
        }
    }
}

impl serde::Serialize for Class {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Class {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Class, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Class::from(name.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_their_words_and_badge() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
            assert_eq!(Status::parse(&status.as_str().to_uppercase()), Some(status));
        }
        assert_eq!(Status::parse("guide"), None);
        assert_eq!(Status::Official.badge(Some("x")), "Official");
        assert_eq!(Status::Unofficial.badge(Some("Cloudflare")), "Cloudflare");
        assert_eq!(Status::Unofficial.badge(None), "Unofficial");
        assert_eq!(Status::Deprecated.badge(None), "Deprecated");
        assert_eq!(Status::Deprecated.flags(), ["deprecated", "official"]);
        assert_eq!(Status::Unofficial.flags(), ["unofficial"]);
        assert!(Status::Unused.is_registered() && !Status::Unofficial.is_registered());
    }

    #[test]
    fn classes_read_and_write_their_names() {
        assert_eq!(Class::of_code(504), Some(Class::Codes(5)));
        assert_eq!(Class::of_code(99), None);
        assert_eq!(Class::of_code(600), None);
        for (name, class) in [
            ("5xx", Class::Codes(5)),
            ("1XX", Class::Codes(1)),
            ("guide", Class::Guide),
            ("iis-codes", Class::Family("iis-codes".into())),
            ("6xx", Class::Family("6xx".into())),
        ] {
            assert_eq!(Class::from(name), class, "{name}");
        }
        assert_eq!(Class::Codes(4).to_string(), "4xx");
        let json = serde_json::to_string(&Class::Family("cloudflare-errors".into())).unwrap();
        assert_eq!(json, "\"cloudflare-errors\"");
        let back: Class = serde_json::from_str("\"3xx\"").unwrap();
        assert_eq!(back, Class::Codes(3));
    }
}
