//! Events registered at run time (by the `tracing` layer, or any program that
//! learns its events while it runs), beside the link-time `EVENTS` slice.
//!
//! - Registration ([`register_event`]) is once per callsite: it takes a lock
//!   and allocates, then leaks one [`Event`], which records through the same
//!   hot path as a static event (one relaxed load of its state word, the
//!   record built in place).
//! - IDs follow the static ones: the `n`th registered event gets
//!   `EVENTS.len() + n`. The events live in a fixed table of `OnceLock`s read
//!   without a lock (`table.rs`; the fork handler disables them with atomics
//!   only).
//! - Names are unique in the trace: a name already taken (static or
//!   registered) gets `_2`, `_3`, ... appended.
//! - The writer writes the mapping and `trace_event_decl` record of every
//!   event registered since its last write in front of each batch
//!   (`TraceFile::write_batch`): a record can only be in a batch once its
//!   event is registered, so its mapping always comes first. Every file
//!   opened later gets them all again.
//! - Selections: while a trace runs, the registry remembers the selections
//!   applied since start (the configuration's, then each `set_enabled`), and
//!   replays them on an event registered later, so `SIMPLETRACE` patterns and
//!   run-time control apply to it as if it had existed from the start.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use crate::describe;
use crate::event::{state_enabled, ArgKind, ArgMeta, Event, EventMeta, IntType, EVENTS};
pub use crate::record::RecordPayload;
use crate::select::{self, Matcher, SelectError};
use crate::table::{self, all_events};

pub use crate::table::{by_id, MAX_REGISTERED_EVENTS};

/// The type of a registered event's argument, as the v4 format records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// `uint64_t`
    U64,
    /// `int64_t`
    I64,
    /// `bool` (recorded as 8 bytes, 0 or 1)
    Bool,
    /// `const char *` (length + bytes, cut at 512)
    Str,
}

impl ArgType {
    fn c_type(self) -> &'static str {
        match self {
            ArgType::U64 => "uint64_t",
            ArgType::I64 => "int64_t",
            ArgType::Bool => "bool",
            ArgType::Str => "const char *",
        }
    }
    fn kind(self) -> ArgKind {
        match self {
            ArgType::U64 => ArgKind::Int(IntType {
                bits: 64,
                signed: false,
            }),
            ArgType::I64 => ArgKind::Int(IntType {
                bits: 64,
                signed: true,
            }),
            ArgType::Bool => ArgKind::Bool,
            ArgType::Str => ArgKind::Str,
        }
    }
}

/// Why an event could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The name, arguments and format do not make a valid trace-events
    /// declaration (the reader could not parse it back).
    #[error("the declaration `{decl}` is invalid: {reason}")]
    Invalid {
        /// The trace-events line built from the name, arguments and format.
        decl: String,
        /// The parser's message.
        reason: String,
    },
    /// [`MAX_REGISTERED_EVENTS`] events are registered already: the table
    /// has a fixed size so that it is read without a lock.
    #[error("no more than {MAX_REGISTERED_EVENTS} events can be registered")]
    Full,
}

struct Registry {
    /// Every name in use, static and registered (filled on first use).
    names: HashSet<String>,
    /// The selections applied since start while a trace runs, else `None`,
    /// with the pid that started it (a forked child replays nothing).
    history: Option<(u32, Vec<(Matcher, bool)>)>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut guard = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    let registry = guard.get_or_insert_with(|| Registry {
        names: EVENTS.iter().map(|e| e.meta.name.to_owned()).collect(),
        history: None,
    });
    f(registry)
}

