//! One `ExportTraceServiceRequest` being filled: its spans grouped as they
//! come, a `ResourceSpans` (with one `ScopeSpans`) per run of spans of one
//! process. A process's spans may be in several `ResourceSpans` of a request
//! (its resource repeated), which OTLP allows.

use super::super::protobuf::{begin, end, put_str, Open};
use super::schema as field;

/// The instrumentation scope of every span: this reader.
pub const SCOPE_NAME: &str = "simpletrace";
pub const SCOPE_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Default)]
pub struct Batch {
    buf: Vec<u8>,
    /// The process whose `ResourceSpans` and `ScopeSpans` are open, and them.
    open: Option<(u32, Open, Open)>,
    spans: usize,
}

impl Batch {
    /// Where the next span of process `pid` goes (a `Span` field of its open
    /// `ScopeSpans`); `resource` writes the process's `Resource` fields when
    /// its `ResourceSpans` starts here.
    pub fn for_span(&mut self, pid: u32, resource: impl FnOnce(&mut Vec<u8>)) -> &mut Vec<u8> {
        if !matches!(self.open, Some((p, ..)) if p == pid) {
            self.close();
            let spans = begin(&mut self.buf, field::RESOURCE_SPANS);
            let r = begin(&mut self.buf, field::RESOURCE);
            resource(&mut self.buf);
            end(&mut self.buf, r);
            let scope_spans = begin(&mut self.buf, field::SCOPE_SPANS);
            let scope = begin(&mut self.buf, field::SCOPE);
            put_str(&mut self.buf, field::SCOPE_NAME, SCOPE_NAME.as_bytes());
            put_str(
                &mut self.buf,
                field::SCOPE_VERSION,
                SCOPE_VERSION.as_bytes(),
            );
            end(&mut self.buf, scope);
            self.open = Some((pid, spans, scope_spans));
        }
        self.spans += 1;
        &mut self.buf
    }

    fn close(&mut self) {
        if let Some((_, spans, scope_spans)) = self.open.take() {
            end(&mut self.buf, scope_spans);
            end(&mut self.buf, spans);
        }
    }

    /// Bytes so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn spans(&self) -> usize {
        self.spans
    }

    /// The finished request; empty it with [`Batch::clear`] once sent.
    pub fn request(&mut self) -> &[u8] {
        self.close();
        &self.buf
    }

    pub fn clear(&mut self) {
        self.close();
        self.buf.clear();
        self.spans = 0;
    }
}
