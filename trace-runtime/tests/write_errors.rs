//! Failures to open or write the trace file are typed errors and counters.

mod common;

use common::*;
use trace_runtime::__private::record;
use trace_runtime::{Config, StartError};

event!(
    EV_TICK,
    "test_tick",
    available = true,
    [("uint64_t", "x", U64)]
);

#[cfg_attr(windows, allow(dead_code))] // only recorded into /dev/full
fn test_tick(x: u64) {
    let state = EV_TICK.state();
    if state & 1 != 0 {
        record(state, 8, |p| p.u64(x));
    }
}

#[test]
fn unopenable_file_is_a_start_error_and_full_device_counts_write_errors() {
    let missing = Config::new().file("/nonexistent-dir/x.trace").start();
    match missing {
        Err(StartError::Open { path, source }) => {
            assert_eq!(path, std::path::Path::new("/nonexistent-dir/x.trace"));
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected StartError::Open, got {:?}", other.map(|_| ())),
    }
    assert!(!EV_TICK.is_enabled(), "a failed start leaves events off");

    let unknown = Config::new()
        .file("/dev/null")
        .enable("no_such_event")
        .start();
    assert!(
        matches!(unknown, Err(StartError::Select(_))),
        "{:?}",
        unknown.map(|_| ())
    );

    // A failed start does not use up the process's one start.
    #[cfg(unix)] // /dev/full, the file whose writes fail, is a Unix device
    {
        let guard = Config::new().file("/dev/full").start().unwrap();
        (0..100).for_each(test_tick);
        guard.flush();
        let status = guard.status();
        assert!(status.write_errors >= 1, "{status:?}");
        assert_eq!(status.written, 0);
        // Producers are never blocked by a failing writer.
        (0..100).for_each(test_tick);
        drop(guard);
        assert_eq!(trace_runtime::status().unwrap().written, 0);
    }
}
