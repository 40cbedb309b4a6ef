//! OTLP attributes (`KeyValue`s) of one field of a message: a record's
//! arguments typed as declared, as the JSON output types them. Integers are
//! `int_value` (OTLP's only integer: `int64`; an unsigned 64-bit value above
//! 2^63 - 1 wraps to a negative one, as OpenTelemetry SDKs cast it),
//! booleans `bool_value`, pointers the text `0x...`, strings `string_value`
//! (invalid UTF-8 replaced by U+FFFD).

use trace_events::ArgKind;

use super::super::protobuf::{begin, end, put_bool, put_int, put_str};
use super::schema as field;
use crate::{Record, Value};

fn key_value(buf: &mut Vec<u8>, attributes: u32, key: &[&str], value: impl FnOnce(&mut Vec<u8>)) {
    let kv = begin(buf, attributes);
    if let [key] = key {
        put_str(buf, field::KEY, key.as_bytes());
    } else {
        put_str(buf, field::KEY, key.concat().as_bytes());
    }
    let any = begin(buf, field::VALUE);
    value(buf);
    end(buf, any);
    end(buf, kv);
}

pub fn put_int_attr(buf: &mut Vec<u8>, attributes: u32, key: &str, v: i64) {
    key_value(buf, attributes, &[key], |b| put_int(b, field::INT_VALUE, v));
}

pub fn put_str_attr(buf: &mut Vec<u8>, attributes: u32, key: &str, v: &[u8]) {
    key_value(buf, attributes, &[key], |b| {
        put_str(b, field::STRING_VALUE, v)
    });
}

/// `record`'s arguments from the `skip`-th on, each key `prefix` + its name.
/// Returns how many were written.
pub fn put_args(
    buf: &mut Vec<u8>,
    attributes: u32,
    record: &Record<'_>,
    prefix: &str,
    skip: usize,
) -> u32 {
    let mut count = 0;
    for (decl, value) in record.args().skip(skip) {
        let key = [prefix, decl.name.as_str()];
        let key = if prefix.is_empty() {
            &key[1..]
        } else {
            &key[..]
        };
        key_value(buf, attributes, key, |b| match (decl.kind, value) {
            (_, Value::Str(s)) => put_str(b, field::STRING_VALUE, s),
            (ArgKind::Int(ty), Value::Int(v)) => {
                let shift = 64 - u32::from(ty.bits.clamp(1, 64));
                let v = if ty.signed {
                    ((v << shift) as i64) >> shift
                } else {
                    ((v << shift) >> shift) as i64
                };
                put_int(b, field::INT_VALUE, v)
            }
            (ArgKind::Bool, Value::Int(v)) => put_bool(b, field::BOOL_VALUE, v != 0),
            (ArgKind::Pointer | ArgKind::Str, Value::Int(v)) => {
                put_str(b, field::STRING_VALUE, format!("{v:#x}").as_bytes())
            }
        });
        count += 1;
    }
    count
}
