//! The reader on a varied trace: QEMU's whole `trace-events-all` (every
//! corpus file, sorted by path, concatenated as QEMU's build does) and
//! 200,000 records drawn from all of its events, like
//! `shared/tools/mk_trace.py` writes them (random integers, strings of 0 to
//! 100 bytes with quotes, escapes and invalid UTF-8, 2% dropped records).
//! Loading the file and decoding are measured apart.

use std::io::{self, Write};

mod common;

use common::{corpus_events_file, random_payload, Rng};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simpletrace::output::{Printer, SimpletracePy};
use simpletrace::{process, EventTable, Reader};

const RECORDS: usize = 200_000;

/// A v4 trace: a mapping record per event (shuffled ids), then records of
/// events drawn at random.
fn build_trace(table: &EventTable, rng: &mut Rng) -> Vec<u8> {
    let events = table.declared();
    let mut ids: Vec<u64> = (0..events.len() as u64).collect();
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.below(i + 1));
    }
    let mut out = Vec::new();
    for word in [u64::MAX, 0xf2b1_77cb_0aa4_29b4, 4] {
        out.extend(word.to_le_bytes());
    }
    for (event, id) in events.iter().zip(&ids) {
        out.extend(0u64.to_le_bytes());
        out.extend(id.to_le_bytes());
        out.extend((event.name.len() as u32).to_le_bytes());
        out.extend(event.name.as_bytes());
    }
    let alphabet: [&[u8]; 12] = [
        b"a",
        b"Z",
        b"0",
        b" ",
        b"'",
        b"\"",
        b"\\",
        b"\t",
        b"\n",
        b"\xc3\xa9",
        b"\xff",
        b"%s",
    ];
    let pid = 4242u32;
    let mut timestamp = 1_000_000_000u64;
    for _ in 0..RECORDS {
        let (id, mut payload) = if rng.below(50) == 0 {
            (u64::MAX - 1, rng.next().to_le_bytes().to_vec())
        } else {
            let j = rng.below(events.len());
            let payload = random_payload(rng, &events[j].args, &alphabet, |rng| {
                vec![0, 1, u64::MAX, 1 << 63, rng.next(), rng.next() & 0xffff]
            });
            (ids[j], payload)
        };
        timestamp += [0, 1, 17, 1000, 123_456][rng.below(5)];
        out.extend(1u64.to_le_bytes());
        out.extend(id.to_le_bytes());
        out.extend(timestamp.to_le_bytes());
        out.extend((24 + payload.len() as u32).to_le_bytes());
        out.extend(pid.to_le_bytes());
        out.append(&mut payload);
    }
    out
}

fn bench(c: &mut Criterion) {
    let events_file = corpus_events_file("");
    let events_path = [events_file.path().to_path_buf()];
    let table = EventTable::load(&events_path).unwrap().0;

    let trace = build_trace(&table, &mut Rng(0x9e37_79b9_7f4a_7c15));
    let mut trace_file = tempfile::NamedTempFile::new().unwrap();
    trace_file.write_all(&trace).unwrap();
    let trace_path = trace_file.path().to_path_buf();

    let mut group = c.benchmark_group("varied_200k");
    group.sample_size(10);
    group.bench_function("load_trace_events_all", |b| {
        b.iter(|| EventTable::load(&events_path).unwrap().0.len())
    });
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("simpletrace_py_text", |b| {
        b.iter(|| {
            let mut reader = Reader::open(&trace_path, table.clone()).unwrap();
            let mut printer = Printer::new(SimpletracePy::default(), io::sink());
            process(&mut reader, &mut printer).unwrap().records
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
