//! Reader CLI details: comma lists in `--events`/`--thread`/`--pid`, warnings
//! for selectors that match nothing, the thread and time of every JSON record
//! and of `--format log --timestamps` lines (also when `--from` cuts away the
//! `trace_thread` records), and readable errors.

mod common;

use std::ffi::OsStr;

use common::*;
use serde_json::Value;

/// Runs the CLI on `threaded_trace()`: (status, stdout, stderr).
fn threaded(args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&tr, threaded_trace().bytes).unwrap();
    std::fs::write(&ev, THREADED_EVENTS).unwrap();
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend([ev.as_os_str(), tr.as_os_str()]);
    let out = run_cli(&all);
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn names(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect()
}

#[test]
fn events_take_comma_separated_patterns() {
    let (ok, comma, stderr) = threaded(&["--events", "tick,lock_*,-lock_exit"]);
    assert!(ok, "{stderr}");
    assert_eq!(
        names(&comma),
        ["lock_enter", "tick", "lock_enter", "tick"],
        "{comma}"
    );
    let (_, repeated, _) = threaded(&[
        "--events",
        "tick",
        "--events",
        "lock_*",
        "--events",
        "-lock_exit",
    ]);
    assert_eq!(comma, repeated);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn threads_and_pids_take_comma_lists() {
    let (ok, stdout, stderr) = threaded(&["--thread", "12,nosuch", "--events", "io_enter"]);
    assert!(ok, "{stderr}");
    assert_eq!(names(&stdout), ["io_enter"]);
    let (_, stdout, _) = threaded(&["--pid", "1,100", "--events", "tick"]);
    assert_eq!(names(&stdout), ["tick", "tick"]);
}

#[test]
fn selectors_matching_nothing_are_warnings() {
    for command in [&[][..], &["stats"], &["export", "--chrome", "-"]] {
        let mut args = command.to_vec();
        args.extend(["--events", "tick,jb_*", "--thread", "main,nosuch"]);
        let (ok, _, stderr) = threaded(&args);
        assert!(ok, "{command:?}: {stderr}");
        let warnings: Vec<&str> = stderr.lines().collect();
        assert_eq!(
            warnings,
            [
                "simpletrace: warning: --events 'jb_*' matches no event in the trace",
                "simpletrace: warning: --thread 'nosuch' matches no thread in the trace",
            ],
            "{command:?}"
        );
    }
    // An exclusion that excludes nothing is pointless too (likely a typo).
    let (_, _, stderr) = threaded(&["--events", "-tik"]);
    assert_eq!(
        stderr,
        "simpletrace: warning: --events '-tik' matches no event in the trace\n"
    );
}

#[test]
fn a_thread_filter_on_a_trace_without_threads_says_why() {
    let case = golden_case("case1");
    let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
    let args = [
        OsStr::new("--thread"),
        OsStr::new("1"),
        ev.as_os_str(),
        tr.as_os_str(),
    ];
    let out = run_cli(&args);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "simpletrace: warning: --thread '1' matches no thread in the trace \
         (it has no trace_thread records: threads are known only in traces written by trace-runtime)\n"
    );
}

fn json_records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_records_carry_thread_and_time_even_after_from_cuts_the_thread_records() {
    // The worker's trace_thread record is at 900: cut away by --from 950.
    let (ok, stdout, stderr) =
        threaded(&["--format", "json", "--from", "950", "--events", "io_enter"]);
    assert!(ok, "{stderr}");
    let records = json_records(&stdout);
    let got: Vec<(u64, &str, u64)> = records
        .iter()
        .map(|r| {
            (
                r["tid"].as_u64().unwrap(),
                r["thread"].as_str().unwrap(),
                r["timestamp_ns"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (11, "main", 1000),
            (12, "worker-1", 950),
            (11, "main", 1400)
        ]
    );
}

#[test]
fn json_records_of_unknown_threads_have_null_tid() {
    let case = golden_case("case1");
    let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
    let args = [
        OsStr::new("--format"),
        OsStr::new("json"),
        ev.as_os_str(),
        tr.as_os_str(),
    ];
    let out = run_cli(&args);
    let records = json_records(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(records.len(), 400);
    for r in &records {
        // Present, and null: the schema is the same for every trace.
        assert_eq!(r.get("tid"), Some(&Value::Null));
        assert_eq!(r.get("thread"), Some(&Value::Null));
        assert!(r["timestamp_ns"].is_u64());
    }
}

#[test]
fn log_timestamps_are_qemus_tid_at_seconds_dot_micros() {
    let (ok, stdout, stderr) = threaded(&[
        "--format",
        "log",
        "--timestamps",
        "--from",
        "950",
        "--events",
        "io_*,tick",
    ]);
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout,
        "11@0.000001:io_enter fd 3\n\
         11@0.000001:tick n 1\n\
         12@0.000000:io_enter fd 4\n\
         12@0.000000:io_exit ret 0\n\
         11@0.000001:io_exit ret -5\n\
         11@0.000001:io_enter fd 5\n\
         11@0.000001:tick n 2\n"
    );
}

#[test]
fn log_timestamps_split_seconds_and_micros_and_fall_back_to_the_pid() {
    let trace = Trace::v4()
        .mapping(1, "tick")
        .event(1, 12_345_678_901, 4242, &[A::I(7)]);
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&tr, trace.bytes).unwrap();
    std::fs::write(&ev, "tick(int n) \"n %d\"\n").unwrap();
    let args = [
        OsStr::new("--format"),
        OsStr::new("log"),
        OsStr::new("--timestamps"),
        ev.as_os_str(),
        tr.as_os_str(),
    ];
    let out = run_cli(&args);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "4242@12.345678:tick n 7\n"
    );
}

#[test]
fn timestamps_need_the_log_format() {
    let (ok, _, stderr) = threaded(&["--timestamps"]);
    assert!(!ok);
    assert!(stderr.contains("--timestamps"), "{stderr}");
}
