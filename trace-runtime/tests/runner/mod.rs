//! Start a binary built for the target the tests run on, as cargo starts the
//! test binaries themselves: through the target's runner when one is set
//! (`CARGO_TARGET_<TRIPLE>_RUNNER`, e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu`
//! on an x86_64 host without binfmt_misc, where the kernel cannot start an
//! aarch64 binary). Shared by the test crates of trace-runtime and simpletrace.

use std::ffi::OsStr;
use std::process::Command;

/// The runner variable cargo reads for the target these tests were built for
/// (the cross targets `.ci/run` runs under emulation).
const RUNNER_VAR: Option<&str> = if cfg!(all(
    target_arch = "aarch64",
    target_os = "linux",
    target_env = "gnu"
)) {
    Some("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER")
} else if cfg!(all(target_arch = "x86_64", windows, target_env = "gnu")) {
    Some("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER")
} else {
    None
};

/// A command running `program` (a binary of this target), through the
/// runner if one is set: its words first, then `program`.
pub fn target_command(program: impl AsRef<OsStr>) -> Command {
    let runner = RUNNER_VAR.and_then(|var| std::env::var(var).ok());
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
