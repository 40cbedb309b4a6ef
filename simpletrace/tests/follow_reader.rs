//! A growing reader (`Reader::growing`, what `--follow` reads with) given a
//! trace in pieces, as a writer's writes land: a header or record cut short
//! is waited for, not reported, so the records decoded equal those of the
//! finished file; corrupt data is still an error, and once the writer is
//! gone a cut record is truncation.

mod common;

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use common::*;
use simpletrace::output::{Json, Printer, RecordFormat, SimpletracePy};
use simpletrace::{process, Analyzer, EventTable, ReadError, Reader};

/// A file being appended to: reads return what was appended so far, then
/// end (0), until more is appended.
#[derive(Clone, Default)]
struct Appended {
    bytes: Rc<RefCell<Vec<u8>>>,
    read: usize,
}

impl Appended {
    fn append(&self, more: &[u8]) {
        self.bytes.borrow_mut().extend_from_slice(more);
    }
}

impl Read for Appended {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let bytes = self.bytes.borrow();
        let n = (bytes.len() - self.read).min(out.len());
        out[..n].copy_from_slice(&bytes[self.read..self.read + n]);
        self.read += n;
        Ok(n)
    }
}

/// Deterministic chunk sizes (xorshift), 1..=max.
struct Chunks(u64);

impl Chunks {
    fn next(&mut self, max: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        1 + (self.0 % max as u64) as usize
    }
}

/// Every record `reader` has whole, printed.
fn drain<F: RecordFormat>(
    reader: &mut Reader<Appended>,
    printer: &mut Printer<F, Vec<u8>>,
) -> Result<usize, ReadError> {
    let mut n = 0;
    while let Some(record) = reader.next_record()? {
        printer.catchall(&record).unwrap();
        n += 1;
    }
    Ok(n)
}

/// `trace` appended in chunks of 1..=max bytes (the first ones a few bytes,
/// so the header comes in parts), decoded after each: the output of the
/// finished file, and every record was decoded before the end.
fn decode_in_chunks<F: RecordFormat>(
    trace: &[u8],
    table: impl Fn() -> EventTable,
    format: impl Fn() -> F,
    seed: u64,
    max: usize,
) {
    let mut whole = Printer::new(format(), Vec::new());
    let mut reader = Reader::new(trace, table()).unwrap();
    let summary = process(&mut reader, &mut whole).unwrap();
    assert!(summary.truncated.is_none());
    let whole = whole.into_inner().unwrap();

    let file = Appended::default();
    let mut reader = Reader::growing(file.clone(), table());
    let mut printer = Printer::new(format(), Vec::new());
    let mut chunks = Chunks(seed);
    let mut at = 0;
    let mut decoded = 0;
    let mut cut = 0;
    while at < trace.len() {
        let n = if at < 24 { 5 } else { chunks.next(max) };
        let end = (at + n).min(trace.len());
        file.append(&trace[at..end]);
        at = end;
        decoded += drain(&mut reader, &mut printer).unwrap();
        // Everything before the last record boundary was decoded.
        if reader.offset() < at as u64 {
            cut += 1;
        }
    }
    assert!(cut > 10, "the chunks should cut records: {cut}");
    assert_eq!(decoded as u64, summary.records);
    reader.finish_growing();
    assert_eq!(drain(&mut reader, &mut printer).unwrap(), 0);
    assert!(printer.into_inner().unwrap() == whole, "seed {seed}");
}

#[test]
fn golden_traces_in_pieces_decode_as_the_finished_files() {
    for case in golden_cases() {
        let trace = std::fs::read(case.join("trace.bin")).unwrap();
        for (seed, max) in [(1, 7), (2, 60), (3, 700)] {
            decode_in_chunks(
                &trace,
                || golden_table(&case),
                SimpletracePy::default,
                seed,
                max,
            );
            decode_in_chunks(&trace, || golden_table(&case), || Json, seed, max);
        }
    }
}

