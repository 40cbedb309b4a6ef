//! Shared by the robustness tests (`robust_*.rs`): events whose every argument
//! is derived from `(thread, seq)`, the trace decoded by the real reader
//! (`simpletrace`), and a per-thread accounting check that holds for any
//! interleaving of producers and writer.
#![allow(dead_code)]

#[path = "../runner/mod.rs"]
mod runner;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use simpletrace::{Analyzer, EventTable, OwnedRecord, OwnedValue, ReadError, Reader};

pub mod trace {
    trace_runtime::trace_events!("tests/common_robust/robust.trace-events");
}

pub const EVENTS_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/common_robust/robust.trace-events"
);

/// The event each producer thread emits: thread `t` emits `KINDS[t % 3]` only,
/// so a thread's dropped records count events of one name.
pub const KINDS: [&str; 3] = ["robust_int", "robust_str", "robust_mix"];

pub fn kind_of(thread: u32) -> &'static str {
    KINDS[thread as usize % KINDS.len()]
}

/// Name given to producer thread `t` (the kernel keeps 15 bytes).
pub fn thread_name(thread: u32) -> String {
    format!("robust-{thread}")
}

/// splitmix64 of `(thread, seq)`: the value every other argument derives from.
pub fn check_value(thread: u32, seq: u64) -> u64 {
    let mut z = (u64::from(thread) << 40 ^ seq).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d1_049b_b133_111b);
    z ^ (z >> 31)
}

/// 0 to 40 lowercase letters derived from `check` (no allocation: producers
/// run at full speed).
pub fn text(check: u64, buf: &mut [u8; 40]) -> &[u8] {
    let len = (check % 41) as usize;
    for (i, b) in buf[..len].iter_mut().enumerate() {
        *b = b'a' + ((check >> (i % 8 * 8)) as u8 ^ i as u8) % 26;
    }
    &buf[..len]
}

/// Record event number `seq` of producer `thread`.
pub fn emit(thread: u32, seq: u64) {
    let check = check_value(thread, seq);
    let mut buf = [0u8; 40];
    match thread as usize % KINDS.len() {
        0 => trace::robust_int(thread, seq, check),
        1 => trace::robust_str(thread, seq, text(check, &mut buf)),
        _ => trace::robust_mix(
            thread,
            seq,
            neg(check),
            seq % 2 == 1,
            text(check, &mut buf),
            check as usize,
        ),
    }
}

fn neg(check: u64) -> i16 {
    -((check % 30_000) as i16)
}

/// The arguments `emit(thread, seq)` records, as the reader decodes them.
pub fn expected_args(thread: u32, seq: u64) -> Vec<OwnedValue> {
    let check = check_value(thread, seq);
    let mut buf = [0u8; 40];
    let text = OwnedValue::Str(text(check, &mut buf).to_vec());
    let head = [OwnedValue::Int(thread.into()), OwnedValue::Int(seq)];
    let tail = match thread as usize % KINDS.len() {
        0 => vec![OwnedValue::Int(check)],
        1 => vec![text],
        _ => vec![
            // C converts int16_t to uint64_t by sign extension.
            OwnedValue::Int(i64::from(neg(check)) as u64),
            OwnedValue::Int(seq % 2),
            text,
            OwnedValue::Int(check as usize as u64),
        ],
    };
    head.into_iter().chain(tail).collect()
}

/// The reader's table: this file's events (the runtime's own are built in).
pub fn table() -> EventTable {
    let source = std::fs::read_to_string(EVENTS_FILE).unwrap();
    let parsed = trace_events::parse_str("robust.trace-events", &source);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    EventTable::new(parsed.file.events)
}

/// A trace as the reader sees it.
pub struct Decoded {
    pub records: Vec<OwnedRecord>,
    /// The reader's warning when the file ends inside a record.
    pub truncated: Option<ReadError>,
}

#[derive(Default)]
struct Collect(Vec<OwnedRecord>);

impl Analyzer for Collect {
    type Error = std::convert::Infallible;
    fn catchall(&mut self, record: &simpletrace::Record<'_>) -> Result<(), Self::Error> {
        self.0.push(record.to_owned());
        Ok(())
    }
}

/// Decode a whole trace with `simpletrace::process`; any error other than a
/// cut-off last record fails the test.
pub fn decode(input: impl Read) -> Decoded {
    let mut reader = Reader::new(input, table()).expect("trace header");
    let mut collect = Collect::default();
    let summary = simpletrace::process(&mut reader, &mut collect).expect("trace decodes");
    assert_eq!(summary.records, collect.0.len() as u64);
    Decoded {
        records: collect.0,
        truncated: summary.truncated,
    }
}

