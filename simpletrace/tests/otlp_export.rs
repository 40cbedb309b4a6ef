//! `simpletrace export --otlp` and `--otlp-endpoint`: the spans decoded with
//! OpenTelemetry's own schema (`tests/otlp_check.py`, through the
//! `opentelemetry-proto` PyPI package) are the calls the records say (names,
//! start and end, durations, parents from nesting, arguments as attributes),
//! and what a collector receives (a receiver on 127.0.0.1 in the test) is
//! what the file holds.
//!
//! Needs `python3` with `opentelemetry-proto` and `protobuf` (`.ci/run`
//! installs them): without them these tests fail, saying so. Under Wine
//! only the tests that decode nothing run (no Windows python3 there).
#![cfg_attr(windows, allow(dead_code, unused_imports))]

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use common::*;
use serde_json::{json, Value};
use trace_runtime::traced;

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/otlp_check.py");

fn cli(args: &[&OsStr]) -> Output {
    let out = run_cli(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `simpletrace export --otlp OUT EXTRA... FILES...`.
fn export_file(files: &[&OsStr], extra: &[&str], out: &Path) {
    let mut args: Vec<&OsStr> = vec!["export".as_ref(), "--otlp".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    args.extend_from_slice(files);
    ok(cli(&args));
}

/// What OpenTelemetry's schema decodes from the requests (see otlp_check.py).
fn decode(requests: &[PathBuf]) -> Value {
    let run = Command::new("python3")
        .arg(CHECKER)
        .args(requests)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): it and `pip install opentelemetry-proto protobuf` are needed")
        });
    assert!(
        run.status.success(),
        "otlp_check.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

/// The trace and its trace-events file in `dir`.
fn write_trace(dir: &Path, trace: &Trace, events: &str) -> (PathBuf, PathBuf) {
    let (tr, ev) = (dir.join("trace"), dir.join("trace-events"));
    std::fs::write(&tr, &trace.bytes).unwrap();
    std::fs::write(&ev, events).unwrap();
    (ev, tr)
}

fn spans_of(trace: &Trace, events: &str, extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let (ev, tr) = write_trace(dir.path(), trace, events);
    let out = dir.path().join("o.otlp");
    export_file(&[ev.as_os_str(), tr.as_os_str()], extra, &out);
    decode(&[out])["spans"].as_array().unwrap().clone()
}

/// A span in short: name, start, end, attributes, and its parent's name.
fn summary(spans: &[Value]) -> Vec<Value> {
    let by_id: HashMap<&str, &Value> = spans
        .iter()
        .map(|s| (s["span_id"].as_str().unwrap(), s))
        .collect();
    spans
        .iter()
        .map(|s| {
            let parent = s["parent_span_id"]
                .as_str()
                .map(|p| by_id[p]["name"].clone());
            json!({"name": s["name"], "start": s["start"], "end": s["end"],
                "attributes": s["attributes"], "parent": parent})
        })
        .collect()
}

fn attrs(thread: (u64, &str), args: Value) -> Value {
    let mut a = json!({"thread.id": thread.0, "thread.name": thread.1});
    a.as_object_mut()
        .unwrap()
        .extend(args.as_object().unwrap().clone());
    a
}

#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn nesting_drops_and_unclosed_calls_become_spans() {
    const OFFSET: u64 = 1_700_000_000_000_000_000;
    let offset = OFFSET.to_string();
    let spans = spans_of(
        &threaded_trace(),
        THREADED_EVENTS,
        &["--otlp-time-offset", &offset, "--host", "vm-host-1"],
    );
    let (main, worker) = ((11, "main"), (12, "worker-1"));
    let at = |ns: u64| OFFSET + ns;
    assert_eq!(
        summary(&spans),
        [
            // In the order they end in the file.
            json!({"name": "lock", "start": at(1100), "end": at(1200), "parent": "io",
                "attributes": attrs(main, json!({}))}),
            // Worker: io's exit also closes the lock call inside it.
            json!({"name": "lock", "start": at(960), "end": at(990), "parent": "io",
                "attributes": attrs(worker, json!({"simpletrace.truncated": "unclosed"}))}),
            json!({"name": "io", "start": at(950), "end": at(990), "parent": null,
                "attributes": attrs(worker, json!({"fd": 4, "exit.ret": 0}))}),
            json!({"name": "io", "start": at(1000), "end": at(1300), "parent": null,
                "attributes": attrs(main, json!({"fd": 3, "exit.ret": -5}))}),
            // Never exits: ends at the trace's last timestamp (the tick at
            // 1350, made monotonic on its thread: 1400).
            json!({"name": "io", "start": at(1400), "end": at(1400), "parent": null,
                "attributes": attrs(main, json!({"fd": 5, "simpletrace.truncated": "unclosed"}))}),
        ]
    );
    for s in &spans {
        assert_eq!(
            s["resource"],
            json!({"service.name": "unknown_service", "process.pid": PID, "host.name": "vm-host-1"})
        );
        assert_eq!(s["kind"], "SPAN_KIND_INTERNAL");
        assert_eq!(
            s["scope"],
            format!("simpletrace {}", env!("CARGO_PKG_VERSION"))
        );
    }
    // A child is in its parent's trace; each root starts a trace of its own.
    assert_eq!(spans[0]["trace_id"], spans[3]["trace_id"]);
    assert_eq!(spans[1]["trace_id"], spans[2]["trace_id"]);
    assert_ne!(spans[2]["trace_id"], spans[3]["trace_id"]);
    assert_ne!(spans[3]["trace_id"], spans[4]["trace_id"]);
}

#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn calls_cut_by_a_drop_end_there_marked() {
    let spans = spans_of(&dropped_exit_trace(), THREADED_EVENTS, &[]);
    let (main, worker) = ((11, "main"), (12, "worker-1"));
    let cut = json!({"simpletrace.truncated": "cut_by_drop"});
    assert_eq!(
        summary(&spans),
        [
            json!({"name": "lock", "start": 1010, "end": 1020, "parent": "io",
                "attributes": attrs(worker, cut)}),
            json!({"name": "io", "start": 1000, "end": 1020, "parent": null,
                "attributes": attrs(worker, json!({"fd": 4, "simpletrace.truncated": "cut_by_drop"}))}),
            json!({"name": "io", "start": 1005, "end": 5000, "parent": null,
                "attributes": attrs(main, json!({"fd": 3, "exit.ret": 0}))}),
        ]
    );
}

