//! The pages the Parquet export encodes itself (dictionary columns and the
//! argument maps: `columnar/pages.rs`) read back through the `parquet`
//! crate's own Arrow reader as the trace was built: hundreds of distinct
//! event names (dictionary indices of 9 bits and more), batches of more
//! rows than a page holds, threads that are NULL before a thread record,
//! empty and NULL maps, invalid UTF-8, times that jump back and forth
//! (delta-encoded), in one batch and in many small ones.

mod common;

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, MapArray, RecordBatch};
use arrow_schema::DataType;
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use simpletrace::columnar::{ParquetExport, ParquetOptions, DEFAULT_BATCH_ROWS};
use simpletrace::{process, Filter, Reader, Selected};

/// Distinct program events, past 256 (and 512) so indices need 10 bits.
const EVENTS: u64 = 600;
const RECORDS: u64 = 50_000;

/// A row as the trace says it: thread, time, event, dropped count, maps.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    tid: Option<i64>,
    thread: Option<String>,
    ts: i64,
    event_id: i64,
    event: String,
    dropped: Option<i64>,
    ints: Option<Vec<(String, i64)>>,
    strs: Option<Vec<(String, String)>>,
}

/// Argument names of event `i`: one of 13 sets, so that the maps' keys
/// differ from batch to batch and row group to row group.
fn arg_names(i: u64) -> [String; 3] {
    let k = i % 13;
    [format!("a{k}"), format!("s{k}"), format!("b{k}")]
}

/// trace-events: `trace_thread`, then events of three shapes in turn.
fn events() -> String {
    let mut text = String::from("trace_thread(uint64_t tid, const char *name) \"%s\"\n");
    for i in 1..=EVENTS {
        let [a, s, b] = arg_names(i);
        text += &match i % 3 {
            0 => format!("e{i}(int32_t {a}, const char *{s}, uint64_t {b}) \"%d %s %\" PRIu64\n"),
            1 => format!("e{i}(void)\n"),
            _ => format!("e{i}(const char *{s}) \"s %s\"\n"),
        };
    }
    text
}

/// The trace, and the rows it should read as.
fn trace() -> (Trace, Vec<Row>) {
    let names: Vec<String> = std::iter::once("trace_thread".to_string())
        .chain((1..=EVENTS).map(|i| format!("e{i}")))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut t = Trace::v4_mapped(&names);
    let mut rows = Vec::new();
    let mut thread = None;
    let mut tid = None;
    // A small generator (xorshift): the same trace every run.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for n in 0..RECORDS {
        let r = next();
        // Mostly steady, now and then far off either way.
        let ts = match r % 97 {
            0 => r >> 1,
            1 => 5,
            _ => 1_000_000 + n * 10 + r % 3,
        };
        if n > 0 && r % 997 == 0 {
            // Threads come and go: NULL before the first thread record.
            let id = 100 + r % 5;
            let name = format!("worker-{}", r % 5);
            t = t.event(0, ts, PID, &[A::I(id), A::S(name.as_bytes())]);
            thread = Some(name);
            tid = Some(id as i64);
            continue;
        }
        if r % 501 == 0 {
            let count = r % 1000 + 1;
            t = t.dropped(ts, PID, count);
            rows.push(Row {
                tid,
                thread: thread.clone(),
                ts: ts as i64,
                event_id: -2,
                event: "Dropped_Event".into(),
                dropped: Some(count as i64),
                ints: None,
                strs: None,
            });
            continue;
        }
        // Runs of one event now and then, as real traces have.
        let i = if r % 7 == 0 { 3 } else { r % EVENTS + 1 };
        let s: Vec<u8> = match r % 11 {
            0 => b"caf\xc3\xa9 \xff".to_vec(),
            1 => Vec::new(),
            k => format!("s{}", r % (50 * k)).into_bytes(),
        };
        let text = String::from_utf8_lossy(&s).into_owned();
        let [a_name, s_name, b_name] = arg_names(i);
        let (args, ints, strs): (Vec<A>, _, _) = match i % 3 {
            0 => {
                let a = (r >> 8) as u32;
                let b = r >> 3;
                (
                    vec![A::I(u64::from(a)), A::S(&s), A::I(b)],
                    vec![(a_name, i64::from(a as i32)), (b_name, b as i64)],
                    vec![(s_name, text)],
                )
            }
            1 => (vec![], vec![], vec![]),
            _ => (vec![A::S(&s)], vec![], vec![(s_name, text)]),
        };
        t = t.event(i, ts, PID, &args);
        rows.push(Row {
            tid,
            thread: thread.clone(),
            ts: ts as i64,
            event_id: i as i64,
            event: format!("e{i}"),
            dropped: None,
            ints: Some(ints),
            strs: Some(strs),
        });
    }
    (t, rows)
}

