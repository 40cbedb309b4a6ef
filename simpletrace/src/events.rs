//! The table of declared events a trace is decoded against: every event of the
//! given trace-events files, looked up by name (v4 mapping records name events),
//! the synthetic `Dropped_Event` of dropped records, the runtime's own events,
//! and events a self-describing trace declares as it goes.

use std::collections::HashMap;
use std::path::Path;

use trace_events::hash::FastHash;
use trace_events::{Arg, ArgKind, Diagnostic, Event, IntType, ParseOptions, Position, Severity};

use crate::layout::ArgLayout;
use trace_events::v4::RUNTIME_TRACE_EVENTS;

/// Index of an event in an [`EventTable`], stable while the table grows: the
/// dropped event is index 0, the `n`th declared event index `n + 1`. Small and
/// dense, for per-event caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventIndex(pub(crate) u32);

impl EventIndex {
    /// The index as a `usize`, for indexing a per-event cache.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Declared events, in the order given (which is the id order of `--no-header`).
#[derive(Debug, Clone)]
pub struct EventTable {
    /// `Dropped_Event` first, then the declared events.
    events: Vec<Event>,
    /// Per index, the arguments' layout (`None`: walk the declarations).
    layouts: Vec<Option<ArgLayout>>,
    by_name: HashMap<String, u32, FastHash>,
}

/// Why the trace-events files could not be loaded.
#[derive(thiserror::Error)]
pub enum LoadError {
    /// A trace-events file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file as named.
        path: String,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The files have errors: decoding against them could misread records.
    #[error("{count} error(s) in the trace-events files")]
    Invalid {
        /// How many of the diagnostics are errors.
        count: usize,
        /// Every diagnostic, warnings included, for the user to fix the files.
        diagnostics: Vec<Diagnostic>,
    },
}

/// The message; for [`LoadError::Invalid`] followed by every diagnostic.
impl std::fmt::Debug for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::error::debug_as_message(self, f)?;
        if let LoadError::Invalid { diagnostics, .. } = self {
            for diagnostic in diagnostics {
                write!(f, "\n{diagnostic}")?;
            }
        }
        Ok(())
    }
}

impl EventTable {
    /// A table of `events`; like simpletrace.py's dict, a later event of the
    /// same name replaces an earlier one in name look-ups.
    pub fn new(events: impl IntoIterator<Item = Event>) -> Self {
        Self::from_vec(events.into_iter().collect())
    }

    /// [`EventTable::new`] keeping `events`' own storage: the parser's
    /// `Vec` becomes the table's, with no copy of QEMU's ~6,000 events.
    fn from_vec(mut events: Vec<Event>) -> Self {
        // Indices are `u32`, the last one kept free (see `push`).
        events.truncate(u32::MAX as usize - 1);
        // In place: the parser's `Vec` has room to spare.
        events.insert(0, dropped_event());
        // Sized once: QEMU's 5,806 events rehashed a growing map a dozen times.
        let mut table = Self {
            layouts: Vec::with_capacity(events.len()),
            by_name: HashMap::with_capacity_and_hasher(events.len(), FastHash::default()),
            events,
        };
        // The dropped event has a layout but is not looked up by name.
        table.layouts.push(ArgLayout::of(&table.events[0]));
        for index in 1..table.events.len() {
            table.index(index);
        }
        table
    }

    /// Append `event` (it replaces an earlier one of the same name in name
    /// look-ups); `None` when the table is full (indices are `u32`).
    pub fn push(&mut self, event: Event) -> Option<EventIndex> {
        let index = u32::try_from(self.events.len())
            .ok()
            .filter(|&i| i < u32::MAX)?;
        self.events.push(event);
        self.index(index as usize);
        Some(EventIndex(index))
    }

    /// Make the event at `index` (the last one indexed plus one) found by
    /// name, and give it its layout.
    fn index(&mut self, index: usize) {
        let event = &self.events[index];
        // Below u32::MAX: `from_vec` and `push` bound the table.
        self.by_name.insert(event.name.clone(), index as u32);
        self.layouts.push(ArgLayout::of(event));
    }

