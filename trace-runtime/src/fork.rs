//! `fork()` while tracing: the child gets no writer thread, so tracing is off in
//! the child. A handler run in the child disables every event (atomics only, so
//! it is safe there); the guard, `flush` and the control calls see that the pid
//! changed and do nothing, so nothing waits for a writer that does not exist.

use std::sync::Once;

extern "C" fn in_child() {
    crate::select::disable_all();
}

/// Register the child handler (once per process).
pub(crate) fn install_child_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        crate::sys::on_fork_in_child(in_child);
    });
}
