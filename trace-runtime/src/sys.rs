//! Everything the runtime asks of the operating system, one function per
//! need, each with its per-platform bodies side by side: Linux, macOS (and
//! the other Apple systems) and Windows. Nothing else in the runtime names a
//! platform; the clock's counter lives in `clock.rs` for the same reason.
//!
//! Where a platform lacks a feature the function is a documented no-op:
//! Windows has no `fork` (nothing to handle) and no POSIX signals (nothing to
//! block in the writer thread).

#[cfg(not(any(target_os = "linux", target_vendor = "apple", windows)))]
compile_error!("trace-runtime supports Linux, macOS and Windows (see README: Platforms)");

use crate::settings::SnapshotSignal;

/// The calling thread's id as the OS shows it (debuggers, `top -H`, Process
/// Explorer): Linux `gettid`, macOS `pthread_threadid_np` (64 bits, never
/// reused), Windows `GetCurrentThreadId`.
pub(crate) fn gettid() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions and cannot fail.
        unsafe { libc::gettid() as u64 }
    }
    #[cfg(target_vendor = "apple")]
    {
        let mut tid = 0u64;
        // SAFETY: a null thread means the calling one; `tid` is writable.
        // It only fails for an invalid thread, which the caller is not.
        unsafe { libc::pthread_threadid_np(0 as libc::pthread_t, &mut tid) };
        tid
    }
    #[cfg(windows)]
    {
        // SAFETY: no preconditions, cannot fail.
        u64::from(unsafe { windows_sys::Win32::System::Threading::GetCurrentThreadId() })
    }
}

/// The name of the calling thread as the OS knows it (set by
/// `std::thread::Builder::name`), at most 15 bytes. Unlike
/// `std::thread::current()`, usable while the thread is exiting.
pub(crate) fn thread_name() -> Vec<u8> {
    let buf = thread_name_bytes();
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf[..len].to_vec()
}

/// The calling thread's name (at most 15 bytes, NUL padded). On Unix
/// async-signal-safe (no allocation): a thread's first event may come from a
/// signal handler.
pub(crate) fn thread_name_bytes() -> [u8; 16] {
    let mut buf = [0u8; 16];
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        // SAFETY: PR_GET_NAME writes at most 16 bytes (NUL included) to `buf`.
        unsafe { libc::prctl(libc::PR_GET_NAME, buf.as_mut_ptr()) };
    }
    // Miri has no `prctl`; glibc's `pthread_getname_np` reads the same name.
    #[cfg(all(target_os = "linux", miri))]
    {
        // SAFETY: `buf` is writable for the 16 bytes passed.
        unsafe { libc::pthread_getname_np(libc::pthread_self(), buf.as_mut_ptr().cast(), 16) };
    }
    #[cfg(target_vendor = "apple")]
    {
        // macOS keeps up to 63 bytes: read all, keep the first 15.
        let mut full = [0 as libc::c_char; 64];
        // SAFETY: `full` is writable for its full length, which we pass; for
        // the calling thread this copies from its own pthread structure.
        let rc = unsafe {
            libc::pthread_getname_np(libc::pthread_self(), full.as_mut_ptr(), full.len())
        };
        if rc == 0 {
            let name = full.iter().take(15).take_while(|&&c| c != 0);
            for (out, &c) in buf.iter_mut().zip(name) {
                *out = c as u8;
            }
        }
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::LocalFree;
        use windows_sys::Win32::System::Threading::{GetCurrentThread, GetThreadDescription};
        let mut wide: *mut u16 = std::ptr::null_mut();
        // SAFETY: the pseudo handle of the calling thread is always valid;
        // on success `wide` is a NUL-terminated string we must LocalFree.
        let hr = unsafe { GetThreadDescription(GetCurrentThread(), &mut wide) };
        if hr >= 0 && !wide.is_null() {
            // SAFETY: a NUL-terminated UTF-16 string from the call above.
            let len = (0..).take_while(|&i| unsafe { *wide.add(i) } != 0).count();
            // SAFETY: `len` units before the NUL are readable.
            let units = unsafe { std::slice::from_raw_parts(wide, len) };
            let name = String::from_utf16_lossy(units);
            for (out, &b) in buf.iter_mut().zip(name.as_bytes().iter().take(15)) {
                *out = b;
            }
        }
        if !wide.is_null() {
            // SAFETY: allocated by GetThreadDescription, freed once.
            unsafe { LocalFree(wide.cast()) };
        }
    }
    buf
}

