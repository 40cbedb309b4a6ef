//! Which records a reading command keeps: by event name pattern, time window,
//! pid and thread. Every condition given must hold.

mod time;

pub use time::{BadTime, TimeBound};
pub use trace_events::glob::glob_match;

use crate::{Record, Thread};

/// A thread given by kernel id (all digits) or by name glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadSelector {
    Tid(u64),
    Name(String),
}

impl ThreadSelector {
    pub fn parse(text: &str) -> Self {
        match text.parse() {
            Ok(tid) => Self::Tid(tid),
            Err(_) => Self::Name(text.to_string()),
        }
    }

    fn matches(&self, thread: &Thread) -> bool {
        match self {
            Self::Tid(tid) => thread.tid == *tid,
            Self::Name(glob) => glob_match(glob.as_bytes(), thread.name.as_bytes()),
        }
    }
}

/// The selection; the default keeps everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `(exclude, glob)`.
    patterns: Vec<(bool, String)>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    pids: Vec<u32>,
    threads: Vec<ThreadSelector>,
    /// Name decision per event index; `None` until first seen.
    by_event: Vec<Option<bool>>,
    /// Timestamp of the first record seen, for relative bounds.
    origin: Option<u64>,
}

impl Filter {
    /// Keep events matching `pattern` (glob with `*`, `?`), or with a leading
    /// `-` drop them. With include patterns an event must match one of them;
    /// an exclude pattern drops an event whatever else matches.
    pub fn event(mut self, pattern: &str) -> Self {
        let (exclude, glob) = match pattern.strip_prefix('-') {
            Some(glob) => (true, glob),
            None => (false, pattern),
        };
        self.patterns.push((exclude, glob.to_string()));
        self
    }

    /// Keep records at or after `bound`.
    pub fn from(mut self, bound: TimeBound) -> Self {
        self.from = Some(bound);
        self
    }

    /// Keep records at or before `bound`.
    pub fn to(mut self, bound: TimeBound) -> Self {
        self.to = Some(bound);
        self
    }

    /// Keep records of process `pid` (repeat for several).
    pub fn pid(mut self, pid: u32) -> Self {
        self.pids.push(pid);
        self
    }

    /// Keep records of a thread (repeat for several); records whose thread is
    /// unknown (no `trace_thread` before them) are dropped.
    pub fn thread(mut self, thread: ThreadSelector) -> Self {
        self.threads.push(thread);
        self
    }

    /// True when nothing is filtered out.
    pub fn keeps_everything(&self) -> bool {
        self.patterns.is_empty()
            && self.from.is_none()
            && self.to.is_none()
            && self.pids.is_empty()
            && self.threads.is_empty()
    }

    /// Whether to keep `record` of `thread`. Call it for every record in
    /// order: the first one sets the origin of relative times.
    pub fn accepts(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> bool {
        let origin = *self.origin.get_or_insert(record.timestamp_ns);
        let ts = record.timestamp_ns;
        if self.from.is_some_and(|b| ts < b.resolve(origin))
            || self.to.is_some_and(|b| ts > b.resolve(origin))
        {
            return false;
        }
        if !self.pids.is_empty() && !self.pids.contains(&record.pid) {
            return false;
        }
        if !self.threads.is_empty() {
            match thread {
                Some(t) if self.threads.iter().any(|s| s.matches(t)) => {}
                _ => return false,
            }
        }
        self.accepts_name(record)
    }

    fn accepts_name(&mut self, record: &Record<'_>) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        let index = record.index.get();
        if self.by_event.len() <= index {
            self.by_event.resize(index + 1, None);
        }
        let patterns = &self.patterns;
        *self.by_event[index].get_or_insert_with(|| {
            let name = record.event.name.as_bytes();
            let matches = |exclude: bool| {
                patterns
                    .iter()
                    .any(|(e, g)| *e == exclude && glob_match(g.as_bytes(), name))
            };
            let has_includes = patterns.iter().any(|(exclude, _)| !exclude);
            (!has_includes || matches(false)) && !matches(true)
        })
    }
}
