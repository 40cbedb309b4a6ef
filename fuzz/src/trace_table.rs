//! The events the trace targets decode against: both golden cases' events
//! plus enter/exit pairs (for the timeline and call statistics).

use std::sync::OnceLock;

use simpletrace::EventTable;

const FIXTURES: [(&str, &str); 3] = [
    ("case1", include_str!("../fixtures/case1.trace-events")),
    ("case2", include_str!("../fixtures/case2.trace-events")),
    ("pairs", include_str!("../fixtures/pairs.trace-events")),
];

/// Parsed once; cloned per input.
pub fn table() -> EventTable {
    static TABLE: OnceLock<EventTable> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut events = Vec::new();
            for (name, text) in FIXTURES {
                let parsed = trace_events::parse_str(name, text);
                assert!(!parsed.has_errors(), "fixture {name} does not parse");
                events.extend(parsed.file.events);
            }
            EventTable::new(events)
        })
        .clone()
}
