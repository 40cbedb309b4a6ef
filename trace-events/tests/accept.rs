//! What valid declarations become: the model of each event and argument.

use trace_events::{parse_str, ArgKind, Event, IntType, Position, Property};

fn one_event(source: &str) -> Event {
    let parsed = parse_str("trace-events", source);
    assert!(
        parsed.diagnostics.is_empty(),
        "{source:?}: {:#?}",
        parsed.diagnostics
    );
    assert_eq!(parsed.file.events.len(), 1);
    parsed.file.events[0].clone()
}

fn kind_of(ty_and_name: &str) -> ArgKind {
    one_event(&format!("e({ty_and_name})\n")).args[0].kind
}

const fn int(bits: u8, signed: bool) -> ArgKind {
    ArgKind::Int(IntType { bits, signed })
}

#[test]
fn integer_types_have_lp64_width_and_signedness() {
    let cases = [
        ("char c", int(8, true)),
        ("signed char c", int(8, true)),
        ("unsigned char c", int(8, false)),
        ("const char c", int(8, true)),
        ("short s", int(16, true)),
        ("unsigned short s", int(16, false)),
        ("short int s", int(16, true)),
        ("int i", int(32, true)),
        ("const int i", int(32, true)),
        ("signed i", int(32, true)),
        ("unsigned u", int(32, false)),
        ("unsigned int u", int(32, false)),
        ("long l", int(64, true)),
        ("unsigned long l", int(64, false)),
        ("long unsigned int l", int(64, false)),
        ("long long l", int(64, true)),
        ("unsigned long long l", int(64, false)),
        ("int8_t v", int(8, true)),
        ("uint8_t v", int(8, false)),
        ("int16_t v", int(16, true)),
        ("uint16_t v", int(16, false)),
        ("int32_t v", int(32, true)),
        ("uint32_t v", int(32, false)),
        ("int64_t v", int(64, true)),
        ("uint64_t v", int(64, false)),
        ("size_t v", int(64, false)),
        ("ssize_t v", int(64, true)),
        ("uintptr_t v", int(64, false)),
        ("ptrdiff_t v", int(64, true)),
        ("bool b", ArgKind::Bool),
    ];
    for (arg, want) in cases {
        assert_eq!(kind_of(arg), want, "{arg}");
    }
}

#[test]
fn one_star_char_pointers_are_strings_other_pointers_are_pointers() {
    for arg in [
        "const char *s",
        "const char* s",
        "char *s",
        "char*s",
        "const char *const_s",
    ] {
        assert_eq!(kind_of(arg), ArgKind::Str, "{arg}");
    }
    // As tracetool's is_string: anything else with a star is recorded as 8 bytes.
    for arg in [
        "char **s",
        "const uint8_t *p",
        "void *p",
        "void*p",
        "const void *p",
        "unsigned char *p",
        "char const *p",
        "const char  *p",
        "int *p",
    ] {
        assert_eq!(kind_of(arg), ArgKind::Pointer, "{arg}");
    }
}

#[test]
fn types_and_names_split_as_tracetool_splits_them() {
    let e = one_event("e(const char*name, void *  p, unsigned  long\tx, const char * s)\n");
    let pairs: Vec<(&str, &str)> = e
        .args
        .iter()
        .map(|a| (a.ty.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("const char*", "name"),
            ("void *", "p"),
            ("unsigned  long", "x"),
            ("const char *", "s")
        ]
    );
}

#[test]
fn rust_keywords_are_valid_argument_names() {
    let e = one_event("e(unsigned long type, int fn, void *match)\n");
    let names: Vec<&str> = e.args.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["type", "fn", "match"]);
}

#[test]
fn event_fields_and_position() {
    let source = "# comment\n\n  # indented comment\n\t\ndisable  dev_read(void *opaque, uint64_t addr) \"%p 0x%\" PRIx64  \n";
    let e = one_event(source);
    assert_eq!(e.name, "dev_read");
    assert_eq!(e.props, [Property::Disable]);
    assert!(e.is_disabled());
    assert_eq!(e.fmt, "\"%p 0x%\" PRIx64");
    assert_eq!(e.c_format, "%p 0x%llx");
    assert_eq!(
        e.pos,
        Position {
            file: "trace-events".into(),
            line: 5,
            column: 10
        }
    );
}

#[test]
fn void_and_missing_or_empty_format() {
    let e = one_event("e(void)\n");
    assert!(e.args.is_empty());
    assert_eq!((e.fmt.as_str(), e.c_format.as_str()), ("", ""));
    let e = one_event("e( void ) \"\"\n");
    assert!(e.args.is_empty());
    assert_eq!((e.fmt.as_str(), e.c_format.as_str()), ("\"\"", ""));
}

#[test]
fn two_leading_blanks_and_crlf_are_accepted_as_tracetool_does() {
    let e = one_event("  e(int x) \"%d\"\r\n");
    assert_eq!((e.pos.line, e.pos.column), (1, 3));
    assert_eq!(e.fmt, "\"%d\"");
}

#[test]
fn pri_macros_expand_to_the_length_modifiers_of_the_golden_data() {
    let e = one_event(
        "e(int a, int b, int c, int d, int e, int f) \"%\" PRId8 \" %\" PRIi16 \" %\" PRIu32 \
         \" %\" PRIx64 \" %\" PRIXPTR \" %\"PRIoMAX \"\\t\\\"\"\n",
    );
    assert_eq!(e.c_format, "%hhd %hi %u %llx %tX %jo\\t\\\"");
}

#[test]
fn empty_file_and_comment_only_file_have_no_events() {
    for source in ["", "\n", "# only a comment\n", "   \n\t\n"] {
        let parsed = parse_str("f", source);
        assert!(parsed.diagnostics.is_empty() && parsed.file.events.is_empty());
    }
}

#[test]
fn events_keep_file_order() {
    let parsed = parse_str("f", "b(void)\na(int x) \"%d\"\nc(void)\n");
    let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["b", "a", "c"]);
    assert_eq!(parsed.file.path, "f");
}
