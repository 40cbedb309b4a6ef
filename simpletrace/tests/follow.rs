//! `simpletrace --follow` on traces while they are written: by a child
//! process tracing with our runtime, and by a writer appending QEMU's
//! golden traces in random pieces (records cut in two, the header too).
//! The followed output must equal the decode of the finished file; Ctrl-C
//! ends it cleanly. Linux: the writer is found through `/proc`.
#![cfg(target_os = "linux")]

mod common;

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::*;
use simpletrace::Reader;

mod trace {
    trace_runtime::trace_events!("../examples/demo/trace-events");
}

/// How long anything may take before the test is failed as hung: a
/// liveness limit for a loaded machine, not a speed assertion.
const LIMIT: Duration = Duration::from_secs(120);

/// The formats followed, as `--format` values.
const FORMATS: [&str; 3] = ["simpletrace", "log", "json"];

/// A running `simpletrace --follow ...`, its output collected as it comes.
struct Follower {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    })
}

impl Follower {
    fn start(args: &[&OsStr]) -> Self {
        let mut child = runner::spawn(
            runner::target_command(env!("CARGO_BIN_EXE_simpletrace"))
                .arg("--follow")
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(child.stdout.take().unwrap(), stdout.clone()),
            collect(child.stderr.take().unwrap(), stderr.clone()),
        ];
        Self {
            child,
            stdout,
            readers,
            stderr,
        }
    }

    fn output(&self) -> Vec<u8> {
        self.stdout.lock().unwrap().clone()
    }

    /// Wait until the output satisfies `done`.
    fn wait_for(&self, what: &str, done: impl Fn(&[u8]) -> bool) {
        let start = Instant::now();
        while !done(&self.stdout.lock().unwrap()) {
            assert!(
                start.elapsed() < LIMIT,
                "follower: no {what} after {LIMIT:?}"
            );
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Wait for the follower to end by itself: status, stdout, stderr.
    fn finish(mut self) -> (ExitStatus, Vec<u8>, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!("follower still running {LIMIT:?} after its writer ended");
            }
            thread::sleep(Duration::from_millis(10));
        };
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let stderr = String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned();
        (status, self.output(), stderr)
    }
}

/// A followed run ended on its own, cleanly, with `expected`'s output.
fn assert_followed(follower: Follower, expected: &[u8], what: &str) {
    let (status, stdout, stderr) = follower.finish();
    assert!(status.success(), "{what}: {status}: {stderr}");
    assert!(stderr.is_empty(), "{what}: {stderr}");
    assert!(
        stdout == expected,
        "{what}: followed output differs from the finished file's ({} vs {} bytes)\n{}",
        stdout.len(),
        expected.len(),
        String::from_utf8_lossy(&stdout)
    );
}