#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn async_calls_are_spans_by_their_call_id_and_parents_of_none() {
    let spans = spans_of(
        &call_id_trace(),
        CALL_ID_EVENTS,
        &["--otlp-service-name", "fetcher"],
    );
    let (main, worker) = ((11, "main"), (12, "worker"));
    assert_eq!(
        summary(&spans),
        [
            json!({"name": "fetch", "start": 1000, "end": 1020, "parent": null,
                "attributes": attrs(main, json!({"async_call_id": 7, "key": 0}))}),
            // Step 2 lost its exit: step 1's closes it.
            json!({"name": "step", "start": 1110, "end": 1200, "parent": "step",
                "attributes": attrs(main, json!({"call_id": 2, "simpletrace.truncated": "unclosed"}))}),
            json!({"name": "step", "start": 1100, "end": 1200, "parent": null,
                "attributes": attrs(main, json!({"call_id": 1}))}),
            // Begun on the worker, ended on main.
            json!({"name": "fetch", "start": 1030, "end": 1500, "parent": null,
                "attributes": attrs(worker, json!({"async_call_id": 9, "key": 2}))}),
            json!({"name": "fetch", "start": 1010, "end": 2000, "parent": null,
                "attributes": attrs(main, json!({"async_call_id": 8, "key": 1}))}),
        ]
    );
    assert!(spans
        .iter()
        .all(|s| s["resource"]["service.name"] == "fetcher"));
}

