//! `#[traced]` events are events like any other: enabled by pattern at start
//! and at run time, listed, mapped once each, declared in the trace; and the
//! declarations `simpletrace events --from-trace` prints (the reader's
//! learned table, rendered by `declaration_line`) form a valid trace-events
//! file that decodes the trace as simpletrace.py would.

mod common;
mod listing;
mod traced_common;

use listing::states;
use simpletrace::output::{Printer, SimpletracePy};
use simpletrace::{EventTable, Reader};
use trace_runtime::{event_state, set_enabled, traced, Config, EventState};
use traced_common::*;

#[traced]
fn probe(n: u32, tag: &str) {
    let _ = (n, tag);
}

#[traced(ret, skip(data))]
fn checksum(data: &[u8], seed: i16) -> u64 {
    data.iter().map(|&b| b as u64).sum::<u64>() + seed as u64
}

#[traced(err, name = "dev_open")]
fn open(fd: i32) -> Result<(), String> {
    if fd < 0 {
        return Err(format!("bad fd {fd}"));
    }
    Ok(())
}

#[test]
fn traced_events_are_controlled_mapped_and_declared_like_any_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.trace");
    let guard = Config::new()
        .ignore_env()
        .file(&path)
        .options("*,-probe_*,-checksum_exit")
        .unwrap()
        .start()
        .unwrap();

    assert_eq!(
        states("probe_*"),
        ["probe_enter : state 0", "probe_exit : state 0"]
    );
    assert_eq!(event_state("checksum_enter"), Some(EventState::Enabled));
    assert_eq!(event_state("checksum_exit"), Some(EventState::Disabled));
    probe(1, "off");
    assert_eq!(checksum(&[1, 2], 3), 6);
    assert_eq!(set_enabled("probe_ent?r", true).unwrap(), 1);
    probe(2, "enter only");
    assert_eq!(set_enabled("*_exit", true).unwrap(), 2);
    probe(3, "both");
    assert_eq!(open(-1), Err("bad fd -1".to_string()));
    assert_eq!(
        states("dev_open_*"),
        ["dev_open_enter : state 1", "dev_open_exit : state 1"]
    );
    drop(guard);

    assert_eq!(
        read(&path),
        [
            rec("checksum_enter", [I(3)]),
            rec("probe_enter", [I(2), S("enter only".into())]),
            rec("probe_enter", [I(3), S("both".into())]),
            rec("probe_exit", []),
            rec("dev_open_enter", [I(-1i64 as u64)]),
            rec("dev_open_exit", [I(1), I(1), S("bad fd -1".into())]),
        ]
    );

    // Mapped once each, with distinct ids.
    let raw = common::decode(&std::fs::read(&path).unwrap());
    let ours = [
        "probe_enter",
        "probe_exit",
        "checksum_enter",
        "checksum_exit",
        "dev_open_enter",
        "dev_open_exit",
    ];
    let mut ids: Vec<u64> = ours
        .iter()
        .map(|name| {
            let found: Vec<u64> = raw
                .mappings
                .iter()
                .filter(|(_, n)| n == name)
                .map(|(id, _)| *id)
                .collect();
            assert_eq!(found.len(), 1, "{name} mapped {found:?}");
            found[0]
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ours.len());

    // The declarations the trace carries, as `events --from-trace` prints them.
    let mut reader = Reader::open(&path, EventTable::new([])).unwrap();
    while reader.next_record().unwrap().is_some() {}
    let mut declared: Vec<String> = reader
        .events()
        .declared()
        .iter()
        .filter(|e| ours.contains(&e.name.as_str()))
        .map(trace_events::Event::declaration_line)
        .collect();
    declared.sort(); // in link order
    assert_eq!(
        declared,
        [
            "checksum_enter(uint64_t call_id, int16_t seed)",
            "checksum_exit(uint64_t call_id, bool returned, uint64_t ret)",
            "dev_open_enter(uint64_t call_id, int32_t fd)",
            "dev_open_exit(uint64_t call_id, bool returned, bool is_err, const char *err)",
            "probe_enter(uint64_t call_id, uint32_t n, const char *tag)",
            "probe_exit(uint64_t call_id)",
        ]
    );

    // Those lines are a valid trace-events file, and a reader given only that
    // file prints the trace as simpletrace.py does.
    let file = dir.path().join("trace-events");
    std::fs::write(&file, declared.join("\n") + "\n").unwrap();
    let (table, warnings) = EventTable::load(&[&file]).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut reader = Reader::open(&path, table).unwrap();
    let mut printer = Printer::new(SimpletracePy::default(), Vec::new());
    simpletrace::process(&mut reader, &mut printer).unwrap();
    let text = String::from_utf8(printer.into_inner().unwrap()).unwrap();
    let lines: Vec<String> = text
        .lines()
        .filter(|l| ours.iter().any(|n| l.starts_with(&format!("{n} "))))
        .map(|l| {
            // Drop the delta and pid columns and the call id, which vary
            // from run to run.
            let mut words: Vec<&str> = l.split(' ').collect();
            words.drain(1..3);
            words.retain(|w| !w.starts_with("call_id=0x"));
            words.join(" ")
        })
        .collect();
    assert_eq!(
        lines,
        [
            "checksum_enter seed=0x3",
            "probe_enter n=0x2 tag=b'enter only'",
            "probe_enter n=0x3 tag=b'both'",
            "probe_exit",
            "dev_open_enter fd=0xffffffffffffffff",
            "dev_open_exit returned=0x1 is_err=0x1 err=b'bad fd -1'",
        ]
    );
}
