//! Thin wrappers over the libc calls the runtime needs.

use std::ffi::CStr;

/// The kernel thread id of the calling thread.
pub(crate) fn gettid() -> u64 {
    // SAFETY: gettid has no preconditions and cannot fail.
    unsafe { libc::gettid() as u64 }
}

/// The name of the calling thread as the kernel knows it (set by
/// `std::thread::Builder::name` or `pthread_setname_np`), at most 15 bytes.
/// Unlike `std::thread::current()`, usable while the thread is exiting.
pub(crate) fn thread_name() -> Vec<u8> {
    let mut buf = [0 as libc::c_char; 16];
    // SAFETY: `buf` is writable for its full length, which we pass; the call
    // NUL-terminates on success.
    let rc = unsafe { libc::pthread_getname_np(libc::pthread_self(), buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return Vec::new();
    }
    // SAFETY: on success `buf` holds a NUL-terminated string within its length.
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes().to_vec()
}

/// The process id.
pub(crate) fn getpid() -> u32 {
    std::process::id()
}

/// Run `f` with every signal blocked in the calling thread; threads spawned by
/// `f` inherit the mask, so they never run the program's signal handlers.
pub(crate) fn with_signals_blocked<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: sigset_t is plain data; sigfillset initialises it fully.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above; `old` is written by pthread_sigmask before use.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live, writable sigset_t values. These calls
    // only fail for an invalid `how`, which SIG_BLOCK/SIG_SETMASK are not.
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut old);
    }
    let result = f();
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore)] // pthread_getname_np/sigmask are not emulated
    fn thread_identity_and_blocked_signals_in_spawned_thread() {
        let main_tid = gettid();
        let (tid, name, mask_has_int) = with_signals_blocked(|| {
            std::thread::Builder::new()
                .name("probe".into())
                .spawn(|| {
                    // SAFETY: reads the current mask into a zeroed sigset_t.
                    let mut cur: libc::sigset_t = unsafe { std::mem::zeroed() };
                    // SAFETY: valid pointers; a null `set` only queries the mask.
                    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut cur) };
                    // SAFETY: `cur` was filled above.
                    let has_int = unsafe { libc::sigismember(&cur, libc::SIGINT) } == 1;
                    (gettid(), thread_name(), has_int)
                })
                .unwrap()
                .join()
                .unwrap()
        });
        assert_ne!(tid, main_tid);
        assert_eq!(name, b"probe");
        assert!(mask_has_int, "spawned thread blocks SIGINT");
    }
}
