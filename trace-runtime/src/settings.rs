//! The values of the settings that both `Config` and the options string take:
//! a leaf, so the options parser and the configuration need not import each
//! other.

/// Which backends record enabled events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// QEMU's binary format into the trace file, by the writer thread.
    #[default]
    Simple,
    /// One formatted line per event, written by the recording thread, as
    /// QEMU's log backend does.
    Log,
    /// Both of the above.
    Both,
}

impl Backend {
    pub(crate) fn simple(self) -> bool {
        matches!(self, Backend::Simple | Backend::Both)
    }
    pub(crate) fn log(self) -> bool {
        matches!(self, Backend::Log | Backend::Both)
    }
}

/// What the buffers do with the records they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The writer thread streams every record to the trace file; a full
    /// buffer drops the new record.
    #[default]
    Stream,
    /// Flight recorder: each thread's buffer keeps its newest records,
    /// overwriting the oldest, and nothing is written until a snapshot
    /// ([`crate::snapshot`], a panic, or the snapshot signal).
    Flight,
}

/// A signal that takes a flight-mode snapshot (into the trace file's path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotSignal {
    /// `SIGUSR1`
    Usr1,
    /// `SIGUSR2`
    Usr2,
}
