//! What the layer and the subscriber share: registering a callsite's events
//! from its first values, and recording an event, a span's enter and its
//! exit into the thread's ring.

use std::cell::RefCell;

use trace_runtime::{register_event, registry, ArgType};
use tracing_core::span::Attributes;
use tracing_core::{Event, Metadata};

use crate::callsites::{self, Entry, Registered};
use crate::fields::{Encoder, Fixed, Infer, Owned, Sink, Visitor, MAX_PAYLOAD};
use crate::name;

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

/// Record a `tracing` event as its callsite's trace event (registered at its
/// first use).
#[inline]
pub(crate) fn event(event: &Event<'_>) {
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

/// The events of a span's callsite, registered from the first span's values;
/// `None` if the callsite could not be registered.
pub(crate) fn span_events(
    entry: &'static Entry,
    attrs: &Attributes<'_>,
) -> Option<&'static Registered> {
    let meta = attrs.metadata();
    entry
        .get_or_init(|| register_span_events(meta, infer(meta, |i| attrs.record(&mut Visitor(i)))))
        .as_ref()
}

/// A span's values, handed to a [`Sink`] by field index.
pub(crate) trait SpanValues {
    fn put_all(&self, sink: &mut impl Sink);
}

impl SpanValues for [Owned] {
    fn put_all(&self, sink: &mut impl Sink) {
        for (i, value) in self.iter().enumerate() {
            if let Some(v) = value.val() {
                sink.put(i, v);
            }
        }
    }
}

/// Record the enter of span `id` with its values.
#[inline]
pub(crate) fn enter(reg: &Registered, id: u64, values: &(impl SpanValues + ?Sized)) {
    if let Some(len) = reg.fixed_len {
        registry::record_in_place(reg.event, len, |p| {
            p.u64(id);
            let mut fixed = Fixed::new(p, &reg.types);
            values.put_all(&mut fixed);
            fixed.finish();
        });
    } else if reg.event.is_enabled() {
        record(reg, Some(id), |e| values.put_all(e));
    }
}

/// Integer fields a span keeps inline; spans with more, or with a string
/// field, keep [`Owned`] values.
pub(crate) const INLINE_INTS: usize = 8;

/// Whether a span of `reg` keeps its values as `u64`s (at most
/// [`INLINE_INTS`], every argument an integer).
#[inline]
pub(crate) fn inline_ints(reg: &Registered) -> bool {
    reg.fixed_len.is_some() && reg.types.len() <= INLINE_INTS
}

/// Record the enter of span `id` whose values are `ints` (one per field, as
/// the record holds them: [`inline_ints`]), straight into the ring.
#[inline]
pub(crate) fn enter_ints(reg: &Registered, id: u64, ints: impl ExactSizeIterator<Item = u64>) {
    registry::record_in_place(reg.event, 8 * (1 + ints.len()), |p| {
        p.u64(id);
        for v in ints {
            p.u64(v);
        }
    });
}

/// Record the exit of span `id`.
#[inline]
pub(crate) fn exit(reg: &Registered, id: u64) {
    if let Some(exit) = reg.exit {
        registry::record_in_place(exit, 8, |p| p.u64(id));
    }
}
