//! YAML in, located problems out: the only module that names the YAML crate.
//!
//! Front matter, `site.yaml`, `_family.yaml` and `framework-constants.yaml` are all read
//! through here. serde_yaml is archived upstream; a later swap to another crate must touch
//! this file only. Everything the rest of the generator needs from a YAML error is in
//! [`YamlError`]: the message without the crate's " at line X column Y" suffix, the place, and
//! for a value refused while it was read ([`refusal`]), its own message and help.

use serde::de::DeserializeOwned;

/// A parsed YAML value, for the files read in two passes (shape first, then types).
pub(crate) type Value = serde_yaml::Value;
/// A YAML mapping (the top level of front matter).
pub(crate) type Mapping = serde_yaml::Mapping;

/// Deepest `[`/`{` nesting accepted in any YAML the generator reads (serde_yaml's recursion
/// limit is 128).
pub(crate) const MAX_FLOW_NESTING: usize = 128;

/// Why a YAML text or value did not read as the type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// What is wrong, without the location (which diagnostics show separately).
    pub(crate) message: String,
    /// 1-based `(line, column)` in the YAML text, when the parser knows it.
    pub(crate) location: Option<(usize, usize)>,
    /// For a [`refusal`]: its help line; the message is then the refusal's own.
    pub(crate) help: Option<String>,
    kind: ErrorKind,
}

/// The few kinds of YAML error callers word differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    /// A mapping holds the same key twice.
    DuplicateKey,
    /// Aliases expand, or nesting goes, beyond the parser's bounds.
    Limit,
    /// A value refused by the generator's own check ([`refusal`]).
    Refusal,
    /// Anything else: syntax, or a value of the wrong type.
    Other,
}

impl YamlError {
    fn new(e: serde_yaml::Error) -> YamlError {
        let text = e.to_string();
        let message = match text.find(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let location = e.location().map(|loc| (loc.line(), loc.column()));
        if let Some((refused, help)) = split_refusal(&message) {
            return YamlError {
                message: refused.to_string(),
                location,
                help: Some(help.to_string()),
                kind: ErrorKind::Refusal,
            };
        }
        let kind = if message.contains("duplicate entry") {
            ErrorKind::DuplicateKey
        } else if message.contains("repetition limit") || message.contains("recursion limit") {
            ErrorKind::Limit
        } else {
            ErrorKind::Other
        };
        YamlError {
            message,
            location,
            help: None,
            kind,
        }
    }

    /// Whether a check of the generator's own refused the value ([`refusal`]); its message
    /// and help are then complete as they are.
    pub(crate) fn is_refusal(&self) -> bool {
        self.kind == ErrorKind::Refusal
    }

    /// Whether a mapping holds the same key twice.
    pub(crate) fn is_duplicate_key(&self) -> bool {
        self.kind == ErrorKind::DuplicateKey
    }

    /// Whether aliases or nesting went beyond the parser's bounds (a "billion laughs").
    pub(crate) fn is_limit(&self) -> bool {
        self.kind == ErrorKind::Limit
    }

    /// The field a `deny_unknown_fields` type refused (`titel` in "unknown field `titel`,
    /// expected one of …"), so callers can point at it and name the closest known one.
    pub(crate) fn unknown_field(&self) -> Option<&str> {
        let (_, rest) = self.message.split_once("unknown field `")?;
        rest.split('`').next()
    }

    /// The top-level key under which a nested value was refused (`meanings` for an error at
    /// `meanings[0].spec_ur`), from the path the parser writes before the message.
    pub(crate) fn top_key(&self) -> Option<&str> {
        let (path, _) = self.message.split_once(": ")?;
        let is_path = !path.is_empty()
            && path.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
            });
        is_path.then(|| path.split(['.', '[']).next().unwrap_or(path))
    }

    /// The location in a file whose YAML starts on 1-based line `first_line` (2 in front
    /// matter, after the opening `---`).
    pub(crate) fn file_location(&self, first_line: usize) -> Option<(usize, usize)> {
        self.location
            .map(|(line, column)| (line + first_line - 1, column))
    }
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads `yaml` as a `T`.
pub(crate) fn from_str<T: DeserializeOwned>(yaml: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(yaml).map_err(YamlError::new)
}

/// Reads an already parsed value as a `T` (errors carry no location: the caller knows where
/// the value is).
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, YamlError> {
    serde_yaml::from_value(value).map_err(YamlError::new)
}

/// Starts a refusal's text inside a serde error (see [`refusal`]).
const REFUSAL_START: char = '\u{1e}';
/// Separates a refusal's message from its help.
const REFUSAL_HELP: char = '\u{1f}';

/// An error raised inside a `Deserialize` impl that refuses a value (a bad `spec_url`, a
/// `head:` attribute), carrying its own message and help through the YAML parser, which adds
/// the position of the value; [`YamlError::is_refusal`] then tells it apart.
pub(crate) fn refusal<E: serde::de::Error>(
    message: impl std::fmt::Display,
    help: impl std::fmt::Display,
) -> E {
    E::custom(format_args!("{REFUSAL_START}{message}{REFUSAL_HELP}{help}"))
}

