//! Start a binary built for the target the tests run on, as cargo starts the
//! test binaries themselves: through the target's runner when one is set
//! (`CARGO_TARGET_<TRIPLE>_RUNNER`, e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu`
//! on an x86_64 host without binfmt_misc, where the kernel cannot start an
//! aarch64 binary). Shared by the test crates of trace-runtime and simpletrace.
//! Not for Windows under Wine (`CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER`):
//! there the test binary is itself a Windows process, which starts Windows
//! binaries as Windows does; prefixing `wine` would ask Windows for a Unix
//! program.

use std::ffi::OsStr;
use std::io;
use std::process::{Child, Command, Output};

/// The runner variable cargo reads for the target these tests were built for
/// (the cross target `.ci/run` runs under user-mode emulation).
const RUNNER_VAR: Option<&str> = if cfg!(all(
    target_arch = "aarch64",
    target_os = "linux",
    target_env = "gnu"
)) {
    Some("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER")
} else {
    None
};

/// The runner's words, if one is set.
fn runner() -> Option<String> {
    RUNNER_VAR.and_then(|var| std::env::var(var).ok())
}

/// A command running `program` (a binary of this target), through the
/// runner if one is set: its words first, then `program`.
pub fn target_command(program: impl AsRef<OsStr>) -> Command {
    let runner = runner();
    let mut words = runner.iter().flat_map(|r| r.split_whitespace());
    match words.next() {
        Some(first) => {
            let mut cmd = Command::new(first);
            cmd.args(words).arg(program.as_ref());
            cmd
        }
        None => Command::new(program),
    }
}

/// Windows' ERROR_INTERNAL_ERROR: what Wine's CreateProcess returns when
/// the new process dies before it has finished starting (met once in CI,
/// on a loaded machine). None of the program's code ran, so starting it
/// again runs nothing twice.
const WINE_START_FAILED: i32 = 1359;

/// `cmd.output()`, with a start that Wine failed (see above) tried again.
#[allow(dead_code)] // not every test crate that includes this module uses it
pub fn output(cmd: &mut Command) -> io::Result<Output> {
    retry_failed_start(|| cmd.output())
}

/// `cmd.spawn()`, with a start that Wine failed (see above) tried again.
#[allow(dead_code)]
pub fn spawn(cmd: &mut Command) -> io::Result<Child> {
    retry_failed_start(|| cmd.spawn())
}

fn retry_failed_start<T>(mut start: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut tries = 1;
    loop {
        match start() {
            Err(e) if cfg!(windows) && e.raw_os_error() == Some(WINE_START_FAILED) && tries < 3 => {
                eprintln!("runner: the child failed to start ({e}); trying again");
                tries += 1;
            }
            result => return result,
        }
    }
}

/// The name the OS gives the main thread of `program` started with
/// [`target_command`]: on Linux the file name of what was executed (the
/// runner's, `qemu-aarch64`, under emulation), cut to 15 bytes like every
/// thread name; on Windows `main`, the description Rust's std gives it.
#[allow(dead_code)] // not every test crate that includes this module uses it
pub fn main_thread_name(program: &str) -> String {
    if cfg!(windows) {
        return "main".to_owned();
    }
    let executed = runner()
        .and_then(|r| r.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| program.to_owned());
    let name = std::path::Path::new(&executed)
        .file_name()
        .map_or(executed.clone(), |n| n.to_string_lossy().into_owned());
    name.chars().take(15).collect()
}
