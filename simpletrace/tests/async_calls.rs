//! Overlapping `#[traced]` async calls on one thread, as a program makes them:
//! four tasks on a tokio current-thread runtime sleep 0, 1, 2 and 3 ms, so
//! the enters come before the exits. `export` and `stats` must pair each exit
//! with its own call (by the call id both records carry), not last-in,
//! first-out. And a call that starts on one thread and ends on another, as a
//! task moved by a work-stealing runtime does.

mod common;

use std::ffi::OsStr;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use common::run_cli;
use common::timeline::timeline;
use serde_json::Value;
use simpletrace::{EventTable, OwnedValue, Reader};
use trace_runtime::traced;

/// Returns its key, so its exit record says which call it ends.
#[traced(ret)]
async fn fetch(key: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(key)).await;
    key
}

/// Pending on its first poll, ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[traced]
async fn moved() {
    YieldOnce(false).await;
}

struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

fn poll<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(&Waker::from(Arc::new(Noop))))
}

/// `moved` entered on this thread, then finished on another one.
fn call_moved_to_another_thread() {
    let mut call = Box::pin(moved());
    assert!(poll(call.as_mut()).is_pending());
    std::thread::Builder::new()
        .name("other".into())
        .spawn(move || assert!(poll(call.as_mut()).is_ready()))
        .unwrap()
        .join()
        .unwrap();
}

fn run(args: &[&OsStr]) -> Vec<u8> {
    let out = run_cli(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `fetch_enter` keys and `fetch_exit` returned keys, in file order.
fn fetch_records(path: &Path) -> Vec<(String, u64)> {
    let mut reader = Reader::open(path, EventTable::new([])).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        let r = r.to_owned();
        let value = match (r.name.as_str(), r.args.last()) {
            ("fetch_enter" | "fetch_exit", Some(OwnedValue::Int(v))) => *v,
            _ => continue,
        };
        out.push((r.name, value));
    }
    out
}

#[test]
fn overlapping_async_calls_are_paired_by_their_call_id() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace");
    let guard = trace_runtime::Config::new()
        .ignore_env()
        .file(&trace)
        .start()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..4).map(|key| tokio::spawn(fetch(key))).collect();
        for (key, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap(), key as u64);
        }
    });
    call_moved_to_another_thread();
    drop(guard);

    // The case that last-in, first-out gets wrong: calls overlap on the
    // thread (every enter before the exits of the calls that sleep).
    let records = fetch_records(&trace);
    assert_eq!(records.len(), 8, "{records:?}");
    let last_enter = records.iter().rposition(|r| r.0 == "fetch_enter");
    let first_sleeper_exit = records.iter().position(|r| r.0 == "fetch_exit" && r.1 > 0);
    assert!(last_enter < first_sleeper_exit, "{records:?}");

    let json_out = dir.path().join("t.json");
    run(&[
        "export".as_ref(),
        "--chrome".as_ref(),
        json_out.as_os_str(),
        trace.as_os_str(),
    ]);
    let json: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    let t = timeline(&json);
    assert!(t.slices.values().all(Vec::is_empty), "no nested slices");
    let slices: Vec<_> = t
        .async_slices
        .values()
        .flatten()
        .filter(|s| s.name == "fetch")
        .collect();
    assert_eq!(slices.len(), 4, "{slices:?}");
    for s in &slices {
        assert_eq!(s.name, "fetch");
        let key = s.args["key"].as_u64().unwrap();
        assert_eq!(
            s.end_args["ret"], key,
            "the exit of the call it starts: {s:?}"
        );
        assert_eq!(s.args["async_call_id"], s.end_args["async_call_id"]);
        // Slept `key` ms (timestamps in µs).
        assert!(s.end - s.start >= key as f64 * 1000.0, "{s:?}");
    }

    // `moved` starts on the test's thread and ends on "other".
    let moved: Vec<_> = t
        .async_slices
        .iter()
        .flat_map(|(track, slices)| slices.iter().map(move |s| (track, s)))
        .filter(|(_, s)| s.name == "moved")
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    let (start_track, _) = moved[0];
    assert_ne!(t.names[start_track], "other");
    let end = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ph"] == "e" && e["name"] == "moved")
        .unwrap();
    let end_track = (end["pid"].as_u64().unwrap(), end["tid"].as_u64().unwrap());
    assert_eq!(t.names[&end_track], "other");

    // The HTML page draws the same JSON.
    let html_out = dir.path().join("t.html");
    run(&[
        "export".as_ref(),
        "--html".as_ref(),
        html_out.as_os_str(),
        trace.as_os_str(),
    ]);
    let html = std::fs::read_to_string(&html_out).unwrap();
    let body = &html[html.find(r#"id="trace">"#).unwrap() + r#"id="trace">"#.len()..];
    let embedded: Value = serde_json::from_str(&body[..body.find("</script>").unwrap()]).unwrap();
    assert_eq!(embedded, json);

    let stats: Value = serde_json::from_slice(&run(&[
        "stats".as_ref(),
        "--json".as_ref(),
        trace.as_os_str(),
    ]))
    .unwrap();
    let fetch = &stats["calls"][0];
    assert_eq!(fetch["name"], "fetch");
    assert_eq!(
        (
            &fetch["calls"],
            &fetch["unclosed"],
            &fetch["unmatched_exits"],
            &fetch["cut_by_drop"]
        ),
        (
            &Value::from(4),
            &Value::from(0),
            &Value::from(0),
            &Value::from(0)
        )
    );
    assert!(fetch["max_ns"].as_u64().unwrap() >= 3_000_000, "{fetch}");
    let moved = &stats["calls"][1];
    assert_eq!(moved["name"], "moved");
    assert_eq!(
        (&moved["calls"], &moved["unmatched_exits"]),
        (&Value::from(1), &Value::from(0))
    );
}