/// The message and help of a [`refusal`] in an error's text.
fn split_refusal(text: &str) -> Option<(&str, &str)> {
    let (_, rest) = text.split_once(REFUSAL_START)?;
    rest.split_once(REFUSAL_HELP)
}

/// How a value's type reads in a message: "a list", "a mapping"…
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A string or number as text (`120`, `"2 min"`); anything else is `None`.
pub(crate) fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A mapping's key as text, as it is written: `name`, `413`, `true`, `~`.
pub(crate) fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "~".into(),
        other => format!("{other:?}"),
    }
}

/// 1-based `(line, column)` of the first `[` or `{` nested deeper than `max` in `yaml`.
///
/// Flow nesting beyond serde_yaml's recursion limit fails anyway, but its scanner
/// (unsafe-libyaml) takes time quadratic in the depth to get there: 100,000 brackets are half
/// a minute. Callers refuse such text before the scanner sees it. Quotes and comments are not
/// skipped, on purpose: anything that looks like a quote could be a hiding place for brackets
/// the YAML scanner does see, and 128 unbalanced brackets inside strings do not happen in
/// real front matter. Linear in the length of `yaml`.
pub(crate) fn flow_nesting_beyond(yaml: &str, max: usize) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (i, line) in yaml.lines().enumerate() {
        for (j, c) in line.chars().enumerate() {
            match c {
                '[' | '{' => {
                    depth += 1;
                    if depth > max {
                        return Some((i + 1, j + 1));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Front {
        title: String,
        #[serde(default, deserialize_with = "refuse_evil")]
        link: String,
    }

    /// Refuses inside the visitor, as the generator's checks do, so the parser knows where.
    fn refuse_evil<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct Check;
        impl serde::de::Visitor<'_> for Check {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a link")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<String, E> {
                if value == "evil" {
                    return Err(refusal("`link` is evil", "write a good link"));
                }
                Ok(value.to_string())
            }
        }
        d.deserialize_str(Check)
    }

    #[test]
    fn messages_lose_the_location_suffix_which_is_kept_apart() {
        let e = from_str::<Front>("title: x\ntitel: y\n").unwrap_err();
        assert!(e.message.starts_with("unknown field `titel`"), "{e}");
        assert!(!e.message.contains(" at line "), "{e}");
        assert_eq!(e.location, Some((2, 1)));
        assert_eq!(e.file_location(2), Some((3, 1)));
        assert_eq!(e.unknown_field(), Some("titel"));
        assert_eq!(e.top_key(), None);
        assert!(!e.is_refusal() && !e.is_duplicate_key() && !e.is_limit());
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Front>,
    }

    #[test]
    fn a_nested_unknown_field_names_its_field_and_top_key() {
        let e = from_str::<Outer>("items:\n  - title: x\n    lnk: y\n").unwrap_err();
        assert_eq!(e.unknown_field(), Some("lnk"), "{e}");
        assert_eq!(e.top_key(), Some("items"), "{e}");
    }

    #[test]
    fn a_refusal_keeps_its_own_message_help_and_place() {
        let e = from_str::<Front>("title: x\nlink: evil\n").unwrap_err();
        assert!(e.is_refusal());
        assert_eq!(e.message, "`link` is evil");
        assert_eq!(e.help.as_deref(), Some("write a good link"));
        assert_eq!(e.location.map(|(line, _)| line), Some(2));
    }

    #[test]
    fn duplicate_keys_and_limits_are_told_apart() {
        let e = from_str::<Value>("a: 1\na: 2\n").unwrap_err();
        assert!(e.is_duplicate_key(), "{e}");
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let e = from_str::<Value>(&bomb).unwrap_err();
        assert!(e.is_limit(), "{e}");
    }

    #[test]
    fn kinds_scalars_and_keys_read_as_text() {
        let v: Value = from_str("{a: [1], b: 2, c: x, 3: y, true: z, ~: w}").unwrap();
        let m = v.as_mapping().unwrap();
        assert_eq!(kind(&v), "a mapping");
        assert_eq!(kind(&m[&Value::from("a")]), "a list");
        assert_eq!(scalar(&m[&Value::from("b")]).as_deref(), Some("2"));
        assert_eq!(scalar(&m[&Value::from("c")]).as_deref(), Some("x"));
        assert_eq!(scalar(&m[&Value::from("a")]), None);
        let keys: Vec<String> = m.keys().map(key_text).collect();
        assert_eq!(keys, ["a", "b", "c", "3", "true", "~"]);
    }

    #[test]
    fn flow_nesting_is_found_in_linear_time() {
        let deep = "[".repeat(100_000);
        assert_eq!(flow_nesting_beyond(&deep, MAX_FLOW_NESTING), Some((1, 129)));
        assert_eq!(flow_nesting_beyond("a: [[1], {b: [2]}]\n", 3), None);
        assert_eq!(
            flow_nesting_beyond("a: [[1], {b: [2]}]\n", 2),
            Some((1, 14))
        );
    }
}
