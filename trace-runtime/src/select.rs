//! Choosing which events record: the selections of `Config` and of the runtime
//! control functions, applied to the `EVENTS` table.

use crate::event::{Event, EVENTS};

/// Which events a selection names. Glob patterns will be another variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    /// Every available event.
    All,
    /// The event with exactly this name.
    Exact(String),
}

/// Why a selection could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("no event named `{0}`")]
    UnknownEvent(String),
    #[error("event `{0}` is unavailable (declared `disable`) and cannot be enabled")]
    Unavailable(String),
}

/// Turn the matched events on or off.
pub(crate) fn apply(events: &[Event], matcher: &Matcher, on: bool) -> Result<(), SelectError> {
    match matcher {
        Matcher::All => {
            for event in events {
                event.set_enabled(on);
            }
            Ok(())
        }
        Matcher::Exact(name) => {
            let event = events
                .iter()
                .find(|e| e.meta.name == name)
                .ok_or_else(|| SelectError::UnknownEvent(name.clone()))?;
            if event.set_enabled(on) {
                Ok(())
            } else {
                Err(SelectError::Unavailable(name.clone()))
            }
        }
    }
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
    for event in EVENTS.iter() {
        event.set_enabled(false);
    }
}

/// Stop every program event; the writer's own `trace_thread` keeps its state so
/// the final drain still attributes records to threads.
pub(crate) fn stop_program_events() {
    let thread = &crate::internal::TRACE_THREAD;
    for event in EVENTS.iter().filter(|e| !std::ptr::eq(*e, thread)) {
        event.set_enabled(false);
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

    fn table() -> [Event; 3] {
        let t = [ev("a", true), ev("b", true), ev("off", false)];
        for (i, e) in t.iter().enumerate() {
            e.assign_id(i as u64);
        }
        t
    }

    #[test]
    fn all_enables_only_available_events_and_keeps_ids() {
        let t = table();
        apply(&t, &Matcher::All, true).unwrap();
        assert_eq!(t.iter().map(|e| e.state()).collect::<Vec<_>>(), [1, 3, 4]);
        apply(&t, &Matcher::All, false).unwrap();
        assert_eq!(t.iter().map(|e| e.state()).collect::<Vec<_>>(), [0, 2, 4]);
    }

    #[test]
    fn exact_names_toggle_one_event() {
        let t = table();
        apply(&t, &Matcher::Exact("b".into()), true).unwrap();
        assert!(!t[0].is_enabled() && t[1].is_enabled());
        apply(&t, &Matcher::Exact("b".into()), false).unwrap();
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
        assert_eq!(apply(&t, &Matcher::Exact("off".into()), false), Ok(()));
        assert!(!t[2].is_enabled());
    }
}
