//! OpenTelemetry spans (OTLP protobuf) of the calls [`Walk`] pairs: each
//! `X_enter`/`X_exit` call (`#[traced]` functions, `tracing` spans, QEMU's
//! pairs) becomes one `Span`, written when it ends, in
//! `ExportTraceServiceRequest`s of about [`OtlpOptions::batch_bytes`] each,
//! handed to [`Requests`] as they fill (a file, or [`OtlpHttp`] posting to
//! a collector): memory holds one request and the calls still open.
//! Requests written one after another to a file parse as one
//! `ExportTraceServiceRequest` (protobuf merges repeated fields).
//!
//! The mapping:
//! - Resource, one per process: `service.name` ([`OtlpOptions::service_name`],
//!   else the name of the process's main thread (tid = pid) when the trace
//!   names it, else `unknown_service`), `process.pid`, and `host.name` when
//!   given. Scope: `simpletrace` and its version.
//! - Span: name `X`, kind `INTERNAL`; start and end are the enter's and the
//!   exit's timestamps (CLOCK_MONOTONIC ns, made monotonic per thread as in
//!   every timeline) plus [`OtlpOptions::time_offset_ns`], 0 by default:
//!   a trace holds no wall-clock time, so without an offset spans sit near
//!   1970 (1970 plus the tracing host's uptime).
//! - Attributes: `thread.id` and `thread.name` (when the trace says, as
//!   traces written by trace-runtime do), the enter's arguments by name
//!   (`call_id`/`async_call_id` included), the exit's as `exit.NAME` (its
//!   call id left out: the enter's), typed as in the JSON output (see
//!   `attributes.rs`).
//! - Parent: the innermost call open on the same thread when the call began
//!   (async calls, which may overlap, are nobody's parent: which one a
//!   nested call runs in is not recorded). A span with no parent starts a
//!   trace of its own; its descendants share its trace id. Ids: see
//!   [`ids`].
//! - A call that never got its exit ends where the walk closed it: at the
//!   dropped record that cut it (`simpletrace.truncated = "cut_by_drop"`),
//!   at an outer call's exit or at the trace's last timestamp
//!   (`simpletrace.truncated = "unclosed"`). Other records (instants,
//!   dropped records) are not exported.
//!
//! Memory: the open calls are bounded by the walk; their enter arguments
//! are kept until they end, [`OtlpOptions::max_pending_attributes`] bytes in
//! all (beyond, a span's enter arguments are left out and counted in its
//! `dropped_attributes_count`).

mod attributes;
mod batch;
pub mod http;
pub mod ids;
mod response;
mod schema;

use std::io::{self, Write};

use self::attributes::{put_args, put_int_attr, put_str_attr};
use self::batch::Batch;
pub use self::http::{Endpoint, OtlpError, OtlpHttp};
use self::schema as field;
use super::pairs::Call;
use super::protobuf::{begin, end, put_bytes, put_fixed64, put_str, put_uint};
use super::tracks::{Closed, Ending, TrackKey};
use super::walk::{Draw, Instant, Walk, UNKNOWN_THREAD};
use crate::keyed::Map;
use crate::Record;

/// Default size of a request: well under collectors' limits (the
/// OpenTelemetry Collector takes 20 MiB by default, gRPC 4 MiB).
pub const DEFAULT_BATCH_BYTES: usize = 1 << 20;
/// Default bytes of enter arguments kept for the calls open at once.
pub const MAX_PENDING_ATTRIBUTES: usize = 64 << 20;
/// Encoded argument buffers kept for reuse.
const SPARE_BUFFERS: usize = 4096;

