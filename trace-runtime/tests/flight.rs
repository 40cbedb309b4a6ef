//! Flight mode: buffers keep each thread's newest records until a snapshot.
//! Snapshots taken at random moments while threads record, on a panic, and
//! on a signal, decoded by the real reader. Each scenario runs in a child
//! process (one trace per process).

mod common_robust;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common_robust::*;
use simpletrace::{OwnedRecord, OwnedValue};
use trace_runtime::{Config, ControlError, Mode, SnapshotError};

const TEST: &str = "child";
const THREADS: u32 = 4;
/// Small buffers: a thread overwrites its oldest records within milliseconds.
const BUFFER: usize = 64 * 1024;
/// Events thread 0 records before it panics, or before the signal.
const LEAD_UP: u64 = 50_000;

fn flight() -> Config {
    Config::new()
        .ignore_env()
        .mode(Mode::Flight)
        .buffer_size(BUFFER)
}

/// Xorshift, seeded from the clock: the snapshots' moments.
fn random_ms(state: &mut u64, below: u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state % below
}

/// The child side of each scenario (files in the current directory).
#[test]
fn child() {
    let Some(scenario) = child_scenario() else {
        return; // run by the parent tests below only
    };
    match scenario.as_str() {
        "snapshots" => snapshots_child(),
        "panic" => {
            let _guard = flight().file("panic.trace").start().unwrap();
            let panicked = std::thread::Builder::new()
                .name(thread_name(0))
                .spawn(|| {
                    (0..LEAD_UP).for_each(|seq| emit(0, seq));
                    panic!("boom in flight");
                })
                .unwrap()
                .join();
            assert!(panicked.is_err());
        }
        #[cfg(unix)] // no POSIX signals on Windows
        "signal" => {
            let _guard = Config::new()
                .ignore_env()
                .options("mode=flight,snapshot_signal=SIGUSR2,file=signal.trace,buffer_size=64K")
                .unwrap()
                .start()
                .unwrap();
            std::thread::Builder::new()
                .name(thread_name(0))
                .spawn(|| (0..LEAD_UP).for_each(|seq| emit(0, seq)))
                .unwrap()
                .join()
                .unwrap();
            // SAFETY: sends a signal to this process; its handler is the runtime's.
            assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) }, 0);
            let deadline = Instant::now() + Duration::from_secs(20);
            while !Path::new("signal.trace").exists() {
                assert!(Instant::now() < deadline, "no snapshot after the signal");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        other => panic!("unknown scenario {other}"),
    }
}

