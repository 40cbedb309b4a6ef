//! Read and check the trace-events file. Every error in it becomes a compile
//! error spanned on the path literal, all of them at once.

use std::path::{Path, PathBuf};

use syn::{Error, LitStr};
use trace_events::{Diagnostic, Event};

use crate::errors::Errors;

/// More errors than this are summarised: a broken file should not flood the
/// terminal (or memory) with one error a line.
const MAX_ERRORS: usize = 100;

/// A trace-events file that was read: its valid events, and the errors of the
/// lines that were not.
#[derive(Debug)]
pub struct Loaded {
    /// Where the file was read, for `include_bytes!` (rebuild on edit).
    pub abs_path: String,
    /// The path as written in the macro call: names the file in diagnostics and
    /// in the event table.
    pub display: String,
    pub events: Vec<Event>,
    /// Rendered warnings, to be shown without failing the build.
    pub warnings: Vec<String>,
    /// Every error in the file, combined; `None` if there is none.
    pub errors: Option<Error>,
}

impl Loaded {
    /// Line `number` (1-based) of the file, to quote in later errors.
    pub fn source_line(&self, number: u32) -> String {
        let bytes = std::fs::read(&self.abs_path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let line = text.lines().nth(number.saturating_sub(1) as usize);
        line.unwrap_or_default().to_string()
    }
}

/// Load the file named by `lit`, relative to the calling crate's directory.
/// Fails only if the file cannot be read.
pub fn load(lit: &LitStr) -> syn::Result<Loaded> {
    let base = std::env::var_os("CARGO_MANIFEST_DIR").ok_or_else(|| {
        Error::new(
            lit.span(),
            "CARGO_MANIFEST_DIR is not set: trace_events! must be built by cargo",
        )
    })?;
    load_from(Path::new(&base), lit)
}

/// Load the file named by `lit`, relative to `base` (absolute paths stay as they are).
pub fn load_from(base: &Path, lit: &LitStr) -> syn::Result<Loaded> {
    let display = lit.value();
    let path: PathBuf = base.join(&display);
    let err = |msg: String| Error::new(lit.span(), msg);
    let abs_path = path
        .to_str()
        .ok_or_else(|| err(format!("the path `{}` is not valid UTF-8", path.display())))?
        .to_string();
    let parsed = trace_events::parse_file(&path, &display)
        .map_err(|e| err(format!("cannot read trace-events file `{abs_path}`: {e}")))?;
    let (errors, warnings): (Vec<_>, Vec<_>) =
        parsed.diagnostics.iter().partition(|d| d.is_error());
    Ok(Loaded {
        abs_path,
        display,
        events: parsed.file.events,
        warnings: warnings.into_iter().map(render_warning).collect(),
        errors: combine_errors(lit, &errors),
    })
}

/// One compile error per diagnostic (at most [`MAX_ERRORS`]), combined.
fn combine_errors(lit: &LitStr, errors: &[&Diagnostic]) -> Option<Error> {
    let mut combined = Errors::default();
    for d in errors.iter().take(MAX_ERRORS) {
        combined.push(Error::new(lit.span(), render(d)));
    }
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        combined.push(Error::new(
            lit.span(),
            format!("{more} more errors in {}", errors[0].file),
        ));
    }
    combined.into_error()
}

/// `file:line:column: message`, the offending line and a caret under the column.
/// (The compiler adds `error:`/`warning:` itself.)
pub fn render(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}\n{}",
        d.file,
        d.line,
        d.column,
        d.message,
        d.snippet()
    )
}