/// Text, booleans, pointers, signed and unsigned integers, typed as the
/// JSON output types them; ids the same on every export of the file.
#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn arguments_are_typed_attributes_and_ids_are_deterministic() {
    const EVENTS: &str = "\
open_enter(const char *path, int flags, bool sync, void *buf, uint8_t small) \"path %s\"
open_exit(int64_t ret, const char *why) \"ret %\" PRId64 \" %s\"
";
    let t = Trace::v4_mapped(&["open_enter", "open_exit"]);
    let t = t.event(
        0,
        10,
        PID,
        &[
            A::S(b"caf\xc3\xa9 \xff"),
            A::I(-2i64 as u64),
            A::I(1),
            A::I(0xdead_0000),
            A::I(0x1ff),
        ],
    );
    let t = t.event(1, 25, PID, &[A::I(-1i64 as u64), A::S(b"EPERM")]);
    let dir = tempfile::tempdir().unwrap();
    let (ev, tr) = write_trace(dir.path(), &t, EVENTS);
    let json = ok(cli(&[
        "--format".as_ref(),
        "json".as_ref(),
        ev.as_os_str(),
        tr.as_os_str(),
    ]));
    let records: Vec<Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    export_file(&[ev.as_os_str(), tr.as_os_str()], &[], &a);
    export_file(&[ev.as_os_str(), tr.as_os_str()], &[], &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let spans = decode(&[a])["spans"].as_array().unwrap().clone();
    assert_eq!(spans.len(), 1);
    let mut want = records[0]["args"].as_object().unwrap().clone();
    for (k, v) in records[1]["args"].as_object().unwrap() {
        want.insert(format!("exit.{k}"), v.clone());
    }
    // No thread records: no thread attributes.
    assert_eq!(spans[0]["attributes"], Value::Object(want));
    assert_eq!(spans[0]["attributes"]["small"], 0xff);
    assert_eq!(spans[0]["attributes"]["path"], "café \u{fffd}");
    assert_eq!(
        spans[0]["end"].as_u64().unwrap() - spans[0]["start"].as_u64().unwrap(),
        15
    );
    // Another host name: another file identity, other ids.
    let c = dir.path().join("c");
    export_file(&[ev.as_os_str(), tr.as_os_str()], &["--host", "h2"], &c);
    let other = &decode(&[c])["spans"][0];
    assert_ne!(other["span_id"], spans[0]["span_id"]);
    assert_ne!(other["trace_id"], spans[0]["trace_id"]);
}

#[traced]
fn handle(request: u64, path: &str) -> u64 {
    let mut sum = 0;
    for part in 0..request % 3 {
        sum += read_part(part);
    }
    sum + path.len() as u64
}

#[traced(ret)]
fn read_part(part: u64) -> u64 {
    part * 2
}

/// Pending on its first poll, ready on the second.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    }
}

#[traced(ret)]
async fn fetch(key: u64) -> u64 {
    YieldOnce(false).await;
    read_part(key)
}

/// `fetch` polled to its end inside a `handle` call.
#[traced]
fn drive(key: u64) {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = std::task::Waker::from(Arc::new(Noop));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut call = Box::pin(fetch(key));
    while std::future::Future::poll(call.as_mut(), &mut cx).is_pending() {}
}

/// A call as the records say: from `--format json`, paired by id.
#[derive(Debug)]
struct Expected {
    name: String,
    tid: u64,
    thread: String,
    start: u64,
    end: u64,
    args: serde_json::Map<String, Value>,
    exit_args: serde_json::Map<String, Value>,
    /// The call id of the innermost `call_id` call open on the thread.
    parent: Option<u64>,
}

/// Pairs the enters and exits of `--format json` by their call ids.
fn calls_in(records: &[Value]) -> HashMap<u64, Expected> {
    let mut calls: HashMap<u64, Expected> = HashMap::new();
    let mut stacks: HashMap<u64, Vec<u64>> = HashMap::new();
    for r in records {
        let name = r["name"].as_str().unwrap();
        let args = r["args"].as_object().cloned().unwrap_or_default();
        let (id, nested) = match (args.get("call_id"), args.get("async_call_id")) {
            (Some(id), _) => (id.as_u64().unwrap(), true),
            (_, Some(id)) => (id.as_u64().unwrap(), false),
            _ => continue,
        };
        let tid = r["tid"].as_u64().unwrap();
        let stack = stacks.entry(tid).or_default();
        let ts = r["timestamp_ns"].as_u64().unwrap();
        if let Some(base) = name.strip_suffix("_enter") {
            let call = Expected {
                name: base.to_string(),
                tid,
                thread: r["thread"].as_str().unwrap().to_string(),
                start: ts,
                end: 0,
                args,
                exit_args: Default::default(),
                parent: stack.last().copied(),
            };
            assert!(calls.insert(id, call).is_none(), "call id {id} twice");
            if nested {
                stack.push(id);
            }
        } else {
            let call = calls.get_mut(&id).unwrap();
            call.end = ts;
            call.exit_args = args;
            call.exit_args
                .remove(if nested { "call_id" } else { "async_call_id" });
            if nested {
                assert_eq!(stack.pop(), Some(id), "calls nest");
            }
        }
    }
    calls
}