    /// This table plus the runtime's own events ([`RUNTIME_TRACE_EVENTS`]) that
    /// it does not declare, so traces written by our runtime always decode.
    pub fn with_runtime_events(mut self) -> Self {
        for event in runtime_events() {
            if self.find(&event.name).is_none() {
                self.push(event);
            }
        }
        self
    }

    /// Parse `paths` (named as given) and build the table. Warnings are
    /// returned; any error fails the load with every diagnostic.
    ///
    /// A name declared twice, in one file or in two, is a warning, and the
    /// last declaration is the one used, as simpletrace.py does (QEMU's
    /// `trace-events-all` declares eight names twice).
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<(Self, Vec<Diagnostic>), LoadError> {
        let mut events: Vec<Event> = Vec::new();
        let mut diagnostics = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let name = trace_events::path_name(path);
            let parsed =
                trace_events::parse_file_with(path, &name, READER_OPTIONS).map_err(|source| {
                    LoadError::Io {
                        path: name.clone(),
                        source,
                    }
                })?;
            diagnostics.extend(parsed.diagnostics);
            if events.is_empty() {
                events = parsed.file.events;
            } else {
                events.extend(parsed.file.events);
            }
        }
        if paths.len() > 1 {
            // One file's duplicates are the parser's warnings.
            diagnostics.extend(declared_in_other_files(&events));
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            return Err(LoadError::Invalid {
                count: errors,
                diagnostics,
            });
        }
        Ok((Self::from_vec(events), diagnostics))
    }

    /// Number of declared events (the dropped event not counted).
    pub fn len(&self) -> usize {
        self.events.len() - 1
    }

    /// Whether no event is declared (the dropped event not counted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The declared events in order.
    pub fn declared(&self) -> &[Event] {
        self.events.get(1..).unwrap_or_default()
    }

    /// Index of the declared event called `name`.
    pub fn find(&self, name: &str) -> Option<EventIndex> {
        self.by_name.get(name).copied().map(EventIndex)
    }

    /// Index of the `n`th declared event (the `--no-header` id mapping).
    pub fn nth(&self, n: u64) -> Option<EventIndex> {
        (n < self.len() as u64).then_some(EventIndex(n as u32 + 1))
    }

    /// Index of the synthetic `Dropped_Event`, always the first.
    pub fn dropped_index(&self) -> EventIndex {
        EventIndex(0)
    }

    /// Number of indices, the dropped event included: the size of a per-event
    /// cache (it grows when events are pushed).
    pub fn index_count(&self) -> usize {
        self.events.len()
    }

    /// The event at `index` (the dropped event for an index of another table
    /// that is out of range here).
    pub fn event(&self, index: EventIndex) -> &Event {
        match self.events.get(index.get()) {
            Some(event) => event,
            None => self.dropped(),
        }
    }

    /// The argument layout of the event at `index`, if packed.
    #[inline]
    pub(crate) fn layout(&self, index: EventIndex) -> Option<ArgLayout> {
        self.layouts.get(index.get()).copied().flatten()
    }

    /// Length the arguments of the event at `index` take at the start of
    /// `body` (see [`trace_events::v4::args_len`]).
    #[inline(always)]
    pub(crate) fn args_len(&self, index: EventIndex, body: &[u8]) -> Result<usize, u64> {
        match self.layout(index) {
            Some(layout) => layout.args_len(body),
            None => trace_events::v4::event_args_len(self.event(index), body),
        }
    }

    /// The synthetic `Dropped_Event(uint64_t num_events_dropped)` that dropped
    /// records are decoded against.
    pub fn dropped(&self) -> &Event {
        &self.events[0]
    }
}

/// How the reader parses trace-events files: like simpletrace.py, a name
/// declared twice is accepted (with a warning).
pub const READER_OPTIONS: ParseOptions = ParseOptions {
    allow_duplicates: true,
};

/// A warning for each event whose name an earlier file declared (a name
/// declared twice in one file is the parser's warning): the last declaration
/// is used, as simpletrace.py does.
pub fn declared_in_other_files(events: &[Event]) -> Vec<Diagnostic> {
    // Name -> where it was first declared.
    let mut first: HashMap<&str, &Position, FastHash> = HashMap::default();
    let mut warnings = Vec::new();
    for event in events {
        match first.get(event.name.as_str()) {
            Some(pos) if pos.file != event.pos.file => {
                warnings.push(declared_in_another_file(event, pos));
            }
            Some(_) => {}
            None => {
                first.insert(&event.name, &event.pos);
            }
        }
    }
    warnings
}

