//! How a trace is started: file, buffer size, which events record.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::event::EVENTS;
use crate::options::{self, OptionItem, OptionsError, OPTIONS_ENV};
use crate::select::{Matcher, SelectError};
use crate::settings::{Backend, Mode, SnapshotSignal};
use crate::unique;

/// Smallest per-thread buffer: holds the largest possible record (10 strings of
/// 512 bytes) with room to spare.
pub const MIN_BUFFER_SIZE: usize = 16 * 1024;
/// Largest per-thread buffer.
pub const MAX_BUFFER_SIZE: usize = 1 << 30;
/// Default per-thread buffer size: 4 MiB, mapped lazily (a thread's ring
/// becomes resident as far as it has been written). On a 2-vCPU VM it lost
/// nothing up to 5 M events/s per thread where 256 KiB lost 0.04% to 0.5%
/// (bench/README, issue 14).
pub const DEFAULT_BUFFER_SIZE: usize = 4 << 20;
/// Default time between the writer's periodic wake-ups.
pub const DEFAULT_WRITER_PERIOD: Duration = Duration::from_millis(10);

/// Why the runtime did not start.
/// `Debug` prints the message, as `Display` does.
#[derive(thiserror::Error)]
pub enum StartError {
    /// [`Config::start`] was called before in this process: a process has one
    /// trace, not started again once stopped.
    #[error("the trace runtime was already started in this process")]
    AlreadyStarted,
    /// [`Config::buffer_size`] is outside
    /// [`MIN_BUFFER_SIZE`]..=[`MAX_BUFFER_SIZE`].
    #[error("buffer size {requested} is outside {MIN_BUFFER_SIZE}..={MAX_BUFFER_SIZE}")]
    BufferSize {
        /// The size asked for, in bytes.
        requested: usize,
    },
    /// [`Config::writer_period`] is outside 1 ms..=10 s.
    #[error("writer period must be between 1 ms and 10 s")]
    WriterPeriod,
    /// A selection ([`Config::enable`] and the like, or the options string)
    /// names no event, or asks to enable a `disable` one.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// The options string ([`Config::options`] or `SIMPLETRACE`) is invalid.
    #[error(transparent)]
    Options(#[from] OptionsError),
    /// The log backend's file could not be created.
    #[error("cannot create log file {}: {source}", path.display())]
    LogFile {
        /// The file asked for.
        path: PathBuf,
        /// Why the OS refused.
        source: std::io::Error,
    },
    /// The trace file could not be created.
    #[error("cannot create trace file {}: {source}", path.display())]
    Open {
        /// The file asked for (or QEMU's default, `trace-<pid>`).
        path: PathBuf,
        /// Why the OS refused.
        source: std::io::Error,
    },
    /// The OS would not start the writer thread.
    #[error("cannot start the writer thread: {0}")]
    Spawn(std::io::Error),
    /// Two events of the program have one name (`file:line` of two of them).
    #[error(
        "event `{name}` is declared more than once: at {first} and at {second}; \
         event names must be unique in a program: rename one \
         (`#[traced(name = \"...\")]`, or in its trace-events file)"
    )]
    DuplicateEvent {
        /// The duplicated name.
        name: String,
        /// `file:line` of one declaration.
        first: String,
        /// `file:line` of another.
        second: String,
    },
}

