//! Property: random events with random values go through the runtime's
//! writer and come back from the reader (`simpletrace`) unchanged: every
//! argument type, strings of any bytes and lengths (cut at 512, as QEMU
//! does), in order, none lost.

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use simpletrace::{EventTable, OwnedValue, Reader};
use trace_runtime::{trace_file_set, Config};

mod trace {
    trace_runtime::trace_events!("tests/common_robust/roundtrip.trace-events");
}

const EVENTS_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/common_robust/roundtrip.trace-events"
);

#[derive(Debug, Clone)]
enum Call {
    Ints(i8, u8, i16, u16, i32, u32, i64, u64),
    Strs(Vec<u8>, Vec<u8>),
    Misc(bool, usize, usize, isize, i64, u64, i32, u32, i8, u8),
    Void,
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(any::<u8>(), 500..700),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        any::<(i8, u8, i16, u16, i32, u32, i64, u64)>()
            .prop_map(|(a, b, c, d, e, f, g, h)| Call::Ints(a, b, c, d, e, f, g, h)),
        (bytes(), bytes()).prop_map(|(a, b)| Call::Strs(a, b)),
        (
            any::<(bool, usize, usize, isize, i64)>(),
            any::<(u64, i32, u32, i8, u8)>()
        )
            .prop_map(|((a, b, c, d, e), (f, g, h, i, j))| Call::Misc(
                a, b, c, d, e, f, g, h, i, j
            )),
        Just(Call::Void),
    ]
}

impl Call {
    fn record(&self) {
        match self {
            &Call::Ints(a, b, c, d, e, f, g, h) => trace::rt_ints(a, b, c, d, e, f, g, h),
            Call::Strs(a, b) => trace::rt_strs(&a[..], &b[..]),
            &Call::Misc(flag, ptr, size, ssize, l, ul, i, u, ch, uc) => {
                trace::rt_misc(flag, ptr, size, ssize, l, ul, i, u, ch, uc)
            }
            Call::Void => trace::rt_void(),
        }
    }

    /// What C's `(uint64_t)` cast of each argument gives, and strings cut at 512.
    fn expected(&self) -> (&'static str, Vec<OwnedValue>) {
        let s = |v: i64| OwnedValue::Int(v as u64);
        let u = |v: u64| OwnedValue::Int(v);
        let text = |b: &[u8]| OwnedValue::Str(b[..b.len().min(512)].to_vec());
        match self {
            &Call::Ints(a, b, c, d, e, f, g, h) => (
                "rt_ints",
                vec![
                    s(a.into()),
                    u(b.into()),
                    s(c.into()),
                    u(d.into()),
                    s(e.into()),
                    u(f.into()),
                    s(g),
                    u(h),
                ],
            ),
            Call::Strs(a, b) => ("rt_strs", vec![text(a), text(b)]),
            &Call::Misc(flag, ptr, size, ssize, l, ul, i, un, ch, uc) => (
                "rt_misc",
                vec![
                    u(flag.into()),
                    u(ptr as u64),
                    u(size as u64),
                    s(ssize as i64),
                    s(l),
                    u(ul),
                    s(i.into()),
                    u(un.into()),
                    s(ch.into()),
                    u(uc.into()),
                ],
            ),
            Call::Void => ("rt_void", vec![]),
        }
    }
}

fn table() -> EventTable {
    let source = std::fs::read_to_string(EVENTS_FILE).unwrap();
    let parsed = trace_events::parse_str("roundtrip.trace-events", &source);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    EventTable::new(parsed.file.events)
}

#[test]
fn random_events_round_trip_through_writer_and_reader() {
    let dir = tempfile::tempdir().unwrap();
    let idle = dir.path().join("idle.trace");
    let _guard = Config::new().ignore_env().file(&idle).start().unwrap();
    let me = std::process::id();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let case = std::cell::Cell::new(0);
    let strategy = proptest::collection::vec(call(), 0..60);
    runner
        .run(&strategy, |calls| {
            case.set(case.get() + 1);
            let path = dir.path().join(format!("case{}.trace", case.get()));
            trace_file_set(&path).unwrap();
            calls.iter().for_each(Call::record);
            // Everything recorded before the switch lands in the case's file.
            trace_file_set(&idle).unwrap();

            let mut reader = Reader::open(&path, table()).unwrap();
            let mut got = Vec::new();
            let mut last_ts = 0;
            while let Some(r) = reader.next_record().unwrap() {
                prop_assert!(!r.is_dropped());
                if !r.name().starts_with("rt_") {
                    continue;
                }
                prop_assert_eq!(r.pid, me);
                prop_assert!(r.timestamp_ns >= last_ts, "time goes forward");
                last_ts = r.timestamp_ns;
                let r = r.to_owned();
                got.push((r.name, r.args));
            }
            let want: Vec<(String, Vec<OwnedValue>)> = calls
                .iter()
                .map(|c| {
                    let (name, args) = c.expected();
                    (name.to_string(), args)
                })
                .collect();
            prop_assert_eq!(got, want);
            std::fs::remove_file(&path).unwrap();
            Ok(())
        })
        .unwrap();
}
