//! Hostile dropped counts: three dropped records of 2^63 events each sum past
//! u64::MAX. Every total must say "overflow" instead of wrapping (release) or
//! panicking (debug, where these tests run with overflow checks on).

mod common;

use std::ffi::OsStr;
use std::io::Cursor;

use common::*;
use serde_json::Value;
use simpletrace::stats::{write_json, write_text, Stats};
use simpletrace::timeline::{ChromeTrace, HtmlTimeline};
use simpletrace::{process, Consumer, Filter, Reader, Selected};

const EVENTS: &str = "tick(int n)\n";
const HUGE: u64 = 1 << 63;

fn trace() -> Trace {
    Trace::v4()
        .mapping(1, "tick")
        .event(1, 1000, 7, &[A::I(1)])
        .dropped(2000, 7, HUGE)
        .dropped(3000, 7, HUGE)
        .dropped(4000, 7, HUGE)
}

fn run<C: Consumer>(consumer: C) -> C
where
    Selected<C>: simpletrace::Analyzer,
{
    let mut reader = Reader::new(Cursor::new(trace().bytes), table(EVENTS)).unwrap();
    let mut selected = Selected::new(Filter::default(), consumer);
    assert!(process(&mut reader, &mut selected).is_ok());
    selected.into_inner()
}

#[test]
fn stats_say_overflow_in_text_and_null_in_json() {
    let stats = run(Stats::default());
    assert_eq!(stats.dropped(), (3, None));
    let mut text = Vec::new();
    write_text(&stats, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(
            "dropped   overflow: more than 18446744073709551615 events (3 dropped records)"
        ),
        "{text}"
    );
    let mut json = Vec::new();
    write_json(&stats, &mut json).unwrap();
    let json: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["dropped_records"], 3);
    assert_eq!(json["dropped_events"], Value::Null);
    assert_eq!(json["dropped_events_overflow"], true);
}

#[test]
fn a_total_that_fits_is_exact() {
    let t = Trace::v4().dropped(1, 7, u64::MAX - 1).dropped(2, 7, 1);
    let mut reader = Reader::new(Cursor::new(t.bytes), table(EVENTS)).unwrap();
    let mut selected = Selected::new(Filter::default(), Stats::default());
    process(&mut reader, &mut selected).unwrap();
    let stats = selected.into_inner();
    assert_eq!(stats.dropped(), (2, Some(u64::MAX)));
    let mut json = Vec::new();
    write_json(&stats, &mut json).unwrap();
    let json: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["dropped_events"], u64::MAX);
    assert_eq!(json["dropped_events_overflow"], false);
}

#[test]
fn chrome_export_says_overflow_in_its_metadata() {
    let out = run(ChromeTrace::new(Vec::new())).into_inner().unwrap();
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["otherData"]["dropped_events"], Value::Null);
    assert_eq!(json["otherData"]["dropped_events_overflow"], true);
    let instants: Vec<&Value> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["cat"] == "dropped")
        .collect();
    assert_eq!(instants.len(), 3);
    assert!(instants.iter().all(|e| e["args"]["dropped"] == HUGE));
}

#[test]
fn html_export_completes() {
    let mut html = run(HtmlTimeline::new(Vec::new(), "t").unwrap());
    Consumer::end(&mut html).unwrap();
}

#[test]
fn every_cli_command_over_huge_drops_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&tr, trace().bytes).unwrap();
    std::fs::write(&ev, EVENTS).unwrap();
    let html = dir.path().join("o.html");
    let commands: [(&[&OsStr], &str); 4] = [
        (&["stats".as_ref()], "dropped   overflow: more than"),
        (
            &["stats".as_ref(), "--json".as_ref()],
            "\"dropped_events_overflow\": true",
        ),
        (
            &["export".as_ref(), "--chrome".as_ref(), "-".as_ref()],
            "\"dropped_events\":null,\"dropped_events_overflow\":true",
        ),
        (
            &["export".as_ref(), "--html".as_ref(), html.as_os_str()],
            "",
        ),
    ];
    for (command, expected) in commands {
        let mut args = command.to_vec();
        args.extend([ev.as_os_str(), tr.as_os_str()]);
        let out = run_cli(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{command:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{command:?}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(expected), "{command:?}: {stdout}");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("\"dropped_events_overflow\":true"));
}
