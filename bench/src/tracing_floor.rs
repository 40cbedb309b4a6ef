//! The least any `tracing` subscriber that records an event's values can
//! do (issue #16's 3x goal, measured against it): `tracing` dispatches the
//! event, the subscriber visits its fields, formats the message (which a
//! subscriber receives only as `&dyn Debug`, so it must be formatted to be
//! kept) into a sink that only counts its bytes, and records the integers
//! as the trace-events event `bench_two_u64`. No callsite lookup, no type
//! inference, no copy of the message, no string in the record: less work
//! than `SimpletraceSubscriber` does, so its time bounds from below every
//! subscriber's that records the event's values.

use std::fmt::{self, Write};
use std::hint::black_box;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// See the module documentation. Spans are not kept.
pub type FloorSubscriber = Floor<Ours>;

/// The floor subscriber, what it visited handed to `R`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Floor<R>(R);

/// Takes what the floor visited of an event: its first two integers and
/// its message's length in bytes.
pub trait Recorder: Send + Sync + 'static {
    fn record(&self, ints: [u64; 2], message_len: usize);
}

/// Records the integers as the trace-events event `bench_two_u64`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ours;

impl Recorder for Ours {
    #[inline(always)]
    fn record(&self, ints: [u64; 2], message_len: usize) {
        black_box(message_len);
        crate::ours::bench_two_u64(ints[0], ints[1]);
    }
}

struct Values {
    ints: [u64; 2],
    /// Integers seen so far.
    n: usize,
    /// Bytes of the message formatted.
    len: usize,
}

impl Write for Values {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.len += s.len();
        Ok(())
    }
}

impl Visit for Values {
    fn record_u64(&mut self, _field: &Field, value: u64) {
        if let Some(slot) = self.ints.get_mut(self.n) {
            *slot = value;
            self.n += 1;
        }
    }

    fn record_debug(&mut self, _field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self, "{value:?}");
    }
}

/// The event's first two integers and its message's length in bytes.
#[inline(always)]
fn visit(event: &Event<'_>) -> Values {
    let mut values = Values {
        ints: [0; 2],
        n: 0,
        len: 0,
    };
    event.record(&mut values);
    values
}

impl<R: Recorder> Subscriber for Floor<R> {
    fn enabled(&self, _meta: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _attrs: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let values = visit(event);
        self.0.record(values.ints, values.len);
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// What the floor visited of each event.
    static SEEN: Mutex<Vec<([u64; 2], usize)>> = Mutex::new(Vec::new());

    struct Seen;

    impl Recorder for Seen {
        fn record(&self, ints: [u64; 2], message_len: usize) {
            SEEN.lock().unwrap().push((ints, message_len));
        }
    }

    /// The floor does the work it stands for: both integers taken, the
    /// message formatted whole.
    #[test]
    fn the_floor_takes_both_integers_and_formats_the_message() {
        tracing::subscriber::with_default(Floor(Seen), || {
            crate::tracing_baseline::two_u64(7, 9);
            tracing::info!(a = 1u64, b = 2u64, "message {}", 12345);
        });
        let seen = SEEN.lock().unwrap();
        assert_eq!(seen[..], [([7, 9], "bench_two_u64".len()), ([1, 2], 13)]);
    }
}
