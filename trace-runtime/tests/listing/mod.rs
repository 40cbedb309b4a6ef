//! `list_events` lines, sorted, shared by the tests that check event states.

use trace_runtime::list_events;

/// The `name : state 1|0` lines of the events matching `pattern`, sorted.
pub fn states(pattern: &str) -> Vec<String> {
    let mut lines: Vec<String> = list_events(pattern)
        .unwrap()
        .iter()
        .map(|i| i.to_string())
        .collect();
    lines.sort();
    lines
}
