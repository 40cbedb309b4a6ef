//! Events registered at run time: IDs after the static ones, mapped and
//! declared in the trace before their first record (also in a file set
//! later), selected by the options string and `set_enabled` like static
//! events, and decoded by the reader with no trace-events file.

mod traced_common;

use trace_runtime::RegisterError;
use trace_runtime::{
    event_state, register_event, registry::record_payload, set_enabled, trace_file_set, ArgType,
    Config, EventState,
};
use traced_common::*;

fn payload(n: u64, s: &str) -> Vec<u8> {
    let mut p = n.to_ne_bytes().to_vec();
    p.extend_from_slice(&(s.len() as u32).to_ne_bytes());
    p.extend_from_slice(s.as_bytes());
    p
}

#[test]
fn registered_events_are_selected_mapped_declared_and_decoded() {
    let args = [("n", ArgType::U64), ("s", ArgType::Str)];
    // Before start: selected by the start's options like a static event.
    let early = register_event("reg_early", &args, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reg.trace");
    let guard = Config::new()
        .ignore_env()
        .file(&path)
        .options("reg_*,-reg_off*")
        .unwrap()
        .start()
        .unwrap();
    assert!(early.is_enabled());
    // After start: the options apply to it too.
    let late = register_event("reg_late", &args, None).unwrap();
    let off = register_event("reg_off", &args, Some("\"n %\" PRIu64 \" s %s\"")).unwrap();
    let other = register_event("other", &args, None).unwrap();
    assert!(late.is_enabled() && !off.is_enabled() && !other.is_enabled());
    record_payload(early, &payload(1, "early"));
    record_payload(late, &payload(2, "late"));
    record_payload(off, &payload(3, "not recorded"));
    record_payload(other, &payload(4, "not recorded"));
    // Run-time control, then an event registered after it: replayed.
    assert_eq!(set_enabled("reg_off", true).unwrap(), 1);
    assert_eq!(set_enabled("other*", true).unwrap(), 1);
    let again = register_event("reg_off", &args, None).unwrap();
    assert_eq!(again.meta.name, "reg_off_2");
    assert_eq!(
        event_state("reg_off_2"),
        Some(EventState::Disabled),
        "-reg_off* at start"
    );
    assert_eq!(event_state("reg_off"), Some(EventState::Enabled));
    record_payload(off, &payload(5, "on"));
    record_payload(other, &payload(6, "on"));
    trace_runtime::flush();
    let records = read(&path);
    assert_eq!(
        records,
        [
            rec("reg_early", [I(1), S("early".into())]),
            rec("reg_late", [I(2), S("late".into())]),
            rec("reg_off", [I(5), S("on".into())]),
            rec("other", [I(6), S("on".into())]),
        ]
    );
    // A new file gets every mapping and declaration again.
    let second = dir.path().join("second.trace");
    trace_file_set(&second).unwrap();
    record_payload(late, &payload(7, "second file"));
    drop(guard);
    assert_eq!(
        read(&second),
        [rec("reg_late", [I(7), S("second file".into())])]
    );
}

// Registration without a running trace (the other test starts one).
#[test]
fn names_are_made_unique_and_ids_follow_the_static_events() {
    let a = register_event("unit_a", &[("x", ArgType::U64)], None).unwrap();
    let b = register_event("unit_a", &[("s", ArgType::Str)], None).unwrap();
    let c = register_event("unit_a", &[], Some("\"c\"")).unwrap();
    assert_eq!(a.meta.name, "unit_a");
    assert_eq!(b.meta.name, "unit_a_2");
    assert_eq!(c.meta.name, "unit_a_3");
    assert!(a.id() as usize >= trace_runtime::__private::EVENTS.len());
    assert!(b.id() > a.id(), "in registration order");
    assert_eq!(
        trace_runtime::registry::by_id(c.id()).map(|e| e.meta.name),
        Some("unit_a_3")
    );
    assert_eq!(c.meta.c_format, "c");
    assert!(!a.is_enabled(), "no selection enables it");
    let clash = register_event("trace_thread", &[], None).unwrap();
    assert_eq!(clash.meta.name, "trace_thread_2");
}

#[test]
fn invalid_declarations_are_refused() {
    for (name, args) in [
        ("has space", &[][..]),
        ("ok_name", &[("bad arg", ArgType::U64)][..]),
    ] {
        let err = register_event(name, args, None).unwrap_err();
        assert!(matches!(err, RegisterError::Invalid { .. }), "{err}");
    }
}
