//! A batch's arguments as recorded, decoded into the argument maps
//! ([`ArgMaps`]) on the table's thread when the batch is written, not on
//! the reading thread as each row is built: the reading thread only copies
//! each row's argument bytes and notes whose declarations they follow.
//! Decoding every argument, its name copied into the map's keys, took the
//! reading thread (the export's longest path) as long as all its other
//! work per record.

use std::sync::Arc;

use trace_events::Arg;

use super::args::{ArgMaps, Plans, Template};
use super::table::Chunks;
use super::ExportError;
use crate::Record;

/// Each event's declared arguments, shared: made once a file an event.
#[derive(Debug, Default)]
pub(crate) struct EventDecls(Vec<Option<Arc<[Arg]>>>);

impl EventDecls {
    /// `record`'s event index and its declarations.
    #[inline]
    pub fn of(&mut self, record: &Record<'_>) -> (usize, &Arc<[Arg]>) {
        let index = record.index.get();
        if self.0.len() <= index {
            self.0.resize(index + 1, None);
        }
        let decls = self.0[index].get_or_insert_with(|| record.event.args.as_slice().into());
        (index, decls)
    }

    /// The declarations of event `index`, once [`Self::of`] has met it.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&Arc<[Arg]>> {
        self.0.get(index)?.as_ref()
    }
}

/// One row's arguments: the event's index, its declarations, the bytes
/// as recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowArgs<'a> {
    pub event: usize,
    pub decls: &'a Arc<[Arg]>,
    pub bytes: &'a [u8],
}

/// No slot yet for this event in the batch.
const NONE: u32 = u32::MAX;

/// Declarations a batch holds from one use to the next, at most (then it
/// lets them go, at the start of a batch).
const MAX_HELD: usize = 8192;

/// Values made once for an event's declarations, found by event index. An
/// index may be another event in another file: a value is the event's
/// only while its declarations are the very same. Each entry holds its
/// declarations, so their address stays theirs while it lasts.
#[derive(Debug)]
struct PerDecls<T> {
    entries: Vec<(Arc<[Arg]>, T)>,
    /// By event index: its latest entry, or [`NONE`].
    by_event: Vec<u32>,
}

impl<T> Default for PerDecls<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            by_event: Vec::new(),
        }
    }
}

impl<T> PerDecls<T> {
    /// The entry of event `event` declared `decls`, made by `make` if new.
    fn find_or_add(&mut self, event: usize, decls: &Arc<[Arg]>, make: impl FnOnce() -> T) -> u32 {
        if let Some(&i) = self.by_event.get(event) {
            if i != NONE && Arc::ptr_eq(&self.entries[i as usize].0, decls) {
                return i;
            }
        }
        if self.by_event.len() <= event {
            self.by_event.resize(event + 1, NONE);
        }
        let i = self.entries.len() as u32;
        self.entries.push((decls.clone(), make()));
        self.by_event[event] = i;
        i
    }

    fn get(&self, i: u32) -> &(Arc<[Arg]>, T) {
        &self.entries[i as usize]
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.by_event.clear();
    }
}

/// An event of the batch.
#[derive(Debug, Clone, Copy)]
struct Slot {
    event: usize,
    /// Its declarations in `RawArgs::held`.
    held: u32,
    /// Their address: the same declarations if equal (held, so not freed).
    addr: usize,
    /// Bytes a row of it adds to the maps beyond its arguments' own.
    extra: usize,
}

/// One set of argument maps (`args_*` or `exit_args_*`) of a batch.
#[derive(Debug, Default)]
pub(crate) struct RawArgs {
    /// The batch's events, by slot.
    events: Vec<Slot>,
    /// By event index: its slot, or [`NONE`].
    slots: Vec<u32>,
    /// Declarations, kept from batch to batch: an event's are cloned once,
    /// not once a batch. A clone is an atomic count that the thread that
    /// last touched it (the table's, dropping a batch's) had to hand back.
    held: PerDecls<()>,
    /// A row: its slot ([`NONE`] for NULL maps) and where its bytes end.
    rows: Vec<(u32, u32)>,
    bytes: Vec<u8>,
    /// Bytes the maps will hold: bounds the batch as the maps would (a
    /// string of invalid UTF-8 may take up to three times its bytes there,
    /// each bad byte a U+FFFD).
    decoded: usize,
}

fn addr(decls: &Arc<[Arg]>) -> usize {
    Arc::as_ptr(decls).cast::<Arg>() as usize
}

impl RawArgs {
    /// One row: the arguments of an event (index `event`, declared
    /// `decls`) recorded as `bytes`.
    #[inline]
    pub fn push(&mut self, event: usize, decls: &Arc<[Arg]>, bytes: &[u8]) {
        // A batch spans files, and one index may be another event in the
        // next file (each learns its own declarations): a slot is the
        // event's only while its declarations are the very same.
        let slot = match self.slots.get(event) {
            Some(&slot) if slot != NONE && self.events[slot as usize].addr == addr(decls) => slot,
            _ => self.new_slot(event, decls),
        };
        self.bytes.extend_from_slice(bytes);
        self.rows.push((slot, self.bytes.len() as u32));
        self.decoded += bytes.len() + self.events[slot as usize].extra;
    }

    #[cold]
    fn new_slot(&mut self, event: usize, decls: &Arc<[Arg]>) -> u32 {
        if self.slots.len() <= event {
            self.slots.resize(event + 1, NONE);
        }
        if self.events.is_empty() && self.held.len() >= MAX_HELD {
            // No slot refers to them yet.
            self.held.clear();
        }
        let held = self.held.find_or_add(event, decls, || ());
        let slot = self.events.len() as u32;
        self.slots[event] = slot;
        self.events.push(Slot {
            event,
            held,
            addr: addr(decls),
            // A key (4 bytes) and its two levels (2 each) an argument.
            extra: 8 * decls.len(),
        });
        slot
    }

