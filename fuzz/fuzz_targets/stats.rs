//! Arbitrary bytes as a v4 trace (and, after offset 24, as a headerless one)
//! through `simpletrace stats`: the gathering and both reports.
//!
//! Besides no panic (overflow checks are on in fuzz builds): the per-event
//! counts add up to the record count, the span is ordered, each call's
//! latencies are ordered, the text report is UTF-8 and the JSON report is
//! valid JSON agreeing with the figures.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use simpletrace::stats::{write_json, write_text, Stats};
use simpletrace::{process, Filter, Reader, Selected};
use simpletrace_fuzz::trace_table::table;

const HEADER_LEN: usize = trace_events::v4::HEADER_LEN;

fn check(reader: Option<Reader<&[u8]>>) {
    let Some(mut reader) = reader else { return };
    let mut selected = Selected::new(Filter::default(), Stats::default());
    // A read error ends the run; what came before is still counted.
    let _ = process(&mut reader, &mut selected);
    let stats = selected.into_inner();

    let counted: u64 = stats.events().iter().map(|e| e.count).sum();
    assert_eq!(counted, stats.records());
    if let Some((first, last)) = stats.span_ns() {
        assert!(first <= last);
        assert_eq!(stats.duration_ns(), last - first);
    }
    for call in stats.calls() {
        if let (Some(min), Some(median), Some(max)) =
            (call.min_ns(), call.quantile_ns(0.5), call.max_ns())
        {
            assert!(min <= median && median <= max, "{min} {median} {max}");
        }
    }

    let mut text = Vec::new();
    write_text(&stats, &mut text).unwrap();
    assert!(std::str::from_utf8(&text).is_ok());

    let mut json = Vec::new();
    write_json(&stats, &mut json).unwrap();
    let json: Value = serde_json::from_slice(&json).expect("stats --json is JSON");
    let (dropped_records, dropped_events) = stats.dropped();
    assert_eq!(json["records"], stats.records());
    assert_eq!(json["dropped_records"], dropped_records);
    assert_eq!(json["dropped_events_overflow"], dropped_events.is_none());
    match dropped_events {
        Some(total) => assert_eq!(json["dropped_events"], total),
        None => assert!(json["dropped_events"].is_null()),
    }
}

fuzz_target!(|data: &[u8]| {
    check(Reader::new(data, table()).ok());
    let rest = data.get(HEADER_LEN..).unwrap_or_default();
    check(Some(Reader::headerless(rest, table())));
});
