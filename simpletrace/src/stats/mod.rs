//! Statistics of a trace: per event the count, share and rate; the time
//! span; dropped totals; for enter/exit pairs the calls and their latency
//! (calls cut by a dropped record are counted apart).
//! Memory is bounded: counts per event, a histogram per pair, and the open
//! calls of each thread.

mod report;

use hdrhistogram::Histogram;

use crate::timeline::{Call, Closed, Ending, PairId, Pairs, Role, Tracks};
use crate::{Consumer, Record, Thread};

pub use report::{write_json, write_text};

/// Significant decimal digits the latency quantiles keep (values below 2048
/// ns are exact; above, within 0.1%).
const LATENCY_DIGITS: u8 = 3;

/// How often one event was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCount {
    /// The event's name.
    pub name: String,
    /// Records of the event in the trace (or in the selection).
    pub count: u64,
}

/// Calls of one enter/exit pair.
#[derive(Debug, Clone)]
pub struct CallStats {
    /// `X` of `X_enter`/`X_exit`.
    pub name: String,
    /// Calls that ended with their exit (their latency is measured).
    pub calls: u64,
    /// Calls closed without their exit: an outer call ended first, or the
    /// trace did.
    pub unclosed: u64,
    /// Calls open on a thread when a dropped record came (their exit may be
    /// among the lost events): not in the latencies.
    pub cut_by_drop: u64,
    /// Exits with no call of theirs open on the thread.
    pub unmatched_exits: u64,
    latency: Histogram<u64>,
}

impl CallStats {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            calls: 0,
            unclosed: 0,
            cut_by_drop: 0,
            unmatched_exits: 0,
            // Auto-resizing: any u64 latency fits.
            latency: Histogram::new(LATENCY_DIGITS).unwrap_or_else(|_| unreachable_histogram()),
        }
    }

    /// `record` grows the auto-resizing histogram; `saturating_record` would
    /// clamp to the current top (2 ns before the first resize) instead.
    fn record_latency(&mut self, ns: u64) {
        if self.latency.record(ns).is_err() {
            self.latency.saturating_record(ns);
        }
    }

    /// The shortest measured call; `None` when no call ended with its exit.
    pub fn min_ns(&self) -> Option<u64> {
        (self.calls > 0).then(|| self.latency.min())
    }

    /// The longest measured call; `None` when no call ended with its exit.
    pub fn max_ns(&self) -> Option<u64> {
        (self.calls > 0).then(|| self.latency.max())
    }

    /// The latency at `quantile` (0..=1), within the histogram's precision.
    pub fn quantile_ns(&self, quantile: f64) -> Option<u64> {
        (self.calls > 0).then(|| self.latency.value_at_quantile(quantile))
    }
}

/// `Histogram::new(3)` only fails for more than 5 digits.
fn unreachable_histogram() -> Histogram<u64> {
    Histogram::new(1).expect("1 significant digit is always valid")
}

/// A [`Consumer`] gathering statistics; read them after the run.
#[derive(Debug, Default)]
pub struct Stats {
    pairs: Pairs,
    tracks: Tracks,
    closed: Vec<Closed>,
    /// By event index.
    by_event: Vec<Option<EventCount>>,
    calls: Vec<CallStats>,
    records: u64,
    runtime_records: u64,
    span: Option<(u64, u64)>,
    dropped_records: u64,
    /// Exact: a trace has fewer than 2^60 records of at most 2^64 each.
    dropped_events: u128,
}

impl Stats {
    /// Program event records counted (dropped and runtime records are not).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// `trace_thread` and `trace_event_decl` records seen.
    pub fn runtime_records(&self) -> u64 {
        self.runtime_records
    }

    /// First and last timestamp of the counted and dropped records.
    pub fn span_ns(&self) -> Option<(u64, u64)> {
        self.span
    }

    /// Time from the first to the last record (see [`Stats::span_ns`]); 0 when
    /// there is none.
    pub fn duration_ns(&self) -> u64 {
        self.span.map_or(0, |(first, last)| last - first)
    }