#[test]
fn a_self_describing_trace_in_pieces_learns_its_declarations() {
    // Declarations and mappings come in pieces too, after records.
    let trace = Trace::v4()
        .mapping(0, "trace_event_decl")
        .mapping(1, "early")
        .event(
            0,
            1,
            7,
            &[
                A::I(1),
                A::S(b"early(uint64_t n, const char *s) \"n %lu s %s\""),
            ],
        )
        .event(1, 2, 7, &[A::I(5), A::S(b"first")])
        .mapping(2, "late")
        .event(0, 3, 7, &[A::I(2), A::S(b"late(int x) \"x %d\"")])
        .event(2, 4, 7, &[A::I(u64::MAX)])
        .dropped(5, 7, 3)
        .event(1, 6, 7, &[A::I(6), A::S(b"second")])
        .bytes;
    for seed in 1..20 {
        decode_in_chunks(&trace, || EventTable::new([]), || Json, seed, 13);
    }
}

#[test]
fn corrupt_data_in_a_growing_trace_is_still_an_error() {
    let file = Appended::default();
    let mut reader = Reader::growing(file.clone(), table("a(int x)\n"));
    let trace = Trace::v4()
        .mapping(0, "a")
        .event(0, 1, 7, &[A::I(1)])
        .u64(9)
        .bytes;
    file.append(&trace[..trace.len() - 4]);
    assert_eq!(reader.next_record().unwrap().unwrap().timestamp_ns, 1);
    // Four bytes of the record type: not yet.
    assert!(reader.next_record().unwrap().is_none());
    file.append(&trace[trace.len() - 4..]);
    let error = reader.next_record().unwrap_err();
    assert!(
        matches!(error, ReadError::UnknownRecordType { record_type: 9, .. }),
        "{error}"
    );
}

#[test]
fn a_bad_header_is_an_error_once_whole() {
    let file = Appended::default();
    let mut reader = Reader::growing(file.clone(), table("a(int x)\n"));
    file.append(&Trace::with_header(u64::MAX, 1, 4).bytes[..20]);
    assert!(reader.next_record().unwrap().is_none());
    file.append(&[0; 4]);
    let error = reader.next_record().unwrap_err();
    assert!(matches!(error, ReadError::BadMagic { .. }), "{error}");
}

#[test]
fn once_the_writer_is_gone_a_cut_record_is_truncation() {
    let file = Appended::default();
    let mut reader = Reader::growing(file.clone(), table("a(int x)\n"));
    let trace = Trace::v4()
        .mapping(0, "a")
        .event(0, 1, 7, &[A::I(1)])
        .event(0, 2, 7, &[A::I(2)])
        .bytes;
    file.append(&trace[..trace.len() - 3]);
    assert_eq!(reader.next_record().unwrap().unwrap().timestamp_ns, 1);
    assert!(reader.next_record().unwrap().is_none());
    assert!(reader.next_record().unwrap().is_none());
    reader.finish_growing();
    let error = reader.next_record().unwrap_err();
    assert!(error.is_truncation(), "{error}");
    assert!(reader.next_record().unwrap().is_none());
}

/// Once the writer is gone the input's end is the trace's end: a header
/// cut short is then an error, and bytes appended after the end are not
/// read.
#[test]
fn a_finished_growing_trace_ends_at_its_end() {
    let trace = Trace::v4_mapped(&["a"]).bytes;
    let file = Appended::default();
    file.append(&trace[..10]);
    let mut reader = Reader::growing(file.clone(), table("a(int x)\n"));
    assert!(
        reader.next_record().unwrap().is_none(),
        "waits for the header"
    );
    reader.finish_growing();
    assert!(matches!(
        reader.next_record(),
        Err(ReadError::ShortHeader { .. })
    ));

    let file = Appended::default();
    file.append(&trace);
    let mut reader = Reader::growing(file.clone(), table("a(int x)\n"));
    assert!(reader.next_record().unwrap().is_none());
    reader.finish_growing();
    assert!(reader.next_record().unwrap().is_none(), "the end");
    file.append(&Trace::default().event(0, 1, 7, &[A::I(4)]).bytes);
    assert!(reader.next_record().unwrap().is_none(), "still the end");
}

#[test]
fn a_growing_trace_without_header_is_read_by_position() {
    let file = Appended::default();
    let mut reader = Reader::headerless_growing(file.clone(), table("a(int x)\nb(int y)\n"));
    let trace = Trace::default().event(1, 1, 7, &[A::I(4)]).bytes;
    file.append(&trace[..10]);
    assert!(reader.next_record().unwrap().is_none());
    file.append(&trace[10..]);
    assert_eq!(reader.next_record().unwrap().unwrap().name(), "b");
}
