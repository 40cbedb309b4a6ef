//! The Analyzer API: begin, per-event handlers looked up once per event,
//! catchall for the rest, end; errors stop the run.

mod common;

use common::*;
use simpletrace::{process, Analyzer, Handler, ProcessError, ReadError, Reader, Record, Value};
use trace_events::Event;

const EVENTS: &str = "foo(int x) \"x %d\"\nbar(const char *s) \"s %s\"\n";

fn trace() -> Trace {
    Trace::v4()
        .mapping(1, "foo")
        .mapping(2, "bar")
        .event(1, 10, 7, &[A::I(u64::MAX)])
        .event(2, 20, 7, &[A::S(b"one")])
        .event(1, 30, 7, &[A::I(2)])
        .dropped(40, 7, 9)
        .event(2, 50, 7, &[A::S(b"two")])
}

#[derive(Default)]
struct Collect {
    log: Vec<String>,
}

impl Collect {
    fn foo(&mut self, record: &Record<'_>) -> Result<(), String> {
        let (decl, value) = record.args().next().unwrap();
        self.log.push(format!(
            "foo {}={:?} @{}",
            decl.name, value, record.timestamp_ns
        ));
        Ok(())
    }
}

impl Analyzer for Collect {
    type Error = String;
    fn begin(&mut self) -> Result<(), String> {
        self.log.push("begin".into());
        Ok(())
    }
    fn handler(&self, event: &Event) -> Option<Handler<Self>> {
        (event.name == "foo").then_some(Self::foo as Handler<Self>)
    }
    fn catchall(&mut self, record: &Record<'_>) -> Result<(), String> {
        if let Some(n) = record.dropped_count() {
            self.log.push(format!("dropped {n}"));
            return Ok(());
        }
        match record.args().next() {
            Some((_, Value::Str(s))) => {
                self.log
                    .push(format!("{} {}", record.name(), String::from_utf8_lossy(s)))
            }
            _ => return Err(format!("unexpected {}", record.name())),
        }
        Ok(())
    }
    fn end(&mut self) -> Result<(), String> {
        self.log.push("end".into());
        Ok(())
    }
}

#[test]
fn dispatches_per_event_handlers_and_catchall_in_order() {
    let mut reader = Reader::new(std::io::Cursor::new(trace().bytes), table(EVENTS)).unwrap();
    let mut collect = Collect::default();
    let summary = process(&mut reader, &mut collect).unwrap();
    assert_eq!(summary.records, 5);
    assert!(summary.truncated.is_none());
    assert_eq!(
        collect.log,
        [
            "begin",
            "foo x=Int(18446744073709551615) @10",
            "bar one",
            "foo x=Int(2) @30",
            "dropped 9",
            "bar two",
            "end"
        ]
    );
}

/// Counts how often `handler` is asked: once per distinct event.
struct CountLookups(std::cell::Cell<u32>);

impl Analyzer for CountLookups {
    type Error = std::convert::Infallible;
    fn handler(&self, _: &Event) -> Option<Handler<Self>> {
        self.0.set(self.0.get() + 1);
        None
    }
}

#[test]
fn handlers_are_looked_up_once_per_event() {
    let mut reader = Reader::new(std::io::Cursor::new(trace().bytes), table(EVENTS)).unwrap();
    let mut count = CountLookups(Default::default());
    process(&mut reader, &mut count).unwrap();
    // foo, bar and the dropped event.
    assert_eq!(count.0.get(), 3);
}

#[test]
fn truncation_still_ends_and_errors_stop() {
    let bytes = trace().bytes;
    let mut reader = Reader::new(&bytes[..bytes.len() - 1], table(EVENTS)).unwrap();
    let mut collect = Collect::default();
    let summary = process(&mut reader, &mut collect).unwrap();
    assert_eq!(summary.records, 4);
    assert!(matches!(
        summary.truncated,
        Some(ReadError::Truncated { .. })
    ));
    assert_eq!(collect.log.last().unwrap(), "end");

    // An analyzer error stops the run.
    let bytes = Trace::v4()
        .mapping(2, "bar")
        .event(2, 1, 1, &[A::S(b"x")])
        .mapping(3, "foo")
        .event(3, 2, 1, &[A::I(0)])
        .bytes;
    struct Fail;
    impl Analyzer for Fail {
        type Error = &'static str;
        fn catchall(&mut self, _: &Record<'_>) -> Result<(), &'static str> {
            Err("stop")
        }
    }
    let mut reader = Reader::new(&bytes[..], table(EVENTS)).unwrap();
    assert!(matches!(
        process(&mut reader, &mut Fail),
        Err(ProcessError::Analyzer("stop"))
    ));
    // A read error is reported as such.
    let bytes = Trace::v4().event(5, 1, 1, &[]).bytes;
    let mut reader = Reader::new(&bytes[..], table(EVENTS)).unwrap();
    let err = process(&mut reader, &mut Collect::default()).unwrap_err();
    assert!(matches!(
        err,
        ProcessError::Read(ReadError::UnmappedId { offset: 24, id: 5 })
    ));
}

/// An analyzer that says it takes everything in `catchall` is never asked for
/// a handler (`process` skips the per-event look-up), and still sees every
/// record in order, then `end`; a truncated last record is still a warning.
#[test]
fn catchall_only_analyzers_get_every_record_and_no_handler_is_asked() {
    #[derive(Default)]
    struct Everything {
        log: Vec<String>,
    }
    impl Everything {
        fn never(&mut self, _: &Record<'_>) -> Result<(), String> {
            Err("a handler was used".into())
        }
    }
    impl Analyzer for Everything {
        type Error = String;
        const CATCHALL_ONLY: bool = true;
        fn begin(&mut self) -> Result<(), String> {
            self.log.push("begin".into());
            Ok(())
        }
        fn handler(&self, _: &Event) -> Option<Handler<Self>> {
            Some(Self::never as Handler<Self>)
        }
        fn catchall(&mut self, record: &Record<'_>) -> Result<(), String> {
            self.log
                .push(format!("{}@{}", record.name(), record.timestamp_ns));
            Ok(())
        }
        fn end(&mut self) -> Result<(), String> {
            self.log.push("end".into());
            Ok(())
        }
    }
    let mut reader = Reader::new(std::io::Cursor::new(trace().bytes), table(EVENTS)).unwrap();
    let mut everything = Everything::default();
    let summary = process(&mut reader, &mut everything).unwrap();
    assert_eq!(summary.records, 5);
    assert_eq!(
        everything.log,
        [
            "begin",
            "foo@10",
            "bar@20",
            "foo@30",
            "Dropped_Event@40",
            "bar@50",
            "end"
        ]
    );

    let bytes = trace().bytes;
    let mut reader = Reader::new(&bytes[..bytes.len() - 1], table(EVENTS)).unwrap();
    let mut everything = Everything::default();
    let summary = process(&mut reader, &mut everything).unwrap();
    assert_eq!(summary.records, 4);
    assert!(summary.truncated.is_some());
    assert_eq!(everything.log.last().map(String::as_str), Some("end"));
}
