//! The columns both tables start with: where a row comes from (file, host,
//! process, thread).

use std::rc::Rc;

use super::columns::{CachedKey, Dict, Ints};
use super::table::Chunks;
use super::ExportError;
use crate::Thread;

/// The file being exported and the host it is said to come from.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub file: String,
    pub host: Option<String>,
}

/// Dictionary keys of one file's rows, cached across rows.
#[derive(Debug, Default)]
pub(crate) struct SourceKeys {
    file: CachedKey,
    host: CachedKey,
    thread: CachedKey,
    /// The thread name `thread` is the key of (held: no other name can
    /// take its place at its address).
    thread_name: Option<Rc<str>>,
}

/// A row's thread: its id and its name, shared by the rows and calls of a
/// thread so that they compare names by address. `Rc`, not `Arc`: they
/// live on the reading thread, and an atomic count (a call's enter and
/// row each touched it) made the CPU wait for the row's stores every time.
pub(crate) type RowThread<'a> = Option<(u64, &'a Rc<str>)>;

/// The thread of the records being read, its name shared until it changes.
#[derive(Debug, Default)]
pub(crate) struct CurrentThread(Option<(u64, Rc<str>)>);

impl CurrentThread {
    /// `thread` (the record's), its name shared with the last record's
    /// when the same.
    #[inline]
    pub fn of(&mut self, thread: Option<&Thread>) -> RowThread<'_> {
        let thread = thread?;
        let same =
            matches!(&self.0, Some((tid, name)) if *tid == thread.tid && **name == *thread.name);
        if !same {
            self.0 = Some((thread.tid, Rc::from(thread.name.as_str())));
        }
        self.0.as_ref().map(|(tid, name)| (*tid, name))
    }
}

/// Where a row comes from, as keys into its batch's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SourceRow {
    file: u32,
    host: Option<u32>,
    pid: u32,
    /// The thread's id and name key, when the trace says.
    thread: Option<(u64, u32)>,
}

/// `file`, `host`, `pid`, `tid`, `thread`. The rows come in long runs from
/// one source (a file's thread writes its records in chunks): the reading
/// thread notes runs, and the columns are filled from them when the batch
/// is written, rather than five pushes a row.
#[derive(Debug)]
pub(crate) struct SourceColumns {
    file: Dict,
    host: Dict,
    pid: Ints,
    tid: Ints,
    thread: Dict,
    /// The batch's rows: runs of rows from one source.
    runs: Vec<(SourceRow, usize)>,
}

impl Default for SourceColumns {
    fn default() -> Self {
        Self {
            file: Dict::new(false),
            host: Dict::new(true),
            pid: Ints::default(),
            tid: Ints::nullable(),
            thread: Dict::new(true),
            runs: Vec::new(),
        }
    }
}

impl SourceColumns {
    /// One row from `source`, process `pid`, and the thread (id and name)
    /// when the trace says.
    #[inline]
    pub fn push(
        &mut self,
        source: &Source,
        keys: &mut SourceKeys,
        pid: u32,
        thread: RowThread<'_>,
    ) {
        let file = self.file.cached_key(&mut keys.file, &source.file);
        let host = source
            .host
            .as_deref()
            .map(|host| self.host.cached_key(&mut keys.host, host));
        let thread = thread.map(|(tid, name)| {
            if !keys
                .thread_name
                .as_ref()
                .is_some_and(|n| Rc::ptr_eq(n, name))
            {
                keys.thread = CachedKey::default();
                keys.thread_name = Some(name.clone());
            }
            (tid, self.thread.cached_key(&mut keys.thread, name))
        });
        let row = SourceRow {
            file,
            host,
            pid,
            thread,
        };
        match self.runs.last_mut() {
            Some((last, rows)) if *last == row => *rows += 1,
            _ => self.runs.push((row, 1)),
        }
    }

    /// Bytes of the distinct strings held.
    pub fn bytes(&self) -> usize {
        self.file.bytes() + self.host.bytes() + self.thread.bytes()
    }

    /// Write the five columns to the next columns of `out`.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        for &(row, n) in &self.runs {
            self.file.push_n(Some(row.file), n);
            self.host.push_n(row.host, n);
            self.pid.push_n(Some(i64::from(row.pid)), n);
            self.tid.push_n(row.thread.map(|(tid, _)| tid as i64), n);
            self.thread.push_n(row.thread.map(|(_, name)| name), n);
        }
        self.runs.clear();
        self.file.write(out)?;
        self.host.write(out)?;
        self.pid.write(out)?;
        self.tid.write(out)?;
        self.thread.write(out)
    }
}
