//! [`SimpletraceLayer`]: the events and spans of a `tracing_subscriber`
//! stack, spans kept by its `Registry` (the fields in the span's extensions).

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Interest, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::callsites::{self, Registered};
use crate::fields::{Owned, Store, Visitor};
use crate::record;

/// Records `tracing` events and spans into the running trace (see the crate
/// documentation), as a layer of a `tracing_subscriber::Registry`. Start the
/// runtime ([`trace_runtime::Config::start`]) too: before it starts, and
/// after it stops, nothing is recorded.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimpletraceLayer {
    _private: (),
}

impl SimpletraceLayer {
    /// The layer, to add to a `tracing_subscriber::Registry` (it holds no
    /// state: callsites register their events on first use).
    pub fn new() -> Self {
        SimpletraceLayer::default()
    }
}

/// A span's registered events and values, in its extensions.
struct SpanData {
    reg: &'static Registered,
    values: Vec<Owned>,
}

impl<S> Layer<S> for SimpletraceLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        // Claim the callsite's slot now, so the hot path only finds it.
        let _ = callsites::entry(meta);
        Interest::always()
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        record::event(event);
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        let Some(entry) = callsites::entry(meta) else {
            return;
        };
        let (Some(reg), Some(span)) = (record::span_events(entry, attrs), ctx.span(id)) else {
            return;
        };
        let mut store = Store(vec![Owned::Missing; meta.fields().len()]);
        attrs.record(&mut Visitor(&mut store));
        span.extensions_mut().insert(SpanData {
            reg,
            values: store.0,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(data) = extensions.get_mut::<SpanData>() {
            let mut store = Store(std::mem::take(&mut data.values));
            values.record(&mut Visitor(&mut store));
            data.values = store.0;
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let extensions = span.extensions();
        if let Some(data) = extensions.get::<SpanData>() {
            record::enter(data.reg, id.into_u64(), &data.values[..]);
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(meta) = ctx.metadata(id) else {
            return;
        };
        if let Some(reg) = callsites::entry(meta).and_then(|e| e.get()?.as_ref()) {
            record::exit(reg, id.into_u64());
        }
    }
}
