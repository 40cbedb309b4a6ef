//! Every rejection rule: the exact message and position of its diagnostic.

use trace_events::{
    parse_str, Diagnostic, Severity, MAX_DIAGNOSTICS_PER_FILE, MAX_FILE_LEN, MAX_LINE_LEN,
};

/// The one diagnostic `source` produces; fails if there are none or several.
fn only_diagnostic(source: &str) -> Diagnostic {
    let parsed = parse_str("trace-events", source);
    assert_eq!(
        parsed.diagnostics.len(),
        1,
        "expected exactly one diagnostic for {source:?}, got {:#?}",
        parsed.diagnostics
    );
    parsed.diagnostics[0].clone()
}

/// `rejects!(test_name, source, line, column, message)`: `source` has exactly
/// one error, at `line:column`, with `message`, and yields no event.
macro_rules! rejects {
    ($name:ident, $source:expr, $line:expr, $column:expr, $message:expr) => {
        #[test]
        fn $name() {
            let d = only_diagnostic($source);
            assert_eq!(d.severity, Severity::Error, "{d}");
            assert_eq!((d.line, d.column), ($line, $column), "{d}");
            assert_eq!(d.message, $message);
            let parsed = parse_str("f", $source);
            assert!(!parsed.file.events.iter().any(|e| e.pos.line == $line));
        }
    };
}

// File and line structure.
#[test]
fn no_final_newline() {
    for (source, line, column) in [("foo(void)", 1, 10), ("foo(void)\n# done", 2, 7)] {
        let d = only_diagnostic(source);
        assert_eq!(
            (d.severity, d.line, d.column),
            (Severity::Error, line, column)
        );
        assert_eq!(d.message, "the file must end with a newline");
    }
}
rejects!(
    carriage_return_inside_line,
    "foo(int x)\r\"%d\"\n",
    1,
    11,
    "carriage return inside a line"
);
rejects!(
    one_leading_blank,
    " foo(int x)\n",
    1,
    1,
    "remove the blank before the event name"
);

// Properties and the event name.
rejects!(
    unknown_property,
    "vcpu foo(int x) \"x %d\"\n",
    1,
    1,
    "unknown property 'vcpu': the only property is 'disable'"
);
rejects!(
    no_event_name,
    "(int x)\n",
    1,
    1,
    "unexpected '(': expected an event name"
);
rejects!(
    no_argument_list,
    "foo\n",
    1,
    4,
    "unexpected end of line: expected '(' after 'foo'"
);
rejects!(
    blank_then_no_parenthesis,
    "foo )\n",
    1,
    5,
    "unexpected ')': expected '(' after 'foo'"
);
rejects!(
    junk_in_name,
    "foo-bar(int x)\n",
    1,
    4,
    "unexpected '-': expected '(' after 'foo'"
);
rejects!(
    non_ascii_name,
    "fooé(int x)\n",
    1,
    4,
    "unexpected character \\u{e9}: expected '(' after 'foo'"
);
rejects!(
    blank_before_parenthesis,
    "foo (int x)\n",
    1,
    4,
    "no blank is allowed between the event name and '('"
);
rejects!(
    name_starts_with_digit,
    "1foo(int x)\n",
    1,
    1,
    "event name '1foo' must start with a letter or '_'"
);
rejects!(
    missing_close_parenthesis,
    "foo(int x\n",
    1,
    10,
    "missing ')' at the end of the argument list"
);
rejects!(
    duplicate_event,
    "foo(int x)\n\nfoo(int y)\n",
    3,
    1,
    "duplicate event 'foo': already declared on line 1"
);
rejects!(
    event_names_differ_only_in_case,
    "foo(int x)\nFoo(int y)\n",
    2,
    1,
    "event 'Foo' clashes with 'foo' on line 1: names must differ in more than case"
);

