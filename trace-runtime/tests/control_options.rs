//! The options string at start (every form and each error) and the run-time
//! event controls, seen by running code and in the file the reader decodes.

mod control_common;
mod listing;

use control_common::*;
use listing::states;
use trace_runtime::{
    event_state, list_events, set_enabled, Config, ControlError, EventState, OptionsError,
    SelectError, StartError,
};

fn start_error(options: &str) -> StartError {
    let config = Config::new().ignore_env().file("/dev/null");
    match config.options(options).unwrap().start() {
        Err(e) => e,
        Ok(_) => panic!("{options:?} started"),
    }
}

#[test]
fn options_select_events_and_running_code_sees_changes() {
    // Rejected options and names; a failed start does not use up the one start.
    let e = start_error("disk_*,nosuch_event");
    assert!(
        matches!(&e, StartError::Select(SelectError::UnknownEvent(n)) if n == "nosuch_event"),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "no event named `nosuch_event`");
    let e = start_error("disk_rea?x"); // `?` without `*` is a name, as in QEMU
    assert!(matches!(&e, StartError::Select(SelectError::UnknownEvent(n)) if n == "disk_rea?x"));
    let e = start_error("debug_dump");
    assert!(
        matches!(&e, StartError::Select(SelectError::Unavailable(n)) if n == "debug_dump"),
        "{e:?}"
    );
    assert!(e.to_string().contains("unavailable"), "{e}");
    assert!(matches!(
        Config::new().options("frobnicate=1"),
        Err(OptionsError::UnknownKey { key, .. }) if key == "frobnicate"
    ));
    assert!(matches!(
        Config::new().options("events=/nonexistent/events"),
        Err(OptionsError::EventsFile { path, .. }) if path == std::path::Path::new("/nonexistent/events")
    ));
    assert_eq!(event_state("disk_read"), Some(EventState::Disabled));

    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events");
    std::fs::write(&events, "# network\n\nnet_*\n  -net_tx\n").unwrap();
    let path = dir.path().join("a,b.trace");
    let options = format!(
        "disk_*,-disk_write,enable=tick,zzz*,events={},file={}",
        events.display(),
        dir.path().join("a,,b.trace").display()
    );
    let guard = Config::new()
        .ignore_env()
        .enable("raw_args") // the options string starts from nothing enabled
        .options(&options)
        .unwrap()
        .start()
        .unwrap();
    assert_eq!(guard.path(), path);
    assert_eq!(
        states("*"),
        [
            "debug_dump : state 0",
            "disk_flush : state 1",
            "disk_read : state 1",
            "disk_write : state 0",
            "net_rx : state 1",
            "net_tx : state 0",
            "raw_args : state 0",
            "tick : state 1",
            "trace_event_decl : state 1",
            "trace_thread : state 1",
        ]
    );
    assert_eq!(event_state("debug_dump"), Some(EventState::Unavailable));
    assert_eq!(
        states("disk_?????"),
        ["disk_flush : state 1", "disk_write : state 0"]
    );
    assert_eq!(
        list_events("nosuch"),
        Err(SelectError::UnknownEvent("nosuch".into()))
    );

    trace::disk_read("vda", 0, 512);
    trace::disk_write("vda", 0, 512); // disabled
                                      // Changed from another thread, seen by this one.
    std::thread::spawn(|| {
        assert_eq!(
            set_enabled("disk_*", true).unwrap(),
            1,
            "only disk_write changes"
        );
        assert_eq!(set_enabled("disk_*", true).unwrap(), 0);
    })
    .join()
    .unwrap();
    assert!(trace::events::disk_write.is_enabled());
    trace::disk_write("vda", 4096, 512);
    assert_eq!(set_enabled("disk_write", false).unwrap(), 1);
    trace::disk_write("vda", 8192, 512); // disabled again
    assert_eq!(set_enabled("net_?x", false).unwrap(), 1, "net_rx");
    trace::net_rx(0, 60);
    assert_eq!(set_enabled("zzz*", true).unwrap(), 0);
    assert!(matches!(
        set_enabled("nosuch", true),
        Err(ControlError::Select(SelectError::UnknownEvent(n))) if n == "nosuch"
    ));
    assert!(matches!(
        set_enabled("debug_dump", true),
        Err(ControlError::Select(SelectError::Unavailable(_)))
    ));
    assert_eq!(set_enabled("debug_dump", false).unwrap(), 0);
    assert_eq!(
        set_enabled("debu?_dump", true).unwrap(),
        0,
        "globs skip unavailable events"
    );
    trace::debug_dump("compiled out");
    trace::tick();
    drop(guard);
    assert!(matches!(
        set_enabled("tick", true),
        Err(ControlError::NotRunning)
    ));

    let recs: Vec<_> = records(&path)
        .into_iter()
        .filter(|r| r.name != "trace_thread" && r.name != "trace_event_decl")
        .collect();
    let names: Vec<&str> = recs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["disk_read", "disk_write", "tick"]);
    assert_eq!(
        reader_log(&path, &[])
            .lines()
            .filter(|l| !l.starts_with("trace_thread") && !l.starts_with("trace_event_decl"))
            .collect::<Vec<_>>(),
        [
            "disk_read dev vda offset 0x0 len 512",
            "disk_write dev vda offset 0x1000 len 512",
            "tick"
        ]
    );
}
