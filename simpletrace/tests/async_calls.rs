//! Overlapping `#[traced]` async calls on one thread, as a program makes them:
//! four tasks on a tokio current-thread runtime sleep 0, 1, 2 and 3 ms, so
//! the enters come before the exits. `export` and `stats` must pair each exit
//! with its own call (by the call id both records carry), not last-in,
//! first-out.

mod common;

use std::ffi::OsStr;
use std::path::Path;
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
    let slices: Vec<_> = t.async_slices.values().flatten().collect();
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
}
