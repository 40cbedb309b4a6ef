//! The log backend writes to stderr by default. The test runs itself as the
//! child (marked by its own variable, so a `SIMPLETRACE` in the developer's
//! environment never turns the parent into a child), with the options in
//! `SIMPLETRACE`.

mod control_common;
mod runner;

use control_common::*;

const TEST: &str = "log_backend_writes_to_stderr_by_default";
const CHILD: &str = "LOG_STDERR_TEST_CHILD";

#[test]
fn log_backend_writes_to_stderr_by_default() {
    if std::env::var_os(CHILD).is_some() {
        let guard = trace_runtime::Config::new().start().unwrap();
        trace::disk_read("vda", 0, 1);
        trace::net_tx(1, 2); // not selected
        drop(guard);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = runner::output(
        runner::target_command(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--test-threads=1"])
            .env(CHILD, "1")
            .env(trace_runtime::OPTIONS_ENV, "backend=log,disk_*")
            .current_dir(dir.path()),
    )
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "disk_read dev vda offset 0x0 len 1\n"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no trace file"
    );
}
