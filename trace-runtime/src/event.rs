//! Event descriptors and the program-wide event table.
//!
//! Every event of every crate in the program is one `Event` static placed in the
//! [`EVENTS`] distributed slice by `trace_events!`. An event's trace ID is its
//! index in that slice, so IDs are unique across crates without coordination.

use std::sync::atomic::{AtomicU64, Ordering};

pub use trace_events::{ArgKind, IntType};

/// What the simple backend records for an argument: now [`ArgKind`], the
/// project's one kind type. `Str`, `Bool` and `Pointer` are spelled as
/// before; `RecordedKind::Int { bits, signed }` is
/// `ArgKind::Int(IntType { bits, signed })`.
#[deprecated(
    note = "use `ArgKind`; `RecordedKind::Int { bits, signed }` is `ArgKind::Int(IntType { bits, signed })`"
)]
pub type RecordedKind = ArgKind;

/// One argument of an event, as declared.
#[derive(Debug)]
pub struct ArgMeta {
    /// The C type as tracetool splits it.
    pub ty: &'static str,
    /// The name as declared: in the trace's `trace_event_decl` records and the
    /// log backend's `name=value` fallback.
    pub name: &'static str,
    /// How a value of this argument is laid out in a record.
    pub kind: ArgKind,
}

/// Static description of an event.
#[derive(Debug)]
pub struct EventMeta {
    /// The event's name, unique in the program (checked at start): the trace's
    /// mapping records carry it.
    pub name: &'static str,
    /// Arguments in declaration order, the order they are recorded in.
    pub args: &'static [ArgMeta],
    /// The format as written in the trace-events file ("" if none).
    pub fmt: &'static str,
    /// The format with PRI macros expanded.
    pub c_format: &'static str,
    /// The trace-events file (or Rust source, for `#[traced]`) that declares
    /// the event, for diagnostics about duplicate names.
    pub file: &'static str,
    /// The declaration's 1-based line in `file`.
    pub line: u32,
    /// False for `disable` events: they are compiled out and can never be enabled.
    pub available: bool,
}

/// Bit 0 of an event's state word: the event records. Bits 1.. hold its ID.
const ENABLED: u64 = 1;

/// Whether a state word (from [`Event::state`]) says the event records: the
/// one place that knows the layout, used by the generated code too.
#[inline(always)]
pub const fn state_enabled(state: u64) -> bool {
    state & ENABLED != 0
}

/// The trace ID a state word holds.
#[inline(always)]
pub const fn state_id(state: u64) -> u64 {
    state >> 1
}

/// An event: its description and its dynamic state.
///
/// The state is one word so the hot path needs one relaxed load to learn both
/// whether the event is enabled and its ID: `state = (id << 1) | enabled`.
/// It is 0 until the runtime assigns IDs, so nothing records before that.
#[derive(Debug)]
pub struct Event {
    /// What the event is; fixed at compile time.
    pub meta: EventMeta,
    state: AtomicU64,
}

impl Event {
    /// An event with ID 0, disabled; `const` so `trace_events!` can place it in
    /// a static.
    pub const fn new(meta: EventMeta) -> Self {
        Event {
            meta,
            state: AtomicU64::new(0),
        }
    }

    /// The raw state word (one relaxed load). Bit 0: enabled; bits 1..: ID.
    #[inline(always)]
    pub fn state(&self) -> u64 {
        self.state.load(Ordering::Relaxed)
    }

    /// Whether the event is enabled (one relaxed load). Use it to skip costly
    /// argument preparation.
    #[inline(always)]
    pub fn is_enabled(&self) -> bool {
        state_enabled(self.state())
    }

    /// The event's trace ID (meaningful once the runtime has started).
    pub fn id(&self) -> u64 {
        state_id(self.state())
    }

    /// Give the event its ID, disabled.
    pub(crate) fn assign_id(&self, id: u64) {
        self.state.store(id << 1, Ordering::Relaxed);
        debug_assert_eq!(state_id(id << 1), id);
    }

    /// Turn recording on or off; unavailable events stay off. Returns whether
    /// the state changed, `None` if `on` was asked of an unavailable event.
    pub(crate) fn switch(&self, on: bool) -> Option<bool> {
        if on && !self.meta.available {
            return None;
        }
        let before = if on {
            self.state.fetch_or(ENABLED, Ordering::Relaxed)
        } else {
            self.state.fetch_and(!ENABLED, Ordering::Relaxed)
        };
        Some(state_enabled(before) != on)
    }
}

/// Every event in the program, collected at link time.
#[linkme::distributed_slice]
pub static EVENTS: [Event];

#[cfg(test)]
mod tests {
    use super::*;

    /// Code written against the old name still compiles: the kinds it
    /// builds are `ArgKind`s.
    #[test]
    #[allow(deprecated)]
    fn recorded_kind_is_arg_kind() {
        const STR: RecordedKind = RecordedKind::Str;
        let meta = ArgMeta {
            ty: "const char *",
            name: "s",
            kind: STR,
        };
        assert_eq!(meta.kind, ArgKind::Str);
        assert!(matches!(meta.kind, RecordedKind::Str));
    }
}
