//! `--format log` and `--format json` on the golden traces, checked against
//! values worked out by hand from the C formats and the recorded bytes (see
//! expected.txt for the recorded values); then every text format on the
//! widest and oddest records, checked against C's and CPython's rules.

mod common;

use common::*;
use simpletrace::output::{Json, Log, Printer, RecordFormat, SimpletracePy};
use simpletrace::{process, Analyzer, EventTable, Reader, Record};

/// Collects the log text of each record separately (strings may hold newlines).
#[derive(Default)]
struct PerRecord {
    log: Log,
    lines: Vec<Vec<u8>>,
}

impl Analyzer for PerRecord {
    type Error = std::convert::Infallible;
    fn catchall(&mut self, record: &Record<'_>) -> Result<(), Self::Error> {
        let mut line = Vec::new();
        self.log.format(record, None, &mut line);
        self.lines.push(line);
        Ok(())
    }
}

fn log_lines(case: &str) -> Vec<Vec<u8>> {
    let case = golden_case(case);
    let mut reader = Reader::open(case.join("trace.bin"), golden_table(&case)).unwrap();
    let mut per_record = PerRecord::default();
    process(&mut reader, &mut per_record).unwrap();
    per_record.lines
}

#[test]
fn log_lines_render_c_formats() {
    let lines = log_lines("case1");
    // Record 1, "sender = %s, dir = %s" with b'\t' and b'a\\\n'.
    assert_eq!(lines[0], b"dbus_audio_register sender = \t, dir = a\\\n\n");
    // Record 2, "val 0x%" PRIx64 with 0x552b.
    assert_eq!(lines[1], b"ppc40x_store_tsr val 0x552b\n");
    // Record 3, "bcs %p start %"PRId64" ret %d": %p of 0xe901, %lld of
    // 0x4da98f1d3099fdf5, %d of the int whose bits are 0xf9341c68.
    assert_eq!(
        lines[2],
        b"block_copy_write_zeroes_fail bcs 0xe901 start 5596161367516773877 ret -114025368\n"
    );
    // Record 11, "addr: 0x%x ==> 0x%02hhx" with addr 0xffffffffffffffff
    // (uint32_t: ffffffff) and val ...6fe9 (uint8_t: e9).
    assert_eq!(
        lines[10],
        b"acpi_gpe_sts_ioport_readb addr: 0xffffffff ==> 0xe9\n"
    );
    // Record 7, an event whose format is "": QEMU's log backend prints
    // "name " "" "\n".
    assert_eq!(lines[6], b"kvm_rebind_vcpus \n");
    // A dropped record has no format: its argument as name=value.
    let dropped = lines
        .iter()
        .find(|l| l.starts_with(b"Dropped_Event"))
        .unwrap();
    assert_eq!(dropped, b"Dropped_Event num_events_dropped=0x2be8a\n");

    let lines = log_lines("case2");
    // Record 12, "vdev %p req %p sector 0x%" PRIx64 " nr_zones %u": glibc
    // prints a null pointer as (nil).
    assert_eq!(
        lines[11],
        b"virtio_blk_handle_zone_report vdev 0x1 req (nil) sector 0x0 nr_zones 0\n"
    );
}

#[test]
fn cli_log_format_is_the_library_output() {
    let case = golden_case("case1");
    let out = run_cli(&[
        "--format".as_ref(),
        "log".as_ref(),
        case.join("trace-events").as_os_str(),
        case.join("trace.bin").as_os_str(),
    ]);
    assert!(out.status.success());
    assert_eq!(out.stdout, log_lines("case1").concat());
}

#[test]
fn json_records_are_typed() {
    let case = golden_case("case1");
    let mut reader = Reader::open(case.join("trace.bin"), golden_table(&case)).unwrap();
    let mut json = Printer::new(Json, Vec::new());
    process(&mut reader, &mut json).unwrap();
    let text = String::from_utf8(json.into_inner().unwrap()).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 400);

    let r = &records[0];
    assert_eq!(r["name"], "dbus_audio_register");
    assert_eq!(r["pid"], 35008);
    assert_eq!(r["args"]["s"], "\t");
    assert_eq!(r["args"]["dir"], "a\\\n");
    // Record 3: void *bcs, int64_t start, int ret.
    let r = &records[2];
    assert_eq!(r["args"]["bcs"], "0xe901");
    assert_eq!(r["args"]["start"], 5596161367516773877i64);
    assert_eq!(r["args"]["ret"], -114025368);
    // Record 11: uint32_t addr, uint8_t val.
    assert_eq!(records[10]["args"]["addr"], 0xffff_ffffu64);
    assert_eq!(records[10]["args"]["val"], 0xe9);
    // Timestamps: deltas of expected.txt (123.456 us between records 1 and 2).
    let t0 = records[0]["timestamp_ns"].as_u64().unwrap();
    let t1 = records[1]["timestamp_ns"].as_u64().unwrap();
    assert_eq!(t1 - t0, 123_456);
    // Dropped records carry the count (record 29: 0x2be8a).
    let dropped = &records[28];
    assert_eq!(dropped["name"], "Dropped_Event");
    assert_eq!(dropped["id"], u64::MAX - 1);
    assert_eq!(dropped["dropped"], 0x2be8a);
    assert!(dropped.get("args").is_none());
}

/// Each record of `trace` formatted into a buffer of its own, empty, so the
/// room a format reserves for a line is exactly its bound.
fn formatted(format: &mut impl RecordFormat, trace: &Trace, table: EventTable) -> Vec<String> {
    let mut reader = Reader::new(&trace.bytes[..], table).unwrap();
    let mut lines = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        let mut line = Vec::new();
        format.format(&record, None, &mut line);
        lines.push(String::from_utf8(line).unwrap());
    }
    lines
}

