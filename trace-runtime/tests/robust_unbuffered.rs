//! A thread whose buffer cannot be mapped loses its events, and the trace
//! says how many: a dropped record after a `trace_thread` record of tid 0
//! (of no particular thread), written by the writer's next pass.
// RLIMIT_AS and `/proc/self/status`: Linux's.
#![cfg(target_os = "linux")]

mod common_robust;

use std::sync::{Arc, Barrier};

use common_robust::*;
use simpletrace::OwnedValue;
use trace_runtime::Config;

/// Each ring reserves its whole size when its thread first records.
const BUFFER: usize = 256 << 20;
/// Events the thread without a buffer records.
const LOST: u64 = 7;

fn set_address_space_limit(bytes: libc::rlim_t) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: a valid rlimit for this process; raising the soft limit back
    // to the unchanged hard one is always allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
}

/// Whether a mapping of a ring's size now fails.
fn limit_holds() -> bool {
    // SAFETY: a fresh anonymous mapping, unmapped at once if made.
    unsafe {
        let ptr = libc::mmap(
            std::ptr::null_mut(),
            BUFFER,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if ptr == libc::MAP_FAILED {
            return true;
        }
        libc::munmap(ptr, BUFFER);
    }
    false
}

#[test]
fn events_without_a_buffer_are_counted_as_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unbuffered.trace");
    let guard = Config::new()
        .ignore_env()
        .file(&path)
        .buffer_size(BUFFER)
        .start()
        .unwrap();
    emit(0, 0);
    guard.flush();

    // The thread runs (its stack and signal stack mapped) before the limit
    // leaves no room for its ring.
    let ready = Arc::new(Barrier::new(2));
    let go = Arc::new(Barrier::new(2));
    let done = Arc::new(Barrier::new(2));
    let thread = {
        let (ready, go, done) = (ready.clone(), go.clone(), done.clone());
        std::thread::spawn(move || {
            ready.wait();
            go.wait();
            (0..LOST).for_each(|seq| emit(1, seq));
            done.wait();
        })
    };
    ready.wait();
    set_address_space_limit(mapped_bytes() + (BUFFER as u64) / 4);
    if !limit_holds() {
        // qemu-user (aarch64 in `.ci/run`) takes the limit and applies none
        // of it, to keep its own memory. Natively the limit must hold.
        if cfg!(target_arch = "x86_64") {
            panic!("RLIMIT_AS is not enforced");
        }
        set_address_space_limit(libc::RLIM_INFINITY);
        go.wait();
        done.wait();
        thread.join().unwrap();
        // The real stderr, not the test's captured one: a skip is said.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED 1 case: RLIMIT_AS is not enforced here (user-mode emulation)\n",
        );
        return;
    }
    go.wait();
    done.wait();
    set_address_space_limit(libc::RLIM_INFINITY);
    thread.join().unwrap();
    emit(0, 1);
    guard.flush();
    drop(guard);

    let records = decode_file(&path).records;
    let program: Vec<(&str, u64)> = records
        .iter()
        .filter_map(|r| match (r.name.as_str(), r.args.first()) {
            ("Dropped_Event", Some(OwnedValue::Int(n))) => Some(("dropped", *n)),
            ("robust_int", Some(OwnedValue::Int(thread))) => Some(("thread", *thread)),
            _ => None,
        })
        .collect();
    assert_eq!(
        program,
        [("thread", 0), ("dropped", LOST), ("thread", 0)],
        "main's first event, the lost ones counted, main's second event"
    );
    let dropped_at = records
        .iter()
        .position(|r| r.name == "Dropped_Event")
        .unwrap();
    let before = &records[dropped_at - 1];
    assert_eq!(before.name, "trace_thread", "{before:?}");
    assert_eq!(
        before.args[0],
        OwnedValue::Int(0),
        "tid 0: no particular thread"
    );
}