/// A trace still being written, as far as it decodes: `None` until its
/// header and mappings are whole (the file exists, empty, from the child's
/// start until its writer's first pass) or if a record is malformed.
pub fn try_decode(input: impl Read) -> Option<Decoded> {
    let mut reader = Reader::new(input, table()).ok()?;
    let mut collect = Collect::default();
    let summary = simpletrace::process(&mut reader, &mut collect).ok()?;
    Some(Decoded {
        records: collect.0,
        truncated: summary.truncated,
    })
}

pub fn decode_file(path: &Path) -> Decoded {
    decode(std::fs::File::open(path).unwrap())
}

/// One item of a thread's stream: an event record (its sequence number) or a
/// dropped record (its count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Seq(u64),
    Dropped(u64),
}

/// What the writer drained from one thread in one pass: after its
/// `trace_thread` record, the thread's records, dropped records included
/// (wherever the thread lost events).
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub items: Vec<Item>,
}

impl Batch {
    /// The sequence numbers of the batch's event records.
    pub fn seqs(&self) -> impl Iterator<Item = u64> + '_ {
        self.items.iter().filter_map(|i| match i {
            Item::Seq(s) => Some(*s),
            Item::Dropped(_) => None,
        })
    }
}

/// The producer threads' batches, in file order, by thread number. Checks
/// that every program record is exactly what `emit` wrote for its `(thread,
/// seq)`, and that it sits in a batch of the thread that emitted it.
pub fn batches(records: &[OwnedRecord]) -> BTreeMap<u32, Vec<Batch>> {
    let mut out: BTreeMap<u32, Vec<Batch>> = BTreeMap::new();
    let mut current: Option<u32> = None;
    for r in records {
        match r.name.as_str() {
            "trace_event_decl" => assert!(current.is_none(), "declaration after events"),
            "trace_thread" => {
                let [_, OwnedValue::Str(name)] = &r.args[..] else {
                    panic!("trace_thread args {:?}", r.args);
                };
                let name = String::from_utf8_lossy(name);
                let thread = name
                    .strip_prefix("robust-")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("records from an unexpected thread {name:?}"));
                out.entry(thread).or_default().push(Batch::default());
                current = Some(thread);
            }
            "Dropped_Event" => {
                let [OwnedValue::Int(n)] = r.args[..] else {
                    panic!("dropped args {:?}", r.args);
                };
                assert!(n > 0, "a dropped record counting nothing at {}", r.offset);
                last_batch(&mut out, current, r)
                    .items
                    .push(Item::Dropped(n));
            }
            name => {
                let (Some(OwnedValue::Int(thread)), Some(&OwnedValue::Int(seq))) =
                    (r.args.first(), r.args.get(1))
                else {
                    panic!("unexpected record {r:?}");
                };
                let thread = *thread as u32;
                assert_eq!(Some(thread), current, "record of another thread: {r:?}");
                assert_eq!(name, kind_of(thread), "at {}", r.offset);
                assert_eq!(r.args, expected_args(thread, seq), "torn record: {r:?}");
                last_batch(&mut out, current, r).items.push(Item::Seq(seq));
            }
        }
    }
    out
}

fn last_batch<'a>(
    out: &'a mut BTreeMap<u32, Vec<Batch>>,
    current: Option<u32>,
    r: &OwnedRecord,
) -> &'a mut Batch {
    let thread = current.unwrap_or_else(|| panic!("record before any trace_thread: {r:?}"));
    out.get_mut(&thread).unwrap().last_mut().unwrap()
}

/// Each thread's gaps are exactly its dropped records: in the thread's
/// stream (its batches in file order), sequence numbers strictly increase,
/// between the two records around every gap stands exactly one dropped
/// record counting exactly the missing events, and no dropped record stands
/// anywhere else. Events lost before the first record are counted by one
/// dropped record before it.
///
/// With `emitted` (the trace ended normally) the tail is exact too: events
/// lost after the last record are counted by one dropped record after it.
/// Without (a trace cut short) the tail is not checked. Returns (records,
/// drops) of the thread.
pub fn check_thread(thread: u32, batches: &[Batch], emitted: Option<u64>) -> (u64, u64) {
    let mut next = 0u64;
    let mut decoded = 0u64;
    let mut dropped = 0u64;
    let mut marker: Option<u64> = None;
    for item in batches.iter().flat_map(|b| &b.items) {
        match *item {
            Item::Dropped(n) => {
                assert!(
                    marker.is_none(),
                    "thread {thread}: two dropped records in a row before seq {next}"
                );
                marker = Some(n);
                dropped += n;
            }
            Item::Seq(seq) => {
                assert!(seq >= next, "thread {thread}: seq {seq} after {}", next - 1);
                let gap = seq - next;
                assert_eq!(
                    marker.take().unwrap_or(0),
                    gap,
                    "thread {thread}: the dropped record before seq {seq} (0: none) vs the \
                     {gap} events missing there"
                );
                next = seq + 1;
                decoded += 1;
            }
        }
    }
    if let Some(emitted) = emitted {
        assert_eq!(
            marker.unwrap_or(0),
            emitted - next,
            "thread {thread}: the dropped record after the last seq {} (0: none) vs \
             the events missing at the end",
            next.wrapping_sub(1)
        );
        assert_eq!(
            decoded + dropped,
            emitted,
            "thread {thread}: {decoded} recorded + {dropped} dropped"
        );
    }
    (decoded, dropped)
}

