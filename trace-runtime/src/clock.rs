//! Record timestamps: the host's monotonic clock in nanoseconds, as QEMU
//! writes them (`CLOCK_MONOTONIC` on Linux and macOS, the performance counter
//! on Windows: QEMU's `get_clock`).
//!
//! Fast path, where the CPU has a counter that can stand for time (x86_64
//! with an invariant TSC, read by `rdtsc`; aarch64's virtual counter
//! `CNTVCT_EL0`): the counter scaled to nanoseconds by a line fitted to that
//! clock. The code calls it "TSC" on both. `start()` calibrates it before it
//! returns ([`calibrate_at_start`], a window of [`START_WINDOW_NS`]), so
//! every event pays the same cost from the first one; other hosts read the
//! clock (vDSO `clock_gettime` on Linux) throughout. Where the counter
//! declares its frequency (aarch64's `CNTFRQ_EL0`), a calibrated rate more
//! than [`NOMINAL_TOLERANCE_PPM`] away from it means the counter is not what
//! it says: the clock is used instead; otherwise the declared rate is the
//! slope until the long-run rate is measured well ([`LONG_RUN_NS`]).
//!
//! A short window gives a slope off by some ppm, so the writer refines the
//! line on every pass ([`Refiner`]): each new line starts where the current
//! one is at that instant (continuous, so timestamps never go back) and its
//! slope, the long-run TSC rate corrected to cancel the current offset from
//! CLOCK_MONOTONIC over the time to the next refinement ([`slew_for`]),
//! steers it back. The lines are
//! published through a seqlock (no allocation, no lock for readers).
//!
//! The platform code is the two functions at the top of this file:
//! [`monotonic_ns`] and the `tsc` module (per architecture).

use std::cell::Cell;
use std::sync::atomic::{fence, AtomicU64, Ordering};

/// The host's monotonic clock in nanoseconds: CLOCK_MONOTONIC on Unix (vDSO
/// `clock_gettime`, no syscall on Linux), QueryPerformanceCounter on Windows.
#[inline]
pub(crate) fn monotonic_ns() -> u64 {
    #[cfg(unix)]
    {
        timespec_ns(libc::clock_gettime)
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Performance::QueryPerformanceCounter;
        let mut ticks = 0i64;
        // SAFETY: `ticks` is writable; cannot fail on Windows XP and later.
        unsafe { QueryPerformanceCounter(&mut ticks) };
        ticks_to_ns(ticks as u64, qpc_hz())
    }
}

/// The step of [`monotonic_ns`] as the OS declares it (tests): 1 ns for
/// CLOCK_MONOTONIC on Linux, a tick of QueryPerformanceCounter on Windows
/// (100 ns at its usual 10 MHz).
fn monotonic_resolution_ns() -> u64 {
    #[cfg(unix)]
    {
        timespec_ns(libc::clock_getres)
    }
    #[cfg(windows)]
    {
        1_000_000_000u64.div_ceil(qpc_hz())
    }
}

