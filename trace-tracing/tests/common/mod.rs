//! The program both subscribers record (`info!`, spans, `#[instrument]`,
//! sync and async, under a `SIMPLETRACE`-style selection), and the checks
//! of its trace: the reader decodes it with no trace-events file, field by
//! field, and the Chrome export nests the spans.
#![allow(dead_code)] // each test binary uses its own part

use std::io::Cursor;
use std::path::Path;

use serde_json::Value as Json;
use simpletrace::timeline::ChromeTrace;
use simpletrace::{process, EventTable, Filter, OwnedValue, Reader, Selected};
use trace_runtime::Config;
use tracing::Subscriber;
use tracing::{debug, info, info_span, instrument, warn};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum V {
    I(u64),
    S(String),
}
pub use V::{I, S};

#[derive(Debug, Clone)]
pub struct Rec {
    pub name: String,
    pub args: Vec<(String, V)>,
}

impl Rec {
    pub fn arg(&self, name: &str) -> &V {
        &self.args.iter().find(|(n, _)| n == name).unwrap().1
    }
}

/// Program records, decoded with an empty table: the trace declares its events.
pub fn read(path: &Path) -> Vec<Rec> {
    let mut reader = Reader::open(path, EventTable::new([])).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        let names: Vec<String> = r.event.args.iter().map(|a| a.name.clone()).collect();
        let r = r.to_owned();
        if ["trace_thread", "trace_event_decl", "Dropped_Event"].contains(&r.name.as_str()) {
            continue;
        }
        let args = names
            .into_iter()
            .zip(r.args)
            .map(|(n, v)| {
                let v = match v {
                    OwnedValue::Int(i) => I(i),
                    OwnedValue::Str(s) => S(String::from_utf8(s).unwrap()),
                };
                (n, v)
            })
            .collect();
        out.push(Rec { name: r.name, args });
    }
    out
}

/// Run `program` under `SimpletraceSubscriber` with the runtime recording
/// into `path`, and read the trace back.
pub fn traced(path: &Path, program: impl FnOnce()) -> Vec<Rec> {
    let guard = Config::new().ignore_env().file(path).start().unwrap();
    tracing::subscriber::with_default(trace_tracing::SimpletraceSubscriber::new(), program);
    drop(guard);
    read(path)
}

/// The records whose event name ends with `suffix`.
pub fn named<'r>(records: &'r [Rec], suffix: &str) -> Vec<&'r Rec> {
    records
        .iter()
        .filter(|r| r.name.ends_with(suffix))
        .collect()
}

pub fn chrome(path: &Path) -> Json {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = Reader::new(Cursor::new(bytes), EventTable::new([])).unwrap();
    let mut selected = Selected::new(Filter::default(), ChromeTrace::new(Vec::new()));
    process(&mut reader, &mut selected).unwrap();
    serde_json::from_slice(&selected.into_inner().into_inner().unwrap()).unwrap()
}

#[instrument]
fn load(path: &str, size: u64) -> u64 {
    checksum(size);
    size * 2
}

#[instrument(skip_all, fields(n = n))]
fn checksum(n: u64) {
    info!(n, "summing");
}

#[instrument]
async fn fetch(id: u32) {
    tokio::task::yield_now().await;
    info!(id, "fetched");
}

#[derive(Debug)]
#[allow(dead_code)] // read by `Debug` only
struct Point {
    x: i32,
}

/// Record the program through `subscriber` into `path`.
pub fn record_program(path: &Path, subscriber: impl Subscriber + Send + Sync + 'static) {
    let guard = Config::new()
        .ignore_env()
        .file(path)
        .options("*,-warn_*")
        .unwrap()
        .start()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        let world = "world";
        info!(
            count = 3u64,
            neg = -2i64,
            ok = true,
            name = "disk",
            ratio = 1.5,
            point = ?Point { x: 4 },
            "hello {world}"
        );
        info!("plain");
        debug!("filtered out by EnvFilter");
        warn!("deselected by the runtime's options");
        let outer = info_span!("outer", job = 7u64);
        outer.in_scope(|| assert_eq!(load("a.img", 21), 42));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let a = tokio::spawn(fetch(1));
            let b = tokio::spawn(fetch(2));
            a.await.unwrap();
            b.await.unwrap();
        });
        // Integer fields only: encoded straight into the record.
        for (a, b) in [(5u64, 7i64), (6, -1)] {
            info!(a, b);
        }
        // `Span::record` before the enter: integer fields (kept inline),
        // a string field (kept as text), and more integers than kept inline.
        let ints = info_span!("recorded_ints", a = 1u64, b = 0u64);
        ints.record("b", 5u64);
        ints.in_scope(|| {});
        let text = info_span!("recorded_text", a = 1u64, s = tracing::field::Empty);
        text.record("s", "late");
        text.in_scope(|| {});
        let wide = info_span!(
            "wide",
            f0 = 0u64,
            f1 = 1u64,
            f2 = 2u64,
            f3 = 3u64,
            f4 = 4u64,
            f5 = 5u64,
            f6 = 6u64,
            f7 = 7u64,
            f8 = 0u64
        );
        wide.record("f8", 8u64);
        wide.in_scope(|| {});
    });
    drop(guard);
}