/// Create a FIFO at `path`.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo: {}", std::io::Error::last_os_error());
}

/// Run `f` on its own thread; fail the test if it has not returned within
/// `limit` (a liveness check with a generous limit, not a speed assertion).
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("{what}: still running after {limit:?} (blocked)"),
    }
}

/// The environment variable that tells a re-executed test binary which
/// scenario to play.
pub const CHILD_ENV: &str = "ROBUST_CHILD";

/// The scenario this process plays, if it is a child.
pub fn child_scenario() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

/// Re-run this test binary's `test` as a child playing `scenario` in `dir`.
pub fn child_command(test: &str, scenario: &str, dir: &Path) -> Command {
    let mut cmd = runner::target_command(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, scenario)
        .env_remove(trace_runtime::OPTIONS_ENV)
        .current_dir(dir);
    cmd
}

/// Run a child to its end, killing it (and failing) after `limit`.
pub fn run_child(mut cmd: Command, limit: Duration) -> Output {
    use std::process::Stdio;
    let mut child = runner::spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())).unwrap();
    // Drained on their own threads, so a chatty child never blocks on a full pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child hung: killed after {:?}", start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

#[cfg(target_os = "linux")]
/// Whether the runtime's writer thread is blocked writing to a pipe, as the
/// kernel's `wchan` says; `None` when the kernel does not tell.
pub fn writer_blocked_on_pipe() -> Option<bool> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let task = task.ok()?.path();
        let comm = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
        if comm.trim_end() == "trace-writer" {
            let wchan = std::fs::read_to_string(task.join("wchan")).ok()?;
            if wchan.is_empty() || wchan == "0" {
                return None;
            }
            return Some(wchan.contains("pipe_write"));
        }
    }
    Some(false)
}

#[cfg(target_os = "linux")]
/// Call `feed` (which records events) until the writer is blocked on its
/// FIFO, whose reader never reads (liveness limit 30 s). Returns whether the
/// kernel confirmed it (else the pipe was seen full).
pub fn stall_writer_on_fifo(read_end: &std::fs::File, mut feed: impl FnMut()) -> bool {
    use std::os::fd::AsRawFd;
    let deadline = Instant::now() + Duration::from_secs(30);
    let fd = read_end.as_raw_fd();
    // SAFETY: F_GETPIPE_SZ on an open pipe descriptor.
    let capacity = unsafe { libc::fcntl(fd, libc::F_GETPIPE_SZ) };
    loop {
        feed();
        std::thread::sleep(Duration::from_millis(2));
        match writer_blocked_on_pipe() {
            Some(true) => return true,
            Some(false) => {}
            None => {
                let mut queued: libc::c_int = 0;
                // SAFETY: FIONREAD writes one int through a valid pointer.
                unsafe { libc::ioctl(fd, libc::FIONREAD, &mut queued) };
                if queued >= capacity {
                    eprintln!("note: no wchan in /proc; the pipe is full");
                    return false;
                }
            }
        }
        assert!(Instant::now() < deadline, "the writer never blocked");
    }
}

/// Open the FIFO's read end without waiting for a writer.
#[cfg(unix)]
pub fn open_fifo_reader(path: &Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .unwrap()
}

/// Make reads of `file` block again.
#[cfg(unix)]
pub fn set_blocking(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: F_GETFL/F_SETFL on an open descriptor.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        assert!(flags >= 0);
        assert_eq!(libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK), 0);
    }
}

/// The address space the program has mapped, in bytes: the sum of
/// `/proc/self/maps`' ranges (natively `VmSize`). Under qemu-user that file
/// shows the guest's mappings while `VmSize` is the emulator's own, which
/// grows with its per-thread state and translation caches (139 MB over 200
/// short threads in one CI run).
#[cfg(target_os = "linux")]
pub fn mapped_bytes() -> u64 {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines()
        .map(|line| {
            let range = line.split_whitespace().next().unwrap();
            let (start, end) = range.split_once('-').unwrap();
            let at = |hex| u64::from_str_radix(hex, 16).unwrap();
            at(end) - at(start)
        })
        .sum()
}
