//! Low-overhead tracing that writes QEMU's simple trace format (version 4).
//!
//! Declare events in a QEMU-style `trace-events` file, generate typed functions
//! for them with [`trace_events!`], start the runtime with [`start`] and keep the
//! returned guard alive; dropping it flushes and closes the trace.

pub use trace_macros::trace_events;

pub mod args;
pub mod event;
mod record;

pub use args::{TracePtr, TraceStr};
pub use event::{ArgMeta, Event, EventMeta};

/// Used by the code that `trace_events!` and `#[traced]` generate. Not a public API:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::args::{TracePtr, TraceStr};
    pub use crate::event::{ArgMeta, Event, EventMeta, RecordedKind, EVENTS};
    pub use crate::record::{record, str_arg_len, RecordPayload};
    pub use linkme;
}
