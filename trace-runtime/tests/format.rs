//! End to end in one process: header, mapping records, event records field by
//! field, `trace_thread`, flush and the guard's final flush.

mod common;

use common::*;
use trace_runtime::__private::{record, str_arg_len, EVENTS};
use trace_runtime::{Config, EventState, StartError, TraceStr};

event!(
    EV_PING,
    "test_ping",
    available = true,
    [
        ("uint32_t", "a", U32),
        ("const char *", "s", STR),
        ("int32_t", "d", I32)
    ]
);
event!(EV_NOARGS, "test_noargs", available = true, []);
event!(
    EV_QUIET,
    "test_quiet",
    available = true,
    [("uint64_t", "x", U64)]
);
event!(
    EV_GONE,
    "test_gone",
    available = false,
    [("uint64_t", "x", U64)]
);

/// What `trace_events!` generates for `test_ping(uint32_t a, const char *s, int32_t d)`.
fn test_ping(a: u32, s: impl TraceStr, d: i32) {
    let state = EV_PING.state();
    if state & 1 != 0 {
        let s = s.trace_bytes();
        record(state, 16 + str_arg_len(s.len()), |p| {
            p.u64(a as u64);
            p.str(s);
            p.u64(d as i64 as u64);
        });
    }
}

fn test_noargs() {
    let state = EV_NOARGS.state();
    if state & 1 != 0 {
        record(state, 0, |_| {});
    }
}

fn test_quiet(x: u64) {
    let state = EV_QUIET.state();
    if state & 1 != 0 {
        record(state, 8, |p| p.u64(x));
    }
}

