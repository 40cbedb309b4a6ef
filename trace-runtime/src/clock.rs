//! Record timestamps: CLOCK_MONOTONIC nanoseconds, as QEMU writes them.
//!
//! Fast path (x86_64 with an invariant TSC): `rdtsc` scaled to nanoseconds by a
//! line fitted to CLOCK_MONOTONIC. `start()` calibrates it before it returns
//! ([`calibrate_at_start`], a window of [`START_WINDOW_NS`]), so every event
//! pays the same cost from the first one; other hosts use `clock_gettime`
//! (vDSO) throughout.
//!
//! A short window gives a slope off by some ppm, so the writer refines the
//! line on every pass ([`Refiner`]): each new line starts where the current
//! one is at that instant (continuous, so timestamps never go back) and its
//! slope, the long-run TSC rate corrected to cancel the current offset from
//! CLOCK_MONOTONIC over the next [`SLEW_NS`], steers it back. The lines are
//! published through a seqlock (no allocation, no lock for readers).

use std::sync::atomic::{fence, AtomicU64, Ordering};

/// CLOCK_MONOTONIC in nanoseconds (vDSO `clock_gettime`, no syscall on Linux).
#[inline]
pub(crate) fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on
    // Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// TSC-to-nanoseconds line: `ns = base_ns + (tsc - base_tsc) * mult / 2^32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TscScale {
    base_tsc: u64,
    base_ns: u64,
    mult: u64,
}

impl TscScale {
    #[inline(always)]
    fn to_ns(self, tsc: u64) -> u64 {
        let ticks = tsc.saturating_sub(self.base_tsc) as u128;
        self.base_ns + ((ticks * self.mult as u128) >> 32) as u64
    }
}

/// The published line. `SEQ` is 0 until the first line, odd while the writer
/// changes it (readers retry), even otherwise.
static SEQ: AtomicU64 = AtomicU64::new(0);
static BASE_TSC: AtomicU64 = AtomicU64::new(0);
static BASE_NS: AtomicU64 = AtomicU64::new(0);
static MULT: AtomicU64 = AtomicU64::new(0);

/// Publish `scale` (one writer at a time: `start`, then the writer thread).
fn publish(scale: TscScale) {
    let seq = SEQ.load(Ordering::Relaxed);
    SEQ.store(seq + 1, Ordering::Relaxed);
    fence(Ordering::Release);
    BASE_TSC.store(scale.base_tsc, Ordering::Relaxed);
    BASE_NS.store(scale.base_ns, Ordering::Relaxed);
    MULT.store(scale.mult, Ordering::Relaxed);
    SEQ.store(seq + 2, Ordering::Release);
}

/// The published line, if any.
#[inline(always)]
fn published() -> Option<TscScale> {
    loop {
        let seq = SEQ.load(Ordering::Acquire);
        if seq == 0 {
            return None;
        }
        let scale = TscScale {
            base_tsc: BASE_TSC.load(Ordering::Relaxed),
            base_ns: BASE_NS.load(Ordering::Relaxed),
            mult: MULT.load(Ordering::Relaxed),
        };
        fence(Ordering::Acquire);
        if seq & 1 == 0 && SEQ.load(Ordering::Relaxed) == seq {
            return Some(scale);
        }
        std::hint::spin_loop();
    }
}

/// The timestamp of a record being recorded now.
#[inline]
pub(crate) fn now_ns() -> u64 {
    match published() {
        Some(scale) => scale.to_ns(tsc::read()),
        None => monotonic_ns(),
    }
}

/// Whether timestamps come from the TSC now (tests).
pub fn tsc_clock_in_use() -> bool {
    published().is_some()
}

/// Whether this host's TSC can stand for time (tests).
pub fn tsc_usable() -> bool {
    tsc::is_invariant()
}

/// One TSC reading paired with CLOCK_MONOTONIC.
#[derive(Debug, Clone, Copy)]
struct Sample {
    tsc: u64,
    ns: u64,
}