/// `events[0]` with 16 more copies of its first argument (`a1`..`a16`)
/// after it: more than a packed layout or the log's inline array holds.
/// A trace-events file declares at most 10; a library user may build this.
fn with_17_integers(source: &str) -> Vec<trace_events::Event> {
    let mut events = trace_events::parse_str("t", source).file.events;
    for i in (1..17).rev() {
        let mut arg = events[0].args[0].clone();
        arg.name = format!("a{i}");
        events[0].args.insert(1, arg);
    }
    events
}

const LONG: &str = "an_event_without_arguments_and_a_long_name";

/// The widest simpletrace.py lines (longest delta, pid and escapes; a long
/// name without arguments) fit the room reserved for them, and each shows
/// its own record's pid. Expected as CPython 3.11 prints them:
/// `{delta_ns / 1000:0.3f}`, `pid={pid}`, `repr(bytes)`, `0x%x`.
#[test]
fn simpletrace_py_widest_lines_fit_and_each_shows_its_own_pid() {
    let trace = Trace::v4_mapped(&["e", LONG])
        .event(
            0,
            u64::MAX,
            4_000_000_000,
            &[A::S(&[1; 512]), A::I(u64::MAX)],
        )
        .event(0, 0, 7, &[A::S(b"'"), A::I(0)])
        .event(0, u64::MAX, 7, &[A::S(b"\\\""), A::I(1)])
        .event(0, 5, 4_000_000_000, &[A::S(b""), A::I(2)])
        .event(1, u64::MAX, 4_000_000_000, &[]);
    let table = table(&format!("e(const char *s, uint64_t a)\n{LONG}(void)\n"));
    let escaped = "\\x01".repeat(512);
    assert_eq!(
        formatted(&mut SimpletracePy::default(), &trace, table),
        [
            format!("e 0.000 pid=4000000000 s=b'{escaped}' a=0xffffffffffffffff\n"),
            "e -18446744073709552.000 pid=7 s=b\"'\" a=0x0\n".to_string(),
            "e 18446744073709552.000 pid=7 s=b'\\\\\"' a=0x1\n".to_string(),
            "e -18446744073709552.000 pid=4000000000 s=b'' a=0x2\n".to_string(),
            format!("{LONG} 18446744073709552.000 pid=4000000000 \n"),
        ]
    );
}

/// An event of more arguments than a packed layout holds (16) prints from
/// its declarations.
#[test]
fn simpletrace_py_prints_an_event_of_many_arguments() {
    let table = EventTable::new(with_17_integers("big(uint64_t a0, const char *s)\n"));
    let mut args: Vec<A<'_>> = (0..17).map(|i| A::I(i * 3)).collect();
    args.push(A::S(b"x"));
    let trace = Trace::v4_mapped(&["big"]).event(0, 10, 7, &args);
    let values: Vec<String> = (0..17).map(|i| format!("a{i}={:#x}", i * 3)).collect();
    assert_eq!(
        formatted(&mut SimpletracePy::default(), &trace, table),
        [format!("big 0.000 pid=7 {} s=b'x'\n", values.join(" "))]
    );
}

/// QEMU's `-msg timestamp=on` prefix, `"%d@%zu.%06zu:"`: the thread (the
/// pid when the trace names none), seconds, and microseconds.
#[test]
fn log_timestamps_prefix_the_line_as_qemu_does() {
    let trace = Trace::v4_mapped(&["e"]).event(0, 1_234_056_789_999, 9, &[A::I(7)]);
    let source = "e(int x) \"x=%d\"\n";
    assert_eq!(
        formatted(&mut Log::with_timestamps(), &trace, table(source)),
        ["9@1234.056789:e x=7\n"]
    );
    assert_eq!(
        formatted(&mut Log::default(), &trace, table(source)),
        ["e x=7\n"]
    );
}

/// More arguments than the log's inline array holds (16), rendered as C
/// would.
#[test]
fn log_renders_an_event_of_many_arguments() {
    let mut events = with_17_integers("e(int a0) \"%d\"\n");
    events[0].c_format = ["%d"; 17].join(" ");
    let args: Vec<A<'_>> = (0..17).map(A::I).collect();
    let trace = Trace::v4_mapped(&["e"]).event(0, 1, 9, &args);
    let expected: Vec<String> = (0..17).map(|i| i.to_string()).collect();
    assert_eq!(
        formatted(&mut Log::default(), &trace, EventTable::new(events)),
        [format!("e {}\n", expected.join(" "))]
    );
}

/// Values as C reads the recorded 64-bit words back into the declared
/// types: `int` and `int8_t` sign-extend their low bits, `unsigned` takes
/// its low 32, `bool` is 0 or not.
#[test]
fn json_integers_and_bools_are_typed_as_declared() {
    let words = [0, 0xffff_ffff, 1, 0, 0x80, 0xffff_ffff, 0x1_0000_0005];
    let args: Vec<A<'_>> = words.into_iter().map(A::I).collect();
    let trace = Trace::v4_mapped(&["e"]).event(0, 5, 9, &args);
    let source = "e(int a, int b, bool t, bool f, int8_t c, unsigned u, uint32_t w)\n";
    assert_eq!(
        formatted(&mut Json, &trace, table(source)),
        ["{\"name\":\"e\",\"id\":0,\"timestamp_ns\":5,\"pid\":9,\"tid\":null,\"thread\":null,\
          \"args\":{\"a\":0,\"b\":-1,\"t\":true,\"f\":false,\"c\":-128,\"u\":4294967295,\"w\":5}}\n"]
    );
}
