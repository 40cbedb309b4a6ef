//! Record timestamps: CLOCK_MONOTONIC nanoseconds, as QEMU writes them.

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

/// The timestamp of a record being recorded now.
#[inline]
pub(crate) fn now_ns() -> u64 {
    monotonic_ns()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_ns_never_goes_back_and_tracks_std_instant() {
        let std_start = std::time::Instant::now();
        let start = now_ns();
        let mut prev = start;
        for _ in 0..1000 {
            let t = now_ns();
            assert!(t >= prev);
            prev = t;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        let ours = now_ns() - start;
        let std_ns = std_start.elapsed().as_nanos() as u64;
        assert!(ours >= 20_000_000, "slept 20 ms, clock moved {ours} ns");
        // Both read CLOCK_MONOTONIC: ours lies within std's outer interval.
        assert!(ours <= std_ns, "ours {ours} ns, std {std_ns} ns");
    }
}