/// Where finished requests go.
pub trait Requests {
    /// One encoded `ExportTraceServiceRequest`.
    fn send(&mut self, request: &[u8]) -> io::Result<()>;
    /// After the last request.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Requests written one after another (an OTLP protobuf file).
pub struct ToWriter<W: Write>(pub W);

impl<W: Write> Requests for ToWriter<W> {
    fn send(&mut self, request: &[u8]) -> io::Result<()> {
        self.0.write_all(request)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Requests for OtlpHttp {
    fn send(&mut self, request: &[u8]) -> io::Result<()> {
        self.post(request).map_err(io::Error::other)
    }
}

/// What the export says beyond the calls.
#[derive(Debug, Clone)]
pub struct OtlpOptions {
    /// The trace file's identity ([`ids::file_seed`]).
    pub seed: u64,
    /// `service.name` of every process.
    pub service_name: Option<String>,
    /// `host.name`.
    pub host: Option<String>,
    /// Added to the trace's timestamps to make them Unix time.
    pub time_offset_ns: i64,
    /// A request is sent once it holds this many bytes (so it holds at most
    /// this plus one span).
    pub batch_bytes: usize,
    /// Encoded enter arguments kept for the calls open at once, at most.
    pub max_pending_attributes: usize,
}

impl Default for OtlpOptions {
    fn default() -> Self {
        Self {
            seed: 0,
            service_name: None,
            host: None,
            time_offset_ns: 0,
            batch_bytes: DEFAULT_BATCH_BYTES,
            max_pending_attributes: MAX_PENDING_ATTRIBUTES,
        }
    }
}

/// A [`crate::Consumer`] sending OTLP spans to `R`.
pub type OtlpTrace<R> = Walk<OtlpSpans<R>>;

impl<R: Requests> OtlpTrace<R> {
    /// Spans batched into requests handed to `requests` (a file, a
    /// collector, or a test's collection).
    pub fn new(requests: R, options: OtlpOptions) -> Self {
        Walk::with(OtlpSpans {
            requests,
            options,
            batch: Batch::default(),
            failed: None,
            tracks: Map::default(),
            async_open: Map::default(),
            threads: Map::default(),
            processes: Map::default(),
            pending_attributes: 0,
            spare: Vec::new(),
            spans: 0,
            requests_sent: 0,
        })
    }
}

/// A call begun, not yet ended.
struct OpenSpan {
    trace_id: [u8; 16],
    span_id: [u8; 8],
    parent: Option<[u8; 8]>,
    start: u64,
    /// Its `Span.attributes` fields so far (thread, enter arguments).
    attributes: Vec<u8>,
    dropped_attributes: u32,
}

/// A thread's open nested calls, innermost last, and how many calls began
/// on it (for ids).
#[derive(Default)]
struct ThreadSpans {
    open: Vec<OpenSpan>,
    begun: u64,
}

/// The OTLP encoding of what [`Walk`] draws.
pub struct OtlpSpans<R: Requests> {
    requests: R,
    options: OtlpOptions,
    batch: Batch,
    /// The first error sending; nothing more is sent after it.
    failed: Option<io::Error>,
    /// By thread (only tracks the walk follows begin calls: bounded).
    tracks: Map<TrackKey, ThreadSpans>,
    /// Open async calls by process and id (bounded by the walk).
    async_open: Map<(u32, u64), OpenSpan>,
    /// Thread names, as the walk names tracks (bounded by it).
    threads: Map<TrackKey, String>,
    /// Main threads' names, by pid.
    processes: Map<u32, String>,
    /// Bytes of `attributes` in open spans.
    pending_attributes: usize,
    spare: Vec<Vec<u8>>,
    spans: u64,
    requests_sent: u64,
}

impl<R: Requests> OtlpSpans<R> {
    /// Spans written so far.
    pub fn spans(&self) -> u64 {
        self.spans
    }

    /// Requests sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.requests_sent
    }

    /// Where the requests went.
    pub fn requests(&self) -> &R {
        &self.requests
    }

    /// Where the requests went, given back (a file to flush, a test's list).
    pub fn into_requests(self) -> R {
        self.requests
    }

    fn unix_ns(&self, ts: u64) -> u64 {
        let t = i128::from(ts) + i128::from(self.options.time_offset_ns);
        t.clamp(0, i128::from(u64::MAX)) as u64
    }

    fn send_batch(&mut self) {
        if self.batch.spans() == 0 {
            return;
        }
        if self.failed.is_none() {
            match self.requests.send(self.batch.request()) {
                Ok(()) => self.requests_sent += 1,
                Err(e) => self.failed = Some(e),
            }
        }
        self.batch.clear();
    }

    fn write_span(
        &mut self,
        closed: &Closed,
        name: &str,
        exit: Option<&Record<'_>>,
        open: OpenSpan,
    ) {
        let pid = closed.track.0;
        let (start, end_ns) = (self.unix_ns(open.start), self.unix_ns(closed.end));
        let options = &self.options;
        let processes = &self.processes;
        let buf = self.batch.for_span(pid, |b| {
            let service = options
                .service_name
                .as_deref()
                .or(processes.get(&pid).map(String::as_str))
                .unwrap_or("unknown_service");
            put_str_attr(
                b,
                field::RESOURCE_ATTRIBUTES,
                "service.name",
                service.as_bytes(),
            );
            put_int_attr(b, field::RESOURCE_ATTRIBUTES, "process.pid", i64::from(pid));
            if let Some(host) = &options.host {
                put_str_attr(b, field::RESOURCE_ATTRIBUTES, "host.name", host.as_bytes());
            }
        });
        let span = begin(buf, field::SPANS);
        put_bytes(buf, field::TRACE_ID, &open.trace_id);
        put_bytes(buf, field::SPAN_ID, &open.span_id);
        if let Some(parent) = &open.parent {
            put_bytes(buf, field::PARENT_SPAN_ID, parent);
        }
        put_str(buf, field::NAME, name.as_bytes());
        put_uint(buf, field::KIND, field::SPAN_KIND_INTERNAL);
        put_fixed64(buf, field::START_TIME_UNIX_NANO, start);
        put_fixed64(buf, field::END_TIME_UNIX_NANO, end_ns);
        buf.extend_from_slice(&open.attributes);
        match (closed.ending, exit) {
            (Ending::Exit, Some(exit)) => {
                // The id argument is the enter's.
                let skip = usize::from(closed.call.id.is_some());
                put_args(buf, field::SPAN_ATTRIBUTES, exit, "exit.", skip);
            }
            (Ending::CutByDrop, _) => {
                put_str_attr(buf, field::SPAN_ATTRIBUTES, TRUNCATED, b"cut_by_drop")
            }
            _ => put_str_attr(buf, field::SPAN_ATTRIBUTES, TRUNCATED, b"unclosed"),
        }
        if open.dropped_attributes > 0 {
            put_uint(
                buf,
                field::DROPPED_ATTRIBUTES_COUNT,
                u64::from(open.dropped_attributes),
            );
        }
        end(buf, span);
        self.spans += 1;
        self.pending_attributes -= open.attributes.len();
        if self.spare.len() < SPARE_BUFFERS {
            let mut attributes = open.attributes;
            attributes.clear();
            self.spare.push(attributes);
        }
        if self.batch.len() >= self.options.batch_bytes {
            self.send_batch();
        }
    }
}

/// The attribute of a span that ended without its exit.
pub const TRUNCATED: &str = "simpletrace.truncated";

impl<R: Requests> Draw for OtlpSpans<R> {
    fn process(&mut self, _pid: u32) {}

