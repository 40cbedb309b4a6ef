//! The log backend prints what the C library's printf prints: QEMU's real
//! migration and character-device events, recorded through the runtime with
//! the argument values of the golden `printf.jsonl` (rendered by glibc's
//! snprintf; the hw/char rows include `%c` of 0, whose NUL the line keeps),
//! both backends on. The binary trace of the same run, decoded by the
//! reader's log output, gives the same lines.

use serde_json::Value as Json;
use trace_runtime::__private::{record, str_arg_len, ArgKind, EVENTS};
use trace_runtime::{Backend, Config};

mod migration {
    trace_runtime::trace_events!("../../shared/corpus/qemu/migration/trace-events");
}

mod hw_char {
    trace_runtime::trace_events!("../../shared/corpus/qemu/hw/char/trace-events");
}

/// The corpus files compiled above, relative to the corpus.
const FILES: [&str; 2] = ["migration/trace-events", "hw/char/trace-events"];
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/golden/printf.jsonl"
);

enum Arg {
    Int(u64),
    Str(Vec<u8>),
}

/// The golden rows of the compiled files' events: name, argument values, glibc's text.
fn rows() -> Vec<(String, Vec<Arg>, String)> {
    std::fs::read_to_string(GOLDEN)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap())
        .filter(|r| FILES.iter().any(|f| r["file"] == *f))
        .map(|r| {
            let args = r["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| match (a.get("u64"), a.get("str")) {
                    (Some(v), _) => Arg::Int(v.as_u64().unwrap()),
                    (_, Some(s)) => Arg::Str(s.as_str().unwrap().as_bytes().to_vec()),
                    _ => panic!("{a}"),
                })
                .collect();
            let name = r["name"].as_str().unwrap().to_string();
            (name, args, r["expected"].as_str().unwrap().to_string())
        })
        .collect()
}

/// Record one event by name with recorded values, as its generated function does.
fn record_by_name(name: &str, args: &[Arg]) {
    let event = EVENTS.iter().find(|e| e.meta.name == name).unwrap();
    assert_eq!(event.meta.args.len(), args.len(), "{name}");
    let len: usize = args
        .iter()
        .map(|a| match a {
            Arg::Int(_) => 8,
            Arg::Str(s) => str_arg_len(s.len()),
        })
        .sum();
    let state = event.state();
    assert!(state & 1 != 0, "{name} enabled");
    record(state, len, |p| {
        for (arg, meta) in args.iter().zip(event.meta.args) {
            match (arg, meta.kind) {
                (Arg::Str(s), ArgKind::Str) => p.str(s),
                (Arg::Int(v), kind) if kind != ArgKind::Str => p.u64(*v),
                _ => panic!("{name}: argument {} does not match its type", meta.name),
            }
        }
    });
}

#[test]
fn log_lines_equal_glibc_printf_and_the_readers_log_of_the_binary_trace() {
    assert!(!migration::EVENT_TABLE.is_empty() && !hw_char::EVENT_TABLE.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.txt");
    let trace = dir.path().join("trace");
    let guard = Config::new()
        .ignore_env()
        .backend(Backend::Both)
        .log_file(&log)
        .file(&trace)
        .disable("trace_thread")
        .disable("trace_event_decl")
        .start()
        .unwrap();
    let rows = rows();
    assert!(rows.len() >= 300, "{}", rows.len());
    let with_nul = rows
        .iter()
        .filter(|(_, _, text)| text.contains('\0'))
        .count();
    assert_eq!(with_nul, 3, "the hw/char rows whose %c is 0");
    let mut expected = String::new();
    for (name, args, text) in &rows {
        record_by_name(name, args);
        expected.push_str(&format!("{name} {text}\n"));
    }
    drop(guard);

    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(logged, expected);

    let events: Vec<_> = FILES
        .iter()
        .flat_map(|file| {
            let path = std::path::Path::new(CORPUS).join(file);
            trace_events::parse_file(&path, file).unwrap().file.events
        })
        .collect();
    let table = simpletrace::EventTable::new(events);
    let mut reader = simpletrace::Reader::open(&trace, table).unwrap();
    let mut printer =
        simpletrace::output::Printer::new(simpletrace::output::Log::default(), Vec::new());
    simpletrace::process(&mut reader, &mut printer).unwrap();
    let decoded = String::from_utf8(printer.into_inner().unwrap()).unwrap();
    assert_eq!(decoded, expected);
}