/// Register an event: `name` (a C identifier) with arguments `(name, type)`
/// and, optionally, a trace-events format (with its quotes, as written in a
/// trace-events file). Returns the event, enabled or not as the running
/// trace's selections say; its name is `name`, or `name_2`, `name_3`... if
/// `name` is taken (see [`Event::meta`]). Takes a lock and allocates: call it
/// once per callsite and keep the event.
pub fn register_event(
    name: &str,
    args: &[(&str, ArgType)],
    fmt: Option<&str>,
) -> Result<&'static Event, RegisterError> {
    with_registry(|registry| {
        let index = table::count();
        if index >= MAX_REGISTERED_EVENTS {
            return Err(RegisterError::Full);
        }
        let mut unique = name.to_owned();
        let mut n = 2;
        while registry.names.contains(&unique) {
            unique = format!("{name}_{n}");
            n += 1;
        }
        let arg_metas: Vec<ArgMeta> = args
            .iter()
            .map(|&(arg, ty)| ArgMeta {
                ty: ty.c_type(),
                name: leak(arg),
                kind: ty.kind(),
            })
            .collect();
        let mut meta = EventMeta {
            name: leak(&unique),
            args: Box::leak(arg_metas.into_boxed_slice()),
            fmt: leak(fmt.unwrap_or("")),
            c_format: "",
            file: "<registered>",
            line: index as u32,
            available: true,
        };
        // The reader parses the declaration: check it parses, and take the
        // expanded format from the parser.
        let decl = describe::declaration(&meta);
        let parsed = trace_events::parse_str("<registered>", &format!("{decl}\n"));
        if let Some(error) = parsed.errors().next() {
            return Err(RegisterError::Invalid {
                decl,
                reason: error.message.clone(),
            });
        }
        match parsed.file.events.first() {
            Some(e) if parsed.file.events.len() == 1 && e.name == meta.name => {
                meta.c_format = leak(&e.c_format);
            }
            _ => {
                return Err(RegisterError::Invalid {
                    decl,
                    reason: "it does not declare one event".into(),
                })
            }
        }
        let event: &'static Event = Box::leak(Box::new(Event::new(meta)));
        event.assign_id((EVENTS.len() + index) as u64);
        if let Some((pid, history)) = &registry.history {
            if *pid == std::process::id() {
                for (matcher, on) in history {
                    let _ = select::apply([event], matcher, *on);
                }
            }
        }
        registry.names.insert(unique);
        table::publish(index, event);
        Ok(event)
    })
}

/// Whether an event (static or registered) has this name: a caller that
/// registers a pair (`X_enter`, `X_exit`) picks an `X` free for both.
pub fn name_in_use(name: &str) -> bool {
    with_registry(|registry| registry.names.contains(name))
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// Record `event` if it is enabled: `payload` is its arguments, encoded as
/// the v4 format lays them out (the caller's stack buffer). The hot path of
/// static events: one relaxed load, no lock, no allocation.
#[inline]
pub fn record_payload(event: &Event, payload: &[u8]) {
    record_in_place(event, payload.len(), |p| p.bytes(payload));
}

/// Record `event` if it is enabled, `fill` writing its `payload_len` bytes
/// of arguments (exactly those, as the v4 format lays them out) straight
/// into the record, in the thread's ring: [`record_payload`] without the
/// copy, for arguments whose size is known before they are encoded
/// (integers only). `fill` runs only when the event is recorded, with the
/// thread's recording busy: an event it records is dropped.
#[inline]
pub fn record_in_place(
    event: &Event,
    payload_len: usize,
    fill: impl FnOnce(&mut RecordPayload<'_>),
) {
    let state = event.state();
    if state_enabled(state) {
        crate::record::record(state, payload_len, fill);
    }
}

/// Apply the start selections to every event and remember them for events
/// registered later.
pub(crate) fn select_at_start(selections: &[(Matcher, bool)]) -> Result<(), SelectError> {
    with_registry(|registry| {
        let mut history = vec![(Matcher::All, true)];
        history.extend(selections.iter().cloned());
        for (matcher, on) in &history {
            select::apply(all_events(), matcher, *on)?;
        }
        registry.history = Some((std::process::id(), history));
        Ok(())
    })
}

/// Apply a run-time selection to every event and remember it.
pub(crate) fn select(matcher: Matcher, on: bool) -> Result<usize, SelectError> {
    with_registry(|registry| {
        let changed = select::apply(all_events(), &matcher, on)?;
        if let Some((_, history)) = &mut registry.history {
            history.push((matcher, on));
        }
        Ok(changed)
    })
}

/// The trace stopped: events registered from now on stay disabled.
pub(crate) fn forget_selections() {
    with_registry(|registry| registry.history = None);
}
