//! Arbitrary bytes as a v4 trace file, decoded against the events of the two
//! golden cases by every output analyzer, with a header and (on the bytes
//! after where the header would be) without one, as `--no-header` does.
//!
//! All formats must see the same records as the plain reader loop and stop
//! the same way; each record's text ends with a newline, and its JSON is one
//! valid JSON object on one line.

#![no_main]

use std::io;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use simpletrace::output::{Json, Log, Printer, RecordFormat, SimpletracePy};
use simpletrace::{process, Analyzer, EventTable, ProcessError, Reader, Record};

const HEADER_LEN: usize = trace_events::v4::HEADER_LEN;

const CASE1: &str = include_str!("../fixtures/case1.trace-events");
const CASE2: &str = include_str!("../fixtures/case2.trace-events");

fn table() -> EventTable {
    static TABLE: OnceLock<EventTable> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut events = Vec::new();
            for (name, text) in [("case1", CASE1), ("case2", CASE2)] {
                let parsed = trace_events::parse_str(name, text);
                assert!(!parsed.has_errors(), "fixture {name} does not parse");
                events.extend(parsed.file.events);
            }
            EventTable::new(events)
        })
        .clone()
}

#[derive(Clone, Copy)]
enum Mode {
    Header,
    NoHeader,
}

/// How a run ended: records processed, and the error text if any (a
/// truncation warning or a read error).
type Outcome = (u64, Option<String>);

fn run<A: Analyzer<Error = io::Error>>(data: &[u8], mode: Mode, analyzer: &mut A) -> Outcome {
    let mut reader = match mode {
        Mode::Header => match Reader::new(data, table()) {
            Ok(reader) => reader,
            Err(error) => return (0, Some(error.to_string())),
        },
        Mode::NoHeader => Reader::headerless(data, table()),
    };
    match process(&mut reader, analyzer) {
        Ok(summary) => (summary.records, summary.truncated.map(|e| e.to_string())),
        Err(ProcessError::Read(error)) => (u64::MAX, Some(error.to_string())),
        Err(ProcessError::Analyzer(error)) => panic!("writing to memory failed: {error}"),
    }
}

/// Records the plain reader loop yields, and its error.
fn count_records(data: &[u8], mode: Mode) -> Outcome {
    let mut reader = match mode {
        Mode::Header => match Reader::new(data, table()) {
            Ok(reader) => reader,
            Err(error) => return (0, Some(error.to_string())),
        },
        Mode::NoHeader => Reader::headerless(data, table()),
    };
    let mut records = 0;
    loop {
        match reader.next_record() {
            Ok(Some(record)) => {
                // The owned copy and the argument walk must agree with the view.
                let owned = record.to_owned();
                assert_eq!(owned.args.len(), record.args().count());
                records += 1;
            }
            Ok(None) => return (records, None),
            Err(error) => {
                // Finished after an error.
                assert!(matches!(reader.next_record(), Ok(None)));
                let records = if error.is_truncation() {
                    records
                } else {
                    u64::MAX
                };
                return (records, Some(error.to_string()));
            }
        }
    }
}

/// Formats each record on its own and checks the text (the CLI's `Printer`
/// only batches the same text into large writes).
struct EachRecord<F> {
    format: F,
    text: Vec<u8>,
    is_json: bool,
}

impl<F: RecordFormat> EachRecord<F> {
    fn new(format: F, is_json: bool) -> Self {
        Self {
            format,
            text: Vec::new(),
            is_json,
        }
    }
}

impl<F: RecordFormat> Analyzer for EachRecord<F> {
    type Error = io::Error;

    fn catchall(&mut self, record: &Record<'_>) -> io::Result<()> {
        self.text.clear();
        self.format.format(record, None, &mut self.text);
        assert_eq!(
            self.text.last(),
            Some(&b'\n'),
            "a record's text ends its line"
        );
        if self.is_json {
            let line = &self.text[..self.text.len() - 1];
            assert!(!line.contains(&b'\n'), "a JSON record spans lines");
            // Validate without building a tree (that would dominate the run time).
            if let Err(e) = serde_json::from_slice::<IgnoredAny>(line) {
                panic!("invalid JSON {:?}: {e}", String::from_utf8_lossy(line));
            }
            assert_eq!(line.first(), Some(&b'{'), "a record is a JSON object");
        }
        Ok(())
    }
}

fn check(data: &[u8], mode: Mode) {
    let expected = count_records(data, mode);
    let mut printer = Printer::new(SimpletracePy::default(), io::sink());
    assert_eq!(run(data, mode, &mut printer), expected, "CLI printer");
    let mut py = EachRecord::new(SimpletracePy::default(), false);
    assert_eq!(run(data, mode, &mut py), expected, "simpletrace.py output");
    let mut log = EachRecord::new(Log::default(), false);
    assert_eq!(run(data, mode, &mut log), expected, "log output");
    let mut json = EachRecord::new(Json, true);
    assert_eq!(run(data, mode, &mut json), expected, "json output");
}

fuzz_target!(|data: &[u8]| {
    check(data, Mode::Header);
    check(data.get(HEADER_LEN..).unwrap_or_default(), Mode::NoHeader);
});
