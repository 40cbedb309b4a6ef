//! [`Stats`] as a text report or one JSON object.

use std::io::{self, Write};

use serde_json::json;

use super::Stats;

/// Durations with a unit a person reads at a glance.
fn human_ns(ns: u64) -> String {
    match ns {
        0..=999 => format!("{ns} ns"),
        1_000..=999_999 => format!("{:.3} us", ns as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.3} ms", ns as f64 / 1e6),
        _ => format!("{:.3} s", ns as f64 / 1e9),
    }
}

fn opt_ns(ns: Option<u64>) -> String {
    ns.map_or_else(|| "-".to_string(), human_ns)
}

/// The text report of `simpletrace stats`.
pub fn write_text(stats: &Stats, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "records   {} events on {} thread(s); {} runtime records not counted",
        stats.records(),
        stats.threads(),
        stats.runtime_records()
    )?;
    match stats.span_ns() {
        Some((first, last)) => writeln!(
            out,
            "duration  {} (timestamps {first} .. {last} ns)",
            human_ns(last - first)
        )?,
        None => writeln!(out, "duration  -")?,
    }
    let (dropped_records, dropped_events) = stats.dropped();
    match dropped_events {
        Some(events) => writeln!(
            out,
            "dropped   {events} events ({dropped_records} dropped records)"
        )?,
        None => writeln!(
            out,
            "dropped   overflow: more than {} events ({dropped_records} dropped records)",
            u64::MAX
        )?,
    }
    let events = stats.events();
    if !events.is_empty() {
        let width = events
            .iter()
            .map(|e| e.name.len())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            out,
            "\n{:width$}  {:>10}  {:>6}  {:>12}",
            "event", "count", "share", "rate/s"
        )?;
        for e in events {
            let rate = stats
                .rate(e.count)
                .map_or_else(|| "-".to_string(), |r| format!("{r:.1}"));
            writeln!(
                out,
                "{:width$}  {:>10}  {:>5.1}%  {:>12}",
                e.name,
                e.count,
                stats.share(e.count),
                rate
            )?;
        }
    }
    let calls = stats.calls();
    if !calls.is_empty() {
        let width = calls.iter().map(|c| c.name.len()).max().unwrap_or(0).max(4);
        writeln!(
            out,
            "\n{:width$}  {:>8}  {:>11}  {:>11}  {:>11}  {:>11}  {:>8}  {:>8}  {:>9}",
            "call", "calls", "min", "median", "p99", "max", "cut", "unclosed", "unmatched"
        )?;
        for c in calls {
            writeln!(
                out,
                "{:width$}  {:>8}  {:>11}  {:>11}  {:>11}  {:>11}  {:>8}  {:>8}  {:>9}",
                c.name,
                c.calls,
                opt_ns(c.min_ns()),
                opt_ns(c.quantile_ns(0.5)),
                opt_ns(c.quantile_ns(0.99)),
                opt_ns(c.max_ns()),
                c.cut_by_drop,
                c.unclosed,
                c.unmatched_exits
            )?;
        }
    }
    Ok(())
}

/// The same figures as one JSON object (times in ns). `dropped_events` is
/// `null`, and `dropped_events_overflow` true, when the total exceeds
/// `u64::MAX` (a corrupt trace).
pub fn write_json(stats: &Stats, out: &mut impl Write) -> io::Result<()> {
    let (dropped_records, dropped_events) = stats.dropped();
    let events: Vec<_> = stats
        .events()
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "count": e.count,
                "share_percent": stats.share(e.count),
                "rate_per_s": stats.rate(e.count),
            })
        })
        .collect();
    let calls: Vec<_> = stats
        .calls()
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "calls": c.calls,
                "min_ns": c.min_ns(),
                "median_ns": c.quantile_ns(0.5),
                "p99_ns": c.quantile_ns(0.99),
                "max_ns": c.max_ns(),
                "cut_by_drop": c.cut_by_drop,
                "unclosed": c.unclosed,
                "unmatched_exits": c.unmatched_exits,
            })
        })
        .collect();
    let value = json!({
        "records": stats.records(),
        "runtime_records": stats.runtime_records(),
        "threads": stats.threads(),
        "first_ns": stats.span_ns().map(|s| s.0),
        "last_ns": stats.span_ns().map(|s| s.1),
        "duration_ns": stats.duration_ns(),
        "dropped_records": dropped_records,
        "dropped_events": dropped_events,
        "dropped_events_overflow": dropped_events.is_none(),
        "events": events,
        "calls": calls,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}
