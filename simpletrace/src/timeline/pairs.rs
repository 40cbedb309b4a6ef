//! What a record means on a timeline: the start or end of a call (declared
//! `X_enter`/`X_exit` pairs, which `#[traced]` also emits), a runtime record,
//! or a point in time.

use std::collections::HashMap;

use crate::runtime_events::{is_id_and_text, DECL_EVENT, THREAD_EVENT};
use crate::Record;

/// Index of a pair name (`X` of `X_enter`/`X_exit`) in [`Pairs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Enter(PairId),
    Exit(PairId),
    /// A dropped record.
    Dropped,
    /// `trace_thread` or `trace_event_decl`: about the trace, not the program.
    Runtime,
    Instant,
}

/// Roles by event, decided once per event.
#[derive(Debug, Default)]
pub struct Pairs {
    roles: Vec<Option<Role>>,
    names: Vec<String>,
    by_name: HashMap<String, PairId>,
}

impl Pairs {
    /// `X_enter` and `X_exit` are a pair when the trace declares both.
    pub fn role(&mut self, record: &Record<'_>) -> Role {
        let index = record.index.get();
        if self.roles.len() <= index {
            self.roles.resize(index + 1, None);
        }
        if let Some(role) = self.roles[index] {
            return role;
        }
        let role = self.decide(record);
        self.roles[index] = Some(role);
        role
    }

    fn decide(&mut self, record: &Record<'_>) -> Role {
        let event = record.event;
        let name = event.name.as_str();
        if record.is_dropped() {
            return Role::Dropped;
        }
        if (name == THREAD_EVENT || name == DECL_EVENT) && is_id_and_text(event) {
            return Role::Runtime;
        }
        let declared = |other: String| record.events().find(&other).is_some();
        if let Some(base) = name.strip_suffix("_enter").filter(|b| !b.is_empty()) {
            if declared(format!("{base}_exit")) {
                return Role::Enter(self.pair(base));
            }
        }
        if let Some(base) = name.strip_suffix("_exit").filter(|b| !b.is_empty()) {
            if declared(format!("{base}_enter")) {
                return Role::Exit(self.pair(base));
            }
        }
        Role::Instant
    }

    fn pair(&mut self, base: &str) -> PairId {
        if let Some(&id) = self.by_name.get(base) {
            return id;
        }
        // At most one pair per declared event: bounded by the event table.
        let id = PairId(self.names.len() as u32);
        self.names.push(base.to_string());
        self.by_name.insert(base.to_string(), id);
        id
    }

    /// `X` of the pair.
    pub fn name(&self, id: PairId) -> &str {
        self.names.get(id.0 as usize).map_or("", String::as_str)
    }

    /// Every pair seen, in order of first appearance.
    pub fn ids(&self) -> impl Iterator<Item = PairId> {
        (0..self.names.len() as u32).map(PairId)
    }
}
