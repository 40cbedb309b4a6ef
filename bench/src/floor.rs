//! The floor: the least an enabled event can cost. A `rdtsc` and a 32-byte
//! store into a thread-local array (two for six arguments, which do not fit in
//! one); nothing is ever written out. A disabled event costs one relaxed load.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// Slots per thread: 256 KiB, a ring that stays in a core's L2 cache lap
/// after lap (the least a ring can cost). Our runtime's default per-thread
/// buffer was that size until it became 4 MiB; a thread-local that large
/// overflows a new thread's stack when it is initialised.
const SLOTS: usize = 8192;

struct Ring {
    next: Cell<usize>,
    slots: [Cell<[u64; 4]>; SLOTS],
}

thread_local! {
    static RING: Ring = const {
        Ring {
            next: Cell::new(0),
            slots: [const { Cell::new([0; 4]) }; SLOTS],
        }
    };
}

/// The floor's "disabled" flag: stays false.
pub static DISABLED_ON: AtomicBool = AtomicBool::new(false);

#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn ticks() -> u64 {
    // SAFETY: `rdtsc` exists on every x86-64 CPU and only reads the counter.
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_rdtsc()
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn ticks() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

#[inline(always)]
fn store(words: [u64; 4]) {
    RING.with(|ring| {
        let at = ring.next.get();
        ring.slots[at].set(words);
        ring.next.set((at + 1) % SLOTS);
    });
}

#[inline(always)]
pub fn disabled(a: u64, b: u64) {
    if DISABLED_ON.load(Ordering::Relaxed) {
        store([ticks(), 0, a, b]);
    }
}

#[inline(always)]
pub fn no_arg() {
    store([ticks(), 1, 0, 0]);
}

#[inline(always)]
pub fn two_u64(a: u64, b: u64) {
    store([ticks(), 2, a, b]);
}

/// The string's first 16 bytes, its length beside the ID.
#[inline(always)]
pub fn one_str(s: &[u8]) {
    let mut bytes = [0u8; 16];
    let n = s.len().min(16);
    bytes[..n].copy_from_slice(&s[..n]);
    let lo = u64::from_ne_bytes(bytes[..8].try_into().unwrap());
    let hi = u64::from_ne_bytes(bytes[8..].try_into().unwrap());
    store([ticks(), 3 | (s.len() as u64) << 32, lo, hi]);
}

#[inline(always)]
pub fn six_args(a: u64, b: u64, c: u32, d: i32, e: bool, p: *const u8) {
    store([ticks(), 4, a, b]);
    store([
        u64::from(c),
        d as i64 as u64,
        u64::from(e),
        p as usize as u64,
    ]);
}

/// The calling thread's slots folded together: reading them keeps the stores
/// from being optimised away, and lets tests see them.
pub fn checksum() -> u64 {
    RING.with(|ring| {
        ring.slots.iter().fold(0u64, |acc, s| {
            acc.rotate_left(5) ^ s.get().iter().fold(0, |x, w| x ^ w)
        })
    })
}

/// The slot written last on the calling thread.
pub fn last() -> [u64; 4] {
    RING.with(|ring| ring.slots[(ring.next.get() + SLOTS - 1) % SLOTS].get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_the_arguments_with_a_rising_counter() {
        two_u64(7, 9);
        let first = last();
        two_u64(11, 13);
        let second = last();
        assert_eq!(first[1..], [2, 7, 9]);
        assert_eq!(second[1..], [2, 11, 13]);
        assert!(second[0] >= first[0]);
        one_str(b"0123456789abcdefXYZ");
        assert_eq!(last()[1], 3 | 19 << 32);
        assert_eq!(&last()[2].to_ne_bytes(), b"01234567");
        assert_eq!(&last()[3].to_ne_bytes(), b"89abcdef");
    }

    #[test]
    fn disabled_stores_nothing() {
        let before = checksum();
        disabled(1, 2);
        assert_eq!(checksum(), before);
    }
}
