//! Test helpers: paths of the shared golden files, a v4 trace builder written
//! from the format description (shared/QEMU.md §1), and CLI runners.
#![allow(dead_code)]

#[path = "../../../trace-runtime/tests/runner/mod.rs"]
pub mod runner;

use std::path::PathBuf;
use std::process::Output;

use simpletrace::EventTable;

pub mod timeline;

pub const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/golden");
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");

pub fn golden_case(case: &str) -> PathBuf {
    PathBuf::from(GOLDEN).join("simpletrace").join(case)
}

/// Every `simpletrace/caseN` directory.
pub fn golden_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(PathBuf::from(GOLDEN).join("simpletrace"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("trace.bin").exists())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden cases found");
    cases
}

pub fn table(source: &str) -> EventTable {
    let parsed = trace_events::parse_str("trace-events", source);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    EventTable::new(parsed.file.events)
}

pub fn golden_table(case: &std::path::Path) -> EventTable {
    EventTable::load(&[case.join("trace-events")]).unwrap().0
}

pub fn run_cli(args: &[&std::ffi::OsStr]) -> Output {
    runner::output(runner::target_command(env!("CARGO_BIN_EXE_simpletrace")).args(args)).unwrap()
}

/// A v4 argument value.
pub enum A<'a> {
    I(u64),
    S(&'a [u8]),
}

/// Builds trace files byte by byte.
#[derive(Default, Clone)]
pub struct Trace {
    pub bytes: Vec<u8>,
}

impl Trace {
    /// A version-4 header.
    pub fn v4() -> Self {
        Self::with_header(u64::MAX, 0xf2b1_77cb_0aa4_29b4, 4)
    }

    /// A version-4 header and a mapping for each name, its position its id.
    pub fn v4_mapped(names: &[&str]) -> Self {
        names
            .iter()
            .enumerate()
            .fold(Self::v4(), |t, (id, name)| t.mapping(id as u64, name))
    }

    pub fn with_header(id: u64, magic: u64, version: u64) -> Self {
        Self::default().u64(id).u64(magic).u64(version)
    }

    pub fn u64(mut self, v: u64) -> Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u32(mut self, v: u32) -> Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn raw(mut self, b: &[u8]) -> Self {
        self.bytes.extend_from_slice(b);
        self
    }

    pub fn mapping(self, id: u64, name: &str) -> Self {
        self.u64(0)
            .u64(id)
            .u32(name.len() as u32)
            .raw(name.as_bytes())
    }

    /// An event record whose length field is computed from `args`.
    pub fn event(self, id: u64, ts: u64, pid: u32, args: &[A<'_>]) -> Self {
        let body = encode_args(args);
        self.event_raw(id, ts, 24 + body.len() as u32, pid, &body)
    }

    /// An event record with an explicit length field and argument bytes.
    pub fn event_raw(self, id: u64, ts: u64, length: u32, pid: u32, body: &[u8]) -> Self {
        self.u64(1).u64(id).u64(ts).u32(length).u32(pid).raw(body)
    }

    pub fn dropped(self, ts: u64, pid: u32, count: u64) -> Self {
        self.event(0xffff_ffff_ffff_fffe, ts, pid, &[A::I(count)])
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }
}

pub fn encode_args(args: &[A<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for arg in args {
        match arg {
            A::I(v) => body.extend_from_slice(&v.to_le_bytes()),
            A::S(s) => {
                body.extend_from_slice(&(s.len() as u32).to_le_bytes());
                body.extend_from_slice(s);
            }
        }
    }
    body
}

/// One line of a golden `expected.txt` (what simpletrace.py printed).
#[derive(Debug, Clone)]
pub struct ExpectedLine {
    pub name: String,
    /// Nanoseconds since the first record (the delta column summed up).
    pub t_ns: i128,
    pub pid: u32,
    /// The arguments as printed (`a=0x1 b=b'x'`).
    pub args: String,
}

/// The records of a golden case as simpletrace.py printed them.
pub fn expected_lines(case: &std::path::Path) -> Vec<ExpectedLine> {
    let text = std::fs::read(case.join("expected.txt")).unwrap();
    let mut t_ns = 0i128;
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            // The text is ASCII: strings are printed with Python's repr.
            let line = std::str::from_utf8(line).unwrap();
            let mut parts = line.splitn(4, ' ');
            let name = parts.next().unwrap().to_string();
            t_ns += parse_delta_ns(parts.next().unwrap());
            let pid = parts
                .next()
                .unwrap()
                .strip_prefix("pid=")
                .unwrap()
                .parse()
                .unwrap();
            let args = parts.next().unwrap_or("").to_string();
            ExpectedLine {
                name,
                t_ns,
                pid,
                args,
            }
        })
        .collect()
}

/// `-12.345` (microseconds, three decimals) in nanoseconds, exactly.
pub fn parse_delta_ns(text: &str) -> i128 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (us, frac) = digits.split_once('.').unwrap();
    assert_eq!(frac.len(), 3, "{text}");
    let ns = us.parse::<i128>().unwrap() * 1000 + frac.parse::<i128>().unwrap();
    if negative {
        -ns
    } else {
        ns
    }
}

/// A trace written as our runtime writes one: program events `1..` after
/// `trace_thread` (id 0), with their mappings, in the builder's hands.
pub const THREADED_EVENTS: &str = "\
trace_thread(uint64_t tid, const char *name) \"tid %\" PRIu64 \" name %s\"
io_enter(int fd) \"fd %d\"
io_exit(int ret) \"ret %d\"
lock_enter(void)
lock_exit(void)
tick(uint64_t n) \"n %\" PRIu64
orphan_enter(void)
";

