//! The Parquet export in small batches and row groups: every record goes
//! out once, in order, in row groups of at most the rows asked for (what
//! bounds the writer's memory), and the calls table likewise.

mod common;

use std::fs::File;
use std::path::Path;

use arrow_array::{Array, Int64Array};
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::statistics::Statistics;
use simpletrace::columnar::{ParquetExport, ParquetOptions, Written};
use simpletrace::{process, Filter, Reader, Selected};

/// Every batch of rows of the file at `path`, in order.
fn batches(path: &Path) -> impl Iterator<Item = arrow_array::RecordBatch> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    reader.map(Result::unwrap)
}

/// The `ts_ns` or other BIGINT column `name` of every row, in file order.
fn column(path: &std::path::Path, name: &str) -> Vec<i64> {
    let mut values = Vec::new();
    for batch in batches(path) {
        let col = batch.column_by_name(name).unwrap();
        let col = col.as_any().downcast_ref::<Int64Array>().unwrap();
        values.extend((0..col.len()).map(|i| col.value(i)));
    }
    values
}

fn row_groups(path: &std::path::Path) -> Vec<i64> {
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    reader
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect()
}

/// Per row group, the min and max statistics of BIGINT column `name`.
fn ranges(path: &std::path::Path, name: &str) -> Vec<(i64, i64)> {
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    let metadata = reader.metadata();
    let index = metadata
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .position(|c| c.path().string() == name)
        .unwrap();
    metadata
        .row_groups()
        .iter()
        .map(|g| match g.column(index).statistics() {
            Some(Statistics::Int64(s)) => (*s.min_opt().unwrap(), *s.max_opt().unwrap()),
            other => panic!("{name}: {other:?}"),
        })
        .collect()
}

/// Export `t` (of [`THREADED_EVENTS`]) in batches of 7 rows and row
/// groups of 10.
fn export_small(t: &Trace, records: &Path, calls: &Path) -> Written {
    let options = ParquetOptions {
        host: None,
        batch_rows: 7,
        row_group_rows: 10,
    };
    let mut export = ParquetExport::create(records, Some(calls), options).unwrap();
    let mut reader = Reader::new(&t.bytes[..], table(THREADED_EVENTS)).unwrap();
    let mut rows = Selected::new(Filter::default(), export.file("t"));
    process(&mut reader, &mut rows).unwrap();
    drop(rows);
    export.finish().unwrap()
}

