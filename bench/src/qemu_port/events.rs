//! What tracetool's simple backend generates for `bench/trace-events`, written
//! out by hand: an inline state check (`trace_foo`) that calls an out-of-line
//! recorder (`_simple_trace_foo`), which checks again, reserves, writes each
//! argument and finishes the record.

use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};

use super::{Backend, MAX_TRACE_STRLEN};

/// An event's ID (its position in the trace-events file, as version 3 has it)
/// and its dynamic state (`_TRACE_FOO_DSTATE`).
#[derive(Debug)]
pub struct Event {
    pub id: u32,
    dstate: AtomicU16,
}

impl Event {
    pub const fn new(id: u32) -> Self {
        Event {
            id,
            dstate: AtomicU16::new(0),
        }
    }
}

/// The events of `bench/trace-events`, IDs in file order.
pub struct Events {
    pub bench_disabled: Event,
    pub bench_no_arg: Event,
    pub bench_two_u64: Event,
    pub bench_one_str: Event,
    pub bench_six_args: Event,
    pub bench_four_u64: Event,
}

pub static EVENTS: Events = Events {
    bench_disabled: Event::new(0),
    bench_no_arg: Event::new(1),
    bench_two_u64: Event::new(2),
    bench_one_str: Event::new(3),
    bench_six_args: Event::new(4),
    bench_four_u64: Event::new(5),
};

/// `trace_events_enabled_count` (QEMU's `trace/control.c`): lets the check skip
/// the per-event state while nothing is enabled.
static ENABLED_COUNT: AtomicU32 = AtomicU32::new(0);

impl Event {
    /// `trace_event_get_state`: `trace_events_enabled_count && dstate`.
    #[inline(always)]
    pub fn enabled(&self) -> bool {
        ENABLED_COUNT.load(Ordering::Relaxed) != 0 && self.dstate.load(Ordering::Relaxed) != 0
    }

    /// `trace_event_set_state_dynamic`.
    pub fn set_state(&self, on: bool) {
        let was = self.dstate.swap(u16::from(on), Ordering::Relaxed) != 0;
        match (was, on) {
            (false, true) => {
                ENABLED_COUNT.fetch_add(1, Ordering::Relaxed);
            }
            (true, false) => {
                ENABLED_COUNT.fetch_sub(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

macro_rules! simple_event {
    ($(#[$doc:meta])* $name:ident, $simple:ident, ($($arg:ident: $ty:ty),*), $size:expr, |$be:ident, $rec:ident| $write:block) => {
        $(#[$doc])*
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(be: &Backend, event: &Event, $($arg: $ty),*) {
            if event.enabled() {
                $simple(be, event, $($arg),*);
            }
        }

        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        fn $simple($be: &Backend, event: &Event, $($arg: $ty),*) {
            if !event.enabled() {
                return;
            }
            let Some(mut $rec) = $be.record_start(event.id, $size) else {
                return; // Trace Buffer Full, Event Dropped !
            };
            $write
            $be.record_finish($rec);
        }
    };
}

simple_event!(no_arg, simple_no_arg, (), 0, |be, rec| {
    let _ = &mut rec;
});

simple_event!(two_u64, simple_two_u64, (a: u64, b: u64), 8 + 8, |be, rec| {
    be.record_write_u64(&mut rec, a);
    be.record_write_u64(&mut rec, b);
});

simple_event!(
    four_u64,
    simple_four_u64,
    (a: u64, b: u64, c: u64, d: u64),
    4 * 8,
    |be, rec| {
        be.record_write_u64(&mut rec, a);
        be.record_write_u64(&mut rec, b);
        be.record_write_u64(&mut rec, c);
        be.record_write_u64(&mut rec, d);
    }
);

simple_event!(
    /// Integers as the C casts make them: `(uint64_t)` of the declared type,
    /// signed values sign-extended, the pointer as its address.
    six_args,
    simple_six_args,
    (a: u64, b: u64, c: u32, d: i32, e: bool, p: *const u8),
    6 * 8,
    |be, rec| {
        be.record_write_u64(&mut rec, a);
        be.record_write_u64(&mut rec, b);
        be.record_write_u64(&mut rec, u64::from(c));
        be.record_write_u64(&mut rec, d as i64 as u64);
        be.record_write_u64(&mut rec, u64::from(e));
        be.record_write_u64(&mut rec, p as usize as u64);
    }
);

/// A string argument: the generated code measures it once (`strlen`, here the
/// slice length) and cuts it to `MAX_TRACE_STRLEN`.
#[inline(always)]
pub fn one_str(be: &Backend, event: &Event, s: &[u8]) {
    if event.enabled() {
        simple_one_str(be, event, s);
    }
}

#[inline(never)]
fn simple_one_str(be: &Backend, event: &Event, s: &[u8]) {
    let s = &s[..s.len().min(MAX_TRACE_STRLEN)];
    if !event.enabled() {
        return;
    }
    let Some(mut rec) = be.record_start(event.id, 4 + s.len()) else {
        return;
    };
    be.record_write_str(&mut rec, s);
    be.record_finish(rec);
}
