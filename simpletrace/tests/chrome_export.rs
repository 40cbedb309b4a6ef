//! `simpletrace export --chrome`: the JSON's structure on traces with nesting,
//! drops and several threads, and on the golden traces against what
//! simpletrace.py printed for them.

mod common;

use std::ffi::OsStr;

use common::timeline::*;
use common::*;
use serde_json::Value;

fn export(trace: &Trace, events: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev, out) = (
        dir.path().join("t"),
        dir.path().join("e"),
        dir.path().join("o.json"),
    );
    std::fs::write(&tr, &trace.bytes).unwrap();
    std::fs::write(&ev, events).unwrap();
    export_files(&[ev.as_os_str(), tr.as_os_str()], &out, extra)
}

fn export_files(files: &[&OsStr], out: &std::path::Path, extra: &[&str]) -> Value {
    let mut args: Vec<&OsStr> = vec!["export".as_ref(), "--chrome".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    args.extend_from_slice(files);
    let run = run_cli(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

#[test]
fn threads_nesting_drops_and_unmatched_records() {
    let json = export(&threaded_trace(), THREADED_EVENTS, &[]);
    let t = timeline(&json);
    let (main, worker) = ((PID as u64, 11), (PID as u64, 12));
    assert_eq!(t.names[&main], "main");
    assert_eq!(t.names[&worker], "worker-1");
    assert_eq!(t.names.len(), 2, "{:?}", t.names);
    let unclosed = serde_json::json!({"unclosed": "closed without its exit"});
    // Ends in the order viewers see them: inner first.
    assert_eq!(
        t.slices[&main],
        [
            slice(
                "lock",
                1.1,
                1.2,
                serde_json::json!({}),
                serde_json::json!({})
            ),
            slice(
                "io",
                1.0,
                1.3,
                serde_json::json!({"fd": 3}),
                serde_json::json!({"ret": -5})
            ),
            // Never exited: closed at the trace's last timestamp.
            slice(
                "io",
                1.4,
                1.4,
                serde_json::json!({"fd": 5}),
                unclosed.clone()
            ),
        ]
    );
    assert_eq!(
        t.slices[&worker],
        [
            // io's exit came first: lock is closed with it, keeping the nesting.
            slice("lock", 0.96, 0.99, serde_json::json!({}), unclosed),
            slice(
                "io",
                0.95,
                0.99,
                serde_json::json!({"fd": 4}),
                serde_json::json!({"ret": 0})
            ),
        ]
    );
    let instants = |track| -> Vec<(&str, &str, f64, &Value)> {
        t.instants[&track]
            .iter()
            .map(|(n, c, ts, a)| (n.as_str(), c.as_str(), *ts, a))
            .collect()
    };
    assert_eq!(
        instants(main),
        [
            ("tick", "event", 1.25, &serde_json::json!({"n": 1})),
            // Recorded at 1350 ns, after an event at 1400 ns on its thread.
            ("tick", "event", 1.4, &serde_json::json!({"n": 2})),
        ]
    );
    assert_eq!(
        instants(worker),
        [
            (
                "dropped 5 events",
                "dropped",
                0.9,
                &serde_json::json!({"dropped": 5})
            ),
            ("lock_exit", "unmatched_exit", 0.995, &serde_json::json!({})),
            ("orphan_enter", "event", 0.996, &serde_json::json!({})),
        ]
    );
    assert_eq!(json["otherData"]["dropped_events"], 5);
}

#[test]
fn filters_apply_to_the_export() {
    let json = export(
        &threaded_trace(),
        THREADED_EVENTS,
        &["--thread", "worker-*", "--events", "-lock_*"],
    );
    let t = timeline(&json);
    assert_eq!(
        t.names.keys().copied().collect::<Vec<_>>(),
        [(PID as u64, 12)]
    );
    let names: Vec<&str> = t.slices[&(PID as u64, 12)]
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["io"]);
    let json = export(
        &threaded_trace(),
        THREADED_EVENTS,
        &["--from", "+100ns", "--to", "1300"],
    );
    let t = timeline(&json);
    // From 1000 + 100 ns to 1300 ns: main's lock pair, tick n=1, and io_exit
    // at 1300, unmatched now; nothing of the worker.
    assert_eq!(t.names.len(), 1);
    assert_eq!(t.slices[&(PID as u64, 11)].len(), 1);
    let cats: Vec<&str> = t.instants[&(PID as u64, 11)]
        .iter()
        .map(|i| i.1.as_str())
        .collect();
    assert_eq!(cats, ["event", "unmatched_exit"]);
}

/// One track (QEMU traces have no thread records), an instant per record with
/// the counts simpletrace.py printed, dropped counts summed, and timestamps
/// kept monotonic although the dropped records go back in time.
#[test]
fn golden_traces_export_every_record() {
    for case in golden_cases() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.json");
        let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
        let json = export_files(&[ev.as_os_str(), tr.as_os_str()], &out, &[]);
        let t = timeline(&json);
        let expected = expected_lines(&case);
        let pid = expected[0].pid as u64;
        assert_eq!(t.names.keys().copied().collect::<Vec<_>>(), [(pid, pid)]);
        let instants = &t.instants[&(pid, pid)];
        let events: Vec<&str> = instants
            .iter()
            .filter(|i| i.1 == "event")
            .map(|i| i.0.as_str())
            .collect();
        let want: Vec<&str> = expected
            .iter()
            .filter(|l| l.name != "Dropped_Event")
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(events, want, "{}", case.display());
        let dropped: u64 = instants
            .iter()
            .filter(|i| i.1 == "dropped")
            .map(|i| i.3["dropped"].as_u64().unwrap())
            .sum();
        let want: u64 = expected
            .iter()
            .filter(|l| l.name == "Dropped_Event")
            .map(|l| {
                u64::from_str_radix(l.args.strip_prefix("num_events_dropped=0x").unwrap(), 16)
                    .unwrap()
            })
            .sum();
        assert_eq!(dropped, want);
        assert_eq!(json["otherData"]["dropped_events"], want);
    }
}

/// `--html` embeds exactly the `--chrome` JSON, with `<` escaped so no
/// string can end the script element.
#[test]
fn html_page_embeds_the_chrome_json() {
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    // A thread name that would end a script element if written raw.
    let trace = threaded_trace()
        .event(0, 2000, PID, &[A::I(13), A::S(b"</script><b>")])
        .event(5, 2001, PID, &[A::I(3)]);
    std::fs::write(&tr, &trace.bytes).unwrap();
    std::fs::write(&ev, THREADED_EVENTS).unwrap();
    let (json_out, html_out) = (dir.path().join("o.json"), dir.path().join("o.html"));
    let json = export_files(&[ev.as_os_str(), tr.as_os_str()], &json_out, &[]);
    let args: Vec<&OsStr> = vec![
        "export".as_ref(),
        "--html".as_ref(),
        html_out.as_os_str(),
        ev.as_os_str(),
        tr.as_os_str(),
    ];
    let run = run_cli(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&html_out).unwrap();
    let start = html
        .find(r#"<script type="application/json" id="trace">"#)
        .unwrap();
    let body = &html[start..];
    let body = &body[body.find('>').unwrap() + 1..];
    let embedded = &body[..body.find("</script>").unwrap()];
    assert!(!embedded.contains('<'));
    let embedded: Value = serde_json::from_str(embedded).unwrap();
    assert_eq!(embedded, json);
    assert_eq!(timeline(&embedded).names[&(PID as u64, 13)], "</script><b>");
    assert!(
        !html.contains("src=") && !html.contains("href=") && !html.contains("fetch("),
        "self-contained: loads nothing"
    );
}

/// A dropped record ends every call still open on its thread, there, marked
/// as cut by the drop: a lost exit does not stretch a call to the next one.
#[test]
fn a_drop_cuts_the_calls_open_on_its_thread() {
    let json = export(&dropped_exit_trace(), THREADED_EVENTS, &[]);
    let t = timeline(&json);
    let (main, worker) = ((PID as u64, 11), (PID as u64, 12));
    let cut = serde_json::json!({"cut_by_drop": true});
    assert_eq!(
        t.slices[&worker],
        [
            slice("lock", 1.01, 1.02, serde_json::json!({}), cut.clone()),
            slice("io", 1.0, 1.02, serde_json::json!({"fd": 4}), cut),
        ]
    );
    // Another thread's call is not cut by this thread's drop.
    assert_eq!(
        t.slices[&main],
        [slice(
            "io",
            1.005,
            5.0,
            serde_json::json!({"fd": 3}),
            serde_json::json!({"ret": 0})
        )]
    );
    let cats: Vec<&str> = t.instants[&worker].iter().map(|i| i.1.as_str()).collect();
    assert_eq!(cats, ["dropped", "event"]);
}

/// `async_call_id` calls are async slices (`b`/`e` with the id), paired by
/// id on any thread of the process; `call_id` calls nest, paired by id.
#[test]
fn calls_with_ids_are_paired_by_id() {
    let json = export(&call_id_trace(), CALL_ID_EVENTS, &[]);
    let t = timeline(&json);
    let (main, worker) = ((PID as u64, 11), (PID as u64, 12));
    let ids = |track| -> Vec<(u64, f64, f64)> {
        t.async_slices[&track]
            .iter()
            .map(|s| {
                assert_eq!(s.name, "fetch");
                assert_eq!(s.args["async_call_id"], s.end_args["async_call_id"]);
                (s.args["key"].as_u64().unwrap(), s.start, s.end)
            })
            .collect()
    };
    assert_eq!(ids(main), [(0, 1.0, 1.02), (1, 1.01, 2.0)]);
    assert_eq!(ids(worker), [(2, 1.03, 1.5)]);
    let async_events: Vec<&Value> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "b" || e["ph"] == "e")
        .collect();
    assert!(async_events.iter().all(|e| e["cat"] == "async_call"));
    assert_eq!(async_events[0]["id"], "0x7");
    let steps: Vec<(f64, f64, &Value)> = t.slices[&main]
        .iter()
        .map(|s| (s.start, s.end, &s.end_args))
        .collect();
    let unclosed = serde_json::json!({"unclosed": "closed without its exit"});
    assert_eq!(
        steps,
        [
            (1.11, 1.2, &unclosed),
            (1.1, 1.2, &serde_json::json!({"call_id": 1}))
        ]
    );
}
