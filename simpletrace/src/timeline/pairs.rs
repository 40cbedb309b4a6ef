//! What a record means on a timeline: the start or end of a call (declared
//! `X_enter`/`X_exit` pairs, which `#[traced]` also emits), a runtime record,
//! or a point in time. A pair whose two events both start with a 64-bit
//! `call_id` (or `async_call_id`) argument, as `#[traced]` declares them, says
//! which exit ends which call.

use trace_events::{ArgKind, Event};

use crate::keyed::Map;
use crate::{Record, Value};
use trace_events::v4::{is_id_and_text, DECL_EVENT, THREAD_EVENT};

/// Index of a pair name (`X` of `X_enter`/`X_exit`) in [`Pairs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairId(pub u32);

/// How the calls of a pair are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallIds {
    /// No id (QEMU's traces, hand-written pairs): an exit ends the innermost
    /// open call of its pair.
    None,
    /// `call_id` first: an exit ends the open call with its id; calls nest
    /// (a synchronous function).
    Nested,
    /// `async_call_id` first: calls may overlap on a thread (an `async fn`),
    /// and an exit may come on another thread; paired by id alone.
    Async,
}

/// First argument name of both events of a pair with [`CallIds::Nested`].
pub const CALL_ID: &str = "call_id";
/// First argument name of both events of a pair with [`CallIds::Async`].
pub const ASYNC_CALL_ID: &str = "async_call_id";
/// The `bool` after the call id of a `#[traced]` exit that records its
/// return: false when the call ended without returning (a panic unwinding,
/// a future dropped).
pub const RETURNED: &str = "returned";

/// One enter or exit: its pair, and the call's id when the pair has ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// The enter/exit pair the call belongs to.
    pub pair: PairId,
    /// The call's id (its first argument) when the pair has ids.
    pub id: Option<u64>,
    /// Whether the call is an async one, paired by id alone and free to overlap
    /// others on its thread.
    pub is_async: bool,
}

impl Call {
    /// The call `record` (an enter or exit of `pair`) belongs to.
    pub fn of(record: &Record<'_>, pair: PairId, ids: CallIds) -> Call {
        let id = match (ids, record.args().next()) {
            (CallIds::None, _) => None,
            (_, Some((_, Value::Int(id)))) => Some(id),
            _ => None,
        };
        Call {
            pair,
            id,
            is_async: ids == CallIds::Async && id.is_some(),
        }
    }
}

/// What a record is to a timeline, decided from its event's name and arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `X_enter` of a declared `X_exit`: starts a call.
    Enter(PairId, CallIds),
    /// `X_exit` of a declared `X_enter`: ends a call.
    Exit(PairId, CallIds),
    /// A dropped record.
    Dropped,
    /// `trace_thread` or `trace_event_decl`: about the trace, not the program.
    Runtime,
    /// Any other program event: a point in time.
    Instant,
}

/// Roles by event, decided once per event.
#[derive(Debug, Default)]
pub struct Pairs {
    roles: Vec<Option<Role>>,
    names: Vec<String>,
    by_name: Map<String, PairId>,
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
        let events = record.events();
        let declared = |other: String| events.find(&other).map(|i| events.event(i));
        if let Some(base) = name.strip_suffix("_enter").filter(|b| !b.is_empty()) {
            if let Some(exit) = declared(format!("{base}_exit")) {
                return Role::Enter(self.pair(base), call_ids(event, exit));
            }
        }
        if let Some(base) = name.strip_suffix("_exit").filter(|b| !b.is_empty()) {
            if let Some(enter) = declared(format!("{base}_enter")) {
                return Role::Exit(self.pair(base), call_ids(enter, event));
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

/// Ids when both events start with the same id argument, an integer.
fn call_ids(enter: &Event, exit: &Event) -> CallIds {
    fn first(e: &Event) -> Option<&str> {
        e.args
            .first()
            .filter(|a| matches!(a.kind, ArgKind::Int(_)))
            .map(|a| a.name.as_str())
    }
    match (first(enter), first(exit)) {
        (Some(CALL_ID), Some(CALL_ID)) => CallIds::Nested,
        (Some(ASYNC_CALL_ID), Some(ASYNC_CALL_ID)) => CallIds::Async,
        _ => CallIds::None,
    }
}
