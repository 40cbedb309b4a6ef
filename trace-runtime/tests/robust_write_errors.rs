//! Write errors never stop or slow the traced program and are never silent:
//! a trace file removed while tracing (Linux keeps writing to the unlinked
//! file: no error), a full device (`/dev/full`), a full small tmpfs (when this
//! process may mount one), a directory that does not exist, and a log backend
//! that cannot write. Failed writes are counted in the status, with the events
//! they lost, and the trace file stays whole records.
// Uses Unix processes, signals or pipes.
#![cfg(unix)]

mod common_robust;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common_robust::*;
use trace_runtime::{
    trace_file_set, trace_file_status, Backend, Config, ControlError, Status, TraceGuard,
};

const TEST: &str = "child";

/// Record `n` events on a new thread numbered `t` (each phase uses its own
/// number, so each thread's events are one sequence) under a watchdog.
fn record(t: u32, n: u64) {
    record_in_rounds(t, 1, n);
}

/// `rounds` times: record `n` events, then flush (one batch per round).
fn record_in_rounds(t: u32, rounds: u64, n: u64) {
    within(Duration::from_secs(60), "recording", move || {
        std::thread::Builder::new()
            .name(thread_name(t))
            .spawn(move || {
                for round in 0..rounds {
                    (round * n..(round + 1) * n).for_each(|s| emit(t, s));
                    trace_runtime::flush();
                }
            })
            .unwrap()
            .join()
            .unwrap()
    });
}

fn flushed_status(guard: &TraceGuard) -> Status {
    guard.flush();
    guard.status()
}

/// Whether this process may mount file systems (`CAP_SYS_ADMIN` in its
/// effective set, as root has on the CI machine).
fn may_mount() -> bool {
    const CAP_SYS_ADMIN: u32 = 21;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_SYS_ADMIN) != 0)
}

/// Mount a 64 KiB tmpfs on `dir`. Where the process may mount, a failure
/// fails the test; elsewhere the case is skipped, said on the real stderr
/// (not the captured one), so a skip never passes unseen.
fn mount_small_tmpfs(dir: &Path) -> bool {
    std::fs::create_dir(dir).unwrap();
    let capable = may_mount();
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(dir)
        .output();
    match out {
        Ok(out) if out.status.success() => true,
        other => {
            assert!(!capable, "mount failed with CAP_SYS_ADMIN: {other:?}");
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED 1 case: full-tmpfs (no CAP_SYS_ADMIN to mount a tmpfs): {other:?}"
            );
            false
        }
    }
}

#[test]
fn removed_file_full_device_full_tmpfs_and_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.trace");
    let guard = Config::new().ignore_env().file(&first).start().unwrap();

    // Removed while tracing: writes go on into the unlinked file, no error.
    let mut kept = std::fs::File::open(&first).unwrap();
    record(0, 1000);
    std::fs::remove_file(&first).unwrap();
    record(1, 1000);
    let s = flushed_status(&guard);
    assert_eq!((s.written, s.write_errors), (2000, 0), "{s:?}");
    let mut bytes = Vec::new();
    kept.read_to_end(&mut bytes).unwrap();
    let trace = decode(&bytes[..]);
    let b = batches(&trace.records);
    for t in [0, 1] {
        check_thread(t, &b[&t], Some(1000));
    }

    // A full device: every write fails, every lost event is counted.
    trace_file_set("/dev/full").unwrap();
    let before = flushed_status(&guard);
    const FULL_EVENTS: u64 = 100_000;
    record(2, FULL_EVENTS);
    let s = flushed_status(&guard);
    assert!(s.write_errors > before.write_errors, "{s:?}");
    assert_eq!(s.written, before.written, "{s:?}");
    assert_eq!(
        (s.dropped - before.dropped) + (s.unwritten - before.unwritten),
        FULL_EVENTS,
        "{s:?}"
    );
    assert!(trace_file_status()
        .unwrap()
        .to_string()
        .contains("events lost)"));

    // A small tmpfs that fills up: the file keeps only whole records.
    let small = dir.path().join("small");
    if mount_small_tmpfs(&small) {
        let file = small.join("t.trace");
        trace_file_set(&file).unwrap();
        let before = flushed_status(&guard);
        // Batches of about 20 KiB: the first ones fit, then the disk is full.
        const ROUNDS: u64 = 20;
        const TMPFS_EVENTS: u64 = ROUNDS * 300;
        record_in_rounds(3, ROUNDS, TMPFS_EVENTS / ROUNDS);
        let s = flushed_status(&guard);
        trace_file_set(dir.path().join("after.trace")).unwrap();
        let trace = decode_file(&file);
        let _ = Command::new("umount").arg("-l").arg(&small).status();
        assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
        let in_file: u64 = batches(&trace.records)[&3]
            .iter()
            .map(|b| b.seqs().count() as u64)
            .sum();
        assert!(in_file > 0, "the first batches fit");
        assert!(s.write_errors > before.write_errors, "{s:?}");
        assert_eq!(s.written - before.written, in_file, "{s:?}");
        assert_eq!(
            in_file + (s.dropped - before.dropped) + (s.unwritten - before.unwritten),
            TMPFS_EVENTS,
            "{s:?}"
        );
    }

    // A directory that does not exist: an error, and tracing goes on as before.
    let last = dir.path().join("last.trace");
    trace_file_set(&last).unwrap();
    let e = trace_file_set(dir.path().join("missing/x.trace")).unwrap_err();
    assert!(
        matches!(&e, ControlError::Open { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{e:?}"
    );
    assert_eq!(guard.path(), last);
    let before = flushed_status(&guard);
    record(4, 1000);
    drop(guard);
    let s = trace_runtime::status().unwrap();
    assert_eq!(s.write_errors, before.write_errors, "{s:?}");
    let trace = decode_file(&last);
    check_thread(4, &batches(&trace.records)[&4], Some(1000));
}

/// The child side (a second trace needs a second process).
#[test]
fn child() {
    let Some(scenario) = child_scenario() else {
        return; // run by the parent test below only
    };
    assert_eq!(scenario, "log-full");
    let guard = Config::new()
        .ignore_env()
        .backend(Backend::Log)
        .log_file("/dev/full")
        .start()
        .unwrap();
    record(0, 500);
    let s = guard.status();
    assert_eq!(s.write_errors, 500, "one per line: {s:?}");
    drop(guard);
}

#[test]
fn log_backend_write_failures_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_child(
        child_command(TEST, "log-full", dir.path()),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{out:?}");
}