/// Whether thread `tid` of process `pid` still exists. Called by the writer
/// only. A thread that has exited never comes back under the same id in our
/// process while its buffer is open (see `local.rs` for reuse).
pub(crate) fn thread_exists(pid: u32, tid: u64) -> bool {
    #[cfg(target_os = "linux")]
    {
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
    #[cfg(target_vendor = "apple")]
    {
        /// <sys/proc_info.h>: thread info by 64-bit thread id; ESRCH when
        /// the process has no such thread.
        const PROC_PIDTHREADID64INFO: libc::c_int = 15;
        // SAFETY: plain data, written by the call.
        let mut info: libc::proc_threadinfo = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of_val(&info) as libc::c_int;
        // SAFETY: `info` is writable for `size` bytes.
        let n = unsafe {
            libc::proc_pidinfo(
                pid as libc::c_int,
                PROC_PIDTHREADID64INFO,
                tid,
                (&mut info as *mut libc::proc_threadinfo).cast(),
                size,
            )
        };
        n > 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::{CloseHandle, WAIT_TIMEOUT};
        use windows_sys::Win32::System::Threading::{
            GetProcessIdOfThread, OpenThread, WaitForSingleObject, THREAD_QUERY_LIMITED_INFORMATION,
        };
        /// The standard right to wait on an object (winnt.h).
        const SYNCHRONIZE: u32 = 0x0010_0000;
        let Ok(tid) = u32::try_from(tid) else {
            return false;
        };
        // SAFETY: opening by id has no preconditions; null means no such
        // thread (or one of another process we may not open: not ours).
        let handle = unsafe { OpenThread(THREAD_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, 0, tid) };
        if handle.is_null() {
            return false;
        }
        // SAFETY: `handle` is a valid thread handle, closed once below. An id
        // is reused system-wide, so it must still be a thread of ours, and a
        // thread object outlives its thread while handles remain: signalled
        // means exited.
        unsafe {
            let alive = GetProcessIdOfThread(handle) == pid
                && WaitForSingleObject(handle, 0) == WAIT_TIMEOUT;
            CloseHandle(handle);
            alive
        }
    }
}

/// The process id.
pub(crate) fn getpid() -> u32 {
    std::process::id()
}

/// Run `f` with every signal blocked in the calling thread; threads spawned by
/// `f` inherit the mask, so they never run the program's signal handlers.
/// Windows has no POSIX signals: `f` just runs.
pub(crate) fn with_signals_blocked<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(unix)]
    {
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
    #[cfg(windows)]
    {
        f()
    }
}

/// Run `handler` in the child after every `fork()` (`pthread_atfork`; no
/// `fork` on Windows: nothing to do). Failure (no memory) leaves the child
/// with events enabled but nothing ever drains them: no deadlock either way.
pub(crate) fn on_fork_in_child(handler: extern "C" fn()) {
    #[cfg(unix)]
    {
        // SAFETY: `handler` is a valid `extern "C" fn()` that lives for the
        // whole program.
        unsafe { libc::pthread_atfork(None, None, Some(handler)) };
    }
    #[cfg(windows)]
    {
        let _ = handler;
    }
}

/// Run `handler` when the process exits: the C runtime's `atexit`, run by
/// `exit()` (so when `main` returns) while the other threads still run.
/// Windows' `ExitProcess` (Rust's `std::process::exit`) runs no `atexit`
/// handler: see [`on_marked_thread_end`]. Failure (no memory) leaves exit
/// as it was before.
pub(crate) fn on_exit(handler: extern "C" fn()) {
    // SAFETY: `handler` is a valid `extern "C" fn()` that lives for the whole
    // program.
    unsafe { libc::atexit(handler) };
}