#[test]
fn small_batches_and_row_groups_keep_every_record_in_order() {
    // After the threaded trace, 40 batches on three threads: an io call
    // around a lock call and a tick.
    let mut t = threaded_trace();
    let mut want_ts = Vec::new();
    let mut ts = 10_000;
    for i in 0..40u64 {
        t = t.event(0, ts, PID, &[A::I(20 + i % 3), A::S(b"w")]);
        for event in [1u64, 3, 5, 4, 2] {
            ts += 7;
            let args: &[A] = match event {
                1 | 2 => &[A::I(i)],
                5 => &[A::I(i)],
                _ => &[],
            };
            t = t.event(event, ts, PID, args);
            want_ts.push(ts as i64);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (records, calls) = (dir.path().join("r.parquet"), dir.path().join("c.parquet"));
    let written = export_small(&t, &records, &calls);

    let ts = column(&records, "ts_ns");
    // The threaded trace's 13 program records, then ours.
    assert_eq!(ts.len(), 13 + want_ts.len());
    assert_eq!(ts[13..], want_ts[..]);
    assert_eq!(written.records, ts.len() as u64);
    let groups = row_groups(&records);
    // Full row groups but the last: batches stop where a group fills.
    let (last, full) = groups.split_last().unwrap();
    assert!(full.iter().all(|&n| n == 10) && *last <= 10, "{groups:?}");
    assert_eq!(groups.iter().sum::<i64>(), ts.len() as i64);
    // Each row group's statistics are its rows' smallest and largest.
    let mut rows = &ts[..];
    for (&n, (min, max)) in groups.iter().zip(ranges(&records, "ts_ns")) {
        let (group, rest) = rows.split_at(n as usize);
        assert_eq!(min, *group.iter().min().unwrap());
        assert_eq!(max, *group.iter().max().unwrap());
        rows = rest;
    }

    // Two calls (io around lock) per batch, and the threaded trace's 5.
    let starts = column(&calls, "start_ns");
    assert_eq!(starts.len() as u64, written.calls);
    assert_eq!(starts.len(), 5 + 2 * 40);
    assert!(row_groups(&calls).iter().all(|&n| n <= 10));
}

/// `--parquet-row-group-rows` sets both tables' row groups (full ones but
/// the last); 0 is refused before anything is written.
#[test]
fn the_cli_writes_row_groups_of_the_rows_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = threaded_trace();
    for i in 0..30u64 {
        t = t.event(1, 10_000 + 10 * i, PID, &[A::I(i)]);
        t = t.event(2, 10_005 + 10 * i, PID, &[A::I(i)]);
    }
    let (trace, events) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&trace, &t.bytes).unwrap();
    std::fs::write(&events, THREADED_EVENTS).unwrap();
    let (records, calls) = (dir.path().join("r.parquet"), dir.path().join("c.parquet"));
    let export = |rows: &str| {
        run_cli(&[
            "export".as_ref(),
            "--parquet".as_ref(),
            records.as_os_str(),
            "--parquet-calls".as_ref(),
            calls.as_os_str(),
            "--parquet-row-group-rows".as_ref(),
            rows.as_ref(),
            events.as_os_str(),
            trace.as_os_str(),
        ])
    };
    let run = export("8");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for (path, rows) in [(&records, 13 + 60), (&calls, 5 + 30)] {
        let groups = row_groups(path);
        let (last, full) = groups.split_last().unwrap();
        assert!(
            full.iter().all(|&n| n == 8) && (1..=8).contains(last),
            "{groups:?}"
        );
        assert_eq!(groups.iter().sum::<i64>(), rows);
    }

    std::fs::remove_file(&records).unwrap();
    let run = export("0");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--parquet-row-group-rows"), "{stderr}");
    assert!(!records.exists());
}

/// Takes `room` bytes, then fails every write, as a full disk does.
struct FillsUp {
    room: usize,
}

impl std::io::Write for FillsUp {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::other("no space left"));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn an_output_that_fills_up_is_an_error_of_its_table() {
    // Each table is written on its own thread: its failure comes back to
    // the reading thread (at a later batch, or at the end), for the table
    // that failed, and nothing hangs.
    let mut t = threaded_trace();
    for i in 0..400u64 {
        t = t.event(1, 10_000 + 2 * i, PID, &[A::I(i)]);
        t = t.event(2, 10_001 + 2 * i, PID, &[A::I(i)]);
    }
    for (records_room, calls_room, failing) in
        [(200, usize::MAX, "records"), (usize::MAX, 200, "calls")]
    {
        let options = ParquetOptions {
            host: None,
            batch_rows: 16,
            row_group_rows: 32,
        };
        let mut export = ParquetExport::new(
            FillsUp { room: records_room },
            Some(FillsUp { room: calls_room }),
            options,
        )
        .unwrap();
        let mut reader = Reader::new(&t.bytes[..], table(THREADED_EVENTS)).unwrap();
        let mut rows = Selected::new(Filter::default(), export.file("t"));
        let during = process(&mut reader, &mut rows);
        drop(rows);
        let error = match during {
            Err(e) => e.to_string(),
            Ok(_) => export.finish().unwrap_err().to_string(),
        };
        assert!(
            error.contains(&format!("writing the {failing} table"))
                && error.contains("no space left"),
            "{failing}: {error}"
        );
    }
}

