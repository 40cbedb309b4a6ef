//! Recording is async-signal-safe: a thread's first event may come from a
//! signal handler that interrupted it anywhere, even inside `malloc`, and
//! nothing deadlocks (no allocation, lock or thread-local destructor
//! registration on that path; the writer never waits on the malloc lock
//! while holding anything a producer needs). The scenario runs in a child
//! process under a watchdog.
// Uses Unix processes, signals or pipes.
#![cfg(unix)]

mod common_robust;

use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common_robust::*;
use trace_runtime::Config;

const TEST: &str = "child";
const ROUNDS: u32 = 1000;

/// The thread the current round signals (its events are `emit(round, 0)`).
static ROUND: AtomicU32 = AtomicU32::new(0);
/// The round whose signal handler has run (`u32::MAX`: none yet).
static HANDLED: AtomicU32 = AtomicU32::new(u32::MAX);

extern "C" fn on_sigusr1(_: libc::c_int) {
    let round = ROUND.load(Ordering::Acquire);
    emit(round, 0);
    HANDLED.store(round, Ordering::Release);
}

fn install_handler() {
    // SAFETY: a zeroed sigaction with a valid handler and an empty mask;
    // `on_sigusr1` only records an event and stores to atomics.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigusr1 as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
}

/// A thread that allocates and frees until told to stop, never traced
/// outside the signal handler. `running` is set once it runs under its name.
fn spawn_allocator(
    round: u32,
    running: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(thread_name(round))
        .spawn(move || {
            running.store(true, Ordering::Release);
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let v: Vec<u8> = Vec::with_capacity(16 + i % 4096);
                std::hint::black_box(&v);
                drop(v);
                i += 1;
            }
        })
        .unwrap()
}

#[test]
fn child() {
    if child_scenario().is_none() {
        return; // run by the parent test below only
    }
    install_handler();
    let guard = Config::new()
        .ignore_env()
        .file("signal.trace")
        .writer_period(Duration::from_millis(1))
        .start()
        .unwrap();
    for round in 0..ROUNDS {
        ROUND.store(round, Ordering::Release);
        let running = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = spawn_allocator(round, running.clone(), stop.clone());
        while !running.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_micros(300));
        // SAFETY: the thread is running (joined only below).
        let rc = unsafe { libc::pthread_kill(thread.as_pthread_t(), libc::SIGUSR1) };
        assert_eq!(rc, 0);
        while HANDLED.load(Ordering::Acquire) != round {
            std::thread::yield_now();
        }
        stop.store(true, Ordering::Relaxed);
        thread.join().unwrap();
    }
    drop(guard);
}

#[test]
fn first_event_from_a_signal_handler_inside_malloc_does_not_deadlock() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = child_command(TEST, "signal", dir.path());
    // run_child kills the child and fails the test if it hangs.
    let out = run_child(cmd, Duration::from_secs(60));
    assert!(out.status.success(), "{out:?}");
    let trace = decode_file(&dir.path().join("signal.trace"));
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let batches = batches(&trace.records);
    assert_eq!(
        batches.len() as u32,
        ROUNDS,
        "every signalled thread recorded"
    );
    for (&thread, b) in &batches {
        assert_eq!(check_thread(thread, b, Some(1)), (1, 0), "thread {thread}");
    }
}