/// The tightest of a few (tsc, clock_gettime, tsc) brackets.
fn sample() -> Sample {
    let mut best = (u64::MAX, Sample { tsc: 0, ns: 0 });
    for _ in 0..16 {
        let before = tsc::read();
        let ns = monotonic_ns();
        let after = tsc::read();
        let width = after.wrapping_sub(before);
        if width < best.0 {
            best = (
                width,
                Sample {
                    tsc: before + width / 2,
                    ns,
                },
            );
        }
    }
    best.1
}

/// `ns / ticks` in 32.32 fixed point, if both moved forward.
fn slope(from: Sample, to: Sample) -> Option<u64> {
    let ns = to.ns.checked_sub(from.ns)?;
    let ticks = to.tsc.checked_sub(from.tsc)?;
    if ns == 0 || ticks == 0 {
        return None;
    }
    u64::try_from(((ns as u128) << 32) / ticks as u128).ok()
}

/// Calibration window at start: `start()` returns within about this long
/// (plus the samples, under 10 µs). The slope is then off by some ppm, which
/// the writer's first refinements remove before it amounts to 1 µs.
pub(crate) const START_WINDOW_NS: u64 = 800_000;

/// Refinements cancel the offset from CLOCK_MONOTONIC over this long.
pub(crate) const SLEW_NS: u64 = 10_000_000;

/// Fit a first line before `start()` returns; the writer refines it with the
/// returned [`Refiner`]. `None` when the host has no invariant TSC, or when a
/// line is already published (a later start in the same process).
pub(crate) fn calibrate_at_start() -> Option<Refiner> {
    if !tsc::is_invariant() || published().is_some() {
        return None;
    }
    let first = sample();
    while monotonic_ns() < first.ns + START_WINDOW_NS {
        std::hint::spin_loop();
    }
    let second = sample();
    let mult = slope(first, second)?;
    publish(TscScale {
        base_tsc: second.tsc,
        base_ns: second.ns,
        mult,
    });
    Some(Refiner { first })
}

/// Keeps the published line on CLOCK_MONOTONIC (the writer's, see the module
/// comment).
pub(crate) struct Refiner {
    /// The long-run rate is measured from here.
    first: Sample,
}

impl Refiner {
    /// Publish a line continuous with the current one that steers it back
    /// onto CLOCK_MONOTONIC over `slew_ns` (at least [`SLEW_NS`]: the time
    /// until the next refinement).
    pub(crate) fn refine(&self, slew_ns: u64) {
        let Some(current) = published() else {
            return;
        };
        let now = sample();
        let Some(rate) = slope(self.first, now) else {
            return;
        };
        publish(steer(current, now, rate, slew_ns.max(SLEW_NS)));
    }
}

