//! A forked child neither deadlocks nor records; the parent keeps tracing.
// Uses Unix processes, signals or pipes.
#![cfg(unix)]

mod common;
mod forked;

use common::*;
use forked::wait_child;
use trace_runtime::__private::record;
use trace_runtime::Config;

event!(
    EV_WHO,
    "test_who",
    available = true,
    [("uint64_t", "pid", U64)]
);

fn test_who() {
    let state = EV_WHO.state();
    if state & 1 != 0 {
        record(state, 8, |p| p.u64(std::process::id() as u64));
    }
}

#[test]
fn forked_child_does_not_deadlock_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.trace");
    let guard = Config::new().file(&path).start().unwrap();
    test_who();

    // SAFETY: the child only calls the runtime (atomics, no lock the parent's
    // other threads could hold: the child handler disabled every event) and
    // leaves with `_exit`, skipping the parent's destructors.
    let child = unsafe { libc::fork() };
    assert!(child >= 0);
    if child == 0 {
        let code = if EV_WHO.is_enabled() { 3 } else { 0 };
        test_who();
        trace_runtime::flush();
        drop(guard);
        // SAFETY: ends the child without unwinding into the test harness.
        unsafe { libc::_exit(code) };
    }
    assert_eq!(wait_child(child), 0, "events are off in the child");

    test_who();
    drop(guard);
    let t = decode(&std::fs::read(&path).unwrap());
    let pids: Vec<u64> = t
        .program_records()
        .iter()
        .map(|r| Args::new(&r.payload).u64())
        .collect();
    let me = std::process::id() as u64;
    assert_eq!(pids, [me, me]);
}
