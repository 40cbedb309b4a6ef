//! A name declared twice, as in QEMU's `trace-events-all` (bsd-user and
//! linux-user share eight names): simpletrace.py decodes it with the last
//! declaration (`event_mapping[event.name] = event` in file order), so the
//! reader warns and does the same. `user_host_signal` tells which one was
//! used: bsd-user's format ends `(target %d(`, linux-user's `(target %d)`.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

fn corpus(file: &str) -> String {
    std::fs::read_to_string(Path::new(CORPUS).join(file)).unwrap()
}

fn host_signal_trace() -> Trace {
    Trace::v4().mapping(5, "user_host_signal").event(
        5,
        1000,
        42,
        &[A::I(0x1000), A::I(11), A::I(6)],
    )
}

/// `simpletrace --format log FILES... TRACE`: (status, stdout, stderr).
fn log(files: &[(&str, &str)], trace: &Trace, extra: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["--format".into(), "log".into()];
    args.extend(extra.iter().map(Into::into));
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
        args.push(dir.path().join(name).into());
    }
    std::fs::write(dir.path().join("trace"), &trace.bytes).unwrap();
    args.push(dir.path().join("trace").into());
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let out = run_cli(&args);
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn qemu_trace_events_all_decodes_with_the_last_declaration() {
    let all = corpus("bsd-user/trace-events") + &corpus("linux-user/trace-events");
    let (ok, stdout, stderr) = log(&[("trace-events-all", &all)], &host_signal_trace(), &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.ends_with("signal 11 (target 6)\n"), "{stdout}");
    assert_eq!(stderr.matches(": warning: event '").count(), 8, "{stderr}");
    assert!(
        stderr.contains("event 'user_setup_frame' is declared again (first on line"),
        "{stderr}"
    );

    // The other order: the other declaration.
    let all = corpus("linux-user/trace-events") + &corpus("bsd-user/trace-events");
    let (ok, stdout, _) = log(&[("trace-events-all", &all)], &host_signal_trace(), &[]);
    assert!(ok);
    assert!(stdout.ends_with("signal 11 (target 6(\n"), "{stdout}");
}

#[test]
fn a_name_declared_in_two_files_warns_and_the_last_file_wins() {
    let (bsd, linux) = (
        corpus("bsd-user/trace-events"),
        corpus("linux-user/trace-events"),
    );
    let (ok, stdout, stderr) = log(
        &[("bsd-user", &bsd), ("linux-user", &linux)],
        &host_signal_trace(),
        &[],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.ends_with("signal 11 (target 6)\n"), "{stdout}");
    assert_eq!(stderr.matches(": warning: event '").count(), 8, "{stderr}");
    assert!(
        stderr.contains("linux-user:")
            && stderr.contains("event 'user_host_signal' is declared again"),
        "{stderr}"
    );
}

#[test]
fn without_header_a_position_names_the_event_and_the_name_its_last_declaration() {
    // simpletrace.py --no-header: id -> name by position, then name -> event.
    let events = "foo(int x) \"first %d\"\nbar(void)\nfoo(int x) \"second %d\"\n";
    let trace = Trace::default()
        .event(0, 1000, 1, &[A::I(7)])
        .event(1, 1001, 1, &[]);
    let (ok, stdout, stderr) = log(&[("e", events)], &trace, &["--no-header"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "foo second 7\nbar\n");
}

#[test]
fn the_events_listing_warns_as_the_reader_does() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["bsd-user", "linux-user"] {
        std::fs::write(
            dir.path().join(name),
            corpus(&format!("{name}/trace-events")),
        )
        .unwrap();
    }
    let out = runner::output(
        runner::target_command(env!("CARGO_BIN_EXE_simpletrace"))
            .current_dir(dir.path())
            .args(["events", "bsd-user", "linux-user"]),
    )
    .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches(": warning: event '").count(), 8, "{stderr}");
    assert!(
        stderr.contains("event 'user_host_signal' is declared again (first in bsd-user:"),
        "{stderr}"
    );
    // Both declarations are listed.
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches(" user_host_signal(").count(), 2);
}
