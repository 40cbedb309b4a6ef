//! The one thing read back from a collector: an `ExportTraceServiceResponse`'s
//! `partial_success` (how many spans it rejected, and why), read with the
//! wire format's [`read_field`]: anything malformed reads as no partial
//! success.

use super::schema as field;
use crate::timeline::protobuf::{read_field, WireValue};

#[derive(Debug, PartialEq, Eq)]
pub struct PartialSuccess {
    pub rejected_spans: u64,
    pub message: String,
}

/// The partial success in a response body, when it rejected spans or says
/// something.
pub fn partial_success(mut body: &[u8]) -> Option<PartialSuccess> {
    let mut found = None;
    while let Some((number, value)) = read_field(&mut body) {
        if let (field::PARTIAL_SUCCESS, WireValue::Bytes(mut inner)) = (number as u32, value) {
            let mut partial = PartialSuccess {
                rejected_spans: 0,
                message: String::new(),
            };
            while let Some((number, value)) = read_field(&mut inner) {
                match (number as u32, value) {
                    (field::REJECTED_SPANS, WireValue::Varint(v)) => partial.rejected_spans = v,
                    (field::ERROR_MESSAGE, WireValue::Bytes(text)) => {
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
