//! Arbitrary bytes as a v4 trace through the binary exports: `--perfetto`,
//! `--otlp` and `--parquet` (both tables).
//!
//! Besides no panic (overflow checks are on in fuzz builds): the Perfetto
//! trace and every OTLP request are well-formed protobuf at the top level
//! (each field's tag, wire type and length within the bytes, ending exactly
//! at the end); each OTLP request is a non-empty `ExportTraceServiceRequest`;
//! both Parquet files read back through the `parquet` crate with as many rows
//! as the export says it wrote.

#![no_main]

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use parquet::file::reader::{FileReader, SerializedFileReader};
use simpletrace::columnar::{ParquetExport, ParquetOptions};
use simpletrace::timeline::otlp::Requests;
use simpletrace::timeline::{read_field, OtlpOptions, OtlpTrace, PerfettoTrace, WireValue};
use simpletrace::{process, Analyzer, Consumer, Filter, Reader, Selected};
use simpletrace_fuzz::trace_table::table;

/// The top-level fields of a protobuf message, as (field number, wire
/// type); panics unless they cover `bytes` exactly.
fn fields(mut bytes: &[u8]) -> Vec<(u64, u64)> {
    let total = bytes.len();
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let at = total - bytes.len();
        let (field, value) =
            read_field(&mut bytes).unwrap_or_else(|| panic!("a malformed field at byte {at}"));
        let wire = match value {
            WireValue::Varint(_) => 0,
            WireValue::Fixed64(_) => 1,
            WireValue::Bytes(_) => 2,
            WireValue::Fixed32(_) => 5,
        };
        out.push((field, wire));
    }
    out
}

/// Runs `consumer` over the trace in `data`, closing it as the CLI does
/// after a read error; `None` when the header is not a trace's.
fn export<C: Consumer<Error = io::Error>>(data: &[u8], consumer: C) -> Option<C> {
    let mut reader = Reader::new(data, table()).ok()?;
    let mut selected = Selected::new(Filter::default(), consumer);
    if process(&mut reader, &mut selected).is_err() {
        selected.end().unwrap();
    }
    Some(selected.into_inner())
}

fn perfetto(data: &[u8]) {
    let Some(trace) = export(data, PerfettoTrace::new(Vec::new())) else {
        return;
    };
    let out = trace.into_inner().unwrap();
    // A `Trace`: packets (field 1) only.
    assert!(fields(&out).iter().all(|&f| f == (1, 2)));
}

/// The OTLP requests, kept.
struct Kept(Vec<Vec<u8>>);

impl Requests for Kept {
    fn send(&mut self, request: &[u8]) -> io::Result<()> {
        self.0.push(request.to_vec());
        Ok(())
    }
}

fn otlp(data: &[u8]) {
    let options = OtlpOptions {
        // Small, so that inputs span several requests.
        batch_bytes: 512,
        ..OtlpOptions::default()
    };
    let Some(trace) = export(data, OtlpTrace::new(Kept(Vec::new()), options)) else {
        return;
    };
    for request in trace.into_draw().into_requests().0 {
        // An `ExportTraceServiceRequest`: resource spans (field 1) only.
        let top = fields(&request);
        assert!(!top.is_empty(), "an empty request");
        assert!(top.iter().all(|&f| f == (1, 2)));
    }
}

/// A file in memory that the export's table threads can own.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn rows(file: &Shared) -> u64 {
    let bytes = Bytes::from(file.0.lock().unwrap().clone());
    let reader = SerializedFileReader::new(bytes).expect("a Parquet file");
    let rows = reader.metadata().file_metadata().num_rows();
    u64::try_from(rows).unwrap()
}

fn parquet(data: &[u8]) {
    if Reader::new(data, table()).is_err() {
        return;
    }
    let (records, calls) = (Shared::default(), Shared::default());
    let options = ParquetOptions {
        // Small, so that inputs span several batches and row groups.
        batch_rows: 7,
        row_group_rows: 16,
        ..ParquetOptions::default()
    };
    let mut export = ParquetExport::new(records.clone(), Some(calls.clone()), options).unwrap();
    {
        let mut reader = Reader::new(data, table()).unwrap();
        let mut selected = Selected::new(Filter::default(), export.file("fuzz"));
        if process(&mut reader, &mut selected).is_err() {
            selected.end().unwrap();
        }
    }
    let written = export.finish().unwrap();
    assert_eq!(rows(&records), written.records);
    assert_eq!(rows(&calls), written.calls);
}

fuzz_target!(|data: &[u8]| {
    perfetto(data);
    otlp(data);
    parquet(data);
});
