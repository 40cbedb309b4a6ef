//! A record's arguments as two map columns, `MAP<VARCHAR, BIGINT>` for
//! integers, bools and pointers and `MAP<VARCHAR, VARCHAR>` for strings, so
//! that engines filter on an argument by name (`args_int['fd'] = 7`).

use std::sync::Arc;

use arrow_array::{ArrayRef, MapArray, StructArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType};
use trace_events::{Arg, ArgKind};

use super::columns::{Ints, Strings, Validity};
use super::schema::map_entries;
use crate::Value;

/// An integer argument as the program held it, in 64 signed bits: signed
/// types sign-extended from their declared width, unsigned ones
/// zero-extended (a `uint64_t` of 2^63 or more reads negative: cast it to
/// `UBIGINT` in SQL), bools 0 or 1, pointers their address bits.
#[inline]
pub(crate) fn int_value(decl: &Arg, v: u64) -> i64 {
    match decl.kind {
        ArgKind::Int(ty) => {
            let shift = 64 - u32::from(ty.bits.clamp(1, 64));
            if ty.signed {
                ((v << shift) as i64) >> shift
            } else {
                ((v << shift) >> shift) as i64
            }
        }
        ArgKind::Bool => i64::from(v != 0),
        ArgKind::Pointer | ArgKind::Str => v as i64,
    }
}

/// The offsets, validity and entries of one map column.
#[derive(Debug)]
struct MapColumn<V> {
    offsets: Vec<i32>,
    validity: Validity,
    keys: Strings,
    values: V,
}

impl<V: Default> Default for MapColumn<V> {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            validity: Validity::default(),
            keys: Strings::default(),
            values: V::default(),
        }
    }
}

impl<V> MapColumn<V> {
    #[inline]
    fn end_row(&mut self, valid: bool) {
        self.offsets.push(self.keys.len() as i32);
        self.validity.push(valid);
    }

    fn take(&mut self, value_type: DataType, values: ArrayRef) -> Result<ArrayRef, ArrowError> {
        let entries = map_entries(value_type);
        let DataType::Struct(fields) = entries.data_type().clone() else {
            unreachable!("map_entries is a struct")
        };
        let keys: ArrayRef = Arc::new(self.keys.take());
        let entries_array = StructArray::try_new(fields, vec![keys, values], None)?;
        let mut next = Vec::with_capacity(self.offsets.len());
        next.push(0);
        let offsets = std::mem::replace(&mut self.offsets, next);
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        let nulls = self.validity.take();
        Ok(Arc::new(MapArray::try_new(
            entries,
            offsets,
            entries_array,
            nulls,
            false,
        )?))
    }
}

/// The `*_int` and `*_str` map columns of one set of arguments.
#[derive(Debug, Default)]
pub(crate) struct ArgMaps {
    ints: MapColumn<Ints>,
    strs: MapColumn<Strings>,
}

impl ArgMaps {
    /// One row: these arguments.
    #[inline]
    pub fn push<'a>(&mut self, args: impl Iterator<Item = (&'a Arg, Value<'a>)>) {
        for (decl, value) in args {
            match value {
                Value::Int(v) => {
                    self.ints.keys.push(&decl.name);
                    self.ints.values.push(int_value(decl, v));
                }
                Value::Str(s) => {
                    self.strs.keys.push(&decl.name);
                    // Invalid UTF-8 replaced by U+FFFD, as `--format json` does.
                    self.strs.values.push_lossy(s);
                }
            }
        }
        self.ints.end_row(true);
        self.strs.end_row(true);
    }

    /// One row: no arguments (NULL maps: a dropped record, a call without its exit).
    #[inline]
    pub fn push_null(&mut self) {
        self.ints.end_row(false);
        self.strs.end_row(false);
    }

    /// Bytes held (names and strings).
    pub fn bytes(&self) -> usize {
        self.ints.keys.bytes() + self.strs.keys.bytes() + self.strs.values.bytes()
    }

    /// The two columns (`*_int`, `*_str`).
    pub fn take(&mut self) -> Result<[ArrayRef; 2], ArrowError> {
        let ints = self.ints.values.take();
        let ints = self.ints.take(DataType::Int64, ints)?;
        let strs: ArrayRef = Arc::new(self.strs.values.take());
        let strs = self.strs.take(DataType::Utf8, strs)?;
        Ok([ints, strs])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_events::IntType;

    fn arg(kind: ArgKind) -> Arg {
        Arg {
            ty: String::new(),
            name: "x".into(),
            kind,
        }
    }

    fn int(bits: u8, signed: bool) -> ArgKind {
        ArgKind::Int(IntType { bits, signed })
    }

    #[test]
    fn integers_keep_the_declared_width_and_sign() {
        assert_eq!(int_value(&arg(int(32, true)), 0xffff_ffff), -1);
        assert_eq!(int_value(&arg(int(32, false)), 0xffff_ffff), 0xffff_ffff);
        assert_eq!(int_value(&arg(int(8, true)), 0x1_80), -128);
        assert_eq!(int_value(&arg(int(64, false)), u64::MAX), -1);
        assert_eq!(int_value(&arg(ArgKind::Bool), 7), 1);
        assert_eq!(int_value(&arg(ArgKind::Pointer), 0xdead), 0xdead);
    }
}
