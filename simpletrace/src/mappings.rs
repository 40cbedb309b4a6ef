//! Event id -> declared event, as set by a file's mapping records (or by
//! position for `--no-header`). Memory is bounded whatever the file says.

use crate::events::{EventIndex, EventTable};
use crate::keyed::Map;

/// Ids below this are kept in a vector (QEMU hands out small dense ids).
const DENSE_IDS: u64 = 1 << 16;
/// Bounds the names of undeclared events we keep for error messages.
pub const MAX_UNDECLARED_NAME_BYTES: usize = 8 << 20;
/// Bounds the number of sparse (large) ids.
const MAX_SPARSE_IDS: usize = 1 << 16;

#[derive(Debug, Clone, Default)]
pub(crate) enum Slot {
    #[default]
    Unmapped,
    Declared(EventIndex),
    /// Mapped to a name the trace-events files do not declare: only an error
    /// if a record uses it (QEMU maps every event it knows).
    Undeclared(Box<str>),
}

#[derive(Debug, Default)]
pub(crate) struct Mappings {
    dense: Vec<Slot>,
    /// `dense` as event indices (`u32::MAX`: not a declared event), 4 bytes
    /// an id: what every record looks up stays in cache with 6,000 ids.
    dense_declared: Vec<u32>,
    sparse: Map<u64, Slot>,
    undeclared_bytes: usize,
}

/// A mapping could not be stored without exceeding the memory bounds.
#[derive(Debug)]
pub(crate) struct MappingLimit;

impl Mappings {
    /// Id `n` is the `n`th declared event (`--no-header`).
    pub fn by_position(table: &EventTable) -> Self {
        let n = (table.len() as u64).min(DENSE_IDS);
        let mut mappings = Self::default();
        // Position -> name -> event, as simpletrace.py does: a name
        // declared twice decodes with its last declaration.
        for (id, index) in (0..n)
            .filter_map(|i| table.nth(i))
            .map(|i| table.find(&table.event(i).name).unwrap_or(i))
            .enumerate()
        {
            // Dense ids never reach the limits.
            let _ = mappings.set(id as u64, Slot::Declared(index));
        }
        mappings
    }

    /// The declared event `id` maps to, if any (the common case, from the
    /// compact table).
    #[inline]
    pub fn declared(&self, id: u64) -> Option<EventIndex> {
        if id < DENSE_IDS {
            match self.dense_declared.get(id as usize) {
                Some(&index) if index != u32::MAX => Some(EventIndex(index)),
                _ => None,
            }
        } else {
            match self.sparse.get(&id) {
                Some(Slot::Declared(index)) => Some(*index),
                _ => None,
            }
        }
    }

    #[inline]
    pub fn get(&self, id: u64) -> &Slot {
        const UNMAPPED: Slot = Slot::Unmapped;
        if id < DENSE_IDS {
            self.dense.get(id as usize).unwrap_or(&UNMAPPED)
        } else {
            self.sparse.get(&id).unwrap_or(&UNMAPPED)
        }
    }

    pub fn insert(&mut self, table: &EventTable, id: u64, name: &str) -> Result<(), MappingLimit> {
        let slot = match table.find(name) {
            Some(index) => Slot::Declared(index),
            None => {
                if self.undeclared_bytes + name.len() > MAX_UNDECLARED_NAME_BYTES {
                    return Err(MappingLimit);
                }
                self.undeclared_bytes += name.len();
                Slot::Undeclared(name.into())
            }
        };
        self.set(id, slot)
    }

    /// Map `id` to a declared event (a declaration learned from the trace).
    pub fn declare(&mut self, id: u64, index: EventIndex) -> Result<(), MappingLimit> {
        self.set(id, Slot::Declared(index))
    }

    fn set(&mut self, id: u64, slot: Slot) -> Result<(), MappingLimit> {
        let old = if id < DENSE_IDS {
            let i = id as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, Slot::Unmapped);
                self.dense_declared.resize(i + 1, u32::MAX);
            }
            self.dense_declared[i] = match slot {
                Slot::Declared(index) => index.0,
                _ => u32::MAX,
            };
            std::mem::replace(&mut self.dense[i], slot)
        } else {
            if self.sparse.len() >= MAX_SPARSE_IDS && !self.sparse.contains_key(&id) {
                return Err(MappingLimit);
            }
            self.sparse.insert(id, slot).unwrap_or_default()
        };
        if let Slot::Undeclared(old) = old {
            self.undeclared_bytes -= old.len();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> EventTable {
        EventTable::new(
            trace_events::parse_str("t", "a(void)\nb(int x)\n")
                .file
                .events,
        )
    }

    fn name(table: &EventTable, index: Option<EventIndex>) -> Option<&str> {
        index.map(|i| table.event(i).name.as_str())
    }

    fn slot_name<'t>(table: &'t EventTable, slot: &'t Slot) -> Option<&'t str> {
        match slot {
            Slot::Declared(i) => Some(table.event(*i).name.as_str()),
            Slot::Undeclared(name) => Some(name),
            Slot::Unmapped => None,
        }
    }

    /// Ids on both sides of the dense table's end, and far past it.
    #[test]
    fn every_id_maps_to_what_its_mapping_record_says() {
        let table = table();
        let mut m = Mappings::default();
        for (id, event) in [(5, "b"), (65_535, "a"), (65_536, "b"), (u64::MAX - 5, "a")] {
            m.insert(&table, id, event).unwrap();
        }
        m.insert(&table, 7, "nope").unwrap();
        for (id, event) in [(5, "b"), (65_535, "a"), (65_536, "b"), (u64::MAX - 5, "a")] {
            assert_eq!(name(&table, m.declared(id)), Some(event), "id {id}");
            assert_eq!(slot_name(&table, m.get(id)), Some(event), "id {id}");
        }
        assert_eq!(slot_name(&table, m.get(7)), Some("nope"));
        for id in [0, 4, 6, 7, 65_534, 65_537, u64::MAX] {
            assert_eq!(m.declared(id), None, "id {id}");
        }
        assert!(matches!(m.get(4), Slot::Unmapped));
        assert!(matches!(m.get(65_537), Slot::Unmapped));
    }

    #[test]
    fn undeclared_names_are_bounded_by_the_bytes_held_now() {
        let table = table();
        let mut m = Mappings::default();
        let name = "x".repeat(4096);
        // Mapping an id again frees its old name's bytes: 12 MiB of names
        // through one id never hold more than one.
        for _ in 0..3 * 1024 {
            m.insert(&table, 1, &name).unwrap();
        }
        let fit = MAX_UNDECLARED_NAME_BYTES / name.len();
        for id in 0..fit as u64 {
            m.insert(&table, id, &name).unwrap();
        }
        assert!(m.insert(&table, fit as u64, "y").is_err(), "one byte more");
        m.insert(&table, 0, "a").unwrap();
        m.insert(&table, fit as u64, &name).unwrap();
    }

    #[test]
    fn sparse_ids_are_bounded_but_can_be_mapped_again() {
        let table = table();
        let mut m = Mappings::default();
        let first = DENSE_IDS;
        for id in first..first + MAX_SPARSE_IDS as u64 {
            m.insert(&table, id, "a").unwrap();
        }
        assert!(m
            .insert(&table, first + MAX_SPARSE_IDS as u64, "a")
            .is_err());
        m.insert(&table, first, "b").unwrap();
        assert_eq!(name(&table, m.declared(first)), Some("b"));
    }
}
