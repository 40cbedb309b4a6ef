//! Traces that carry their declarations (`trace_event_decl` records, as our
//! runtime writes them): read with no trace-events file, and
//! `events --from-trace` gives the file simpletrace.py needs.

mod common;

use std::ffi::OsStr;

use common::*;
use simpletrace::{EventTable, ReadError, Reader};

const USER_EVENTS: &str = "\
request_submit(void *req, uint64_t sector, uint32_t count, bool write) \"req %p sector %\" PRIu64 \" count %u write %d\"
disable debug_dump(const char *what) \"dump %s\"
demo_finish(uint64_t requests, int64_t checksum) \"requests %\" PRIu64 \" checksum %\" PRId64
";

/// Mappings for every event, one declaration record per program event, then
/// records on one thread.
fn self_describing_trace() -> Trace {
    let decls: Vec<&str> = USER_EVENTS.lines().collect();
    let mut t = Trace::v4()
        .mapping(0, "trace_thread")
        .mapping(1, "trace_event_decl")
        .mapping(2, "request_submit")
        .mapping(3, "debug_dump")
        .mapping(4, "demo_finish");
    for (i, decl) in decls.iter().enumerate() {
        t = t.event(1, 10, 7, &[A::I(i as u64 + 2), A::S(decl.as_bytes())]);
    }
    t.event(0, 20, 7, &[A::I(70), A::S(b"main")])
        .event(2, 21, 7, &[A::I(0x1000), A::I(8), A::I(8), A::I(1)])
        .dropped(22, 7, 3)
        .event(4, 30, 7, &[A::I(4), A::I(-12i64 as u64)])
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn stdout_of(args: &[&OsStr]) -> Vec<u8> {
    let out = run_cli(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn decodes_without_a_trace_events_file_as_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let trace = write(&dir, "trace", &self_describing_trace().bytes);
    let runtime = simpletrace::RUNTIME_TRACE_EVENTS;
    let events = write(&dir, "events", format!("{USER_EVENTS}{runtime}").as_bytes());
    for format in ["simpletrace", "log", "json"] {
        let alone = stdout_of(&["--format".as_ref(), format.as_ref(), trace.as_os_str()]);
        let with_file = stdout_of(&[
            "--format".as_ref(),
            format.as_ref(),
            events.as_os_str(),
            trace.as_os_str(),
        ]);
        assert_eq!(
            String::from_utf8_lossy(&alone),
            String::from_utf8_lossy(&with_file),
            "{format}"
        );
    }
    // Written out by hand from the records above (the log backend's text).
    let log = stdout_of(&[
        "--format".as_ref(),
        "log".as_ref(),
        "--events".as_ref(),
        "-trace_*".as_ref(),
        trace.as_os_str(),
    ]);
    assert_eq!(
        String::from_utf8(log).unwrap(),
        "request_submit req 0x1000 sector 8 count 8 write 1\n\
         Dropped_Event num_events_dropped=0x3\n\
         demo_finish requests 4 checksum -12\n"
    );
}

#[test]
fn events_from_trace_prints_a_trace_events_file_that_decodes_it() {
    let dir = tempfile::tempdir().unwrap();
    let trace = write(&dir, "trace", &self_describing_trace().bytes);
    let printed = stdout_of(&[
        "events".as_ref(),
        "--from-trace".as_ref(),
        trace.as_os_str(),
    ]);
    let text = String::from_utf8(printed.clone()).unwrap();
    // The program's declarations as written, then the runtime's.
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        body,
        format!("{USER_EVENTS}{}", simpletrace::RUNTIME_TRACE_EVENTS)
    );
    assert!(text.starts_with('#'), "a comment line first");
    let events = write(&dir, "events", &printed);
    let with_file = stdout_of(&[events.as_os_str(), trace.as_os_str()]);
    let alone = stdout_of(&[trace.as_os_str()]);
    assert_eq!(with_file, alone);
}

#[test]
fn given_declarations_win_and_table_grows() {
    // A file declaring demo_finish with other argument names: it is used.
    let table = table("demo_finish(uint64_t n, int64_t sum)\n");
    let mut reader =
        Reader::new(std::io::Cursor::new(self_describing_trace().bytes), table).unwrap();
    let mut names = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        let args: Vec<String> = record.args().map(|(a, _)| a.name.clone()).collect();
        names.push(format!("{}({})", record.name(), args.join(",")));
    }
    assert_eq!(names[4], "request_submit(req,sector,count,write)");
    assert_eq!(names[6], "demo_finish(n,sum)");
    let declared: Vec<&str> = reader
        .events()
        .declared()
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        declared,
        [
            "demo_finish",
            "trace_thread",
            "trace_event_decl",
            "request_submit",
            "debug_dump"
        ]
    );
}

fn read_all(trace: Trace) -> Result<usize, ReadError> {
    let mut reader = Reader::new(std::io::Cursor::new(trace.bytes), EventTable::new([]))?;
    let mut n = 0;
    while reader.next_record()?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[test]
fn bad_declarations_are_errors_at_their_offset() {
    let base = Trace::v4().mapping(1, "trace_event_decl").mapping(2, "foo");
    let offset = base.len() as u64;
    let err = read_all(
        base.clone()
            .event(1, 0, 1, &[A::I(2), A::S(b"foo(struct s x)")]),
    )
    .unwrap_err();
    assert!(
        matches!(err, ReadError::BadDeclaration { offset: o, .. } if o == offset),
        "{err}"
    );
    assert!(err.to_string().contains("as 'void *'"), "{err}");
    let err = read_all(base.clone().event(1, 0, 1, &[A::I(2), A::S(b"bar(int x)")])).unwrap_err();
    assert!(
        matches!(&err, ReadError::DeclarationMismatch { id: 2, mapped, declared, .. } if mapped == "foo" && declared == "bar"),
        "{err}"
    );
    // Without a declaration, the mapped name is unknown, as before.
    let err = read_all(base.event(2, 0, 1, &[])).unwrap_err();
    assert!(matches!(err, ReadError::UndeclaredName { .. }), "{err}");
}

#[test]
fn declared_events_are_bounded() {
    let mut t = Trace::v4().mapping(1, "trace_event_decl");
    for i in 0..=simpletrace::MAX_LEARNED_EVENTS as u64 {
        t = t.event(
            1,
            0,
            1,
            &[A::I(i + 10), A::S(format!("e{i}(void)").as_bytes())],
        );
    }
    let err = read_all(t).unwrap_err();
    assert!(
        matches!(err, ReadError::TooManyDeclarations { .. }),
        "{err}"
    );
}