/// A traced program (nested calls on three threads, string arguments, an
/// async call polled inside a call): every call is one span whose start,
/// end and duration are its enter's and exit's timestamps as `--format
/// json` gives them, whose parent is the call it ran in, and whose
/// attributes are its arguments.
#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn a_traced_programs_calls_are_its_spans() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace");
    let guard = trace_runtime::Config::new()
        .ignore_env()
        .file(&trace)
        .start()
        .unwrap();
    let workers: Vec<JoinHandle<()>> = (0..3u64)
        .map(|w| {
            std::thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    for r in 0..20 {
                        handle(w * 100 + r, ["/a", "/disk.img", ""][(r % 3) as usize]);
                    }
                    drive(w);
                })
                .unwrap()
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    drop(guard);

    let json = ok(cli(&[
        "--format".as_ref(),
        "json".as_ref(),
        trace.as_os_str(),
    ]));
    let records: Vec<Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let calls = calls_in(&records);
    // 60 handle calls, 60 reads inside them, 3 drive, 3 fetch and a read each.
    assert_eq!(calls.len(), 60 + 60 + 3 * 3);
    let out = dir.path().join("o.otlp");
    export_file(&[trace.as_os_str()], &[], &out);
    let spans = decode(&[out])["spans"].as_array().unwrap().clone();
    assert_eq!(spans.len(), calls.len());
    let id_of = |s: &Value| {
        let a = &s["attributes"];
        a["call_id"]
            .as_u64()
            .or(a["async_call_id"].as_u64())
            .unwrap()
    };
    let by_span: HashMap<&str, u64> = spans
        .iter()
        .map(|s| (s["span_id"].as_str().unwrap(), id_of(s)))
        .collect();
    let pid = records[0]["pid"].as_u64().unwrap();
    for s in &spans {
        let call = &calls[&id_of(s)];
        let (start, end) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
        assert_eq!(
            (s["name"].as_str().unwrap(), start, end),
            (call.name.as_str(), call.start, call.end)
        );
        assert_eq!(end - start, call.end - call.start);
        let parent = s["parent_span_id"].as_str().map(|p| by_span[p]);
        assert_eq!(parent, call.parent, "{call:?}");
        let mut want = call.args.clone();
        want.insert("thread.id".into(), call.tid.into());
        want.insert("thread.name".into(), call.thread.clone().into());
        for (k, v) in &call.exit_args {
            want.insert(format!("exit.{k}"), v.clone());
        }
        assert_eq!(s["attributes"], Value::Object(want), "{call:?}");
        assert_eq!(s["resource"]["process.pid"], pid);
    }
    // The async call's parent is the call polling it; the read inside it
    // nests in that call too (see the module doc of the export).
    let fetches: Vec<&Value> = spans.iter().filter(|s| s["name"] == "fetch").collect();
    assert_eq!(fetches.len(), 3);
    for f in fetches {
        let parent = &calls[&by_span[f["parent_span_id"].as_str().unwrap()]];
        assert_eq!(parent.name, "drive");
        assert_eq!(
            f["attributes"]["exit.ret"],
            f["attributes"]["key"].as_u64().unwrap() * 2
        );
    }
}

/// A request as the receiver got it.
struct Received {
    request_line: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// An OTLP/HTTP receiver on 127.0.0.1, in a thread: reads each request and
/// answers `answer` (or, `None`, never answers while it runs).
struct Receiver {
    addr: String,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Received>>,
}

/// Connections accepted at most: the receiver stops by itself.
const MAX_CONNECTIONS: usize = 10_000;

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(data[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers["content-length"].parse().unwrap();
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        request_line,
        headers,
        body,
    })
}

fn receiver(answer: Option<&'static [u8]>) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let thread = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut held = Vec::new();
        for stream in listener.incoming().take(MAX_CONNECTIONS) {
            if stopped.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut stream) = stream else { continue };
            let Some(request) = read_request(&mut stream) else {
                continue;
            };
            got.push(request);
            match answer {
                Some(answer) => stream.write_all(answer).unwrap(),
                None => held.push(stream),
            }
        }
        got
    });
    Receiver { addr, stop, thread }
}

