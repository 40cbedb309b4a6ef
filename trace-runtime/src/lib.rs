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
//!
//! # Controlling tracing
//!
//! The options string is QEMU's `-trace` argument (see [`options`] for the
//! grammar): `disk_*,-disk_write,events=FILE,file=FILE,help`, plus
//! `backend=simple|log|both`, `logfile=FILE`, `timestamp=on|off`,
//! `buffer_size=SIZE` (`64M`), `quiet=on|off` and the flight recorder's
//! `mode=flight`, `snapshot_on_panic=on|off`, `snapshot_signal=SIGUSR2`
//! (see [`snapshot`]). Pass one
//! from the program's command line with [`Config::options`]; the one in the
//! environment variable `SIMPLETRACE` is applied at start, after the program's
//! own configuration. While tracing, from any thread: [`set_enabled`],
//! [`event_state`], [`list_events`], [`trace_file_on`], [`trace_file_off`],
//! [`trace_file_flush`], [`trace_file_set`] and [`trace_file_status`].

/// Generates typed event functions from a QEMU-style trace-events file.
///
/// `trace_events!("path")` reads the file at compile time (the path is relative
/// to the calling crate's `Cargo.toml` directory) and generates, in the module
/// where it is called:
///
/// - `pub fn NAME(args...)` for each event: records the event when it is
///   enabled, and costs one relaxed load when it is not. Integer arguments take
///   the Rust type of their C type: `int8_t`..`uint64_t` are `i8`..`u64`, `int`
///   `i32`, `unsigned` `u32`, `short` `i16`, `long` and `long long` `i64`,
///   `unsigned long` `u64`, `char` `i8`, `unsigned char` `u8`, `size_t` and
///   `uintptr_t` `usize`, `ssize_t` and `ptrdiff_t` `isize`; `bool` is `bool`.
///   Strings (`const char *`) take any [`TraceStr`] (`&str`, `&[u8]`, `&CStr`,
///   `Option<_>`...), other pointers any [`TracePtr`]. The function of a
///   `disable`d event does nothing.
/// - `events::NAME`, the event's [`Event`]: `events::NAME.is_enabled()` tells
///   whether costly arguments are worth preparing.
/// - `EVENT_TABLE: &[&Event]`, the file's events in file order, each with its
///   name, arguments, formats, file, line and availability.
///
/// Event and argument names that are Rust keywords become raw identifiers
/// (`r#type`); `self`, `Self`, `super`, `crate` and `_` get a trailing `_`.
/// IDs are given out when tracing starts (an event's ID is its index in the
/// program-wide table), so several crates of a program can each have a file.
/// Editing the file rebuilds the crate. Errors in the file are compile errors
/// that quote the line (`file:line:column`), all of them at once; warnings
/// show as deprecation warnings.
///
/// ```
/// // tests/control_common/control.trace-events, among others:
/// //   disk_read(const char *dev, uint64_t offset, uint32_t len) "dev %s offset 0x%" PRIx64 " len %u"
/// //   disable debug_dump(const char *what) "what %s"
/// mod trace {
///     trace_runtime::trace_events!("tests/control_common/control.trace-events");
/// }
///
/// trace::disk_read("disk.img", 4096, 512);
/// if trace::events::debug_dump.is_enabled() {
///     unreachable!("disabled in the file");
/// }
/// assert_eq!(trace::EVENT_TABLE[0].meta.name, "disk_read");
/// ```
pub use trace_macros::trace_events;

