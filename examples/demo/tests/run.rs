//! The demo run as a user runs it (its binary, no options): it prints its
//! trace twice, briefly, and the trace's timeline (what the README's
//! screenshots show) nests each worker's calls serve > handle_request >
//! cache_lookup, with the trace-events events inside handle_request.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// The demo binary goes through the target's runner (qemu-user in `.ci/run`).
#[path = "../../../trace-runtime/tests/runner/mod.rs"]
mod runner;

use serde_json::Value;
use simpletrace::timeline::ChromeTrace;
use simpletrace::{process, EventTable, Filter, Reader, Selected};

/// Run the demo writing its trace in a fresh directory: (stdout, trace path).
fn run_demo() -> (String, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let out = runner::output(
        runner::target_command(env!("CARGO_BIN_EXE_demo"))
            .arg(&path)
            .env_remove(trace_runtime::OPTIONS_ENV),
    )
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), path, dir)
}

/// The lines of `stdout` between `heading` and the next blank line or the end.
fn section<'a>(stdout: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = stdout.lines().skip_while(|l| *l != heading);
    assert_eq!(lines.next(), Some(heading), "{stdout}");
    lines.take_while(|l| !l.is_empty()).collect()
}

#[test]
fn prints_the_trace_twice_in_under_80_lines() {
    let (stdout, _, _dir) = run_demo();
    assert!(stdout.lines().count() < 80, "{stdout}");
    let py = section(&stdout, "== as QEMU's simpletrace.py prints it ==");
    let log = section(&stdout, "== as QEMU's log backend prints it ==");
    assert_eq!(py.len(), log.len(), "{stdout}");
    // Same records in the same order: the event name starts every line.
    let names = |lines: &[&str]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&py), names(&log));
    let count = |name: &str| names(&log).iter().filter(|n| *n == name).count();
    assert_eq!(count("serve_enter"), 2, "{stdout}");
    assert_eq!(count("handle_request_exit"), 4, "{stdout}");
    assert_eq!(count("cache_lookup_enter"), 4, "{stdout}");

    // The checksum printed first is the one demo_finish recorded.
    let checksum = stdout
        .strip_prefix("checksum ")
        .and_then(|s| s.split(';').next())
        .unwrap();
    assert!(
        log.contains(&format!("demo_finish requests 4 checksum {checksum}").as_str()),
        "{stdout}"
    );
    // The one bad sector fails with -EIO, formatted by the declared format.
    let failed: Vec<_> = log.iter().filter(|l| l.ends_with(" ret -5")).collect();
    assert_eq!(failed.len(), 1, "{stdout}");
    assert!(failed[0].starts_with("request_complete req 0x"), "{stdout}");
}

/// The trace as Chrome trace-event JSON, as `simpletrace export --chrome` writes it.
fn chrome_json(path: &Path) -> Value {
    let mut reader = Reader::open(path, EventTable::new([])).unwrap();
    let mut export = Selected::new(Filter::default(), ChromeTrace::new(Vec::new()));
    process(&mut reader, &mut export).unwrap();
    serde_json::from_slice(&export.into_inner().into_inner().unwrap()).unwrap()
}

/// What happened on one thread's track, in order: `B name` with the call
/// depth, `E name ret` and `i name inside-which-call`.
fn track_story(events: &[&Value]) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut story = Vec::new();
    for e in events {
        let name = e["name"].as_str().unwrap().to_string();
        match e["ph"].as_str().unwrap() {
            "B" => {
                story.push(format!("B {name} {}", open.len()));
                open.push(name);
            }
            "E" => {
                assert!(e["args"].get("unclosed").is_none(), "{e}");
                let begun = open.pop().expect("an E closes an open call");
                story.push(format!("E {begun} {}", e["args"]["ret"]));
            }
            "i" => {
                assert_eq!(e["cat"], "event", "{e}");
                story.push(format!("i {name} in {}", open.last().map_or("-", |s| s)));
            }
            ph => panic!("unexpected phase {ph}: {e}"),
        }
    }
    assert!(open.is_empty(), "calls left open: {open:?}");
    story
}

#[test]
fn timeline_nests_each_workers_calls_with_the_declared_events_inside() {
    let (_, path, _dir) = run_demo();
    let json = chrome_json(&path);
    let events = json["traceEvents"].as_array().unwrap();
    let mut names = BTreeMap::new();
    let mut tracks: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for e in events {
        let tid = e["tid"].as_u64().unwrap();
        match e["ph"].as_str().unwrap() {
            "M" if e["name"] == "thread_name" => {
                names.insert(e["args"]["name"].as_str().unwrap().to_string(), tid);
            }
            "M" => {}
            _ => tracks.entry(tid).or_default().push(e),
        }
    }
    // "demo", or the runner's name under emulation (qemu-user's main
    // thread), or "main" on Windows (std names it).
    let main = runner::main_thread_name("demo");
    let mut want = vec![main.as_str(), "worker-0", "worker-1"];
    want.sort();
    assert_eq!(names.keys().collect::<Vec<_>>(), want);
    let story = |thread: &str| track_story(&tracks[&names[thread]]);

    assert_eq!(story(&main), ["i demo_start in -", "i demo_finish in -"]);
    // worker-0: sector 0 (cached), sector 8 (read from the disk).
    // worker-1: sector 1000 (the bad one: -EIO), sector 1008 (cached).
    let expected = |requests: [(bool, i32); 2]| {
        let mut story = vec!["B serve 0".to_string()];
        for (hit, ret) in requests {
            story.extend([
                "B handle_request 1".to_string(),
                "i request_submit in handle_request".into(),
                "B cache_lookup 2".into(),
                format!("E cache_lookup {hit}"),
                "i request_complete in handle_request".into(),
                format!("E handle_request {ret}"),
            ]);
        }
        story.push("E serve null".into());
        story
    };
    assert_eq!(story("worker-0"), expected([(true, 0), (false, 0)]));
    assert_eq!(story("worker-1"), expected([(false, -5), (true, 0)]));
    assert_eq!(json["otherData"]["dropped_events"], 0);
}
