//! `simpletrace stats`: figures worked out by hand for a threaded trace, and
//! on the golden traces the counts, span and dropped totals of what
//! simpletrace.py printed.

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;

use common::*;
use simpletrace::stats::Stats;
use simpletrace::{process, Filter, Reader, Selected};

fn stats(trace: &Trace, events: &str, filter: Filter) -> Stats {
    let mut reader = Reader::new(Cursor::new(trace.bytes.clone()), table(events)).unwrap();
    let mut selected = Selected::new(filter, Stats::default());
    process(&mut reader, &mut selected).unwrap();
    selected.into_inner()
}

fn counts(stats: &Stats) -> Vec<(&str, u64)> {
    stats
        .events()
        .iter()
        .map(|e| (e.name.as_str(), e.count))
        .collect()
}

/// Statistics of one thread's `io` calls, one after the other, lasting
/// `latencies` ns each.
fn io_calls(latencies: impl IntoIterator<Item = u64>) -> Stats {
    let mut t = Trace::v4().mapping(1, "io_enter").mapping(2, "io_exit");
    let mut ts = 0;
    for latency in latencies {
        t = t
            .event(1, ts, 1, &[A::I(0)])
            .event(2, ts + latency, 1, &[A::I(0)]);
        ts += latency + 1;
    }
    stats(
        &t,
        "io_enter(int fd)\nio_exit(int ret)\n",
        Filter::default(),
    )
}

#[test]
fn counts_span_drops_and_call_latencies() {
    let s = stats(&threaded_trace(), THREADED_EVENTS, Filter::default());
    assert_eq!(
        counts(&s),
        [
            ("io_enter", 3),
            ("io_exit", 2),
            ("lock_enter", 2),
            ("lock_exit", 2),
            ("tick", 2),
            ("orphan_enter", 1)
        ]
    );
    assert_eq!(s.records(), 12);
    assert_eq!(s.runtime_records(), 3, "trace_thread records");
    assert_eq!(s.threads(), 2);
    assert_eq!(s.dropped(), (1, Some(5)));
    assert_eq!(s.span_ns(), Some((900, 1400)));
    assert_eq!(s.share(3), 25.0);
    assert_eq!(s.rate(3), Some(3.0 * 1e9 / 500.0));
    let calls: Vec<_> = s
        .calls()
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.calls,
                c.min_ns(),
                c.quantile_ns(0.5),
                c.quantile_ns(0.99),
                c.max_ns(),
                c.unclosed,
                c.unmatched_exits,
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            // main 1000..1300 and worker 950..990; main's last never exits.
            ("io", 2, Some(40), Some(40), Some(300), Some(300), 1, 0),
            // main 1100..1200; the worker's is closed by io's exit, and its
            // own exit then has nothing to end.
            ("lock", 1, Some(100), Some(100), Some(100), Some(100), 1, 1),
        ]
    );
}

/// Calls cut by a drop (their exit may be among the lost events) are counted
/// apart and left out of the latencies.
#[test]
fn calls_cut_by_a_drop_are_counted_apart() {
    let s = stats(&dropped_exit_trace(), THREADED_EVENTS, Filter::default());
    let calls: Vec<_> = s
        .calls()
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.calls,
                c.max_ns(),
                c.cut_by_drop,
                c.unclosed,
            )
        })
        .collect();
    assert_eq!(
        calls,
        [("io", 1, Some(3995), 1, 0), ("lock", 0, None, 1, 0)]
    );
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&tr, &dropped_exit_trace().bytes).unwrap();
    std::fs::write(&ev, THREADED_EVENTS).unwrap();
    let text = run_cli(&["stats".as_ref(), ev.as_os_str(), tr.as_os_str()]);
    let text = String::from_utf8(text.stdout).unwrap();
    let header = text.lines().find(|l| l.starts_with("call ")).unwrap();
    assert!(header.split_whitespace().any(|w| w == "cut"), "{text}");
    let json = run_cli(&[
        "stats".as_ref(),
        "--json".as_ref(),
        ev.as_os_str(),
        tr.as_os_str(),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["calls"][0]["cut_by_drop"], 1);
    assert_eq!(json["calls"][0]["max_ns"], 3995);
}

/// Calls that carry ids are paired by id: overlapping async calls, one that
/// ends on another thread, and a nested call whose inner call lost its exit.
#[test]
fn calls_with_ids_are_paired_by_id() {
    let s = stats(&call_id_trace(), CALL_ID_EVENTS, Filter::default());
    let calls: Vec<_> = s
        .calls()
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.calls,
                c.min_ns(),
                c.max_ns(),
                c.unclosed,
                c.unmatched_exits,
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            // 7: 1000..1020, 9: 1030..1500 (thread 12 to 11), 8: 1010..2000.
            ("fetch", 3, Some(20), Some(990), 0, 0),
            // 1: 1100..1200; 2 never exits.
            ("step", 1, Some(100), Some(100), 1, 0),
        ]
    );
}

