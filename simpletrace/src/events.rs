//! The table of declared events a trace is decoded against: every event of the
//! given trace-events files, looked up by name (v4 mapping records name events),
//! plus the synthetic `Dropped_Event` of dropped records.

use std::collections::HashMap;
use std::path::Path;

use trace_events::{Arg, ArgKind, Diagnostic, Event, IntType, Position};

/// Index of an event in an [`EventTable`]; the dropped event has its own index
/// just past the declared ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventIndex(pub(crate) u32);

impl EventIndex {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Declared events, in the order given (which is the id order of `--no-header`).
#[derive(Debug, Clone)]
pub struct EventTable {
    events: Vec<Event>,
    by_name: HashMap<String, u32>,
    dropped: Event,
}

/// Why the trace-events files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{count} error(s) in the trace-events files")]
    Invalid {
        count: usize,
        diagnostics: Vec<Diagnostic>,
    },
}

impl EventTable {
    /// A table of `events`; like simpletrace.py's dict, a later event of the
    /// same name replaces an earlier one in name look-ups.
    pub fn new(events: impl IntoIterator<Item = Event>) -> Self {
        let mut events: Vec<Event> = events.into_iter().collect();
        // Indices are u32 and the one past the declared events is the dropped event.
        events.truncate(u32::MAX as usize - 1);
        let by_name = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i as u32))
            .collect();
        Self {
            events,
            by_name,
            dropped: dropped_event(),
        }
    }

    /// Parse `paths` (named as given) and build the table. Warnings are
    /// returned; any error fails the load with every diagnostic.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<(Self, Vec<Diagnostic>), LoadError> {
        let mut events = Vec::new();
        let mut diagnostics = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let name = path.display().to_string();
            let parsed = trace_events::parse_file(path, &name).map_err(|source| LoadError::Io {
                path: name.clone(),
                source,
            })?;
            diagnostics.extend(parsed.diagnostics);
            events.extend(parsed.file.events);
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            return Err(LoadError::Invalid {
                count: errors,
                diagnostics,
            });
        }
        Ok((Self::new(events), diagnostics))
    }

    /// Number of declared events (the dropped event not counted).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The declared events in order.
    pub fn declared(&self) -> &[Event] {
        &self.events
    }

    /// Index of the declared event called `name`.
    pub fn find(&self, name: &str) -> Option<EventIndex> {
        self.by_name.get(name).copied().map(EventIndex)
    }

    /// Index of the `n`th declared event (the `--no-header` id mapping).
    pub fn nth(&self, n: u64) -> Option<EventIndex> {
        (n < self.len() as u64).then_some(EventIndex(n as u32))
    }

    pub fn dropped_index(&self) -> EventIndex {
        EventIndex(self.len() as u32)
    }

    /// Number of indices, the dropped event included: the size of a per-event cache.
    pub fn index_count(&self) -> usize {
        self.events.len() + 1
    }

    /// The event at `index` (the dropped event for an index of another table
    /// that is out of range here).
    pub fn event(&self, index: EventIndex) -> &Event {
        match self.events.get(index.get()) {
            Some(event) => event,
            None => self.dropped(),
        }
    }

    pub fn dropped(&self) -> &Event {
        &self.dropped
    }
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
