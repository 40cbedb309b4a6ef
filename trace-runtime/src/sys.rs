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

/// The calling thread's name as the kernel knows it (at most 15 bytes, NUL
/// padded), read with one `prctl`: async-signal-safe, unlike anything that
/// allocates.
pub(crate) fn thread_name_bytes() -> [u8; 16] {
    let mut buf = [0u8; 16];
    // SAFETY: PR_GET_NAME writes at most 16 bytes (NUL included) to `buf`.
    unsafe { libc::prctl(libc::PR_GET_NAME, buf.as_mut_ptr()) };
    buf
}

/// Whether thread `tid` of process `pid` still exists (a null signal: an
/// async-signal-safe syscall, nothing is delivered).
pub(crate) fn thread_exists(pid: u32, tid: u64) -> bool {
    // SAFETY: signal 0 only checks that the thread exists.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_tgkill,
            pid as libc::c_long,
            tid as libc::c_long,
            0,
        )
    };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

pub(crate) use memory::{map_zeroed, unmap};

/// Memory that is zero but not touched and needs no allocator: the OS maps
/// each page on its first write, so a thread's first event faults one page
/// instead of zeroing (and faulting) a whole ring, and it can happen in a
/// signal handler.
#[cfg(not(miri))]
mod memory {
    use std::ptr::NonNull;

    /// `len` bytes, page aligned; `None` if the kernel refuses.
    pub(crate) fn map_zeroed(len: usize) -> Option<NonNull<u8>> {
        // SAFETY: a private anonymous mapping at an address of the kernel's
        // choosing touches no existing memory; failure is checked below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        NonNull::new(ptr.cast())
    }

    /// # Safety
    /// `ptr` and `len` are from one `map_zeroed` call, freed once, not used after.
    pub(crate) unsafe fn unmap(ptr: NonNull<u8>, len: usize) {
        // SAFETY: the caller passes a whole mapping made by `map_zeroed`.
        // munmap only fails for invalid arguments, which these are not.
        unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
    }
}

/// Miri has no `mmap`: the allocator's zeroed memory behaves the same.
#[cfg(miri)]
mod memory {
    use std::alloc::{alloc_zeroed, dealloc, Layout};
    use std::ptr::NonNull;

    const PAGE: usize = 4096;

    pub(crate) fn map_zeroed(len: usize) -> Option<NonNull<u8>> {
        let layout = Layout::from_size_align(len, PAGE).ok()?;
        if layout.size() == 0 {
            return None;
        }
        // SAFETY: the layout is not zero-sized.
        NonNull::new(unsafe { alloc_zeroed(layout) })
    }

    /// # Safety
    /// `ptr` and `len` are from one `map_zeroed` call, freed once, not used after.
    pub(crate) unsafe fn unmap(ptr: NonNull<u8>, len: usize) {
        if let Ok(layout) = Layout::from_size_align(len, PAGE) {
            // SAFETY: allocated by `map_zeroed` with this same layout.
            unsafe { dealloc(ptr.as_ptr(), layout) };
        }
    }
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
