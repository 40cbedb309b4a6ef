//! Starting every implementation once per bench process, each writing to its
//! own file in a temporary directory, and keeping those files from filling the disk.

use std::fs::OpenOptions;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;
use tracing_appender::non_blocking::WorkerGuard;

use crate::qemu_port::{self, Backend};
use crate::tracing_baseline;

/// The port's one backend, a global as in the seed.
pub static QEMU: Backend = Backend::new();

/// Files holding more than this are emptied between samples.
const TRIM_ABOVE: u64 = 256 << 20;

/// Why a bench could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot create the temporary directory: {0}")]
    TempDir(std::io::Error),
    #[error(transparent)]
    Ours(#[from] trace_runtime::StartError),
    #[error(transparent)]
    Qemu(#[from] qemu_port::StartError),
    #[error(transparent)]
    Tracing(#[from] tracing_baseline::InstallError),
}

/// Everything running; dropping it stops our runtime and the tracing writer.
pub struct Setup {
    pub ours: trace_runtime::TraceGuard,
    _tracing: WorkerGuard,
    pub ours_path: PathBuf,
    pub qemu_path: PathBuf,
    pub tracing_path: PathBuf,
    // Last: removed after the guards have closed their files.
    _dir: TempDir,
}

impl Setup {
    /// Start our runtime with `config` (its file is set here), the port and the
    /// tracing subscriber. `bench_disabled` is off everywhere, all else on.
    pub fn start(config: trace_runtime::Config) -> Result<Setup, SetupError> {
        Self::start_to(config, None)
    }

    /// [`Setup::start`], our trace going to `ours` if given (e.g.
    /// `/dev/null`, to measure the tracer without the storage).
    pub fn start_to(
        config: trace_runtime::Config,
        ours: Option<PathBuf>,
    ) -> Result<Setup, SetupError> {
        let dir = tempfile::Builder::new()
            .prefix("trace-bench")
            .tempdir()
            .map_err(SetupError::TempDir)?;
        let ours_path = ours.unwrap_or_else(|| dir.path().join("ours.trace"));
        let qemu_path = dir.path().join("qemu.trace");
        let tracing_path = dir.path().join("tracing.log");

        let ours = config.file(&ours_path).disable("bench_disabled").start()?;

        QEMU.init()?;
        QEMU.set_trace_file(&qemu_path)?;
        let e = &qemu_port::EVENTS;
        for event in [
            &e.bench_no_arg,
            &e.bench_two_u64,
            &e.bench_one_str,
            &e.bench_six_args,
            &e.bench_four_u64,
        ] {
            event.set_state(true);
        }

        let tracing = tracing_baseline::install(&tracing_path)?;
        Ok(Setup {
            ours,
            _tracing: tracing,
            ours_path,
            qemu_path,
            tracing_path,
            _dir: dir,
        })
    }

    /// Empty the trace files that hold more than 256 MiB. Their writers keep
    /// their offsets, so the files become sparse: only new data takes space.
    pub fn trim(&self) {
        for path in [&self.ours_path, &self.qemu_path, &self.tracing_path] {
            trim_file(path);
        }
    }

    /// Everything written out before a round: our writer flushed, the
    /// tracing writer caught up, large files emptied.
    pub fn drain_all(&self) {
        trace_runtime::flush();
        self.drain_tracing();
        self.trim();
    }

    /// Wait until the tracing writer has caught up (its log stops growing).
    pub fn drain_tracing(&self) {
        let mut last = file_len(&self.tracing_path);
        loop {
            std::thread::sleep(Duration::from_millis(3));
            let now = file_len(&self.tracing_path);
            if now == last {
                return;
            }
            last = now;
        }
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Best effort: a file that cannot be trimmed just keeps growing.
fn trim_file(path: &Path) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.blocks() * 512 > TRIM_ABOVE {
        if let Ok(file) = OpenOptions::new().write(true).open(path) {
            let _ = file.set_len(0);
        }
    }
}
