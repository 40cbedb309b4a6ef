//! The recording entry point used by generated event functions.

use std::sync::atomic::Ordering;

use crate::control::{BACKENDS, LATE, LOG, SIMPLE};
use crate::event::state_id;
use crate::write_once::{Closure, WriteOnce};
use crate::{clock, exit, local, log};
use trace_events::v4::encode;

/// Bytes a string argument of `len` bytes takes in a record: `u32` length plus the
/// bytes, truncated to 512.
#[inline(always)]
pub const fn str_arg_len(len: usize) -> usize {
    trace_events::ArgKind::Str.record_size(len)
}

/// Writes the arguments of one record into its reserved space, in declaration
/// order. The generated code writes exactly `payload_len` bytes.
pub struct RecordPayload<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> RecordPayload<'a> {
    /// Arguments are written from the start of `buf`.
    #[inline(always)]
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        RecordPayload { buf, pos: 0 }
    }

    /// An integer, bool or pointer argument, already cast to `u64` as C would.
    #[inline(always)]
    pub fn u64(&mut self, v: u64) {
        self.buf[self.pos..self.pos + 8].copy_from_slice(&v.to_ne_bytes());
        self.pos += 8;
    }

    /// Arguments already encoded as the record lays them out.
    #[inline(always)]
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }

    /// A string argument: `u32` length + bytes, truncated to 512.
    #[inline(always)]
    pub fn str(&mut self, s: &[u8]) {
        let s = &s[..s.len().min(trace_events::v4::MAX_STRING_LEN)];
        self.buf[self.pos..self.pos + 4].copy_from_slice(&(s.len() as u32).to_ne_bytes());
        self.buf[self.pos + 4..self.pos + 4 + s.len()].copy_from_slice(s);
        self.pos += 4 + s.len();
    }
}

/// Record one event. `state` is the event's state word as loaded by the caller
/// (already checked to be enabled); `payload_len` is the size of the arguments.
///
/// With the simple backend alone the record is built in place in the thread's
/// buffer, exactly as it will be in the file: no lock, syscall or allocation
/// (after the thread's first event).
///
/// What is inlined into every event is the common case only: the simple
/// backend, the counter clock, room in the ring (`local::push`). Anything
/// else leaves through one cold, non-generic call, so the inlined path keeps
/// its values in registers and needs no stack frame of its own.
#[inline(always)]
pub fn record(state: u64, payload_len: usize, fill: impl FnOnce(&mut RecordPayload<'_>)) {
    record_with(state, payload_len, Closure(fill))
}

/// [`record`] with a [`WriteOnce`] (`#[traced]`'s arguments): the fast path
/// holds the argument writes themselves.
#[inline(always)]
pub(crate) fn record_with(
    state: u64,
    payload_len: usize,
    fill: impl for<'r> WriteOnce<RecordPayload<'r>>,
) {
    if BACKENDS.load(Ordering::Relaxed) == SIMPLE {
        if let Some(timestamp) = clock::counter_now_ns() {
            let record = Record {
                state,
                timestamp,
                fill,
            };
            local::push_with(encode::record_len(payload_len), record);
            return;
        }
    }
    let mut fill = Some(fill);
    record_full_path(state, payload_len, &mut |payload| {
        if let Some(fill) = fill.take() {
            fill.write(payload);
        }
    });
}

/// A record: its header, then what `fill` writes.
struct Record<F> {
    state: u64,
    timestamp: u64,
    fill: F,
}

impl<F: for<'r> WriteOnce<RecordPayload<'r>>> WriteOnce<[u8]> for Record<F> {
    #[inline(always)]
    fn write(self, rec: &mut [u8]) {
        let pid = local::PID.load(Ordering::Relaxed);
        encode::put_record_header(rec, state_id(self.state), self.timestamp, pid);
        let payload = &mut rec[encode::record_len(0)..];
        self.fill.write(&mut RecordPayload::new(payload));
    }
}

/// Every case [`record`] does not inline: another backend, the clock read
/// through the OS (no counter, or its line being replaced).
#[cold]
#[inline(never)]
fn record_full_path(state: u64, payload_len: usize, fill: &mut dyn FnMut(&mut RecordPayload<'_>)) {
    let backends = BACKENDS.load(Ordering::Relaxed);
    if backends == SIMPLE {
        let timestamp = clock::now_ns();
        local::push(encode::record_len(payload_len), |rec| {
            let pid = local::PID.load(Ordering::Relaxed);
            encode::put_record_header(rec, state_id(state), timestamp, pid);
            fill(&mut RecordPayload::new(&mut rec[encode::record_len(0)..]));
        });
    } else if backends & LOG != 0 {
        record_logged(state, payload_len, fill, backends);
    } else if backends & LATE != 0 {
        exit::write_late(state_id(state), payload_len, |payload| {
            fill(&mut RecordPayload::new(payload))
        });
    }
}

/// The log backend's path: the arguments are written once into a scratch
/// buffer, logged, and copied into the thread's ring if the simple backend is on.
fn record_logged(
    state: u64,
    payload_len: usize,
    fill: &mut dyn FnMut(&mut RecordPayload<'_>),
    backends: u8,
) {
    let simple = backends & SIMPLE != 0;
    let timestamp = clock::now_ns();
    let done = log::record(
        state_id(state),
        payload_len,
        |payload| fill(&mut RecordPayload::new(payload)),
        |payload| {
            if simple && backends & LATE != 0 {
                exit::write_late(state_id(state), payload_len, |p| p.copy_from_slice(payload));
            } else if simple {
                local::push(encode::record_len(payload_len), |rec| {
                    let pid = local::PID.load(Ordering::Relaxed);
                    encode::put_record_header(rec, state_id(state), timestamp, pid);
                    rec[encode::record_len(0)..].copy_from_slice(payload);
                });
            }
        },
    );
    if !done && simple {
        local::UNBUFFERED_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}
