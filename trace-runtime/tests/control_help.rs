//! `help` in the options: every event with its state on stdout, then exit 0,
//! as QEMU's `-trace help` does. The test runs itself as the child.

mod control_common;
mod runner;

const TEST: &str = "help_lists_every_event_with_its_state_and_exits";

#[test]
fn help_lists_every_event_with_its_state_and_exits() {
    if std::env::var_os(trace_runtime::OPTIONS_ENV).is_some() {
        // The child: start prints the list and exits.
        let _guard = trace_runtime::Config::new().start();
        panic!("start returned with help in the options");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = runner::output(
        runner::target_command(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(trace_runtime::OPTIONS_ENV, "disk_*,-disk_write,help")
            .current_dir(dir.path()),
    )
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    // libtest's "test NAME ... " has no newline before our first line.
    let lines: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.rsplit(" ... ").next())
        .filter(|l| l.contains(" : state "))
        .collect();
    // Declaration order, as QEMU lists them: the file's events by line, then
    // the runtime's own.
    assert_eq!(
        lines,
        [
            "disk_read : state 1",
            "disk_write : state 0",
            "disk_flush : state 1",
            "net_rx : state 0",
            "net_tx : state 0",
            "tick : state 0",
            "raw_args : state 0",
            "debug_dump : state 0",
            "trace_thread : state 1",
            "trace_event_decl : state 1",
        ]
    );
    assert!(
        !stdout.contains("test result"),
        "exited before the test ended"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no trace file"
    );
}
