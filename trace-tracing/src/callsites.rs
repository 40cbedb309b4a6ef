//! Each callsite's registered event(s), found without a lock: a fixed
//! open-addressing table keyed by the callsite's `&'static Metadata`
//! (process-wide: every layer records a callsite as the same event).
//! The key is claimed with one compare-and-swap (in `register_callsite`, or
//! at the callsite's first use); the value is set once, when the first
//! values tell the argument types.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;

use trace_runtime::{ArgType, Event};
use tracing_core::Metadata;

/// Callsites the table holds; later ones are not recorded.
pub const MAX_CALLSITES: usize = 1 << 13;

/// A callsite's events: `event` (an event, or a span's enter) with the
/// types of its field arguments, and a span's `exit`.
#[derive(Debug)]
pub(crate) struct Registered {
    pub(crate) event: &'static Event,
    pub(crate) types: Box<[ArgType]>,
    pub(crate) exit: Option<&'static Event>,
    /// The bytes of `event`'s arguments when every one is an integer (a
    /// span's id included): recorded in place, with no copy.
    pub(crate) fixed_len: Option<usize>,
}

impl Registered {
    pub(crate) fn new(
        event: &'static Event,
        types: Box<[ArgType]>,
        exit: Option<&'static Event>,
    ) -> Self {
        let integers = types.iter().all(|t| *t != ArgType::Str);
        let args = types.len() + usize::from(exit.is_some());
        Registered {
            event,
            types,
            exit,
            fixed_len: integers.then_some(8 * args),
        }
    }
}

/// `None` once registration failed (it is not tried again).
pub(crate) type Entry = OnceLock<Option<Registered>>;

struct Slot {
    key: AtomicPtr<Metadata<'static>>,
    /// `key` as a reference, set by whoever claims the slot.
    meta: OnceLock<&'static Metadata<'static>>,
    entry: Entry,
}

static TABLE: [Slot; MAX_CALLSITES] = [const {
    Slot {
        key: AtomicPtr::new(std::ptr::null_mut()),
        meta: OnceLock::new(),
        entry: OnceLock::new(),
    }
}; MAX_CALLSITES];

/// The entry of `meta`'s callsite, claimed if new; `None` if the table is full.
#[inline]
pub(crate) fn entry(meta: &'static Metadata<'static>) -> Option<&'static Entry> {
    index(meta).map(|i| &TABLE[i].entry)
}

/// The slot of `meta`'s callsite, claimed if new; `None` if the table is full.
#[inline]
pub(crate) fn index(meta: &'static Metadata<'static>) -> Option<usize> {
    let key = meta as *const Metadata<'static> as *mut Metadata<'static>;
    let hash = (key as usize as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    for probe in 0..MAX_CALLSITES {
        let i = (hash as usize + probe) % MAX_CALLSITES;
        let slot = &TABLE[i];
        let found = slot.key.load(Ordering::Acquire);
        if found == key {
            return Some(i);
        }
        if found.is_null() {
            match slot.key.compare_exchange(
                std::ptr::null_mut(),
                key,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    slot.meta.get_or_init(|| meta);
                    return Some(i);
                }
                Err(other) if other == key => {
                    slot.meta.get_or_init(|| meta);
                    return Some(i);
                }
                Err(_) => {}
            }
        }
    }
    None
}

/// The entry of slot `index`, as [`index`] returned it.
#[inline]
pub(crate) fn at(index: usize) -> &'static Entry {
    &TABLE[index].entry
}

/// The callsite of slot `index`, once its claimer has set it.
pub(crate) fn meta_at(index: usize) -> Option<&'static Metadata<'static>> {
    TABLE[index].meta.get().copied()
}
