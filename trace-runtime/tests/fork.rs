//! A forked child neither deadlocks nor records; the parent keeps tracing.

mod common;

use std::time::{Duration, Instant};

use common::*;
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

/// Wait for `pid` to exit, at most 20 s; returns its exit status.
fn wait_child(pid: libc::pid_t) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out pointer; WNOHANG never blocks.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid {
            assert!(libc::WIFEXITED(status), "child killed: {status}");
            return libc::WEXITSTATUS(status);
        }
        if Instant::now() > deadline {
            // SAFETY: signals our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("forked child hung (deadlock)");
        }
        std::thread::sleep(Duration::from_millis(10));
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
