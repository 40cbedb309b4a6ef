//! Shared by the integration tests: a small v4 decoder written from QEMU's format
//! description (checked against QEMU's own golden traces in `format.rs`), and
//! helpers to declare events by hand the way `trace_events!` generates them.
#![allow(dead_code)]

use std::collections::HashMap;

pub const HEADER_EVENT_ID: u64 = 0xffff_ffff_ffff_ffff;
pub const HEADER_MAGIC: u64 = 0xf2b1_77cb_0aa4_29b4;
pub const DROPPED_ID: u64 = 0xffff_ffff_ffff_fffe;

/// One event record, fields as in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: u64,
    pub timestamp_ns: u64,
    /// The `length` field (24 + payload).
    pub length: u32,
    pub pid: u32,
    pub payload: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Trace {
    pub header: [u64; 3],
    /// id -> name, from the mapping records.
    pub names: HashMap<u64, String>,
    /// Mapping records in file order.
    pub mappings: Vec<(u64, String)>,
    pub records: Vec<Record>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let s = self
            .bytes
            .get(self.pos..self.pos + n)
            .unwrap_or_else(|| panic!("truncated trace at byte {}", self.pos));
        self.pos += n;
        s
    }
    fn u64(&mut self) -> u64 {
        u64::from_ne_bytes(self.take(8).try_into().unwrap())
    }
    fn u32(&mut self) -> u32 {
        u32::from_ne_bytes(self.take(4).try_into().unwrap())
    }
}

/// Decode a whole v4 trace, panicking with the offset on anything malformed.
pub fn decode(bytes: &[u8]) -> Trace {
    let mut c = Cursor { bytes, pos: 0 };
    let mut t = Trace {
        header: [c.u64(), c.u64(), c.u64()],
        ..Trace::default()
    };
    while c.pos < bytes.len() {
        let at = c.pos;
        match c.u64() {
            0 => {
                let id = c.u64();
                let len = c.u32() as usize;
                let name = String::from_utf8(c.take(len).to_vec()).unwrap();
                t.names.insert(id, name.clone());
                t.mappings.push((id, name));
            }
            1 => {
                let id = c.u64();
                let timestamp_ns = c.u64();
                let length = c.u32();
                let pid = c.u32();
                assert!(length >= 24, "record at {at}: length {length} < 24");
                let payload = c.take(length as usize - 24).to_vec();
                // The preamble's self-description, not records these tests follow.
                if t.names.get(&id).is_some_and(|n| n == "trace_event_decl") {
                    continue;
                }
                t.records.push(Record {
                    id,
                    timestamp_ns,
                    length,
                    pid,
                    payload,
                });
            }
            other => panic!("record at {at}: unknown record type {other}"),
        }
    }
    t
}

impl Trace {
    pub fn name(&self, r: &Record) -> &str {
        if r.id == DROPPED_ID {
            return "Dropped_Event";
        }
        self.names
            .get(&r.id)
            .unwrap_or_else(|| panic!("unmapped id {}", r.id))
    }

    /// Records that are neither `trace_thread` nor dropped records.
    pub fn program_records(&self) -> Vec<&Record> {
        self.records
            .iter()
            .filter(|r| r.id != DROPPED_ID && self.name(r) != "trace_thread")
            .collect()
    }

    /// Sum of the dropped records' counts.
    pub fn dropped_total(&self) -> u64 {
        self.records
            .iter()
            .filter(|r| r.id == DROPPED_ID)
            .map(|r| Args::new(&r.payload).u64())
            .sum()
    }

    /// Program records with the thread id of the `trace_thread` record before them.
    pub fn by_thread(&self) -> Vec<(u64, &Record)> {
        let mut tid = None;
        let mut out = Vec::new();
        for r in &self.records {
            if r.id == DROPPED_ID {
                continue;
            }
            if self.name(r) == "trace_thread" {
                tid = Some(Args::new(&r.payload).u64());
            } else {
                out.push((tid.expect("a record before any trace_thread"), r));
            }
        }
        out
    }
}

/// Reads a record's arguments in order.
pub struct Args<'a> {
    c: Cursor<'a>,
}

impl<'a> Args<'a> {
    pub fn new(payload: &'a [u8]) -> Self {
        Args {
            c: Cursor {
                bytes: payload,
                pos: 0,
            },
        }
    }
    pub fn u64(&mut self) -> u64 {
        self.c.u64()
    }
    pub fn str(&mut self) -> Vec<u8> {
        let len = self.c.u32() as usize;
        self.c.take(len).to_vec()
    }
    pub fn done(&self) -> bool {
        self.c.pos == self.c.bytes.len()
    }
}

/// CLOCK_MONOTONIC now, in nanoseconds, read independently of the runtime.
#[cfg(unix)]
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid out pointer; CLOCK_MONOTONIC exists on Linux and macOS.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The performance counter now, in nanoseconds (QEMU's clock on Windows).
#[cfg(windows)]
pub fn monotonic_ns() -> u64 {
    use windows_sys::Win32::System::Performance::{
        QueryPerformanceCounter, QueryPerformanceFrequency,
    };
    let (mut ticks, mut hz) = (0i64, 0i64);
    // SAFETY: valid out pointers; cannot fail since Windows XP.
    unsafe {
        (
            QueryPerformanceCounter(&mut ticks),
            QueryPerformanceFrequency(&mut hz),
        )
    };
    (ticks as u128 * 1_000_000_000 / hz.max(1) as u128) as u64
}

mod os;
#[allow(unused_imports)] // each test file includes all of `common`, not all use it
pub use os::gettid;

/// Declare an event static the way `trace_events!` does, through the paths
/// `trace_runtime` re-exports (so the user crate needs no `linkme` dependency).
#[macro_export]
macro_rules! event {
    ($static:ident, $name:literal, available = $avail:expr, [$(($ty:literal, $arg:literal, $kind:expr)),* $(,)?]) => {
        #[trace_runtime::__private::linkme::distributed_slice(trace_runtime::__private::EVENTS)]
        #[linkme(crate = trace_runtime::__private::linkme)]
        static $static: trace_runtime::__private::Event =
            trace_runtime::__private::Event::new(trace_runtime::__private::EventMeta {
                name: $name,
                args: &[$(trace_runtime::__private::ArgMeta { ty: $ty, name: $arg, kind: $kind }),*],
                fmt: "",
                c_format: "",
                file: file!(),
                line: line!(),
                available: $avail,
            });
    };
}

pub use trace_runtime::__private::{ArgKind, IntType};
pub const U32: ArgKind = ArgKind::Int(IntType {
    bits: 32,
    signed: false,
});
pub const I32: ArgKind = ArgKind::Int(IntType {
    bits: 32,
    signed: true,
});
pub const U64: ArgKind = ArgKind::Int(IntType {
    bits: 64,
    signed: false,
});
pub const STR: ArgKind = ArgKind::Str;
