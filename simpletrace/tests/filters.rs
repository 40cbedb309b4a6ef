//! Filters of the decoding command on the golden traces: the kept lines are
//! the lines simpletrace.py printed that match (the delta column aside: it is
//! relative to the previous line printed).

mod common;

use std::ffi::OsStr;

use common::*;

/// `name pid=N args` of each line printed with `extra` options.
fn decode(case: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
    let mut args: Vec<&OsStr> = extra.iter().map(OsStr::new).collect();
    args.extend([ev.as_os_str(), tr.as_os_str()]);
    let out = run_cli(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let name = parts.next().unwrap();
            parts.next();
            format!("{name} {}", parts.next().unwrap())
        })
        .collect()
}

fn expected(case: &std::path::Path, keep: impl Fn(&ExpectedLine) -> bool) -> Vec<String> {
    expected_lines(case)
        .iter()
        .filter(|l| keep(l))
        .map(|l| format!("{} pid={} {}", l.name, l.pid, l.args))
        .collect()
}

#[test]
fn event_patterns_include_and_exclude() {
    for case in golden_cases() {
        let got = decode(
            &case,
            &[
                "--events",
                "*_read*",
                "--events",
                "usb_*",
                "--events",
                "-usb_ehci_*",
            ],
        );
        let want = expected(&case, |l| {
            (l.name.contains("_read") || l.name.starts_with("usb_"))
                && !l.name.starts_with("usb_ehci_")
        });
        assert!(!want.is_empty());
        assert_eq!(got, want, "{}", case.display());
    }
}

#[test]
fn time_window_relative_to_the_first_record() {
    for case in golden_cases() {
        let lines = expected_lines(&case);
        let (from, to) = (lines[lines.len() / 4].t_ns, lines[lines.len() / 2].t_ns);
        let (from_arg, to_arg) = (format!("+{from}ns"), format!("+{to}"));
        let got = decode(&case, &["--from", &from_arg, "--to", &to_arg]);
        let want = expected(&case, |l| (from..=to).contains(&l.t_ns));
        assert!(want.len() > 1 && want.len() < lines.len());
        assert_eq!(got, want, "{}", case.display());
    }
}

#[test]
fn pid_and_thread() {
    let case = golden_case("case1");
    let pid = expected_lines(&case)[0].pid.to_string();
    assert_eq!(decode(&case, &["--pid", &pid]), expected(&case, |_| true));
    assert!(decode(&case, &["--pid", "1"]).is_empty());
    // QEMU traces say nothing about threads: a thread filter keeps nothing.
    assert!(decode(&case, &["--thread", "*"]).is_empty());
}

#[test]
fn thread_filter_by_name_and_tid_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let (tr, ev) = (dir.path().join("t"), dir.path().join("e"));
    std::fs::write(&tr, threaded_trace().bytes).unwrap();
    std::fs::write(&ev, THREADED_EVENTS).unwrap();
    let names = |sel: &str| -> Vec<String> {
        let args = [
            "--format".as_ref(),
            "json".as_ref(),
            "--thread".as_ref(),
            OsStr::new(sel),
            ev.as_os_str(),
            tr.as_os_str(),
        ];
        let out = run_cli(&args);
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let worker = [
        "trace_thread",
        "Dropped_Event",
        "io_enter",
        "lock_enter",
        "io_exit",
        "lock_exit",
        "orphan_enter",
    ];
    assert_eq!(names("worker-1"), worker);
    assert_eq!(names("12"), worker);
    assert_eq!(names("m?in").len(), 9);
}

#[test]
fn bad_filter_values_are_usage_errors() {
    let case = golden_case("case1");
    for bad in [&["--from", "1h"][..], &["--to", "+x"], &["--pid", "x"]] {
        let mut args: Vec<&OsStr> = bad.iter().map(OsStr::new).collect();
        let (ev, tr) = (case.join("trace-events"), case.join("trace.bin"));
        args.extend([ev.as_os_str(), tr.as_os_str()]);
        let out = run_cli(&args);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("invalid value"),
            "{bad:?}"
        );
    }
}
