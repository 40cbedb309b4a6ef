//! From the floor to a correct event, one requirement at a time: what
//! stands between the floor (`floor.rs`) and our runtime's event (issue
//! #14's steady-state goal). Each rung adds to the one before it something
//! a tracer must do to write QEMU's v4 format for a writer thread that
//! drains the ring while the program runs:
//!
//! 0. the floor: `rdtsc`, a 32-byte store into a 256 KiB thread-local ring;
//! 1. `record`: the v4 record instead (48 bytes: record type, event id,
//!    time, length and pid, two arguments), packed, wrapping at the end;
//! 2. `clock`: the time in nanoseconds, as the format has it: the clock's
//!    line (base, scale, offset) read under its sequence number, scaled;
//! 3. `enabled`: the event's state word checked (a relaxed load, a branch);
//! 4. `ring_4mib`: the ring on the heap and 4 MiB (the runtime's default
//!    buffer) instead of 256 KiB in the thread's own storage;
//! 5. `protocol`: room checked against the consumer's position before the
//!    write, the record published by a `Release` store of the head (the
//!    writer thread reads up to it), the writer's wake-up threshold checked;
//! 6. `guard`: the thread's busy flag set around the write, so that an
//!    event of a signal handler cannot interleave with it.
//!
//! Nothing consumes these rings: room is always found (the rungs pay the
//! check, not a wait), and no writer thread reads the lines back.

use std::cell::Cell;
use std::sync::atomic::{compiler_fence, AtomicU64, AtomicUsize, Ordering};

use crate::floor::ticks;

/// The rungs, in order, as the bench names them.
pub const RUNGS: [&str; 7] = [
    "floor",
    "record",
    "clock",
    "enabled",
    "ring_4mib",
    "protocol",
    "guard",
];

/// Words of the thread-local ring (256 KiB, as the floor's).
const SMALL_WORDS: usize = (256 << 10) / 8;
/// Words of the heap ring (4 MiB, the runtime's default buffer).
const BIG_WORDS: usize = (4 << 20) / 8;
/// Words of a two-u64 v4 record.
const RECORD_WORDS: usize = 6;

/// The clock's line: written by whoever recalibrates (never, here), read
/// under `seq` by every event.
#[repr(align(64))]
struct ClockLine {
    seq: AtomicU64,
    base: AtomicU64,
    mult: AtomicU64,
    offset: AtomicU64,
}

static LINE: ClockLine = ClockLine {
    seq: AtomicU64::new(2),
    base: AtomicU64::new(0),
    mult: AtomicU64::new(1 << 31),
    offset: AtomicU64::new(1_000),
};

/// The event's state word: enabled bit and id, as the runtime keeps them.
static STATE: AtomicU64 = AtomicU64::new(1 | 7 << 1);

/// A heap ring and what its writer would read.
struct Big {
    words: Box<[Cell<u64>]>,
    /// The head as published to the consumer.
    published: AtomicUsize,
}

struct Local {
    small: [Cell<u64>; SMALL_WORDS],
    /// Next word to write, in words (both rings).
    head: Cell<usize>,
    /// How far the producer may write before it looks at the consumer.
    fast_end: Cell<usize>,
    /// Where the writer is to be woken.
    wake_at: Cell<usize>,
    busy: Cell<bool>,
    big: Cell<*mut Big>,
}

thread_local! {
    static LOCAL: Local = const {
        Local {
            small: [const { Cell::new(0) }; SMALL_WORDS],
            head: Cell::new(0),
            fast_end: Cell::new(0),
            wake_at: Cell::new(usize::MAX),
            busy: Cell::new(false),
            big: Cell::new(std::ptr::null_mut()),
        }
    };
}

/// Nanoseconds from the clock's line; `None` while it is being replaced.
#[inline(always)]
fn now_ns() -> Option<u64> {
    let seq = LINE.seq.load(Ordering::Acquire);
    let base = LINE.base.load(Ordering::Relaxed);
    let mult = LINE.mult.load(Ordering::Relaxed);
    let offset = LINE.offset.load(Ordering::Relaxed);
    if seq & 1 != 0 || LINE.seq.load(Ordering::Relaxed) != seq {
        return None;
    }
    let t = ticks().saturating_sub(base);
    Some(offset + ((u128::from(t) * u128::from(mult)) >> 32) as u64)
}

