//! `simpletrace export --perfetto`: the file decoded with Perfetto's own
//! schema (`tests/perfetto_check.py`, through the `perfetto` PyPI package)
//! shows the same tracks, slices, instants, arguments and timestamps as the
//! Chrome export of the same trace, and what the trace itself says.
//!
//! Needs `python3` with `perfetto` and `protobuf` (`.ci/run` installs them):
//! without them these tests fail, saying so.
// Not on Windows: python3, the reference, is a program of the Linux host (no
// Windows python3 under Wine).
#![cfg(not(windows))]

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::{json, Map, Value};

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/perfetto_check.py");

fn export(format: &str, files: &[&OsStr], out: &Path) {
    let mut args: Vec<&OsStr> = vec!["export".as_ref(), format.as_ref(), out.as_os_str()];
    args.extend_from_slice(files);
    let run = run_cli(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// What Perfetto's schema decodes from the file (see perfetto_check.py).
fn decode_perfetto(path: &Path) -> Value {
    let run = Command::new("python3")
        .arg(CHECKER)
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): it and `pip install perfetto protobuf` are needed")
        });
    assert!(
        run.status.success(),
        "perfetto_check.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

/// A track of the view: slices, async slices, instants.
type ViewTrack = (Vec<Value>, Vec<Value>, Vec<Value>);

/// The arguments of a slice's end as the Perfetto export writes them: the
/// exit's, but the id (`call_id`, `async_call_id`) that paired it, the
/// begin's, and then a `returned: true`.
fn end_args(begin: &Value, end: &Value) -> Value {
    let mut args = end.as_object().cloned().unwrap_or_default();
    for id in ["call_id", "async_call_id"] {
        if args.contains_key(id) && args.get(id) == begin.get(id) {
            args.remove(id);
            if args.get("returned") == Some(&Value::Bool(true)) {
                args.remove("returned");
            }
        }
    }
    Value::Object(args)
}

/// The same view built from the Chrome JSON: names from the metadata, `B`/`E`
/// paired per track, `b`/`e` by pid and id, on the track of their `b`
/// (slices in order of ending), instants, timestamps in ns. Categories:
/// Perfetto's output leaves ordinary events uncategorized.
fn chrome_view(json: &Value) -> Value {
    let mut processes = Map::new();
    let mut threads = Map::new();
    let mut tracks: BTreeMap<String, ViewTrack> = BTreeMap::new();
    let mut open: BTreeMap<String, Vec<(String, u64, Value)>> = BTreeMap::new();
    let mut open_async: BTreeMap<(u64, String), (String, String, u64, Value)> = BTreeMap::new();
    for e in json["traceEvents"].as_array().unwrap() {
        let (pid, tid) = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        let key = format!("{pid}/{tid}");
        let name = e["name"].as_str().unwrap().to_string();
        let ph = e["ph"].as_str().unwrap();
        if ph == "M" {
            let value = e["args"]["name"].clone();
            match name.as_str() {
                "process_name" => processes.insert(pid.to_string(), value),
                _ => threads.insert(key, value),
            };
            continue;
        }
        let ts = (e["ts"].as_f64().unwrap() * 1000.0).round() as u64;
        let async_id = || (pid, e["id"].as_str().unwrap().to_string());
        match ph {
            "b" => {
                tracks.entry(key.clone()).or_default();
                open_async.insert(async_id(), (key, name, ts, e["args"].clone()));
                continue;
            }
            "e" => {
                let (key, name, start, args) = open_async.remove(&async_id()).unwrap();
                tracks
                    .get_mut(&key)
                    .unwrap()
                    .1
                    .push(json!({"name": name, "start": start,
                    "end": ts, "end_args": end_args(&args, &e["args"]), "args": args}));
                continue;
            }
            _ => {}
        }
        let track = tracks.entry(key.clone()).or_default();
        match ph {
            "B" => open
                .entry(key)
                .or_default()
                .push((name, ts, e["args"].clone())),
            "E" => {
                let (name, start, args) = open.get_mut(&key).unwrap().pop().unwrap();
                track.0.push(json!({"name": name, "start": start, "end": ts,
                    "end_args": end_args(&args, &e["args"]), "args": args}));
            }
            _ => {
                let categories = match e["cat"].as_str().unwrap() {
                    "event" => json!([]),
                    cat => json!([cat]),
                };
                track
                    .2
                    .push(json!({"name": name, "ts": ts, "categories": categories,
                    "args": e["args"]}));
            }
        }
    }
    let tracks: Map<String, Value> = tracks
        .into_iter()
        .map(|(k, (slices, async_slices, instants))| {
            let track =
                json!({"slices": slices, "async_slices": async_slices, "instants": instants});
            (k, track)
        })
        .collect();
    json!({"processes": processes, "threads": threads, "tracks": tracks})
}

/// Export `files` both ways; the Perfetto view, after checking it shows what
/// the Chrome export shows.
fn export_both(files: &[&OsStr]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (pf, js) = (dir.path().join("o.pftrace"), dir.path().join("o.json"));
    export("--perfetto", files, &pf);
    export("--chrome", files, &js);
    let perfetto = decode_perfetto(&pf);
    let chrome = chrome_view(&serde_json::from_slice(&std::fs::read(&js).unwrap()).unwrap());
    for part in ["processes", "threads"] {
        assert_eq!(perfetto[part], chrome[part], "{part}");
    }
    let (p, c) = (
        perfetto["tracks"].as_object().unwrap(),
        chrome["tracks"].as_object().unwrap(),
    );
    assert_eq!(
        p.keys().collect::<Vec<_>>(),
        c.keys().collect::<Vec<_>>(),
        "tracks"
    );
    for (key, track) in p {
        for part in ["slices", "async_slices", "instants"] {
            let (p, c) = (
                track[part].as_array().unwrap(),
                c[key][part].as_array().unwrap(),
            );
            assert_eq!(p.len(), c.len(), "{key} {part}");
            for (p, c) in p.iter().zip(c) {
                assert_eq!(p, c, "{key} {part}");
            }
        }
    }
    perfetto
}

fn export_trace(trace: &Trace, events: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&tr, &trace.bytes).unwrap();
    std::fs::write(&ev, events).unwrap();
    export_both(&[ev.as_os_str(), tr.as_os_str()])
}

