//! `simpletrace export --parquet` read by a real engine: DuckDB
//! (`tests/parquet_check.py`, through the `duckdb` PyPI package) queries the
//! records and calls tables of four traces (one recorded by our runtime on
//! four threads, three built by hand with drops, unclosed, unmatched and
//! async calls), and its answers are what `simpletrace stats --json` and
//! `simpletrace --format json` say of each trace.
//!
//! Needs `python3` with `duckdb` (`.ci/run` installs it): without it these
//! tests fail when `CI` is set, and are skipped, loudly, otherwise. Under
//! Wine only the tests that query nothing run (no Windows python3 there).
#![cfg_attr(windows, allow(dead_code, unused_imports))]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{json, Value};

mod trace {
    trace_runtime::trace_events!("tests/parquet_export.trace-events");
}

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parquet_check.py");
const HOST: &str = "testhost";
const WORKERS: u64 = 3;
const OUTER_CALLS: u64 = 20;

/// Records a trace with our runtime: `main` and three workers, each making
/// nested `work` calls (ids as `#[traced]` gives them) and notes.
fn record_runtime_trace(path: &Path) {
    let guard = trace_runtime::Config::new()
        .ignore_env()
        .file(path)
        .start()
        .unwrap();
    trace::note("start", 0);
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            std::thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    for i in 0..OUTER_CALLS {
                        let id = (w + 1) * 1000 + i * 2;
                        trace::work_enter(id, 1);
                        trace::work_enter(id + 1, 2);
                        trace::note(&format!("step {i}"), i as u32);
                        trace::work_exit(id + 1, 0);
                        trace::work_exit(id, -(i as i32));
                    }
                })
                .unwrap()
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    trace::note("done", 3);
    drop(guard);
}

