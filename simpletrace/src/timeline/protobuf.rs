//! The protobuf wire format, as much as the Perfetto and OTLP exports need:
//! varints, 64-bit fixed fields, and length-delimited fields (strings, bytes, nested messages) appended to
//! a `Vec<u8>`. A nested message is written in place: [`begin`] leaves one
//! byte for its length and [`end`] fills it in, moving the body up in the
//! rare case the length needs more than one byte. No schema here: field
//! numbers are the caller's. Reading ([`read_field`]) is the one walker of
//! fields: what a collector's response says, and checks of the exports.

/// Wire type of varint fields (integers, bools, enums).
const VARINT: u32 = 0;
/// Wire type of `fixed64` fields.
const I64: u32 = 1;
/// Wire type of length-delimited fields (strings, bytes, messages).
const LEN: u32 = 2;

/// `v` as a base-128 varint, least significant group first.
#[inline]
pub fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    if v < 0x80 {
        buf.push(v as u8);
        return;
    }
    // Built on the stack, appended at once: one capacity check.
    let mut bytes = [0u8; 10];
    let mut n = 0;
    while v >= 0x80 {
        bytes[n] = v as u8 | 0x80;
        v >>= 7;
        n += 1;
    }
    bytes[n] = v as u8;
    buf.extend_from_slice(&bytes[..=n]);
}

/// Bytes `v` takes as a varint.
pub fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

#[inline]
fn put_tag(buf: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(buf, u64::from(field << 3 | wire));
}

/// A `uint64`/`uint32`/enum field.
#[inline]
pub fn put_uint(buf: &mut Vec<u8>, field: u32, v: u64) {
    put_tag(buf, field, VARINT);
    put_varint(buf, v);
}

/// An `int64`/`int32` field: negative values take ten bytes (two's
/// complement, as the wire format says for non-zigzag types).
pub fn put_int(buf: &mut Vec<u8>, field: u32, v: i64) {
    put_uint(buf, field, v as u64);
}

/// A `fixed64` field: eight bytes, little-endian.
pub fn put_fixed64(buf: &mut Vec<u8>, field: u32, v: u64) {
    put_tag(buf, field, I64);
    buf.extend_from_slice(&v.to_le_bytes());
}

pub fn put_bool(buf: &mut Vec<u8>, field: u32, v: bool) {
    put_uint(buf, field, u64::from(v));
}

/// A `bytes` or `string` field.
pub fn put_bytes(buf: &mut Vec<u8>, field: u32, v: &[u8]) {
    put_tag(buf, field, LEN);
    put_varint(buf, v.len() as u64);
    buf.extend_from_slice(v);
}

/// A `string` field: protobuf strings are UTF-8, so invalid bytes become
/// U+FFFD (as in the JSON outputs).
pub fn put_str(buf: &mut Vec<u8>, field: u32, v: &[u8]) {
    match std::str::from_utf8(v) {
        Ok(_) => put_bytes(buf, field, v),
        Err(_) => put_bytes(buf, field, String::from_utf8_lossy(v).as_bytes()),
    }
}

/// Where a nested message's body starts, for [`end`].
#[must_use]
pub struct Open(usize);

/// Start a nested message field; its fields follow, then [`end`].
#[inline]
pub fn begin(buf: &mut Vec<u8>, field: u32) -> Open {
    put_tag(buf, field, LEN);
    buf.push(0);
    Open(buf.len())
}

/// Finish the nested message started by `open`: write its length.
pub fn end(buf: &mut Vec<u8>, open: Open) {
    let start = open.0;
    let len = buf.len() - start;
    let extra = varint_len(len as u64) - 1;
    if extra > 0 {
        // Make room for the longer length: move the body up.
        buf.splice(start..start, std::iter::repeat(0).take(extra));
    }
    let mut at = start - 1;
    let mut v = len as u64;
    while v >= 0x80 {
        buf[at] = v as u8 | 0x80;
        v >>= 7;
        at += 1;
    }
    buf[at] = v as u8;
}

/// A field's value as read ([`read_field`]), by wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireValue<'a> {
    /// Wire type 0: integers, bools, enums.
    Varint(u64),
    /// Wire type 1: `fixed64`, `sfixed64`, `double`.
    Fixed64(u64),
    /// Wire type 2: strings, bytes, nested messages, packed fields.
    Bytes(&'a [u8]),
    /// Wire type 5: `fixed32`, `sfixed32`, `float`.
    Fixed32(u32),
}

/// The field at the start of `buf` (its number and value), and `buf`
/// moved past it. `None`, with `buf` left anywhere, when `buf` is empty or
/// the field is malformed: a varint over ten bytes, a length or value past
/// the end, field number 0, or a wire type other than 0, 1, 2 and 5 (the
/// group types are deprecated and none of our schemas has one).
pub fn read_field<'a>(buf: &mut &'a [u8]) -> Option<(u64, WireValue<'a>)> {
    let tag = read_varint(buf)?;
    let number = tag >> 3;
    if number == 0 {
        return None;
    }
    let value = match tag & 7 {
        0 => WireValue::Varint(read_varint(buf)?),
        1 => WireValue::Fixed64(u64::from_le_bytes(*take(buf, 8)?.first_chunk()?)),
        2 => {
            let len = usize::try_from(read_varint(buf)?).ok()?;
            WireValue::Bytes(take(buf, len)?)
        }
        5 => WireValue::Fixed32(u32::from_le_bytes(*take(buf, 4)?.first_chunk()?)),
        _ => return None,
    };
    Some((number, value))
}