/// Windows: whether the process is ending (`ExitProcess` under way: the
/// loader's shutdown flag, which its callbacks read). Elsewhere false.
pub(crate) fn process_exiting() -> bool {
    #[cfg(windows)]
    {
        #[link(name = "ntdll.dll", kind = "raw-dylib", modifiers = "+verbatim")]
        extern "system" {
            fn RtlDllShutdownInProgress() -> u8;
        }
        // SAFETY: no arguments; reads a flag of the loader.
        unsafe { RtlDllShutdownInProgress() != 0 }
    }
    #[cfg(not(windows))]
    false
}

/// Write `bytes` to the standard error without taking a lock: at
/// `ExitProcess` a lock an ended thread held (std's `stderr`, the C
/// runtime's) is never released. Errors are ignored.
pub(crate) fn write_stderr_unlocked(bytes: &[u8]) {
    #[cfg(windows)]
    {
        use windows_sys::Win32::Storage::FileSystem::WriteFile;
        use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE};
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let mut written = 0;
        // SAFETY: `bytes` is readable for `len` bytes; an invalid or null
        // handle makes the call fail, nothing more.
        unsafe {
            WriteFile(
                GetStdHandle(STD_ERROR_HANDLE),
                bytes.as_ptr(),
                len,
                &mut written,
                std::ptr::null_mut(),
            )
        };
    }
    #[cfg(not(windows))]
    // SAFETY: `bytes` is readable for its length; a bad descriptor makes
    // the call fail, nothing more.
    unsafe {
        libc::write(2, bytes.as_ptr().cast(), bytes.len())
    };
}

/// The fiber-local slot whose callback runs [`on_marked_thread_end`]'s
/// handler, and the handler.
#[cfg(windows)]
static THREAD_END: std::sync::OnceLock<(u32, extern "C" fn())> = std::sync::OnceLock::new();

/// Windows: run `handler` when a thread marked by [`mark_thread`] ends,
/// and in `ExitProcess`, which ends every other thread without a word,
/// then calls the exiting thread's fiber-local storage callbacks (Wine
/// alike). Elsewhere nothing (exit runs the `atexit` handlers). Once per
/// process; a later call is ignored.
pub(crate) fn on_marked_thread_end(handler: extern "C" fn()) {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Threading::{FlsAlloc, FLS_OUT_OF_INDEXES};
        unsafe extern "system" fn callback(_: *const std::ffi::c_void) {
            if let Some((_, handler)) = THREAD_END.get() {
                handler();
            }
        }
        if THREAD_END.get().is_some() {
            return;
        }
        // SAFETY: `callback` is a valid callback for the process's life.
        let index = unsafe { FlsAlloc(Some(callback)) };
        if index != FLS_OUT_OF_INDEXES {
            let _ = THREAD_END.set((index, handler));
        }
    }
    #[cfg(not(windows))]
    let _ = handler;
}

/// Windows: have the calling thread's end (or `ExitProcess` on it) run
/// [`on_marked_thread_end`]'s handler. Elsewhere nothing.
pub(crate) fn mark_thread() {
    #[cfg(windows)]
    if let Some(&(index, _)) = THREAD_END.get() {
        // SAFETY: `index` is a slot of ours; any non-null value has the
        // callback called.
        unsafe { windows_sys::Win32::System::Threading::FlsSetValue(index, 1 as *const _) };
    }
}

/// Run `handler` (async-signal-safe) when the process gets `signal`
/// (`sigaction` with `SA_RESTART`, so interrupted system calls resume).
/// Windows has no such signals: nothing is installed.
pub(crate) fn on_signal(signal: SnapshotSignal, handler: extern "C" fn(libc::c_int)) {
    #[cfg(unix)]
    {
        let signum = match signal {
            SnapshotSignal::Usr1 => libc::SIGUSR1,
            SnapshotSignal::Usr2 => libc::SIGUSR2,
        };
        // SAFETY: sigaction is plain data, fully initialised here (zero,
        // then the handler, flags and an empty mask); `handler` lives for the
        // whole program and is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signum, &action, std::ptr::null_mut());
        }
    }
    #[cfg(windows)]
    {
        let _ = (signal, handler);
    }
}

pub(crate) use memory::{map_zeroed, unmap};