// Arguments.
rejects!(
    empty_list,
    "foo()\n",
    1,
    5,
    "empty argument (did you forget to use 'void'?)"
);
rejects!(
    empty_last_argument,
    "foo(int a, )\n",
    1,
    12,
    "empty argument (did you forget to use 'void'?)"
);
rejects!(
    void_among_arguments,
    "foo(int a, void)\n",
    1,
    12,
    "'void' must be the only argument when it is used"
);
rejects!(
    eleven_arguments,
    "foo(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j, int k)\n",
    1,
    75,
    "too many arguments: an event takes at most 10"
);
rejects!(
    argument_without_type,
    "foo(x)\n",
    1,
    5,
    "argument 'x' needs a type and a name, e.g. 'int x'"
);
rejects!(
    pointer_without_name,
    "foo(void *)\n",
    1,
    11,
    "argument of type 'void *' has no name"
);
rejects!(
    name_not_identifier,
    "foo(int 1x)\n",
    1,
    9,
    "argument name '1x' is not a C identifier"
);
rejects!(
    const_after_star,
    "foo(char *const p)\n",
    1,
    11,
    "argument name 'const p' is not a C identifier"
);
rejects!(
    name_is_c_keyword,
    "foo(int int)\n",
    1,
    9,
    "argument name 'int' is a C keyword"
);
rejects!(
    duplicate_argument,
    "foo(int a, int a)\n",
    1,
    16,
    "duplicate argument name 'a'"
);
rejects!(
    type_not_allowed,
    "foo(hwaddr addr)\n",
    1,
    5,
    "type 'hwaddr' is not allowed: use standard C or fixed-size integer types, \
     and declare pointers to anything else as 'void *'"
);
rejects!(
    struct_pointer_not_allowed,
    "foo(const struct bar *b)\n",
    1,
    11,
    "type 'const struct bar *' is not allowed: use standard C or fixed-size integer types, \
     and declare pointers to anything else as 'void *'"
);
rejects!(
    tab_inside_type,
    "foo(unsigned\tlong x)\n",
    1,
    13,
    "separate the words of a type with spaces, not tabs"
);
rejects!(
    type_word_after_star,
    "foo(int * unsigned *p)\n",
    1,
    11,
    "'unsigned' cannot follow '*' in a type"
);
rejects!(
    invalid_type_combination,
    "foo(unsigned signed x)\n",
    1,
    5,
    "'unsigned signed' is not a valid C type"
);
rejects!(
    typedef_with_other_words,
    "foo(unsigned uint32_t x)\n",
    1,
    5,
    "'unsigned uint32_t' is not a valid C type"
);
rejects!(
    no_base_type,
    "foo(const *p)\n",
    1,
    5,
    "type 'const *' names no base type such as 'int' or 'void'"
);
rejects!(
    void_argument,
    "foo(void x)\n",
    1,
    5,
    "an argument cannot have type 'void' (write just '(void)' for no arguments)"
);

