//! The log backend prints registered events too: with their format, or as
//! `name arg=value` without one.

use trace_runtime::{register_event, registry::record_payload, ArgType, Backend, Config};

#[test]
fn registered_events_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.txt");
    let guard = Config::new()
        .ignore_env()
        .backend(Backend::Log)
        .log_file(&log)
        .start()
        .unwrap();
    let plain = register_event("reg_plain", &[("n", ArgType::U64)], None).unwrap();
    let formatted =
        register_event("reg_fmt", &[("n", ArgType::I64)], Some("\"n is %\" PRId64")).unwrap();
    record_payload(plain, &255u64.to_ne_bytes());
    record_payload(formatted, &(-3i64).to_ne_bytes());
    drop(guard);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text, "reg_plain n=0xff\nreg_fmt n is -3\n");
}