fn export(t: &Trace, path: &Path, options: ParquetOptions) {
    let mut export = ParquetExport::create(path, None, options).unwrap();
    let mut reader = Reader::new(&t.bytes[..], table(&events())).unwrap();
    let mut rows = Selected::new(Filter::default(), export.file("t"));
    process(&mut reader, &mut rows).unwrap();
    drop(rows);
    export.finish().unwrap();
}

/// A string column, dictionary-typed or not, as optional strings.
fn strings(column: &ArrayRef) -> Vec<Option<String>> {
    let get = |a: &dyn Array, i: usize| a.as_string::<i32>().value(i).to_string();
    match column.data_type() {
        DataType::Dictionary(..) => {
            let dict = column.as_dictionary::<Int32Type>();
            (0..dict.len())
                .map(|i| {
                    dict.is_valid(i)
                        .then(|| get(dict.values(), dict.keys().value(i) as usize))
                })
                .collect()
        }
        _ => (0..column.len())
            .map(|i| column.is_valid(i).then(|| get(column, i)))
            .collect(),
    }
}

/// A map column's entries per row, NULL maps as `None`; `values` reads
/// the entries' values.
fn map<V: Clone>(
    column: &ArrayRef,
    values: impl Fn(&ArrayRef) -> Vec<V>,
) -> Vec<Option<Vec<(String, V)>>> {
    let map: &MapArray = column.as_map();
    let keys = strings(map.keys());
    let values = values(map.values());
    let offsets = map.value_offsets();
    (0..map.len())
        .map(|row| {
            map.is_valid(row).then(|| {
                (offsets[row] as usize..offsets[row + 1] as usize)
                    .map(|e| (keys[e].clone().unwrap(), values[e].clone()))
                    .collect()
            })
        })
        .collect()
}

fn read(path: &Path) -> Vec<Row> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    for batch in reader {
        let batch: RecordBatch = batch.unwrap();
        let col = |name: &str| batch.column_by_name(name).unwrap().clone();
        let ints = |name: &str| {
            let column = col(name);
            let column = column.as_primitive::<Int64Type>();
            (0..column.len())
                .map(|i| column.is_valid(i).then(|| column.value(i)))
                .collect::<Vec<_>>()
        };
        let (tids, ts, ids) = (ints("tid"), ints("ts_ns"), ints("event_id"));
        let threads = strings(&col("thread"));
        let events = strings(&col("event"));
        let dropped = col("dropped");
        let dropped = dropped.as_primitive::<Int64Type>();
        let ints = map(&col("args_int"), |v| {
            v.as_primitive::<Int64Type>().values().to_vec()
        });
        let strs = map(&col("args_str"), |v| {
            strings(v).into_iter().map(Option::unwrap).collect()
        });
        for i in 0..batch.num_rows() {
            rows.push(Row {
                tid: tids[i],
                thread: threads[i].clone(),
                ts: ts[i].unwrap(),
                event_id: ids[i].unwrap(),
                event: events[i].clone().unwrap(),
                dropped: dropped.is_valid(i).then(|| dropped.value(i)),
                ints: ints[i].clone(),
                strs: strs[i].clone(),
            });
        }
    }
    rows
}

