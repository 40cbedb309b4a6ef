//! Record timestamps: CLOCK_MONOTONIC nanoseconds, as QEMU writes them.
//!
//! Fast path (x86_64 with an invariant TSC): `rdtsc` scaled to nanoseconds with a
//! slope measured against CLOCK_MONOTONIC. Until that calibration is published
//! (the writer does it ~50 ms after start, see [`Calibration`]), and on other
//! hosts, `clock_gettime` (vDSO). The switch is continuous: the TSC line passes
//! through a CLOCK_MONOTONIC sample.

use std::sync::atomic::{AtomicPtr, Ordering};

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
#[derive(Debug, Clone, Copy)]
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

/// Published once, never freed (one small leak per process).
static SCALE: AtomicPtr<TscScale> = AtomicPtr::new(std::ptr::null_mut());

/// The timestamp of a record being recorded now.
#[inline]
pub(crate) fn now_ns() -> u64 {
    let scale = SCALE.load(Ordering::Acquire);
    if scale.is_null() {
        return monotonic_ns();
    }
    // SAFETY: a non-null SCALE points to a leaked, never-modified TscScale.
    unsafe { *scale }.to_ns(tsc::read())
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
    for _ in 0..8 {
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

/// Measures the TSC against CLOCK_MONOTONIC over a window, then publishes the
/// scale for [`now_ns`]. `None` when the host has no invariant TSC.
pub(crate) struct Calibration {
    first: Sample,
}

/// Shortest window: reading noise (~100 ns) over 50 ms is a 2 ppm slope error.
pub(crate) const CALIBRATION_WINDOW_NS: u64 = 50_000_000;

impl Calibration {
    pub(crate) fn begin() -> Option<Calibration> {
        if !tsc::is_invariant() || !SCALE.load(Ordering::Acquire).is_null() {
            return None;
        }
        Some(Calibration { first: sample() })
    }

    /// Publish the scale if the window has passed; returns whether it did.
    pub(crate) fn try_finish(&self) -> bool {
        let Some(scale) = self.scale_if_ready() else {
            return false;
        };
        let leaked: *mut TscScale = Box::leak(Box::new(scale));
        if SCALE
            .compare_exchange(
                std::ptr::null_mut(),
                leaked,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            // SAFETY: `leaked` was never published, so this is its only owner.
            drop(unsafe { Box::from_raw(leaked) });
        }
        true
    }

    fn scale_if_ready(&self) -> Option<TscScale> {
        let second = sample();
        let ns = second.ns.checked_sub(self.first.ns)?;
        let ticks = second.tsc.checked_sub(self.first.tsc)?;
        if ns < CALIBRATION_WINDOW_NS || ticks == 0 {
            return None;
        }
        let mult = u64::try_from(((ns as u128) << 32) / ticks as u128).ok()?;
        Some(TscScale {
            base_tsc: second.tsc,
            base_ns: second.ns,
            mult,
        })
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

    /// After calibration `now_ns` is TSC based, continuous with CLOCK_MONOTONIC,
    /// monotonic, and stays within 50 µs of CLOCK_MONOTONIC over 200 ms.
    #[test]
    #[cfg_attr(miri, ignore)] // no TSC under Miri
    fn calibrated_tsc_tracks_clock_monotonic() {
        let Some(cal) = Calibration::begin() else {
            assert!(!tsc::is_invariant() || !SCALE.load(Ordering::Acquire).is_null());
            return;
        };
        assert!(!cal.try_finish(), "the window has not passed yet");
        std::thread::sleep(Duration::from_nanos(CALIBRATION_WINDOW_NS));
        assert!(cal.try_finish());
        assert!(!SCALE.load(Ordering::Acquire).is_null());
        let mut prev = now_ns();
        for _ in 0..100_000 {
            let t = now_ns();
            assert!(t >= prev, "TSC time went back: {prev} -> {t}");
            prev = t;
        }
        for _ in 0..4 {
            std::thread::sleep(Duration::from_millis(50));
            let (a, ours, b) = (monotonic_ns(), now_ns(), monotonic_ns());
            let slack = 50_000;
            assert!(
                a.saturating_sub(slack) <= ours && ours <= b + slack,
                "TSC {ours} vs CLOCK_MONOTONIC [{a}, {b}]"
            );
        }
    }
}
