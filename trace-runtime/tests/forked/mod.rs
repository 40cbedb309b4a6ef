//! Waiting for a forked child, shared by the fork tests.

use std::time::{Duration, Instant};

/// Wait for `pid` to exit, at most 20 s; returns its exit status. A child still
/// running then is killed and the test fails: it hung (deadlock).
pub fn wait_child(pid: libc::pid_t) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out pointer; WNOHANG never blocks.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid {
            assert!(libc::WIFEXITED(status), "child killed: {status}");
            return libc::WEXITSTATUS(status);
        }
        if Instant::now() > deadline {
            // SAFETY: signals our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("forked child hung (deadlock)");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
