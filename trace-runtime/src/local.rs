//! Each thread's buffer: created on the thread's first event, registered for
//! the writer, freed by the writer once the thread is gone and its records
//! are written.
//!
//! Async-signal-safe: a thread's first event may come from a signal handler
//! that interrupted it anywhere (inside `malloc`, holding a lock). So the path
//! takes no lock and never allocates:
//! - the thread-local is a `const`-initialized pair of `Cell`s with no `Drop`,
//!   so touching it registers no destructor (glibc's
//!   `__cxa_thread_atexit_impl` would `calloc`);
//! - the ring and the thread's [`Slot`] are mapped memory (`mmap`);
//! - registration pushes the slot onto a lock-free stack that the writer
//!   takes whole (push and take-all only: no ABA);
//! - the thread's identity comes from `gettid` and `prctl(PR_GET_NAME)`.
//!
//! With no destructor, the writer finds out that a thread is gone by asking
//! the kernel (`sys::thread_exists`: on Linux `tgkill(pid, tid, 0)` fails
//! with `ESRCH` once the thread has exited; its records were all published
//! before that). A tid the kernel
//! reuses for a new thread of ours tells the writer the old one is gone too.
//! Until the thread has really exited its buffer stays valid, so events from
//! other thread-local destructors at thread exit are recorded as usual.

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::atomic::{
    compiler_fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};

use crate::ring::{self, Consumer, Producer, WhenFull};
use crate::write_once::{Closure, WriteOnce};
use crate::{sys, wake};

/// Process id written in every record (set at start).
pub(crate) static PID: AtomicU32 = AtomicU32::new(0);
/// Ring size for threads that start recording from now on (set at start).
pub(crate) static BUFFER_SIZE: AtomicUsize = AtomicUsize::new(0);
/// Flight mode: buffers overwrite their oldest records (set at start).
pub(crate) static OVERWRITE: AtomicBool = AtomicBool::new(false);

fn when_full() -> WhenFull {
    if OVERWRITE.load(Ordering::Relaxed) {
        WhenFull::Overwrite
    } else {
        WhenFull::Drop
    }
}

/// Events lost without a thread buffer to count them in: recorded from a
/// signal handler that interrupted a record on the same thread, or when the
/// buffer could not be mapped.
pub(crate) static UNBUFFERED_DROPS: AtomicU64 = AtomicU64::new(0);

/// Slots registered since the writer last took them (a stack linked by
/// `Slot::next`).
static REGISTERED: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// One thread's buffer and identity, in mapped memory of its own. The thread
/// uses `producer`; the writer takes `consumer` when it adopts the slot, and
/// frees the slot once the thread is gone.
struct Slot {
    next: *mut Slot,
    producer: ManuallyDrop<Producer>,
    consumer: ManuallyDrop<Consumer>,
    tid: u64,
    name: [u8; 16],
}

const SLOT_LEN: usize = std::mem::size_of::<Slot>();

/// The writer's view of one thread's buffer.
pub(crate) struct ThreadBuffer {
    pub(crate) consumer: Consumer,
    slot: NonNull<Slot>,
    pub(crate) tid: u64,
    pub(crate) name: Vec<u8>,
    /// The drops of this thread reported in the file so far (its own dropped
    /// records and the ones the writer wrote for it).
    pub(crate) dropped_seen: u64,
    /// The thread was gone before the writer's last look: that look took its
    /// last records and drops, and the buffer can go once they are written.
    pub(crate) gone: bool,
    /// The thread has exited (its producer handle is released).
    exited: bool,
}

// SAFETY: the slot is the writer's alone once adopted (the thread only ever
// touches its `producer`, and the writer releases that only after the thread
// has exited).
unsafe impl Send for ThreadBuffer {}

impl ThreadBuffer {
    /// Ask the kernel whether the thread still exists; once it does not,
    /// release its producer handle so the ring reads as closed.
    pub(crate) fn check_exited(&mut self, pid: u32) {
        if !self.exited && !sys::thread_exists(pid, self.tid) {
            self.mark_exited();
        }
    }

    /// Whether the thread is known to have exited.
    pub(crate) fn has_exited(&self) -> bool {
        self.exited
    }

