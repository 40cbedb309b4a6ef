//! What a trace viewer builds from `export --chrome` JSON, checking the rules
//! it relies on.

use std::collections::HashMap;

use serde_json::Value;

pub type Track = (u64, u64);

/// An async slice: pid, category, id.
type AsyncKey = (u64, String, String);

/// A finished slice: name, start and end in µs, B args, E args.
#[derive(Debug, PartialEq)]
pub struct Slice {
    pub name: String,
    pub start: f64,
    pub end: f64,
    pub args: Value,
    pub end_args: Value,
}

/// What a viewer builds from the file, checking the rules it relies on: every
/// timed event on a named track, timestamps non-decreasing per track, `E`
/// closing the innermost `B` of the same name, `e` ending the `b` of the same
/// process, category and id (and name), nothing left open.
pub struct Timeline {
    pub names: HashMap<Track, String>,
    pub slices: HashMap<Track, Vec<Slice>>,
    /// Async slices (`b`/`e`) by the track of their `b`, in the order they end.
    pub async_slices: HashMap<Track, Vec<Slice>>,
    pub instants: HashMap<Track, Vec<(String, String, f64, Value)>>,
}

pub fn timeline(json: &Value) -> Timeline {
    assert_eq!(json["displayTimeUnit"], "ns");
    let events = json["traceEvents"].as_array().expect("traceEvents array");
    let mut names = HashMap::new();
    let mut slices: HashMap<Track, Vec<Slice>> = HashMap::new();
    let mut instants: HashMap<Track, Vec<_>> = HashMap::new();
    let mut open: HashMap<Track, Vec<(String, f64, Value)>> = HashMap::new();
    let mut async_slices: HashMap<Track, Vec<Slice>> = HashMap::new();
    let mut open_async: HashMap<AsyncKey, (Track, String, f64, Value)> = HashMap::new();
    let mut last_ts: HashMap<Track, f64> = HashMap::new();
    for e in events {
        let track = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        let name = e["name"].as_str().unwrap().to_string();
        let ph = e["ph"].as_str().unwrap();
        if ph == "M" {
            if name == "thread_name" {
                names.insert(track, e["args"]["name"].as_str().unwrap().to_string());
            }
            continue;
        }
        assert!(
            names.contains_key(&track),
            "{e}: track not named before use"
        );
        let ts = e["ts"].as_f64().unwrap();
        let last = last_ts.entry(track).or_insert(f64::MIN);
        assert!(ts >= *last, "{e}: goes back on its track");
        *last = ts;
        match ph {
            "B" => open
                .entry(track)
                .or_default()
                .push((name, ts, e["args"].clone())),
            "E" => {
                let (b_name, start, args) = open
                    .get_mut(&track)
                    .and_then(Vec::pop)
                    .expect("E without B");
                assert_eq!(b_name, name, "E closes the innermost B");
                slices.entry(track).or_default().push(Slice {
                    name,
                    start,
                    end: ts,
                    args,
                    end_args: e["args"].clone(),
                });
            }
            "b" => {
                let id = (track.0, cat(e), e["id"].as_str().expect("id").to_string());
                let b = (track, name, ts, e["args"].clone());
                assert!(open_async.insert(id, b).is_none(), "{e}: id already open");
            }
            "e" => {
                let id = (track.0, cat(e), e["id"].as_str().expect("id").to_string());
                let (b_track, b_name, start, args) = open_async.remove(&id).expect("e without b");
                assert_eq!(b_name, name, "e ends the b of its id");
                assert!(ts >= start, "{e}: ends before it starts");
                async_slices.entry(b_track).or_default().push(Slice {
                    name,
                    start,
                    end: ts,
                    args,
                    end_args: e["args"].clone(),
                });
            }
            "i" => {
                assert_eq!(e["s"], "t", "thread-scoped instant");
                let cat = e["cat"].as_str().unwrap().to_string();
                instants
                    .entry(track)
                    .or_default()
                    .push((name, cat, ts, e["args"].clone()));
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    assert!(
        open.values().all(Vec::is_empty),
        "unclosed slices: {open:?}"
    );
    assert!(
        open_async.is_empty(),
        "unended async slices: {open_async:?}"
    );
    Timeline {
        names,
        slices,
        async_slices,
        instants,
    }
}

pub fn slice(name: &str, start: f64, end: f64, args: Value, end_args: Value) -> Slice {
    Slice {
        name: name.into(),
        start,
        end,
        args,
        end_args,
    }
}

fn cat(e: &Value) -> String {
    e["cat"].as_str().expect("cat").to_string()
}
