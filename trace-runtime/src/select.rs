//! Choosing which events record: the selections of `Config`, of the options
//! string and of the run-time control functions, applied to the `EVENTS` table.
//!
//! Names follow QEMU's `-trace` rules: `*` matches any run of characters and `?`
//! any one character. A name without `*` must match an event, else it is an
//! error naming it (QEMU warns "does not exist"); naming an unavailable
//! (`disable`d) event to enable it is an error too (QEMU: "not traceable").

use crate::event::{Event, EVENTS};
use crate::table::all_events;
use trace_events::glob::glob_match;

/// Which events a selection names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    /// Every event.
    All,
    /// Every event but the runtime's own (`trace_thread`): the baseline an
    /// options string starts from, so thread records stay on unless named.
    Program,
    /// The event with exactly this name.
    Exact(String),
    /// A glob with `*` and/or `?`.
    Glob(String),
}

impl Matcher {
    /// A name or glob as written by the user.
    pub(crate) fn parse(pattern: &str) -> Matcher {
        if pattern.contains(['*', '?']) {
            Matcher::Glob(pattern.to_owned())
        } else {
            Matcher::Exact(pattern.to_owned())
        }
    }

    fn matches(&self, event: &Event) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Program => !is_runtime_event(event),
            Matcher::Exact(name) => event.meta.name == name,
            Matcher::Glob(pattern) => glob_match(pattern.as_bytes(), event.meta.name.as_bytes()),
        }
    }

    /// A selection that must match something (QEMU: a name without `*`).
    fn must_match(&self) -> Option<&str> {
        match self {
            Matcher::Exact(name) => Some(name),
            Matcher::Glob(pattern) if !pattern.contains('*') => Some(pattern),
            _ => None,
        }
    }
}

/// Why a selection could not be applied.
/// `Debug` prints the message, as `Display` does.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// A name or pattern without `*` that matches no event (QEMU's rule: only
    /// a `*` pattern may match nothing).
    #[error("no event named `{0}`")]
    UnknownEvent(String),
    /// A name (no wildcard) asked to be enabled whose event is declared
    /// `disable`.
    #[error("event `{0}` is unavailable (declared `disable`) and cannot be enabled")]
    Unavailable(String),
}

/// Turn the matched events on or off; returns how many changed state.
/// Patterns skip unavailable events, as QEMU does.
pub(crate) fn apply<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    matcher: &Matcher,
    on: bool,
) -> Result<usize, SelectError> {
    let mut matched = false;
    let mut changed = 0;
    for event in events.into_iter().filter(|e| matcher.matches(e)) {
        matched = true;
        match event.switch(on) {
            Some(true) => changed += 1,
            Some(false) => {}
            None => {
                if let Matcher::Exact(name) = matcher {
                    return Err(SelectError::Unavailable(name.clone()));
                }
            }
        }
    }
    match matcher.must_match() {
        Some(name) if !matched => Err(SelectError::UnknownEvent(name.to_owned())),
        _ => Ok(changed),
    }
}

/// The events a matcher names, in `EVENTS` order; a name without `*` that
/// matches nothing is an error.
pub(crate) fn matching<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    matcher: &Matcher,
) -> Result<Vec<&'a Event>, SelectError> {
    let found: Vec<&Event> = events.into_iter().filter(|e| matcher.matches(e)).collect();
    match matcher.must_match() {
        Some(name) if found.is_empty() => Err(SelectError::UnknownEvent(name.to_owned())),
        _ => Ok(found),
    }
}

pub(crate) fn is_runtime_event(event: &Event) -> bool {
    std::ptr::eq(event, &crate::internal::TRACE_THREAD)
        || std::ptr::eq(event, &crate::internal::TRACE_EVENT_DECL)
}

/// Give every event its ID (its index in `EVENTS`), all disabled.
pub(crate) fn assign_ids() {
    for (id, event) in EVENTS.iter().enumerate() {
        event.assign_id(id as u64);
    }
}

/// Turn every event off (a forked child, a failed start). Only atomics: safe
/// in an atfork child handler.
pub(crate) fn disable_all() {
    for event in all_events() {
        event.switch(false);
    }
}