// The format.
rejects!(
    junk_after_arguments,
    "foo(int x) junk\n",
    1,
    12,
    "unexpected 'j': expected a format string after the argument list"
);
rejects!(
    junk_after_format,
    "foo(int x) \"x %d\" , \"y\"\n",
    1,
    19,
    "unexpected ',' after the format: the format must end the line"
);
// Python's `\s` between the comma and the quote: a blank, and the
// separators U+001C..U+001F that `str.isspace` counts and Rust does not.
rejects!(
    comma_blank_quote_splits_format,
    "foo(int x) \"x %d, \" \"y\"\n",
    1,
    17,
    "a ',' followed by '\"' splits the format in two for tracetool: reword the format"
);
rejects!(
    comma_separator_quote_splits_format,
    "foo(int x) \"x %d,\u{1c}\" \"y\"\n",
    1,
    17,
    "a ',' followed by '\"' splits the format in two for tracetool: reword the format"
);
rejects!(
    comma_before_quote_splits_format,
    "foo(int x, int y) \"x %d,\" PRIx32\n",
    1,
    24,
    "a ',' followed by '\"' splits the format in two for tracetool: reword the format"
);
rejects!(
    unterminated_literal,
    "foo(int x) \"x %d\n",
    1,
    12,
    "unterminated string literal in the format"
);
rejects!(
    unknown_macro,
    "foo(int x) \"x %\" HWADDR_PRIx\n",
    1,
    18,
    "unknown macro 'HWADDR_PRIx' in the format: only PRI macros such as PRIx64 may join string literals"
);
rejects!(
    percent_m,
    "foo(int x) \"x %d %m\"\n",
    1,
    18,
    "'%m' is not allowed in a format: pass the error as an explicit argument"
);
rejects!(
    newline_escape,
    "foo(int x) \"x %d\\n\"\n",
    1,
    17,
    "a format must not contain a newline ('\\n'): each record is printed on one line"
);
rejects!(
    invalid_escape,
    "foo(int x) \"x \\q %d\"\n",
    1,
    15,
    "invalid escape sequence '\\q' in the format"
);
rejects!(
    hex_escape_without_digits,
    "foo(int x) \"x \\x %d\"\n",
    1,
    15,
    "invalid escape sequence '\\x' in the format"
);
rejects!(
    short_universal_character,
    "foo(int x) \"x \\u12 %d\"\n",
    1,
    15,
    "invalid escape sequence '\\u' in the format"
);
rejects!(
    short_long_universal_character,
    "foo(int x) \"x \\U0001F60 %d\"\n",
    1,
    15,
    "invalid escape sequence '\\U' in the format"
);
rejects!(
    octal_escape_out_of_range,
    "foo(int x) \"x \\777 %d\"\n",
    1,
    15,
    "format: escape sequence out of range"
);

#[test]
fn invalid_utf8_is_an_error_at_its_position() {
    let dir = std::env::temp_dir().join(format!("trace-events-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trace-events");
    std::fs::write(&path, b"foo(void)\n# caf\xe9\nbar(void)\n").unwrap();
    let parsed = trace_events::parse_file(&path, "trace-events").unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let d = &parsed.diagnostics[..];
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].line, d[0].column), (2, 6));
    assert_eq!(d[0].message, "the file is not valid UTF-8 here");
    // The line shown is line 2 alone, its bad byte replaced.
    assert_eq!(d[0].source_line, "# caf\u{fffd}");
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let source =
        "vcpu a(hwaddr x, int 2y) \"%d\"\nb(int x) junk\nok(int x) \"%d\"\nc(void) \"%m\"\n";
    let parsed = parse_str("trace-events", source);
    let found: Vec<(u32, u32)> = parsed.errors().map(|d| (d.line, d.column)).collect();
    assert_eq!(found, [(1, 1), (1, 8), (1, 22), (2, 10), (4, 10)]);
    let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ok"]);
}

#[test]
fn diagnostic_renders_position_line_and_caret() {
    let d = only_diagnostic("foo(int x)\n\tbar(int a)\n");
    assert_eq!(
        d.to_string(),
        "trace-events:2:1: error: remove the blank before the event name\n\
         2 | \tbar(int a)\n  | ^"
    );
}

#[test]
fn a_huge_line_keeps_sixteen_diagnostics_and_counts_the_rest() {
    let source = format!("foo({})\nok(void)\n", ",".repeat(60_000));
    let parsed = parse_str("trace-events", &source);
    assert_eq!(parsed.diagnostics.len(), 17);
    let last = parsed.diagnostics.last().unwrap();
    assert_eq!(last.severity, Severity::Error);
    assert_eq!(
        last.message,
        "59985 more problems on this line are not shown"
    );
    let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ok"]);
}

#[test]
fn an_error_past_the_cap_still_rejects_the_event() {
    let source = format!("{}foo(hwaddr a)\n", "disable ".repeat(20));
    let parsed = parse_str("trace-events", &source);
    assert!(parsed.file.events.is_empty());
    let last = parsed.diagnostics.last().unwrap();
    assert_eq!(
        (last.severity, last.message.as_str()),
        (
            Severity::Error,
            "4 more problems on this line are not shown"
        )
    );
}

