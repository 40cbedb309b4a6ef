//! Random bytes and random mutations of the golden traces never panic the
//! reader (nor any output format); they end in records, an error, or the end.

mod common;

use std::sync::OnceLock;

use common::*;
use proptest::prelude::*;
use simpletrace::output::{Json, Log, Printer, SimpletracePy};
use simpletrace::{process, Analyzer, EventTable, Reader};

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
