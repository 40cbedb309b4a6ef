//! Which thread a record came from. Our runtime writes `trace_thread(tid, name)`
//! before each batch of records drained from one thread's buffer; the records
//! after it, up to the next one, are that thread's.

use crate::{Record, Value};
use trace_events::v4::{is_id_and_text, THREAD_EVENT};

/// Thread names longer than this are cut (the runtime writes at most 512 bytes).
const MAX_NAME_LEN: usize = 512;

/// A thread of the traced program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The process, as the records give it.
    pub pid: u32,
    /// The kernel thread id.
    pub tid: u64,
    /// As the runtime recorded it (invalid UTF-8 replaced).
    pub name: String,
}

/// Follows `trace_thread` records through a trace.
#[derive(Debug, Default)]
pub struct Threads {
    /// Per event index: is it `trace_thread`? `None` until first seen.
    is_marker: Vec<Option<bool>>,
    current: Option<Thread>,
}

impl Threads {
    /// Follow `record`; true if it is a `trace_thread` record.
    pub fn observe(&mut self, record: &Record<'_>) -> bool {
        let index = record.index.get();
        if self.is_marker.len() <= index {
            self.is_marker.resize(index + 1, None);
        }
        let marker = *self.is_marker[index].get_or_insert_with(|| {
            record.event.name == THREAD_EVENT && is_id_and_text(record.event)
        });
        if marker {
            let mut args = record.args();
            if let (Some((_, Value::Int(tid))), Some((_, Value::Str(name)))) =
                (args.next(), args.next())
            {
                self.switch(record.pid, tid, name);
            }
        }
        marker
    }

    fn switch(&mut self, pid: u32, tid: u64, name: &[u8]) {
        let name = String::from_utf8_lossy(&name[..name.len().min(MAX_NAME_LEN)]);
        match &mut self.current {
            Some(t) if t.pid == pid && t.tid == tid && t.name == name => {}
            slot => {
                *slot = Some(Thread {
                    pid,
                    tid,
                    name: name.into_owned(),
                })
            }
        }
    }

    /// The thread of `record` (the last one observed): `None` before any
    /// `trace_thread` record (e.g. traces written by QEMU) or for another pid.
    pub fn current_for(&self, record: &Record<'_>) -> Option<&Thread> {
        self.current.as_ref().filter(|t| t.pid == record.pid)
    }
}
