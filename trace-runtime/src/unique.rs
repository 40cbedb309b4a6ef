//! Event names are unique in a program: the options string, the control
//! functions and the trace's declarations name events by name, so two events
//! of one name (two `#[traced] fn run` in different modules, or one and a
//! trace-events `run_enter`) would be enabled together and described twice.
//!
//! The check runs at start, over the program-wide `EVENTS` slice: only the
//! linker sees every crate's events, and a proc macro sees one function (or
//! one file) at a time, so rustc cannot report it.

use crate::event::Event;

/// Two declarations of one event name, each as `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    pub(crate) name: &'static str,
    pub(crate) first: String,
    pub(crate) second: String,
}

/// The alphabetically first name declared twice (IDs are link order, which
/// the program does not control), with its first two declarations in
/// `events` order.
pub(crate) fn find_duplicate(events: &[Event]) -> Option<Duplicate> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    // Stable: equal names stay in `events` order.
    order.sort_by_key(|&i| events[i].meta.name);
    let (a, b) = order
        .windows(2)
        .find(|w| events[w[0]].meta.name == events[w[1]].meta.name)
        .map(|w| (w[0], w[1]))?;
    let place = |i: usize| format!("{}:{}", events[i].meta.file, events[i].meta.line);
    Some(Duplicate {
        name: events[a].meta.name,
        first: place(a),
        second: place(b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventMeta;

    const fn event(name: &'static str, file: &'static str, line: u32) -> Event {
        Event::new(EventMeta {
            name,
            args: &[],
            fmt: "",
            c_format: "",
            file,
            line,
            available: true,
        })
    }

    #[test]
    fn unique_names_pass() {
        let events = [event("a", "x", 1), event("b", "x", 2), event("c", "y", 1)];
        assert_eq!(find_duplicate(&events), None);
        assert_eq!(find_duplicate(&[]), None);
    }

    #[test]
    fn the_alphabetically_first_duplicate_names_both_places() {
        let events = [
            event("z", "src/a.rs", 1),
            event("run_enter", "src/b.rs", 7),
            event("a", "x", 1),
            event("z", "src/c.rs", 2),
            event("run_enter", "trace-events", 3),
        ];
        let d = find_duplicate(&events).unwrap();
        assert_eq!(
            (d.name, &*d.first, &*d.second),
            ("run_enter", "src/b.rs:7", "trace-events:3")
        );
    }
}
