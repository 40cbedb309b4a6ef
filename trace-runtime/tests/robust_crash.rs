//! Crash: a child tracing at full speed is killed with SIGKILL
//! (`TerminateProcess` on Windows). The reader
//! decodes every complete record in its file and reports a cut-off tail as a
//! warning, not an error; what was lost is what sat in memory (at most one
//! writer period of events, bounded by the buffers).

mod common_robust;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common_robust::*;
use trace_runtime::Config;

const TEST: &str = "child";
const THREADS: u32 = 3;
/// Events the quiet child records before it sleeps: under half a buffer, so
/// only the writer's periodic pass (no kick, no flush, no exit) can write them.
const QUIET_EVENTS: u64 = 1000;

/// The child side: trace into `crash.trace` in the current directory.
#[test]
fn child() {
    let Some(scenario) = child_scenario() else {
        return; // run by the parent tests below only
    };
    let guard = Config::new().ignore_env().file("crash.trace").start();
    std::mem::forget(guard.unwrap());
    match scenario.as_str() {
        "full-speed" => {
            // Each thread's first event is in its buffer before any goes
            // on at full speed: every writer pass from then on has all
            // three. (Without this, a thread Wine started late on a busy
            // machine had no record in the first 4 MiB.)
            let started = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize));
            for t in 0..THREADS {
                let started = started.clone();
                std::thread::Builder::new()
                    .name(thread_name(t))
                    .spawn(move || {
                        emit(t, 0);
                        started.wait();
                        // Until the parent kills the process.
                        for seq in 1.. {
                            emit(t, seq);
                        }
                    })
                    .unwrap();
            }
        }
        "quiet" => std::thread::Builder::new()
            .name(thread_name(0))
            .spawn(|| (0..QUIET_EVENTS).for_each(|seq| emit(0, seq)))
            .unwrap()
            .join()
            .unwrap(),
        other => panic!("unknown scenario {other}"),
    }
    loop {
        std::thread::park();
    }
}

fn spawn(scenario: &str, dir: &Path) -> Child {
    child_command(TEST, scenario, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Poll (liveness, generous limit) until `ready` says the trace is far enough.
fn wait_for(child: &mut Child, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("child ended early: {status}");
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{what}: not reached in 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kill the child as abruptly as the OS can: no handler, no exit path runs.
fn sigkill(mut child: Child) {
    #[cfg(unix)]
    {
        // SAFETY: signals our own child, which has not been reaped yet.
        let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
        assert_eq!(rc, 0);
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    }
    #[cfg(windows)]
    {
        // `TerminateProcess` (exit code 1): the process's threads stop where
        // they are, as under SIGKILL.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "{status}");
    }
}

#[test]
fn killed_while_tracing_at_full_speed_leaves_a_readable_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.trace");
    let mut child = spawn("full-speed", dir.path());
    wait_for(&mut child, "4 MiB of trace", || {
        std::fs::metadata(&path).is_ok_and(|m| m.len() > 4 << 20)
    });
    sigkill(child);

    let trace = decode_file(&path);
    // Either the kill fell between two writes or the tail is cut; never an error.
    if let Some(warning) = &trace.truncated {
        assert!(warning.is_truncation(), "{warning}");
        eprintln!("warning (as the reader reports it): {warning}");
    }
    let batches = batches(&trace.records);
    assert_eq!(batches.len() as u32, THREADS);
    let mut total = 0;
    for (&thread, b) in &batches {
        let (decoded, dropped) = check_thread(thread, b, None);
        eprintln!("thread {thread}: {decoded} records, {dropped} counted as dropped");
        assert!(decoded > 0);
        total += decoded;
    }
    assert!(total > 10_000, "{total}");
}

#[test]
fn what_was_recorded_a_writer_period_ago_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.trace");
    let mut child = spawn("quiet", dir.path());
    let complete = || {
        // An empty file until the child's writer first writes (a while
        // under emulation).
        let trace = std::fs::read(&path).ok().and_then(|b| try_decode(&b[..]));
        trace.is_some_and(|t| {
            t.truncated.is_none()
                && batches(&t.records).get(&0).is_some_and(|b| {
                    b.iter().map(|b| b.seqs().count() as u64).sum::<u64>() == QUIET_EVENTS
                })
        })
    };
    // The child never flushes and never exits: the periodic pass writes them.
    wait_for(&mut child, "every event in the file", complete);
    sigkill(child);
    let trace = decode_file(&path);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let batches = batches(&trace.records);
    assert_eq!(
        check_thread(0, &batches[&0], Some(QUIET_EVENTS)),
        (QUIET_EVENTS, 0)
    );
}
