//! Every reader error, on traces built byte by byte and on cut or corrupted
//! copies of the golden traces: typed, naming the byte offset, never a panic.

mod common;

use std::fs;

use common::*;
use simpletrace::output::{Printer, SimpletracePy};
use simpletrace::{process, EventTable, ProcessError, ReadError, Reader};

const EVENTS: &str = "\
foo(int x) \"x %d\"
bar(const char *s, uint64_t v) \"s %s v %\" PRIu64
";

fn read_all(bytes: &[u8], table: EventTable) -> Result<Vec<String>, ReadError> {
    let mut reader = Reader::new(bytes, table)?;
    let mut names = Vec::new();
    while let Some(record) = reader.next_record()? {
        names.push(record.name().to_string());
    }
    Ok(names)
}

fn error_of(bytes: &[u8]) -> ReadError {
    read_all(bytes, table(EVENTS)).unwrap_err()
}

/// A valid trace: mappings for both events, then foo, bar, a dropped record.
fn valid() -> Trace {
    Trace::v4()
        .mapping(7, "foo")
        .mapping(9, "bar")
        .event(7, 1000, 42, &[A::I(5)])
        .event(9, 2000, 42, &[A::S(b"hi"), A::I(3)])
        .dropped(1500, 42, 11)
}

#[test]
fn valid_trace_reads() {
    let names = read_all(&valid().bytes, table(EVENTS)).unwrap();
    assert_eq!(names, ["foo", "bar", "Dropped_Event"]);
}

#[test]
fn short_header() {
    for len in [0, 1, 23] {
        let err = error_of(&valid().bytes[..len]);
        assert!(
            matches!(err, ReadError::ShortHeader { len: l } if l == len),
            "{err}"
        );
    }
}

#[test]
fn bad_header_id_and_magic() {
    let err = error_of(&Trace::with_header(0, 0xf2b1_77cb_0aa4_29b4, 4).bytes);
    assert!(matches!(err, ReadError::BadHeaderId { found: 0 }), "{err}");
    assert!(err.to_string().contains("offset 0"));
    let err = error_of(&Trace::with_header(u64::MAX, 0x1234, 4).bytes);
    assert!(
        matches!(err, ReadError::BadMagic { found: 0x1234 }),
        "{err}"
    );
    assert!(err.to_string().contains("offset 8"));
}

#[test]
fn unknown_and_unsupported_versions() {
    let err = error_of(&Trace::with_header(u64::MAX, 0xf2b1_77cb_0aa4_29b4, 7).bytes);
    assert!(
        matches!(err, ReadError::UnknownVersion { version: 7 }),
        "{err}"
    );
    let err = error_of(&Trace::with_header(u64::MAX, 0xf2b1_77cb_0aa4_29b4, 3).bytes);
    assert!(
        matches!(err, ReadError::UnsupportedVersion { version: 3 }),
        "{err}"
    );
    assert!(err.to_string().contains("--no-header"), "{err}");
}

#[test]
fn headerless_ids_are_positions() {
    let bytes = Trace::default()
        .event(1, 10, 1, &[A::S(b"x"), A::I(2)])
        .event(0, 20, 1, &[A::I(1)])
        .bytes;
    let mut reader = Reader::headerless(&bytes[..], table(EVENTS));
    assert_eq!(reader.next_record().unwrap().unwrap().name(), "bar");
    assert_eq!(reader.next_record().unwrap().unwrap().name(), "foo");
    assert!(reader.next_record().unwrap().is_none());
    // Id 2 is past the two declared events.
    let bytes = Trace::default().event(2, 10, 1, &[A::I(1)]).bytes;
    let mut reader = Reader::headerless(&bytes[..], table(EVENTS));
    assert!(matches!(
        reader.next_record(),
        Err(ReadError::UnmappedId { offset: 0, id: 2 })
    ));
}

#[test]
fn unmapped_id() {
    let bytes = Trace::v4()
        .mapping(7, "foo")
        .event(8, 1, 1, &[A::I(1)])
        .bytes;
    let err = error_of(&bytes);
    // Header 24 + mapping (8 + 8 + 4 + 3).
    assert!(
        matches!(err, ReadError::UnmappedId { offset: 47, id: 8 }),
        "{err}"
    );
    assert!(err.to_string().contains("offset 47"));
}

