//! Panic: a panicking traced program still leaves a complete trace, whether
//! the guard is dropped while unwinding or was leaked (the runtime's panic
//! hook flushes), and a panic never hangs on a writer stuck on its file.
//! Each scenario runs in a child process (one trace per process).
// Uses Linux pipe sizes (F_GETPIPE_SZ) and /proc.
#![cfg(target_os = "linux")]

mod common_robust;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::Duration;

use common_robust::*;
use trace_runtime::Config;

const TEST: &str = "child";
/// Under half a buffer: no kick wakes the writer for them.
const EVENTS: u64 = 1000;
/// The writer's own pass comes only every 10 s: in these children the events
/// reach the file through the guard's drop or the panic hook, nothing else.
const SLOW_PERIOD: Duration = Duration::from_secs(10);

fn emit_on_thread_0(then_panic: bool) -> std::thread::Result<()> {
    std::thread::Builder::new()
        .name(thread_name(0))
        .spawn(move || {
            (0..EVENTS).for_each(|seq| emit(0, seq));
            if then_panic {
                panic!("boom on a traced thread");
            }
        })
        .unwrap()
        .join()
}

/// The child side of each scenario (files in the current directory).
#[test]
fn child() {
    let Some(scenario) = child_scenario() else {
        return; // run by the parent tests below only
    };
    let config = Config::new()
        .ignore_env()
        .file("panic.trace")
        .writer_period(SLOW_PERIOD);
    match scenario.as_str() {
        "unwind" => {
            let _guard = config.start().unwrap();
            emit_on_thread_0(false).unwrap();
            panic!("boom with the guard on the stack");
        }
        "leaked-abort" => {
            std::mem::forget(config.start().unwrap());
            assert!(emit_on_thread_0(true).is_err());
            // No unwinding, no exit handlers: only the panic hook ran.
            std::process::abort();
        }
        "stuck-writer" => {
            mkfifo(Path::new("panic.fifo"));
            let read_end = open_fifo_reader(Path::new("panic.fifo"));
            let _guard = Config::new()
                .ignore_env()
                .file("panic.fifo")
                .start()
                .unwrap();
            std::thread::Builder::new()
                .name(thread_name(0))
                .spawn(move || {
                    let mut seq = 0;
                    stall_writer_on_fifo(&read_end, || {
                        (seq..seq + 1000).for_each(|s| emit(0, s));
                        seq += 1000;
                    });
                    std::mem::forget(read_end);
                })
                .unwrap()
                .join()
                .unwrap();
            eprintln!("panicking at {} ns", monotonic_ns());
            panic!("boom with the writer stuck");
        }
        other => panic!("unknown scenario {other}"),
    }
}

fn run(scenario: &str, dir: &Path) -> std::process::Output {
    run_child(child_command(TEST, scenario, dir), Duration::from_secs(60))
}

fn assert_complete(path: &Path) {
    let trace = decode_file(path);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let batches = batches(&trace.records);
    assert_eq!(check_thread(0, &batches[&0], Some(EVENTS)), (EVENTS, 0));
}

#[test]
fn unwinding_past_the_guard_leaves_a_complete_trace() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("unwind", dir.path());
    assert_eq!(out.status.code(), Some(101), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("boom with the guard on the stack"),
        "{stderr}"
    );
    assert_complete(&dir.path().join("panic.trace"));
}

#[test]
fn panic_hook_writes_the_trace_when_the_guard_was_leaked() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("leaked-abort", dir.path());
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("boom on a traced thread"),
        "the previous hook still runs: {stderr}"
    );
    assert_complete(&dir.path().join("panic.trace"));
}

/// CLOCK_MONOTONIC in ns: one clock for the child and the parent.
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[test]
fn panic_does_not_hang_on_a_stuck_writer() {
    let dir = tempfile::tempdir().unwrap();
    // run_child fails the test if the child is still running after 60 s.
    let out = run("stuck-writer", dir.path());
    let exited = monotonic_ns();
    assert_eq!(out.status.code(), Some(101), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("boom with the writer stuck"), "{stderr}");
    // The promise: a panic waits at most PANIC_WAIT (2 s) for a stuck writer,
    // in all (the hook, the unwinding guard and the exit handler together),
    // so it ends within that and a margin for process exit on a busy
    // machine, not at the watchdog.
    const PANIC_WAIT_NS: u64 = 2_000_000_000;
    let panicked: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("panicking at "))
        .and_then(|l| l.strip_suffix(" ns"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no panic time in {stderr}"));
    let took = exited - panicked;
    assert!(
        took < PANIC_WAIT_NS + 3_000_000_000,
        "the panic took {} ms with the writer stuck",
        took / 1_000_000
    );
}
