//! What tests ask of the OS, shared by test files that do not use all of
//! `common` (included with `#[path]`).
#![allow(dead_code)]

/// The calling thread's id as the OS shows it.
pub fn gettid() -> u64 {
    #[cfg(target_os = "linux")]
    // SAFETY: no preconditions.
    return unsafe { libc::gettid() as u64 };
    #[cfg(target_vendor = "apple")]
    {
        let mut tid = 0u64;
        // SAFETY: a null thread is the calling one; `tid` is writable.
        unsafe { libc::pthread_threadid_np(0 as libc::pthread_t, &mut tid) };
        tid
    }
    #[cfg(windows)]
    // SAFETY: no preconditions.
    return u64::from(unsafe { windows_sys::Win32::System::Threading::GetCurrentThreadId() });
}
