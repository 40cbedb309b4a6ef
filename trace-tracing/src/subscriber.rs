//! [`SimpletraceSubscriber`]: a whole `tracing` subscriber that records
//! into the trace, its spans in its own store (`spans.rs`) rather than a
//! `tracing_subscriber::Registry`.

use tracing_core::span::{Attributes, Current, Id, Record};
use tracing_core::{Event, Interest, Metadata, Subscriber};

use crate::{callsites, record, spans};

/// Records `tracing` events and spans into the running trace, like
/// [`SimpletraceLayer`](crate::SimpletraceLayer), as a subscriber of its own:
/// spans cost a few times less than in a `tracing_subscriber::Registry` (no
/// allocation for spans whose fields are integers, no type map, no lock),
/// at the price of `LookupSpan`, so layers that need it (the fmt layer)
/// cannot be added. Filters can: `SimpletraceSubscriber::new().with(EnvFilter::from_default_env())`.
///
/// ```no_run
/// use tracing_subscriber::prelude::*;
///
/// let _trace = trace_runtime::Config::new().file("app.trace").start().unwrap();
/// trace_tracing::SimpletraceSubscriber::new().init();
/// tracing::info!(bytes = 42u64, "loaded");
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct SimpletraceSubscriber {
    _private: (),
}

impl SimpletraceSubscriber {
    /// The subscriber (it holds no state: callsites register their events
    /// on first use, spans live in a process-wide store).
    pub fn new() -> Self {
        SimpletraceSubscriber::default()
    }
}

impl Subscriber for SimpletraceSubscriber {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        // Claim the callsite's slot now, so the hot path only finds it.
        let _ = callsites::index(meta);
        Interest::always()
    }

    fn enabled(&self, _meta: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        spans::create(attrs)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        spans::record(span, values);
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        record::event(event);
    }

    fn enter(&self, span: &Id) {
        spans::enter(span);
    }

    fn exit(&self, span: &Id) {
        spans::exit(span);
    }

    fn clone_span(&self, id: &Id) -> Id {
        spans::clone(id)
    }

    fn try_close(&self, id: Id) -> bool {
        spans::close(&id)
    }

    fn current_span(&self) -> Current {
        spans::current()
    }
}