#[test]
fn mapped_name_not_declared() {
    let bytes = Trace::v4()
        .mapping(7, "foo")
        .mapping(3, "nope")
        .event(7, 1, 1, &[A::I(1)])
        .event(3, 1, 1, &[])
        .bytes;
    let err = error_of(&bytes);
    // 24 + 23 + 24 (mappings) + 40 (foo record).
    match &err {
        ReadError::UndeclaredName {
            offset: 111,
            id: 3,
            name,
        } => assert_eq!(name, "nope"),
        _ => panic!("unexpected {err}"),
    }
    assert!(err.to_string().contains("'nope'"));
}

#[test]
fn a_mapping_to_an_unknown_name_is_fine_while_unused() {
    let bytes = Trace::v4()
        .mapping(3, "nope")
        .mapping(7, "foo")
        .event(7, 1, 1, &[A::I(1)])
        .bytes;
    assert_eq!(read_all(&bytes, table(EVENTS)).unwrap(), ["foo"]);
}

#[test]
fn length_disagreeing_with_arguments() {
    // foo takes one 8-byte argument: length must be 32.
    for (length, body) in [(40u32, vec![0u8; 16]), (24, vec![]), (31, vec![0; 7])] {
        let bytes = Trace::v4()
            .mapping(7, "foo")
            .event_raw(7, 1, length, 1, &body)
            .u64(0)
            .bytes;
        let err = error_of(&bytes);
        assert!(
            matches!(&err, ReadError::LengthMismatch { offset: 47, length: l, .. } if *l == length),
            "{err}"
        );
        assert!(err.to_string().contains("offset 47") && err.to_string().contains("foo"));
    }
    // A string length running past the record.
    let mut body = encode_args(&[A::S(b"hello"), A::I(1)]);
    body[0] = 200;
    let bytes = Trace::v4()
        .mapping(9, "bar")
        .event_raw(9, 1, 24 + body.len() as u32, 1, &body)
        .raw(&[0; 300])
        .bytes;
    let err = error_of(&bytes);
    assert!(
        matches!(
            err,
            ReadError::LengthMismatch {
                offset: 47,
                needed: 228,
                ..
            }
        ),
        "{err}"
    );
    // A dropped record is 32 bytes.
    let bytes = Trace::v4()
        .event_raw(u64::MAX - 1, 1, 40, 1, &[0; 16])
        .bytes;
    assert!(matches!(
        error_of(&bytes),
        ReadError::LengthMismatch { offset: 24, .. }
    ));
}

#[test]
fn lying_lengths_are_rejected_before_allocating() {
    let bytes = Trace::v4()
        .mapping(7, "foo")
        .event_raw(7, 1, u32::MAX, 1, &[0; 8])
        .bytes;
    assert!(matches!(
        error_of(&bytes),
        ReadError::BadLength {
            offset: 47,
            length: u32::MAX,
            ..
        }
    ));
    let bytes = Trace::v4().event_raw(7, 1, 3, 1, &[]).bytes;
    assert!(matches!(
        error_of(&bytes),
        ReadError::BadLength { length: 3, .. }
    ));
    let bytes = Trace::v4().u64(0).u64(1).u32(u32::MAX).raw(b"foo").bytes;
    assert!(matches!(
        error_of(&bytes),
        ReadError::NameTooLong { offset: 24, .. }
    ));
}

/// A mapping's name may be `MAX_NAME_LEN` bytes (4,096), no more.
#[test]
fn a_mapping_name_of_the_limit_is_read_one_byte_more_is_refused() {
    let at_limit = Trace::v4().mapping(9, &"n".repeat(4096)).bytes;
    assert_eq!(
        read_all(&at_limit, table(EVENTS)).unwrap(),
        Vec::<String>::new()
    );
    let over = Trace::v4().mapping(9, &"n".repeat(4097)).bytes;
    assert!(matches!(
        error_of(&over),
        ReadError::NameTooLong {
            offset: 24,
            len: 4097,
            limit: 4096
        }
    ));
}

#[test]
fn unknown_record_type_and_bad_names() {
    let bytes = valid().u64(2).bytes;
    let at = valid().len() as u64;
    assert!(
        matches!(error_of(&bytes), ReadError::UnknownRecordType { offset, record_type: 2 } if offset == at)
    );
    let bytes = Trace::v4().u64(0).u64(1).u32(2).raw(&[0xff, 0xfe]).bytes;
    assert!(matches!(
        error_of(&bytes),
        ReadError::NameNotUtf8 { offset: 24 }
    ));
}

