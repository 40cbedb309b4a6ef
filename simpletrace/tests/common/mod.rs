//! Test helpers: paths of the shared golden files, a v4 trace builder written
//! from the format description (shared/QEMU.md §1), and CLI runners.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use simpletrace::EventTable;

pub const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/golden");
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");

pub fn golden_case(case: &str) -> PathBuf {
    PathBuf::from(GOLDEN).join("simpletrace").join(case)
}

/// Every `simpletrace/caseN` directory.
pub fn golden_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(PathBuf::from(GOLDEN).join("simpletrace"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("trace.bin").exists())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden cases found");
    cases
}

pub fn table(source: &str) -> EventTable {
    let parsed = trace_events::parse_str("trace-events", source);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    EventTable::new(parsed.file.events)
}

pub fn golden_table(case: &std::path::Path) -> EventTable {
    EventTable::load(&[case.join("trace-events")]).unwrap().0
}

pub fn run_cli(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_simpletrace"))
        .args(args)
        .output()
        .unwrap()
}

/// A v4 argument value.
pub enum A<'a> {
    I(u64),
    S(&'a [u8]),
}

/// Builds trace files byte by byte.
#[derive(Default, Clone)]
pub struct Trace {
    pub bytes: Vec<u8>,
}

impl Trace {
    /// A version-4 header.
    pub fn v4() -> Self {
        Self::with_header(u64::MAX, 0xf2b1_77cb_0aa4_29b4, 4)
    }

    pub fn with_header(id: u64, magic: u64, version: u64) -> Self {
        Self::default().u64(id).u64(magic).u64(version)
    }

    pub fn u64(mut self, v: u64) -> Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u32(mut self, v: u32) -> Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn raw(mut self, b: &[u8]) -> Self {
        self.bytes.extend_from_slice(b);
        self
    }

    pub fn mapping(self, id: u64, name: &str) -> Self {
        self.u64(0)
            .u64(id)
            .u32(name.len() as u32)
            .raw(name.as_bytes())
    }

    /// An event record whose length field is computed from `args`.
    pub fn event(self, id: u64, ts: u64, pid: u32, args: &[A<'_>]) -> Self {
        let body = encode_args(args);
        self.event_raw(id, ts, 24 + body.len() as u32, pid, &body)
    }

    /// An event record with an explicit length field and argument bytes.
    pub fn event_raw(self, id: u64, ts: u64, length: u32, pid: u32, body: &[u8]) -> Self {
        self.u64(1).u64(id).u64(ts).u32(length).u32(pid).raw(body)
    }

    pub fn dropped(self, ts: u64, pid: u32, count: u64) -> Self {
        self.event(0xffff_ffff_ffff_fffe, ts, pid, &[A::I(count)])
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }
}

pub fn encode_args(args: &[A<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for arg in args {
        match arg {
            A::I(v) => body.extend_from_slice(&v.to_le_bytes()),
            A::S(s) => {
                body.extend_from_slice(&(s.len() as u32).to_le_bytes());
                body.extend_from_slice(s);
            }
        }
    }
    body
}
