//! A trace that lost events says so on stderr when it stops: one line, with
//! how many and the setting that would help; `quiet` silences it. Each case
//! runs in a child process (this test binary, run again), since a process
//! starts one trace.

mod control_common;
mod runner;

use control_common::trace;
use trace_runtime::{Config, MIN_BUFFER_SIZE};

const CHILD: &str = "LOSS_REPORT_CASE";
const TEST: &str = "child";

/// The child: one case, chosen by the parent.
#[test]
fn child() {
    let Ok(case) = std::env::var(CHILD) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new().file(dir.path().join("trace"));
    let config = match case.as_str() {
        "dev_full" => Config::new().file("/dev/full"),
        "quiet_api" => config.quiet(true),
        _ => config,
    };
    let guard = config
        .buffer_size(MIN_BUFFER_SIZE)
        .__start_paused()
        .start()
        .unwrap();
    // 1,000 records of 32 bytes: a paused writer leaves room for about 500.
    let events = if case == "no_loss" { 10 } else { 1000 };
    (0..events).for_each(|_| trace::tick());
    guard.__pause_writer(false);
    drop(guard);
}

/// Run one case; its stderr.
fn run(case: &str, options: Option<&str>) -> String {
    let mut cmd = runner::target_command(std::env::current_exe().unwrap());
    cmd.args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, case)
        .env_remove(trace_runtime::OPTIONS_ENV);
    if let Some(options) = options {
        cmd.env(trace_runtime::OPTIONS_ENV, options);
    }
    let out = runner::output(&mut cmd).unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn dropped_events_print_one_line_with_the_buffer_size_to_try() {
    let stderr = run("drops", None);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let line = lines[0];
    assert!(line.starts_with("trace: lost "), "{line}");
    assert!(line.contains(" of 1000 events ("), "{line}");
    assert!(
        line.contains(
            " dropped: a thread's buffer was full (buffer_size=16K; try buffer_size=64K)"
        ),
        "{line}"
    );
    assert!(line.ends_with("; quiet=on hides this line"), "{line}");
}

#[test]
#[cfg(unix)] // /dev/full, the file whose writes fail, is a Unix device
fn failed_writes_print_one_line_naming_the_file() {
    let stderr = run("dev_full", None);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("trace: lost "), "{stderr}");
    assert!(lines[0].contains("failed write"), "{stderr}");
    assert!(lines[0].contains("/dev/full"), "{stderr}");
}

#[test]
fn quiet_or_no_loss_prints_nothing() {
    assert_eq!(run("drops", Some("quiet=on,tick")), "");
    assert_eq!(run("quiet_api", None), "");
    assert_eq!(run("no_loss", None), "");
}
