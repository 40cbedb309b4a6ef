//! The columns both tables start with: where a row comes from (file, host,
//! process, thread).

use super::columns::{CachedKey, Dict, Ints};
use super::table::Chunks;
use super::ExportError;

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
    /// The thread name `thread` is the key of.
    thread_name: String,
}

/// `file`, `host`, `pid`, `tid`, `thread`.
#[derive(Debug)]
pub(crate) struct SourceColumns {
    file: Dict,
    host: Dict,
    pid: Ints,
    tid: Ints,
    thread: Dict,
}

impl Default for SourceColumns {
    fn default() -> Self {
        Self {
            file: Dict::new(false),
            host: Dict::new(true),
            pid: Ints::default(),
            tid: Ints::nullable(),
            thread: Dict::new(true),
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
        thread: Option<(u64, &str)>,
    ) {
        let file = self.file.cached_key(&mut keys.file, &source.file);
        self.file.push(file);
        let host = source
            .host
            .as_deref()
            .map(|host| self.host.cached_key(&mut keys.host, host));
        self.host.push_opt(host);
        self.pid.push(i64::from(pid));
        match thread {
            Some((tid, name)) => {
                if keys.thread_name != name {
                    keys.thread = CachedKey::default();
                    keys.thread_name.clear();
                    keys.thread_name.push_str(name);
                }
                self.tid.push(tid as i64);
                let key = self.thread.cached_key(&mut keys.thread, name);
                self.thread.push(key);
            }
            None => {
                self.tid.push_opt(None);
                self.thread.push_opt(None);
            }
        }
    }

    /// Bytes of the distinct strings held.
    pub fn bytes(&self) -> usize {
        self.file.bytes() + self.host.bytes() + self.thread.bytes()
    }

    /// Write the five columns to the next columns of `out`.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        self.file.write(out)?;
        self.host.write(out)?;
        self.pid.write(out)?;
        self.tid.write(out)?;
        self.thread.write(out)
    }
}