#[test]
fn a_file_keeps_a_hundred_diagnostics_and_counts_the_rest() {
    let source = "disable\n".repeat(100_000) + "ok(void)\n";
    let parsed = parse_str("trace-events", &source);
    assert_eq!(parsed.diagnostics.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    let last = parsed.diagnostics.last().unwrap();
    assert_eq!((last.severity, last.line), (Severity::Error, 101));
    assert_eq!(
        last.message,
        "... and 99900 more problems in this file, from here on, are not shown"
    );
    assert!(parsed.has_errors());
    let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ok"]);
}

#[test]
fn omitted_warnings_alone_summarise_as_a_warning() {
    // Each line: one format/argument-count warning.
    let source: String = (0..150)
        .map(|i| format!("e{i}(int x) \"%d %d\"\n"))
        .collect();
    let parsed = parse_str("trace-events", &source);
    assert_eq!(parsed.diagnostics.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    assert!(!parsed.has_errors());
    let last = parsed.diagnostics.last().unwrap();
    assert_eq!((last.severity, last.line), (Severity::Warning, 101));
    assert_eq!(
        last.message,
        "... and 50 more problems in this file, from here on, are not shown"
    );
    assert_eq!(parsed.file.events.len(), 150);
}

#[test]
fn a_line_over_the_limit_is_one_short_error() {
    // Five thousand times more conversions than arguments would cost
    // hundreds of MB to check; refused up front instead.
    let source = format!(
        "foo(int x) \"{}\"\nok(void)\n",
        "%d".repeat(MAX_LINE_LEN / 2)
    );
    let parsed = parse_str("trace-events", &source);
    let d = &parsed.diagnostics[..];
    assert_eq!(
        d.len(),
        1,
        "{:?}",
        d.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert_eq!(
        (d[0].severity, d[0].line, d[0].column),
        (Severity::Error, 1, 1)
    );
    assert_eq!(
        d[0].message,
        format!(
            "the line is {} bytes long, more than the limit of {MAX_LINE_LEN}",
            MAX_LINE_LEN + 13
        )
    );
    assert!(d[0].source_line.len() < 100, "{}", d[0].source_line.len());
    let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ok"]);
}

#[test]
fn a_line_at_the_limit_parses() {
    let name = "e".repeat(MAX_LINE_LEN - "(void)".len());
    let parsed = parse_str("trace-events", &format!("{name}(void)\n"));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.file.events[0].name, name);
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let dir = tempfile_dir("size");
    let path = dir.join("trace-events");
    // Sparse: no disk space used.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(MAX_FILE_LEN + 1).unwrap();
    drop(file); // Windows removes no directory holding an open file
    let err = trace_events::parse_file(&path, "trace-events").unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
}

#[test]
fn a_file_at_the_size_limit_is_read() {
    let dir = tempfile_dir("at-size");
    let path = dir.join("trace-events");
    // 4 KiB comment lines: the parser skips them quickly.
    let line = format!("#{}\n", "x".repeat(4094));
    let lines = usize::try_from(MAX_FILE_LEN).unwrap() / line.len();
    assert_eq!(lines as u64 * line.len() as u64, MAX_FILE_LEN);
    std::fs::write(&path, line.repeat(lines)).unwrap();
    let parsed = trace_events::parse_file(&path, "trace-events");
    std::fs::remove_dir_all(&dir).unwrap();
    let parsed = parsed.unwrap();
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert!(parsed.file.events.is_empty());
}

#[cfg(unix)] // /dev/zero and /dev/urandom: Unix devices
#[test]
fn endless_files_are_read_only_up_to_the_limit() {
    for endless in ["/dev/zero", "/dev/urandom"] {
        let err = trace_events::parse_file(std::path::Path::new(endless), endless).unwrap_err();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::InvalidData,
            "{endless}: {err}"
        );
    }
}

fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trace-events-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
