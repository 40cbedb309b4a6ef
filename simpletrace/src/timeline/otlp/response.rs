//! The one thing read back from a collector: an `ExportTraceServiceResponse`'s
//! `partial_success` (how many spans it rejected, and why). A minimal
//! protobuf reader: anything malformed reads as no partial success.

use super::schema as field;

#[derive(Debug, PartialEq, Eq)]
pub struct PartialSuccess {
    pub rejected_spans: u64,
    pub message: String,
}

fn varint(buf: &mut &[u8]) -> Option<u64> {
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

enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Other,
}

/// The next field: its number and value.
fn next<'a>(buf: &mut &'a [u8]) -> Option<(u64, Field<'a>)> {
    let tag = varint(buf)?;
    let value = match tag & 7 {
        0 => Field::Varint(varint(buf)?),
        1 => {
            *buf = buf.get(8..)?;
            Field::Other
        }
        2 => {
            let len = usize::try_from(varint(buf)?).ok()?;
            let bytes = buf.get(..len)?;
            *buf = &buf[len..];
            Field::Bytes(bytes)
        }
        5 => {
            *buf = buf.get(4..)?;
            Field::Other
        }
        _ => return None,
    };
    Some((tag >> 3, value))
}

/// The partial success in a response body, when it rejected spans or says
/// something.
pub fn partial_success(mut body: &[u8]) -> Option<PartialSuccess> {
    let mut found = None;
    while let Some((number, value)) = next(&mut body) {
        if let (field::PARTIAL_SUCCESS, Field::Bytes(mut inner)) = (number as u32, value) {
            let mut partial = PartialSuccess {
                rejected_spans: 0,
                message: String::new(),
            };
            while let Some((number, value)) = next(&mut inner) {
                match (number as u32, value) {
                    (field::REJECTED_SPANS, Field::Varint(v)) => partial.rejected_spans = v,
                    (field::ERROR_MESSAGE, Field::Bytes(text)) => {
                        partial.message = String::from_utf8_lossy(text).into_owned()
                    }
                    _ => {}
                }
            }
            found = Some(partial);
        }
    }
    found.filter(|p| p.rejected_spans != 0 || !p.message.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_successes() {
        // partial_success { rejected_spans: 3, error_message: "full" }
        let body = b"\x0a\x08\x08\x03\x12\x04full";
        assert_eq!(
            partial_success(body),
            Some(PartialSuccess {
                rejected_spans: 3,
                message: "full".into()
            })
        );
        assert_eq!(partial_success(b""), None);
        // An empty partial_success: all accepted.
        assert_eq!(partial_success(b"\x0a\x00"), None);
        // Truncated: nothing read, no panic.
        assert_eq!(partial_success(b"\x0a\x08\x08"), None);
        assert_eq!(partial_success(b"\xff\xff\xff"), None);
    }
}