const MORE_EVENTS: &str = "\
open_file(const char *path, int flags, bool sync, void *buf) \"path %s flags %d sync %d buf %p\"
note(const char *text) \"%s\"
";

/// The threaded trace (two threads, nesting, a drop, unmatched and unclosed
/// calls) and a third thread with string, bool and pointer arguments, a
/// repeated string, an invalid UTF-8 one, a long one, and a second drop;
/// then a thread renamed.
fn mixed_trace() -> (Trace, String) {
    let long = vec![b'x'; 200];
    let t = threaded_trace().mapping(7, "open_file").mapping(8, "note");
    let t = t.event(0, 2000, PID, &[A::I(13), A::S(b"io-2")]);
    let file = |t: Trace, ts, flags: i64, sync, buf| {
        t.event(
            7,
            ts,
            PID,
            &[
                A::S(b"/var/disk.img"),
                A::I(flags as u64),
                A::I(sync),
                A::I(buf),
            ],
        )
    };
    let t = file(t, 2000, -1, 1, 0xdead_0000);
    let t = t.event(1, 2005, PID, &[A::I(7)]); // io_enter fd=7
    let t = t.event(3, 2006, PID, &[]); // lock_enter
    let t = file(t, 2010, 2, 0, 0);
    let t = t.event(8, 2020, PID, &[A::S(b"ok")]);
    let t = t.event(8, 2030, PID, &[A::S(b"caf\xc3\xa9 \xff")]);
    let t = t.event(8, 2040, PID, &[A::S(&long)]);
    let t = t.event(4, 2050, PID, &[]); // lock_exit
    let t = t.event(2, 2060, PID, &[A::I(0)]); // io_exit ret=0
    let t = t.dropped(2070, PID, 3);
    let t = t.event(0, 1500, PID, &[A::I(11), A::S(b"main")]);
    let t = t.event(5, 1500, PID, &[A::I(3)]); // tick n=3
                                               // The worker renamed.
    let t = t.event(0, 1600, PID, &[A::I(12), A::S(b"worker-1b")]);
    let t = t.event(5, 1600, PID, &[A::I(4)]); // tick n=4
    (t, format!("{THREADED_EVENTS}{MORE_EVENTS}"))
}