/// `simpletrace ARGS` on a finished file: its stdout.
fn decode(args: &[&OsStr]) -> Vec<u8> {
    let out = run_cli(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A golden trace whose records say `pid` (the writer's, as in a real
/// trace: the golden files come from processes long gone).
fn golden_trace_of(case: &Path, pid: u32) -> Vec<u8> {
    let mut bytes = fs::read(case.join("trace.bin")).unwrap();
    let mut offsets = Vec::new();
    let mut reader = Reader::new(&bytes[..], golden_table(case)).unwrap();
    while let Some(record) = reader.next_record().unwrap() {
        offsets.push(record.offset as usize);
    }
    for offset in offsets {
        // Type, id, timestamp, length, then the pid.
        bytes[offset + 28..offset + 32].copy_from_slice(&pid.to_le_bytes());
    }
    bytes
}

/// Deterministic pseudo-random numbers (xorshift).
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn qemu_traces_appended_in_pieces_are_followed_as_written() {
    for (seed, case) in golden_cases().into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace");
        let trace = golden_trace_of(&case, std::process::id());
        let events = case.join("trace-events");
        let mut file = File::create(&path).unwrap();
        // Part of the header only: the followers wait for the rest.
        file.write_all(&trace[..10]).unwrap();
        let followers: Vec<Follower> = FORMATS
            .iter()
            .map(|format| {
                Follower::start(&[
                    "--format".as_ref(),
                    format.as_ref(),
                    events.as_os_str(),
                    path.as_os_str(),
                ])
            })
            .collect();
        let mut random = Random(seed as u64 + 1);
        let mut at = 10;
        let mut waited = false;
        while at < trace.len() {
            let end = (at + 1 + random.below(300) as usize).min(trace.len());
            file.write_all(&trace[at..end]).unwrap();
            at = end;
            if at > trace.len() / 2 && !waited {
                // Half way: every follower has printed while the file grows.
                for follower in &followers {
                    follower.wait_for("output", |out| !out.is_empty());
                }
                waited = true;
            }
            thread::sleep(Duration::from_millis(random.below(15)));
        }
        // The writer is gone once it closes the file.
        drop(file);
        for (format, follower) in FORMATS.iter().zip(followers) {
            let expected = decode(&[
                "--format".as_ref(),
                format.as_ref(),
                events.as_os_str(),
                path.as_os_str(),
            ]);
            assert!(!expected.is_empty());
            let what = format!("{} --format {format}", case.display());
            assert_followed(follower, &expected, &what);
        }
    }
}

/// The environment variable that makes this test binary the traced child.
const CHILD_ENV: &str = "FOLLOW_CHILD_TRACE";
const CHILD_TEST: &str = "child_records_until_told_to_stop";

fn stop_file(trace: &Path) -> PathBuf {
    trace.with_extension("stop")
}

/// The traced child (only when started by the test below): two threads
/// recording the demo's events, and an event registered while the trace
/// runs (its mapping and declaration come late in the file), until the
/// parent creates the stop file.
#[test]
fn child_records_until_told_to_stop() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(path);
    let guard = trace_runtime::Config::new()
        .ignore_env()
        .file(&path)
        .start()
        .unwrap();
    trace::demo_start("vda", 2);
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..2u64)
        .map(|w| {
            let stop = stop.clone();
            thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let req = [w, i];
                        trace::request_submit(&req, w * 1000 + i, 8, i % 2 == 1);
                        trace::request_complete(&req, -((i % 5) as i32));
                        i += 1;
                        thread::sleep(Duration::from_micros(500));
                    }
                    i
                })
                .unwrap()
        })
        .collect();
    let late = trace_runtime::register_event(
        "follow_late",
        &[("n", trace_runtime::ArgType::U64)],
        Some("\"n %\" PRIu64"),
    )
    .unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while !stop_file(&path).exists() && start.elapsed() < LIMIT {
        trace_runtime::registry::record_payload(late, &n.to_ne_bytes());
        n += 1;
        thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::Relaxed);
    let requests: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    trace::demo_finish(requests, -42);
    drop(guard);
}

#[test]
fn a_runtime_trace_is_followed_while_a_child_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let mut child = runner::spawn(
        runner::target_command(std::env::current_exe().unwrap())
            .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .env_remove(trace_runtime::OPTIONS_ENV)
            .stdout(Stdio::null()),
    )
    .unwrap();
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < LIMIT, "the child wrote no trace");
        thread::sleep(Duration::from_millis(5));
    }
    // No trace-events file: the trace declares its events as it goes.
    let followers: Vec<Follower> = ["simpletrace", "json"]
        .iter()
        .map(|format| Follower::start(&["--format".as_ref(), format.as_ref(), path.as_os_str()]))
        .collect();
    for follower in &followers {
        follower.wait_for("request_submit and follow_late", |out| {
            let out = String::from_utf8_lossy(out);
            out.contains("request_submit") && out.contains("follow_late")
        });
    }
    // A few seconds of tracing (a duration, not an assertion).
    thread::sleep(Duration::from_secs(2).saturating_sub(start.elapsed()));
    fs::write(stop_file(&path), "").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "child: {status}");
    for (format, follower) in ["simpletrace", "json"].iter().zip(followers) {
        let expected = decode(&["--format".as_ref(), format.as_ref(), path.as_os_str()]);
        let text = String::from_utf8_lossy(&expected);
        assert!(text.contains("demo_finish"), "{text}");
        assert_followed(follower, &expected, &format!("runtime --format {format}"));
    }
}

