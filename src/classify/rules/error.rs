//! Rule-file problems as data: file, line, column, a stable code and a message a
//! curator can act on.

use std::fmt;

use serde::Serialize;

/// Stable problem codes (documented in `rules/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Code {
    /// TOML syntax error.
    E001,
    /// Unknown or misspelt field, or a field of the wrong type.
    E002,
    /// Duplicate rule id or cue name.
    E003,
    /// Regex does not compile or is too large.
    E004,
    /// Unknown cue name.
    E005,
    /// Unknown family or language.
    E006,
    /// Weight out of range or of the wrong sign.
    E007,
    /// An example does not behave as declared.
    E008,
    /// A rule or cue with nothing to match.
    E009,
    /// Bad id or empty explanation.
    E010,
    /// `\b` used instead of `(?-u:\b)`.
    W001,
    /// Upper-case letter in a regex.
    W002,
}

impl Code {
    /// Whether the problem is a warning rather than an error.
    pub fn is_warning(self) -> bool {
        matches!(self, Self::W001 | Self::W002)
    }
}

/// One problem in one rule file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProblem {
    /// The file's name as given to the compiler.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// The stable code.
    pub code: Code,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {:?}: {}",
            self.file, self.line, self.col, self.code, self.message
        )
    }
}

/// Every problem found while compiling a rule set (errors and warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleProblem>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// Turns byte offsets of one source text into 1-based line and column.
#[derive(Debug)]
pub struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> Locator<'a> {
    /// A locator for `text`, reported as `file`.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text }
    }

    /// A problem at byte `offset`.
    pub fn problem(&self, offset: usize, code: Code, message: impl Into<String>) -> RuleProblem {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        RuleProblem {
            file: self.file.to_string(),
            line,
            col,
            code,
            message: message.into(),
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let loc = Locator::new("a.toml", "one\ntwo 二\nthree");
        let p = loc.problem(4, Code::E001, "x");
        assert_eq!((p.line, p.col), (2, 1));
        let p = loc.problem("one\ntwo 二".len(), Code::E001, "x");
        assert_eq!((p.line, p.col), (2, 6));
        assert_eq!(p.to_string(), "a.toml:2:6: E001: x");
        let p = loc.problem(999, Code::E001, "x");
        assert_eq!(p.line, 3);
    }
}
