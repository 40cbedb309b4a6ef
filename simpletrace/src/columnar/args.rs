//! A record's arguments as two map columns, `MAP<VARCHAR, BIGINT>` for
//! integers, bools and pointers and `MAP<VARCHAR, VARCHAR>` for strings, so
//! that engines filter on an argument by name (`args_int['fd'] = 7`).

use trace_events::{Arg, ArgKind};

use super::columns::{Dict, Strings};
use super::plain_chunk::Plain;
use super::table::Chunks;
use super::ExportError;
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

/// Levels of a map column, `optional group (MAP) { repeated group
/// key_value { required key; optional value } }`: per entry, or one for a
/// row without entries.
const NULL_MAP: i16 = 0;
const EMPTY_MAP: i16 = 1;
const KEY: i16 = 2;
const VALUE: i16 = 3;
const NEW_ROW: i16 = 0;
const SAME_ROW: i16 = 1;

/// The levels and entries of one map column. Both leaves (`key`, `value`)
/// share the repetition levels; their definition levels differ only for an
/// entry (`key` 2, `value` 3: it is never NULL), so `value`'s are kept and
/// `key`'s derived.
#[derive(Debug)]
struct MapColumn<V> {
    rep: Vec<i16>,
    def: Vec<i16>,
    /// Scratch for `key`'s definition levels.
    key_def: Vec<i16>,
    /// Entries in the row being built.
    row_entries: usize,
    /// The entries' names, as keys into the batch's distinct names.
    keys: Dict,
    values: V,
}

impl<V: Default> Default for MapColumn<V> {
    fn default() -> Self {
        Self {
            rep: Vec::new(),
            def: Vec::new(),
            key_def: Vec::new(),
            row_entries: 0,
            keys: Dict::new(false),
            values: V::default(),
        }
    }
}

impl<V> MapColumn<V> {
    #[inline]
    fn entry(&mut self, key: u32) {
        self.keys.push(key);
        self.rep.push(if self.row_entries == 0 {
            NEW_ROW
        } else {
            SAME_ROW
        });
        self.def.push(VALUE);
        self.row_entries += 1;
    }

    #[inline]
    fn end_row(&mut self, valid: bool) {
        if self.row_entries == 0 {
            self.rep.push(NEW_ROW);
            self.def.push(if valid { EMPTY_MAP } else { NULL_MAP });
        }
        self.row_entries = 0;
    }

    /// Write the `key` column; the caller writes `value` next with
    /// [`Self::levels`], then calls [`Self::clear`].
    fn write_keys(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        self.key_def.clear();
        self.key_def
            .extend(self.def.iter().map(|&d| if d == VALUE { KEY } else { d }));
        self.keys.write_leveled(out, &self.key_def, &self.rep)
    }

    fn clear(&mut self) {
        self.rep.clear();
        self.def.clear();
    }
}

/// The `*_int` and `*_str` map columns of one set of arguments.
#[derive(Debug, Default)]
pub(crate) struct ArgMaps {
    ints: MapColumn<Vec<i64>>,
    strs: MapColumn<Strings>,
}

impl ArgMaps {
    /// The keys of `decls`' names in this batch, each in the map its
    /// values go to, into `keys`.
    pub fn keys(&mut self, decls: &[Arg], keys: &mut Vec<u32>) {
        keys.clear();
        keys.extend(decls.iter().map(|decl| match decl.kind {
            ArgKind::Str => self.strs.keys.key(&decl.name),
            _ => self.ints.keys.key(&decl.name),
        }));
    }

    /// One row: these arguments, `keys` their names' ([`Self::keys`]).
    #[inline]
    pub fn push<'a>(&mut self, args: impl Iterator<Item = (&'a Arg, Value<'a>)>, keys: &[u32]) {
        for ((decl, value), &key) in args.zip(keys) {
            match value {
                Value::Int(v) => {
                    self.ints.entry(key);
                    self.ints.values.push(int_value(decl, v));
                }
                Value::Str(s) => {
                    self.strs.entry(key);
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

    /// Write the four leaves (`*_int` key and value, `*_str` key and
    /// value) to the next columns of `out`.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let ints = &mut self.ints;
        ints.write_keys(out)?;
        let values = Plain::Int64(&ints.values);
        out.write_plain(values, Some(&ints.def), Some(&ints.rep))?;
        ints.values.clear();
        ints.clear();
        let strs = &mut self.strs;
        strs.write_keys(out)?;
        strs.values.write(out, Some(&strs.def), Some(&strs.rep))?;
        strs.clear();
        Ok(())
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
