//! A trace written by our runtime (the demo's events, two threads) reads with
//! no trace-events file exactly as with the demo's file plus the runtime's
//! lines (which is what QEMU's simpletrace.py is given).

mod common;

use std::ffi::OsStr;

use common::run_cli;

mod trace {
    trace_runtime::trace_events!("../examples/demo/trace-events");
}

const DEMO_EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo/trace-events");

fn stdout_of(args: &[&OsStr]) -> String {
    let out = run_cli(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn runtime_trace_reads_without_a_trace_events_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let guard = trace_runtime::Config::new()
        .ignore_env()
        .file(&path)
        .start()
        .unwrap();
    trace::demo_start("vda", 2);
    let workers: Vec<_> = (0..2u64)
        .map(|w| {
            std::thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    for i in 0..3u64 {
                        let req = [w, i];
                        trace::request_submit(&req, w * 100 + i, 8, i % 2 == 1);
                        trace::request_complete(&req, -(i as i32));
                    }
                })
                .unwrap()
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    trace::demo_finish(6, -42);
    drop(guard);

    // The file simpletrace.py needs: the demo's declarations + the runtime's.
    let demo = std::fs::read_to_string(DEMO_EVENTS).unwrap();
    let events = dir.path().join("events");
    std::fs::write(
        &events,
        format!("{demo}{}", trace_runtime::RUNTIME_TRACE_EVENTS),
    )
    .unwrap();
    for format in ["simpletrace", "log", "json"] {
        let alone = stdout_of(&["--format".as_ref(), format.as_ref(), path.as_os_str()]);
        let with_file = stdout_of(&[
            "--format".as_ref(),
            format.as_ref(),
            events.as_os_str(),
            path.as_os_str(),
        ]);
        assert_eq!(alone, with_file, "{format}");
    }
    let log = stdout_of(&[
        "--format".as_ref(),
        "log".as_ref(),
        "--events".as_ref(),
        "-trace_*".as_ref(),
        path.as_os_str(),
    ]);
    let mut lines: Vec<&str> = log.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines.len(), 2 + 2 * 3 * 2, "{log}");
    assert!(
        lines.contains(&"demo_start device vda with 2 workers"),
        "{log}"
    );
    assert!(
        lines.contains(&"demo_finish requests 6 checksum -42"),
        "{log}"
    );

    // `events --from-trace` prints a file that decodes it the same; every
    // event of the demo is declared, the compiled-out one included.
    let printed = stdout_of(&["events".as_ref(), "--from-trace".as_ref(), path.as_os_str()]);
    for line in demo
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        assert!(
            printed.lines().any(|p| p == line),
            "{line} missing from\n{printed}"
        );
    }
    let from_trace = dir.path().join("from-trace");
    std::fs::write(&from_trace, &printed).unwrap();
    assert_eq!(
        stdout_of(&[from_trace.as_os_str(), path.as_os_str()]),
        stdout_of(&[path.as_os_str()])
    );

    // The timeline names both workers.
    let json = dir.path().join("t.json");
    stdout_of(&[
        "export".as_ref(),
        "--chrome".as_ref(),
        json.as_os_str(),
        path.as_os_str(),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let mut names: Vec<&str> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .filter(|n| n.starts_with("worker-"))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["worker-0", "worker-1"]);
}