    fn thread(&mut self, key: TrackKey, name: &str) {
        if name == UNKNOWN_THREAD {
            return;
        }
        if key.1 == u64::from(key.0) {
            self.processes.insert(key.0, name.to_string());
        }
        self.threads.insert(key, name.to_string());
    }

    fn begin(&mut self, key: TrackKey, ts: u64, call: Call, _name: &str, enter: &Record<'_>) {
        let seed = self.options.seed;
        let track = self.tracks.entry(key).or_default();
        let seq = track.begun;
        track.begun += 1;
        let span_id = ids::span_id(seed, key, &call, seq);
        let (trace_id, parent) = match track.open.last() {
            Some(parent) => (parent.trace_id, Some(parent.span_id)),
            None => (ids::trace_id(seed, key, span_id), None),
        };
        let mut attributes = self.spare.pop().unwrap_or_default();
        if let Some(name) = self.threads.get(&key) {
            put_int_attr(
                &mut attributes,
                field::SPAN_ATTRIBUTES,
                "thread.id",
                key.1 as i64,
            );
            put_str_attr(
                &mut attributes,
                field::SPAN_ATTRIBUTES,
                "thread.name",
                name.as_bytes(),
            );
        }
        let before = attributes.len();
        let mut dropped_attributes = 0;
        let written = put_args(&mut attributes, field::SPAN_ATTRIBUTES, enter, "", 0);
        if self.pending_attributes + attributes.len() > self.options.max_pending_attributes {
            attributes.truncate(before);
            dropped_attributes = written;
        }
        self.pending_attributes += attributes.len();
        let open = OpenSpan {
            trace_id,
            span_id,
            parent,
            start: ts,
            attributes,
            dropped_attributes,
        };
        match (call.is_async, call.id) {
            (true, Some(id)) => {
                self.async_open.insert((key.0, id), open);
            }
            _ => track.open.push(open),
        }
    }

    fn end(&mut self, closed: &Closed, name: &str, exit: Option<&Record<'_>>) {
        let open = match (closed.call.is_async, closed.call.id) {
            (true, Some(id)) => self.async_open.remove(&(closed.track.0, id)),
            _ => self
                .tracks
                .get_mut(&closed.track)
                .and_then(|track| track.open.pop()),
        };
        if let Some(open) = open {
            self.write_span(closed, name, exit, open);
        }
    }

    fn instant(&mut self, _key: TrackKey, _ts: u64, _why: Instant, _record: &Record<'_>) {}

    fn dropped(&mut self, _key: TrackKey, _ts: u64, _count: u64) {}

    fn flush_if_full(&mut self) -> io::Result<()> {
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn finish(&mut self, _dropped: Option<u64>) -> io::Result<()> {
        self.send_batch();
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.requests.finish()
    }
}
