//! Python's `repr()` of a `bytes` object, as simpletrace.py prints strings.

/// Appends `repr(bytes)`: `b'...'`, or `b"..."` when the bytes contain `'`
/// and no `"`; escapes `\\`, `\t`, `\n`, `\r`, the quote, and bytes outside
/// 0x20..0x7f as `\xNN`.
pub fn write_bytes_repr(out: &mut Vec<u8>, bytes: &[u8]) {
    let ReprPlan { quote, escapes } = ReprPlan::of(bytes);
    let Some(table) = escapes else {
        out.extend_from_slice(&[b'b', quote]);
        out.extend_from_slice(bytes);
        out.push(quote);
        return;
    };
    // Room for the worst case (every byte `\\xNN`) and a window's slack,
    // filled through a cursor with fixed 4-byte stores, then cut to what was
    // written. Record lengths are bounded, so this is too.
    let start = out.len();
    out.resize(start + 3 + 4 * bytes.len() + WINDOW, 0);
    let dst = &mut out[start..];
    dst[0] = b'b';
    dst[1] = quote;
    let mut pos = 2;
    // Four bytes write at most 16 within one bounds-checked window.
    let mut quads = bytes.chunks_exact(4);
    for quad in &mut quads {
        // Never `None`: the room above holds every window.
        let Some(window) = dst
            .get_mut(pos..)
            .and_then(|d| d.first_chunk_mut::<WINDOW>())
        else {
            break;
        };
        let mut at = 0;
        for &c in quad {
            let escape = table[c as usize];
            // `at` is at most 12 here; the mask lets the compiler see it.
            let at_masked = at & 15;
            window[at_masked..at_masked + 4].copy_from_slice(&escape.to_le_bytes()[..4]);
            at = at_masked + (escape >> 32) as usize;
        }
        pos += at;
    }
    for &c in quads.remainder() {
        let escape = table[c as usize];
        if let Some(slot) = dst.get_mut(pos..pos + 4) {
            slot.copy_from_slice(&escape.to_le_bytes()[..4]);
        }
        pos += (escape >> 32) as usize;
    }
    if let Some(end) = dst.get_mut(pos) {
        *end = quote;
    }
    out.truncate(start + pos + 1);
}

/// How `repr()` writes some bytes: which quote, and whether any byte needs
/// an escape. Writers other than [`write_bytes_repr`] (e.g. into a window
/// reserved ahead) follow the same plan.
#[derive(Debug, Clone, Copy)]
pub struct ReprPlan {
    /// `'`, or `"` when the bytes contain `'` and no `"`.
    pub quote: u8,
    /// `None`: every byte stands for itself (the text is `b`, the quote, the
    /// bytes, the quote). Otherwise each byte's text inside `quote`: in the
    /// low 4 bytes of its entry (little-endian, the unused ones zero), its
    /// length (1, 2 or 4) in bits 32..40.
    pub escapes: Option<&'static [u64; 256]>,
}

impl ReprPlan {
    /// The plan for `bytes`: one pass over table flags decides the quote and
    /// whether any byte needs an escape (most strings need none).
    #[inline]
    pub fn of(bytes: &[u8]) -> Self {
        let flags = bytes.iter().fold(0, |f, &c| f | FLAGS[c as usize]);
        let quote = if flags & (SINGLE | DOUBLE) == SINGLE {
            b'"'
        } else {
            b'\''
        };
        let quote_escaped = flags & (SINGLE | DOUBLE) == SINGLE | DOUBLE;
        let escapes = if flags & ESCAPE == 0 && !quote_escaped {
            None
        } else if quote == b'"' {
            Some(&IN_DOUBLE_QUOTES)
        } else {
            Some(&IN_SINGLE_QUOTES)
        };
        Self { quote, escapes }
    }
}

/// Slack after the worst case, for the last window.
const WINDOW: usize = 20;

/// `FLAGS` bits: the byte needs an escape whatever the quote, is `'`, is `"`.
const ESCAPE: u8 = 1;
const SINGLE: u8 = 2;
const DOUBLE: u8 = 4;

const FLAGS: [u8; 256] = {
    let mut flags = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        flags[c] = match c as u8 {
            b'\'' => SINGLE,
            b'"' => DOUBLE,
            b'\\' => ESCAPE,
            0x20..=0x7e => 0,
            _ => ESCAPE,
        };
        c += 1;
    }
    flags
};

/// Per byte: its text inside `quote` in the low 4 bytes (little-endian), its
/// length in bits 32..40.
const fn escapes(quote: u8) -> [u64; 256] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let text: [u8; 4] = match c {
            b'\t' => [b'\\', b't', 0, 0],
            b'\n' => [b'\\', b'n', 0, 0],
            b'\r' => [b'\\', b'r', 0, 0],
            b'\\' => [b'\\', b'\\', 0, 0],
            _ if c == quote => [b'\\', c, 0, 0],
            0x20..=0x7e => [c, 0, 0, 0],
            _ => [b'\\', b'x', HEX[(c >> 4) as usize], HEX[(c & 0xf) as usize]],
        };
        let len: u64 = match text {
            [b'\\', b'x', _, _] => 4,
            [b'\\', _, _, _] => 2,
            _ => 1,
        };
        table[i] = u32::from_le_bytes(text) as u64 | len << 32;
        i += 1;
    }
    table
}

const IN_SINGLE_QUOTES: [u64; 256] = escapes(b'\'');
const IN_DOUBLE_QUOTES: [u64; 256] = escapes(b'"');

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
        // A backslash is the only byte needing an escape: no fast path.
        assert_eq!(repr(b"a\\b"), r"b'a\\b'");
        assert_eq!(repr(b"\\"), r"b'\\'");
        assert_eq!(
            repr(b"\t\n\r\x00\x1f\x7f\x80 ~"),
            r"b'\t\n\r\x00\x1f\x7f\x80 ~'"
        );
    }

    /// Every byte value in both quotings; expected strings printed by
    /// CPython 3.11: `repr(bytes(range(256)))` and the same without `"`.
    #[test]
    fn every_byte_matches_python_repr() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(
            repr(&all),
            r##"b'\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff'"##
        );
        let no_double: Vec<u8> = (0..=255).filter(|&c| c != b'"').collect();
        assert_eq!(
            repr(&no_double),
            r##"b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff""##
        );
    }
}
