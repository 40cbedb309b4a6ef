//! Low-overhead tracing that writes QEMU's simple trace format (version 4).
//!
//! Declare events in a QEMU-style `trace-events` file, generate typed functions
//! for them with [`trace_events!`], start the runtime with [`Config::start`] and
//! keep the returned guard alive; dropping it flushes and closes the trace.
//!
//! ```no_run
//! let _trace = trace_runtime::Config::new()
//!     .file("app.trace")
//!     .start()
//!     .expect("start tracing");
//! ```

pub use trace_macros::trace_events;

pub mod args;
mod clock;
mod config;
mod encode;
pub mod event;
mod fork;
mod internal;
mod local;
mod record;
mod ring;
mod runtime;
mod select;
mod sync;
mod sys;
mod writer;

pub use args::{TracePtr, TraceStr};
pub use config::{
    Config, StartError, DEFAULT_BUFFER_SIZE, DEFAULT_WRITER_PERIOD, MAX_BUFFER_SIZE,
    MIN_BUFFER_SIZE,
};
pub use event::{ArgMeta, Event, EventMeta};
pub use internal::RUNTIME_TRACE_EVENTS;
pub use runtime::{
    event_state, flush, set_all_enabled, set_event_enabled, status, ControlError, EventState,
    Status, TraceGuard,
};
pub use select::SelectError;

/// Start tracing with the default configuration (every event, file `trace-<pid>`).
pub fn start() -> Result<TraceGuard, StartError> {
    Config::new().start()
}

/// Used by the code that `trace_events!` and `#[traced]` generate. Not a public API:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::args::{TracePtr, TraceStr};
    pub use crate::event::{ArgMeta, Event, EventMeta, RecordedKind, EVENTS};
    pub use crate::record::{record, str_arg_len, RecordPayload};
    pub use linkme;
}
