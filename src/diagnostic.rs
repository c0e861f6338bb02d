//! Located, actionable messages about the site's input.
//!
//! Every problem the build finds in content, templates or configuration becomes a
//! [`Diagnostic`]: which file, which line and column, what is wrong and how to fix it. The
//! build gathers all of them before it gives up, so an author sees every problem at once.
//!
//! [`Diagnostic::render`] writes one the way rustc does, with `annotate-snippets` (the crate
//! rustc and cargo use), in colour for a terminal ([`stderr_color`]) or as plain text.

use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

/// How bad a diagnostic is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build cannot produce a correct site while this stands.
    Error,
    /// The site builds, but the author probably meant something else.
    Warning,
}

/// One problem in one input file, with enough context to fix it without guessing.
///
/// Small on purpose (the location is boxed): it is the error type of many `Result`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Where in the file, when known (see [`Diagnostic::at`]).
    pub location: Option<Box<Location>>,
}

/// Where in its file a [`Diagnostic`] points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column (in characters) on that line.
    pub column: usize,
    /// The text of the offending line, shown under the location with a caret; an excerpt of
    /// at most [`QUOTE_MAX`] characters around the column when the line is longer, marked with
    /// `…` where it was cut. `None` when the file has no such line.
    pub source_line: Option<String>,
    /// 1-based column (in characters) of the caret in `source_line`: `column`, unless the
    /// quote is an excerpt that starts later in the line.
    pub quote_column: usize,
}

/// Longest quoted line, in characters: a 1 MB line is quoted as an excerpt around the column.
pub const QUOTE_MAX: usize = 200;

/// Terminal width given to the renderer: wide enough that it never cuts a quoted line again
/// (at most [`QUOTE_MAX`] characters plus two `…`, up to four columns each for tabs and wide
/// characters), so the output does not depend on the terminal.
const RENDER_WIDTH: usize = 10 * QUOTE_MAX;

impl Diagnostic {
    /// An error about a whole file (no line known yet; see [`Diagnostic::at`]).
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    /// A file that exists but could not be read, with the fix for the usual causes.
    pub fn cannot_read(path: impl Into<PathBuf>, e: &std::io::Error) -> Self {
        let help = match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "make the file readable by the user running statusref (e.g. `chmod u+r`)"
            }
            std::io::ErrorKind::IsADirectory => {
                "a directory has the name of a file statusref reads; rename or remove it"
            }
            _ => "check that the file exists, is a regular file and can be read",
        };
        Self::error(path, format!("cannot read: {e}")).help(help)
    }

    /// A warning about a whole file.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: path.into(),
            message: message.into(),
            help: None,
            location: None,
        }
    }

    /// Locates the diagnostic at `line`:`column` (1-based) and quotes that line of `source`.
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        let line = line.max(1);
        let column = column.max(1);
        let quoted = source
            .lines()
            .nth(line - 1)
            .map(|l| l.trim_end_matches('\r'));
        let (source_line, quote_column) = match quoted {
            Some(text) => {
                let (quote, caret) = excerpt(text, column);
                (Some(quote), caret)
            }
            None => (None, column),
        };
        self.location = Some(Box::new(Location {
            line,
            column,
            source_line,
            quote_column,
        }));
        self
    }

    /// Locates the diagnostic at a line only, quoting it.
    pub fn at_line(self, source: &str, line: usize) -> Self {
        let column = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.len() - l.trim_start().len() + 1)
            .unwrap_or(1);
        self.at(source, line, column)
    }

    /// Adds the fix.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors, which fail the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.location.as_ref().map(|l| l.line)
    }

    /// The 1-based column (in characters), when known.
    pub fn column(&self) -> Option<usize> {
        self.location.as_ref().map(|l| l.column)
    }

    /// Rewrites the path relative to `root`, so messages read `content/codes/504.md`.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }

    /// Renders like rustc (with `annotate-snippets`, as rustc and cargo do): `error: msg`,
    /// ` --> file:line:col`, the quoted line with a caret under the column, `= help: fix`.
    ///
    /// `color` adds ANSI colours, for a terminal; see [`stderr_color`]. Without it the text is
    /// plain, as [`Display`](fmt::Display) writes it.
    pub fn render(&self, color: bool) -> String {
        let renderer = renderer(color);
        let path = self.path.display().to_string();
        let title = level(self.severity).primary_title(self.message.as_str());
        let help = self.help.as_deref().map(|help| Level::HELP.message(help));
        let quote = self
            .location
            .as_deref()
            .and_then(|loc| loc.source_line.as_deref().map(|text| (loc, text)));
        let Some((loc, text)) = quote else {
            // No line to quote: the location alone.
            let mut origin = Origin::path(path.as_str());
            if let Some(loc) = &self.location {
                origin = origin.line(loc.line).char_column(loc.column);
            }
            let group = title.element(origin).elements(help);
            return renderer.render(&[group]);
        };
        let offset = text
            .char_indices()
            .nth(loc.quote_column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i);
        let snippet = Snippet::source(text)
            .line_start(loc.line)
            .path(path.as_str())
            .annotation(AnnotationKind::Primary.span(offset..offset));
        let group: Group = title.element(snippet).elements(help);
        let rendered = renderer.render(&[group]);
        // The renderer derives the column from the caret's place in the quote, which differs
        // from the real one when the quote is an excerpt of a long line (or the column lies
        // past the line's end): put the real one in the ` --> ` line.
        let shown = text[..offset].chars().count() + 1;
        if shown == loc.column {
            return rendered;
        }
        let title_lines = self.message.lines().count().max(1);
        replace_in_first_line_ending_with(
            &rendered,
            title_lines,
            &format!("{path}:{}:{shown}", loc.line),
            &format!("{path}:{}:{}", loc.line, loc.column),
        )
    }
}