/// Stop every program event; the writer's own `trace_thread` keeps its state so
/// the final drain still attributes records to threads.
pub(crate) fn stop_program_events() {
    for event in all_events().filter(|e| !is_runtime_event(e)) {
        event.switch(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, EventMeta};

    const fn ev(name: &'static str, available: bool) -> Event {
        Event::new(EventMeta {
            name,
            args: &[],
            fmt: "",
            c_format: "",
            file: "",
            line: 0,
            available,
        })
    }

    fn table() -> [Event; 4] {
        let t = [
            ev("a", true),
            ev("b", true),
            ev("off", false),
            ev("disk_read", true),
        ];
        for (i, e) in t.iter().enumerate() {
            e.assign_id(i as u64);
        }
        t
    }

    fn states(t: &[Event]) -> Vec<u64> {
        t.iter().map(|e| e.state()).collect()
    }

    #[test]
    fn all_enables_only_available_events_and_keeps_ids() {
        let t = table();
        assert_eq!(apply(&t, &Matcher::All, true), Ok(3));
        assert_eq!(states(&t), [1, 3, 4, 7]);
        assert_eq!(apply(&t, &Matcher::All, true), Ok(0), "nothing changed");
        assert_eq!(apply(&t, &Matcher::All, false), Ok(3));
        assert_eq!(states(&t), [0, 2, 4, 6]);
    }

    #[test]
    fn exact_names_toggle_one_event() {
        let t = table();
        assert_eq!(apply(&t, &Matcher::Exact("b".into()), true), Ok(1));
        assert!(!t[0].is_enabled() && t[1].is_enabled());
        assert_eq!(apply(&t, &Matcher::Exact("b".into()), true), Ok(0));
        assert_eq!(apply(&t, &Matcher::Exact("b".into()), false), Ok(1));
        assert!(!t[1].is_enabled());
    }

    #[test]
    fn unknown_and_unavailable_names_are_errors() {
        let t = table();
        assert_eq!(
            apply(&t, &Matcher::Exact("nope".into()), true),
            Err(SelectError::UnknownEvent("nope".into()))
        );
        assert_eq!(
            apply(&t, &Matcher::Exact("off".into()), true),
            Err(SelectError::Unavailable("off".into()))
        );
        assert_eq!(apply(&t, &Matcher::Exact("off".into()), false), Ok(0));
        assert!(!t[2].is_enabled());
        // QEMU: a name without `*` is not a pattern, so `?` alone must match.
        assert_eq!(
            apply(&t, &Matcher::parse("x?"), true),
            Err(SelectError::UnknownEvent("x?".into()))
        );
        assert_eq!(
            matching(&t, &Matcher::parse("nope")).map(|v| v.len()),
            Err(SelectError::UnknownEvent("nope".into()))
        );
    }

    #[test]
    fn globs_skip_unavailable_events_and_may_match_nothing() {
        let t = table();
        assert_eq!(apply(&t, &Matcher::parse("*"), true), Ok(3));
        assert!(!t[2].is_enabled());
        assert_eq!(apply(&t, &Matcher::parse("o*"), true), Ok(0));
        assert_eq!(apply(&t, &Matcher::parse("zzz*"), true), Ok(0));
        assert_eq!(apply(&t, &Matcher::parse("?"), false), Ok(2));
        assert_eq!(states(&t), [0, 2, 4, 7]);
        let names: Vec<&str> = matching(&t, &Matcher::parse("*_*"))
            .unwrap()
            .iter()
            .map(|e| e.meta.name)
            .collect();
        assert_eq!(names, ["disk_read"]);
    }

    #[test]
    fn parse_tells_names_from_globs() {
        assert_eq!(
            Matcher::parse("disk_read"),
            Matcher::Exact("disk_read".into())
        );
        assert_eq!(Matcher::parse("disk_*"), Matcher::Glob("disk_*".into()));
        assert_eq!(
            Matcher::parse("disk_rea?"),
            Matcher::Glob("disk_rea?".into())
        );
    }
}
