//! The API around rendering: what parsing accepts and rejects, what the
//! conversions report to the parser, and how rendering tolerates arguments
//! that do not fit (documented choices of ours, not glibc's).

use super::{
    ArgRole, Conv, Count, Format, FormatError, FormatErrorKind, Length, Value, Value::Int,
    Value::Str, MAX_WIDTH,
};
use crate::model::{ArgKind, IntType};

fn render(format: &Format, args: &[Value<'_>]) -> String {
    let mut out = Vec::new();
    format.render(&mut out, args);
    String::from_utf8_lossy(&out).into_owned()
}

fn error(c_format: &str) -> FormatError {
    Format::parse(c_format).expect_err(c_format)
}

#[test]
fn conversions_report_their_parts_and_offsets() {
    let format = Format::parse(r#"a\t%-08.3llx %%%*.*s %p"#).unwrap();
    let convs = format.conversions();
    assert_eq!(convs.len(), 3);
    let x = &convs[0];
    assert!(x.flags.left && x.flags.zero && !x.flags.alt);
    assert_eq!(x.width, Some(Count::Fixed(8)));
    assert_eq!(x.precision, Some(Count::Fixed(3)));
    assert_eq!((x.length, x.conv), (Length::Ll, Conv::X));
    // Offsets count bytes of the text as written: `\t` is two.
    assert_eq!(x.offset, 3);
    assert_eq!(convs[1].offset, 15);
    assert_eq!(
        (convs[1].width, convs[1].precision),
        (Some(Count::FromArg), Some(Count::FromArg))
    );
    assert_eq!(convs[2].conv, Conv::P);
    assert_eq!(format.arg_count(), 5);
    let roles: Vec<ArgRole> = format.arg_uses().map(|u| u.role).collect();
    use ArgRole::*;
    assert_eq!(roles, [Value, Width, Precision, Value, Value]);
}

#[test]
fn accepts_matches_strings_to_percent_s_only() {
    let format = Format::parse("%s %d %p %*c").unwrap();
    let int = ArgKind::Int(IntType {
        bits: 32,
        signed: true,
    });
    let uses: Vec<_> = format.arg_uses().collect();
    assert!(uses[0].accepts(ArgKind::Str) && !uses[0].accepts(int));
    assert!(
        uses[1].accepts(int) && uses[1].accepts(ArgKind::Bool) && !uses[1].accepts(ArgKind::Str)
    );
    assert!(uses[2].accepts(ArgKind::Pointer) && !uses[2].accepts(ArgKind::Str));
    // The `*` of `%*c` wants an int, not a pointer or string.
    assert!(
        uses[3].accepts(int)
            && !uses[3].accepts(ArgKind::Pointer)
            && !uses[3].accepts(ArgKind::Str)
    );
    assert!(format.conversions()[0].accepts(ArgKind::Str));
}

#[test]
fn percent_percent_is_not_a_conversion() {
    let format = Format::parse("100%% of %d").unwrap();
    assert_eq!(format.conversions().len(), 1);
    assert_eq!(format.conversions()[0].offset, 9);
}

#[test]
fn strict_parse_rejects_what_glibc_or_traces_cannot_do() {
    use FormatErrorKind::*;
    assert_eq!(
        error("abc%"),
        FormatError {
            offset: 3,
            kind: IncompleteConversion
        }
    );
    assert_eq!(error("%-5").kind, IncompleteConversion);
    assert_eq!(error("%ll").kind, IncompleteConversion);
    assert_eq!(error("x %y").kind, UnknownConversion('y'));
    assert_eq!(error("x %y").offset, 2);
    for spec in [
        "%f", "%.2e", "%g", "%a", "%n", "%m", "%lc", "%ls", "%S", "%C", "%1$d",
    ] {
        assert!(matches!(error(spec).kind, Unsupported(_)), "{spec}");
    }
    assert_eq!(error("%lc").kind, Unsupported("%lc".into()));
    // A positional argument is named up to its `$`.
    assert_eq!(error("%12$d").kind, Unsupported("%12$".into()));
    assert_eq!(error("%99999d").kind, TooWide(99999));
    assert_eq!(error("%.5000x").kind, TooWide(5000));
    assert!(Format::parse(&format!("%{MAX_WIDTH}d")).is_ok());
}

#[test]
fn strict_parse_rejects_bad_escapes_where_gcc_complains() {
    use FormatErrorKind::*;
    assert_eq!(
        error(r"ab\q"),
        FormatError {
            offset: 2,
            kind: UnknownEscape('q')
        }
    );
    assert_eq!(error(r"\é").kind, UnknownEscape('é'));
    assert_eq!(error(r"\xg").kind, EmptyHexEscape);
    assert_eq!(error(r"\x100").kind, EscapeOutOfRange);
    assert_eq!(error(r"\x10000000000000000000").kind, EscapeOutOfRange);
    assert_eq!(error(r"\400").kind, EscapeOutOfRange);
    assert_eq!(error(r"\u0041").kind, InvalidUniversalChar);
    assert_eq!(error(r"\ud800").kind, InvalidUniversalChar);
    assert_eq!(error(r"\u12").kind, InvalidUniversalChar);
    assert_eq!(error(r"\U00110000").kind, InvalidUniversalChar);
    assert_eq!(error("abc\\").kind, TrailingBackslash);
}

#[test]
fn errors_read_as_sentences() {
    assert_eq!(error("%y").to_string(), "unknown conversion '%y'");
    assert_eq!(
        error("%.2f").to_string(),
        "conversion '%.2f' is not supported in trace formats"
    );
    assert_eq!(error(r"\q").to_string(), r"unknown escape sequence '\q'");
}

#[test]
fn lossy_parse_prints_bad_conversions_as_written() {
    // glibc prints an unknown conversion as written, flags and width included.
    let format = Format::parse_lossy("%-5y|%d|abc%");
    assert_eq!(render(&format, &[Int(3)]), "%-5y|3|abc%");
    assert_eq!(
        render(&Format::parse_lossy("%1$d %f"), &[Int(7)]),
        "%1$d %f"
    );
}

#[test]
fn lossy_parse_reads_bad_escapes_as_gcc_does() {
    // gcc warns, then keeps the character / the low byte of the value
    // (checked with gcc: "\x25d" with 7 printed "]").
    let cases = [
        (r"\x25d", "]"),
        (r"\q", "q"),
        (r"\xg", "xg"),
        (r"\777", "\u{ff}"),
        (r"a\", "a\\"),
    ];
    for (c_format, expected) in cases {
        let mut out = Vec::new();
        Format::parse_lossy(c_format).render(&mut out, &[]);
        let expected: Vec<u8> = expected.chars().map(|c| c as u32 as u8).collect();
        assert_eq!(out, expected, "{c_format}");
    }
}

#[test]
fn lossy_parse_clamps_widths() {
    let format = Format::parse_lossy("%99999999999999999999d");
    assert_eq!(format.conversions()[0].width, Some(Count::Fixed(MAX_WIDTH)));
    assert_eq!(render(&format, &[Int(1)]).len(), MAX_WIDTH as usize);
}

#[test]
fn star_widths_are_clamped() {
    let format = Format::parse("%*d|%*x|%.*d").unwrap();
    let huge = Int(i32::MAX as u64);
    // i32::MIN as a width is a `-` flag with a huge magnitude: clamped too.
    let huge_left = Int(i32::MIN as u32 as u64);
    let out = render(&format, &[huge, Int(1), huge_left, Int(2), huge, Int(3)]);
    let pad = " ".repeat(MAX_WIDTH as usize - 1);
    let zeros = "0".repeat(MAX_WIDTH as usize - 1);
    assert_eq!(out, format!("{pad}1|2{pad}|{zeros}3"));
}

#[test]
fn missing_arguments_leave_the_conversion_as_written() {
    let format = Format::parse("a=%d b=%-4s c=%*x").unwrap();
    assert_eq!(render(&format, &[Int(1)]), "a=1 b=%-4s c=%*x");
    assert_eq!(render(&format, &[]), "a=%d b=%-4s c=%*x");
}

#[test]
fn extra_arguments_are_ignored() {
    let format = Format::parse("%d").unwrap();
    assert_eq!(render(&format, &[Int(1), Int(2), Str(b"x")]), "1");
}

#[test]
fn mismatched_arguments_render_sensibly() {
    // A string under a number prints the string, keeping width and `-`.
    assert_eq!(
        render(&Format::parse("[%5d]").unwrap(), &[Str(b"ab")]),
        "[   ab]"
    );
    assert_eq!(
        render(&Format::parse("[%-4.1x]").unwrap(), &[Str(b"ab")]),
        "[ab  ]"
    );
    // An integer under `%s` prints as `%p` would; 0 as glibc's NULL string.
    assert_eq!(render(&Format::parse("%s").unwrap(), &[Int(0x10)]), "0x10");
    assert_eq!(render(&Format::parse("%s").unwrap(), &[Int(0)]), "(null)");
    // A `*` given a string counts as no width.
    assert_eq!(
        render(&Format::parse("[%*d]").unwrap(), &[Str(b"9"), Int(5)]),
        "[5]"
    );
}

#[test]
fn strings_end_at_their_first_nul() {
    // C's `%s` reads up to the NUL; the rest of the format still renders.
    assert_eq!(
        render(
            &Format::parse("%s|%s").unwrap(),
            &[Str(b"ab\0cd"), Str(b"e")]
        ),
        "ab|e"
    );
}

#[test]
fn rendering_appends_to_the_buffer() {
    let format = Format::parse("%u").unwrap();
    let mut out = b"x=".to_vec();
    format.render(&mut out, &[Int(7)]);
    format.render(&mut out, &[Int(8)]);
    assert_eq!(out, b"x=78");
}

#[test]
fn empty_format_renders_nothing() {
    let format = Format::parse("").unwrap();
    assert!(format.conversions().is_empty());
    assert_eq!(render(&format, &[Int(1)]), "");
}