/// Run the CLI; its stdout, after checking it succeeded.
fn cli(args: &[&OsStr]) -> Vec<u8> {
    let run = run_cli(args);
    assert!(
        run.status.success(),
        "simpletrace {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    run.stdout
}

/// DuckDB's answers (see parquet_check.py), or `None` when DuckDB is not
/// installed and `CI` is not set.
fn query(records: &Path, calls: &Path) -> Option<Value> {
    let run = match Command::new("python3")
        .arg(CHECKER)
        .arg(records)
        .arg(calls)
        .output()
    {
        Ok(run) => run,
        Err(e) => return missing(&format!("cannot run python3: {e}")),
    };
    if run.status.code() == Some(3) {
        return missing(&String::from_utf8_lossy(&run.stderr));
    }
    assert!(
        run.status.success(),
        "parquet_check.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    Some(serde_json::from_slice(&run.stdout).unwrap())
}

fn missing(why: &str) -> Option<Value> {
    let message = format!(
        "DuckDB is needed to check the Parquet export ({}); install it with \
         `python3 -m pip install duckdb==1.4.4`",
        why.trim()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("\n!!!!! SKIPPED: {message} !!!!!\n");
    None
}

/// The four traces and the trace-events file for the hand-built ones.
struct Traces {
    _dir: tempfile::TempDir,
    events: PathBuf,
    traces: Vec<PathBuf>,
    out: PathBuf,
}

fn traces() -> Traces {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("recorded.trace");
    record_runtime_trace(&recorded);
    let mut traces = vec![recorded];
    for (name, trace) in [
        ("threaded.trace", threaded_trace()),
        ("dropped-exit.trace", dropped_exit_trace()),
        ("call-id.trace", call_id_trace()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &trace.bytes).unwrap();
        traces.push(path);
    }
    // One file for all: CALL_ID_EVENTS declares trace_thread again.
    let call_id_events: String = CALL_ID_EVENTS
        .lines()
        .skip(1)
        .map(|l| l.to_string() + "\n")
        .collect();
    let events = dir.path().join("trace-events");
    std::fs::write(&events, format!("{THREADED_EVENTS}{call_id_events}")).unwrap();
    let out = dir.path().join("out.parquet");
    Traces {
        _dir: dir,
        events,
        traces,
        out,
    }
}

/// What the CLI says of one trace.
struct Expected {
    json: Vec<Value>,
    stats: Value,
}

fn expected(events: &Path, trace: &Path) -> Expected {
    let text = cli(&[
        "--format".as_ref(),
        "json".as_ref(),
        events.as_os_str(),
        trace.as_os_str(),
    ]);
    let json = String::from_utf8(text)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stats = cli(&[
        "stats".as_ref(),
        "--json".as_ref(),
        events.as_os_str(),
        trace.as_os_str(),
    ]);
    Expected {
        json,
        stats: serde_json::from_slice(&stats).unwrap(),
    }
}

fn is_runtime(line: &Value) -> bool {
    matches!(
        line["name"].as_str(),
        Some("trace_thread" | "trace_event_decl")
    )
}

/// `args` of a `--format json` line as the two maps should hold them:
/// integers as signed 64-bit, bools 0/1, pointers their address; strings.
fn json_args(line: &Value, declared_strings: &BTreeSet<&str>) -> (Value, Value) {
    let mut ints = serde_json::Map::new();
    let mut strs = serde_json::Map::new();
    for (name, value) in line["args"].as_object().unwrap() {
        if declared_strings.contains(name.as_str()) {
            strs.insert(name.clone(), value.clone());
            continue;
        }
        let v = match value {
            Value::Bool(b) => i64::from(*b),
            Value::Number(n) => n.as_i64().unwrap_or_else(|| n.as_u64().unwrap() as i64),
            Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap() as i64,
            other => panic!("unexpected argument {other}"),
        };
        ints.insert(name.clone(), json!(v));
    }
    (Value::Object(ints), Value::Object(strs))
}

#[test]
#[cfg(not(windows))] // DuckDB runs in python3, a program of the Linux host
fn duckdb_reads_what_stats_and_json_say() {
    let t = traces();
    let calls = t.out.with_file_name("out.calls.parquet");
    let mut args: Vec<&OsStr> = vec![
        "export".as_ref(),
        "--parquet".as_ref(),
        t.out.as_os_str(),
        "--host".as_ref(),
        HOST.as_ref(),
        t.events.as_os_str(),
    ];
    args.extend(t.traces.iter().map(|p| p.as_os_str()));
    cli(&args);
    let Some(db) = query(&t.out, &calls) else {
        return;
    };
    let schema: Vec<(String, String)> =
        serde_json::from_value(db["records_schema"].clone()).unwrap();
    assert_eq!(
        schema
            .iter()
            .map(|(c, t)| format!("{c} {t}"))
            .collect::<Vec<_>>(),
        [
            "file VARCHAR",
            "host VARCHAR",
            "pid BIGINT",
            "tid BIGINT",
            "thread VARCHAR",
            "seq BIGINT",
            "ts_ns BIGINT",
            "event_id BIGINT",
            "event VARCHAR",
            "dropped BIGINT",
            "args_int MAP(VARCHAR, BIGINT)",
            "args_str MAP(VARCHAR, VARCHAR)"
        ]
    );
    let strings: BTreeSet<&str> = ["name", "text"].into();
    let rows = db["rows"].as_array().unwrap();
    let all_calls = db["calls"].as_array().unwrap();
    for trace in &t.traces {
        let file = trace.display().to_string();
        let exp = expected(&t.events, trace);
        let of_file = |v: &&Value| v[0] == file.as_str();

        // Every record but the runtime's is a row, `seq` its line in --format json.
        let rows: Vec<&Value> = rows.iter().filter(of_file).collect();
        let seqs: Vec<u64> = rows.iter().map(|r| r[5].as_u64().unwrap()).collect();
        let want: Vec<u64> = (0..exp.json.len() as u64)
            .filter(|&i| !is_runtime(&exp.json[i as usize]))
            .collect();
        assert_eq!(seqs, want, "{file}: rows");
        for row in &rows {
            let line = &exp.json[row[5].as_u64().unwrap() as usize];
            assert_eq!(row[1], HOST);
            assert_eq!(row[2], line["pid"], "{file} {line}");
            assert_eq!(row[3], line["tid"], "{file} {line}");
            assert_eq!(row[4], line["thread"], "{file} {line}");
            assert_eq!(row[6], line["timestamp_ns"], "{file} {line}");
            assert_eq!(row[7], json!(line["id"].as_u64().unwrap() as i64), "{line}");
            assert_eq!(row[8], line["name"], "{file} {line}");
            match line.get("dropped") {
                Some(count) => {
                    assert_eq!(&row[9], count, "{line}");
                    assert_eq!((&row[10], &row[11]), (&Value::Null, &Value::Null));
                }
                None => {
                    assert_eq!(row[9], Value::Null);
                    let (ints, strs) = json_args(line, &strings);
                    assert_eq!((&row[10], &row[11]), (&ints, &strs), "{file} {line}");
                }
            }
        }

        // Counts per event and dropped totals, as `stats` has them.
        let counts: BTreeMap<String, u64> = db["readme_counts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(of_file)
            .filter(|r| r[3].is_null())
            .map(|r| (r[1].as_str().unwrap().to_string(), r[2].as_u64().unwrap()))
            .collect();
        let stats_counts: BTreeMap<String, u64> = exp.stats["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(counts, stats_counts, "{file}: counts per event");
        let dropped: Vec<&Value> = db["readme_counts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(of_file)
            .filter(|r| !r[3].is_null())
            .collect();
        let (records, lost) = dropped.iter().fold((0, 0), |(n, l), r| {
            (n + r[2].as_u64().unwrap(), l + r[3].as_u64().unwrap())
        });
        assert_eq!(records, exp.stats["dropped_records"], "{file}");
        assert_eq!(lost, exp.stats["dropped_events"], "{file}");

        // Calls: durations are exit minus enter as --format json says; per
        // call and ending, as many as `stats` counts.
        let calls: Vec<&Value> = all_calls.iter().filter(of_file).collect();
        for call in &calls {
            let enter = &exp.json[call[12].as_u64().unwrap() as usize];
            let name = call[5].as_str().unwrap();
            assert_eq!(enter["name"], format!("{name}_enter"), "{call}");
            assert_eq!(call[3], enter["tid"], "{call}");
            assert_eq!(call[4], enter["thread"], "{call}");
            assert_eq!(call[8], enter["timestamp_ns"], "{call}");
            let (ints, strs) = json_args(enter, &strings);
            assert_eq!((&call[14], &call[15]), (&ints, &strs), "{call}");
            assert_eq!(
                call[10].as_u64().unwrap(),
                call[9].as_u64().unwrap() - call[8].as_u64().unwrap()
            );
            if call[11] == "exit" {
                let exit = &exp.json[call[13].as_u64().unwrap() as usize];
                assert_eq!(exit["name"], format!("{name}_exit"), "{call}");
                let duration = exit["timestamp_ns"].as_u64().unwrap()
                    - enter["timestamp_ns"].as_u64().unwrap();
                assert_eq!(call[10], duration, "{call}");
                let (ints, strs) = json_args(exit, &strings);
                assert_eq!((&call[16], &call[17]), (&ints, &strs), "{call}");
            } else {
                assert_eq!(call[13], Value::Null, "{call}");
                assert_eq!((&call[16], &call[17]), (&Value::Null, &Value::Null));
            }
        }
        let endings = db["call_endings"].as_array().unwrap();
        for stat in exp.stats["calls"].as_array().unwrap() {
            let name = stat["name"].as_str().unwrap();
            for (ending, key) in [
                ("exit", "calls"),
                ("unclosed", "unclosed"),
                ("cut_by_drop", "cut_by_drop"),
            ] {
                let n = endings
                    .iter()
                    .filter(of_file)
                    .find(|r| r[1] == name && r[2] == ending)
                    .map_or(0, |r| r[3].as_u64().unwrap());
                assert_eq!(n, stat[key].as_u64().unwrap(), "{file} {name} {ending}");
            }
            let latency = db["readme_latency"]
                .as_array()
                .unwrap()
                .iter()
                .filter(of_file)
                .find(|r| r[1] == name);
            match latency {
                Some(r) => {
                    assert_eq!(r[2], stat["calls"]);
                    // Exact here; `stats` keeps 3 significant digits.
                    for (exact, stat) in [(&r[3], &stat["min_ns"]), (&r[5], &stat["max_ns"])] {
                        let (exact, stat) = (exact.as_u64().unwrap(), stat.as_u64().unwrap());
                        assert!(exact.abs_diff(stat) <= stat / 1000, "{file} {name}");
                    }
                }
                None => assert_eq!(stat["calls"], 0),
            }
        }

        // Filtering on an argument by name finds the records --format json shows.
        let filtered = |key: &str| -> Vec<u64> {
            db[key]
                .as_array()
                .unwrap()
                .iter()
                .filter(of_file)
                .map(|r| r[1].as_u64().unwrap())
                .collect()
        };
        let depth_1: Vec<u64> = (0..exp.json.len() as u64)
            .filter(|&i| exp.json[i as usize]["args"]["depth"] == 1)
            .collect();
        assert_eq!(filtered("readme_filter"), depth_1, "{file}");
        let steps: Vec<u64> = (0..exp.json.len() as u64)
            .filter(|&i| {
                exp.json[i as usize]["args"]["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("step"))
            })
            .collect();
        assert_eq!(filtered("filter_str"), steps, "{file}");
    }

    // The recorded trace: every thread's records in its order, each call
    // there with its exit.
    let recorded = t.traces[0].display().to_string();
    let work: Vec<&Value> = all_calls
        .iter()
        .filter(|c| c[0] == recorded.as_str() && c[5] == "work")
        .collect();
    assert_eq!(work.len() as u64, WORKERS * OUTER_CALLS * 2);
    assert!(work.iter().all(|c| c[11] == "exit" && c[6].is_u64()));
    let threads: BTreeSet<&str> = work.iter().map(|c| c[4].as_str().unwrap()).collect();
    assert_eq!(threads, ["worker-0", "worker-1", "worker-2"].into());
    // Per-thread order by seq never goes back in time, but for the hand-made
    // step back of the threaded trace (thread 11's tick at 1350).
    let threaded = t.traces[1].display().to_string();
    assert_eq!(db["order_breaks"], json!([[threaded, 11, 1]]));
}

/// The threaded trace and its trace-events file, written in `dir`.
fn threaded_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let trace = dir.join("t");
    std::fs::write(&trace, &threaded_trace().bytes).unwrap();
    let events = dir.join("e");
    std::fs::write(&events, THREADED_EVENTS).unwrap();
    (trace, events)
}

/// A bad output path is a clear error, not a panic.
#[test]
fn an_output_that_cannot_be_created_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (trace, events) = threaded_inputs(dir.path());
    let out = dir.path().join("no-such-dir").join("out.parquet");
    let run = run_cli(&[
        "export".as_ref(),
        "--parquet".as_ref(),
        out.as_os_str(),
        events.as_os_str(),
        trace.as_os_str(),
    ]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with(&format!(
            "simpletrace: error: cannot create {}: ",
            out.display()
        )),
        "{stderr}"
    );
}

/// The calls table cannot overwrite the records table.
#[test]
fn the_calls_file_must_differ_from_the_records_file() {
    let dir = tempfile::tempdir().unwrap();
    let (trace, events) = threaded_inputs(dir.path());
    let out = dir.path().join("out.parquet");
    let run = run_cli(&[
        "export".as_ref(),
        "--parquet".as_ref(),
        out.as_os_str(),
        "--parquet-calls".as_ref(),
        out.as_os_str(),
        events.as_os_str(),
        trace.as_os_str(),
    ]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("the calls table needs its own"), "{stderr}");
    assert!(!out.exists());
}

/// A full disk is an error of the table written there, also when the
/// whole file waits in the output buffer until the end (a small trace).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_of_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let (trace, events) = threaded_inputs(dir.path());
    let calls = dir.path().join("calls.parquet");
    let run = run_cli(&[
        "export".as_ref(),
        "--parquet".as_ref(),
        "/dev/full".as_ref(),
        "--parquet-calls".as_ref(),
        calls.as_os_str(),
        events.as_os_str(),
        trace.as_os_str(),
    ]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with("simpletrace: error: writing the records table: ")
            && stderr.contains("os error 28"),
        "{stderr}"
    );
}
