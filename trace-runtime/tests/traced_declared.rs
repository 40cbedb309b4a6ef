//! `#[traced(events = path)]`: the events a trace-events file declares are
//! used (rustc checks them against the function; see the UI tests for a
//! mismatch), and no events of its own are added.

mod traced_common;

use trace_runtime::traced;
use traced_common::*;

mod trace {
    trace_runtime::trace_events!("tests/traced_common/declared.trace-events");
}

#[traced(events = trace, ret)]
fn disk_io(dev: &str, sector: u64) -> i64 {
    if sector > 100 {
        panic!("sector out of range");
    }
    dev.len() as i64 * sector as i64
}

#[traced(events = trace)]
fn flush() {}

#[traced(events = crate::trace, name = "dev_open", err)]
fn open(fd: i32) -> Result<u8, i32> {
    if fd < 0 {
        Err(fd)
    } else {
        Ok(0)
    }
}

#[test]
fn declared_events_are_used() {
    let tracing = start();

    assert_eq!(disk_io("vda", 4), 12);
    assert!(std::panic::catch_unwind(|| disk_io("vdb", 101)).is_err());
    flush();
    assert_eq!(open(3), Ok(0));
    assert_eq!(open(-9), Err(-9));

    assert_eq!(
        tracing.records(),
        [
            rec("disk_io_enter", [S("vda".into()), I(4)]),
            rec("disk_io_exit", [I(1), I(12)]),
            rec("disk_io_enter", [S("vdb".into()), I(101)]),
            rec("disk_io_exit", [I(0), I(0)]),
            rec("flush_enter", []),
            rec("flush_exit", []),
            rec("dev_open_enter", [I(3)]),
            rec("dev_open_exit", [I(1), I(0), I(0)]),
            rec("dev_open_enter", [I(-9i64 as u64)]),
            rec("dev_open_exit", [I(1), I(1), I(-9i64 as u64)]),
        ]
    );
    // One event per declaration: the functions added none of their own.
    let names: Vec<&str> = trace_runtime::list_events("*")
        .unwrap()
        .iter()
        .map(|e| e.name)
        .filter(|n| n.ends_with("_enter") || n.ends_with("_exit"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "dev_open_enter",
            "dev_open_exit",
            "disk_io_enter",
            "disk_io_exit",
            "flush_enter",
            "flush_exit"
        ]
    );
}
