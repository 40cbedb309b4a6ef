//! Control calls from one thread while others record: every file stays a
//! valid trace and every recorded event is accounted for exactly once.

mod control_common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use control_common::*;
use trace_runtime::__private::{record, str_arg_len};
use trace_runtime::{set_enabled, trace_file_off, trace_file_set, trace_file_status, Config};

/// `disk_flush("vda")` exactly as generated (one state load), reporting
/// whether it recorded.
fn disk_flush_counted() -> bool {
    let state = trace::events::disk_flush.state();
    if state & 1 != 0 {
        record(state, str_arg_len(3), |p| p.str(b"vda"));
    }
    state & 1 != 0
}

#[test]
fn switching_files_and_events_while_threads_record() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("t0");
    let guard = Config::new()
        .ignore_env()
        .file(&first)
        .disable("trace_thread")
        .start()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let recorded = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (stop, recorded) = (stop.clone(), recorded.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                for i in 0u64.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    n += u64::from(disk_flush_counted());
                    if i % 64 == 0 {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                }
                recorded.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();

    // Never `on` here: it truncates the file, which would lose written records.
    let mut files = vec![first];
    for i in 1..=40 {
        if i % 2 == 0 {
            let path = dir.path().join(format!("t{i}"));
            trace_file_set(&path).unwrap();
            files.push(path);
        } else {
            trace_file_off().unwrap();
        }
        set_enabled("disk_flush", i % 3 != 0).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    stop.store(true, Ordering::Relaxed);
    workers.into_iter().for_each(|w| w.join().unwrap());
    drop(guard);

    let status = trace_file_status().unwrap().counts;
    // Every file decodes whole; together they hold exactly what was written.
    let in_files: u64 = files.iter().map(|f| program_names(f).len() as u64).sum();
    let total = recorded.load(Ordering::Relaxed);
    assert!(total > 0 && status.discarded > 0, "{status:?}");
    assert_eq!(status.write_errors, 0);
    assert_eq!(in_files, status.written, "{status:?}");
    assert_eq!(
        status.written + status.discarded + status.dropped,
        total,
        "{status:?}"
    );
}
