//! A panic still leaves a complete trace. In flight mode the hook writes a
//! snapshot to the trace file's path instead (`flight.rs`), bounded alike.
//! Unwinding drops the guard, which
//! writes everything; but a guard that was leaked (`mem::forget`, a `static`)
//! or a panic that aborts never gets there, so a panic hook installed at start
//! flushes first, then calls the hook that was installed before it.
//!
//! The flush is bounded ([`PANIC_WAIT_LIMIT`]) and skipped on the writer
//! thread itself: a writer stuck on its file, or a panic inside it, must not
//! turn a panic into a hang. A hook the program installs after start replaces
//! this one (as with any hook); install yours first to keep both.

use std::sync::Once;

use crate::control::{flush_within, PANIC_WAIT_LIMIT};
use crate::flight;

/// Install the hook (once per process).
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // take_hook/set_hook panic when called while panicking; start is not
        // called from a panic hook or a destructor during unwinding.
        if std::thread::panicking() {
            return;
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !flight::snapshot_on_panic() {
                flush_within(Some(PANIC_WAIT_LIMIT));
            }
            previous(info);
        }));
    });
}
