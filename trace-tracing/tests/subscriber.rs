//! The same program as `layer.rs` records through `SimpletraceSubscriber`
//! (spans in its own store, no `Registry`), composed with `EnvFilter`; see
//! `common` for the program and the checks of its trace.

mod common;

use trace_tracing::SimpletraceSubscriber;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

#[test]
fn tracing_events_and_spans_are_recorded_and_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subscriber.trace");
    let subscriber = SimpletraceSubscriber::new().with(EnvFilter::new("info"));
    common::record_program(&path, subscriber);
    common::check_program(&path);
}