pub const PID: u32 = 100;

/// The events of [`THREADED_EVENTS`] by id, as [`Trace::v4_mapped`] maps them.
pub const THREADED_NAMES: [&str; 7] = [
    "trace_thread",
    "io_enter",
    "io_exit",
    "lock_enter",
    "lock_exit",
    "tick",
    "orphan_enter",
];

/// `t` and a `trace_thread` record (thread `tid` named `name`) at `ts`.
pub fn thread_record(t: Trace, ts: u64, tid: u64, name: &[u8]) -> Trace {
    t.event(0, ts, PID, &[A::I(tid), A::S(name)])
}

/// Two threads (11 \"main\", 12 \"worker-1\"), nested calls, a drop, an exit
/// that closes an inner call, an unmatched exit, an enter without a declared
/// exit, an unclosed call at the end, and a timestamp that goes back.
pub fn threaded_trace() -> Trace {
    let t = Trace::v4_mapped(&THREADED_NAMES);
    let thread = thread_record;
    let t = thread(t, 1000, 11, b"main");
    let t = t.event(1, 1000, PID, &[A::I(3)]); // io_enter fd=3
    let t = t.event(3, 1100, PID, &[]); // lock_enter
    let t = t.event(4, 1200, PID, &[]); // lock_exit
    let t = t.event(5, 1250, PID, &[A::I(1)]); // tick n=1
    let t = thread(t, 900, 12, b"worker-1");
    let t = t.dropped(900, PID, 5);
    let t = t.event(1, 950, PID, &[A::I(4)]); // io_enter fd=4
    let t = t.event(3, 960, PID, &[]); // lock_enter
    let t = t.event(2, 990, PID, &[A::I(0)]); // io_exit ret=0, closes lock too
    let t = t.event(4, 995, PID, &[]); // lock_exit: nothing open
    let t = t.event(6, 996, PID, &[]); // orphan_enter: no orphan_exit declared
    let t = thread(t, 1300, 11, b"main");
    let t = t.event(2, 1300, PID, &[A::I(-5i64 as u64)]); // io_exit ret=-5
    let t = t.event(1, 1400, PID, &[A::I(5)]); // io_enter fd=5, never exits
    t.event(5, 1350, PID, &[A::I(2)]) // tick n=2, earlier than the enter
}

/// Thread 12 loses the exits of `io` and `lock` (a drop of 2 events at 1020
/// ns, where its gap ends) and goes on 200 ms later; thread 11's `io` spans
/// that drop and exits normally.
pub fn dropped_exit_trace() -> Trace {
    // The threaded trace's events but `orphan_enter`.
    let t = Trace::v4_mapped(&THREADED_NAMES[..6]);
    let thread = thread_record;
    let t = thread(t, 1000, 12, b"worker-1");
    let t = t.event(1, 1000, PID, &[A::I(4)]); // io_enter fd=4
    let t = t.event(3, 1010, PID, &[]); // lock_enter; lock_exit, io_exit lost
    let t = thread(t, 1005, 11, b"main");
    let t = t.event(1, 1005, PID, &[A::I(3)]); // io_enter fd=3
    let t = thread(t, 1020, 12, b"worker-1");
    let t = t.dropped(1020, PID, 2);
    let t = t.event(5, 200_000_000, PID, &[A::I(1)]); // tick n=1
    let t = thread(t, 5000, 11, b"main");
    t.event(2, 5000, PID, &[A::I(0)]) // io_exit ret=0
}

/// Pairs with call ids, as `#[traced]` declares them.
pub const CALL_ID_EVENTS: &str = "\
trace_thread(uint64_t tid, const char *name) \"tid %\" PRIu64 \" name %s\"
fetch_enter(uint64_t async_call_id, uint64_t key) \"call %\" PRIu64 \" key %\" PRIu64
fetch_exit(uint64_t async_call_id) \"call %\" PRIu64
step_enter(uint64_t call_id) \"call %\" PRIu64
step_exit(uint64_t call_id) \"call %\" PRIu64
";

/// Async `fetch` calls 7 and 8 overlap on thread 11 (8 ends last); call 9
/// starts on thread 12 and ends on thread 11. Nested `step` 2 (inside step
/// 1) loses its exit: step 1's exit ends step 1.
pub fn call_id_trace() -> Trace {
    let names = [
        "trace_thread",
        "fetch_enter",
        "fetch_exit",
        "step_enter",
        "step_exit",
    ];
    let t = Trace::v4_mapped(&names);
    let thread = |t: Trace, ts, tid, name: &[u8]| t.event(0, ts, PID, &[A::I(tid), A::S(name)]);
    let t = thread(t, 1000, 11, b"main");
    let t = t.event(1, 1000, PID, &[A::I(7), A::I(0)]);
    let t = t.event(1, 1010, PID, &[A::I(8), A::I(1)]);
    let t = t.event(2, 1020, PID, &[A::I(7)]);
    let t = t.event(3, 1100, PID, &[A::I(1)]);
    let t = t.event(3, 1110, PID, &[A::I(2)]);
    let t = t.event(4, 1200, PID, &[A::I(1)]);
    let t = thread(t, 1030, 12, b"worker");
    let t = t.event(1, 1030, PID, &[A::I(9), A::I(2)]);
    let t = thread(t, 1500, 11, b"main");
    let t = t.event(2, 1500, PID, &[A::I(9)]);
    t.event(2, 2000, PID, &[A::I(8)])
}