    /// One row: `args`, or NULL maps for `None`.
    #[inline]
    pub fn push_row(&mut self, args: Option<RowArgs<'_>>) {
        match args {
            Some(a) => self.push(a.event, a.decls, a.bytes),
            None => self.push_null(),
        }
    }

    /// One row: no arguments (NULL maps).
    #[inline]
    pub fn push_null(&mut self) {
        self.rows.push((NONE, self.bytes.len() as u32));
    }

    /// Bytes the maps of the rows so far will hold, about.
    pub fn bytes(&self) -> usize {
        self.decoded
    }

    /// Decode the rows into `to`'s maps and write them (four leaves) to
    /// the next columns of `out`; the batch is left empty.
    pub fn write(&mut self, to: &mut ArgsEncoder, out: &mut Chunks) -> Result<(), ExportError> {
        to.start_batch(out.group());
        for slot in &self.events {
            let template = to.template(slot.event, &self.held.get(slot.held).0);
            to.of_slot.push(template);
        }
        let mut start = 0;
        for &(slot, end) in &self.rows {
            let end = end as usize;
            match to.of_slot.get(slot as usize) {
                Some(&template) => to.maps.push(&self.bytes[start..end], template, &to.plans),
                None => to.maps.push_null(),
            }
            start = end;
        }
        self.end_batch();
        to.maps.write(out)
    }

    /// Forget the batch's rows and slots (not what `held` holds).
    fn end_batch(&mut self) {
        for slot in &self.events {
            self.slots[slot.event] = NONE;
        }
        self.events.clear();
        self.rows.clear();
        self.bytes.clear();
        self.decoded = 0;
    }

    /// The declarations row `row` of the batch follows (tests).
    #[cfg(test)]
    fn decls_of(&self, row: usize) -> Option<&Arc<[Arg]>> {
        let slot = self.events.get(self.rows[row].0 as usize)?;
        Some(&self.held.get(slot.held).0)
    }
}

/// Decodes batches of arguments into one set of maps, on the table's
/// thread, keeping what a row group's batches share: the maps' key
/// dictionaries and each event's [`Template`]. A trace of thousands of
/// events meets most of them in every batch; each is now worked out once
/// a row group, not once a batch.
#[derive(Debug, Default)]
pub(crate) struct ArgsEncoder {
    maps: ArgMaps,
    /// The row group's templates, their plans end to end in `plans`.
    templates: PerDecls<Template>,
    plans: Plans,
    /// By slot of the batch being written: its template.
    of_slot: Vec<Template>,
    /// The row group the templates and dictionaries are for.
    group: Option<u64>,
}

impl ArgsEncoder {
    /// A batch of row group `group` starts: what an earlier group kept goes.
    fn start_batch(&mut self, group: u64) {
        self.of_slot.clear();
        if self.group != Some(group) {
            self.group = Some(group);
            self.maps.clear_keys();
            self.templates.clear();
            self.plans.clear();
        }
    }

    /// The template of event `event` declared `decls`, made if new to the
    /// row group.
    fn template(&mut self, event: usize, decls: &Arc<[Arg]>) -> Template {
        let (maps, plans) = (&mut self.maps, &mut self.plans);
        let t = self
            .templates
            .find_or_add(event, decls, || maps.template(decls, plans));
        self.templates.get(t).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_events::ArgKind;

    fn decls(name: &str) -> Arc<[Arg]> {
        Arc::from(vec![Arg {
            ty: "uint64_t".into(),
            name: name.into(),
            kind: ArgKind::Pointer,
        }])
    }

    #[test]
    fn declarations_are_held_from_batch_to_batch_and_let_go_past_the_bound() {
        let mut raw = RawArgs::default();
        let all: Vec<Arc<[Arg]>> = (0..MAX_HELD + 10)
            .map(|i| decls(&format!("x{i}")))
            .collect();
        for (event, d) in all.iter().enumerate().take(100) {
            raw.push(event, d, &[0; 8]);
        }
        // The next batch of the same events clones none of them.
        for _ in 0..2 {
            raw.end_batch();
            for (event, d) in all.iter().enumerate().take(100) {
                raw.push(event, d, &[0; 8]);
                assert!(Arc::ptr_eq(raw.decls_of(event).unwrap(), d));
            }
            assert!(all[..100].iter().all(|d| Arc::strong_count(d) == 2));
        }
        // Past the bound, the next batch's start lets every one go.
        for (event, d) in all.iter().enumerate() {
            raw.push(event, d, &[0; 8]);
        }
        assert!(all.iter().all(|d| Arc::strong_count(d) == 2));
        raw.end_batch();
        raw.push(7, &all[7], &[0; 8]);
        assert_eq!(raw.held.len(), 1);
        assert_eq!(Arc::strong_count(&all[7]), 2);
        assert_eq!(Arc::strong_count(&all[8]), 1);
    }

    #[test]
    fn one_index_of_two_files_keeps_each_file_s_declarations() {
        let (a, b) = (decls("a"), decls("b"));
        let mut raw = RawArgs::default();
        raw.push(3, &a, &[1; 8]);
        raw.push(3, &b, &[2; 8]);
        raw.push(3, &b, &[3; 8]);
        raw.push_null();
        raw.end_batch();
        raw.push(3, &a, &[4; 8]);
        raw.push(3, &b, &[5; 8]);
        assert!(Arc::ptr_eq(raw.decls_of(0).unwrap(), &a));
        assert!(Arc::ptr_eq(raw.decls_of(1).unwrap(), &b));
    }
}
