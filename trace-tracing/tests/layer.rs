//! A program instrumented with `tracing` records through `SimpletraceLayer`
//! on a `tracing_subscriber::Registry`, composed with `EnvFilter`; see
//! `common` for the program and the checks of its trace.

mod common;

use trace_tracing::SimpletraceLayer;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

#[test]
fn tracing_events_and_spans_are_recorded_and_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layer.trace");
    let subscriber = tracing_subscriber::registry()
        .with(EnvFilter::new("info"))
        .with(SimpletraceLayer::new());
    common::record_program(&path, subscriber);
    common::check_program(&path);
}