/// Memory that is zero but not touched and needs no allocator: the OS maps
/// each page on its first write, so a thread's first event faults one page
/// instead of zeroing (and faulting) a whole ring, and it can happen in a
/// signal handler. `mmap` on Unix, `VirtualAlloc` on Windows (committed
/// pages are demand-zero there too).
#[cfg(not(miri))]
mod memory {
    use std::ptr::NonNull;

    /// `len` bytes, page aligned; `None` if the OS refuses.
    pub(crate) fn map_zeroed(len: usize) -> Option<NonNull<u8>> {
        #[cfg(unix)]
        {
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
        #[cfg(windows)]
        {
            use windows_sys::Win32::System::Memory::{
                VirtualAlloc, MEM_COMMIT, MEM_RESERVE, PAGE_READWRITE,
            };
            // SAFETY: a fresh region at an address of the OS's choosing touches
            // no existing memory; null (refused) is checked by NonNull::new.
            let ptr = unsafe {
                VirtualAlloc(
                    std::ptr::null(),
                    len,
                    MEM_COMMIT | MEM_RESERVE,
                    PAGE_READWRITE,
                )
            };
            NonNull::new(ptr.cast())
        }
    }

    /// # Safety
    /// `ptr` and `len` are from one `map_zeroed` call, freed once, not used after.
    pub(crate) unsafe fn unmap(ptr: NonNull<u8>, len: usize) {
        #[cfg(unix)]
        {
            // SAFETY: the caller passes a whole mapping made by `map_zeroed`.
            // munmap only fails for invalid arguments, which these are not.
            unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
        }
        #[cfg(windows)]
        {
            use windows_sys::Win32::System::Memory::{VirtualFree, MEM_RELEASE};
            let _ = len; // MEM_RELEASE frees the whole region by its base.
                         // SAFETY: the caller passes the base of a region made by `map_zeroed`.
            unsafe { VirtualFree(ptr.as_ptr().cast(), 0, MEM_RELEASE) };
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore)] // thread names and ids are not emulated
    fn a_spawned_thread_has_its_own_id_and_its_name_and_exists_while_it_runs() {
        let main_tid = gettid();
        let pid = getpid();
        let (tid, name, name_bytes, exists) = std::thread::Builder::new()
            .name("probe".into())
            .spawn(move || {
                let tid = gettid();
                (
                    tid,
                    thread_name(),
                    thread_name_bytes(),
                    thread_exists(pid, tid),
                )
            })
            .unwrap()
            .join()
            .unwrap();
        assert_ne!(tid, main_tid);
        assert_eq!(name, b"probe");
        assert_eq!(&name_bytes[..6], b"probe\0");
        assert!(exists, "a running thread exists");
        assert!(thread_exists(pid, main_tid));
        // No thread of ours has this id on any of the platforms.
        assert!(!thread_exists(pid, u64::from(u32::MAX) + 7));
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn a_long_thread_name_is_cut_to_15_bytes() {
        let name = std::thread::Builder::new()
            .name("a-thread-name-longer-than-15".into())
            .spawn(thread_name)
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(name, b"a-thread-name-l");
    }

    #[test]
    #[cfg(unix)]
    #[cfg_attr(miri, ignore)] // pthread_sigmask is not emulated
    fn threads_spawned_with_signals_blocked_block_them() {
        let mask_has_int = with_signals_blocked(|| {
            std::thread::spawn(|| {
                // SAFETY: reads the current mask into a zeroed sigset_t.
                let mut cur: libc::sigset_t = unsafe { std::mem::zeroed() };
                // SAFETY: valid pointers; a null `set` only queries the mask.
                unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut cur) };
                // SAFETY: `cur` was filled above.
                let member = unsafe { libc::sigismember(&cur, libc::SIGINT) };
                member == 1
            })
            .join()
            .unwrap()
        });
        assert!(mask_has_int, "spawned thread blocks SIGINT");
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn mapped_memory_is_zero_and_writable() {
        let len = 1 << 16;
        let ptr = map_zeroed(len).expect("64 KiB");
        // SAFETY: `len` bytes mapped just above, unmapped once below.
        let bytes = unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), len) };
        assert!(bytes.iter().all(|&b| b == 0));
        bytes[len - 1] = 1;
        // SAFETY: the whole mapping, not used after.
        unsafe { unmap(ptr, len) };
    }
}