/// Threads record sequence-numbered events for two seconds; snapshots at
/// random moments, each with how far every thread had got before it (one
/// line per snapshot in `expect`: file name, then each thread's count).
fn snapshots_child() {
    let _guard = flight().file("unused.trace").start().unwrap();
    assert!(matches!(
        trace_runtime::trace_file_on(),
        Err(ControlError::FlightMode)
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let progress: Arc<Vec<AtomicU64>> = Arc::new((0..THREADS).map(|_| AtomicU64::new(0)).collect());
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (stop, progress) = (stop.clone(), progress.clone());
            std::thread::Builder::new()
                .name(thread_name(t))
                .spawn(move || {
                    let mut seq = 0;
                    while !stop.load(Ordering::Relaxed) {
                        emit(t, seq);
                        seq += 1;
                        progress[t as usize].store(seq, Ordering::Release);
                    }
                })
                .unwrap()
        })
        .collect();
    let mut rng = Instant::now().elapsed().as_nanos() as u64 | 1;
    let mut expect = String::new();
    let start = Instant::now();
    for n in 0.. {
        std::thread::sleep(Duration::from_millis(random_ms(&mut rng, 60)));
        let before: Vec<u64> = progress.iter().map(|p| p.load(Ordering::Acquire)).collect();
        let name = format!("snap-{n}.trace");
        let info = trace_runtime::snapshot(&name).unwrap();
        assert_eq!(info.path, Path::new(&name));
        expect += &format!("{name} {} {}\n", info.overwritten, info.events);
        expect += &before.iter().map(|b| format!("{b} ")).collect::<String>();
        expect += "\n";
        if start.elapsed() > Duration::from_secs(2) {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    producers.into_iter().for_each(|p| p.join().unwrap());
    std::fs::write("expect", expect).unwrap();
}

fn run(scenario: &str, dir: &Path) -> std::process::Output {
    let out = run_child(child_command(TEST, scenario, dir), Duration::from_secs(120));
    assert!(out.status.success() || scenario == "panic", "{out:?}");
    out
}

/// A snapshot's records: the producer threads' batches, and the arguments of
/// its closing `trace_snapshot(window_start_ns, window_end_ns, overwritten)`.
fn decode_snapshot(path: &Path) -> (BTreeMap<u32, Vec<Batch>>, [u64; 3], Vec<OwnedRecord>) {
    let trace = decode_file(path);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let records = trace.records;
    let Some([no_thread, snapshot]) = records.last_chunk::<2>() else {
        panic!("too few records in {}", path.display());
    };
    assert_eq!(no_thread.name, "trace_thread");
    assert_eq!(no_thread.args[0], OwnedValue::Int(0), "of no thread");
    assert_eq!(snapshot.name, "trace_snapshot");
    let args: Vec<u64> = snapshot
        .args
        .iter()
        .map(|a| match a {
            OwnedValue::Int(n) => *n,
            other => panic!("{other:?}"),
        })
        .collect();
    let program = &records[..records.len() - 2];
    (batches(program), args.try_into().unwrap(), program.to_vec())
}

/// A thread's snapshot: a dropped record counting the events overwritten
/// (its first sequence number), then a contiguous run of sequence numbers.
/// Returns (first, last, dropped).
fn thread_window(thread: u32, batches: &[Batch]) -> (u64, u64, u64) {
    assert_eq!(batches.len(), 1, "thread {thread}: one batch per snapshot");
    let (kept, dropped) = check_thread(thread, batches, None);
    let seqs: Vec<u64> = batches[0].seqs().collect();
    assert_eq!(kept, seqs.len() as u64);
    let (first, last) = (seqs[0], *seqs.last().unwrap());
    assert_eq!(
        dropped, first,
        "thread {thread}: overwritten = events before the first kept"
    );
    (first, last, dropped)
}

#[test]
fn snapshots_at_random_moments_hold_each_threads_newest_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    run("snapshots", dir.path());
    let expect = std::fs::read_to_string(dir.path().join("expect")).unwrap();
    let lines: Vec<&str> = expect.lines().collect();
    let mut overwriting = 0;
    for pair in lines.chunks(2) {
        let mut head = pair[0].split(' ');
        let name = head.next().unwrap();
        let overwritten: u64 = head.next().unwrap().parse().unwrap();
        let events: u64 = head.next().unwrap().parse().unwrap();
        let before: Vec<u64> = pair[1]
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let (batches, [window_start, window_end, in_file], records) =
            decode_snapshot(&dir.path().join(name));
        assert_eq!(
            in_file, overwritten,
            "{name}: the file states what snapshot() returned"
        );
        let _ = window_end;
        let mut dropped_total = 0;
        for t in 0..THREADS {
            if before[t as usize] == 0 && !batches.contains_key(&t) {
                continue; // not started yet
            }
            let thread = &batches[&t];
            if thread[0].seqs().next().is_none() {
                // It overwrote all it had while the snapshot copied it.
                assert_eq!(thread[0].items.len(), 1, "{name}: a dropped record alone");
                let (_, dropped) = check_thread(t, thread, None);
                assert!(dropped >= before[t as usize], "{name}: thread {t}");
                dropped_total += dropped;
                continue;
            }
            let (_, last, dropped) = thread_window(t, thread);
            dropped_total += dropped;
            assert!(
                last + 1 >= before[t as usize],
                "{name}: thread {t} holds up to {last}, had recorded {} before",
                before[t as usize]
            );
        }
        assert_eq!(dropped_total, overwritten, "{name}");
        let kept = records
            .iter()
            .filter(|r| r.name.starts_with("robust_"))
            .count();
        assert_eq!(kept as u64, events, "{name}");
        // The window starts at the latest first record of the threads that
        // lost events: from there on every thread is complete.
        let mut latest_first = None;
        for w in records.windows(3) {
            if w[0].name == "trace_thread" && w[1].name == "Dropped_Event" {
                latest_first = latest_first.max(Some(w[2].timestamp_ns));
            }
        }
        if let Some(latest_first) = latest_first {
            assert_eq!(window_start, latest_first, "{name}");
        }
        overwriting += usize::from(overwritten > 0);
    }
    assert!(lines.len() >= 4, "a few snapshots in two seconds: {expect}");
    assert!(overwriting > 0, "buffers of 64 KiB wrapped: {expect}");
}

#[test]
fn a_panic_leaves_a_snapshot_with_the_records_leading_up_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("panic", dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("boom in flight"),
        "the previous hook ran too: {stderr}"
    );
    let (batches, [_, _, overwritten], _) = decode_snapshot(&dir.path().join("panic.trace"));
    let (first, last, dropped) = thread_window(0, &batches[&0]);
    assert_eq!(last, LEAD_UP - 1, "the last record before the panic");
    assert!(first > 0, "{LEAD_UP} events overflow 64 KiB");
    assert_eq!(dropped, overwritten);
}

#[test]
#[cfg(unix)] // no POSIX signals on Windows (`snapshot_signal` does nothing there)
fn the_snapshot_signal_writes_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    run("signal", dir.path());
    let (batches, _, _) = decode_snapshot(&dir.path().join("signal.trace"));
    let (first, last, _) = thread_window(0, &batches[&0]);
    assert_eq!(last, LEAD_UP - 1);
    assert!(first > 0);
}

#[test]
fn snapshot_needs_a_running_flight_recorder() {
    // No trace runs in this (parent) process.
    assert!(matches!(
        trace_runtime::snapshot("x.trace"),
        Err(SnapshotError::NotRunning)
    ));
}
