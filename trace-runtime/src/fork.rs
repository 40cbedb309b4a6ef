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
        // SAFETY: `in_child` is a valid `extern "C" fn()` that lives for the whole
        // program and only stores to atomics. Failure (ENOMEM) leaves the child
        // with events enabled but nothing ever drains them: no deadlock either way.
        unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}