impl Receiver {
    fn url(&self) -> String {
        format!("http://{}/v1/traces", self.addr)
    }

    /// Stop it; what it received.
    fn finish(self) -> Vec<Received> {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
        self.thread.join().unwrap()
    }
}

const OK_EMPTY: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";

/// Three threads of nested calls with arguments.
fn busy_trace() -> Trace {
    let mut t = threaded_trace();
    let mut ts = 10_000;
    for batch in 0..60u64 {
        let tid = 20 + batch % 3;
        let name = format!("vcpu-{}", tid - 20);
        t = t.event(0, ts, PID, &[A::I(tid), A::S(name.as_bytes())]);
        for i in 0..10u64 {
            ts += 13;
            t = t.event(1, ts, PID, &[A::I(i)]);
            t = t.event(3, ts + 1, PID, &[]);
            t = t.event(4, ts + 3, PID, &[]);
            t = t.event(2, ts + 4, PID, &[A::I(batch)]);
        }
    }
    t
}

fn post(files: &[&OsStr], extra: &[&str], url: &str) -> Output {
    let mut args: Vec<&OsStr> = vec!["export".as_ref(), "--otlp-endpoint".as_ref(), url.as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    args.extend_from_slice(files);
    cli(&args)
}

#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn a_collector_receives_in_bounded_requests_what_the_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (ev, tr) = write_trace(dir.path(), &busy_trace(), THREADED_EVENTS);
    let files = [ev.as_os_str(), tr.as_os_str()];
    let batch = ["--otlp-batch-bytes", "4096", "--host", "h"];
    let rx = receiver(Some(OK_EMPTY));
    let url = rx.url();
    let out = ok(post(&files, &batch, &url));
    let got = rx.finish();
    assert!(got.len() > 10, "{} requests", got.len());
    for r in &got {
        assert_eq!(r.request_line, "POST /v1/traces HTTP/1.1");
        assert_eq!(r.headers["content-type"], "application/x-protobuf");
        assert_eq!(
            r.headers["host"],
            url["http://".len()..url.len() - "/v1/traces".len()]
        );
        // The limit plus at most one span.
        assert!(r.body.len() < 4096 + 512, "{}", r.body.len());
    }
    let mut bodies = Vec::new();
    for (i, r) in got.iter().enumerate() {
        let path = dir.path().join(format!("request-{i}"));
        std::fs::write(&path, &r.body).unwrap();
        bodies.push(path);
    }
    let received = decode(&bodies);
    // The same bytes as the file, whatever the batches: the same spans.
    let (same, default) = (
        dir.path().join("same.otlp"),
        dir.path().join("default.otlp"),
    );
    export_file(&files, &batch, &same);
    export_file(&files, &["--host", "h"], &default);
    let concatenated: Vec<u8> = got.iter().flat_map(|r| r.body.iter().copied()).collect();
    assert_eq!(concatenated, std::fs::read(&same).unwrap());
    let file = decode(&[default]);
    assert_eq!(received["spans"], file["spans"]);
    let spans = received["spans"].as_array().unwrap().len();
    assert_eq!(spans, 5 + 60 * 10 * 2);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "simpletrace: sent {spans} spans in {} requests to {url}",
            got.len()
        )
    );
}

#[test]
fn spans_the_collector_rejects_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (ev, tr) = write_trace(dir.path(), &threaded_trace(), THREADED_EVENTS);
    // partial_success { rejected_spans: 3, error_message: "full" }
    let rx = receiver(Some(
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n\x0a\x08\x08\x03\x12\x04full",
    ));
    let out = ok(post(&[ev.as_os_str(), tr.as_os_str()], &[], &rx.url()));
    assert_eq!(rx.finish().len(), 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("simpletrace: warning: the collector rejected 3 spans: full"),
        "{stderr}"
    );
}

