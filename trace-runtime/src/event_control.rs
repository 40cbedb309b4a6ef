//! Turning events on and off while tracing, and querying their states, as
//! QEMU's `trace-event NAME on|off`, `info trace-events` and QMP's
//! `trace-event-get-state` offer it. Safe from any thread while events record:
//! each event's state is one atomic word.

use std::fmt;

use crate::control::{control, ControlError};
use crate::event::Event;
use crate::registry;
use crate::select::{self, Matcher, SelectError};
use crate::table::all_events;

/// An event's state, as QEMU's `trace-event-get-state` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventState {
    /// Declared `disable`: compiled out, can never be enabled.
    Unavailable,
    /// Available, not recording.
    Disabled,
    /// Recording.
    Enabled,
}

/// One event and its state. `Display` prints it as QEMU's `info
/// trace-events` does: `name : state 1` (enabled) or `name : state 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInfo {
    /// The event's name (a registered event's, with any `_2` suffix).
    pub name: &'static str,
    /// Whether it records, and whether it could.
    pub state: EventState,
}

impl fmt::Display for EventInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on = u8::from(self.state == EventState::Enabled);
        write!(f, "{} : state {on}", self.name)
    }
}

fn state_of(event: &Event) -> EventState {
    if !event.meta.available {
        EventState::Unavailable
    } else if event.is_enabled() {
        EventState::Enabled
    } else {
        EventState::Disabled
    }
}

/// Enable or disable the events matching a name or glob (`*` any run of
/// characters, `?` one); returns how many changed state. A name without `*`
/// that matches no event is an error naming it; so is enabling an
/// unavailable event by its name (globs skip unavailable events).
pub fn set_enabled(pattern: &str, on: bool) -> Result<usize, ControlError> {
    control().ok_or(ControlError::NotRunning)?;
    Ok(registry::select(Matcher::parse(pattern), on)?)
}

/// Turn the event with exactly this name on or off while tracing.
pub fn set_event_enabled(name: &str, on: bool) -> Result<(), ControlError> {
    control().ok_or(ControlError::NotRunning)?;
    registry::select(Matcher::Exact(name.to_owned()), on)?;
    Ok(())
}

/// Turn every available event on or off while tracing.
pub fn set_all_enabled(on: bool) -> Result<(), ControlError> {
    control().ok_or(ControlError::NotRunning)?;
    registry::select(Matcher::All, on)?;
    Ok(())
}

/// The state of the event with exactly this name, `None` if there is none.
pub fn event_state(name: &str) -> Option<EventState> {
    all_events().find(|e| e.meta.name == name).map(state_of)
}

/// The events matching a name or glob with their states (`"*"` lists every
/// event), in declaration order as QEMU lists them: by file, each file's
/// events by line (a `#[traced]` function's by the attribute's line), the
/// runtime's own last. IDs are link order, which follows neither. A name
/// without `*` that matches nothing is an error.
pub fn list_events(pattern: &str) -> Result<Vec<EventInfo>, SelectError> {
    let mut events = select::matching(all_events(), &Matcher::parse(pattern))?;
    // A `#[traced]` pair shares a line: `_enter` sorts before `_exit`.
    events.sort_by_key(|e| {
        let m = &e.meta;
        (select::is_runtime_event(e), m.file, m.line, m.name)
    });
    Ok(events
        .into_iter()
        .map(|e| EventInfo {
            name: e.meta.name,
            state: state_of(e),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_line_is_qemus() {
        let info = |state| {
            EventInfo {
                name: "disk_read",
                state,
            }
            .to_string()
        };
        assert_eq!(info(EventState::Enabled), "disk_read : state 1");
        assert_eq!(info(EventState::Disabled), "disk_read : state 0");
        assert_eq!(info(EventState::Unavailable), "disk_read : state 0");
    }
}
