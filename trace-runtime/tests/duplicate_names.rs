//! Two events of one name in one program are an error at start naming both
//! declarations: here `#[traced] fn run` in two modules and a trace-events
//! `run_enter`. (Without the check the three would silently share the name:
//! `SIMPLETRACE=run_enter` would enable all of them.)

use trace_runtime::{traced, Config, StartError};

mod declared {
    trace_runtime::trace_events!("tests/duplicate/run.trace-events");
}

mod disk {
    #[trace_runtime::traced]
    pub fn run() {}
}

mod net {
    use super::traced;

    #[traced]
    pub fn run() {}
}

#[test]
fn duplicate_event_names_fail_the_start_naming_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let err = match Config::new().ignore_env().file(&path).start() {
        Ok(_) => panic!("started with three events named `run_enter`"),
        Err(e) => e,
    };
    assert!(matches!(err, StartError::DuplicateEvent { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("event `run_enter` is declared more than once: at "),
        "{text}"
    );
    // Two of the three places, each as file:line.
    let places = [
        "tests/duplicate/run.trace-events:1",
        "trace-runtime/tests/duplicate_names.rs:13",
        "trace-runtime/tests/duplicate_names.rs:20",
    ];
    let named = places.iter().filter(|p| text.contains(*p)).count();
    assert_eq!(named, 2, "{text}");
    assert!(!path.exists(), "no trace file is created");
    // Nothing records after the failed start.
    disk::run();
    net::run();
    declared::run_enter(1);
    assert!(!declared::events::run_enter.is_enabled());
}
