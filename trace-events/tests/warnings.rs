//! Conversions that do not fit the arguments are warnings: the event is kept.

use trace_events::{parse_str, Severity};

/// `(line, column, message)` of every warning, and whether the event was kept.
fn warnings(source: &str) -> (Vec<(u32, u32, String)>, bool) {
    let parsed = parse_str("trace-events", source);
    assert!(!parsed.has_errors(), "{:#?}", parsed.diagnostics);
    let found = parsed
        .diagnostics
        .iter()
        .inspect(|d| assert_eq!(d.severity, Severity::Warning))
        .map(|d| (d.line, d.column, d.message.clone()))
        .collect();
    (found, parsed.file.events.len() == 1)
}

fn one_warning(source: &str, column: u32, message: &str) {
    let (found, kept) = warnings(source);
    assert_eq!(found, [(1, column, message.to_string())], "{source:?}");
    assert!(kept, "a warning must not drop the event");
}

#[test]
fn string_conversion_on_a_number() {
    one_warning(
        "e(int x) \"x %s\"\n",
        13,
        "'%s' prints a string, but argument 'x' is 'int'",
    );
}

#[test]
fn number_conversion_on_a_string() {
    one_warning(
        "e(const char *s) \"s %\" PRIx64\n",
        21,
        "'%llx' does not print a string, but argument 's' is 'const char *'",
    );
}

#[test]
fn star_width_on_a_string() {
    one_warning(
        "e(const char *w, int v) \"%*d\"\n",
        26,
        "'*' in '%d' takes an int, but argument 'w' is 'const char *'",
    );
}

#[test]
fn too_few_arguments() {
    one_warning(
        "e(int x) \"%d %d\"\n",
        14,
        "the format uses 2 arguments but the event has 1",
    );
}

#[test]
fn too_many_arguments() {
    one_warning(
        "e(int x, int y) \"%d\"\n",
        17,
        "the format uses 1 argument but the event has 2",
    );
}

#[test]
fn unsupported_conversion() {
    one_warning(
        "e(int x) \"x %f\"\n",
        13,
        "format: conversion '%f' is not supported in trace formats",
    );
}

#[test]
fn duplicate_property() {
    one_warning(
        "disable disable e(void)\n",
        9,
        "property 'disable' is given twice",
    );
}

#[test]
fn fitting_formats_have_no_warnings() {
    for source in [
        "e(int x, const char *s, void *p, bool b) \"%d %s %p %u\"\n",
        "e(int w, uint64_t v) \"%0*\" PRIx64 \" %%\"\n",
        "e(int x)\n",
        "e(void) \"100%%\"\n",
    ] {
        assert_eq!(warnings(source).0, [], "{source:?}");
    }
}

/// `ParseOptions::allow_duplicates`: what simpletrace.py accepts.
mod duplicates_for_readers {
    use trace_events::{parse_str, parse_str_with, ParseOptions, Severity};

    const LENIENT: ParseOptions = ParseOptions {
        allow_duplicates: true,
    };

    #[test]
    fn a_name_declared_again_is_a_warning_and_both_are_kept() {
        let source = "foo(int x) \"a %d\"\nbar(void)\nfoo(int y) \"b %d\"\nFOO(void)\n";
        let parsed = parse_str_with("trace-events", source, LENIENT);
        let found: Vec<(Severity, u32, u32, &str)> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Severity::Warning,
                    3,
                    1,
                    "event 'foo' is declared again (first on line 1); the last declaration is used, as simpletrace.py does"
                ),
                (
                    Severity::Warning,
                    4,
                    1,
                    "event 'FOO' differs from 'foo' on line 1 only in case"
                ),
            ]
        );
        let events: Vec<(&str, &str)> = parsed
            .file
            .events
            .iter()
            .map(|e| (e.name.as_str(), e.fmt.as_str()))
            .collect();
        assert_eq!(
            events,
            [
                ("foo", "\"a %d\""),
                ("bar", ""),
                ("foo", "\"b %d\""),
                ("FOO", "")
            ]
        );
    }

    #[test]
    fn the_default_still_refuses_them() {
        let parsed = parse_str("trace-events", "foo(void)\nfoo(void)\n");
        assert!(parsed.has_errors());
        assert_eq!(parsed.file.events.len(), 1);
    }
}

#[test]
fn warnings_and_errors_are_handed_out_apart() {
    // Line 1 is kept with a warning; line 2 is dropped (unknown type).
    let parsed = parse_str("trace-events", "e(int x) \"x %s\"\nf(hwaddr a)\n");
    let lines = |it: &mut dyn Iterator<Item = &trace_events::Diagnostic>| {
        it.map(|d| (d.line, d.severity)).collect::<Vec<_>>()
    };
    assert_eq!(lines(&mut parsed.warnings()), [(1, Severity::Warning)]);
    assert_eq!(lines(&mut parsed.errors()), [(2, Severity::Error)]);
    assert!(parsed.has_errors());
}

#[test]
fn a_warning_in_a_later_literal_points_into_that_literal() {
    // Column 28 is the `%` of `%s` in the second literal.
    one_warning(
        "e(int x, int y) \"x %d \" \"y %s\"\n",
        28,
        "'%s' prints a string, but argument 'y' is 'int'",
    );
}