/// Failing to send is a clear error (and the exit code says so), not a panic.
#[test]
fn collector_failures_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (ev, tr) = write_trace(dir.path(), &busy_trace(), THREADED_EVENTS);
    let files = [ev.as_os_str(), tr.as_os_str()];
    let fails = |out: Output| {
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };

    let rx = receiver(Some(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 15\r\n\r\ncollector down\n",
    ));
    let url = rx.url();
    let stderr = fails(post(&files, &["--otlp-batch-bytes", "4096"], &url));
    // Nothing more is sent after the first failure.
    assert_eq!(rx.finish().len(), 1);
    assert_eq!(
        stderr.trim(),
        format!("simpletrace: {url} answered 500 Internal Server Error: collector down")
    );

    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let stderr = fails(post(
        &files,
        &[],
        &format!("http://127.0.0.1:{port}/v1/traces"),
    ));
    assert!(
        stderr.starts_with(&format!(
            "simpletrace: cannot connect to 127.0.0.1:{port}: "
        )),
        "{stderr}"
    );

    let rx = receiver(None);
    let url = rx.url();
    let stderr = fails(post(&files, &["--otlp-timeout", "0.2"], &url));
    rx.finish();
    assert_eq!(
        stderr.trim(),
        format!("simpletrace: {url} did not answer within 0.2 s (--otlp-timeout)")
    );

    let stderr = fails(post(
        &files,
        &[],
        "https://collector.example:4318/v1/traces",
    ));
    assert!(stderr.contains("https is not supported"), "{stderr}");
    let stderr = fails(post(&files, &[], "collector:4318"));
    assert!(stderr.contains("not an http:// URL"), "{stderr}");
}

/// The enter arguments kept for open calls are bounded: past the budget a
/// span's are left out and counted, and space freed by ended calls is used
/// again. Through the library, with a small budget.
#[test]
#[cfg(not(windows))] // decoded by python3, a program of the Linux host
fn arguments_of_open_calls_are_bounded() {
    use simpletrace::timeline::otlp::{OtlpOptions, OtlpTrace, ToWriter};
    use simpletrace::{process, Filter, Reader, Selected};

    const EVENTS: &str = "\
trace_thread(uint64_t tid, const char *name) \"tid %\" PRIu64 \" name %s\"
open_enter(const char *path) \"%s\"
open_exit(int ret) \"%d\"
";
    let long = |c: u8| vec![c; 100];
    let t = Trace::v4_mapped(&["trace_thread", "open_enter", "open_exit"]);
    let t = t.event(0, 1, PID, &[A::I(u64::from(PID)), A::S(b"qemu-system")]);
    let t = t.event(1, 10, PID, &[A::S(&long(b'a'))]);
    let t = t.event(1, 20, PID, &[A::S(&long(b'b'))]);
    let t = t.event(1, 30, PID, &[A::S(&long(b'c'))]);
    let t = t.event(2, 40, PID, &[A::I(3)]);
    let t = t.event(2, 50, PID, &[A::I(2)]);
    let t = t.event(1, 60, PID, &[A::S(&long(b'd'))]);
    let t = t.event(2, 70, PID, &[A::I(4)]);
    let t = t.event(2, 80, PID, &[A::I(1)]);
    let options = OtlpOptions {
        // Two spans' thread attributes and path (about 150 bytes each).
        max_pending_attributes: 320,
        ..OtlpOptions::default()
    };
    let mut reader = Reader::new(std::io::Cursor::new(t.bytes.clone()), table(EVENTS)).unwrap();
    let mut export = Selected::new(
        Filter::default(),
        OtlpTrace::new(ToWriter(Vec::new()), options),
    );
    process(&mut reader, &mut export).unwrap();
    let bytes = export.into_inner().into_draw().into_requests().0;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.otlp");
    std::fs::write(&path, bytes).unwrap();
    let spans = decode(&[path])["spans"].as_array().unwrap().clone();
    let seen: Vec<(Value, Value, Value)> = spans
        .iter()
        .map(|s| {
            let path = s["attributes"]["path"].as_str().map(|p| p[..1].to_string());
            (
                s["end"].clone(),
                json!(path),
                s["dropped_attributes_count"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (json!(40), json!(null), json!(1)),
            (json!(50), json!("b"), json!(0)),
            (json!(70), json!("d"), json!(0)),
            (json!(80), json!("a"), json!(0)),
        ]
    );
    // The thread attributes stay; the main thread names the service.
    assert_eq!(spans[0]["attributes"]["thread.name"], "qemu-system");
    assert_eq!(spans[0]["attributes"]["exit.ret"], 3);
    assert!(spans
        .iter()
        .all(|s| s["resource"]["service.name"] == "qemu-system"));
}