/// The warning for `event`, whose name `first` declared first.
fn declared_in_another_file(event: &Event, first: &Position) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        file: event.pos.file.clone(),
        line: event.pos.line,
        column: event.pos.column,
        message: format!(
            "event '{}' is declared again (first in {}:{}); the last declaration is used, \
             as simpletrace.py does",
            event.name, first.file, first.line
        ),
        source_line: event.declaration_line(),
    }
}

/// The runtime's own events, parsed from their fixed declarations.
fn runtime_events() -> Vec<Event> {
    // The text is a constant of this crate, tested to parse without errors.
    trace_events::parse_str("<runtime>", RUNTIME_TRACE_EVENTS)
        .file
        .events
}

/// `Dropped_Event(uint64_t num_events_dropped)`, as simpletrace.py declares it.
fn dropped_event() -> Event {
    Event {
        name: "Dropped_Event".to_string(),
        props: Vec::new(),
        args: vec![Arg {
            ty: "uint64_t".to_string(),
            name: "num_events_dropped".to_string(),
            kind: ArgKind::Int(IntType {
                bits: 64,
                signed: false,
            }),
        }],
        fmt: String::new(),
        c_format: String::new(),
        pos: Position {
            file: "<simpletrace>".to_string(),
            line: 0,
            column: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn counts_and_positions_leave_the_dropped_event_out() {
        let empty = EventTable::new([]);
        assert!(empty.is_empty());
        assert_eq!(
            (empty.len(), empty.index_count(), empty.nth(0)),
            (0, 1, None)
        );

        let parsed = trace_events::parse_str("t", "a(int x)\nb(void)\n");
        let table = EventTable::new(parsed.file.events);
        assert!(!table.is_empty());
        assert_eq!((table.len(), table.index_count()), (2, 3));
        let names: Vec<Option<&str>> = (0..3)
            .map(|n| table.nth(n).map(|i| table.event(i).name.as_str()))
            .collect();
        assert_eq!(names, [Some("a"), Some("b"), None]);
    }

    #[test]
    fn a_name_in_two_files_is_one_warning_and_the_last_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let one = write(&dir, "one", "foo(int x)\nbar(void)\n");
        let two = write(&dir, "two", "foo(const char *s)\n");
        let (table, warnings) = EventTable::load(&[&one, &two]).unwrap();
        let messages: Vec<(&str, u32)> =
            warnings.iter().map(|d| (d.file.as_str(), d.line)).collect();
        assert_eq!(messages.len(), 1, "{warnings:?}");
        assert!(messages[0].0.ends_with("two") && messages[0].1 == 1);
        let foo = table.event(table.find("foo").unwrap());
        assert_eq!(foo.args[0].ty, "const char *");

        // Twice in one file: the parser's one warning, not a second one.
        let twice = write(&dir, "twice", "foo(int x)\nfoo(int y)\n");
        let (_, warnings) = EventTable::load(&[&twice, &two]).unwrap();
        let lines: Vec<(bool, u32)> = warnings
            .iter()
            .map(|d| (d.file.ends_with("twice"), d.line))
            .collect();
        assert_eq!(lines, [(true, 2), (false, 1)]);
    }

    #[test]
    fn errors_fail_the_load_and_list_every_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let bad = write(&dir, "bad", "a(hwaddr x)\nb(int x) \"%s\"\nc(hwaddr y)\n");
        let e = EventTable::load(&[&bad]).unwrap_err();
        let LoadError::Invalid { count, diagnostics } = &e else {
            panic!("{e:?}");
        };
        assert_eq!((*count, diagnostics.len()), (2, 3));
        let debug = format!("{e:?}");
        assert!(
            debug.starts_with("2 error(s) in the trace-events files\n"),
            "{debug}"
        );
        assert_eq!(debug.lines().filter(|l| l.contains(": error: ")).count(), 2);
        assert_eq!(
            debug.lines().filter(|l| l.contains(": warning: ")).count(),
            1
        );
    }
}
