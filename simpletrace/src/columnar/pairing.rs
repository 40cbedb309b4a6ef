//! Calls from `X_enter`/`X_exit` records, paired as `simpletrace stats` and
//! the timelines pair them ([`Pairs`] and [`Tracks`]: an exit ends the
//! innermost open call of its pair and `call_id`, an `async_call_id` call
//! ends by its id on any thread of its process, a dropped record cuts the
//! calls open on its thread, the trace's end closes the rest).
//!
//! Each open call keeps its enter's argument bytes until it ends, in
//! buffers reused from call to call. Open calls are bounded by [`Tracks`];
//! their bytes by [`MAX_PENDING_BYTES`], past which a call's arguments are
//! not kept (its `args_*` are NULL).

use std::rc::Rc;

use super::calls::{CallKeys, CallRow, CallRows};
use super::raw_args::{EventDecls, RowArgs};
use super::source::{RowThread, Source};
use crate::keyed::Map;
use crate::timeline::{Call, Closed, Ending, Pairs, Role, TrackKey, Tracks};
use crate::Record;

/// Argument bytes kept for the calls open at once.
pub const MAX_PENDING_BYTES: usize = 256 << 20;
/// Buffers kept for reuse.
const POOL: usize = 4096;

/// An open call: what its row needs of its enter.
#[derive(Debug)]
struct Pending {
    seq: u64,
    thread: Option<(u64, Rc<str>)>,
    /// The enter's event index (its declarations in [`Pairing::decls`]:
    /// not a reference count touched a call, on a line other threads read).
    event: usize,
    /// The enter's argument bytes; `None` past [`MAX_PENDING_BYTES`].
    args: Option<Vec<u8>>,
}

/// Pairs one file's records into calls.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    tracks: Tracks,
    closed: Vec<Closed>,
    /// Per track, parallel to the nested calls [`Tracks`] keeps open there.
    nested: Map<TrackKey, Vec<Pending>>,
    /// By process and id, as [`Tracks`] keeps async calls.
    asyncs: Map<(u32, u64), Pending>,
    /// Argument declarations by event index, shared by its open calls.
    decls: EventDecls,
    pool: Vec<Vec<u8>>,
    pending_bytes: usize,
}

/// Where the calls that end go.
pub(crate) struct Out<'a> {
    pub rows: &'a mut CallRows,
    pub source: &'a Source,
    pub keys: &'a mut CallKeys,
    pub pairs: &'a Pairs,
}

impl Pairing {
    /// Follow `record` (of `role`, the `seq`th of its file); the calls it
    /// ends go to `out`.
    pub fn record(
        &mut self,
        role: Role,
        record: &Record<'_>,
        thread: RowThread<'_>,
        seq: u64,
        out: Out<'_>,
    ) {
        let key = (
            record.pid,
            thread.map_or(u64::from(record.pid), |(tid, _)| tid),
        );
        // Every record keeps its track's clock monotonic, as in `stats`.
        let Some(ts) = self.tracks.at(key, record.timestamp_ns) else {
            return;
        };
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        match role {
            Role::Enter(pair, ids) => {
                let call = Call::of(record, pair, ids);
                if self.tracks.enter(key, call, ts) {
                    let pending = self.pending(record, thread, seq);
                    match call.id {
                        Some(id) if call.is_async => {
                            self.asyncs.insert((key.0, id), pending);
                        }
                        _ => self.nested.entry(key).or_default().push(pending),
                    }
                }
            }
            Role::Exit(pair, ids) => {
                let call = Call::of(record, pair, ids);
                if self.tracks.exit(key, call, ts, &mut closed) {
                    self.emit(&closed, Some((record, seq)), out);
                }
            }
            Role::Dropped => {
                self.tracks.cut(key, ts, &mut closed);
                self.emit(&closed, None, out);
            }
            Role::Runtime | Role::Instant => {}
        }
        self.closed = closed;
    }

    /// The end of the file: close the calls still open.
    pub fn finish(&mut self, out: Out<'_>) {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        self.tracks.finish(&mut closed);
        self.emit(&closed, None, out);
        self.closed = closed;
    }

    fn pending(&mut self, record: &Record<'_>, thread: RowThread<'_>, seq: u64) -> Pending {
        let (event, _) = self.decls.of(record);
        let bytes = record.arg_bytes;
        let args = (self.pending_bytes + bytes.len() <= MAX_PENDING_BYTES).then(|| {
            self.pending_bytes += bytes.len();
            let mut buf = self.pool.pop().unwrap_or_default();
            buf.extend_from_slice(bytes);
            buf
        });
        let thread = thread.map(|(tid, name)| (tid, name.clone()));
        Pending {
            seq,
            thread,
            event,
            args,
        }
    }

    /// A row for each call in `closed`; `exit` is the record (and its seq)
    /// that ended the one ending by its exit.
    fn emit(&mut self, closed: &[Closed], exit: Option<(&Record<'_>, u64)>, out: Out<'_>) {
        for c in closed {
            let pending = match c.call.id {
                Some(id) if c.call.is_async => self.asyncs.remove(&(c.track.0, id)),
                _ => self.nested.get_mut(&c.track).and_then(Vec::pop),
            };
            // Kept for every call `Tracks` opened: always there.
            let Some(pending) = pending else { continue };
            let exit = exit.filter(|_| c.ending == Ending::Exit);
            let row = CallRow {
                pid: c.track.0,
                thread: pending.thread.as_ref().map(|(tid, name)| (*tid, name)),
                pair: c.call.pair,
                name: out.pairs.name(c.call.pair),
                id: c.call.id,
                is_async: c.call.is_async,
                start: c.start,
                end: c.end,
                ending: c.ending,
                enter_seq: pending.seq,
                exit_seq: exit.map(|(_, seq)| seq),
            };
            // The exit's declarations noted first: then both are only read.
            let exit_event = exit.map(|(record, _)| (record, self.decls.of(record).0));
            let args = pending.args.as_deref().and_then(|bytes| {
                let decls = self.decls.get(pending.event)?;
                Some(RowArgs {
                    event: pending.event,
                    decls,
                    bytes,
                })
            });
            let exit_args = exit_event.and_then(|(record, event)| {
                Some(RowArgs {
                    event,
                    decls: self.decls.get(event)?,
                    bytes: record.arg_bytes,
                })
            });
            out.rows.push(out.source, out.keys, &row, args, exit_args);
            if let Some(mut buf) = pending.args {
                self.pending_bytes -= buf.len();
                if self.pool.len() < POOL && buf.capacity() <= 4096 {
                    buf.clear();
                    self.pool.push(buf);
                }
            }
        }
    }
}
