//! [`SimpletraceLayer`]: the events and spans of a `tracing_subscriber`
//! stack, spans kept by its `Registry` (the fields in the span's extensions).

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Interest, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::callsites::{self, Registered};
use crate::fields::{Owned, Sink, Store, Val, Visitor};
use crate::record::{self, inline_ints, INLINE_INTS};

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
    values: Values,
}

/// Integer fields (at most [`INLINE_INTS`]) inline, as the record holds
/// them: no allocation beyond the extension's own.
enum Values {
    Ints([u64; INLINE_INTS]),
    Other(Vec<Owned>),
}

/// Stores integer values as the record holds them.
struct IntStore<'a>(&'a mut [u64]);

impl Sink for IntStore<'_> {
    #[inline]
    fn put(&mut self, index: usize, val: Val<'_>) {
        if let Some(slot) = self.0.get_mut(index) {
            *slot = val.as_u64();
        }
    }
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
        let values = if inline_ints(reg) {
            let mut ints = [0; INLINE_INTS];
            attrs.record(&mut Visitor(&mut IntStore(&mut ints[..reg.types.len()])));
            Values::Ints(ints)
        } else {
            let mut owned = vec![Owned::Missing; meta.fields().len()];
            attrs.record(&mut Visitor(&mut Store(&mut owned)));
            Values::Other(owned)
        };
        span.extensions_mut().insert(SpanData { reg, values });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(data) = extensions.get_mut::<SpanData>() {
            let n = data.reg.types.len();
            match &mut data.values {
                Values::Ints(ints) => values.record(&mut Visitor(&mut IntStore(&mut ints[..n]))),
                Values::Other(owned) => values.record(&mut Visitor(&mut Store(owned))),
            }
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let extensions = span.extensions();
        if let Some(data) = extensions.get::<SpanData>() {
            match &data.values {
                Values::Ints(ints) => {
                    let ints = ints[..data.reg.types.len()].iter().copied();
                    record::enter_ints(data.reg, id.into_u64(), ints)
                }
                Values::Other(owned) => record::enter(data.reg, id.into_u64(), &owned[..]),
            }
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
