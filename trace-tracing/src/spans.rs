//! The spans of [`SimpletraceSubscriber`](crate::SimpletraceSubscriber):
//! each live span's reference count and field values in a slot
//! (`span_slots.rs`), its id the slot number with the callsite's table slot
//! (plus one) in the high 32 bits, so its events and metadata come from the
//! id alone. Ids are reused once a span closes, as
//! `tracing_subscriber::Registry` reuses them.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::PoisonError;

use tracing_core::span::{Attributes, Current, Id, Record};

use crate::callsites::{self, Registered};
use crate::fields::{Owned, Sink, Store, Val, Visitor};
use crate::record::{self, inline_ints};
use crate::span_slots::{self, Slot};

/// The id of a span that is not kept (its callsite found no room in the
/// table, or [`span_slots::MAX_SPANS`] spans are live): recorded by nothing.
const NOT_STORED: u64 = u64::MAX;

thread_local! {
    /// The spans this thread is in, innermost last (for `Span::current`).
    static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Stores integer values into a span's atomics.
struct IntStore<'a>(&'a [AtomicU64]);

impl Sink for IntStore<'_> {
    #[inline]
    fn put(&mut self, index: usize, val: Val<'_>) {
        if let Some(slot) = self.0.get(index) {
            slot.store(val.as_u64(), Ordering::Relaxed);
        }
    }
}

/// Where span `id` is kept: its callsite's table slot and its own slot.
#[inline]
fn parts(id: u64) -> Option<(usize, &'static Slot)> {
    if id == NOT_STORED {
        return None;
    }
    let callsite = (id >> 32) as usize;
    let slot = span_slots::slot((id & u64::from(u32::MAX)) as usize)?;
    Some((callsite.checked_sub(1)?, slot))
}

/// The events of a span's callsite, `None` if it could not be registered.
#[inline]
fn events(callsite: usize) -> Option<&'static Registered> {
    callsites::at(callsite).get()?.as_ref()
}

/// A new span, its values taken from `attrs`.
pub(crate) fn create(attrs: &Attributes<'_>) -> Id {
    let meta = attrs.metadata();
    // The slot is taken only for a callsite in the table: never leaked.
    let Some(callsite) = callsites::index(meta) else {
        return Id::from_u64(NOT_STORED);
    };
    let Some(n) = span_slots::take() else {
        return Id::from_u64(NOT_STORED);
    };
    let Some(slot) = span_slots::slot(n) else {
        return Id::from_u64(NOT_STORED);
    };
    match record::span_events(callsites::at(callsite), attrs) {
        Some(reg) if inline_ints(reg) => {
            let ints = &slot.ints[..reg.types.len()];
            for v in ints {
                v.store(0, Ordering::Relaxed);
            }
            attrs.record(&mut Visitor(&mut IntStore(ints)));
        }
        Some(_) => {
            let mut other = slot.other.lock().unwrap_or_else(PoisonError::into_inner);
            other.clear();
            other.resize(meta.fields().len(), Owned::Missing);
            attrs.record(&mut Visitor(&mut Store(&mut other)));
        }
        None => {}
    }
    slot.refs.store(1, Ordering::Release);
    Id::from_u64(((callsite as u64 + 1) << 32) | n as u64)
}

/// Record the enter of span `id` and make it this thread's current span.
#[inline]
pub(crate) fn enter(id: &Id) {
    let id = id.into_u64();
    let Some((callsite, slot)) = parts(id) else {
        return;
    };
    let _ = STACK.try_with(|stack| {
        if let Ok(mut stack) = stack.try_borrow_mut() {
            stack.push(id);
        }
    });
    let Some(reg) = events(callsite) else {
        return;
    };
    if inline_ints(reg) {
        let ints = slot.ints[..reg.types.len()].iter();
        record::enter_ints(reg, id, ints.map(|v| v.load(Ordering::Relaxed)));
    } else {
        let values = slot.other.lock().unwrap_or_else(PoisonError::into_inner);
        record::enter(reg, id, &values[..]);
    }
}

/// Record the exit of span `id`; the thread's current span is the one it
/// was in before.
#[inline]
pub(crate) fn exit(id: &Id) {
    let id = id.into_u64();
    let Some((callsite, _)) = parts(id) else {
        return;
    };
    if let Some(reg) = events(callsite) {
        record::exit(reg, id);
    }
    let _ = STACK.try_with(|stack| {
        if let Ok(mut stack) = stack.try_borrow_mut() {
            if stack.last() == Some(&id) {
                stack.pop();
            } else if let Some(i) = stack.iter().rposition(|s| *s == id) {
                stack.remove(i);
            }
        }
    });
}

/// `Span::record`: new values for span `id`'s fields.
pub(crate) fn record(id: &Id, values: &Record<'_>) {
    let Some((callsite, slot)) = parts(id.into_u64()) else {
        return;
    };
    let Some(reg) = events(callsite) else {
        return;
    };
    if inline_ints(reg) {
        values.record(&mut Visitor(&mut IntStore(&slot.ints[..reg.types.len()])));
    } else {
        let mut other = slot.other.lock().unwrap_or_else(PoisonError::into_inner);
        values.record(&mut Visitor(&mut Store(&mut other)));
    }
}

/// A new handle to span `id`.
pub(crate) fn clone(id: &Id) -> Id {
    if let Some((_, slot)) = parts(id.into_u64()) {
        slot.refs.fetch_add(1, Ordering::Relaxed);
    }
    id.clone()
}

/// A handle to span `id` is dropped; whether it was the last (the span is
/// closed, its slot free for a new span).
pub(crate) fn close(id: &Id) -> bool {
    let id = id.into_u64();
    let Some((_, slot)) = parts(id) else {
        return false;
    };
    // As `Arc`: every handle's uses come before the last one frees the slot.
    if slot.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
        return false;
    }
    span_slots::put((id & u64::from(u32::MAX)) as usize);
    true
}

/// This thread's innermost span.
pub(crate) fn current() -> Current {
    let top = STACK
        .try_with(|stack| stack.try_borrow().ok().and_then(|s| s.last().copied()))
        .ok()
        .flatten();
    let meta = top.and_then(|id| callsites::meta_at(parts(id)?.0));
    match (top, meta) {
        (Some(id), Some(meta)) => Current::new(Id::from_u64(id), meta),
        _ => Current::none(),
    }
}