/// Check the program's trace at `path`: its records, their values, and the
/// spans' nesting in the Chrome export.
pub fn check_program(path: &Path) {
    // The callsites' target is this module: `layer::common`, `subscriber::common`.
    let p = format!("info_{}_", module_path!().replace("::", "_"));
    let p = p.as_str();

    let records = read(path);
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("warn_") || n.starts_with("debug_")),
        "{names:?}"
    );

    let hello = &records[0];
    assert!(
        hello.name.starts_with(&format!("{p}event_")),
        "{}",
        hello.name
    );
    let args: Vec<(&str, &V)> = hello.args.iter().map(|(n, v)| (n.as_str(), v)).collect();
    assert_eq!(
        args,
        [
            ("message", &S("hello world".into())),
            ("count", &I(3)),
            ("neg", &I(-2i64 as u64)),
            ("ok", &I(1)),
            ("name", &S("disk".into())),
            ("ratio", &S("1.5".into())),
            ("point", &S("Point { x: 4 }".into())),
        ]
    );
    assert_eq!(
        records[1].args,
        [("message".to_string(), S("plain".into()))]
    );

    // Spans: enter with the span's id and fields, exit with the id.
    let sync: Vec<&Rec> = records[2..8].iter().collect();
    let sync_names: Vec<&str> = sync.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        sync_names[..3],
        [
            format!("{p}outer_enter"),
            format!("{p}load_enter"),
            format!("{p}checksum_enter")
        ]
    );
    assert!(sync_names[3].starts_with(&format!("{p}event_")));
    assert_eq!(
        sync_names[4..],
        [format!("{p}checksum_exit"), format!("{p}load_exit")]
    );
    assert_eq!(records[8].name, format!("{p}outer_exit"));
    assert_eq!(sync[0].arg("job"), &I(7));
    assert_eq!(sync[1].arg("path"), &S("a.img".into()));
    assert_eq!(sync[1].arg("size"), &I(21));
    assert_eq!(sync[2].arg("n"), &I(21));
    assert_eq!(sync[3].arg("n"), &I(21));
    let id = |r: &Rec| r.arg("async_call_id").clone();
    assert_eq!(id(sync[2]), id(sync[4]));
    assert_eq!(id(sync[1]), id(sync[5]));
    assert_eq!(id(sync[0]), id(&records[8]));
    assert_ne!(id(sync[0]), id(sync[1]));

    // Async: each poll enters and exits (and so does the drop of the
    // instrumented future); the two calls interleave on the one thread.
    let fetch: Vec<(&str, V)> = records[9..]
        .iter()
        .filter(|r| r.name.starts_with(&format!("{p}fetch_")))
        .map(|r| (r.name.as_str(), id(r)))
        .collect();
    for pair in fetch.chunks(2) {
        assert_eq!(pair[0].0, format!("{p}fetch_enter"), "{fetch:?}");
        assert_eq!(pair[1].0, format!("{p}fetch_exit"), "{fetch:?}");
        assert_eq!(pair[0].1, pair[1].1, "an exit carries its enter's id");
    }
    let enter_ids: Vec<&V> = fetch.iter().step_by(2).map(|(_, i)| i).collect();
    let first = enter_ids[0];
    let other = enter_ids
        .iter()
        .position(|i| *i != first)
        .expect("two calls");
    assert!(
        enter_ids[other..].contains(&first),
        "interleaved: {enter_ids:?}"
    );
    let fetch_args: Vec<&V> = records
        .iter()
        .filter(|r| r.name == format!("{p}fetch_enter"))
        .map(|r| r.arg("id"))
        .collect();
    assert!(fetch_args.contains(&&I(1)) && fetch_args.contains(&&I(2)));

    let integers: Vec<&Vec<(String, V)>> = records
        .iter()
        .filter(|r| r.args.iter().map(|(n, _)| n.as_str()).eq(["a", "b"]))
        .map(|r| &r.args)
        .collect();
    let ab = |a: u64, b: i64| vec![("a".to_string(), I(a)), ("b".to_string(), I(b as u64))];
    assert_eq!(integers, [&ab(5, 7), &ab(6, -1)]);

    let enter = |name: &str| {
        let found: Vec<&Rec> = records
            .iter()
            .filter(|r| r.name == format!("{p}{name}_enter"))
            .collect();
        assert_eq!(found.len(), 1, "{name}");
        found[0]
    };
    assert_eq!(enter("recorded_ints").arg("b"), &I(5));
    assert_eq!(enter("recorded_text").arg("s"), &S("late".into()));
    let wide = enter("wide");
    for i in 0..9 {
        assert_eq!(wide.arg(&format!("f{i}")), &I(i), "f{i}");
    }

    // The Chrome export draws the spans as async slices that nest in time.
    let json = chrome(path);
    let slices: Vec<&Json> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "b" || e["ph"] == "e")
        .collect();
    let ts = |name: &str, ph: &str| -> f64 {
        slices
            .iter()
            .find(|e| e["name"] == name && e["ph"] == ph)
            .unwrap_or_else(|| panic!("{name} {ph} in {slices:?}"))["ts"]
            .as_f64()
            .unwrap()
    };
    for (outer, inner) in [
        (format!("{p}outer"), format!("{p}load")),
        (format!("{p}load"), format!("{p}checksum")),
    ] {
        assert!(ts(&outer, "b") <= ts(&inner, "b"), "{outer} starts first");
        assert!(ts(&inner, "e") <= ts(&outer, "e"), "{outer} ends last");
    }
    let fetch_slices = slices
        .iter()
        .filter(|e| e["name"] == format!("{p}fetch").as_str() && e["ph"] == "b")
        .count();
    assert_eq!(fetch_slices, enter_ids.len(), "each enter a slice");
}
