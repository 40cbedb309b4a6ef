//! `--format log` and `--format json` on the golden traces, checked against
//! values worked out by hand from the C formats and the recorded bytes (see
//! expected.txt for the recorded values).

mod common;

use common::*;
use simpletrace::output::{Json, Log, Printer, RecordFormat};
use simpletrace::{process, Analyzer, Reader, Record};

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