    /// Threads seen (a trace without thread records counts one per pid).
    pub fn threads(&self) -> usize {
        self.tracks.len()
    }

    /// Dropped records, and the events they say were lost: `None` when that
    /// total exceeds `u64::MAX` (only a corrupt or hostile trace says so).
    pub fn dropped(&self) -> (u64, Option<u64>) {
        (
            self.dropped_records,
            u64::try_from(self.dropped_events).ok(),
        )
    }

    /// Events by decreasing count (then name).
    pub fn events(&self) -> Vec<&EventCount> {
        let mut events: Vec<&EventCount> = self.by_event.iter().flatten().collect();
        events.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        events
    }

    /// Events per second over the span (`None` for an empty span).
    pub fn rate(&self, count: u64) -> Option<f64> {
        let ns = self.duration_ns();
        (ns > 0).then(|| count as f64 * 1e9 / ns as f64)
    }

    /// Share of the counted records, in percent.
    pub fn share(&self, count: u64) -> f64 {
        if self.records == 0 {
            0.0
        } else {
            count as f64 * 100.0 / self.records as f64
        }
    }

    /// Enter/exit pairs in order of first appearance.
    pub fn calls(&self) -> &[CallStats] {
        &self.calls
    }

    fn call(&mut self, pair: PairId) -> &mut CallStats {
        let i = pair.0 as usize;
        while self.calls.len() <= i {
            let name = self.pairs.name(PairId(self.calls.len() as u32)).to_string();
            self.calls.push(CallStats::new(&name));
        }
        &mut self.calls[i]
    }

    fn count_closed(&mut self) {
        let closed = std::mem::take(&mut self.closed);
        for c in &closed {
            let call = self.call(c.call.pair);
            match c.ending {
                Ending::Exit => {
                    call.calls += 1;
                    call.record_latency(c.end - c.start);
                }
                Ending::Unclosed => call.unclosed += 1,
                Ending::CutByDrop => call.cut_by_drop += 1,
            }
        }
        self.closed = closed;
        self.closed.clear();
    }
}

impl Consumer for Stats {
    type Error = std::convert::Infallible;

    fn record(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> Result<(), Self::Error> {
        let role = self.pairs.role(record);
        if role == Role::Runtime {
            self.runtime_records += 1;
            return Ok(());
        }
        let key = (record.pid, thread.map_or(u64::from(record.pid), |t| t.tid));
        let ts = self.tracks.at(key, record.timestamp_ns);
        let raw = record.timestamp_ns;
        self.span = Some(match self.span {
            Some((first, last)) => (first.min(raw), last.max(raw)),
            None => (raw, raw),
        });
        if role == Role::Dropped {
            if let Some(ts) = ts {
                let mut closed = std::mem::take(&mut self.closed);
                self.tracks.cut(key, ts, &mut closed);
                self.closed = closed;
                self.count_closed();
            }
            self.dropped_records += 1;
            self.dropped_events += u128::from(record.dropped_count().unwrap_or(0));
            return Ok(());
        }
        self.records += 1;
        let index = record.index.get();
        if self.by_event.len() <= index {
            self.by_event.resize(index + 1, None);
        }
        self.by_event[index]
            .get_or_insert_with(|| EventCount {
                name: record.name().to_string(),
                count: 0,
            })
            .count += 1;
        match (role, ts) {
            (Role::Enter(pair, ids), Some(ts)) => {
                self.call(pair);
                self.tracks.enter(key, Call::of(record, pair, ids), ts);
            }
            (Role::Exit(pair, ids), Some(ts)) => {
                let call = Call::of(record, pair, ids);
                let mut closed = std::mem::take(&mut self.closed);
                if !self.tracks.exit(key, call, ts, &mut closed) {
                    self.call(pair).unmatched_exits += 1;
                }
                self.closed = closed;
                self.count_closed();
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), Self::Error> {
        let mut closed = std::mem::take(&mut self.closed);
        self.tracks.finish(&mut closed);
        self.closed = closed;
        self.count_closed();
        Ok(())
    }
}