/// CLOCK_MONOTONIC through `clock_gettime` or `clock_getres`, in nanoseconds.
#[cfg(unix)]
#[inline(always)]
fn timespec_ns(
    read: unsafe extern "C" fn(libc::clockid_t, *mut libc::timespec) -> libc::c_int,
) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always
    // exists on Linux and macOS, so the call cannot fail.
    unsafe { read(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// QueryPerformanceCounter's ticks per second, fixed at boot, read once.
#[cfg(windows)]
fn qpc_hz() -> u64 {
    use windows_sys::Win32::System::Performance::QueryPerformanceFrequency;
    /// Ticks per second (0: not read yet).
    static FREQUENCY: AtomicU64 = AtomicU64::new(0);
    let mut hz = FREQUENCY.load(Ordering::Relaxed);
    if hz == 0 {
        let mut f = 0i64;
        // SAFETY: `f` is writable; cannot fail on Windows XP and later.
        unsafe { QueryPerformanceFrequency(&mut f) };
        hz = (f as u64).max(1);
        FREQUENCY.store(hz, Ordering::Relaxed);
    }
    hz
}

/// `ticks` of a `hz` counter in nanoseconds, without overflow.
#[cfg_attr(not(windows), allow(dead_code))]
fn ticks_to_ns(ticks: u64, hz: u64) -> u64 {
    (ticks as u128 * 1_000_000_000 / hz.max(1) as u128) as u64
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

/// The published line. `seq` is [`UNPUBLISHED`] until the first line, odd
/// while the writer changes it (readers retry), even otherwise: the hot path
/// tells "usable" by one bit. One cache line at one
/// address: the hot path reads it whole.
#[repr(C, align(64))]
struct Published {
    seq: AtomicU64,
    base_tsc: AtomicU64,
    base_ns: AtomicU64,
    mult: AtomicU64,
}

/// `seq` before the first line: odd, so the hot path's parity check covers it.
const UNPUBLISHED: u64 = 1;

static LINE: Published = Published {
    seq: AtomicU64::new(UNPUBLISHED),
    base_tsc: AtomicU64::new(0),
    base_ns: AtomicU64::new(0),
    mult: AtomicU64::new(0),
};

/// Publish `scale` (one writer at a time: `start`, then the writer thread).
fn publish(scale: TscScale) {
    // Even at rest, but for the odd `UNPUBLISHED`.
    let seq = LINE.seq.load(Ordering::Relaxed) & !1;
    LINE.seq.store(seq + 1, Ordering::Relaxed);
    fence(Ordering::Release);
    LINE.base_tsc.store(scale.base_tsc, Ordering::Relaxed);
    LINE.base_ns.store(scale.base_ns, Ordering::Relaxed);
    LINE.mult.store(scale.mult, Ordering::Relaxed);
    LINE.seq.store(seq + 2, Ordering::Release);
}

/// The published line, if any.
#[inline(always)]
fn published() -> Option<TscScale> {
    loop {
        match read_line_once() {
            Ok(scale) => return Some(scale),
            Err(UNPUBLISHED) => return None,
            Err(_) => std::hint::spin_loop(),
        }
    }
}

/// One try of the seqlock: the line, or the sequence number seen when there
/// is none ([`UNPUBLISHED`]) or the writer was replacing it.
#[inline(always)]
fn read_line_once() -> Result<TscScale, u64> {
    let line = &LINE;
    let seq = line.seq.load(Ordering::Acquire);
    let scale = TscScale {
        base_tsc: line.base_tsc.load(Ordering::Relaxed),
        base_ns: line.base_ns.load(Ordering::Relaxed),
        mult: line.mult.load(Ordering::Relaxed),
    };
    fence(Ordering::Acquire);
    if seq & 1 != 0 || line.seq.load(Ordering::Relaxed) != seq {
        return Err(seq);
    }
    Ok(scale)
}

/// The timestamp of a record being recorded now, from the counter, read
/// with one try of the seqlock: `None` when there is no line or the writer
/// is replacing it (then [`now_ns`] waits or reads the OS clock). The events'
/// inlined path.
#[inline(always)]
pub(crate) fn counter_now_ns() -> Option<u64> {
    let scale = read_line_once().ok()?;
    Some(scale.to_ns(tsc::read()))
}

/// The timestamp of a record being recorded now.
#[inline]
pub(crate) fn now_ns() -> u64 {
    match published() {
        Some(scale) => scale.to_ns(tsc::read()),
        None => monotonic_ns(),
    }
}

/// Whether timestamps come from the CPU's counter now (the TSC on x86_64,
/// CNTVCT_EL0 on aarch64; tests).
pub fn tsc_clock_in_use() -> bool {
    published().is_some()
}

/// Whether this host's counter can stand for time (tests).
pub fn tsc_usable() -> bool {
    tsc::is_invariant()
}

/// The smallest step the counter was seen to take, in nanoseconds at the
/// published rate; 0 while the counter clock is not in use (tests: no
/// timestamp is finer than this). Under a nanosecond for a TSC, 40-50 ns
/// for an Arm counter, 1 µs under QEMU's user-mode emulation (its counter
/// is the host's microsecond clock scaled to the declared rate).
fn counter_step_ns() -> u64 {
    let Some(scale) = published() else {
        return 0;
    };
    let mut step = u64::MAX;
    for _ in 0..16 {
        let first = tsc::read();
        // Bounded: a counter that stopped must not hang the caller.
        let next = (0..10_000_000)
            .map(|_| tsc::read())
            .find(|&t| t != first)
            .unwrap_or(u64::MAX);
        step = step.min(next.wrapping_sub(first));
    }
    ((u128::from(step) * u128::from(scale.mult)) >> 32) as u64
}

/// The shortest time a CLOCK_MONOTONIC read was seen to take (tests: the
/// calibration's samples are no more certain than this). Tens of
/// nanoseconds through the vDSO, microseconds under user-mode emulation.
fn clock_read_ns() -> u64 {
    (0..100)
        .map(|_| {
            let before = monotonic_ns();
            monotonic_ns().saturating_sub(before)
        })
        .min()
        .unwrap_or(0)
}

/// How far a counter timestamp may be from CLOCK_MONOTONIC read around it,
/// on this host (tests): 1 µs of calibration error, plus what the host's
/// counter and clock cannot resolve, which no calibration removes (the
/// counter's step and the clock's, each once in the calibration's sample
/// and once in the event's reading or its bracket; the clock read the
/// sample brackets). On hardware that adds some 100 ns (400 ns more on
/// Windows, whose clock steps by 100 ns); under QEMU's user-mode emulation,
/// microseconds.
pub fn counter_agreement_ns() -> u64 {
    1_000 + 2 * counter_step_ns() + 2 * monotonic_resolution_ns() + clock_read_ns()
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
    let measured = slope(first, second)?;
    let nominal = match tsc::nominal_hz() {
        Some(hz) if !agrees_with_nominal(measured, hz) => return None,
        Some(hz) => Some(mult_for_hz(hz)),
        None => None,
    };
    publish(TscScale {
        base_tsc: second.tsc,
        base_ns: second.ns,
        mult: nominal.unwrap_or(measured),
    });
    Some(Refiner {
        first,
        nominal,
        last_ns: Cell::new(second.ns),
    })
}

/// Until the long-run rate has been measured over this long, a counter that
/// declares its rate runs at that rate (see [`Refiner::nominal`]).
pub(crate) const LONG_RUN_NS: u64 = 100_000_000;

/// How far a calibrated rate may be from the counter's declared one: the
/// start window's error is a few ppm, a wrong declaration is percents.
pub(crate) const NOMINAL_TOLERANCE_PPM: u64 = 1_000;

/// The slope (ns per tick, 32.32 fixed point) of an `hz` counter.
fn mult_for_hz(hz: u64) -> u64 {
    u64::try_from((1_000_000_000u128 << 32) / hz.max(1) as u128).unwrap_or(u64::MAX)
}

/// Whether the calibrated slope `mult` is within [`NOMINAL_TOLERANCE_PPM`]
/// of the one of an `hz` counter.
fn agrees_with_nominal(mult: u64, hz: u64) -> bool {
    let nominal = mult_for_hz(hz) as u128;
    let off = (mult as u128).abs_diff(nominal);
    off * 1_000_000 <= nominal * NOMINAL_TOLERANCE_PPM as u128
}

/// Keeps the published line on CLOCK_MONOTONIC (the writer's, see the module
/// comment).
pub(crate) struct Refiner {
    /// The long-run rate is measured from here.
    first: Sample,
    /// The declared rate (ns per tick, 32.32), where the counter has one:
    /// the slope until [`LONG_RUN_NS`] have passed. A rate measured over a
    /// short window is off by the sample error over the window: an Arm
    /// counter ticks every 40-50 ns (1 µs under QEMU's user-mode emulation,
    /// whose clock reads also take microseconds), so over the 800 µs start
    /// window that is up to the [`NOMINAL_TOLERANCE_PPM`] allowed, 10 µs
    /// over a writer period. The declared rate is the one the kernel scales
    /// the counter by for CLOCK_MONOTONIC (Linux's arch timer), off from it
    /// only by NTP's frequency correction, which the steering takes up.
    nominal: Option<u64>,
    /// CLOCK_MONOTONIC at the last refinement (or the calibration).
    last_ns: Cell<u64>,
}

impl Refiner {
    /// Publish a line continuous with the current one that steers it back
    /// onto CLOCK_MONOTONIC over `slew_ns` (the time the caller expects
    /// until the next refinement; see [`slew_for`]).
    pub(crate) fn refine(&self, slew_ns: u64) {
        let Some(current) = published() else {
            return;
        };
        let now = sample();
        let rate = match self.nominal {
            Some(nominal) if now.ns.saturating_sub(self.first.ns) < LONG_RUN_NS => Some(nominal),
            _ => slope(self.first, now),
        };
        let Some(rate) = rate else {
            return;
        };
        let since_last = now.ns.saturating_sub(self.last_ns.replace(now.ns));
        publish(steer(current, now, rate, slew_for(slew_ns, since_last)));
    }
}

/// The slew for a refinement `since_last` ns after the previous one, when
/// the caller expects the next within `expected_ns`: at least [`SLEW_NS`],
/// and at least the last interval. A correction holds until the next
/// refinement, so one held k times its slew overshoots the offset k - 1
/// times over; a writer that was late (starved of CPU on a loaded machine,
/// or under emulation: 200 ms instead of 10 seen) is likely late again.
fn slew_for(expected_ns: u64, since_last: u64) -> u64 {
    expected_ns.max(SLEW_NS).max(since_last)
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

/// The CPU's counter, per architecture: whether it can stand for time,
/// its declared frequency if it has one, and a reading.
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

    /// Not declared anywhere reliable (CPUID leaf 0x15 is often absent).
    pub(super) fn nominal_hz() -> Option<u64> {
        None
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

/// The generic timer's virtual counter: constant rate by the architecture,
/// readable at EL0 on Linux and macOS (a kernel that traps it for an erratum
/// emulates it). Its frequency register must be set for it to count as usable.
#[cfg(all(target_arch = "aarch64", not(miri)))]
mod tsc {
    /// Architecturally constant-rate; usable once the firmware declared a rate.
    pub(super) fn is_invariant() -> bool {
        nominal_hz().is_some()
    }

    /// CNTFRQ_EL0: the rate firmware declares for the counter.
    pub(super) fn nominal_hz() -> Option<u64> {
        let hz: u64;
        // SAFETY: reading CNTFRQ_EL0 is allowed at EL0 and has no effects.
        unsafe { std::arch::asm!("mrs {}, cntfrq_el0", out(reg) hz, options(nomem, nostack)) };
        // Only the low 32 bits are defined.
        Some(hz & 0xffff_ffff).filter(|&hz| hz != 0)
    }

    #[inline(always)]
    pub(super) fn read() -> u64 {
        let ticks: u64;
        // SAFETY: reading CNTVCT_EL0 has no effects. The ISB keeps the read
        // after the instructions before it (the counter may otherwise be
        // read early, out of order), so readings in program order never go
        // back.
        unsafe {
            std::arch::asm!("isb", "mrs {}, cntvct_el0", out(reg) ticks, options(nomem, nostack))
        };
        ticks
    }
}

#[cfg(not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(miri))))]
mod tsc {
    pub(super) fn is_invariant() -> bool {
        false
    }
    pub(super) fn nominal_hz() -> Option<u64> {
        None
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

    /// Counter rates in use: Apple Silicon and many Arm boards (24 MHz),
    /// Qualcomm (19.2 MHz), QEMU's Arm models (62.5 MHz), Armv8.6+ (1 GHz),
    /// a 3 GHz TSC.
    const RATES_HZ: [u64; 5] = [
        24_000_000,
        19_200_000,
        62_500_000,
        1_000_000_000,
        3_000_000_000,
    ];

    #[test]
    fn a_line_at_the_nominal_rate_converts_ticks_to_nanoseconds() {
        for hz in RATES_HZ {
            let line = TscScale {
                base_tsc: 1_000,
                base_ns: 7,
                mult: mult_for_hz(hz),
            };
            // One hour of ticks: within 1 ns per second of the exact value.
            let ticks = hz * 3_600;
            let ns = line.to_ns(1_000 + ticks);
            let exact = 7 + 3_600_000_000_000u64;
            assert!(ns.abs_diff(exact) <= 3_600, "{hz} Hz: {ns} vs {exact}");
            assert_eq!(line.to_ns(1_000), 7);
            assert_eq!(line.to_ns(0), 7, "before the base: held, never back");
            assert_eq!(ticks_to_ns(ticks, hz), 3_600_000_000_000);
        }
        // A 10 MHz performance counter after 30 years of uptime: no overflow.
        let ticks = 10_000_000 * 86_400 * 365 * 30;
        assert_eq!(ticks_to_ns(ticks, 10_000_000), ticks * 100);
    }

    #[test]
    fn a_calibrated_rate_agrees_with_the_declared_one_within_the_tolerance() {
        for hz in RATES_HZ {
            let nominal = mult_for_hz(hz);
            let step = nominal / 1_000_000 * NOMINAL_TOLERANCE_PPM;
            assert!(agrees_with_nominal(nominal, hz));
            assert!(agrees_with_nominal(nominal + step * 9 / 10, hz));
            assert!(agrees_with_nominal(nominal - step * 9 / 10, hz));
            assert!(!agrees_with_nominal(nominal + step * 11 / 10, hz), "{hz}");
            assert!(!agrees_with_nominal(nominal - step * 11 / 10, hz), "{hz}");
        }
        // A counter declared at 24 MHz that really runs at 25 MHz.
        assert!(!agrees_with_nominal(mult_for_hz(25_000_000), 24_000_000));
    }

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

    /// The writer refines every 10 ms, then 200 ms apart for a while
    /// (starved of CPU: seen under emulation on a loaded machine), then on
    /// time again; each sample is off by 200 ns (its noise). A correction
    /// meant for 10 ms but held for 200 puts the line 20 times the noise
    /// off; the refinement after that must not correct that over 10 ms
    /// again, but over the interval it now expects (with a fixed 10 ms slew
    /// this model ends 55 ms off; under emulation the line went 4 µs, then
    /// 78 µs off).
    #[test]
    fn late_refinements_do_not_compound() {
        let mut line = TscScale {
            base_tsc: 0,
            base_ns: 0,
            mult: ONE_GHZ,
        };
        let (mut t, mut last, mut worst) = (0, 0, 0);
        let gaps = [10, 10, 200, 200, 200, 200, 10, 10, 10, 10, 10];
        for (i, gap) in gaps.into_iter().enumerate() {
            t += gap * 1_000_000;
            // Where the line is now, against the true clock (ticks are ns).
            let off = (line.to_ns(t) as i64 - t as i64).abs();
            worst = worst.max(off);
            let noise = if i % 2 == 0 { 200 } else { -200 };
            let now = Sample {
                tsc: t,
                ns: (t as i64 + noise) as u64,
            };
            line = steer(line, now, ONE_GHZ, slew_for(SLEW_NS, t - last));
            last = t;
        }
        // The first late one: the 400 ns between two samples' noise, 20
        // times over; not more.
        assert!(worst <= 20 * 400, "{worst} ns off");
        let settled = (line.to_ns(t + 10_000_000) as i64 - (t + 10_000_000) as i64).abs();
        assert!(settled <= 2 * 200, "{settled} ns off once on time again");
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
    /// and stays within 1 µs of CLOCK_MONOTONIC read around it (plus what
    /// the host cannot resolve: [`counter_agreement_ns`]).
    #[test]
    #[cfg_attr(miri, ignore)] // no TSC under Miri
    fn calibrated_and_refined_tsc_tracks_clock_monotonic() {
        let Some(refiner) = calibrate_at_start() else {
            assert!(!tsc::is_invariant() || published().is_some());
            return;
        };
        assert!(tsc_clock_in_use());
        let agree = counter_agreement_ns();
        assert!(agree >= 1_000);
        let mut prev = now_ns();
        for round in 0..20 {
            for _ in 0..10_000 {
                let t = now_ns();
                assert!(t >= prev, "TSC time went back: {prev} -> {t}");
                prev = t;
            }
            let (a, ours, b) = (monotonic_ns(), now_ns(), monotonic_ns());
            assert!(
                a.saturating_sub(agree) <= ours && ours <= b + agree,
                "round {round}: TSC {ours} vs CLOCK_MONOTONIC [{a}, {b}], {agree} ns allowed"
            );
            std::thread::sleep(Duration::from_millis(5));
            refiner.refine(SLEW_NS);
        }
    }
}