/// The line through `current` at `now.tsc` whose slope is `rate` corrected so
/// that the offset from `now.ns` is gone `slew_ns` later. One nanosecond
/// ahead of `current`, so rounding never makes a timestamp go back.
fn steer(current: TscScale, now: Sample, rate: u64, slew_ns: u64) -> TscScale {
    let here = current.to_ns(now.tsc) + 1;
    let behind = now.ns as i128 - here as i128;
    let slew = slew_ns as i128;
    // At most halve or double the rate: a wild sample must not stop the clock.
    let correction = behind.clamp(-slew / 2, slew);
    let mult = (rate as i128 * (slew + correction) / slew).max(1);
    TscScale {
        base_tsc: now.tsc,
        base_ns: here,
        mult: u64::try_from(mult).unwrap_or(u64::MAX),
    }
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
mod tsc {
    /// CPUID 0x8000_0007 EDX bit 8: the TSC runs at a constant rate in every
    /// P-, C- and T-state, so it can stand for wall time.
    pub(super) fn is_invariant() -> bool {
        use std::arch::x86_64::__cpuid;
        // SAFETY: CPUID exists on every x86_64 CPU; reading a leaf above the
        // maximum reported one is avoided by the check.
        #[allow(unused_unsafe)]
        unsafe {
            __cpuid(0x8000_0000).eax >= 0x8000_0007 && __cpuid(0x8000_0007).edx & (1 << 8) != 0
        }
    }

    #[inline(always)]
    pub(super) fn read() -> u64 {
        // SAFETY: RDTSC exists on every x86_64 CPU and only reads the counter.
        #[allow(unused_unsafe)]
        unsafe {
            std::arch::x86_64::_rdtsc()
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", not(miri))))]
mod tsc {
    pub(super) fn is_invariant() -> bool {
        false
    }
    #[inline(always)]
    pub(super) fn read() -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn monotonic_ns_never_goes_back_and_tracks_std_instant() {
        let std_start = Instant::now();
        let start = monotonic_ns();
        let mut prev = start;
        for _ in 0..1000 {
            let t = monotonic_ns();
            assert!(t >= prev);
            prev = t;
        }
        std::thread::sleep(Duration::from_millis(20));
        let ours = monotonic_ns() - start;
        let std_ns = std_start.elapsed().as_nanos() as u64;
        assert!(ours >= 20_000_000, "slept 20 ms, clock moved {ours} ns");
        // Both read CLOCK_MONOTONIC: ours lies within std's outer interval.
        assert!(ours <= std_ns, "ours {ours} ns, std {std_ns} ns");
    }

    const ONE_GHZ: u64 = 1 << 32;

    #[test]
    fn steering_is_continuous_and_cancels_the_offset_over_the_slew() {
        let current = TscScale {
            base_tsc: 1_000,
            base_ns: 5_000,
            mult: ONE_GHZ,
        };
        // The true clock is 500 ns ahead of the line at tsc 11_000.
        let now = Sample {
            tsc: 11_000,
            ns: 15_500,
        };
        let next = steer(current, now, ONE_GHZ, SLEW_NS);
        assert_eq!(next.to_ns(now.tsc), current.to_ns(now.tsc) + 1);
        let later = now.tsc + SLEW_NS;
        let error = next.to_ns(later) as i64 - (now.ns + SLEW_NS) as i64;
        assert!(error.abs() <= 2, "{error} ns off after the slew");
        // Behind instead: slower, never backwards.
        let ahead = steer(
            current,
            Sample {
                tsc: 11_000,
                ns: 14_000,
            },
            ONE_GHZ,
            SLEW_NS,
        );
        assert!(ahead.mult < ONE_GHZ && ahead.mult > 0);
        assert!(ahead.to_ns(11_001) >= current.to_ns(11_001));
    }

    #[test]
    fn a_wild_sample_never_stops_or_reverses_the_clock() {
        let current = TscScale {
            base_tsc: 0,
            base_ns: 1_000_000_000,
            mult: ONE_GHZ,
        };
        let wild = Sample { tsc: 10, ns: 0 };
        let next = steer(current, wild, ONE_GHZ, SLEW_NS);
        assert_eq!(next.mult, ONE_GHZ / 2);
    }

    /// Calibrated at once, then refined: `now_ns` is TSC based, monotonic,
    /// and stays within 1 µs of CLOCK_MONOTONIC read around it.
    #[test]
    #[cfg_attr(miri, ignore)] // no TSC under Miri
    fn calibrated_and_refined_tsc_tracks_clock_monotonic() {
        let Some(refiner) = calibrate_at_start() else {
            assert!(!tsc::is_invariant() || published().is_some());
            return;
        };
        assert!(tsc_clock_in_use());
        let mut prev = now_ns();
        for round in 0..20 {
            for _ in 0..10_000 {
                let t = now_ns();
                assert!(t >= prev, "TSC time went back: {prev} -> {t}");
                prev = t;
            }
            let (a, ours, b) = (monotonic_ns(), now_ns(), monotonic_ns());
            assert!(
                a.saturating_sub(1_000) <= ours && ours <= b + 1_000,
                "round {round}: TSC {ours} vs CLOCK_MONOTONIC [{a}, {b}]"
            );
            std::thread::sleep(Duration::from_millis(5));
            refiner.refine(SLEW_NS);
        }
    }
}
