//! Shared by the `#[traced]` tests: run code under a started runtime and read
//! the trace back with the real reader, which needs no trace-events file (the
//! trace declares its events).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use simpletrace::{EventTable, OwnedValue, Reader};
use trace_runtime::{Config, TraceGuard};

/// A record as the tests compare it: name and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rec {
    pub name: String,
    pub args: Vec<Arg>,
}

/// An argument: integer or string, as the reader decodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    I(u64),
    S(String),
}

pub use Arg::{I, S};

/// `rec("f_enter", [I(1), S("x")])`.
pub fn rec<const N: usize>(name: &str, args: [Arg; N]) -> Rec {
    Rec {
        name: name.to_string(),
        args: args.into(),
    }
}

/// The started runtime, writing to a file in a temporary directory.
pub struct Tracing {
    guard: Option<TraceGuard>,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

/// Start the runtime (once per test process) with every event enabled.
pub fn start() -> Tracing {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("traced.trace");
    let guard = Config::new().ignore_env().file(&path).start().unwrap();
    Tracing {
        guard: Some(guard),
        path,
        _dir: dir,
    }
}

impl Tracing {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Program records written so far (flushes first).
    pub fn records(&self) -> Vec<Rec> {
        trace_runtime::flush();
        read(&self.path)
    }

    /// Stop tracing: the file is complete.
    pub fn stop(&mut self) {
        self.guard.take();
    }
}

/// The program records of a trace file, decoded with an empty event table:
/// every event must come from the trace's own declarations. The call id that
/// starts a `#[traced]` event's arguments is left out (`traced_call_ids.rs`
/// tests it).
pub fn read(path: &Path) -> Vec<Rec> {
    let mut reader = Reader::open(path, EventTable::new([])).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        let has_call_id = r
            .event
            .args
            .first()
            .is_some_and(|a| a.name == "call_id" || a.name == "async_call_id");
        let r = r.to_owned();
        if ["trace_thread", "trace_event_decl", "Dropped_Event"].contains(&r.name.as_str()) {
            continue;
        }
        let args = r
            .args
            .into_iter()
            .skip(usize::from(has_call_id))
            .map(|a| match a {
                OwnedValue::Int(v) => I(v),
                OwnedValue::Str(s) => S(String::from_utf8(s).unwrap()),
            })
            .collect();
        out.push(Rec { name: r.name, args });
    }
    out
}

/// Records of the events whose names start with `prefix`.
pub fn named(records: &[Rec], prefix: &str) -> Vec<Rec> {
    records
        .iter()
        .filter(|r| r.name.starts_with(prefix))
        .cloned()
        .collect()
}
