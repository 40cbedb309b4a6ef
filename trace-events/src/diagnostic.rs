//! Diagnostics: every problem found in a file, with its position and the
//! offending line, rendered as `file:line:column: message` plus a caret line.

use std::fmt;

/// How bad a problem is: an error drops the declaration (and the macro and
/// the reader refuse the file), a warning keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The declaration is unusable and left out of [`crate::Parsed::file`].
    Error,
    /// Suspicious but accepted, as tracetool accepts it (e.g. a format that
    /// does not match its arguments).
    Warning,
}

/// One problem in a trace-events file, with everything needed to show it
/// without the file at hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Whether the declaration was dropped.
    pub severity: Severity,
    /// The file's name as the caller gave it to the parser.
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// What is wrong, in one line, without position or severity.
    pub message: String,
    /// The offending line, without its newline.
    pub source_line: String,
}

impl Diagnostic {
    /// Whether this diagnostic dropped its declaration.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The offending line and a caret under the column, as every rendering of
    /// a diagnostic shows them (here, and in the macros' compile errors):
    ///
    /// ```text
    /// 3 | foo(hwaddr addr) "addr %p"
    ///   |     ^
    /// ```
    pub fn snippet(&self) -> String {
        let gutter = self.line.to_string();
        // Keep tabs so the caret lines up under the same column in a terminal.
        let pad: String = self
            .source_line
            .chars()
            .take(self.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{gutter} | {}\n{} | {pad}^",
            self.source_line,
            " ".repeat(gutter.len())
        )
    }
}

impl fmt::Display for Diagnostic {
    /// ```text
    /// trace-events:3:17: error: unknown type 'hwaddr'; declare it as void *
    ///     3 | foo(hwaddr addr) "addr %p"
    ///       |     ^
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, kind, self.message
        )?;
        f.write_str(&self.snippet())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(column: u32, source_line: &str) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: "trace-events".into(),
            line: 12,
            column,
            message: "unknown type".into(),
            source_line: source_line.into(),
        }
    }

    #[test]
    fn the_caret_keeps_the_lines_tabs_so_it_stands_under_the_column() {
        // Column 5 is the `x` after a tab and three characters.
        assert_eq!(
            at(5, "\tfoo(x y)").snippet(),
            "12 | \tfoo(x y)\n   | \t   ^"
        );
        assert_eq!(at(1, "foo").snippet(), "12 | foo\n   | ^");
    }
}
