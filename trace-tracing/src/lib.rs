//! A [`tracing_subscriber::Layer`] that records `tracing` events and spans
//! into the simple trace runtime's per-thread buffers: the same v4 file as
//! the program's other events, read by `simpletrace` with no trace-events
//! file (the trace declares its events).
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
//! allocation. Spans cost what
//! `tracing_subscriber::Registry` costs (it allocates and locks per span);
//! the enter reads the span's fields from its extensions.
//!
//! The layer filters nothing for other layers: it composes with `EnvFilter`
//! and the fmt layer, and the runtime's selections (`SIMPLETRACE`,
//! `set_enabled`) apply to its events.

mod callsites;
mod fields;
mod name;

use std::cell::RefCell;

use callsites::{Entry, Registered};
use fields::{Encoder, Fixed, Infer, Owned, Sink, Store, Visitor};
use trace_runtime::{register_event, registry, ArgType};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Interest, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

pub use callsites::MAX_CALLSITES;
pub use fields::MAX_PAYLOAD;

/// Records `tracing` events and spans into the running trace (see the crate
/// documentation). Start the runtime ([`trace_runtime::Config::start`]) too:
/// before it starts, and after it stops, nothing is recorded.
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

thread_local! {
    /// Where a record's arguments are encoded before they are copied into
    /// the ring (no allocation, no lock).
    static PAYLOAD: RefCell<[u8; MAX_PAYLOAD]> = const { RefCell::new([0; MAX_PAYLOAD]) };
}

/// Encode with `fill` into this thread's buffer and record `event`. Nothing
/// is recorded when re-entered (a `Debug` impl that logs).
#[inline]
fn record(reg: &Registered, call_id: Option<u64>, fill: impl FnOnce(&mut Encoder<'_>)) {
    let _ = PAYLOAD.try_with(|cell| {
        let Ok(mut buf) = cell.try_borrow_mut() else {
            return;
        };
        let mut encoder = Encoder::new(&mut buf[..], &reg.types, call_id);
        fill(&mut encoder);
        let len = encoder.finish();
        registry::record_payload(reg.event, &buf[..len]);
    });
}

/// The argument types a callsite's first values give.
fn infer(meta: &Metadata<'_>, visit: impl FnOnce(&mut Infer)) -> Vec<ArgType> {
    let mut infer = Infer(vec![ArgType::Str; meta.fields().len()]);
    visit(&mut infer);
    infer.0
}

fn register_callsite_event(meta: &Metadata<'_>, types: Vec<ArgType>) -> Option<Registered> {
    let names = name::arg_names(meta.fields().iter().map(|f| f.name()));
    let args: Vec<(&str, ArgType)> = names
        .iter()
        .map(|n| n.as_str())
        .zip(types.iter().copied())
        .collect();
    let event = register_event(&name::event_name(meta), &args, None).ok()?;
    Some(Registered::new(event, types.into(), None))
}

fn register_span_events(meta: &Metadata<'_>, types: Vec<ArgType>) -> Option<Registered> {
    let names = name::arg_names(meta.fields().iter().map(|f| f.name()));
    let mut args = vec![("async_call_id", ArgType::U64)];
    args.extend(names.iter().map(|n| n.as_str()).zip(types.iter().copied()));
    // A name free for both events, so the reader pairs them.
    let base = name::event_name(meta);
    let mut name = base.clone();
    let mut n = 2;
    while registry::name_in_use(&format!("{name}_enter"))
        || registry::name_in_use(&format!("{name}_exit"))
    {
        name = format!("{base}_{n}");
        n += 1;
    }
    let enter = register_event(&format!("{name}_enter"), &args, None).ok()?;
    let exit = register_event(&format!("{name}_exit"), &args[..1], None).ok()?;
    Some(Registered::new(enter, types.into(), Some(exit)))
}

/// A span's registered events and values, in its extensions.
struct SpanData {
    reg: &'static Registered,
    values: Vec<Owned>,
}

fn span_registered(entry: &'static Entry) -> Option<&'static Registered> {
    entry.get().and_then(Option::as_ref)
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
        let meta = event.metadata();
        let Some(entry) = callsites::entry(meta) else {
            return;
        };
        let reg = match entry.get() {
            Some(reg) => reg,
            None => entry.get_or_init(|| {
                register_callsite_event(meta, infer(meta, |i| event.record(&mut Visitor(i))))
            }),
        };
        let Some(reg) = reg else {
            return;
        };
        match reg.fixed_len {
            Some(len) => registry::record_in_place(reg.event, len, |p| {
                let mut fixed = Fixed::new(p, &reg.types);
                event.record(&mut Visitor(&mut fixed));
                fixed.finish();
            }),
            None if reg.event.is_enabled() => {
                record(reg, None, |e| event.record(&mut Visitor(e)));
            }
            None => {}
        }
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        let Some(entry) = callsites::entry(meta) else {
            return;
        };
        let reg = entry.get_or_init(|| {
            register_span_events(meta, infer(meta, |i| attrs.record(&mut Visitor(i))))
        });
        let (Some(reg), Some(span)) = (reg.as_ref(), ctx.span(id)) else {
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
        let Some(data) = extensions.get::<SpanData>() else {
            return;
        };
        if let Some(len) = data.reg.fixed_len {
            registry::record_in_place(data.reg.event, len, |p| {
                p.u64(id.into_u64());
                let mut fixed = Fixed::new(p, &data.reg.types);
                for (i, value) in data.values.iter().enumerate() {
                    if let Some(v) = value.val() {
                        fixed.put(i, v);
                    }
                }
                fixed.finish();
            });
        } else if data.reg.event.is_enabled() {
            record(data.reg, Some(id.into_u64()), |e| {
                for (i, value) in data.values.iter().enumerate() {
                    if let Some(v) = value.val() {
                        e.put(i, v);
                    }
                }
            });
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(meta) = ctx.metadata(id) else {
            return;
        };
        let Some(reg) = callsites::entry(meta).and_then(span_registered) else {
            return;
        };
        if let Some(exit) = reg.exit {
            registry::record_in_place(exit, 8, |p| p.u64(id.into_u64()));
        }
    }
}
