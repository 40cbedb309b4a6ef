//! Nothing: the crate holds the trybuild UI tests of `trace_events!` and
//! `#[traced]` (`tests/ui.rs`) in a package whose only dependency is
//! `trace-runtime`, so trybuild builds little besides it.