impl fmt::Display for Diagnostic {
    /// The plain rendering: [`Diagnostic::render`] without colour.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// A message about no place in particular (a refused overwrite, a failed write, the build's last
/// line), rendered like a [`Diagnostic`]: `error: message`, then `= note: …` and `= help: …`
/// when given. `color` as for [`Diagnostic::render`].
pub fn render_message(
    severity: Severity,
    message: &str,
    note: Option<&str>,
    help: Option<&str>,
    color: bool,
) -> String {
    let notes = note
        .map(|note| Level::NOTE.message(note))
        .into_iter()
        .chain(help.map(|help| Level::HELP.message(help)));
    let group = Group::with_title(level(severity).primary_title(message)).elements(notes);
    renderer(color).render(&[group])
}

/// The renderer, styled (ANSI colours) or plain.
fn renderer(color: bool) -> Renderer {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.term_width(RENDER_WIDTH)
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// Whether diagnostics written to stderr should be coloured: only when stderr is a terminal,
/// and never when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn stderr_color() -> bool {
    use std::io::IsTerminal;
    wants_color(
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stderr().is_terminal(),
    )
}

/// The rule behind [`stderr_color`], apart from the environment so that it can be tested.
fn wants_color(no_color: Option<&std::ffi::OsStr>, is_terminal: bool) -> bool {
    let no_color = no_color.is_some_and(|v| !v.is_empty());
    !no_color && is_terminal
}

/// `text` with `from` replaced by `to` at the end of its first line (after the first `skip`
/// lines) that ends with `from`.
fn replace_in_first_line_ending_with(text: &str, skip: usize, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len() + to.len());
    let mut done = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.strip_suffix('\n').unwrap_or(line);
        match body.strip_suffix(from) {
            Some(head) if !done && i >= skip => {
                out.push_str(head);
                out.push_str(to);
                out.push_str(&line[body.len()..]);
                done = true;
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Characters of context quoted before the column in an excerpt.
const QUOTE_BEFORE: usize = QUOTE_MAX / 4;

/// The line as quoted, and the caret's 1-based column in it: the line itself, or when longer
/// than [`QUOTE_MAX`] characters an excerpt of that many around `column`, marked with `…` where
/// it was cut.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    if line.len() <= QUOTE_MAX || line.chars().count() <= QUOTE_MAX {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(1).saturating_sub(QUOTE_BEFORE);
    let mut text: String = line.chars().skip(start).take(QUOTE_MAX).collect();
    let mut caret = column - start;
    if start > 0 {
        text.insert(0, '…');
        caret += 1;
    }
    if line.chars().count() > start + QUOTE_MAX {
        text.push('…');
    }
    (text, caret)
}

/// The value of a stage that reports warnings on success and errors on failure, with either
/// appended to `diagnostics` (so one build reports every stage's problems together).
pub fn gather<T>(
    result: Result<(T, Vec<Diagnostic>), Vec<Diagnostic>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    match result {
        Ok((value, warnings)) => {
            diagnostics.extend(warnings);
            Some(value)
        }
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    }
}

/// 1-based (line, column) of a byte offset in `text`; the column counts characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// The closest of `candidates` to `word`, if it is close enough to be a plausible typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_files_get_a_fix_for_their_cause() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let d = Diagnostic::cannot_read("content/codes/504.md", &denied);
        assert!(d.is_error());
        assert!(d.message.starts_with("cannot read: "), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("chmod"));
        let other = std::io::Error::other("disk on fire");
        let d = Diagnostic::cannot_read("site.yaml", &other);
        assert_eq!(d.message, "cannot read: disk on fire");
        assert!(d.help.is_some());
    }

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        use std::ffi::OsStr;
        assert!(wants_color(None, true));
        assert!(
            wants_color(Some(OsStr::new("")), true),
            "an empty NO_COLOR does not count"
        );
        assert!(!wants_color(Some(OsStr::new("1")), true));
        assert!(
            !wants_color(Some(OsStr::new("0")), true),
            "any non-empty value disables"
        );
        assert!(!wants_color(None, false));
    }

    #[test]
    fn renders_like_rustc_with_caret_and_help() {
        let source = "---\ntitle: x\ndescripton: y\n---\n";
        let d = Diagnostic::warning("content/codes/504.md", "unknown key `descripton`")
            .at(source, 3, 1)
            .help("did you mean `description`?");
        assert_eq!(
            d.to_string(),
            "warning: unknown key `descripton`\n --> content/codes/504.md:3:1\n  |\n3 | descripton: y\n  | ^\n  |\n  = help: did you mean `description`?"
        );
        assert_eq!(d.render(false), d.to_string());
    }

    #[test]
    fn the_caret_sits_under_the_column() {
        let d = Diagnostic::error("templates/code.html", "template syntax error")
            .at("<h1>{{ page.heading }</h1>\n", 1, 21)
            .help("fix the Tera syntax at the caret");
        assert_eq!(
            d.to_string(),
            "error: template syntax error\n --> templates/code.html:1:21\n  |\n1 | <h1>{{ page.heading }</h1>\n  |                     ^\n  |\n  = help: fix the Tera syntax at the caret"
        );
    }

    #[test]
    fn a_whole_file_diagnostic_names_the_file() {
        let d = Diagnostic::error("content/codes/504.md", "the file is empty").help("write it");
        assert_eq!(
            d.to_string(),
            "error: the file is empty\n--> content/codes/504.md\n = help: write it"
        );
        // A line past the end of the file: located, nothing to quote.
        let d = Diagnostic::error("site.yaml", "bad").at("a: 1\n", 7, 3);
        assert_eq!(d.to_string(), "error: bad\n--> site.yaml:7:3");
    }

    #[test]
    fn a_long_line_is_quoted_as_an_excerpt_with_the_real_column() {
        let line = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let d = Diagnostic::error("content/guides/long.md", "bad X")
            .at(&format!("---\n{line}\n"), 2, 1001)
            .help("fix it");
        let text = d.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], " --> content/guides/long.md:2:1001", "{text}");
        let quote = lines[3].strip_prefix("2 | ").expect("quoted line");
        assert!(quote.starts_with('…') && quote.ends_with('…'), "{quote}");
        assert_eq!(quote.chars().count(), QUOTE_MAX + 2);
        let caret = lines[4].strip_prefix("  | ").expect("caret line");
        let at = caret.find('^').expect("caret");
        assert_eq!(quote.chars().nth(at), Some('X'), "{text}");
        assert!(text.ends_with("= help: fix it"), "{text}");
    }

    #[test]
    fn a_long_line_that_starts_with_an_ellipsis_keeps_its_caret() {
        let line = format!("…{}", "a".repeat(300));
        let d = Diagnostic::error("a.md", "here").at(&line, 1, 5);
        let text = d.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], " --> a.md:1:5", "{text}");
        assert_eq!(lines[4].find('^'), Some(4 + 4), "{text}");
    }

    #[test]
    fn a_column_past_the_end_of_the_line_is_reported_as_is() {
        let d = Diagnostic::error("a.md", "here").at("abc\n", 1, 9);
        let text = d.to_string();
        assert!(text.contains(" --> a.md:1:9\n"), "{text}");
        assert!(text.contains("1 | abc\n  |    ^"), "{text}");
    }

    #[test]
    fn any_line_renders_at_any_column_without_panicking() {
        let long = "é\t".repeat(300);
        let lines = [
            "",
            "\t\tindented",
            "a\u{1b}[31mred\u{1b}[0m",
            "e\u{301}\u{200d}\u{202e}rtl\u{2066}",
            "漢字と絵文字 👩‍👩‍👧 ok",
            "\u{0}\u{7f}\u{85}\u{2028}x",
            "…",
            long.as_str(),
        ];
        for line in lines {
            let count = line.chars().count();
            for column in 1..=count + 2 {
                let d = Diagnostic::warning("a.md", "m")
                    .at(&format!("{line}\n"), 1, column)
                    .help("h");
                let text = d.render(false);
                assert!(
                    text.contains(&format!(" --> a.md:1:{column}\n")),
                    "{column}: {text}"
                );
                assert!(text.contains('^') && text.ends_with("= help: h"), "{text}");
                let _ = d.render(true);
            }
        }
    }

    #[test]
    fn colour_only_when_asked() {
        let d = Diagnostic::error("a.md", "bad")
            .at("x: 1\n", 1, 1)
            .help("fix it");
        let coloured = d.render(true);
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
        let plain = d.render(false);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        assert_eq!(strip_ansi(&coloured), plain);
        // The real column survives colouring of an excerpted line too.
        let long = format!("{}X", "a".repeat(500));
        let d = Diagnostic::error("a.md", "bad").at(&long, 1, 501);
        assert_eq!(strip_ansi(&d.render(true)), d.render(false));
        assert!(d.render(false).contains(" --> a.md:1:501\n"));
    }

    /// `text` without ANSI SGR sequences (`ESC [ … m`).
    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn a_message_without_a_place_reads_like_a_diagnostic() {
        let text = render_message(Severity::Error, "build failed", None, None, false);
        assert_eq!(text, "error: build failed");
        let text = render_message(
            Severity::Error,
            "cannot write",
            Some("the previous output was left in place"),
            Some("check the permissions"),
            false,
        );
        assert_eq!(
            text,
            "error: cannot write\n |\n = note: the previous output was left in place\n = help: check the permissions"
        );
        let coloured = render_message(Severity::Warning, "hm", None, Some("x"), true);
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
        assert_eq!(strip_ansi(&coloured), "warning: hm\n |\n = help: x");
    }

    #[test]
    fn a_diagnostic_stays_small() {
        // It is the error type of many `Result`s (clippy::result_large_err).
        assert!(std::mem::size_of::<Diagnostic>() <= 96);
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\ncdé f";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 1000), (2, 6));
    }

    #[test]
    fn closest_suggests_typos_only() {
        let keys = ["description", "title", "related"];
        assert_eq!(closest("descripton", &keys), Some("description"));
        assert_eq!(closest("zzz", &keys), None);
    }
}