/// Trace configuration, built step by step and consumed by [`Config::start`].
///
/// By default every available event is enabled; [`Config::enable`],
/// [`Config::disable`], [`Config::enable_all`], [`Config::disable_all`] and
/// [`Config::options`] are applied in call order on top of that. At start the
/// options string in the environment variable `SIMPLETRACE` (if set) is applied
/// last, unless [`Config::ignore_env`] was called.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) file: Option<PathBuf>,
    pub(crate) buffer_size: usize,
    pub(crate) writer_period: Duration,
    pub(crate) selections: Vec<(Matcher, bool)>,
    pub(crate) start_paused: bool,
    pub(crate) backend: Backend,
    /// `None`: stderr.
    pub(crate) log_file: Option<PathBuf>,
    pub(crate) log_timestamps: bool,
    pub(crate) help: bool,
    read_env: bool,
    allow_duplicates: bool,
    pub(crate) quiet: bool,
    pub(crate) mode: Mode,
    pub(crate) snapshot_on_panic: bool,
    pub(crate) snapshot_signal: Option<SnapshotSignal>,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    /// The defaults: every available event enabled, the simple backend into
    /// `trace-<pid>`, [`DEFAULT_BUFFER_SIZE`] per thread, `SIMPLETRACE` read at
    /// start.
    pub fn new() -> Self {
        Config {
            file: None,
            buffer_size: DEFAULT_BUFFER_SIZE,
            writer_period: DEFAULT_WRITER_PERIOD,
            selections: Vec::new(),
            start_paused: false,
            backend: Backend::Simple,
            log_file: None,
            log_timestamps: false,
            help: false,
            read_env: true,
            allow_duplicates: false,
            quiet: false,
            mode: Mode::Stream,
            snapshot_on_panic: true,
            snapshot_signal: None,
        }
    }

    /// The trace file (options string: `file=PATH`). The default is QEMU's,
    /// `trace-<pid>` in the current directory; name it, since `rm trace-*`
    /// there also deletes a `trace-events` file.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Bytes of buffer per traced thread, rounded up to a power of two
    /// (options string: `buffer_size=64M`).
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

    /// Enable the events matching a name or a glob (`*`, `?`). A name without
    /// `*` must match an event, and an unavailable one cannot be enabled:
    /// [`Config::start`] fails otherwise.
    pub fn enable(mut self, pattern: impl AsRef<str>) -> Self {
        self.selections
            .push((Matcher::parse(pattern.as_ref()), true));
        self
    }

    /// Disable the events matching a name or a glob (same rules as [`Config::enable`]).
    pub fn disable(mut self, pattern: impl AsRef<str>) -> Self {
        self.selections
            .push((Matcher::parse(pattern.as_ref()), false));
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

    /// Which backends record (default [`Backend::Simple`]).
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Where the log backend writes (default: stderr). The file is truncated.
    pub fn log_file(mut self, path: impl AsRef<Path>) -> Self {
        self.log_file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Start each log line with `<tid>@<seconds>.<microseconds>:` (wall clock),
    /// as QEMU's log backend does with `-msg timestamp=on`.
    pub fn log_timestamps(mut self, on: bool) -> Self {
        self.log_timestamps = on;
        self
    }

    /// Start even if two events of the program share a name (by default
    /// [`StartError::DuplicateEvent`]). Selections by that name then apply to
    /// all of them. For programs that link trace-events files declaring the
    /// same names on purpose (QEMU's `bsd-user` and `linux-user` share eight).
    pub fn allow_duplicate_names(mut self) -> Self {
        self.allow_duplicates = true;
        self
    }

    /// Say nothing when the trace ends (options string: `quiet=on`). By
    /// default, a trace that lost events (full buffers, failed writes) prints
    /// one line on stderr when it stops: how many, and what would help.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Stream records to the trace file (the default) or keep the newest in
    /// memory until a snapshot (options string: `mode=stream|flight`). In
    /// flight mode the trace file's path is where panic and signal
    /// snapshots go; it is not created before one.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Flight mode: write a snapshot to the trace file's path when a thread
    /// panics (default on; options string: `snapshot_on_panic=on|off`).
    pub fn snapshot_on_panic(mut self, on: bool) -> Self {
        self.snapshot_on_panic = on;
        self
    }

    /// Flight mode: write a snapshot to the trace file's path when the process
    /// gets this signal (default none; options string:
    /// `snapshot_signal=SIGUSR1|SIGUSR2|off`). The handler only wakes the
    /// writer thread, which takes the snapshot; it replaces the signal's
    /// handler for the whole process. No effect on Windows.
    pub fn snapshot_signal(mut self, signal: Option<SnapshotSignal>) -> Self {
        self.snapshot_signal = signal;
        self
    }

    /// Do not read the `SIMPLETRACE` environment variable at start.
    pub fn ignore_env(mut self) -> Self {
        self.read_env = false;
        self
    }

    /// Apply an options string, as QEMU's `-trace` reads it (see the crate
    /// documentation for the grammar): `[enable=]PATTERN`, `-PATTERN`,
    /// `events=FILE`, `file=FILE`, `help`, `backend=simple|log|both`,
    /// `logfile=FILE`, `timestamp=on|off`, `buffer_size=SIZE` (`64K`, `64M`,
    /// `1G`), `quiet=on|off`, `mode=stream|flight`, `snapshot_on_panic=on|off`,
    /// `snapshot_signal=SIGUSR1|SIGUSR2|off`, comma separated. A string that
    /// selects events starts, as QEMU does, from no program event enabled
    /// (the runtime's `trace_thread` stays on unless named). `events=FILE` is
    /// read now; unknown event names are reported by [`Config::start`].
    pub fn options(mut self, options: &str) -> Result<Self, OptionsError> {
        let mut items = Vec::new();
        for item in options::parse_options(options)? {
            match item {
                OptionItem::EventsFile(path) => items.extend(options::read_events_file(&path)?),
                item => items.push(item),
            }
        }
        let mut baseline = true;
        for item in items {
            match item {
                OptionItem::Select { pattern, enable } => {
                    if std::mem::take(&mut baseline) {
                        self.selections.push((Matcher::Program, false));
                    }
                    self.selections.push((Matcher::parse(&pattern), enable));
                }
                OptionItem::File(path) => self.file = Some(path),
                OptionItem::Help => self.help = true,
                OptionItem::Backend(b) => self.backend = b,
                OptionItem::LogFile(path) => self.log_file = Some(path),
                OptionItem::Timestamp(on) => self.log_timestamps = on,
                OptionItem::BufferSize(bytes) => self.buffer_size = bytes,
                OptionItem::Quiet(quiet) => self.quiet = quiet,
                OptionItem::Mode(mode) => self.mode = mode,
                OptionItem::SnapshotOnPanic(on) => self.snapshot_on_panic = on,
                OptionItem::SnapshotSignal(signal) => self.snapshot_signal = signal,
                OptionItem::EventsFile(_) => {} // expanded above
            }
        }
        Ok(self)
    }

    /// Apply the options string in `SIMPLETRACE`, if set.
    fn apply_env(self) -> Result<Self, OptionsError> {
        match std::env::var(OPTIONS_ENV) {
            Ok(value) => self
                .options(&value)
                .map_err(|e| OptionsError::Env(Box::new(e))),
            Err(std::env::VarError::NotPresent) => Ok(self),
            Err(std::env::VarError::NotUnicode(_)) => Err(OptionsError::EnvNotUnicode),
        }
    }

    /// Start with the writer paused (tests use it to fill buffers deterministically).
    #[doc(hidden)]
    pub fn __start_paused(mut self) -> Self {
        self.start_paused = true;
        self
    }

    /// The configuration [`Config::start`] starts: `SIMPLETRACE` applied
    /// (unless ignored), the settings in range, the event names unique.
    pub(crate) fn checked(self) -> Result<Config, StartError> {
        let config = if self.read_env {
            self.apply_env()?
        } else {
            self
        };
        if !(MIN_BUFFER_SIZE..=MAX_BUFFER_SIZE).contains(&config.buffer_size) {
            return Err(StartError::BufferSize {
                requested: config.buffer_size,
            });
        }
        if !(Duration::from_millis(1)..=Duration::from_secs(10)).contains(&config.writer_period) {
            return Err(StartError::WriterPeriod);
        }
        if let Some(d) = unique::find_duplicate(&EVENTS).filter(|_| !config.allow_duplicates) {
            return Err(StartError::DuplicateEvent {
                name: d.name.to_owned(),
                first: d.first,
                second: d.second,
            });
        }
        Ok(config)
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
    fn the_options_string_sets_buffer_size_and_quiet() {
        let c = Config::new().options("buffer_size=64M,quiet=on").unwrap();
        assert_eq!((c.buffer_size, c.quiet), (64 << 20, true));
        let c = Config::new().quiet(true).options("quiet=off").unwrap();
        assert!(!c.quiet);
        let big = Config::new()
            .ignore_env()
            .options("buffer_size=2G")
            .unwrap();
        assert!(
            matches!(big.start(), Err(StartError::BufferSize { requested }) if requested == 2 << 30)
        );
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
