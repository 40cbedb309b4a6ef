//! Edge cases of each flag, width, precision, length modifier, conversion and
//! escape. Every expected string is what glibc's `snprintf` (x86-64) printed for
//! the same format and argument, captured with a small C program: the format
//! column is the C source text, each integer the value cast to `uint64_t`, as the
//! simple backend records it.

use super::{Format, Value, Value::Int, Value::Str};

type Case = (&'static str, &'static [Value<'static>], &'static [u8]);

/// Render every case with a strictly parsed format; report all mismatches.
fn check(cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(c_format, args, expected)| {
            let rendered = match Format::parse(c_format) {
                Ok(format) => {
                    let mut out = Vec::new();
                    format.render(&mut out, args);
                    out
                }
                Err(err) => return Some(format!("{c_format:?}: {err}")),
            };
            (rendered != expected).then(|| {
                format!(
                    "{c_format:?} {args:?}: expected {:?}, rendered {:?}",
                    String::from_utf8_lossy(expected),
                    String::from_utf8_lossy(&rendered)
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// glibc: flags `-+ 0`, and the accepted no-op flags `'` and `I`.
#[test]
fn flags() {
    check(&[
        (r#"%-5d|"#, &[Int(42)], b"42   |"),
        (r#"%+d"#, &[Int(42)], b"+42"),
        (r#"% d"#, &[Int(42)], b" 42"),
        (r#"%+ d"#, &[Int(42)], b"+42"),
        (r#"% +d"#, &[Int(18446744073709551574)], b"-42"),
        (r#"%05d"#, &[Int(18446744073709551574)], b"-0042"),
        (r#"%-05d|"#, &[Int(42)], b"42   |"),
        (r#"%+05d"#, &[Int(42)], b"+0042"),
        (r#"% 05d"#, &[Int(42)], b" 0042"),
        (r#"%00005d"#, &[Int(3)], b"00003"),
        (r#"%-0-5d|"#, &[Int(3)], b"3    |"),
        (r#"%+u"#, &[Int(5)], b"5"),
        (r#"% u"#, &[Int(5)], b"5"),
        (r#"%+x"#, &[Int(5)], b"5"),
        (r#"% o"#, &[Int(8)], b"10"),
        (r#"%'d"#, &[Int(1234567)], b"1234567"),
        (r#"%I5d"#, &[Int(3)], b"    3"),
        (r#"%#d"#, &[Int(3)], b"3"),
    ]);
}

/// glibc: the `#` flag.
#[test]
fn alt() {
    check(&[
        (r#"%#x"#, &[Int(255)], b"0xff"),
        (r#"%#X"#, &[Int(255)], b"0XFF"),
        (r#"%#x"#, &[Int(0)], b"0"),
        (r#"%#o"#, &[Int(8)], b"010"),
        (r#"%#o"#, &[Int(0)], b"0"),
        (r#"%#.0o"#, &[Int(0)], b"0"),
        (r#"%#.3o"#, &[Int(8)], b"010"),
        (r#"%#.4o"#, &[Int(8)], b"0010"),
        (r#"%#5x"#, &[Int(1)], b"  0x1"),
        (r#"%#05x"#, &[Int(1)], b"0x001"),
        (r#"%#-6x|"#, &[Int(1)], b"0x1   |"),
        (r#"%#.3x"#, &[Int(1)], b"0x001"),
        (r#"%#.0x|"#, &[Int(0)], b"|"),
        (r#"%#010llx"#, &[Int(2748)], b"0x00000abc"),
    ]);
}

/// glibc: width and precision.
#[test]
fn width_precision() {
    check(&[
        (r#"%5d|"#, &[Int(42)], b"   42|"),
        (r#"%.3d"#, &[Int(7)], b"007"),
        (r#"%.3d"#, &[Int(18446744073709551609)], b"-007"),
        (r#"%8.3d|"#, &[Int(18446744073709551609)], b"    -007|"),
        (r#"%-8.3d|"#, &[Int(7)], b"007     |"),
        (r#"%05.3d"#, &[Int(12)], b"  012"),
        (r#"%.0d|"#, &[Int(0)], b"|"),
        (r#"%5.0x|"#, &[Int(0)], b"     |"),
        (r#"%+.0d|"#, &[Int(0)], b"+|"),
        (r#"% .0d|"#, &[Int(0)], b" |"),
        (r#"%.0d"#, &[Int(5)], b"5"),
        (r#"%.8x"#, &[Int(4660)], b"00001234"),
        (r#"%2.2x"#, &[Int(2748)], b"abc"),
        (r#"%016llx"#, &[Int(4660)], b"0000000000001234"),
        (r#"%1x"#, &[Int(2748)], b"abc"),
        (
            r#"%.20d"#,
            &[Int(18446744073709551615)],
            b"-00000000000000000001",
        ),
        (
            r#"%030d"#,
            &[Int(18446744071562067968)],
            b"-00000000000000000002147483648",
        ),
    ]);
}

/// glibc: length modifiers: the type each conversion reads.
#[test]
fn length() {
    check(&[
        (r#"%hhd"#, &[Int(200)], b"-56"),
        (r#"%hhu"#, &[Int(18446744073709551615)], b"255"),
        (r#"%hhx"#, &[Int(511)], b"ff"),
        (r#"%hhd"#, &[Int(219)], b"-37"),
        (r#"%hd"#, &[Int(70000)], b"4464"),
        (r#"%hu"#, &[Int(18446744073709551615)], b"65535"),
        (r#"%hX"#, &[Int(11259375)], b"CDEF"),
        (r#"%d"#, &[Int(8589934591)], b"-1"),
        (r#"%d"#, &[Int(18446744071562067968)], b"-2147483648"),
        (r#"%u"#, &[Int(18446744073709551615)], b"4294967295"),
        (r#"%x"#, &[Int(18446744073709551615)], b"ffffffff"),
        (r#"%X"#, &[Int(18446744073709551614)], b"FFFFFFFE"),
        (r#"%ld"#, &[Int(18446744073709551615)], b"-1"),
        (
            r#"%lu"#,
            &[Int(18446744073709551615)],
            b"18446744073709551615",
        ),
        (
            r#"%lo"#,
            &[Int(18446744073709551615)],
            b"1777777777777777777777",
        ),
        (r#"%lx"#, &[Int(18364758544493064720)], b"fedcba9876543210"),
        (
            r#"%lld"#,
            &[Int(9223372036854775808)],
            b"-9223372036854775808",
        ),
        (
            r#"%llu"#,
            &[Int(18446744073709551615)],
            b"18446744073709551615",
        ),
        (r#"%lli"#, &[Int(18446744073709551611)], b"-5"),
        (r#"%jd"#, &[Int(18446744073709551607)], b"-9"),
        (
            r#"%ju"#,
            &[Int(18446744073709551615)],
            b"18446744073709551615",
        ),
        (r#"%zd"#, &[Int(18446744073709551615)], b"-1"),
        (
            r#"%zu"#,
            &[Int(18446744073709551615)],
            b"18446744073709551615",
        ),
        (r#"%zx"#, &[Int(11259375)], b"abcdef"),
        (r#"%td"#, &[Int(18446744073709551613)], b"-3"),
        (r#"%tx"#, &[Int(244837814094590)], b"deadbeefcafe"),
        (r#"%Lx"#, &[Int(78187493520)], b"1234567890"),
        (r#"%Ld"#, &[Int(18446744073709551615)], b"-1"),
        (r#"%qx"#, &[Int(78187493520)], b"1234567890"),
        (r#"%Zx"#, &[Int(5)], b"5"),
        (r#"%i"#, &[Int(18446744073709551599)], b"-17"),
        (r#"%o"#, &[Int(511)], b"777"),
        (r#"%hhi"#, &[Int(128)], b"-128"),
        (r#"%hho"#, &[Int(255)], b"377"),
    ]);
}

/// glibc: `%c`, including a NUL, which `snprintf` writes and counts.
#[test]
fn char() {
    check(&[
        (r#"%c"#, &[Int(65)], b"A"),
        (r#"%c"#, &[Int(321)], b"A"),
        (r#"%5c|"#, &[Int(120)], b"    x|"),
        (r#"%-3c|"#, &[Int(120)], b"x  |"),
        (r#"%05c"#, &[Int(97)], b"    a"),
        (r#"%.5c|"#, &[Int(97)], b"a|"),
        (r#"%+c"#, &[Int(97)], b"a"),
        (r#"%#c"#, &[Int(97)], b"a"),
        (r#"%hhc"#, &[Int(98)], b"b"),
        (r#"%c"#, &[Int(18446744073709551593)], b"\xe9"),
        (r#"a%cb"#, &[Int(0)], b"a\0b"),
        (r#"%3c|"#, &[Int(0)], b"  \0|"),
        (r#"%-3c|"#, &[Int(0)], b"\0  |"),
    ]);
}

/// glibc: `%s`: bytes, precision, padding, and a NULL pointer (recorded as 0).
#[test]
fn string() {
    check(&[
        (r#"%s"#, &[Str(b"hello")], b"hello"),
        (r#"%.3s|"#, &[Str(b"abcdef")], b"abc|"),
        (r#"%5.1s|"#, &[Str(b"abcdef")], b"    a|"),
        (r#"%-5s|"#, &[Str(b"ab")], b"ab   |"),
        (r#"%05s"#, &[Str(b"ab")], b"   ab"),
        (r#"%0-5s|"#, &[Str(b"a")], b"a    |"),
        (r#"%+s"#, &[Str(b"a")], b"a"),
        (r#"%#s"#, &[Str(b"a")], b"a"),
        (r#"%20s|"#, &[Str(b"x")], b"                   x|"),
        (r#"%.0s|"#, &[Str(b"abc")], b"|"),
        (r#"%.10s|"#, &[Str(b"abc")], b"abc|"),
        (r#"[%s]"#, &[Str(b"")], b"[]"),
        (
            r#"%s"#,
            &[Str(b"\xff\xfe caf\xc3\xa9")],
            b"\xff\xfe caf\xc3\xa9",
        ),
        (r#"%3s|"#, &[Str(b"\xc3\xa9")], b" \xc3\xa9|"),
        (r#"%.1s|"#, &[Str(b"\xc3\xa9")], b"\xc3|"),
        (r#"%s"#, &[Int(0)], b"(null)"),
        (r#"%.3s|"#, &[Int(0)], b"|"),
        (r#"%.6s|"#, &[Int(0)], b"(null)|"),
        (r#"%8s|"#, &[Int(0)], b"  (null)|"),
        (r#"%-8s|"#, &[Int(0)], b"(null)  |"),
    ]);
}

/// glibc: `%p`: `(nil)` and glibc's flag handling.
#[test]
fn pointer() {
    check(&[
        (r#"%p"#, &[Int(4660)], b"0x1234"),
        (r#"%p"#, &[Int(140724908873336)], b"0x7ffd12345678"),
        (r#"%p"#, &[Int(18446744073709551615)], b"0xffffffffffffffff"),
        (r#"%20p|"#, &[Int(4660)], b"              0x1234|"),
        (r#"%-20p|"#, &[Int(4660)], b"0x1234              |"),
        (r#"%020p"#, &[Int(4660)], b"0x000000000000001234"),
        (r#"%+p"#, &[Int(4660)], b"+0x1234"),
        (r#"% p"#, &[Int(4660)], b" 0x1234"),
        (r#"%.8p"#, &[Int(4660)], b"0x00001234"),
        (r#"%#p"#, &[Int(4660)], b"0x1234"),
        (r#"%lp"#, &[Int(4660)], b"0x1234"),
        (r#"%p"#, &[Int(0)], b"(nil)"),
        (r#"%20p|"#, &[Int(0)], b"               (nil)|"),
        (r#"%-20p|"#, &[Int(0)], b"(nil)               |"),
        (r#"%020p"#, &[Int(0)], b"               (nil)"),
        (r#"%.8p"#, &[Int(0)], b"(nil)"),
        (r#"%+p"#, &[Int(0)], b"(nil)"),
        (r#"% p"#, &[Int(0)], b"(nil)"),
    ]);
}

/// glibc: `%%`, with the flags glibc ignores.
#[test]
fn percent() {
    check(&[
        (r#"100%%"#, &[], b"100%"),
        (r#"%%d"#, &[], b"%d"),
        (r#"%5%|"#, &[], b"%|"),
        (r#"%-5%|"#, &[], b"%|"),
        (r#"a%%%%b"#, &[], b"a%%b"),
        (r#"%d%%"#, &[Int(50)], b"50%"),
    ]);
}

/// glibc: `*` width and precision taken from arguments.
#[test]
fn star() {
    check(&[
        (r#"%*d|"#, &[Int(18446744073709551611), Int(3)], b"3    |"),
        (r#"%.*d|"#, &[Int(18446744073709551611), Int(3)], b"3|"),
        (r#"%0*x|"#, &[Int(6), Int(255)], b"0000ff|"),
        (r#"%-*d|"#, &[Int(4), Int(1)], b"1   |"),
        (r#"%*d|"#, &[Int(4), Int(1)], b"   1|"),
        (r#"%.*x|"#, &[Int(4), Int(10)], b"000a|"),
        (r#"%.*d|"#, &[Int(0), Int(0)], b"|"),
        (r#"%.*s|"#, &[Int(2), Str(b"abc")], b"ab|"),
        (
            r#"%*s|"#,
            &[Int(18446744073709551612), Str(b"ab")],
            b"ab  |",
        ),
        (
            r#"%.*s|"#,
            &[Int(18446744073709551615), Str(b"abc")],
            b"abc|",
        ),
    ]);
}

/// glibc: C escapes in the format text.
#[test]
fn escapes() {
    check(&[
        (r#"a\tb"#, &[], b"a\x09b"),
        (r#"say \"hi\""#, &[], b"say \"hi\""),
        (r#"back\\slash"#, &[], b"back\\slash"),
        (r#"\101\102C"#, &[], b"ABC"),
        (r#"\x41\x42g"#, &[], b"ABg"),
        (r#"\x4a\x4Bz"#, &[], b"JKz"),
        (r#"\0abc"#, &[], b""),
        (r#"ab\0cd"#, &[], b"ab"),
        (r#"\x00z"#, &[], b""),
        (r#"\u00e9t\u00E9"#, &[], b"\xc3\xa9t\xc3\xa9"),
        (r#"\U0001F600"#, &[], b"\xf0\x9f\x98\x80"),
        (r#"\e[0m"#, &[], b"\x1b[0m"),
        (r#"\?\'"#, &[], b"?'"),
        (r#"\a\b\f\v\r"#, &[], b"\x07\x08\x0c\x0b\x0d"),
        (r#"\1234"#, &[], b"S4"),
        (r#"\7"#, &[], b"\x07"),
        (r#"\u0024"#, &[], b"$"),
        (r#"%\x64"#, &[Int(8)], b"8"),
    ]);
}
