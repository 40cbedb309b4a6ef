//! Decoding throughput: a 200,000-record trace made by repeating the records of
//! golden case 1 (every kind: integers, strings, dropped records), decoded from
//! a temp file to a sink.

use std::fs;
use std::hint::black_box;
use std::io::{self, Write};
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simpletrace::output::{Json, Log, Printer, SimpletracePy};
use simpletrace::timeline::{ChromeTrace, PerfettoTrace};
use simpletrace::{process, Analyzer, EventTable, Filter, Reader, Selected};

const CASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/golden/simpletrace/case1"
);
const RECORDS: usize = 200_000;

/// Header and mapping records, then the event records repeated.
fn build_trace(golden: &[u8]) -> (Vec<u8>, usize) {
    let mut at = 24;
    while u64::from_le_bytes(golden[at..at + 8].try_into().unwrap()) == 0 {
        let len = u32::from_le_bytes(golden[at + 16..at + 20].try_into().unwrap()) as usize;
        at += 20 + len;
    }
    let records_per_copy = 400;
    let copies = RECORDS.div_ceil(records_per_copy);
    let mut trace = golden[..at].to_vec();
    for _ in 0..copies {
        trace.extend_from_slice(&golden[at..]);
    }
    (trace, copies * records_per_copy)
}

fn decode<A: Analyzer<Error = io::Error>>(
    path: &Path,
    table: &EventTable,
    analyzer: &mut A,
) -> u64 {
    let mut reader = Reader::open(path, table.clone()).unwrap();
    process(&mut reader, analyzer).unwrap().records
}

fn bench(c: &mut Criterion) {
    let golden = fs::read(format!("{CASE}/trace.bin")).unwrap();
    let table = EventTable::load(&[format!("{CASE}/trace-events")])
        .unwrap()
        .0;
    let (trace, records) = build_trace(&golden);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&trace).unwrap();
    let path = file.path().to_path_buf();

    let mut group = c.benchmark_group("decode_200k");
    group.sample_size(20);
    group.throughput(Throughput::Elements(records as u64));
    group.bench_function("records_only", |b| {
        b.iter(|| {
            let mut reader = Reader::open(&path, table.clone()).unwrap();
            let mut n = 0u64;
            while let Some(record) = reader.next_record().unwrap() {
                n += black_box(record.timestamp_ns) & 1;
            }
            n
        })
    });
    group.bench_function("simpletrace_py_text", |b| {
        b.iter(|| {
            decode(
                &path,
                &table,
                &mut Printer::new(SimpletracePy::default(), io::sink()),
            )
        })
    });
    group.bench_function("log_text", |b| {
        b.iter(|| decode(&path, &table, &mut Printer::new(Log::default(), io::sink())))
    });
    group.bench_function("json", |b| {
        b.iter(|| decode(&path, &table, &mut Printer::new(Json, io::sink())))
    });
    // The timeline exports, side by side.
    group.bench_function("export_chrome", |b| {
        b.iter(|| {
            let export = ChromeTrace::new(io::sink());
            decode(&path, &table, &mut Selected::new(Filter::default(), export))
        })
    });
    group.bench_function("export_perfetto", |b| {
        b.iter(|| {
            let export = PerfettoTrace::new(io::sink());
            decode(&path, &table, &mut Selected::new(Filter::default(), export))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