#[test]
fn tracks_slices_and_instants_decode_with_perfettos_schema() {
    let (trace, events) = mixed_trace();
    let view = export_trace(&trace, &events);
    // What the trace says, independently of either export.
    assert_eq!(
        view["threads"],
        json!({"100/11": "main", "100/12": "worker-1b", "100/13": "io-2"})
    );
    assert_eq!(view["processes"], json!({"100": "pid 100"}));
    let io2 = &view["tracks"]["100/13"];
    let slices: Vec<(&str, u64, u64)> = io2["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(slices, [("lock", 2006, 2050), ("io", 2005, 2060)]);
    assert_eq!(io2["slices"][1]["args"], json!({"fd": 7}));
    assert_eq!(io2["slices"][1]["end_args"], json!({"ret": 0}));
    let instants = io2["instants"].as_array().unwrap();
    assert_eq!(
        instants[0]["args"],
        json!({"path": "/var/disk.img", "flags": -1, "sync": true, "buf": "0xdead0000"})
    );
    assert_eq!(
        instants[1]["args"],
        json!({"path": "/var/disk.img", "flags": 2, "sync": false, "buf": "0x0"})
    );
    assert_eq!(instants[2]["args"]["text"], "ok");
    assert_eq!(instants[3]["args"]["text"], "café \u{fffd}");
    assert_eq!(instants[4]["args"]["text"], "x".repeat(200));
    assert_eq!(
        instants[5],
        json!({"name": "dropped 3 events", "ts": 2070, "categories": ["dropped"],
            "args": {"dropped": 3}})
    );
    let worker = &view["tracks"]["100/12"]["instants"];
    assert_eq!(worker[0]["name"], "dropped 5 events");
    assert_eq!(worker[1]["categories"], json!(["unmatched_exit"]));
    // Names and strings went through the intern tables: not "ok" (too short
    // to gain) nor the long string.
    let interned = &view["interned"];
    assert_eq!(
        interned["event_names"],
        json!([
            "io",
            "lock",
            "lock_exit",
            "note",
            "open_file",
            "orphan_enter",
            "tick"
        ])
    );
    assert_eq!(
        interned["annotation_names"],
        json!(["buf", "dropped", "fd", "flags", "n", "path", "ret", "sync", "text", "unclosed"])
    );
    assert_eq!(
        interned["strings"],
        json!(["/var/disk.img", "café \u{fffd}", "closed without its exit"])
    );
    assert_eq!(interned["categories"], json!(["dropped", "unmatched_exit"]));
    // A sequence per thread, and the one of the descriptors.
    assert_eq!(view["sequences"], 4);
}

/// Many records over three threads with repeated strings and drops: more
/// than one output buffer (1 MiB), the intern tables reused across them.
#[test]
fn a_large_trace_decodes_the_same_as_the_chrome_export() {
    const BATCHES: u64 = 1200;
    let mut t = threaded_trace().mapping(7, "open_file").mapping(8, "note");
    let paths: [&[u8]; 3] = [b"/a/disk0.img", b"/b/disk1.qcow2", b"/c/cdrom.iso"];
    let mut ts = 10_000;
    for batch in 0..BATCHES {
        let tid = 20 + batch % 3;
        let name = format!("vcpu-{}", tid - 20);
        t = t.event(0, ts, PID, &[A::I(tid), A::S(name.as_bytes())]);
        if batch % 97 == 0 {
            t = t.dropped(ts, PID, batch);
        }
        for i in 0..8u64 {
            ts += 13;
            t = t.event(1, ts, PID, &[A::I(i)]);
            t = t.event(3, ts + 1, PID, &[]);
            let path = paths[((batch + i) % 3) as usize];
            t = t.event(
                7,
                ts + 2,
                PID,
                &[A::S(path), A::I(i), A::I(i & 1), A::I(ts)],
            );
            t = t.event(4, ts + 3, PID, &[]);
            t = t.event(2, ts + 4, PID, &[A::I(batch)]);
        }
    }
    let view = export_trace(&t, &format!("{THREADED_EVENTS}{MORE_EVENTS}"));
    // Thread 21 has every third batch of 8 io calls with a lock call inside.
    assert_eq!(
        view["tracks"]["100/21"]["slices"].as_array().unwrap().len(),
        2 * 8 * (BATCHES / 3) as usize
    );
    assert_eq!(view["threads"]["100/22"], "vcpu-2");
    assert!(view["packets"].as_u64().unwrap() > BATCHES * 8 * 5);
    assert_eq!(
        view["interned"]["strings"],
        json!([
            "/a/disk0.img",
            "/b/disk1.qcow2",
            "/c/cdrom.iso",
            "closed without its exit"
        ])
    );
}

/// QEMU's traces (no thread records, many strings, drops): one track, every
/// record, as the Chrome export shows them.
#[test]
fn golden_traces_decode_the_same_as_the_chrome_export() {
    for case in golden_cases() {
        let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
        let view = export_both(&[ev.as_os_str(), tr.as_os_str()]);
        let pid = expected_lines(&case)[0].pid;
        let instants = view["tracks"][format!("{pid}/{pid}")]["instants"]
            .as_array()
            .unwrap();
        assert_eq!(
            instants.len(),
            expected_lines(&case).len(),
            "{}",
            case.display()
        );
    }
}

/// More threads than sequences (1,024): the threads beyond share one
/// sequence, with explicit tracks and absolute timestamps, and show the same.
#[test]
fn threads_beyond_the_sequences_share_one() {
    let mut t = threaded_trace();
    let threads = 1030u64;
    for i in 0..threads {
        let tid = 1000 + i;
        let ts = 5000 + i * 10;
        let name = format!("t{i}");
        t = t.event(0, ts, PID, &[A::I(tid), A::S(name.as_bytes())]);
        t = t.event(1, ts, PID, &[A::I(i)]); // io_enter
        t = t.event(5, ts + 1, PID, &[A::I(i)]); // tick
        t = t.event(2, ts + 2, PID, &[A::I(0)]); // io_exit
    }
    let view = export_trace(&t, THREADED_EVENTS);
    // Two threads of the threaded trace, the new ones, the descriptors'.
    assert_eq!(view["sequences"], 1025);
    assert_eq!(
        view["threads"].as_object().unwrap().len(),
        2 + threads as usize
    );
    let last = &view["tracks"][format!("{PID}/{}", 1000 + threads - 1)];
    assert_eq!(last["slices"][0]["start"], 5000 + (threads - 1) * 10);
    assert_eq!(last["instants"][0]["args"], json!({"n": threads - 1}));
}

/// A dropped record ends the calls open on its thread, there, with
/// `cut_by_drop: true` on their end (as the Chrome export's `E` args); a
/// call open on another thread goes on.
#[test]
fn calls_cut_by_a_drop_end_at_it_annotated() {
    let view = export_trace(&dropped_exit_trace(), THREADED_EVENTS);
    let ends = |key: &str| -> Vec<(String, u64, u64, Value)> {
        view["tracks"][key]["slices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["start"].as_u64().unwrap(),
                    s["end"].as_u64().unwrap(),
                    s["end_args"].clone(),
                )
            })
            .collect()
    };
    let cut = json!({"cut_by_drop": true});
    assert_eq!(
        ends("100/12"),
        [
            ("lock".into(), 1010, 1020, cut.clone()),
            ("io".into(), 1000, 1020, cut)
        ]
    );
    assert_eq!(
        ends("100/11"),
        [("io".into(), 1005, 5000, json!({"ret": 0}))]
    );
    assert!(view["interned"]["annotation_names"]
        .as_array()
        .unwrap()
        .contains(&json!("cut_by_drop")));
}

