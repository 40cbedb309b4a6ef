//! Python's `repr()` of a `bytes` object, as simpletrace.py prints strings.

/// Appends `repr(bytes)`: `b'...'`, or `b"..."` when the bytes contain `'`
/// and no `"`; escapes `\\`, `\t`, `\n`, `\r`, the quote, and bytes outside
/// 0x20..0x7f as `\xNN`.
pub fn write_bytes_repr(out: &mut Vec<u8>, bytes: &[u8]) {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    out.push(b'b');
    out.push(quote);
    // Most strings need no escape: one copy.
    if bytes
        .iter()
        .all(|&c| (0x20..0x7f).contains(&c) && c != b'\'' && c != b'\\')
    {
        out.extend_from_slice(bytes);
        out.push(quote);
        return;
    }
    out.reserve(bytes.len() * 4 + 1);
    for &c in bytes {
        if (0x20..0x7f).contains(&c) && c != quote && c != b'\\' {
            out.push(c);
            continue;
        }
        match c {
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\\' | b'\'' | b'"' => out.extend_from_slice(&[b'\\', c]),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'x',
                    HEX[(c >> 4) as usize],
                    HEX[(c & 0xf) as usize],
                ]);
            }
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_bytes_repr(&mut out, bytes);
        String::from_utf8(out).unwrap()
    }

    /// Expected values are what CPython 3.11 prints for `repr(b...)`.
    #[test]
    fn matches_python_repr() {
        assert_eq!(repr(b""), "b''");
        assert_eq!(repr(b"disk.img"), "b'disk.img'");
        assert_eq!(repr(b"it's"), r#"b"it's""#);
        assert_eq!(repr(b"it's \"q\""), r#"b'it\'s "q"'"#);
        assert_eq!(repr(b"say \"hi\""), r#"b'say "hi"'"#);
        assert_eq!(repr(b"\xff\\"), r"b'\xff\\'");
        assert_eq!(
            repr(b"\t\n\r\x00\x1f\x7f\x80 ~"),
            r"b'\t\n\r\x00\x1f\x7f\x80 ~'"
        );
    }
}
