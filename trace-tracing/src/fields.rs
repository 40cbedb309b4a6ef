//! A callsite's fields as trace arguments: their types (decided by the first
//! values seen), and the encoding of one record's values into a buffer laid
//! out as the v4 format records them.
//!
//! Argument `i` is field `i` of the callsite's `FieldSet`. `tracing` visits
//! values in that order, so they are encoded as they come, with no second
//! copy; a field with no value gets 0 or an empty string, and a value that
//! comes after a later field's (never seen in practice) is left out.

use std::fmt::{self, Write};

use trace_runtime::registry::RecordPayload;
use trace_runtime::ArgType;
use tracing_core::field::{Field, Visit};

/// Bytes of arguments a record may take. Strings are cut so that the record
/// fits: each at 512 bytes, as QEMU cuts them, and all of them together
/// within this budget.
pub const MAX_PAYLOAD: usize = 4096;
/// Longest string argument (QEMU's cut).
const MAX_STRING: usize = 512;

/// One field value as `tracing` hands it over.
#[derive(Clone, Copy)]
pub(crate) enum Val<'v> {
    U64(u64),
    I64(i64),
    Bool(bool),
    Text(&'v str),
    Bytes(&'v [u8]),
    Debug(&'v dyn fmt::Debug),
    Display(&'v dyn fmt::Display),
}

impl Val<'_> {
    /// The argument type a field gets from its first value: integers and
    /// bools as integers, everything else (strings, floats, `Debug` values)
    /// as a string.
    pub(crate) fn arg_type(&self) -> ArgType {
        match self {
            Val::U64(_) => ArgType::U64,
            Val::I64(_) => ArgType::I64,
            Val::Bool(_) => ArgType::Bool,
            _ => ArgType::Str,
        }
    }

    /// The value of an integer argument. A value of another type than the
    /// first one: an integer argument takes integers and bools, anything
    /// else is 0.
    #[inline]
    pub(crate) fn as_u64(&self) -> u64 {
        match *self {
            Val::U64(v) => v,
            Val::I64(v) => v as u64,
            Val::Bool(v) => v.into(),
            _ => 0,
        }
    }
}

/// Something that takes field values by field index.
pub(crate) trait Sink {
    fn put(&mut self, index: usize, val: Val<'_>);
}

/// Adapts a [`Sink`] to `tracing`'s visitor.
pub(crate) struct Visitor<'s, S>(pub(crate) &'s mut S);

impl<S: Sink> Visit for Visitor<'_, S> {
    #[inline]
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.put(field.index(), Val::U64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.put(field.index(), Val::I64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.put(field.index(), Val::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.put(field.index(), Val::Text(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.put(field.index(), Val::Debug(&value));
    }
    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        self.0.put(field.index(), Val::Bytes(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.put(field.index(), Val::Display(&value));
    }
    // `message`: `format_args!` reaches a layer only as `&dyn Debug`; its
    // `Debug` writes a literal (`Arguments::as_str`) with one `write_str`.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.put(field.index(), Val::Debug(value));
    }
}

/// Collects the argument types of a callsite's first values.
pub(crate) struct Infer(pub(crate) Vec<ArgType>);

impl Sink for Infer {
    fn put(&mut self, index: usize, val: Val<'_>) {
        if let Some(t) = self.0.get_mut(index) {
            *t = val.arg_type();
        }
    }
}

/// Encodes one record's values into `buf` (at most [`MAX_PAYLOAD`] bytes).
pub(crate) struct Encoder<'a> {
    buf: &'a mut [u8],
    pos: usize,
    types: &'a [ArgType],
    /// The next field to encode.
    next: usize,
}

impl<'a> Encoder<'a> {
    /// Start a record; `call_id` (spans) is its first argument.
    pub(crate) fn new(buf: &'a mut [u8], types: &'a [ArgType], call_id: Option<u64>) -> Self {
        let mut e = Encoder {
            buf,
            pos: 0,
            types,
            next: 0,
        };
        if let Some(id) = call_id {
            e.u64(id);
        }
        e
    }

    #[inline(always)]
    fn u64(&mut self, v: u64) {
        self.buf[self.pos..self.pos + 8].copy_from_slice(&v.to_ne_bytes());
        self.pos += 8;
    }

    /// Bytes left for the string of field `index`: every later field keeps
    /// room for its 8 (or 4) bytes.
    fn string_room(&self, index: usize) -> usize {
        let reserved = 8 * (self.types.len() - index - 1);
        self.buf
            .len()
            .saturating_sub(self.pos + 4 + reserved)
            .min(MAX_STRING)
    }

    fn string(&mut self, index: usize, write: impl FnOnce(&mut Cut<'_>)) {
        let room = self.string_room(index);
        let start = self.pos + 4;
        let mut cut = Cut {
            buf: &mut self.buf[start..start + room],
            len: 0,
        };
        write(&mut cut);
        let len = cut.len;
        self.buf[self.pos..start].copy_from_slice(&(len as u32).to_ne_bytes());
        self.pos = start + len;
    }

    /// Fields `next..index` had no value: 0 or "" (rare: `tracing` visits
    /// every field in order).
    #[cold]
    #[inline(never)]
    fn fill_to(&mut self, index: usize) {
        while self.next < index {
            match self.types[self.next] {
                ArgType::Str => self.string(self.next, |_| {}),
                _ => self.u64(0),
            }
            self.next += 1;
        }
    }

    /// The record's length, every field encoded.
    pub(crate) fn finish(mut self) -> usize {
        if self.next < self.types.len() {
            self.fill_to(self.types.len());
        }
        self.pos
    }
}

impl Sink for Encoder<'_> {
    /// An integer field in order is one bounds-checked store; the
    /// rest (strings, gaps, values out of order) is out of line, so this
    /// path needs no stack frame.
    #[inline(always)]
    fn put(&mut self, index: usize, val: Val<'_>) {
        let Some(&ty) = self.types.get(index) else {
            return;
        };
        if index == self.next && ty != ArgType::Str {
            self.u64(val.as_u64());
            self.next = index + 1;
            return;
        }
        self.put_other(index, ty, val);
    }
}

impl Encoder<'_> {
    #[inline(never)]
    fn put_other(&mut self, index: usize, ty: ArgType, val: Val<'_>) {
        if index != self.next {
            if index < self.next {
                return;
            }
            self.fill_to(index);
        }
        match ty {
            ArgType::Str => self.string(index, |cut| match val {
                Val::U64(v) => drop(write!(cut, "{v}")),
                Val::I64(v) => drop(write!(cut, "{v}")),
                Val::Bool(v) => drop(write!(cut, "{v}")),
                Val::Text(s) => cut.bytes(s.as_bytes()),
                Val::Bytes(b) => cut.bytes(b),
                Val::Debug(d) => drop(write!(cut, "{d:?}")),
                Val::Display(d) => drop(write!(cut, "{d}")),
            }),
            _ => self.u64(val.as_u64()),
        }
        self.next = index + 1;
    }
}

/// Encodes the values of a callsite whose arguments are all integers
/// straight into its record (`Registered::fixed_len` bytes): 8 bytes a
/// field, in order, 0 for a field with no value or a value of another kind.
pub(crate) struct Fixed<'p, 'r> {
    payload: &'p mut RecordPayload<'r>,
    types: &'p [ArgType],
    /// The next field to encode.
    next: usize,
}

impl<'p, 'r> Fixed<'p, 'r> {
    pub(crate) fn new(payload: &'p mut RecordPayload<'r>, types: &'p [ArgType]) -> Self {
        Fixed {
            payload,
            types,
            next: 0,
        }
    }

    /// Every field encoded: the record's length is the callsite's.
    pub(crate) fn finish(mut self) {
        self.zeros_to(self.types.len());
    }

    fn zeros_to(&mut self, index: usize) {
        while self.next < index {
            self.payload.u64(0);
            self.next += 1;
        }
    }
}

impl Sink for Fixed<'_, '_> {
    #[inline]
    fn put(&mut self, index: usize, val: Val<'_>) {
        if index < self.next || index >= self.types.len() {
            return;
        }
        self.zeros_to(index);
        self.payload.u64(val.as_u64());
        self.next = index + 1;
    }
}

/// A bounded writer: keeps what fits, then refuses (formatting stops).
pub(crate) struct Cut<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl Cut<'_> {
    fn bytes(&mut self, b: &[u8]) {
        let n = b.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
    }
}

impl fmt::Write for Cut<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes(s.as_bytes());
        if self.len == self.buf.len() {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// A span's values, kept from its creation (and `record` calls) to each enter.
#[derive(Debug, Clone)]
pub(crate) enum Owned {
    Missing,
    U64(u64),
    I64(i64),
    Bool(bool),
    Text(Vec<u8>),
}

impl Owned {
    pub(crate) fn val(&self) -> Option<Val<'_>> {
        Some(match self {
            Owned::Missing => return None,
            Owned::U64(v) => Val::U64(*v),
            Owned::I64(v) => Val::I64(*v),
            Owned::Bool(v) => Val::Bool(*v),
            Owned::Text(b) => Val::Bytes(b),
        })
    }
}

/// Stores values as [`Owned`] (text cut at 512 bytes), one slot a field.
pub(crate) struct Store<'a>(pub(crate) &'a mut [Owned]);

impl Sink for Store<'_> {
    fn put(&mut self, index: usize, val: Val<'_>) {
        let Some(slot) = self.0.get_mut(index) else {
            return;
        };
        *slot = match val {
            Val::U64(v) => Owned::U64(v),
            Val::I64(v) => Owned::I64(v),
            Val::Bool(v) => Owned::Bool(v),
            other => {
                let mut buf = [0u8; MAX_STRING];
                let mut cut = Cut {
                    buf: &mut buf,
                    len: 0,
                };
                match other {
                    Val::Text(s) => cut.bytes(s.as_bytes()),
                    Val::Bytes(b) => cut.bytes(b),
                    Val::Debug(d) => drop(write!(cut, "{d:?}")),
                    Val::Display(d) => drop(write!(cut, "{d}")),
                    _ => {}
                }
                let len = cut.len;
                Owned::Text(buf[..len].to_vec())
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(types: &[ArgType], call_id: Option<u64>, vals: &[(usize, Val<'_>)]) -> Vec<u8> {
        let mut buf = [0u8; MAX_PAYLOAD];
        let mut e = Encoder::new(&mut buf, types, call_id);
        for (i, v) in vals {
            e.put(*i, *v);
        }
        let n = e.finish();
        buf[..n].to_vec()
    }

    fn str_arg(s: &[u8]) -> Vec<u8> {
        let mut v = (s.len() as u32).to_ne_bytes().to_vec();
        v.extend_from_slice(s);
        v
    }

    #[test]
    fn values_are_laid_out_as_v4_arguments_with_gaps_filled() {
        use ArgType::*;
        let types = [U64, Str, I64, Str];
        let got = encode(
            &types,
            Some(9),
            &[
                (0, Val::U64(7)),
                (2, Val::I64(-1)),
                (3, Val::Debug(&1.5f64)),
            ],
        );
        let mut want = 9u64.to_ne_bytes().to_vec();
        want.extend_from_slice(&7u64.to_ne_bytes());
        want.extend(str_arg(b""));
        want.extend_from_slice(&(-1i64).to_ne_bytes());
        want.extend(str_arg(b"1.5"));
        assert_eq!(got, want);
    }

    #[test]
    fn other_types_are_converted_and_strings_cut_at_512() {
        use ArgType::*;
        let long = "x".repeat(600);
        let got = encode(
            &[Str, U64, Str],
            None,
            &[
                (0, Val::U64(42)),
                (1, Val::Text("no")),
                (2, Val::Text(&long)),
            ],
        );
        let mut want = str_arg(b"42");
        want.extend_from_slice(&0u64.to_ne_bytes());
        want.extend(str_arg(&[b'x'; 512]));
        assert_eq!(got, want);
    }

    #[test]
    fn strings_share_the_record_budget_and_late_values_are_left_out() {
        let types = [ArgType::Str; 12];
        let long = "y".repeat(512);
        let vals: Vec<(usize, Val<'_>)> = (0..12).map(|i| (i, Val::Text(&long))).collect();
        let got = encode(&types, None, &vals);
        assert!(got.len() <= MAX_PAYLOAD);
        // Every argument is there: the last ones are shorter.
        let mut pos = 0;
        for _ in 0..12 {
            let len = u32::from_ne_bytes(got[pos..pos + 4].try_into().unwrap()) as usize;
            pos += 4 + len;
        }
        assert_eq!(pos, got.len());
        let out_of_order = encode(
            &[ArgType::U64, ArgType::U64],
            None,
            &[(1, Val::U64(2)), (0, Val::U64(1))],
        );
        assert_eq!(
            out_of_order,
            [0u64.to_ne_bytes(), 2u64.to_ne_bytes()].concat()
        );
    }
}
