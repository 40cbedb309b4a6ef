//! Arbitrary bytes (read as UTF-8 lossily) through the trace-events parser:
//! every diagnostic renders, and every parsed event's format compiles, strict
//! and lossy alike, and renders with arguments of its declared kinds.

#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use simpletrace_fuzz::bytes::Bytes;
use simpletrace_fuzz::printf_check::check_format;
use trace_events::printf::Value;
use trace_events::ArgKind;

/// Longest string argument fed to a format (the simple backend records 512).
const MAX_STR_ARG: usize = 512;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let parsed = trace_events::parse_str("fuzz", &source);

    let mut text = String::new();
    for diagnostic in &parsed.diagnostics {
        text.clear();
        write!(text, "{diagnostic}").expect("Display of a diagnostic failed");
        assert!(diagnostic.line >= 1, "lines are 1-based");
    }
    let errors = parsed.errors().count();
    assert_eq!(parsed.has_errors(), errors > 0);
    assert_eq!(errors + parsed.warnings().count(), parsed.diagnostics.len());

    // Argument values come from the input itself, so they vary with it.
    let mut values = Bytes::new(data);
    for event in &parsed.file.events {
        assert!(!event.name.is_empty(), "an event without a name");
        let args: Vec<Value<'_>> = event
            .args
            .iter()
            .map(|arg| match arg.kind {
                ArgKind::Str => {
                    let len = usize::from(values.u8()) * 2;
                    Value::Str(values.take(len.min(MAX_STR_ARG)))
                }
                _ => Value::Int(values.u64()),
            })
            .collect();
        check_format(&event.c_format, &args);
    }
});
