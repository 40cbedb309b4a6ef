//! The log backend alone: one line per event (QEMU's `-msg timestamp=on`
//! prefix `<tid>@<seconds>.<micros>:`), lines from many threads never mixed,
//! no trace file.

mod control_common;

use std::time::{SystemTime, UNIX_EPOCH};

use control_common::*;
use trace_runtime::{trace_file_on, trace_file_status, Config, ControlError};

#[path = "common/os.rs"]
mod os;

use os::gettid;

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn timestamped_lines_from_many_threads_and_no_trace_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.txt");
    let trace = dir.path().join("trace");
    let guard = Config::new()
        .ignore_env()
        .options(&format!(
            "backend=log,timestamp=on,logfile={},file={},*",
            log.display(),
            trace.display()
        ))
        .unwrap()
        .start()
        .unwrap();
    assert!(matches!(trace_file_on(), Err(ControlError::NoTraceFile)));
    let before = now_s();
    trace::disk_read("vda", 0x1000, 512);
    trace::tick();
    trace::raw_args(42, "it's");
    trace::raw_args(0, &b"a\\\xff"[..]);
    trace::net_rx(-1, usize::MAX);
    let main_tid = gettid();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            std::thread::spawn(move || {
                for i in 0..500 {
                    trace::disk_write(&format!("worker{w}"), i, 4096);
                }
                gettid()
            })
        })
        .collect();
    let tids: Vec<u64> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    drop(guard);
    let after = now_s();
    assert!(
        !trace.exists(),
        "the log backend alone writes no trace file"
    );
    assert!(!trace_file_status().unwrap().on);

    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines = Vec::new();
    for line in text.lines() {
        let (prefix, rest) = line.split_once(':').unwrap();
        let (tid, time) = prefix.split_once('@').unwrap();
        let (secs, micros) = time.split_once('.').unwrap();
        let secs: u64 = secs.parse().unwrap();
        assert!((before..=after).contains(&secs), "{line}");
        assert!(micros.len() == 6 && micros.parse::<u32>().is_ok(), "{line}");
        lines.push((tid.parse::<u64>().unwrap(), rest.to_string()));
    }
    assert_eq!(
        lines[..5],
        [
            (
                main_tid,
                "disk_read dev vda offset 0x1000 len 512".to_string()
            ),
            (main_tid, "tick".to_string()),
            (main_tid, "raw_args x=0x2a s=b\"it's\"".to_string()),
            (main_tid, "raw_args x=0x0 s=b'a\\\\\\xff'".to_string()),
            (
                main_tid,
                "net_rx queue -1 bytes 18446744073709551615".to_string()
            ),
        ]
    );
    for (w, tid) in tids.iter().enumerate() {
        let mine: Vec<&String> = lines[5..]
            .iter()
            .filter(|(t, _)| t == tid)
            .map(|(_, l)| l)
            .collect();
        let want: Vec<String> = (0..500)
            .map(|i| format!("disk_write dev worker{w} offset 0x{i:x} len 4096"))
            .collect();
        assert_eq!(
            mine,
            want.iter().collect::<Vec<_>>(),
            "worker {w}: whole lines, in order"
        );
    }
    assert_eq!(lines.len(), 5 + 4 * 500);
}