#[test]
fn ctrl_c_ends_following_with_whole_lines_and_success() {
    let case = golden_case("case1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let trace = golden_trace_of(&case, std::process::id());
    // Up to the middle of a record, the writer still there.
    let cut = trace.len() / 2;
    let mut file = File::create(&path).unwrap();
    file.write_all(&trace[..cut]).unwrap();
    let prefix = dir.path().join("prefix");
    fs::write(&prefix, &trace[..cut]).unwrap();
    let events = case.join("trace-events");
    let out = run_cli(&[events.as_os_str(), prefix.as_os_str()]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated record"),
        "the cut should be inside a record"
    );
    let expected = out.stdout;
    let follower = Follower::start(&[events.as_os_str(), path.as_os_str()]);
    follower.wait_for("the records written", |out| out == expected);
    // SAFETY: signals the follower, our child, which has not been reaped.
    let sent = unsafe { libc::kill(follower.child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let (status, stdout, stderr) = follower.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stdout == expected && stdout.ends_with(b"\n"));
    assert!(stderr.is_empty(), "{stderr}");
    drop(file);
}

#[test]
fn following_ends_when_the_path_names_another_file() {
    let case = golden_case("case2");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let trace = golden_trace_of(&case, std::process::id());
    let mut file = File::create(&path).unwrap();
    file.write_all(&trace).unwrap();
    let events = case.join("trace-events");
    let expected = decode(&[events.as_os_str(), path.as_os_str()]);
    let follower = Follower::start(&[events.as_os_str(), path.as_os_str()]);
    follower.wait_for("the records written", |out| out == expected);
    // The writer still has the old file open; a new one takes its name.
    let new = dir.path().join("new");
    fs::write(&new, &trace[..24]).unwrap();
    fs::rename(&new, &path).unwrap();
    let (status, stdout, stderr) = follower.finish();
    assert!(status.success(), "{stderr}");
    assert!(stdout == expected);
    assert!(stderr.contains("now names another file"), "{stderr}");
    drop(file);
}

#[test]
fn stats_and_export_reject_follow() {
    let case = golden_case("case1");
    let events = case.join("trace-events");
    let trace = case.join("trace.bin");
    for command in [
        &["stats".as_ref(), "--follow".as_ref()][..],
        &["export", "--chrome", "-", "--follow"].map(OsStr::new)[..],
    ] {
        let mut args = command.to_vec();
        args.extend([events.as_os_str(), trace.as_os_str()]);
        let out = run_cli(&args);
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--follow goes with printing records"),
            "{stderr}"
        );
    }
}

#[test]
fn following_ends_when_the_file_shrinks() {
    let case = golden_case("case1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let trace = golden_trace_of(&case, std::process::id());
    let file = File::create(&path).unwrap();
    (&file).write_all(&trace).unwrap();
    let events = case.join("trace-events");
    let expected = decode(&[events.as_os_str(), path.as_os_str()]);
    let follower = Follower::start(&[events.as_os_str(), path.as_os_str()]);
    follower.wait_for("the records written", |out| out == expected);
    // Truncated by its writer (e.g. reopened to start over).
    file.set_len(0).unwrap();
    let (status, stdout, stderr) = follower.finish();
    assert!(status.success(), "{stderr}");
    assert!(stdout == expected);
    assert!(stderr.contains("shrank below what was read"), "{stderr}");
}

#[test]
fn a_pipe_is_read_until_its_writer_closes_it() {
    let case = golden_case("case2");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let events = case.join("trace-events");
    let follower = Follower::start(&[events.as_os_str(), fifo.as_os_str()]);
    // Opening blocks until the follower opens the other end.
    let mut pipe = File::options().write(true).open(&fifo).unwrap();
    let trace = fs::read(case.join("trace.bin")).unwrap();
    let (first, rest) = trace.split_at(trace.len() / 2);
    pipe.write_all(first).unwrap();
    follower.wait_for("output", |out| !out.is_empty());
    pipe.write_all(rest).unwrap();
    drop(pipe);
    assert_followed(
        follower,
        &fs::read(case.join("expected.txt")).unwrap(),
        "fifo",
    );
}