/// Cutting a trace anywhere inside a record is a truncation reported with the
/// offset of that record; every record before it is read.
#[test]
fn truncated_built_trace_at_every_length() {
    let full = valid().bytes;
    let boundaries = [24usize, 47, 70, 110, 156, 196];
    assert_eq!(*boundaries.last().unwrap(), full.len());
    for cut in 24..full.len() {
        let mut reader = Reader::new(&full[..cut], table(EVENTS)).unwrap();
        let mut records = 0;
        let result = loop {
            match reader.next_record() {
                Ok(Some(_)) => records += 1,
                other => break other.map(|_| ()),
            }
        };
        let start = *boundaries.iter().rfind(|&&b| b <= cut).unwrap();
        let events_before = boundaries
            .iter()
            .filter(|&&b| b <= cut)
            .count()
            .saturating_sub(3);
        assert_eq!(records, events_before, "cut at {cut}");
        if boundaries.contains(&cut) {
            assert!(result.is_ok(), "cut at {cut}");
        } else {
            match result {
                Err(ReadError::Truncated { offset, .. }) => {
                    assert_eq!(offset, start as u64, "cut at {cut}")
                }
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        // The reader stays finished.
        assert!(matches!(reader.next_record(), Ok(None)));
    }
}

/// Where each record of a v4 trace ends, and whether it is an event (a line
/// of output), walked from the layout in shared/QEMU.md §1, not by the reader.
fn record_ends(bytes: &[u8]) -> Vec<(usize, bool)> {
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let mut ends = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let (end, event) = match u64_at(at) {
            0 => (at + 20 + u32_at(at + 16), false),
            1 => (at + 8 + u32_at(at + 24), true),
            other => panic!("record type {other} at {at}"),
        };
        ends.push((end, event));
        at = end;
    }
    assert_eq!(at, bytes.len());
    ends
}

/// Golden traces cut at many points: output is exactly the expected lines of
/// the records before the cut, and a cut inside a record is a truncation
/// warning naming that record's offset.
#[test]
fn truncated_golden_traces_print_everything_before_the_cut() {
    for case in golden_cases() {
        let bytes = fs::read(case.join("trace.bin")).unwrap();
        let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
        let ends = record_ends(&bytes);
        let cuts = (24..bytes.len())
            .step_by(13)
            .chain(bytes.len() - 40..bytes.len());
        for cut in cuts {
            let mut reader = Reader::new(&bytes[..cut], golden_table(&case)).unwrap();
            let mut out = Printer::new(SimpletracePy::default(), Vec::new());
            let summary = process(&mut reader, &mut out).unwrap();
            let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
            let whole = ends.iter().filter(|&&(end, _)| end <= cut);
            let events = whole.clone().filter(|&&(_, event)| event).count();
            let last_end = whole.map(|&(end, _)| end).max().unwrap_or(24);
            let prefix: String = expected.split_inclusive('\n').take(events).collect();
            assert_eq!(text, prefix, "cut at {cut}");
            assert_eq!(summary.records as usize, events, "cut at {cut}");
            if last_end == cut {
                assert!(summary.truncated.is_none(), "cut at {cut}");
            } else {
                match summary.truncated {
                    Some(ReadError::Truncated { offset, .. }) => {
                        assert_eq!(offset, last_end as u64, "cut at {cut}")
                    }
                    other => panic!("cut at {cut}: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn cli_truncation_is_a_warning_after_the_output() {
    let case = golden_case("case1");
    let bytes = fs::read(case.join("trace.bin")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.bin");
    fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    let out = run_cli(&[case.join("trace-events").as_os_str(), cut.as_os_str()]);
    assert!(out.status.success());
    let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
    let all_but_last: String = expected
        .split_inclusive('\n')
        .take(expected.lines().count() - 1)
        .collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), all_but_last);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning") && stderr.contains("truncated record at offset"),
        "{stderr}"
    );
}

#[test]
fn cli_errors_exit_1_after_printing_the_records_before() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("trace-events");
    fs::write(&events, EVENTS).unwrap();
    let trace = dir.path().join("trace.bin");
    let bytes = Trace::v4()
        .mapping(7, "foo")
        .event(7, 1000, 42, &[A::I(5)])
        .event(8, 1, 1, &[])
        .bytes;
    fs::write(&trace, bytes).unwrap();
    let out = run_cli(&[events.as_os_str(), trace.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "foo 0.000 pid=42 x=0x5\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("event id 8 has no mapping") && stderr.contains("offset 87"),
        "{stderr}"
    );

    // A corrupted golden header.
    let case = golden_case("case1");
    let mut bytes = fs::read(case.join("trace.bin")).unwrap();
    bytes[9] ^= 0x40;
    fs::write(&trace, bytes).unwrap();
    let out = run_cli(&[case.join("trace-events").as_os_str(), trace.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr).unwrap().contains("magic"));
}

#[test]
fn cli_reports_invalid_trace_events_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("bad-events");
    fs::write(&events, "foo(hwaddr addr) \"%p\"\n").unwrap();
    let trace = dir.path().join("trace.bin");
    fs::write(&trace, Trace::v4().bytes).unwrap();
    let out = run_cli(&[events.as_os_str(), trace.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad-events:1:"), "{stderr}");
}

#[test]
fn corrupted_golden_record_errors_name_the_record_offset() {
    let case = golden_case("case1");
    let mut bytes = fs::read(case.join("trace.bin")).unwrap();
    // Find the first event record (type word 1) after the mappings and make
    // its event id unmapped.
    let first_event = first_event_offset(&bytes);
    bytes[first_event + 8..first_event + 16].copy_from_slice(&12345u64.to_le_bytes());
    let mut reader = Reader::new(&bytes[..], golden_table(&case)).unwrap();
    let err = process(
        &mut reader,
        &mut Printer::new(SimpletracePy::default(), Vec::new()),
    )
    .unwrap_err();
    assert!(
        matches!(err, ProcessError::Read(ReadError::UnmappedId { offset, id: 12345 }) if offset == first_event as u64),
        "{err}"
    );
}

/// Walks the mapping records after the header.
fn first_event_offset(bytes: &[u8]) -> usize {
    let mut at = 24;
    while u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) == 0 {
        let len = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap()) as usize;
        at += 20 + len;
    }
    at
}

/// Mapping records cannot make the reader's memory grow without bound.
#[test]
fn mapping_tables_are_bounded() {
    // Many large (sparse) ids.
    let mut trace = Trace::v4();
    for id in 0..70_000u64 {
        trace = trace.mapping((1 << 40) + id, "foo");
    }
    assert!(matches!(
        error_of(&trace.bytes),
        ReadError::TooManyMappings { .. }
    ));
    // Many long undeclared names.
    let name = "n".repeat(4096);
    let mut trace = Trace::v4();
    for id in 0..3_000u64 {
        trace = trace.mapping(id, &name);
    }
    assert!(matches!(
        error_of(&trace.bytes),
        ReadError::TooManyMappings { .. }
    ));
    // Re-mapping the same id does not add up.
    let mut trace = Trace::v4();
    for _ in 0..3_000u64 {
        trace = trace.mapping(5, &name);
    }
    assert!(read_all(&trace.bytes, table(EVENTS)).unwrap().is_empty());
}

#[test]
fn debug_prints_the_message_as_main_returning_an_error_shows_it() {
    // `fn main() -> Result<(), E>` prints `Error: {e:?}`.
    let err = error_of(&valid().bytes[..10]);
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(format!("{err:?}").starts_with("error reading header at offset 0"));

    let io = ReadError::from(std::io::Error::other("disk on fire"));
    assert_eq!(format!("{io:?}"), "I/O error: disk on fire");

    let load = EventTable::load(&["/nonexistent/trace-events"]).unwrap_err();
    assert!(
        format!("{load:?}").starts_with("cannot read /nonexistent/trace-events: "),
        "{load:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad");
    fs::write(&path, "foo(hwaddr x)\n").unwrap();
    let load = EventTable::load(&[&path]).unwrap_err();
    let debug = format!("{load:?}");
    // The summary, then each diagnostic.
    assert!(
        debug.starts_with("1 error(s) in the trace-events files"),
        "{debug}"
    );
    assert!(debug.contains("bad:1:5: error: type 'hwaddr'"), "{debug}");

    let process_error: ProcessError<std::io::Error> = ProcessError::Read(error_of(&[]));
    assert_eq!(format!("{process_error:?}"), process_error.to_string());

    let bad_time = "1h".parse::<simpletrace::filter::TimeBound>().unwrap_err();
    assert_eq!(format!("{bad_time:?}"), bad_time.to_string());
}
