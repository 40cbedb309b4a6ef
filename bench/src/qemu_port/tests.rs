//! The port writes what the seed writes: a version-3 file (header, then records
//! `event, timestamp_ns, length, pid, arguments` with the valid bit cleared),
//! drops counted in a dropped record, the buffer reused across wrap-arounds.
//! Each test has its own backend, as each QEMU process has its own globals.

use super::events::{self, Event};
use super::*;

/// One decoded version-3 record.
#[derive(Debug, PartialEq)]
struct Rec {
    event: u64,
    timestamp_ns: u64,
    pid: u32,
    args: Vec<u8>,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(b[at..at + 8].try_into().unwrap())
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().unwrap())
}

/// Decode a version-3 trace file as QEMU's old simpletrace.py did.
fn decode(bytes: &[u8]) -> Vec<Rec> {
    assert!(bytes.len() >= 24, "no header");
    assert_eq!(u64_at(bytes, 0), 0xffff_ffff_ffff_ffff);
    assert_eq!(u64_at(bytes, 8), 0xf2b1_77cb_0aa4_29b4);
    assert_eq!(u64_at(bytes, 16), 3);
    let mut out = Vec::new();
    let mut pos = 24;
    while pos < bytes.len() {
        let length = u32_at(bytes, pos + 16) as usize;
        assert!(
            length >= 24 && pos + length <= bytes.len(),
            "bad length {length} at {pos}"
        );
        out.push(Rec {
            event: u64_at(bytes, pos),
            timestamp_ns: u64_at(bytes, pos + 8),
            pid: u32_at(bytes, pos + 20),
            args: bytes[pos + 24..pos + length].to_vec(),
        });
        pos += length;
    }
    out
}

fn u64s(args: &[u8]) -> Vec<u64> {
    args.chunks(8).map(|c| u64_at(c, 0)).collect()
}

/// Event states are process-wide, as in QEMU; no test enables `bench_disabled`.
fn enable_all() {
    let e = &EVENTS;
    for ev in [
        &e.bench_no_arg,
        &e.bench_two_u64,
        &e.bench_one_str,
        &e.bench_six_args,
    ] {
        ev.set_state(true);
    }
}

#[test]
fn writes_a_version_3_file_with_every_argument_shape() {
    static BE: Backend = Backend::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    BE.init().unwrap();
    BE.set_trace_file(&path).unwrap();
    enable_all();
    let e = &EVENTS;
    let local = 0u8;
    let p: *const u8 = &local;
    let long = vec![b'x'; 600];
    const NAME: &[u8] = b"disk0.img \xff\"\\";

    events::no_arg(&BE, &e.bench_no_arg);
    events::two_u64(&BE, &e.bench_two_u64, 0x1122_3344_5566_7788, u64::MAX);
    events::one_str(&BE, &e.bench_one_str, NAME);
    events::one_str(&BE, &e.bench_one_str, &long);
    events::six_args(&BE, &e.bench_six_args, 1, 2, u32::MAX, -1, true, p);
    events::two_u64(&BE, &e.bench_disabled, 5, 6);
    BE.flush();

    let recs = decode(&std::fs::read(&path).unwrap());
    let pid = std::process::id();
    assert!(recs.iter().all(|r| r.pid == pid));
    assert!(recs
        .windows(2)
        .all(|w| w[0].timestamp_ns <= w[1].timestamp_ns));
    let ids: Vec<u64> = recs.iter().map(|r| r.event).collect();
    assert_eq!(
        ids,
        [1, 2, 3, 3, 4],
        "valid bit cleared, disabled event absent"
    );
    assert!(recs[0].args.is_empty());
    assert_eq!(u64s(&recs[1].args), [0x1122_3344_5566_7788, u64::MAX]);
    let mut want = (NAME.len() as u32).to_ne_bytes().to_vec();
    want.extend_from_slice(NAME);
    assert_eq!(recs[2].args, want);
    assert_eq!(u32_at(&recs[3].args, 0), 512, "strings cut to 512 bytes");
    assert_eq!(recs[3].args.len(), 4 + 512);
    assert_eq!(
        u64s(&recs[4].args),
        [1, 2, 0xffff_ffff, u64::MAX, 1, p as usize as u64]
    );
}

#[test]
fn a_full_buffer_drops_and_the_writer_reports_the_count_first() {
    static BE: Backend = Backend::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    BE.init().unwrap();
    enable_all();
    // No file yet: the writer waits, so the buffer fills up. 40-byte records:
    // the seed admits a record while the reserved end stays within 256 KiB.
    let fits = TRACE_BUF_LEN / 40;
    let emitted = fits + 1000;
    for i in 0..u64::from(emitted) {
        events::two_u64(&BE, &EVENTS.bench_two_u64, i, !i);
    }
    BE.set_trace_file(&path).unwrap();
    BE.flush();

    let recs = decode(&std::fs::read(&path).unwrap());
    assert_eq!(recs.len() as u32, 1 + fits);
    assert_eq!(recs[0].event, DROPPED_EVENT_ID);
    assert_eq!(u64s(&recs[0].args), [1000]);
    for (i, r) in recs[1..].iter().enumerate() {
        assert_eq!(u64s(&r.args), [i as u64, !(i as u64)]);
    }
}

#[test]
fn records_wrap_around_the_buffer_in_order() {
    static BE: Backend = Backend::new();
    static MIXED: [&Event; 2] = [&EVENTS.bench_two_u64, &EVENTS.bench_one_str];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    BE.init().unwrap();
    BE.set_trace_file(&path).unwrap();
    enable_all();
    // Three buffers' worth in batches the writer drains between: no drops, and
    // records of 40 and 37 bytes straddle the end of the buffer.
    let total = 3 * TRACE_BUF_LEN / 38;
    let mut expected = Vec::new();
    for i in 0..total {
        let ev = MIXED[(i % 2) as usize];
        if ev.id == EVENTS.bench_two_u64.id {
            events::two_u64(&BE, ev, u64::from(i), 7);
        } else {
            events::one_str(&BE, ev, b"nine byte");
        }
        expected.push(ev.id as u64);
        if i % 1000 == 999 {
            BE.flush();
        }
    }
    BE.flush();

    let recs = decode(&std::fs::read(&path).unwrap());
    let ids: Vec<u64> = recs.iter().map(|r| r.event).collect();
    assert_eq!(ids, expected);
    for (i, r) in recs.iter().enumerate().step_by(2) {
        assert_eq!(u64s(&r.args), [i as u64, 7]);
    }
}

#[test]
fn a_second_init_is_refused() {
    static BE: Backend = Backend::new();
    BE.init().unwrap();
    assert!(matches!(BE.init(), Err(StartError::AlreadyStarted)));
}
