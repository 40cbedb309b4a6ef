//! A record's arguments as two map columns, `MAP<VARCHAR, BIGINT>` for
//! integers, bools and pointers and `MAP<VARCHAR, VARCHAR>` for strings, so
//! that engines filter on an argument by name (`args_int['fd'] = 7`).

use trace_events::{Arg, ArgKind};

use super::columns::{Dict, Strings};
use super::pages::{LevelPages, Levels, LevelsIn};
use super::plain_chunk::Plain;
use super::table::Chunks;
use super::ExportError;
use crate::record::checked_arg;
use crate::Value;

/// How an integer argument's recorded 8 bytes become its value, worked
/// out once from its declaration: the value as the program held it, in
/// 64 signed bits: signed types sign-extended from their declared width,
/// unsigned ones zero-extended (a `uint64_t` of 2^63 or more reads
/// negative: cast it to `UBIGINT` in SQL), bools 0 or 1, pointers their
/// address bits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IntConv {
    /// 64 minus the declared width.
    shift: u32,
    signed: bool,
    bool: bool,
}

impl IntConv {
    fn of(decl: &Arg) -> Self {
        let (shift, signed) = match decl.kind {
            ArgKind::Int(ty) => (64 - u32::from(ty.bits.clamp(1, 64)), ty.signed),
            ArgKind::Bool | ArgKind::Pointer | ArgKind::Str => (0, false),
        };
        Self {
            shift,
            signed,
            bool: decl.kind == ArgKind::Bool,
        }
    }

    #[inline]
    fn apply(self, v: u64) -> i64 {
        let shift = self.shift;
        if self.bool {
            i64::from(v != 0)
        } else if self.signed {
            ((v << shift) as i64) >> shift
        } else {
            ((v << shift) >> shift) as i64
        }
    }
}

/// Levels of a map column, `optional group (MAP) { repeated group
/// key_value { required key; required value } }`: per entry, or one for a
/// row without entries. Both leaves (`key`, `value`) have the same.
const NULL_MAP: i16 = 0;
const EMPTY_MAP: i16 = 1;
const ENTRY: i16 = 2;
const NEW_ROW: i16 = 0;
const SAME_ROW: i16 = 1;

/// The levels and entries of one map column.
#[derive(Debug)]
struct MapColumn<V> {
    rep: Vec<i16>,
    def: Vec<i16>,
    /// `rep` and `def` paged and encoded, once for both leaves.
    paged: LevelPages,
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
            paged: LevelPages::default(),
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
        self.def.push(ENTRY);
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

    /// Page and encode the levels, then write the `key` column; the caller
    /// writes `value` next with [`Self::paged`], then calls [`Self::clear`].
    fn write_keys(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let levels = Levels::new(Some(&self.def), Some(&self.rep), ENTRY, SAME_ROW);
        self.paged.encode(levels, self.def.len());
        self.keys.write_leveled(out, &self.paged)
    }

    fn clear(&mut self) {
        self.rep.clear();
        self.def.clear();
    }
}

/// 64-bit integers as `PLAIN` lays them out (8 bytes each, little-endian),
/// so that a page takes them in one copy.
#[derive(Debug, Default)]
struct Int64s(Vec<u8>);

impl Int64s {
    #[inline]
    fn push(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    /// The values (tests).
    #[cfg(test)]
    fn to_vec(&self) -> Vec<i64> {
        let words = self.0.chunks_exact(8);
        words
            .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
            .collect()
    }
}

/// The `*_int` and `*_str` map columns of one set of arguments.
#[derive(Debug, Default)]
pub(crate) struct ArgMaps {
    ints: MapColumn<Int64s>,
    strs: MapColumn<Strings>,
}

/// One argument of an event, as its values go into the maps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArgPlan {
    /// Its name's key in the map its values go to.
    key: u32,
    /// A string (`*_str`), or an integer converted by `conv` (`*_int`).
    string: bool,
    conv: IntConv,
}

/// How the rows of one event go into the maps, worked out once from its
/// declarations ([`ArgMaps::template`]): its arguments' plans, a range of
/// a [`Plans`]. Rows of thousands of events in turn touch only these,
/// end to end, not each event's declarations.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Template {
    start: u32,
    len: u32,
    /// Whether every argument is an integer (8 bytes each): then a row is
    /// its keys, levels and conversions, applied in bulk.
    ints_only: bool,
}

/// The plans of many templates, end to end.
pub(crate) type Plans = Vec<ArgPlan>;

impl ArgMaps {
    /// How rows of an event declaring `decls` go into the maps: keys of
    /// their names in these maps' dictionaries, plans appended to `plans`.
    pub fn template(&mut self, decls: &[Arg], plans: &mut Plans) -> Template {
        let start = plans.len() as u32;
        plans.extend(decls.iter().map(|decl| {
            let string = decl.kind == ArgKind::Str;
            let keys = if string {
                &mut self.strs.keys
            } else {
                &mut self.ints.keys
            };
            ArgPlan {
                key: keys.key(&decl.name),
                string,
                conv: IntConv::of(decl),
            }
        }));
        Template {
            start,
            len: decls.len() as u32,
            ints_only: decls.iter().all(|decl| decl.kind != ArgKind::Str),
        }
    }

    /// One row: arguments recorded as `bytes`, by template `t` (of `plans`).
    #[inline]
    pub fn push(&mut self, bytes: &[u8], t: Template, plans: &[ArgPlan]) {
        let plans = &plans[t.start as usize..][..t.len as usize];
        if t.ints_only && bytes.len() == 8 * plans.len() {
            self.push_ints(bytes, plans);
        } else {
            self.push_each(bytes, plans);
        }
    }

