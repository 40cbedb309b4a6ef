//! Random bytes and random mutations of the golden traces never panic the
//! reader (nor any output format, the statistics or the exports); they end in
//! records, an error, or the end. `cargo test` builds with overflow checks,
//! so a sum that could wrap on hostile counts fails here.

mod common;

use std::sync::OnceLock;

use common::*;
use proptest::prelude::*;
use simpletrace::output::{Json, Log, Printer, SimpletracePy};
use simpletrace::stats::{write_json, write_text, Stats};
use simpletrace::timeline::{ChromeTrace, HtmlTimeline, PerfettoTrace};
use simpletrace::{process, Analyzer, Consumer, EventTable, Filter, Reader, Selected};

fn golden() -> &'static (Vec<u8>, EventTable) {
    static GOLDEN: OnceLock<(Vec<u8>, EventTable)> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let case = golden_case("case1");
        (
            std::fs::read(case.join("trace.bin")).unwrap(),
            golden_table(&case),
        )
    })
}

fn run<A: Analyzer<Error = std::io::Error>>(bytes: &[u8], headerless: bool, analyzer: &mut A) {
    let table = golden().1.clone();
    let mut reader = if headerless {
        Reader::headerless(bytes, table)
    } else {
        match Reader::new(bytes, table) {
            Ok(reader) => reader,
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        }
    };
    if let Err(e) = process(&mut reader, analyzer) {
        let _ = e.to_string();
    }
}

fn run_all(bytes: &[u8], headerless: bool) {
    run(
        bytes,
        headerless,
        &mut Printer::new(SimpletracePy::default(), Vec::new()),
    );
    run(
        bytes,
        headerless,
        &mut Printer::new(Log::default(), Vec::new()),
    );
    run(bytes, headerless, &mut Printer::new(Json, Vec::new()));
    // The consumers, with threads followed and a selection applied.
    let select = || Filter::default().event("-tick*");
    let json = Printer::new(Json, Vec::new());
    run(bytes, headerless, &mut Selected::new(select(), json));
    let log = Printer::new(Log::with_timestamps(), Vec::new());
    run(bytes, headerless, &mut Selected::new(select(), log));
    run(
        bytes,
        headerless,
        &mut Selected::new(select(), ChromeTrace::new(Vec::new())),
    );
    run(
        bytes,
        headerless,
        &mut Selected::new(select(), PerfettoTrace::new(Vec::new())),
    );
    let html = HtmlTimeline::new(Vec::new(), "t").unwrap();
    run(bytes, headerless, &mut Selected::new(select(), html));
    let mut stats = Selected::new(select(), Infallible(Stats::default()));
    run(bytes, headerless, &mut stats);
    let stats = stats.into_inner().0;
    write_text(&stats, &mut Vec::new()).unwrap();
    write_json(&stats, &mut Vec::new()).unwrap();
}

/// `Stats` with the `io::Error` that `run` expects.
struct Infallible(Stats);

impl Consumer for Infallible {
    type Error = std::io::Error;

    fn record(
        &mut self,
        record: &simpletrace::Record<'_>,
        thread: Option<&simpletrace::Thread>,
    ) -> std::io::Result<()> {
        let Ok(()) = self.0.record(record, thread);
        Ok(())
    }

    fn end(&mut self) -> std::io::Result<()> {
        let Ok(()) = self.0.end();
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048), headerless: bool) {
        run_all(&bytes, headerless);
        // Behind a valid header too, so the record decoder sees the noise.
        let mut with_header = Trace::v4().bytes;
        with_header.extend_from_slice(&bytes);
        run_all(&with_header, false);
    }

    #[test]
    fn mutated_golden_trace(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = golden().0.clone();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let len = cut.index(bytes.len() + 1);
        run_all(&bytes[..len], false);
        run_all(&bytes, false);
    }
}