#[test]
fn our_pages_read_back_as_the_trace_was_built() {
    let (t, want) = trace();
    let dir = tempfile::tempdir().unwrap();
    for (name, batch_rows, row_group_rows) in [
        // One batch of more rows than a page holds, many pages a chunk.
        ("one_batch.parquet", DEFAULT_BATCH_ROWS, 1 << 20),
        // Small batches and row groups: a dictionary a row group.
        ("small.parquet", 333, 4_000),
    ] {
        let path = dir.path().join(name);
        let options = ParquetOptions {
            host: None,
            batch_rows,
            row_group_rows,
        };
        export(&t, &path, options);
        let got = read(&path);
        assert_eq!(got.len(), want.len(), "{name}");
        for (i, (got, want)) in got.iter().zip(&want).enumerate() {
            assert_eq!(got, want, "{name}: row {i}");
        }
    }
}

/// A self-describing trace whose one program event, id 2, is `decl`.
fn describing(decl: &str, records: &[&[A<'_>]]) -> Trace {
    let mut t = Trace::v4()
        .mapping(0, "trace_thread")
        .mapping(1, "trace_event_decl");
    let name = decl.split('(').next().unwrap();
    t = t.mapping(2, name);
    t = t.event(1, 10, PID, &[A::I(2), A::S(decl.as_bytes())]);
    for (i, args) in records.iter().enumerate() {
        t = t.event(2, 20 + i as u64, PID, args);
    }
    t
}

/// Export self-describing traces, each a file named as given, in one batch
/// and one row group.
fn export_self_describing(path: &Path, files: &[(&str, &Trace)]) {
    let options = ParquetOptions {
        host: None,
        batch_rows: DEFAULT_BATCH_ROWS,
        row_group_rows: 1 << 20,
    };
    let mut export = ParquetExport::create(path, None, options).unwrap();
    for (name, t) in files {
        let runtime = table(simpletrace::RUNTIME_TRACE_EVENTS);
        let mut reader = Reader::new(&t.bytes[..], runtime).unwrap();
        let mut rows = Selected::new(Filter::default(), export.file(*name));
        process(&mut reader, &mut rows).unwrap();
    }
    export.finish().unwrap();
}

#[test]
fn each_file_s_arguments_follow_its_own_declarations() {
    // Two traces that each learn a different event at the same index, in
    // one batch: each row's arguments are read as its own file declares.
    let a = describing(
        "alpha(uint64_t x, const char *s) \"x %\" PRIu64 \" s %s\"",
        &[&[A::I(7), A::S(b"one")], &[A::I(8), A::S(b"two")]],
    );
    let b = describing(
        "beta(const char *name, int32_t y) \"name %s y %d\"",
        &[&[A::S(b"bee"), A::I(-3i64 as u64)]],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.parquet");
    export_self_describing(&path, &[("a", &a), ("b", &b)]);
    let rows = read(&path);
    let args: Vec<_> = rows
        .iter()
        .map(|r| (r.event.as_str(), r.ints.clone(), r.strs.clone()))
        .collect();
    let int = |k: &str, v: i64| Some(vec![(k.to_string(), v)]);
    let text = |k: &str, v: &str| Some(vec![(k.to_string(), v.to_string())]);
    assert_eq!(
        args,
        [
            ("alpha", int("x", 7), text("s", "one")),
            ("alpha", int("x", 8), text("s", "two")),
            ("beta", int("y", -3), text("name", "bee")),
        ]
    );
}

/// Entries in the dictionary page of each row group's chunk of leaf `leaf`
/// (a path such as `args_int.key_value.key`).
fn dictionary_sizes(path: &Path, leaf: &str) -> Vec<u32> {
    use parquet::column::page::Page;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let index = (0..schema.num_columns())
        .find(|&i| schema.column(i).path().string() == leaf)
        .unwrap_or_else(|| panic!("no leaf {leaf}"));
    (0..reader.num_row_groups())
        .map(|g| {
            let group = reader.get_row_group(g).unwrap();
            let mut pages = group.get_column_page_reader(index).unwrap();
            match pages.get_next_page().unwrap() {
                Some(Page::DictionaryPage { num_values, .. }) => num_values,
                _ => panic!("row group {g}: no dictionary page first"),
            }
        })
        .collect()
}

#[test]
fn each_row_group_s_argument_names_are_its_own() {
    // The maps' key dictionaries are kept from batch to batch of a row
    // group: each group's must hold the names its rows use, no more. Here
    // each row group's rows are of 20 events of their own, each with an
    // argument name of its own.
    const GROUP: u64 = 4_000;
    let mut text = String::from("trace_thread(uint64_t tid, const char *name) \"%s\"\n");
    let mut names = vec!["trace_thread".to_string()];
    for i in 1..=100 {
        text += &format!("f{i}(uint64_t x{i}) \"x %\" PRIu64\n");
        names.push(format!("f{i}"));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut t = Trace::v4_mapped(&names);
    for n in 0..5 * GROUP {
        let event = n / GROUP * 20 + n % 20 + 1;
        t = t.event(event, 1_000 + n, PID, &[A::I(n)]);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groups.parquet");
    let options = ParquetOptions {
        host: None,
        batch_rows: 333,
        row_group_rows: GROUP as usize,
    };
    let mut export = ParquetExport::create(&path, None, options).unwrap();
    let mut reader = Reader::new(&t.bytes[..], table(&text)).unwrap();
    let mut rows = Selected::new(Filter::default(), export.file("t"));
    process(&mut reader, &mut rows).unwrap();
    drop(rows);
    export.finish().unwrap();
    assert_eq!(dictionary_sizes(&path, "args_int.key_value.key"), [20; 5]);
    let got = read(&path);
    assert_eq!(got.len() as u64, 5 * GROUP);
    for (n, row) in got.iter().enumerate() {
        let x = format!("x{}", n as u64 / GROUP * 20 + n as u64 % 20 + 1);
        assert_eq!(row.ints, Some(vec![(x, n as i64)]), "row {n}");
    }
}

#[test]
fn files_that_share_event_names_share_dictionary_entries() {
    // Three files in one batch, one row group: two learn an event of the
    // same name at the same index, the third learns it at another index
    // after an event of its own. Each file's events have ids of their own
    // (`columnar/records.rs`); the file's dictionary holds each name once.
    let decl = "alpha(uint64_t x) \"x %\" PRIu64";
    let a = describing(decl, &[&[A::I(1)], &[A::I(2)]]);
    let b = describing(decl, &[&[A::I(3)]]);
    let c = Trace::v4()
        .mapping(0, "trace_thread")
        .mapping(1, "trace_event_decl")
        .mapping(2, "gamma")
        .mapping(3, "alpha")
        .event(
            1,
            10,
            PID,
            &[A::I(2), A::S(b"gamma(uint64_t y) \"y %\" PRIu64")],
        )
        .event(1, 11, PID, &[A::I(3), A::S(decl.as_bytes())])
        .event(2, 20, PID, &[A::I(4)])
        .event(3, 21, PID, &[A::I(5)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.parquet");
    export_self_describing(&path, &[("a", &a), ("b", &b), ("c", &c)]);
    let got: Vec<_> = read(&path)
        .into_iter()
        .map(|r| (r.event, r.ints.unwrap()[0].1))
        .collect();
    let want = [
        ("alpha", 1),
        ("alpha", 2),
        ("alpha", 3),
        ("gamma", 4),
        ("alpha", 5),
    ];
    let want: Vec<_> = want.iter().map(|&(e, x)| (e.to_string(), x)).collect();
    assert_eq!(got, want);
    assert_eq!(dictionary_sizes(&path, "event"), [2]);
}