#[test]
fn every_column_but_the_maps_has_statistics_in_every_row_group() {
    // README: "Row groups carry min/max statistics (and null counts) for
    // every column but the argument maps". `host` is never given here:
    // its statistics are its NULLs alone.
    let mut t = threaded_trace();
    let mut ts = 10_000;
    for i in 0..30u64 {
        t = t.event(0, ts, PID, &[A::I(20 + i % 3), A::S(b"w")]);
        for event in [1u64, 3, 4, 2, 5] {
            ts += 7;
            let args: &[A] = if event == 3 || event == 4 {
                &[]
            } else {
                &[A::I(i)]
            };
            t = t.event(event, ts, PID, args);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (records, calls) = (dir.path().join("r.parquet"), dir.path().join("c.parquet"));
    export_small(&t, &records, &calls);

    for path in [&records, &calls] {
        let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
        let metadata = reader.metadata();
        let mut host_nulls = 0;
        for group in metadata.row_groups() {
            for column in group.columns() {
                let name = column.column_path().string();
                if name.contains("args") {
                    continue;
                }
                let stats = column
                    .statistics()
                    .unwrap_or_else(|| panic!("{name}: no statistics"));
                let nulls = stats
                    .null_count_opt()
                    .unwrap_or_else(|| panic!("{name}: no null count"));
                assert!(nulls <= group.num_rows() as u64, "{name}");
                let has_value = nulls < group.num_rows() as u64;
                assert_eq!(stats.min_bytes_opt().is_some(), has_value, "{name}: min");
                assert_eq!(stats.max_bytes_opt().is_some(), has_value, "{name}: max");
                if name == "host" {
                    host_nulls += nulls;
                }
            }
        }
        let rows: i64 = metadata.row_groups().iter().map(|g| g.num_rows()).sum();
        assert!(rows > 10, "{} rows", rows);
        assert_eq!(host_nulls, rows as u64, "{}", path.display());
    }
}

/// The `thread` column (VARCHAR, NULL as `None`) of every row, in order.
fn thread_names(path: &Path) -> Vec<Option<String>> {
    use arrow_array::cast::AsArray;
    let mut names = Vec::new();
    for batch in batches(path) {
        let col = batch.column_by_name("thread").unwrap().as_string::<i32>();
        names.extend((0..col.len()).map(|i| col.is_valid(i).then(|| col.value(i).to_string())));
    }
    names
}

#[test]
fn a_renamed_thread_names_its_rows_and_calls_from_then_on() {
    // Thread 11 is renamed (a name of the same length) between an enter
    // and its exit, back and forth, across batches; thread 12 takes 11's
    // old name in between.
    let mut t = Trace::v4_mapped(&THREADED_NAMES);
    let mut want_rows = Vec::new();
    let mut want_calls = Vec::new();
    let mut ts = 1000;
    for round in 0..6u64 {
        let (first, second) = if round % 2 == 0 {
            ("worker-a", "worker-b")
        } else {
            ("worker-b", "worker-a")
        };
        t = thread_record(t, ts, 11, first.as_bytes());
        t = t.event(1, ts + 1, PID, &[A::I(round)]); // io_enter on `first`
        t = thread_record(t, ts + 2, 11, second.as_bytes()); // renamed at once
        t = t.event(5, ts + 3, PID, &[A::I(round)]); // tick
        t = thread_record(t, ts + 4, 12, first.as_bytes());
        t = t.event(5, ts + 5, PID, &[A::I(round)]); // tick on 12
        t = thread_record(t, ts + 6, 11, second.as_bytes());
        t = t.event(2, ts + 7, PID, &[A::I(0)]); // io_exit
        want_rows.extend([first, second, first, second].map(|n| Some(n.to_string())));
        // A call is its enter's thread's.
        want_calls.push(Some(first.to_string()));
        ts += 10;
    }
    let dir = tempfile::tempdir().unwrap();
    let (records, calls) = (dir.path().join("r.parquet"), dir.path().join("c.parquet"));
    export_small(&t, &records, &calls);
    assert_eq!(thread_names(&records), want_rows);
    assert_eq!(thread_names(&calls), want_calls);
}
