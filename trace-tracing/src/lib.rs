//! Records `tracing` events and spans into the simple trace runtime's
//! per-thread buffers: the same v4 file as the program's other events, read
//! by `simpletrace` with no trace-events file (the trace declares its
//! events). Two ways in:
//!
//! - [`SimpletraceLayer`], a [`tracing_subscriber::Layer`]: add it to a
//!   `Registry` beside the program's other layers (fmt, `EnvFilter`...).
//! - [`SimpletraceSubscriber`], a whole subscriber: spans about three times
//!   cheaper (no `Registry`), but layers that look spans up (the fmt layer)
//!   cannot be added to it; filters such as `EnvFilter` can.
//!
//! ```no_run
//! use tracing_subscriber::prelude::*;
//!
//! let _trace = trace_runtime::Config::new().file("app.trace").start().unwrap();
//! tracing_subscriber::registry().with(trace_tracing::SimpletraceLayer::new()).init();
//! tracing::info!(bytes = 42u64, "loaded");
//! ```
//!
//! # Events
//!
//! Each callsite is one trace event, registered with the runtime at its first
//! use and named `LEVEL_TARGET_NAME` as a C identifier (any run of other
//! characters becomes `_`): `info!` on line 12 of `src/main.rs` in crate
//! `app` is `info_app_event_src_main_rs_12`, so `SIMPLETRACE=warn_*,error_*`
//! selects by level and `*_app_*` by target. A name already taken gets
//! `_2`, `_3`... Its arguments are its fields, in order, typed by the first
//! values seen: integers (`u64`, `i64`) and bools as integers (`uint64_t`,
//! `int64_t`, `bool`); `&str`, the message and everything else as strings:
//! floats by `Debug` (`1.5`), other values through `Debug`, errors through
//! `Display`. A later value of another type is converted (to text for a
//! string argument, 0 for an integer argument). Strings are cut at 512 bytes
//! as QEMU cuts them, and a record's strings share [`MAX_PAYLOAD`] bytes.
//!
//! # Spans
//!
//! A span is a pair of events, `NAME_enter(uint64_t async_call_id, fields...)`
//! and `NAME_exit(uint64_t async_call_id)`, recorded at each enter and exit
//! (an async span is entered at each poll). The id is the span's
//! (`Id::into_u64`): the reader pairs enters and exits by it and draws them
//! as async slices, so spans that interleave on one thread show as they
//! happened. The fields are kept from the span's creation (and
//! `Span::record`) and recorded with each enter.
//!
//! # Cost
//!
//! The hot path looks the callsite up in a lock-free table and loads the
//! event's state word. A callsite whose fields are all integers (and a
//! span's exit) has records of one size, so its fields are encoded straight
//! into the record in the ring; others are encoded into a per-thread buffer
//! (strings formatted there) and then copied into the ring. No lock, no
//! allocation.
//!
//! Spans through the layer cost what `tracing_subscriber::Registry` costs
//! (it allocates and locks per span); the enter reads the span's fields from
//! its extensions. Through the subscriber, a span is a slot: integer fields
//! (up to eight) in atomics, other fields behind the slot's mutex; its id
//! is the slot number with the callsite in the high bits, so an exit needs
//! no lookup; free slots are kept per thread. No allocation once warm for
//! integer fields (each string field's copy is allocated).
//!
//! The layer filters nothing for other layers: it composes with `EnvFilter`
//! and the fmt layer. Either way the runtime's selections (`SIMPLETRACE`,
//! `set_enabled`) apply to the events.

mod callsites;
mod fields;
mod layer;
mod name;
mod record;
mod span_slots;
mod spans;
mod subscriber;

pub use callsites::MAX_CALLSITES;
pub use fields::MAX_PAYLOAD;
pub use layer::SimpletraceLayer;
pub use subscriber::SimpletraceSubscriber;
