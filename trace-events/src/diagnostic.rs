//! Diagnostics: every problem found in a file, with its position and the
//! offending line, rendered as `file:line:column: message` plus a caret line.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub message: String,
    /// The offending line, without its newline.
    pub source_line: String,
}

impl Diagnostic {
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