/// Traces a function: an event when it is entered, with its arguments, and one
/// when it exits, by any return, `?`, panic unwinding or (`async fn`) a future
/// dropped unfinished. The events are `NAME_enter` and `NAME_exit` (`NAME` is
/// the function's name, or `name = "..."`), need no trace-events line, and are
/// enabled by pattern, listed, mapped and declared in the trace like any other.
///
/// ```
/// use trace_runtime::traced;
///
/// #[traced]
/// fn read_block(dev: &str, sector: u64) -> usize { 512 }
///
/// #[traced(name = "dev_write", skip(buf), ret)]
/// fn write(fd: i32, buf: &[u8]) -> isize { buf.len() as isize }
///
/// #[traced(err)]
/// fn open(path: &str) -> Result<u32, i32> { Err(-2) }
///
/// read_block("vda", 8); // read_block_enter(call_id, dev, sector) ... read_block_exit(call_id)
/// ```
///
/// Both events start with the call's id, `uint64_t call_id` (`async_call_id`
/// for an `async fn`), so a reader pairs each exit with its enter even when
/// calls overlap: unique in the process, 0 when the enter was not recorded.
/// An argument of that name must be renamed or skipped.
///
/// Arguments are recorded through [`TraceArg`]: integers, `bool`, strings
/// (`&str`, `String`, `&CStr`), raw pointers, and references to those. `self`
/// and pattern arguments are not recorded. Anything else must be skipped, as
/// must arguments whose type is generic or `impl Trait`: the events' arguments
/// have fixed types.
///
/// Options:
/// - `name = "x"`: events `x_enter`/`x_exit` (two methods of one name need it).
/// - `skip(a, b)`, `skip_all`: record only the other arguments.
/// - `ret`: the exit event is `NAME_exit(call_id, bool returned, T ret)`.
/// - `err`: for a `Result<T, E>`, `NAME_exit(call_id, bool returned, bool is_err, E err)`;
///   with `ret` too, `NAME_exit(call_id, bool returned, bool is_err, T ret, E err)`.
///   `returned` is false (and the values zero) on unwinding or cancellation.
/// - `events = path`: use the events a `trace_events!` invocation in module
///   `path` declares (`path::NAME_enter(args...)`, `path::NAME_exit(...)`),
///   so rustc checks the declarations against the function. They carry no
///   call id.
///
/// The events have no format: the log backend prints `arg=value` as
/// simpletrace.py does.
pub use trace_macros::traced;

pub mod args;
mod clock;
mod config;
mod control;
mod describe;
mod error_debug;
pub mod event;
mod event_control;
mod exit;
mod file_control;
mod flight;
mod fork;
mod internal;
mod local;
mod log;
mod loss_report;
pub mod options;
mod panic_hook;
mod record;
pub mod registry;
mod ring;
mod runtime;
mod select;
mod settings;
mod sync;
mod sys;
mod table;
mod trace_file;
mod traced;
mod unique;
mod wake;
mod write_once;
mod writer;

pub use args::{TracePtr, TraceStr};
pub use config::{
    Config, StartError, DEFAULT_BUFFER_SIZE, DEFAULT_WRITER_PERIOD, MAX_BUFFER_SIZE,
    MIN_BUFFER_SIZE,
};
pub use control::{flush, status, ControlError, Status};
pub use event::{ArgKind, ArgMeta, Event, EventMeta, IntType};
pub use event_control::{
    event_state, list_events, set_all_enabled, set_enabled, set_event_enabled, EventInfo,
    EventState,
};
pub use file_control::{
    trace_file_flush, trace_file_off, trace_file_on, trace_file_set, trace_file_status,
    TraceFileStatus,
};
pub use flight::{snapshot, SnapshotError, SnapshotInfo, MAX_EXITED_KEPT};
pub use internal::RUNTIME_TRACE_EVENTS;
pub use options::{OptionsError, OPTIONS_ENV};
pub use registry::{register_event, ArgType, RegisterError};
pub use runtime::TraceGuard;
pub use select::SelectError;
pub use settings::{Backend, Mode, SnapshotSignal};
pub use traced::{Encoded, TraceArg, TracedResult};

/// Start tracing with the default configuration (every event, file
/// `trace-<pid>` as in QEMU; prefer [`Config::file`] to name it: `rm trace-*`
/// would also delete `trace-events`).
pub fn start() -> Result<TraceGuard, StartError> {
    Config::new().start()
}

/// Used by the code that `trace_events!` and `#[traced]` generate. Not a public API:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::args::{TracePtr, TraceStr};
    pub use crate::clock::{counter_agreement_ns, tsc_clock_in_use, tsc_usable};
    #[allow(deprecated)]
    pub use crate::event::RecordedKind;
    pub use crate::event::{state_enabled, ArgKind, ArgMeta, Event, EventMeta, IntType, EVENTS};
    pub use crate::record::{record, str_arg_len, RecordPayload};
    pub use crate::traced::{
        call_id, record_args, returning, returning_future, value_or_zero, zero_encoded, Encoded,
        Exit, TraceArg, TracedResult, ASYNC_CALL_ID, CALL_ID,
    };
    pub use linkme;
}
