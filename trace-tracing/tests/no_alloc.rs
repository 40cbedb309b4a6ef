//! What the docs promise about allocation, counted: once warm (callsites
//! registered, the thread's ring and buffers in place), `info!` through
//! either way in and a span with integer fields through the subscriber
//! (created, entered, exited, closed) allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use trace_runtime::Config;
use trace_tracing::{SimpletraceLayer, SimpletraceSubscriber};
use tracing::{info, instrument};
use tracing_subscriber::prelude::*;

/// Counts the allocations of the threads that ask it to.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counting
// touches only a const-initialized thread-local `Cell` and an atomic, which
// do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[instrument]
fn call(a: u64, b: u64) -> u64 {
    a ^ b
}

/// The events: a literal message and integer fields, integer fields alone.
fn events(i: u64) {
    info!(a = i, b = !i, "a literal message");
    info!(a = i, b = !i);
}

/// The events and a span with integer fields.
fn events_and_span(i: u64) {
    events(i);
    black_box(call(i, !i));
}

/// Allocations by this thread during `rounds` calls of `work`, after as
/// many to warm up.
fn allocations(rounds: u64, work: fn(u64)) -> usize {
    for i in 0..rounds {
        work(i);
    }
    trace_runtime::flush();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    for i in 0..rounds {
        work(i);
    }
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn warm_events_and_integer_spans_allocate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let _guard = Config::new()
        .ignore_env()
        .file(dir.path().join("alloc.trace"))
        .start()
        .unwrap();
    let through_subscriber =
        tracing::subscriber::with_default(SimpletraceSubscriber::new(), || {
            allocations(5_000, events_and_span)
        });
    assert_eq!(through_subscriber, 0, "events and spans, subscriber");

    // The layer's events (its spans live in the `Registry`, which allocates).
    let layer = tracing_subscriber::registry().with(SimpletraceLayer::new());
    let through_layer = tracing::subscriber::with_default(layer, || allocations(5_000, events));
    assert_eq!(through_layer, 0, "events, layer");
}