/// The decoder reads QEMU's own traces as `simpletrace.py` did (names, deltas, pids).
#[test]
fn decoder_agrees_with_simpletrace_py_on_golden_traces() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/golden/simpletrace"
    );
    for case in ["case1", "case2"] {
        let bytes = std::fs::read(format!("{dir}/{case}/trace.bin")).unwrap();
        let expected = std::fs::read(format!("{dir}/{case}/expected.txt")).unwrap();
        let expected: Vec<&[u8]> = expected
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let t = decode(&bytes);
        assert_eq!(t.header, [HEADER_EVENT_ID, HEADER_MAGIC, 4]);
        assert_eq!(t.records.len(), expected.len(), "{case}");
        let mut prev = None;
        for (r, line) in t.records.iter().zip(&expected) {
            let delta = prev.map_or(0, |p| r.timestamp_ns as i64 - p as i64);
            prev = Some(r.timestamp_ns);
            let head = format!("{} {:.3} pid={}", t.name(r), delta as f64 / 1000.0, r.pid);
            assert!(
                line.starts_with(head.as_bytes()),
                "{case}: {head:?} vs {:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}

#[test]
fn trace_file_decodes_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.trace");
    assert_eq!(
        trace_runtime::event_state("test_ping"),
        Some(EventState::Disabled)
    );
    test_ping(1, "not started", 1); // state 0: nothing records before start

    let guard = Config::new()
        .file(&path)
        .disable("test_quiet")
        .start()
        .unwrap();
    assert!(matches!(
        Config::new().file(dir.path().join("y")).start(),
        Err(StartError::AlreadyStarted)
    ));
    assert_eq!(guard.path(), path);
    assert_eq!(
        trace_runtime::event_state("test_ping"),
        Some(EventState::Enabled)
    );
    assert_eq!(
        trace_runtime::event_state("test_quiet"),
        Some(EventState::Disabled)
    );
    assert_eq!(
        trace_runtime::event_state("test_gone"),
        Some(EventState::Unavailable)
    );
    assert_eq!(trace_runtime::event_state("nope"), None);
    assert!(trace_runtime::set_event_enabled("test_gone", true).is_err());

    let long = vec![b'x'; 600];
    let before = monotonic_ns();
    let tid = std::thread::Builder::new()
        .name("pinger".into())
        .spawn(move || {
            test_ping(7, "hello", -2);
            test_quiet(99);
            test_noargs();
            test_ping(u32::MAX, &long[..], i32::MIN);
            gettid()
        })
        .unwrap()
        .join()
        .unwrap();
    let after = monotonic_ns();

    // flush: everything recorded so far is in the file while still running.
    trace_runtime::flush();
    let t = decode(&std::fs::read(&path).unwrap());
    assert_eq!(t.program_records().len(), 3);

    // Enabled at run time; recorded before the guard is dropped.
    trace_runtime::set_event_enabled("test_quiet", true).unwrap();
    test_quiet(5);
    drop(guard);
    test_noargs(); // after stop: not recorded

    let status = trace_runtime::status().unwrap();
    assert_eq!(
        (status.written, status.dropped, status.write_errors),
        (4, 0, 0)
    );

    let t = decode(&std::fs::read(&path).unwrap());
    assert_eq!(t.header, [HEADER_EVENT_ID, HEADER_MAGIC, 4]);

    // A mapping for every event in the program, unavailable ones included, IDs
    // being their index in EVENTS, before any event record.
    let mut want: Vec<(u64, String)> = EVENTS
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, e.meta.name.to_string()))
        .collect();
    let mut got = t.mappings.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    for name in [
        "test_ping",
        "test_noargs",
        "test_quiet",
        "test_gone",
        "trace_thread",
    ] {
        assert!(t.names.values().any(|n| n == name), "{name} mapped");
    }

    let pid = std::process::id();
    for r in &t.records {
        assert_eq!(r.pid, pid);
        assert_eq!(r.length as usize, 24 + r.payload.len());
    }

    // Each writer pass puts a `trace_thread` record before a thread's records
    // of that pass: the pinger's three may come in one pass or in more (a
    // pass between two of them: seen under emulation), never attributed to
    // another thread, never a `trace_thread` with none of its records after.
    let mut thread: Option<(u64, Vec<u8>)> = None;
    let mut attributed = Vec::new();
    for (i, r) in t.records.iter().enumerate() {
        if t.name(r) == "trace_thread" {
            let mut a = Args::new(&r.payload);
            thread = Some((a.u64(), a.str()));
            assert!(a.done());
            let next = t.records.get(i + 1).expect("a record after trace_thread");
            assert_ne!(
                t.name(next),
                "trace_thread",
                "a thread record with no records"
            );
            assert_eq!(
                r.timestamp_ns, next.timestamp_ns,
                "the batch's first timestamp"
            );
        } else {
            let (tid, name) = thread.clone().expect("a trace_thread before any record");
            attributed.push((t.name(r), tid, name));
        }
    }
    let by_thread: Vec<(&str, u64)> = attributed.iter().map(|(e, tid, _)| (*e, *tid)).collect();
    assert_eq!(
        by_thread,
        [
            ("test_ping", tid),
            ("test_noargs", tid),
            ("test_ping", tid),
            ("test_quiet", gettid()), // this thread
        ]
    );
    for (_, _, name) in &attributed[..3] {
        assert_eq!(name, b"pinger");
    }
    let t_records = t.program_records();

    let ping = t_records[0];
    let mut a = Args::new(&ping.payload);
    assert_eq!(a.u64(), 7);
    assert_eq!(a.str(), b"hello");
    assert_eq!(
        a.u64(),
        (-2i64) as u64,
        "signed arguments are sign-extended"
    );
    assert!(a.done());

    assert!(t_records[1].payload.is_empty());
    assert_eq!(t_records[1].length, 24);

    let mut a = Args::new(&t_records[2].payload);
    assert_eq!(a.u64(), 0xffff_ffff);
    assert_eq!(
        a.str(),
        vec![b'x'; 512],
        "strings are truncated to 512 bytes"
    );
    assert_eq!(a.u64(), i32::MIN as i64 as u64);
    assert!(a.done());

    let stamps: Vec<u64> = t_records[0..3].iter().map(|r| r.timestamp_ns).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
    // CLOCK_MONOTONIC ns (10 µs slack for the TSC scale once calibrated).
    let slack = 10_000;
    assert!(
        before - slack <= stamps[0] && stamps[2] <= after + slack,
        "{before} <= {stamps:?} <= {after}"
    );

    let mut a = Args::new(&t_records[3].payload);
    assert_eq!(a.u64(), 5);
}
