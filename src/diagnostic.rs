//! Located, actionable messages about the site's input.
//!
//! Every problem the build finds in content, templates or configuration becomes a
//! [`Diagnostic`]: which file, which line and column, what is wrong and how to fix it. The
//! build gathers all of them before it gives up, so an author sees every problem at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build cannot produce a correct site while this stands.
    Error,
    /// The site builds, but the author probably meant something else.
    Warning,
}

/// One problem in one input file, with enough context to fix it without guessing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line, when known.
    pub column: Option<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The text of the offending line, shown under the location with a caret; an excerpt of
    /// at most [`QUOTE_MAX`] characters around the column when the line is longer.
    pub source_line: Option<String>,
}

/// Longest quoted line, in characters: a 1 MB line is quoted as an excerpt around the column.
pub const QUOTE_MAX: usize = 200;

impl Diagnostic {
    /// An error about a whole file (no line known yet; see [`Diagnostic::at`]).
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    /// A warning about a whole file.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// Locates the diagnostic at `line`:`column` (1-based) and quotes that line of `source`.
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        let quoted = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r'));
        self.source_line = quoted.map(|l| excerpt(l, column.max(1)));
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

    /// Rewrites the path relative to `root`, so messages read `content/codes/504.md`.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Renders like rustc: `error: msg`, ` --> file:line:col`, the line with a caret, `help:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        let location = match (self.line, self.column) {
            (Some(line), Some(col)) => format!("{}:{line}:{col}", self.path.display()),
            (Some(line), None) => format!("{}:{line}", self.path.display()),
            _ => self.path.display().to_string(),
        };
        let gutter = self.line.map(|l| l.to_string().len()).unwrap_or(1);
        let pad = " ".repeat(gutter);
        write!(f, "{pad}--> {location}")?;
        if let (Some(line), Some(text)) = (self.line, &self.source_line) {
            write!(f, "\n{pad} |\n{line} | {text}")?;
            if let Some(col) = self.column.map(|col| caret_column(text, col)) {
                let indent: String = text
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {indent}^")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Characters of context quoted before the column in an excerpt.
const QUOTE_BEFORE: usize = QUOTE_MAX / 4;

/// The line as quoted: itself, or when longer than [`QUOTE_MAX`] characters an excerpt of that
/// many around `column`, marked with `…` where it was cut.
fn excerpt(line: &str, column: usize) -> String {
    if line.len() <= QUOTE_MAX || line.chars().count() <= QUOTE_MAX {
        return line.to_string();
    }
    let start = column.saturating_sub(1).saturating_sub(QUOTE_BEFORE);
    let mut text: String = line.chars().skip(start).take(QUOTE_MAX).collect();
    if start > 0 {
        text.insert(0, '…');
    }
    if line.chars().count() > start + QUOTE_MAX {
        text.push('…');
    }
    text
}

/// The caret's column in a quoted line: `column`, unless [`excerpt`] cut the line's start, which
/// leaves the column right after the `…` and [`QUOTE_BEFORE`] characters.
fn caret_column(quoted: &str, column: usize) -> usize {
    let cut_at_start = quoted.starts_with('…') && quoted.chars().count() > QUOTE_MAX;
    if cut_at_start {
        QUOTE_BEFORE + 2
    } else {
        column
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
    fn renders_like_rustc_with_caret_and_help() {
        let source = "---\ntitle: x\ndescripton: y\n---\n";
        let d = Diagnostic::warning("content/codes/504.md", "unknown key `descripton`")
            .at(source, 3, 1)
            .help("did you mean `description`?");
        assert_eq!(
            d.to_string(),
            "warning: unknown key `descripton`\n --> content/codes/504.md:3:1\n  |\n3 | descripton: y\n  | ^\n  = help: did you mean `description`?"
        );
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