    /// A row of integers only, in bulk.
    #[inline]
    fn push_ints(&mut self, bytes: &[u8], plans: &[ArgPlan]) {
        let ints = &mut self.ints;
        if plans.is_empty() {
            ints.end_row(true);
        } else {
            ints.keys.extend(plans.iter().map(|p| p.key));
            let rep = ints.rep.len();
            ints.rep.resize(rep + plans.len(), SAME_ROW);
            ints.rep[rep] = NEW_ROW;
            ints.def.resize(ints.def.len() + plans.len(), ENTRY);
            ints.values.0.reserve(bytes.len());
            for (b, p) in bytes.chunks_exact(8).zip(plans) {
                let v = p
                    .conv
                    .apply(u64::from_ne_bytes(b.try_into().expect("8 bytes")));
                ints.values.push(v);
            }
        }
        self.strs.end_row(true);
    }

    /// One row, argument by argument (strings among them, or bytes that do
    /// not fit the declarations: as the reader decodes them).
    #[inline]
    fn push_each(&mut self, mut bytes: &[u8], plans: &[ArgPlan]) {
        for p in plans {
            match checked_arg(&mut bytes, p.string) {
                Value::Int(v) => {
                    self.ints.entry(p.key);
                    self.ints.values.push(p.conv.apply(v));
                }
                Value::Str(s) => {
                    self.strs.entry(p.key);
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

    /// Forget the keys' names (a new row group): the keys of earlier
    /// templates are no longer valid.
    pub fn clear_keys(&mut self) {
        self.ints.keys.clear();
        self.strs.keys.clear();
    }

    /// Write the four leaves (`*_int` key and value, `*_str` key and
    /// value) to the next columns of `out`. The keys' names are kept, for
    /// the row group's next batch ([`Self::clear_keys`]).
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let ints = &mut self.ints;
        ints.write_keys(out)?;
        let values = Plain::Int64(&ints.values.0);
        out.write_plain(values, LevelsIn::Paged(&ints.paged))?;
        ints.values.0.clear();
        ints.clear();
        let strs = &mut self.strs;
        strs.write_keys(out)?;
        strs.values.write(out, &strs.paged)?;
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

    fn int_value(decl: &Arg, v: u64) -> i64 {
        IntConv::of(decl).apply(v)
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

    fn named(name: &str, kind: ArgKind) -> Arg {
        Arg {
            name: name.into(),
            ..arg(kind)
        }
    }

    /// What the maps hold: the `*_int` map's keys, levels and values.
    fn int_map(maps: &ArgMaps) -> (Vec<u32>, Vec<i16>, Vec<i16>, Vec<i64>) {
        let ints = &maps.ints;
        let keys = ints.keys.pending_keys().to_vec();
        (
            keys,
            ints.rep.clone(),
            ints.def.clone(),
            ints.values.to_vec(),
        )
    }

    /// Rows of integers only go in bulk; every row must read as the
    /// argument-by-argument decoding reads it, whatever its length, each
    /// value converted as its declaration says.
    #[test]
    fn integer_rows_in_bulk_read_as_decoded_one_by_one() {
        let decls = [
            named("fd", int(32, true)),
            named("ok", ArgKind::Bool),
            named("ptr", ArgKind::Pointer),
            named("len", int(16, false)),
        ];
        let mut bytes = Vec::new();
        for v in [0xffff_ffff_u64, 5, 0xdead_beef, 0x1_0002] {
            bytes.extend_from_slice(&v.to_ne_bytes());
        }
        let rows: [&[u8]; 4] = [
            &bytes,
            &bytes[..8],
            &[],
            &[bytes.as_slice(), &[1; 8]].concat(),
        ];
        let none: [Arg; 0] = [];
        let (mut fast, mut slow) = (ArgMaps::default(), ArgMaps::default());
        let (mut fast_plans, mut slow_plans) = (Plans::new(), Plans::new());
        // Another event's plans first: a template is a range of them.
        fast.template(&[named("other", ArgKind::Str)], &mut fast_plans);
        let t = fast.template(&decls, &mut fast_plans);
        let empty = fast.template(&none, &mut fast_plans);
        assert!(t.ints_only && empty.ints_only);
        slow.template(&[named("other", ArgKind::Str)], &mut slow_plans);
        let slow_t = slow.template(&decls, &mut slow_plans);
        let slow_plans = &slow_plans[slow_t.start as usize..][..slow_t.len as usize];
        for row in rows {
            fast.push(row, t, &fast_plans);
            slow.push_each(row, slow_plans);
        }
        fast.push(&[], empty, &fast_plans);
        slow.push_each(&[], &[]);
        fast.push_null();
        slow.push_null();
        assert_eq!(int_map(&fast), int_map(&slow));
        assert_eq!(fast.strs.rep, slow.strs.rep);
        assert_eq!(fast.strs.def, slow.strs.def);
        let (keys, rep, def, values) = int_map(&fast);
        assert_eq!(&values[..4], [-1, 1, 0xdead_beef, 2]);
        assert_eq!(&keys[..4], [0, 1, 2, 3]);
        assert_eq!(&rep[..5], [NEW_ROW, SAME_ROW, SAME_ROW, SAME_ROW, NEW_ROW]);
        assert_eq!(&def[..5], [ENTRY; 5]);
    }
}
