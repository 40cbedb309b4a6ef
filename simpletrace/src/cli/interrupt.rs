//! Ctrl-C while following a trace: the handler only sets a flag, which the
//! follow loop checks before each record, so the output ends with whole
//! lines, flushed, and the exit code is 0.

use std::sync::atomic::AtomicBool;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_interrupt(_signal: libc::c_int) {
    // Async-signal-safe: one atomic store.
    INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Catch SIGINT from now on (unless it is ignored, as in a background job
/// started by a non-interactive shell) and return the flag it sets.
/// Elsewhere than Unix, Ctrl-C keeps its default effect.
pub fn flag() -> &'static AtomicBool {
    #[cfg(unix)]
    // SAFETY: `sigaction` is given valid, initialized structures; the
    // handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // Writes to a slow pipe resume after the handler.
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGINT, &action, &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
        {
            libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
        }
    }
    &INTERRUPTED
}