#[cold]
#[inline(never)]
fn big_ring(local: &Local) -> &Big {
    let big = Box::new(Big {
        words: (0..BIG_WORDS).map(|_| Cell::new(0)).collect(),
        published: AtomicUsize::new(0),
    });
    local.big.set(Box::into_raw(big));
    local.head.set(0);
    local.fast_end.set(0);
    // SAFETY: just set from a live `Box`, never freed (one per thread).
    unsafe { &*local.big.get() }
}

/// The consumer's position looked at again: here it has always read all.
#[cold]
#[inline(never)]
fn refresh(local: &Local, head: usize) {
    let head = if head + RECORD_WORDS > BIG_WORDS {
        0
    } else {
        head
    };
    local.head.set(head);
    local.fast_end.set(BIG_WORDS);
}

/// A two-u64 event on rung `RUNG` (see the module documentation).
#[inline(always)]
pub fn two_u64<const RUNG: u8>(a: u64, b: u64) {
    if RUNG == 0 {
        return crate::floor::two_u64(a, b);
    }
    let mut id = 7;
    if RUNG >= 3 {
        let state = STATE.load(Ordering::Relaxed);
        if state & 1 == 0 {
            return;
        }
        id = state >> 1;
    }
    let time = if RUNG >= 2 {
        match now_ns() {
            Some(ns) => ns,
            None => return,
        }
    } else {
        ticks()
    };
    let words = [1, id, time, 40 | 4242 << 32, a, b];
    LOCAL.with(|local| {
        if RUNG >= 6 && local.busy.replace(true) {
            return;
        }
        compiler_fence(Ordering::SeqCst);
        if RUNG >= 4 {
            // SAFETY: a non-null pointer is this thread's live `Big`.
            let big = match unsafe { local.big.get().as_ref() } {
                Some(big) => big,
                None => big_ring(local),
            };
            let mut head = local.head.get();
            if RUNG >= 5 {
                if local.fast_end.get() < head + RECORD_WORDS {
                    refresh(local, head);
                    head = local.head.get();
                }
            } else if head + RECORD_WORDS > BIG_WORDS {
                head = 0;
            }
            // Whole records from a lap's start: `head + 6 <= BIG_WORDS`.
            for (cell, w) in big.words[head..head + RECORD_WORDS].iter().zip(words) {
                cell.set(w);
            }
            let head = head + RECORD_WORDS;
            local.head.set(head);
            if RUNG >= 5 {
                big.published.store(head, Ordering::Release);
                if head >= local.wake_at.get() {
                    refresh(local, head);
                }
            }
        } else {
            let mut head = local.head.get();
            if head + RECORD_WORDS > SMALL_WORDS {
                head = 0;
            }
            for (cell, w) in local.small[head..head + RECORD_WORDS].iter().zip(words) {
                cell.set(w);
            }
            local.head.set(head + RECORD_WORDS);
        }
        compiler_fence(Ordering::SeqCst);
        if RUNG >= 6 {
            local.busy.set(false);
        }
    });
}

/// The last record written on this thread's rung-1-to-3 ring (tests: keeps
/// the stores from being optimised away).
pub fn last_small() -> [u64; RECORD_WORDS] {
    LOCAL.with(|local| {
        let head = local.head.get().max(RECORD_WORDS);
        std::array::from_fn(|i| local.small[head - RECORD_WORDS + i].get())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rung_writes_the_v4_words() {
        std::thread::spawn(|| {
            two_u64::<1>(5, 6);
            let words = last_small();
            assert_eq!((words[0], words[1], words[4], words[5]), (1, 7, 5, 6));
            two_u64::<3>(8, 9);
            let words = last_small();
            assert_eq!((words[1], words[4], words[5]), (7, 8, 9));
            assert!(words[2] >= 1_000, "the time in ns from the line");
            for _ in 0..2 * BIG_WORDS / RECORD_WORDS {
                two_u64::<6>(1, 2);
            }
            LOCAL.with(|local| {
                // SAFETY: the rings above made it.
                let big = unsafe { &*local.big.get() };
                let head = big.published.load(Ordering::Acquire);
                assert_eq!(head % RECORD_WORDS, 0);
                let last: Vec<u64> = big.words[head - 2..head].iter().map(Cell::get).collect();
                assert_eq!(last, [1, 2]);
                assert!(!local.busy.get());
            });
        })
        .join()
        .unwrap();
    }
}