    fn mark_exited(&mut self) {
        if self.exited {
            return;
        }
        self.exited = true;
        // SAFETY: the thread that used the producer no longer exists, so this
        // is its last use; `exited` makes it happen once.
        unsafe { ManuallyDrop::drop(&mut (*self.slot.as_ptr()).producer) };
    }
}

impl Drop for ThreadBuffer {
    fn drop(&mut self) {
        // A buffer is only dropped once its thread has exited (`gone`); at
        // process end the writer keeps the rest.
        if self.exited {
            // SAFETY: the slot came from `map_zeroed(SLOT_LEN)` in `register`;
            // the thread is gone and the writer holds no other pointer to it.
            unsafe { sys::unmap(self.slot.cast(), SLOT_LEN) };
        }
    }
}

/// Move the buffers registered since the last call into `out`.
pub(crate) fn adopt_new_buffers(out: &mut Vec<ThreadBuffer>) {
    let mut next = REGISTERED.swap(std::ptr::null_mut(), Ordering::Acquire);
    let first_new = out.len();
    while let Some(slot) = NonNull::new(next) {
        // SAFETY: a registered slot is fully written before it is pushed
        // (Release), taken once (the swap above), and its `consumer` is read
        // out exactly once, here.
        let (consumer, tid, name) = unsafe {
            let s = slot.as_ptr();
            next = (*s).next;
            (ManuallyDrop::take(&mut (*s).consumer), (*s).tid, (*s).name)
        };
        let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        out.push(ThreadBuffer {
            consumer,
            slot,
            tid,
            name: name[..len].to_vec(),
            dropped_seen: 0,
            gone: false,
            exited: false,
        });
    }
    // The stack is newest first; keep registration order.
    out[first_new..].reverse();
    // Two live threads never share a tid: an older buffer with the tid of a
    // newer one belongs to a thread that has exited.
    for newer in first_new..out.len() {
        let (older, rest) = out.split_at_mut(newer);
        let tid = rest[0].tid;
        for old in older.iter_mut().filter(|b| b.tid == tid) {
            old.mark_exited();
        }
    }
}

struct Local {
    /// The thread's slot (null until its first event).
    slot: Cell<*const Slot>,
    /// Set while this thread is inside `push`, so a signal handler that records
    /// on the same thread drops its event instead of corrupting the one in progress.
    busy: Cell<bool>,
    /// Mapping the buffer failed: do not retry on every event.
    failed: Cell<bool>,
}

thread_local! {
    // `const` and no `Drop`: no lazy initialization, no destructor registration.
    static LOCAL: Local = const {
        Local {
            slot: Cell::new(std::ptr::null()),
            busy: Cell::new(false),
            failed: Cell::new(false),
        }
    };
}

/// Append one record of `len` bytes to the calling thread's buffer; `write`
/// fills all of it. No lock or allocation ever; no syscall after the thread's
/// first event. Async-signal-safe.
///
/// Inlined: the common case (a registered thread, not inside another push,
/// room in this lap of the ring). Everything else goes to one cold call.
#[inline(always)]
pub(crate) fn push(len: usize, write: impl FnOnce(&mut [u8])) {
    push_with(len, Closure(write))
}

/// [`push`] with a [`WriteOnce`]: inlined into the fast path whole.
#[inline(always)]
pub(crate) fn push_with(len: usize, write: impl WriteOnce<[u8]>) {
    // The key's accessor takes only a closure that returns the address:
    // with the push inside it, the closure of a record with several
    // arguments grew past what LLVM inlines, and `try_with` became a call
    // with the record's values passed through memory (`#[traced]`'s enter).
    let Ok(local) = LOCAL.try_with(|local| local as *const Local) else {
        UNBUFFERED_DROPS.fetch_add(1, Ordering::Relaxed);
        return;
    };
    // SAFETY: `LOCAL` is `const` with no destructor: the value lives as
    // long as this thread, which runs this call; `Local` is not `Sync`, so
    // the reference stays on this thread.
    let local = unsafe { &*local };
    if let Err(write) = push_fast(local, len, write) {
        let mut write = Some(write);
        push_full_path(len, &mut |rec| {
            if let Some(write) = write.take() {
                write.write(rec);
            }
        });
    }
}