/// `async_call_id` calls: overlapping ones on lanes of the thread they start
/// on (child tracks, one call at a time), a lane reused once free, a call
/// ended on another thread still on its lane, an async call cut by a drop on
/// its thread (its late exit then unmatched); `call_id` calls nest on the
/// thread's track.
#[test]
fn async_calls_go_on_lanes_of_their_thread() {
    let thread = |t: Trace, ts, tid, name: &[u8]| t.event(0, ts, PID, &[A::I(tid), A::S(name)]);
    // After call_id_trace: fetch 10 on main when calls 7 and 9 have ended;
    // on the worker, fetch 11 and step 3 open when 1 event is dropped.
    let t = thread(call_id_trace(), 2100, 11, b"main");
    let t = t.event(1, 2100, PID, &[A::I(10), A::I(3)]);
    let t = t.event(2, 2200, PID, &[A::I(10)]);
    let t = thread(t, 2300, 12, b"worker");
    let t = t.event(1, 2300, PID, &[A::I(11), A::I(4)]);
    let t = t.event(3, 2310, PID, &[A::I(3)]);
    let t = t.dropped(2320, PID, 1);
    let t = t.event(2, 2400, PID, &[A::I(11)]);
    let view = export_trace(&t, CALL_ID_EVENTS);

    let (main, worker) = (&view["tracks"]["100/11"], &view["tracks"]["100/12"]);
    let calls = |track: &Value| -> Vec<(u64, u64, u64)> {
        track["async_slices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                assert_eq!(s["name"], "fetch");
                (
                    s["args"]["async_call_id"].as_u64().unwrap(),
                    s["start"].as_u64().unwrap(),
                    s["end"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        calls(main),
        [(7, 1000, 1020), (8, 1010, 2000), (10, 2100, 2200)]
    );
    // Call 9 ended on main (its exit's args there), on the worker's lane.
    assert_eq!(calls(worker), [(9, 1030, 1500), (11, 2300, 2320)]);
    // The end has the exit's arguments but the id, the begin's.
    assert_eq!(worker["async_slices"][0]["end_args"], json!({}));
    assert_eq!(
        worker["async_slices"][1]["end_args"],
        json!({"cut_by_drop": true})
    );
    assert_eq!(
        view["lanes"],
        json!({
            "100/11": {"async 1": [[1000, 1020], [2100, 2200]], "async 2": [[1010, 2000]]},
            "100/12": {"async 1": [[1030, 1500], [2300, 2320]]}
        })
    );
    // Nested calls stay on the thread's track: step 2 closed by step 1's
    // exit, step 3 cut by the drop.
    let steps: Vec<(u64, Value)> = [main, worker]
        .iter()
        .flat_map(|t| t["slices"].as_array().unwrap())
        .map(|s| {
            (
                s["args"]["call_id"].as_u64().unwrap(),
                s["end_args"].clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (2, json!({"unclosed": "closed without its exit"})),
            (1, json!({})),
            (3, json!({"cut_by_drop": true}))
        ]
    );
    let late: Vec<(&Value, &Value)> = worker["instants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (&i["name"], &i["categories"]))
        .collect();
    assert_eq!(
        late,
        [
            (&json!("dropped 1 events"), &json!(["dropped"])),
            (&json!("fetch_exit"), &json!(["unmatched_exit"]))
        ]
    );
}

/// An async call that ends on a thread whose clock is ahead frees its lane
/// only from that end: a call starting earlier on its thread's clock goes on
/// another lane (else the lane would go back in time); a later call takes
/// the lane free first.
#[test]
fn a_lane_is_free_only_from_the_end_of_its_call() {
    let thread = |t: Trace, ts, tid, name: &[u8]| t.event(0, ts, PID, &[A::I(tid), A::S(name)]);
    let t = Trace::v4_mapped(&["trace_thread", "fetch_enter", "fetch_exit"]);
    let t = thread(t, 10, 11, b"main");
    let t = t.event(1, 10, PID, &[A::I(1), A::I(0)]);
    let t = thread(t, 50, 12, b"ahead");
    let t = t.event(2, 50, PID, &[A::I(1)]);
    let t = thread(t, 30, 11, b"main");
    let t = t.event(1, 30, PID, &[A::I(2), A::I(0)]);
    let t = t.event(2, 40, PID, &[A::I(2)]);
    let t = t.event(1, 60, PID, &[A::I(3), A::I(0)]);
    let t = t.event(2, 70, PID, &[A::I(3)]);
    let view = export_trace(&t, CALL_ID_EVENTS);
    assert_eq!(
        view["lanes"]["100/11"],
        json!({"async 1": [[10, 50]], "async 2": [[30, 40], [60, 70]]})
    );
}

/// `#[traced]` exits: a slice's end leaves out the call id and a
/// `returned: true` after it (a return is what an end means), keeps
/// `returned: false` (a panic unwinding, a future dropped) and the rest.
#[test]
fn a_returns_end_says_only_what_a_slice_end_does_not() {
    let events = "\
trace_thread(uint64_t tid, const char *name) \"tid %\" PRIu64 \" name %s\"
write_enter(uint64_t call_id, int32_t fd) \"call %\" PRIu64 \" fd %d\"
write_exit(uint64_t call_id, bool returned, int64_t ret) \"call %\" PRIu64 \" returned %d ret %\" PRId64
";
    let t = Trace::v4_mapped(&["trace_thread", "write_enter", "write_exit"]);
    let t = t.event(0, 1000, PID, &[A::I(11), A::S(b"main")]);
    let t = t.event(1, 1000, PID, &[A::I(1), A::I(3)]);
    let t = t.event(2, 1100, PID, &[A::I(1), A::I(1), A::I(5)]);
    let t = t.event(1, 1200, PID, &[A::I(2), A::I(4)]);
    let t = t.event(2, 1300, PID, &[A::I(2), A::I(0), A::I(0)]);
    let view = export_trace(&t, events);
    let slices = view["tracks"]["100/11"]["slices"].as_array().unwrap();
    let ends: Vec<&Value> = slices.iter().map(|s| &s["end_args"]).collect();
    assert_eq!(
        ends,
        [&json!({"ret": 5}), &json!({"returned": false, "ret": 0})]
    );
    assert_eq!(slices[0]["args"], json!({"call_id": 1, "fd": 3}));
}