/// A varint at the start of `buf`, `buf` moved past it.
fn read_varint(buf: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = buf.split_first()?;
        *buf = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

/// The first `len` bytes of `buf`, `buf` moved past them.
fn take<'a>(buf: &mut &'a [u8], len: usize) -> Option<&'a [u8]> {
    let (taken, rest) = buf.split_at_checked(len)?;
    *buf = rest;
    Some(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected bytes from the protobuf encoding guide
    // (protobuf.dev/programming-guides/encoding).

    #[test]
    fn varints() {
        let enc = |v| {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(b.len(), varint_len(v), "{v}");
            b
        };
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(1), [0x01]);
        assert_eq!(enc(127), [0x7f]);
        assert_eq!(enc(128), [0x80, 0x01]);
        assert_eq!(enc(150), [0x96, 0x01]);
        assert_eq!(enc(300), [0xac, 0x02]);
        assert_eq!(
            enc(u64::MAX),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
    }

    #[test]
    fn scalar_fields() {
        let mut b = Vec::new();
        put_uint(&mut b, 1, 150);
        assert_eq!(b, [0x08, 0x96, 0x01]);
        b.clear();
        // int32 -2 in field 1: ten bytes of two's complement.
        put_int(&mut b, 1, -2);
        assert_eq!(
            b,
            [0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
        b.clear();
        put_bool(&mut b, 2, true);
        // A field number above 15 takes a two-byte tag.
        put_uint(&mut b, 60, 1);
        assert_eq!(b, [0x10, 0x01, 0xe0, 0x03, 0x01]);
        b.clear();
        // fixed64 in field 7: tag 0x39, then the value little-endian.
        put_fixed64(&mut b, 7, 0x0102_0304_0506_0708);
        assert_eq!(b, [0x39, 8, 7, 6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn strings() {
        let mut b = Vec::new();
        put_str(&mut b, 2, b"testing");
        assert_eq!(b, b"\x12\x07testing");
        b.clear();
        put_str(&mut b, 1, b"a\xffb");
        assert_eq!(b, b"\x0a\x05a\xef\xbf\xbdb");
    }

    #[test]
    fn nested_messages() {
        // Test3 { c: Test1 { a: 150 } } with c = 3.
        let mut b = Vec::new();
        let open = begin(&mut b, 3);
        put_uint(&mut b, 1, 150);
        end(&mut b, open);
        assert_eq!(b, [0x1a, 0x03, 0x08, 0x96, 0x01]);

        // Two levels, the inner one empty.
        b.clear();
        let outer = begin(&mut b, 1);
        let inner = begin(&mut b, 2);
        end(&mut b, inner);
        end(&mut b, outer);
        assert_eq!(b, [0x0a, 0x02, 0x12, 0x00]);
    }

    #[test]
    fn nested_messages_longer_than_127_bytes() {
        let body = vec![b'x'; 300];
        let mut b = vec![0xaa];
        let outer = begin(&mut b, 1);
        let inner = begin(&mut b, 2);
        put_bytes(&mut b, 3, &body);
        end(&mut b, inner);
        end(&mut b, outer);
        // bytes field: 1a, 300 = ac 02, 300 bytes (303 in all); inner: 12,
        // 303 = af 02, body (306 in all); outer: 0a, 306 = b2 02, body.
        let mut want = vec![0xaa, 0x0a, 0xb2, 0x02, 0x12, 0xaf, 0x02, 0x1a, 0xac, 0x02];
        want.extend_from_slice(&body);
        assert_eq!(b, want);
    }

    #[test]
    fn fields_read_back_as_written() {
        let mut b = Vec::new();
        put_uint(&mut b, 1, 150);
        put_int(&mut b, 2, -2);
        put_fixed64(&mut b, 7, 0x0102_0304_0506_0708);
        put_str(&mut b, 60, b"testing");
        let open = begin(&mut b, 3);
        put_uint(&mut b, 1, 1);
        end(&mut b, open);
        b.extend_from_slice(&[0x15, 1, 2, 3, 4]); // fixed32 field 2
        let mut rest = &b[..];
        let mut read = Vec::new();
        while let Some(field) = read_field(&mut rest) {
            read.push(field);
        }
        assert!(rest.is_empty());
        assert_eq!(
            read,
            [
                (1, WireValue::Varint(150)),
                (2, WireValue::Varint(-2i64 as u64)),
                (7, WireValue::Fixed64(0x0102_0304_0506_0708)),
                (60, WireValue::Bytes(b"testing")),
                (3, WireValue::Bytes(&[0x08, 0x01])),
                (2, WireValue::Fixed32(0x0403_0201)),
            ]
        );
    }

    #[test]
    fn malformed_fields_read_as_none() {
        for bad in [
            &b""[..],
            b"\x08",                                             // a tag and no value
            b"\x12\x05abc",                                      // a length past the end
            b"\x09\x01\x02",                                     // fixed64 cut short
            b"\x0b",                                             // wire type 3 (start group)
            b"\x00\x01",                                         // field number 0
            b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", // an 11-byte varint
        ] {
            let mut rest = bad;
            assert_eq!(read_field(&mut rest), None, "{bad:?}");
        }
    }
}