/// A warning shows after rustc's `use of deprecated unit struct `...`: `
/// (see `generate::warning`): the problem first, then `at file:line:column`,
/// the line and the caret.
pub fn render_warning(d: &Diagnostic) -> String {
    format!(
        "{}\nat {}:{}:{}\n{}",
        d.message,
        d.file,
        d.line,
        d.column,
        d.snippet()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;
    use trace_events::Severity;

    fn lit(s: &str) -> LitStr {
        LitStr::new(s, Span::call_site())
    }

    fn fixtures() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok"), "# nothing\n\nfoo(int x) \"x %d\"\n").unwrap();
        std::fs::write(dir.path().join("latin1"), b"# ok\n# caf\xe9\n").unwrap();
        dir
    }

    #[test]
    fn missing_file_names_the_resolved_path() {
        let dir = fixtures();
        let err = load_from(dir.path(), &lit("sub/missing")).unwrap_err();
        let expected = dir.path().join("sub/missing");
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read trace-events file `{}`: No such file or directory (os error 2)",
                expected.display()
            )
        );
    }

    #[test]
    fn relative_paths_resolve_against_the_base_and_absolute_ones_do_not() {
        let dir = fixtures();
        let rel = load_from(dir.path(), &lit("ok")).unwrap();
        assert!(rel.errors.is_none());
        assert_eq!(rel.events[0].name, "foo");
        assert_eq!(rel.display, "ok");
        assert_eq!(rel.abs_path, dir.path().join("ok").to_str().unwrap());
        let abs_name = dir.path().join("ok");
        let abs = load_from(Path::new("/nonexistent"), &lit(abs_name.to_str().unwrap())).unwrap();
        assert_eq!(abs.abs_path, abs_name.to_str().unwrap());
    }

    #[test]
    fn invalid_utf8_is_an_error_with_its_line() {
        let dir = fixtures();
        let loaded = load_from(dir.path(), &lit("latin1")).unwrap();
        let err = loaded.errors.unwrap();
        assert_eq!(
            err.to_string(),
            "latin1:2:6: the file is not valid UTF-8 here\n2 | # caf\u{fffd}\n  |      ^"
        );
    }

    fn diag(line: u32, column: u32, source_line: &str) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: "trace-events".into(),
            line,
            column,
            message: "unknown type 'hwaddr'; declare it as void *".into(),
            source_line: source_line.into(),
        }
    }

    #[test]
    fn render_points_a_caret_at_the_column() {
        let d = diag(3, 5, "foo(hwaddr addr) \"addr %p\"");
        assert_eq!(
            render(&d),
            "trace-events:3:5: unknown type 'hwaddr'; declare it as void *\n\
             3 | foo(hwaddr addr) \"addr %p\"\n  |     ^"
        );
        let tabbed = diag(12, 3, "\tx(hwaddr a)");
        assert!(render(&tabbed).ends_with("\n12 | \tx(hwaddr a)\n   | \t ^"));
    }

    #[test]
    fn warnings_start_with_the_problem() {
        let d = diag(3, 5, "foo(hwaddr addr) \"addr %p\"");
        assert_eq!(
            render_warning(&d),
            "unknown type 'hwaddr'; declare it as void *\n\
             at trace-events:3:5\n\
             3 | foo(hwaddr addr) \"addr %p\"\n  |     ^"
        );
    }

    #[test]
    fn all_errors_are_combined_and_capped() {
        let two = [diag(1, 1, "a"), diag(2, 1, "b")];
        let refs: Vec<&Diagnostic> = two.iter().collect();
        let err = combine_errors(&lit("trace-events"), &refs).unwrap();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 2);
        assert!(messages[0].starts_with("trace-events:1:1: "));
        assert!(messages[1].starts_with("trace-events:2:1: "));

        let many: Vec<Diagnostic> = (1..=250).map(|l| diag(l, 1, "x")).collect();
        let refs: Vec<&Diagnostic> = many.iter().collect();
        let err = combine_errors(&lit("trace-events"), &refs).unwrap();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), MAX_ERRORS + 1);
        assert_eq!(messages[MAX_ERRORS], "150 more errors in trace-events");
        assert!(combine_errors(&lit("x"), &[]).is_none());
    }
}
