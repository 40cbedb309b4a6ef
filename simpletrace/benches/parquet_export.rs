//! `export --parquet` on a varied trace: QEMU's whole `trace-events-all`
//! plus a `work_enter`/`work_exit` pair with call ids, and 400,000 records
//! on four threads (a `trace_thread` record before each batch of 64, as our
//! runtime writes them): one in five a call's enter or exit, the rest drawn
//! from all of QEMU's events with random integers and strings of 0 to 100
//! bytes, 1% dropped records. Both tables are written (to a sink), so this
//! is reading, pairing, Arrow batches and Parquet encoding with Snappy.

use std::io::{self, Write};

mod common;

use common::{corpus_events_file, random_payload, Rng};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simpletrace::columnar::{ParquetExport, ParquetOptions};
use simpletrace::{process, EventTable, Filter, Reader, Selected};

const RECORDS: usize = 400_000;
const PAIR: &str = "\
trace_thread(uint64_t tid, const char *name) \"tid %\" PRIu64 \" name %s\"
work_enter(uint64_t call_id, int depth) \"call %\" PRIu64 \" depth %d\"
work_exit(uint64_t call_id, int ret) \"call %\" PRIu64 \" ret %d\"
";

fn record(out: &mut Vec<u8>, id: u64, ts: u64, payload: &[u8]) {
    out.extend(1u64.to_le_bytes());
    out.extend(id.to_le_bytes());
    out.extend(ts.to_le_bytes());
    out.extend((24 + payload.len() as u32).to_le_bytes());
    out.extend(4242u32.to_le_bytes());
    out.extend(payload);
}

fn build_trace(table: &EventTable, rng: &mut Rng) -> Vec<u8> {
    let events = table.declared();
    let mut out = Vec::new();
    for word in [u64::MAX, 0xf2b1_77cb_0aa4_29b4, 4] {
        out.extend(word.to_le_bytes());
    }
    for (id, event) in events.iter().enumerate() {
        out.extend(0u64.to_le_bytes());
        out.extend((id as u64).to_le_bytes());
        out.extend((event.name.len() as u32).to_le_bytes());
        out.extend(event.name.as_bytes());
    }
    let id_of = |name: &str| events.iter().rposition(|e| e.name == name).unwrap() as u64;
    let (thread, enter, exit) = (
        id_of("trace_thread"),
        id_of("work_enter"),
        id_of("work_exit"),
    );
    let alphabet: [&[u8]; 6] = [b"a", b"Z", b"0", b" ", b"\xc3\xa9", b"\xff"];
    let mut ts = 1_000_000_000u64;
    // Per thread, the ids of its open calls.
    let mut open: [Vec<u64>; 4] = Default::default();
    let mut next_call = 1u64;
    let mut tid = 0usize;
    for i in 0..RECORDS {
        ts += [1, 17, 1000][rng.below(3)];
        if i % 64 == 0 {
            tid = rng.below(4);
            let name = format!("vcpu-{tid}");
            let mut payload = (100 + tid as u64).to_le_bytes().to_vec();
            payload.extend((name.len() as u32).to_le_bytes());
            payload.extend(name.as_bytes());
            record(&mut out, thread, ts, &payload);
            continue;
        }
        let calls = &mut open[tid];
        match rng.below(10) {
            0 if calls.len() < 8 => {
                calls.push(next_call);
                let mut payload = next_call.to_le_bytes().to_vec();
                payload.extend((calls.len() as u64).to_le_bytes());
                record(&mut out, enter, ts, &payload);
                next_call += 1;
            }
            1 if !calls.is_empty() => {
                let id = calls.pop().unwrap();
                let mut payload = id.to_le_bytes().to_vec();
                payload.extend(0u64.to_le_bytes());
                record(&mut out, exit, ts, &payload);
            }
            _ if rng.below(100) == 0 => record(&mut out, u64::MAX - 1, ts, &1u64.to_le_bytes()),
            _ => {
                let j = rng.below(events.len());
                let payload = random_payload(rng, &events[j].args, &alphabet, |rng| {
                    vec![0, 1, u64::MAX, rng.next(), rng.next() & 0xffff]
                });
                record(&mut out, j as u64, ts, &payload);
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let events_file = corpus_events_file(PAIR);
    let table = EventTable::load(&[events_file.path()]).unwrap().0;

    let trace = build_trace(&table, &mut Rng(0x9e37_79b9_7f4a_7c15));
    let mut trace_file = tempfile::NamedTempFile::new().unwrap();
    trace_file.write_all(&trace).unwrap();
    let trace_path = trace_file.path().to_path_buf();

    let mut group = c.benchmark_group("parquet_400k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("records_and_calls", |b| {
        b.iter(|| {
            let mut export =
                ParquetExport::new(io::sink(), Some(io::sink()), ParquetOptions::default())
                    .unwrap();
            let mut reader = Reader::open(&trace_path, table.clone()).unwrap();
            let mut rows = Selected::new(Filter::default(), export.file("trace"));
            process(&mut reader, &mut rows).unwrap();
            drop(rows);
            export.finish().unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
