//! The default trace file is `trace-<pid>` in the current directory.

mod common;

use common::*;
use trace_runtime::__private::record;

event!(EV_HELLO, "test_hello", available = true, []);

#[test]
fn default_file_name_is_trace_pid() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    let guard = trace_runtime::start().unwrap();
    let state = EV_HELLO.state();
    assert!(state & 1 != 0, "every event is enabled by default");
    record(state, 0, |_| {});
    drop(guard);
    let path = dir.path().join(format!("trace-{}", std::process::id()));
    let t = decode(&std::fs::read(path).unwrap());
    assert_eq!(t.program_records().len(), 1);
    assert_eq!(t.name(t.program_records()[0]), "test_hello");
}
