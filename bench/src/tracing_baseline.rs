//! What a Rust user picks today: the `tracing` crate, `tracing-subscriber`'s fmt
//! layer (default format) and `tracing-appender`'s non-blocking writer to a file.
//! The subscriber passes INFO and above, so `trace!` events are disabled.

use std::fs::File;
use std::path::Path;

use tracing::Level;
use tracing_appender::non_blocking::WorkerGuard;

/// Why the subscriber could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot create the log file: {0}")]
    Open(std::io::Error),
    #[error(transparent)]
    AlreadySet(#[from] tracing::subscriber::SetGlobalDefaultError),
}

/// Install the global subscriber writing to `path`. Keep the guard: dropping
/// it writes out what is buffered.
pub fn install(path: &Path) -> Result<WorkerGuard, InstallError> {
    let file = File::create(path).map_err(InstallError::Open)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber)?;
    Ok(guard)
}

/// Lines the non-blocking writer holds before it drops (its default).
pub const BUFFERED_LINES: usize = tracing_appender::non_blocking::DEFAULT_BUFFERED_LINES_LIMIT;

#[inline(always)]
pub fn disabled(a: u64, b: u64) {
    tracing::trace!(a, b, "bench_disabled");
}

#[inline(always)]
pub fn no_arg() {
    tracing::info!("bench_no_arg");
}

#[inline(always)]
pub fn two_u64(a: u64, b: u64) {
    tracing::info!(a, b, "bench_two_u64");
}

#[inline(always)]
pub fn one_str(s: &str) {
    tracing::info!(s, "bench_one_str");
}

#[inline(always)]
pub fn six_args(a: u64, b: u64, c: u32, d: i32, e: bool, p: *const u8) {
    tracing::info!(a, b, c, d, e, p = p as usize, "bench_six_args");
}

/// A two-u64 function under `#[tracing::instrument]`: a span a call.
#[inline(never)]
#[tracing::instrument(level = "info")]
pub fn instrumented(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}