#[test]
fn latency_quantiles_over_many_calls() {
    // 1000 calls of 1..=1000 ns on one thread.
    let s = io_calls(1..=1000);
    let io = &s.calls()[0];
    assert_eq!(
        (io.calls, io.min_ns(), io.max_ns()),
        (1000, Some(1), Some(1000))
    );
    // Values below 2048 are exact in a 3-digit histogram.
    assert_eq!(io.quantile_ns(0.5), Some(500));
    assert_eq!(io.quantile_ns(0.99), Some(990));
}

#[test]
fn long_latencies_are_not_clamped() {
    // Calls of 3 us, 1 ms and 2 s: far above a fresh histogram's first bucket.
    let s = io_calls([3_000, 1_000_000, 2_000_000_000]);
    let io = &s.calls()[0];
    let within = |got: Option<u64>, want: u64| {
        let got = got.unwrap() as f64;
        (got - want as f64).abs() <= want as f64 * 1e-3
    };
    assert_eq!(io.calls, 3);
    assert!(within(io.min_ns(), 3_000), "min {:?}", io.min_ns());
    assert!(
        within(io.quantile_ns(0.5), 1_000_000),
        "median {:?}",
        io.quantile_ns(0.5)
    );
    assert!(within(io.max_ns(), 2_000_000_000), "max {:?}", io.max_ns());
}

#[test]
fn filters_select_what_is_counted() {
    let worker = Filter::default().thread(simpletrace::filter::ThreadSelector::parse("12"));
    let s = stats(&threaded_trace(), THREADED_EVENTS, worker);
    // io_enter, lock_enter, io_exit, lock_exit, orphan_enter (and its drop).
    assert_eq!(s.records(), 5);
    assert_eq!(s.dropped(), (1, Some(5)));
    assert_eq!(s.threads(), 1);
    let s = stats(
        &threaded_trace(),
        THREADED_EVENTS,
        Filter::default().event("io_*").event("-io_exit"),
    );
    assert_eq!(counts(&s), [("io_enter", 3)]);
    assert_eq!(
        s.calls()[0].unclosed,
        3,
        "no exits kept: all closed at the end"
    );
    let s = stats(
        &threaded_trace(),
        THREADED_EVENTS,
        Filter::default().pid(PID + 1),
    );
    assert_eq!(s.records(), 0);
    assert_eq!(s.span_ns(), None);
}

#[test]
fn golden_counts_span_and_drops_equal_simpletrace_py() {
    for case in golden_cases() {
        let s = {
            let mut reader = Reader::open(case.join("trace.bin"), golden_table(&case)).unwrap();
            let mut selected = Selected::new(Filter::default(), Stats::default());
            process(&mut reader, &mut selected).unwrap();
            selected.into_inner()
        };
        let expected = expected_lines(&case);
        let mut want: BTreeMap<&str, u64> = BTreeMap::new();
        for line in expected.iter().filter(|l| l.name != "Dropped_Event") {
            *want.entry(&line.name).or_default() += 1;
        }
        let got: BTreeMap<&str, u64> = counts(&s).into_iter().collect();
        assert_eq!(got, want, "{}", case.display());
        let first = expected.iter().map(|l| l.t_ns).min().unwrap();
        let last = expected.iter().map(|l| l.t_ns).max().unwrap();
        assert_eq!(i128::from(s.duration_ns()), last - first);
        let dropped: Vec<u64> = expected
            .iter()
            .filter(|l| l.name == "Dropped_Event")
            .map(|l| {
                u64::from_str_radix(l.args.strip_prefix("num_events_dropped=0x").unwrap(), 16)
                    .unwrap()
            })
            .collect();
        assert_eq!(
            s.dropped(),
            (dropped.len() as u64, Some(dropped.iter().sum()))
        );
    }
}

#[test]
fn cli_text_and_json_reports() {
    let case = golden_case("case1");
    let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
    let json = run_cli(&[
        "stats".as_ref(),
        "--json".as_ref(),
        ev.as_os_str(),
        tr.as_os_str(),
    ]);
    assert!(json.status.success());
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let records = expected_lines(&case)
        .iter()
        .filter(|l| l.name != "Dropped_Event")
        .count();
    assert_eq!(json["records"], records);
    let text = run_cli(&["stats".as_ref(), ev.as_os_str(), tr.as_os_str()]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with(&format!("records   {records} events on 1 thread(s)")),
        "{text}"
    );
    // Every event row names its count; the first is the most frequent.
    let top = &json["events"][0];
    let row = text
        .lines()
        .find(|l| l.starts_with(top["name"].as_str().unwrap()))
        .unwrap();
    assert!(row.contains(&format!(" {} ", top["count"])), "{row}");
}
