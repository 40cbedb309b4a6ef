//! Every event by trace ID: the link-time [`EVENTS`], then the events
//! registered at run time (`registry.rs`) in a fixed table of `OnceLock`s
//! with a published count, read without a lock: by the log backend, the
//! fork handler (atomics only), the writer (their definitions) and the
//! selections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::describe;
use crate::event::{Event, EVENTS};
use trace_events::v4::encode;

/// Most events a process can register.
pub const MAX_REGISTERED_EVENTS: usize = 8192;

static SLOTS: [OnceLock<&'static Event>; MAX_REGISTERED_EVENTS] =
    [const { OnceLock::new() }; MAX_REGISTERED_EVENTS];
/// Slots filled (published with `Release` after the slot is set).
static LEN: AtomicUsize = AtomicUsize::new(0);

/// The registered events, in ID order (lock-free).
pub(crate) fn registered() -> impl Iterator<Item = &'static Event> {
    let len = LEN.load(Ordering::Acquire);
    SLOTS[..len].iter().filter_map(|s| s.get().copied())
}

/// Number of registered events (lock-free).
pub(crate) fn count() -> usize {
    LEN.load(Ordering::Acquire)
}

/// The event with this trace ID, static or registered.
pub fn by_id(id: u64) -> Option<&'static Event> {
    let id = usize::try_from(id).ok()?;
    match EVENTS.get(id) {
        Some(e) => Some(e),
        None => SLOTS.get(id - EVENTS.len())?.get().copied(),
    }
}

/// Publish `event` as registered event `index`, the next one (the
/// registry's lock makes one publisher).
pub(crate) fn publish(index: usize, event: &'static Event) {
    let _ = SLOTS[index].set(event);
    LEN.store(index + 1, Ordering::Release);
}

/// Every event: the static ones (`EVENTS`), then the registered ones.
pub(crate) fn all_events() -> impl Iterator<Item = &'static Event> {
    EVENTS.iter().chain(registered())
}

/// Append the mapping and declaration records of registered events
/// `from..to` (IDs relative to the first registered one).
pub(crate) fn push_definitions(out: &mut Vec<u8>, from: usize, to: usize, ts: u64, pid: u32) {
    let events: Vec<&Event> = SLOTS[from..to]
        .iter()
        .filter_map(|s| s.get().copied())
        .collect();
    for event in &events {
        encode::push_mapping(out, event.id(), event.meta.name);
    }
    describe::push_declarations_of(out, events.into_iter(), ts, pid);
}
