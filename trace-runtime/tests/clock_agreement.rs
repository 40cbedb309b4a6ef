//! Timestamps from the first event: the TSC clock is calibrated before
//! `start()` returns, and as the writer refines it the timestamps stay
//! monotonic and within 1 µs of CLOCK_MONOTONIC read around each event, plus
//! what the host's counter and clock cannot resolve (a few hundred ns on
//! hardware, microseconds under QEMU's user-mode emulation: see
//! `counter_agreement_ns`).

mod common;

use common::*;
use trace_runtime::__private::record;
use trace_runtime::Config;

event!(
    EV_TICK,
    "test_tick",
    available = true,
    [("uint64_t", "i", U64)]
);

fn test_tick(i: u64) {
    let state = EV_TICK.state();
    if state & 1 != 0 {
        record(state, 8, |p| p.u64(i));
    }
}

/// Events recorded, one every `GAP_NS` (busy-waiting): over 200 ms, through
/// the writer's calibration passes.
const EVENTS: usize = 8_000;
const GAP_NS: u64 = 25_000;

#[test]
fn timestamps_are_tsc_from_the_first_event_monotonic_and_within_1us_of_clock_monotonic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock.trace");
    let guard = Config::new().ignore_env().file(&path).start().unwrap();
    assert!(
        trace_runtime::__private::tsc_clock_in_use() || !trace_runtime::__private::tsc_usable(),
        "the TSC clock is calibrated when start() returns"
    );
    let agree_ns = trace_runtime::__private::counter_agreement_ns();
    eprintln!("allowed distance: {agree_ns} ns");
    let mut brackets = Vec::with_capacity(EVENTS);
    for i in 0..EVENTS {
        let before = monotonic_ns();
        test_tick(i as u64);
        let after = monotonic_ns();
        brackets.push((before, after));
        while monotonic_ns() < after + GAP_NS {}
    }
    drop(guard);
    let trace = decode(&std::fs::read(&path).unwrap());
    let ticks: Vec<&Record> = trace
        .records
        .iter()
        .filter(|r| trace.name(r) == "test_tick")
        .collect();
    assert_eq!(ticks.len(), EVENTS, "nothing dropped at this rate");
    let mut prev = 0;
    let mut outside = 0;
    for r in ticks {
        let i = Args::new(&r.payload).u64() as usize;
        let (before, after) = brackets[i];
        let t = r.timestamp_ns;
        assert!(t >= prev, "event {i}: {t} ns after {prev} ns");
        assert!(
            before - agree_ns <= t && t <= after + agree_ns,
            "event {i}: {t} ns, CLOCK_MONOTONIC read {before}..{after} around it"
        );
        outside = outside
            .max(before.saturating_sub(t))
            .max(t.saturating_sub(after));
        prev = t;
    }
    eprintln!("largest distance outside the CLOCK_MONOTONIC bracket: {outside} ns");
}
