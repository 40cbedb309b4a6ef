//! How a trace is started: file, buffer size, which events record.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::runtime::{self, TraceGuard};
use crate::select::{Matcher, SelectError};

/// Smallest per-thread buffer: holds the largest possible record (10 strings of
/// 512 bytes) with room to spare.
pub const MIN_BUFFER_SIZE: usize = 16 * 1024;
/// Largest per-thread buffer.
pub const MAX_BUFFER_SIZE: usize = 1 << 30;
/// Default per-thread buffer size.
pub const DEFAULT_BUFFER_SIZE: usize = 256 * 1024;
/// Default time between the writer's periodic wake-ups.
pub const DEFAULT_WRITER_PERIOD: Duration = Duration::from_millis(10);

/// Why the runtime did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the trace runtime was already started in this process")]
    AlreadyStarted,
    #[error("buffer size {requested} is outside {MIN_BUFFER_SIZE}..={MAX_BUFFER_SIZE}")]
    BufferSize { requested: usize },
    #[error("writer period must be between 1 ms and 10 s")]
    WriterPeriod,
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error("cannot create trace file {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the writer thread: {0}")]
    Spawn(std::io::Error),
}

/// Trace configuration, built step by step and consumed by [`Config::start`].
///
/// By default every available event is enabled; [`Config::enable`],
/// [`Config::disable`], [`Config::enable_all`] and [`Config::disable_all`] are
/// applied in call order on top of that.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) file: Option<PathBuf>,
    pub(crate) buffer_size: usize,
    pub(crate) writer_period: Duration,
    pub(crate) selections: Vec<(Matcher, bool)>,
    pub(crate) start_paused: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    pub fn new() -> Self {
        Config {
            file: None,
            buffer_size: DEFAULT_BUFFER_SIZE,
            writer_period: DEFAULT_WRITER_PERIOD,
            selections: Vec::new(),
            start_paused: false,
        }
    }

    /// The trace file (default: `trace-<pid>` in the current directory).
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Bytes of buffer per traced thread, rounded up to a power of two.
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = bytes;
        self
    }

    /// Longest time recorded events wait before the writer wakes up on its own
    /// (it is also woken when a buffer is half full, and by flushes).
    pub fn writer_period(mut self, period: Duration) -> Self {
        self.writer_period = period;
        self
    }

    /// Enable the event with exactly this name.
    pub fn enable(mut self, name: impl Into<String>) -> Self {
        self.selections.push((Matcher::Exact(name.into()), true));
        self
    }

    /// Disable the event with exactly this name.
    pub fn disable(mut self, name: impl Into<String>) -> Self {
        self.selections.push((Matcher::Exact(name.into()), false));
        self
    }

    /// Enable every available event.
    pub fn enable_all(mut self) -> Self {
        self.selections.push((Matcher::All, true));
        self
    }

    /// Disable every event.
    pub fn disable_all(mut self) -> Self {
        self.selections.push((Matcher::All, false));
        self
    }

    /// Start with the writer paused (tests use it to fill buffers deterministically).
    #[doc(hidden)]
    pub fn __start_paused(mut self) -> Self {
        self.start_paused = true;
        self
    }

    /// Start tracing. Keep the guard alive: dropping it flushes and closes the trace.
    pub fn start(self) -> Result<TraceGuard, StartError> {
        if !(MIN_BUFFER_SIZE..=MAX_BUFFER_SIZE).contains(&self.buffer_size) {
            return Err(StartError::BufferSize {
                requested: self.buffer_size,
            });
        }
        if !(Duration::from_millis(1)..=Duration::from_secs(10)).contains(&self.writer_period) {
            return Err(StartError::WriterPeriod);
        }
        runtime::start(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_settings_are_rejected_before_starting() {
        let small = Config::new().buffer_size(MIN_BUFFER_SIZE - 1).start();
        assert!(
            matches!(small, Err(StartError::BufferSize { requested }) if requested == MIN_BUFFER_SIZE - 1)
        );
        let big = Config::new().buffer_size(MAX_BUFFER_SIZE + 1).start();
        assert!(matches!(big, Err(StartError::BufferSize { .. })));
        let period = Config::new().writer_period(Duration::ZERO).start();
        assert!(matches!(period, Err(StartError::WriterPeriod)));
    }

    #[test]
    fn selections_keep_call_order() {
        let c = Config::new().disable_all().enable("a").disable("b");
        assert_eq!(
            c.selections,
            [
                (Matcher::All, false),
                (Matcher::Exact("a".into()), true),
                (Matcher::Exact("b".into()), false)
            ]
        );
    }
}
