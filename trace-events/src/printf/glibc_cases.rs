//! Edge cases of each flag, width, precision, length modifier, conversion and
//! escape, checked against the C library itself: every case is rendered by
//! glibc's `snprintf` in a C program compiled and run by the test
//! (`glibc_oracle`), so no expected text is written here. The format column
//! is the C source text, each integer the value cast to `uint64_t`, as the
//! simple backend records it.

#![cfg_attr(mutants, mutants::skip)] // test code, not mutated

use super::glibc_oracle::render_with_glibc;
use super::{Format, Value, Value::Int, Value::Str};

type Case = (&'static str, &'static [Value<'static>]);

/// Render every case with a strictly parsed format and with glibc; report
/// all mismatches.
fn check(cases: &[Case]) {
    check_with(cases, Format::parse);
}

/// [`check`] with `parse` reading each format.
fn check_with(cases: &[Case], parse: fn(&str) -> Result<Format, super::FormatError>) {
    let expected = render_with_glibc(cases);
    assert_eq!(expected.len(), cases.len());
    let failures: Vec<String> = cases
        .iter()
        .zip(&expected)
        .filter_map(|(&(c_format, args), expected)| {
            let rendered = match parse(c_format) {
                Ok(format) => {
                    let mut out = Vec::new();
                    format.render(&mut out, args);
                    out
                }
                Err(err) => return Some(format!("{c_format:?}: {err}")),
            };
            (&rendered != expected).then(|| {
                format!(
                    "{c_format:?} {args:?}: glibc {:?}, rendered {:?}",
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
        (r#"%-5d|"#, &[Int(42)]),
        (r#"%+d"#, &[Int(42)]),
        (r#"% d"#, &[Int(42)]),
        (r#"%+ d"#, &[Int(42)]),
        (r#"% +d"#, &[Int(18446744073709551574)]),
        (r#"%05d"#, &[Int(18446744073709551574)]),
        (r#"%-05d|"#, &[Int(42)]),
        (r#"%+05d"#, &[Int(42)]),
        (r#"% 05d"#, &[Int(42)]),
        (r#"%00005d"#, &[Int(3)]),
        (r#"%-0-5d|"#, &[Int(3)]),
        // `-` overrides `0` for every integer conversion and `%p`.
        (r#"%-08x|"#, &[Int(0xbeef)]),
        (r#"%-08X|"#, &[Int(0xbeef)]),
        (r#"%-#08x|"#, &[Int(0xbeef)]),
        (r#"%-08o|"#, &[Int(8)]),
        (r#"%-08u|"#, &[Int(7)]),
        (r#"%-08d|"#, &[Int(18446744073709551574)]),
        (r#"%-020p|"#, &[Int(0xdead)]),
        (r#"%0-8x|"#, &[Int(0xbeef)]),
        (r#"%+u"#, &[Int(5)]),
        (r#"% u"#, &[Int(5)]),
        (r#"%+x"#, &[Int(5)]),
        (r#"% o"#, &[Int(8)]),
        (r#"%'d"#, &[Int(1234567)]),
        (r#"%I5d"#, &[Int(3)]),
        (r#"%#d"#, &[Int(3)]),
    ]);
}

/// glibc: the `#` flag.
#[test]
fn alt() {
    check(&[
        (r#"%#x"#, &[Int(255)]),
        (r#"%#X"#, &[Int(255)]),
        (r#"%#x"#, &[Int(0)]),
        (r#"%#o"#, &[Int(8)]),
        (r#"%#o"#, &[Int(0)]),
        (r#"%#.0o"#, &[Int(0)]),
        (r#"%#.3o"#, &[Int(8)]),
        (r#"%#.4o"#, &[Int(8)]),
        (r#"%#5x"#, &[Int(1)]),
        (r#"%#05x"#, &[Int(1)]),
        (r#"%#-6x|"#, &[Int(1)]),
        (r#"%#.3x"#, &[Int(1)]),
        (r#"%#.0x|"#, &[Int(0)]),
        (r#"%#010llx"#, &[Int(2748)]),
    ]);
}

/// glibc: width and precision.
#[test]
fn width_precision() {
    check(&[
        (r#"%5d|"#, &[Int(42)]),
        (r#"%.3d"#, &[Int(7)]),
        (r#"%.3d"#, &[Int(18446744073709551609)]),
        (r#"%8.3d|"#, &[Int(18446744073709551609)]),
        (r#"%-8.3d|"#, &[Int(7)]),
        (r#"%05.3d"#, &[Int(12)]),
        (r#"%.0d|"#, &[Int(0)]),
        (r#"%5.0x|"#, &[Int(0)]),
        (r#"%+.0d|"#, &[Int(0)]),
        (r#"% .0d|"#, &[Int(0)]),
        (r#"%.0d"#, &[Int(5)]),
        (r#"%.8x"#, &[Int(4660)]),
        (r#"%2.2x"#, &[Int(2748)]),
        (r#"%016llx"#, &[Int(4660)]),
        (r#"%1x"#, &[Int(2748)]),
        (r#"%.20d"#, &[Int(18446744073709551615)]),
        (r#"%030d"#, &[Int(18446744071562067968)]),
    ]);
}

/// glibc: length modifiers: the type each conversion reads.
#[test]
fn length() {
    check(&[
        (r#"%hhd"#, &[Int(200)]),
        (r#"%hhu"#, &[Int(18446744073709551615)]),
        (r#"%hhx"#, &[Int(511)]),
        (r#"%hhd"#, &[Int(219)]),
        (r#"%hd"#, &[Int(70000)]),
        (r#"%hu"#, &[Int(18446744073709551615)]),
        (r#"%hX"#, &[Int(11259375)]),
        (r#"%d"#, &[Int(8589934591)]),
        (r#"%d"#, &[Int(18446744071562067968)]),
        (r#"%u"#, &[Int(18446744073709551615)]),
        (r#"%x"#, &[Int(18446744073709551615)]),
        (r#"%X"#, &[Int(18446744073709551614)]),
        (r#"%ld"#, &[Int(18446744073709551615)]),
        (r#"%lu"#, &[Int(18446744073709551615)]),
        (r#"%lo"#, &[Int(18446744073709551615)]),
        (r#"%lx"#, &[Int(18364758544493064720)]),
        (r#"%lld"#, &[Int(9223372036854775808)]),
        (r#"%llu"#, &[Int(18446744073709551615)]),
        (r#"%lli"#, &[Int(18446744073709551611)]),
        (r#"%jd"#, &[Int(18446744073709551607)]),
        (r#"%ju"#, &[Int(18446744073709551615)]),
        (r#"%zd"#, &[Int(18446744073709551615)]),
        (r#"%zu"#, &[Int(18446744073709551615)]),
        (r#"%zx"#, &[Int(11259375)]),
        (r#"%td"#, &[Int(18446744073709551613)]),
        (r#"%tx"#, &[Int(244837814094590)]),
        (r#"%Lx"#, &[Int(78187493520)]),
        (r#"%Ld"#, &[Int(18446744073709551615)]),
        (r#"%qx"#, &[Int(78187493520)]),
        (r#"%Zx"#, &[Int(5)]),
        (r#"%i"#, &[Int(18446744073709551599)]),
        (r#"%o"#, &[Int(511)]),
        (r#"%hhi"#, &[Int(128)]),
        (r#"%hho"#, &[Int(255)]),
    ]);
}

/// glibc: `%c`, including a NUL, which `snprintf` writes and counts.
#[test]
fn char() {
    check(&[
        (r#"%c"#, &[Int(65)]),
        (r#"%c"#, &[Int(321)]),
        (r#"%5c|"#, &[Int(120)]),
        (r#"%-3c|"#, &[Int(120)]),
        (r#"%05c"#, &[Int(97)]),
        (r#"%.5c|"#, &[Int(97)]),
        (r#"%+c"#, &[Int(97)]),
        (r#"%#c"#, &[Int(97)]),
        (r#"%hhc"#, &[Int(98)]),
        (r#"%c"#, &[Int(18446744073709551593)]),
        (r#"a%cb"#, &[Int(0)]),
        (r#"%3c|"#, &[Int(0)]),
        (r#"%-3c|"#, &[Int(0)]),
    ]);
}

/// glibc: `%s`: bytes, precision, padding, and a NULL pointer (recorded as 0).
#[test]
fn string() {
    check(&[
        (r#"%s"#, &[Str(b"hello")]),
        (r#"%.3s|"#, &[Str(b"abcdef")]),
        (r#"%5.1s|"#, &[Str(b"abcdef")]),
        (r#"%-5s|"#, &[Str(b"ab")]),
        (r#"%05s"#, &[Str(b"ab")]),
        (r#"%0-5s|"#, &[Str(b"a")]),
        (r#"%+s"#, &[Str(b"a")]),
        (r#"%#s"#, &[Str(b"a")]),
        (r#"%20s|"#, &[Str(b"x")]),
        (r#"%.0s|"#, &[Str(b"abc")]),
        (r#"%.10s|"#, &[Str(b"abc")]),
        (r#"[%s]"#, &[Str(b"")]),
        (r#"%s"#, &[Str(b"\xff\xfe caf\xc3\xa9")]),
        (r#"%3s|"#, &[Str(b"\xc3\xa9")]),
        (r#"%.1s|"#, &[Str(b"\xc3\xa9")]),
        (r#"%s"#, &[Int(0)]),
        (r#"%.3s|"#, &[Int(0)]),
        (r#"%.6s|"#, &[Int(0)]),
        (r#"%8s|"#, &[Int(0)]),
        (r#"%-8s|"#, &[Int(0)]),
    ]);
}

/// glibc: `%p`: `(nil)` and glibc's flag handling.
#[test]
fn pointer() {
    check(&[
        (r#"%p"#, &[Int(4660)]),
        (r#"%p"#, &[Int(140724908873336)]),
        (r#"%p"#, &[Int(18446744073709551615)]),
        (r#"%20p|"#, &[Int(4660)]),
        (r#"%-20p|"#, &[Int(4660)]),
        (r#"%020p"#, &[Int(4660)]),
        (r#"%+p"#, &[Int(4660)]),
        (r#"% p"#, &[Int(4660)]),
        (r#"%.8p"#, &[Int(4660)]),
        (r#"%#p"#, &[Int(4660)]),
        (r#"%lp"#, &[Int(4660)]),
        (r#"%p"#, &[Int(0)]),
        (r#"%20p|"#, &[Int(0)]),
        (r#"%-20p|"#, &[Int(0)]),
        (r#"%020p"#, &[Int(0)]),
        (r#"%.8p"#, &[Int(0)]),
        (r#"%+p"#, &[Int(0)]),
        (r#"% p"#, &[Int(0)]),
    ]);
}

/// glibc: `%%`, with the flags glibc ignores.
#[test]
fn percent() {
    check(&[
        (r#"100%%"#, &[]),
        (r#"%%d"#, &[]),
        (r#"%5%|"#, &[]),
        (r#"%-5%|"#, &[]),
        (r#"a%%%%b"#, &[]),
        (r#"%d%%"#, &[Int(50)]),
    ]);
}

/// glibc: `*` width and precision taken from arguments.
#[test]
fn star() {
    check(&[
        (r#"%*d|"#, &[Int(18446744073709551611), Int(3)]),
        (r#"%.*d|"#, &[Int(18446744073709551611), Int(3)]),
        (r#"%0*x|"#, &[Int(6), Int(255)]),
        (r#"%-*d|"#, &[Int(4), Int(1)]),
        (r#"%*d|"#, &[Int(4), Int(1)]),
        (r#"%.*x|"#, &[Int(4), Int(10)]),
        (r#"%.*d|"#, &[Int(0), Int(0)]),
        (r#"%.*s|"#, &[Int(2), Str(b"abc")]),
        (r#"%*s|"#, &[Int(18446744073709551612), Str(b"ab")]),
        (r#"%.*s|"#, &[Int(18446744073709551615), Str(b"abc")]),
    ]);
}

/// glibc: C escapes in the format text.
#[test]
fn escapes() {
    check(&[
        (r#"a\tb"#, &[]),
        (r#"say \"hi\""#, &[]),
        (r#"back\\slash"#, &[]),
        (r#"\\"#, &[]),
        (r#"\\\\"#, &[]),
        (r#"a\nb"#, &[]),
        (r#"\101\102C"#, &[]),
        (r#"\x41\x42g"#, &[]),
        (r#"\x4a\x4Bz"#, &[]),
        (r#"\0abc"#, &[]),
        (r#"ab\0cd"#, &[]),
        (r#"\x00z"#, &[]),
        (r#"\u00e9t\u00E9"#, &[]),
        (r#"\U0001F600"#, &[]),
        (r#"\e[0m"#, &[]),
        (r#"\?\'"#, &[]),
        (r#"\a\b\f\v\r"#, &[]),
        (r#"\1234"#, &[]),
        (r#"\7"#, &[]),
        (r#"\u0024"#, &[]),
        (r#"%\x64"#, &[Int(8)]),
    ]);
}

/// glibc after gcc's warnings (the oracle compiles with `-w`): what a lossy
/// reading makes of escapes C only warns about.
#[test]
fn escapes_gcc_only_warns_about() {
    check_with(
        &[
            (r#"\x4z"#, &[]),
            (r#"\x4142z"#, &[]),
            (r#"abcd\x4142z"#, &[]),
            (r#"\x41424z"#, &[]),
            (r#"abcde\777f"#, &[]),
            (r#"\x123|"#, &[]),
            (r#"\x00041z"#, &[]),
            (r#"a\777b"#, &[]),
            (r#"a\400b"#, &[]),
            (r#"\q\%d"#, &[Int(3)]),
        ],
        |c_format| Ok(Format::parse_lossy(c_format)),
    );
}