/// The common case of [`push`], or `write` back untouched.
#[inline(always)]
fn push_fast<W: WriteOnce<[u8]>>(local: &Local, len: usize, write: W) -> Result<(), W> {
    // SAFETY: a non-null slot is this thread's, valid until the thread
    // exits (the writer frees it only after that).
    let Some(slot) = (unsafe { local.slot.get().as_ref() }) else {
        return Err(write);
    };
    if local.busy.replace(true) {
        return Err(write);
    }
    compiler_fence(Ordering::SeqCst);
    let producer = &slot.producer;
    let Some(reserved) = producer.reserve(len) else {
        compiler_fence(Ordering::SeqCst);
        local.busy.set(false);
        return Err(write);
    };
    let head = reserved.head;
    write.write(reserved.bytes);
    if producer.commit(head, len) {
        kick_if_filling(producer);
    }
    compiler_fence(Ordering::SeqCst);
    local.busy.set(false);
    Ok(())
}

/// [`push`] for every case but the common one: the thread's first event, a
/// signal handler's event during a push, a full ring, drops to mark, the end
/// of a lap.
#[cold]
#[inline(never)]
fn push_full_path(len: usize, write: &mut dyn FnMut(&mut [u8])) {
    let recorded = LOCAL.try_with(|local| {
        if local.busy.replace(true) {
            return false;
        }
        compiler_fence(Ordering::SeqCst);
        let mut slot = local.slot.get();
        if slot.is_null() && !local.failed.get() {
            slot = register();
            local.slot.set(slot);
            local.failed.set(slot.is_null());
        }
        // SAFETY: a non-null slot is this thread's, valid until the thread
        // exits (the writer frees it only after that).
        let pushed = match unsafe { slot.as_ref() } {
            Some(slot) => {
                if slot.producer.try_push(len, write) == Some(true) {
                    kick_if_filling(&slot.producer);
                }
                true
            }
            None => false,
        };
        compiler_fence(Ordering::SeqCst);
        local.busy.set(false);
        pushed
    });
    if !matches!(recorded, Ok(true)) {
        UNBUFFERED_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Wake a sleeping writer: the buffer looked half full after a push. The
/// cheap check is inlined; `refresh_used` reads the consumer's line only
/// when the writer sleeps.
#[inline(always)]
fn kick_if_filling(producer: &Producer) {
    if wake::is_sleeping() {
        kick_if_still_filling(producer);
    }
}

/// Re-read the consumer's line: wake the sleeping writer if the buffer is
/// still at least half full.
#[cold]
#[inline(never)]
fn kick_if_still_filling(producer: &Producer) {
    if producer.refresh_used() >= producer.capacity() / 2 {
        wake::kick();
    }
}

/// Map a ring and a slot for the calling thread and push the slot for the
/// writer. Syscalls only (async-signal-safe); null if the memory is refused.
#[cold]
fn register() -> *const Slot {
    // The caller saw the simple backend on with a Relaxed load of `BACKENDS`
    // (the hot path's); this fence makes that load synchronize with start's
    // Release store, so `BUFFER_SIZE` and `PID`, stored before it, are seen
    // here and by this thread's records (weakly ordered CPUs need it).
    std::sync::atomic::fence(Ordering::Acquire);
    // Windows: if this thread ends the process with `ExitProcess`, its end
    // makes the trace's last pass (exit.rs).
    sys::mark_thread();
    register_as(sys::gettid(), BUFFER_SIZE.load(Ordering::Relaxed))
}

fn register_as(tid: u64, buffer_size: usize) -> *const Slot {
    let Some((producer, consumer)) = ring::channel(buffer_size, when_full()) else {
        return std::ptr::null();
    };
    let Some(memory) = sys::map_zeroed(SLOT_LEN) else {
        return std::ptr::null(); // the handles unmap the ring
    };
    let slot = memory.cast::<Slot>().as_ptr();
    // SAFETY: a fresh page-aligned mapping of `SLOT_LEN` bytes, written once
    // before it is published below.
    unsafe {
        slot.write(Slot {
            next: std::ptr::null_mut(),
            producer: ManuallyDrop::new(producer),
            consumer: ManuallyDrop::new(consumer),
            tid,
            name: sys::thread_name_bytes(),
        });
    }
    let mut head = REGISTERED.load(Ordering::Relaxed);
    loop {
        // SAFETY: the slot is not published yet: this thread alone writes it.
        unsafe { (*slot).next = head };
        match REGISTERED.compare_exchange_weak(head, slot, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return slot,
            Err(now) => head = now,
        }
    }
}

#[cfg(all(test, not(loom)))]
#[cfg_attr(mutants, mutants::skip)] // tests
mod tests {
    use super::*;

    /// The tests that adopt buffers take it: `REGISTERED` is process-wide,
    /// and one test's adoption must not take another's buffers.
    static ADOPTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn adopting() -> std::sync::MutexGuard<'static, ()> {
        ADOPTING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Record `n` of [`push_reads_back_in_order_across_laps`]: its number,
    /// its complement and a pattern, 40 bytes (a lap of 4096 ends mid-record).
    fn numbered(n: u64) -> [u8; 40] {
        let mut r = [0; 40];
        r[..8].copy_from_slice(&n.to_le_bytes());
        r[8..16].copy_from_slice(&(!n).to_le_bytes());
        r[16..].fill(n as u8);
        r
    }

    /// The thread-local path as events take it (`push`: the fast path, the
    /// full path at each lap's end), under Miri too: every record comes back
    /// whole and in order, laps after laps.
    #[test]
    fn push_reads_back_in_order_across_laps() {
        let _one = adopting();
        std::thread::spawn(|| {
            let tid = u64::from(u32::MAX) + 9;
            let slot = register_as(tid, 4096);
            assert!(!slot.is_null());
            LOCAL.with(|local| local.slot.set(slot));
            let mut buffers = Vec::new();
            adopt_new_buffers(&mut buffers);
            let at = buffers.iter().position(|b| b.tid == tid).unwrap();
            let mut buffer = buffers.swap_remove(at);
            let (mut pushed, mut read) = (0u64, 0u64);
            // 60 records a round (2,400 bytes, padding included, fit);
            // eight rounds are about five laps.
            for _ in 0..8 {
                for _ in 0..60 {
                    push(40, |rec| rec.copy_from_slice(&numbered(pushed)));
                    pushed += 1;
                }
                buffer.consumer.drain(|a, b| {
                    for rec in a.chunks(40).chain(b.chunks(40)) {
                        assert_eq!(rec, numbered(read), "record {read}");
                        read += 1;
                    }
                });
                assert_eq!(read, pushed);
            }
            assert_eq!(buffer.consumer.dropped(), 0);
            LOCAL.with(|local| local.slot.set(std::ptr::null()));
            buffer.mark_exited();
        })
        .join()
        .unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore)] // tgkill is not emulated
    fn a_reused_tid_marks_the_older_buffer_exited_and_order_is_kept() {
        let _one = adopting();
        // Ids no live thread has (above the kernel's pid_max of 2^22).
        let (reused, other) = (u64::from(u32::MAX) + 7, u64::from(u32::MAX) + 8);
        // Reused between two looks of the writer, then across two looks.
        for tid in [reused, other, reused] {
            assert!(!register_as(tid, 4096).is_null());
        }
        let mut buffers = Vec::new();
        adopt_new_buffers(&mut buffers);
        assert!(!register_as(other, 4096).is_null());
        adopt_new_buffers(&mut buffers);
        let ours: Vec<(u64, bool)> = buffers
            .iter()
            .filter(|b| b.tid == reused || b.tid == other)
            .map(|b| (b.tid, b.exited))
            .collect();
        assert_eq!(
            ours,
            [
                (reused, true),
                (other, true),
                (reused, false),
                (other, false)
            ]
        );
        for b in &buffers {
            assert_eq!(
                b.consumer.closed(),
                b.exited,
                "an exited one reads as closed"
            );
        }
        // Ask the kernel: no such thread.
        for b in buffers.iter_mut().filter(|b| b.tid == reused) {
            b.check_exited(sys::getpid());
            assert!(b.exited && b.consumer.closed());
        }
    }
}
