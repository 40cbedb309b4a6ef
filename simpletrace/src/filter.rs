//! Which records a reading command keeps: by event name pattern, time window,
//! pid and thread. Every condition given must hold.

mod time;

pub use time::{BadTime, TimeBound};
pub use trace_events::glob::glob_match;

use crate::{Record, Thread};

/// A thread given by kernel id (all digits) or by name glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadSelector {
    /// A kernel thread id.
    Tid(u64),
    /// A glob on the thread's name (`*` and `?`).
    Name(String),
}

impl ThreadSelector {
    /// A number is a thread id, anything else a name glob.
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
    /// Per pattern: did it match the name of any record's event?
    pattern_matched: Vec<bool>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    pids: Vec<u32>,
    threads: Vec<ThreadSelector>,
    /// Per thread selector: did it match any record's thread?
    thread_matched: Vec<bool>,
    /// Whether any record had a known thread.
    saw_thread: bool,
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
        self.pattern_matched.push(false);
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
        self.thread_matched.push(false);
        self
    }

    /// True when nothing is filtered out.
    #[inline]
    pub fn keeps_everything(&self) -> bool {
        self.patterns.is_empty()
            && self.from.is_none()
            && self.to.is_none()
            && self.pids.is_empty()
            && self.threads.is_empty()
    }

    /// Whether to keep `record` of `thread`. Call it for every record in
    /// order: the first one sets the origin of relative times. Every record
    /// is also checked against each pattern and thread selector, for
    /// [`Filter::unmatched_events`] and [`Filter::unmatched_threads`].
    #[inline]
    pub fn accepts(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> bool {
        // No condition (an export of whole traces): nothing to note either.
        if self.keeps_everything() {
            return true;
        }
        self.accepts_some(record, thread)
    }

    fn accepts_some(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> bool {
        let origin = *self.origin.get_or_insert(record.timestamp_ns);
        let name_kept = self.accepts_name(record);
        let thread_kept = self.accepts_thread(thread);
        let ts = record.timestamp_ns;
        if self.from.is_some_and(|b| ts < b.resolve(origin))
            || self.to.is_some_and(|b| ts > b.resolve(origin))
        {
            return false;
        }
        if !self.pids.is_empty() && !self.pids.contains(&record.pid) {
            return false;
        }
        thread_kept && name_kept
    }

    /// The event patterns (as given, `-` included) that matched no record's
    /// event so far: after the whole trace, likely typos.
    pub fn unmatched_events(&self) -> impl Iterator<Item = String> + '_ {
        self.patterns
            .iter()
            .zip(&self.pattern_matched)
            .filter(|(_, &matched)| !matched)
            .map(|((exclude, glob), _)| {
                if *exclude {
                    format!("-{glob}")
                } else {
                    glob.clone()
                }
            })
    }

    /// The thread selectors that matched no record's thread so far.
    pub fn unmatched_threads(&self) -> impl Iterator<Item = String> + '_ {
        self.threads
            .iter()
            .zip(&self.thread_matched)
            .filter(|(_, &matched)| !matched)
            .map(|(selector, _)| match selector {
                ThreadSelector::Tid(tid) => tid.to_string(),
                ThreadSelector::Name(glob) => glob.clone(),
            })
    }

    /// Whether any record so far came from a known thread (traces written by
    /// QEMU have no `trace_thread` records).
    pub fn saw_threads(&self) -> bool {
        self.saw_thread
    }

    fn accepts_thread(&mut self, thread: Option<&Thread>) -> bool {
        if self.threads.is_empty() {
            return true;
        }
        let Some(thread) = thread else {
            return false;
        };
        self.saw_thread = true;
        let mut kept = false;
        for (selector, matched) in self.threads.iter().zip(&mut self.thread_matched) {
            if selector.matches(thread) {
                kept = true;
                *matched = true;
            }
        }
        kept
    }

    fn accepts_name(&mut self, record: &Record<'_>) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        let index = record.index.get();
        if self.by_event.len() <= index {
            self.by_event.resize(index + 1, None);
        }
        if let Some(kept) = self.by_event[index] {
            return kept;
        }
        // First record of this event: decide once, noting the patterns hit.
        let name = record.event.name.as_bytes();
        let (mut included, mut excluded) = (false, false);
        for ((exclude, glob), matched) in self.patterns.iter().zip(&mut self.pattern_matched) {
            if glob_match(glob.as_bytes(), name) {
                *matched = true;
                if *exclude {
                    excluded = true;
                } else {
                    included = true;
                }
            }
        }
        let has_includes = self.patterns.iter().any(|(exclude, _)| !exclude);
        let kept = (!has_includes || included) && !excluded;
        self.by_event[index] = Some(kept);
        kept
    }
}
