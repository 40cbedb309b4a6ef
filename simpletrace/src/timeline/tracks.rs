//! One track per thread: timestamps made monotonic, and the calls open on
//! it. Calls without an id or with a `call_id` are kept properly nested on
//! their thread; `async_call_id` calls may overlap and end on any thread of
//! their process, paired by id. A dropped record closes the calls open on
//! its track. Memory is bounded: at most [`MAX_TRACKS`] tracks of at most
//! [`MAX_DEPTH`] nested calls, and at most [`MAX_ASYNC`] async calls open.

use super::pairs::Call;
use crate::keyed::{Map, Runs, Set};

/// Tracks beyond this are not followed (their records become instants).
pub const MAX_TRACKS: usize = 1 << 16;
/// Calls nested deeper than this are not opened (their enter becomes an instant).
pub const MAX_DEPTH: usize = 1024;
/// Async calls open at once beyond this are not opened (their enter becomes
/// an instant).
pub const MAX_ASYNC: usize = 1 << 20;

/// A track: the process and the thread (the pid when the thread is unknown).
pub type TrackKey = (u32, u64);

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// With its exit.
    Exit,
    /// Closed without its exit: an outer call's exit came first, or the
    /// trace ended.
    Unclosed,
    /// A dropped record on its thread: its exit may be among the lost events,
    /// so the call ends where the loss is known.
    CutByDrop,
}

/// A call that ended (or was closed to keep calls nested).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    /// Where it ends: its exit's track (for an async call, maybe not the
    /// one it started on), or the track of the drop or of its enter.
    pub track: TrackKey,
    /// Which call.
    pub call: Call,
    /// Timestamp of its enter.
    pub start: u64,
    /// Timestamp of its exit, of the drop that cut it, or of what closed it (an
    /// outer call's exit, the trace's end).
    pub end: u64,
    /// How it ended.
    pub ending: Ending,
}

#[derive(Debug, Default)]
struct Track {
    last_ts: u64,
    /// Nested calls, innermost last, with their start.
    open: Vec<(Call, u64)>,
    /// Ids of the async calls entered here and still open.
    async_open: Set<u64>,
}

/// An open async call.
#[derive(Debug, Clone, Copy)]
struct AsyncOpen {
    call: Call,
    start: u64,
    /// Where it was entered.
    track: TrackKey,
}

/// The calls open on every track, and the async calls open by (pid, id): pairs
/// each exit with its enter, in bounded memory.
#[derive(Debug, Default)]
pub struct Tracks {
    tracks: Runs<TrackKey, Track>,
    /// By process and id (ids are unique in a process).
    async_open: Map<(u32, u64), AsyncOpen>,
    max_ts: u64,
}

impl Tracks {
    /// `ts` made monotonic on its track (never before the track's previous
    /// record: per thread the file is in program order, but a clock switch or
    /// a batch timestamp could step back). `None` when the track is not
    /// followed (too many).
    pub fn at(&mut self, key: TrackKey, ts: u64) -> Option<u64> {
        let len = self.tracks.len();
        let track = match self.tracks.get_mut(key) {
            Some(track) => track,
            None if len < MAX_TRACKS => self.tracks.insert(key, Track::default()),
            None => return None,
        };
        track.last_ts = track.last_ts.max(ts);
        self.max_ts = self.max_ts.max(track.last_ts);
        Some(track.last_ts)
    }

    /// Open a call at `ts` (from [`Tracks::at`]); false when too deep, too
    /// many async calls are open or its async id is open already.
    pub fn enter(&mut self, key: TrackKey, call: Call, ts: u64) -> bool {
        let Some(track) = self.tracks.get_mut(key) else {
            return false;
        };
        match call.id {
            Some(id) if call.is_async => {
                let slot = (key.0, id);
                // An id already open (a signal handler's call can repeat the
                // id of the call it interrupted): this enter is an instant.
                if self.async_open.len() >= MAX_ASYNC || self.async_open.contains_key(&slot) {
                    return false;
                }
                let open = AsyncOpen {
                    call,
                    start: ts,
                    track: key,
                };
                track.async_open.insert(id);
                self.async_open.insert(slot, open);
                true
            }
            _ if track.open.len() < MAX_DEPTH => {
                track.open.push((call, ts));
                true
            }
            _ => false,
        }
    }

    /// End `call` at `ts`. A nested call ends the innermost open call of its
    /// pair (and id), first closing (unclosed) the calls opened inside it; an
    /// async call ends the open call of its id, wherever it started. Returns
    /// false, closing nothing, when no such call is open.
    pub fn exit(&mut self, key: TrackKey, call: Call, ts: u64, out: &mut Vec<Closed>) -> bool {
        if let (Some(id), true) = (call.id, call.is_async) {
            return self.exit_async(key, call, id, ts, out);
        }
        let Some(track) = self.tracks.get_mut(key) else {
            return false;
        };
        let Some(depth) = track
            .open
            .iter()
            .rposition(|(c, _)| c.pair == call.pair && c.id == call.id)
        else {
            return false;
        };
        while track.open.len() > depth {
            let Some((c, start)) = track.open.pop() else {
                break;
            };
            let ending = if track.open.len() > depth {
                Ending::Unclosed
            } else {
                Ending::Exit
            };
            out.push(Closed {
                track: key,
                call: c,
                start,
                end: ts,
                ending,
            });
        }
        true
    }

    fn exit_async(
        &mut self,
        key: TrackKey,
        call: Call,
        id: u64,
        ts: u64,
        out: &mut Vec<Closed>,
    ) -> bool {
        let slot = (key.0, id);
        match self.async_open.get(&slot) {
            Some(open) if open.call.pair == call.pair => {}
            _ => return false,
        }
        let Some(open) = self.async_open.remove(&slot) else {
            return false;
        };
        if let Some(track) = self.tracks.get_mut(open.track) {
            track.async_open.remove(&id);
        }
        out.push(Closed {
            track: key,
            call: open.call,
            start: open.start,
            // Another thread's clock may be a little behind.
            end: ts.max(open.start),
            ending: Ending::Exit,
        });
        true
    }

    /// A dropped record at `ts` (from [`Tracks::at`]) on the track: close
    /// every call open on it there (the nested ones innermost first, then the
    /// async ones entered on it, by start).
    pub fn cut(&mut self, key: TrackKey, ts: u64, out: &mut Vec<Closed>) {
        self.close_track(key, ts, Ending::CutByDrop, out);
    }

    /// Close every open call at the trace's last timestamp.
    pub fn finish(&mut self, out: &mut Vec<Closed>) {
        let end = self.max_ts;
        let mut keys: Vec<TrackKey> = self.tracks.keys().collect();
        keys.sort_unstable();
        for key in keys {
            self.close_track(key, end, Ending::Unclosed, out);
        }
    }

    fn close_track(&mut self, key: TrackKey, end: u64, ending: Ending, out: &mut Vec<Closed>) {
        let Some(track) = self.tracks.get_mut(key) else {
            return;
        };
        while let Some((call, start)) = track.open.pop() {
            out.push(Closed {
                track: key,
                call,
                start,
                end,
                ending,
            });
        }
        if track.async_open.is_empty() {
            return;
        }
        let mut calls: Vec<AsyncOpen> = track
            .async_open
            .drain()
            .filter_map(|id| self.async_open.remove(&(key.0, id)))
            .collect();
        calls.sort_unstable_by_key(|open| (open.start, open.call.id));
        out.extend(calls.into_iter().map(|open| Closed {
            track: key,
            call: open.call,
            start: open.start,
            end: end.max(open.start),
            ending,
        }));
    }

    /// Number of tracks followed.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    /// Whether no track was seen.
    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::PairId;

    const T: TrackKey = (1, 7);
    const A: Call = nested(0, None);
    const B: Call = nested(1, None);

    const fn nested(pair: u32, id: Option<u64>) -> Call {
        Call {
            pair: PairId(pair),
            id,
            is_async: false,
        }
    }

    const fn task(pair: u32, id: u64) -> Call {
        Call {
            pair: PairId(pair),
            id: Some(id),
            is_async: true,
        }
    }

    #[test]
    fn timestamps_never_go_back_on_a_track() {
        let mut tracks = Tracks::default();
        assert_eq!(tracks.at(T, 100), Some(100));
        assert_eq!(tracks.at(T, 90), Some(100));
        assert_eq!(tracks.at((1, 8), 50), Some(50));
        assert_eq!(tracks.at(T, 120), Some(120));
    }

    #[test]
    fn an_outer_exit_closes_the_inner_calls_first() {
        let mut tracks = Tracks::default();
        let mut out = Vec::new();
        tracks.at(T, 0);
        assert!(tracks.enter(T, A, 10));
        assert!(tracks.enter(T, B, 20));
        assert!(tracks.exit(T, A, 30, &mut out));
        let ends: Vec<_> = out
            .iter()
            .map(|c| (c.call, c.start, c.end, c.ending))
            .collect();
        assert_eq!(
            ends,
            [(B, 20, 30, Ending::Unclosed), (A, 10, 30, Ending::Exit)]
        );
        out.clear();
        assert!(!tracks.exit(T, A, 40, &mut out), "nothing open");
        assert!(out.is_empty());
    }

    #[test]
    fn finish_closes_open_calls_at_the_last_timestamp() {
        let mut tracks = Tracks::default();
        let mut out = Vec::new();
        tracks.at(T, 10);
        tracks.enter(T, A, 10);
        tracks.at((2, 2), 500);
        tracks.finish(&mut out);
        assert_eq!(
            out,
            [Closed {
                track: T,
                call: A,
                start: 10,
                end: 500,
                ending: Ending::Unclosed
            }]
        );
    }

    #[test]
    fn a_drop_cuts_the_open_calls_of_its_track_only() {
        let mut tracks = Tracks::default();
        let mut out = Vec::new();
        tracks.at(T, 10);
        tracks.enter(T, A, 10);
        tracks.enter(T, B, 12);
        tracks.at((2, 2), 11);
        tracks.enter((2, 2), A, 11);
        tracks.cut(T, 20, &mut out);
        let ends: Vec<_> = out
            .iter()
            .map(|c| (c.track, c.call, c.end, c.ending))
            .collect();
        assert_eq!(
            ends,
            [(T, B, 20, Ending::CutByDrop), (T, A, 20, Ending::CutByDrop)]
        );
        out.clear();
        assert!(!tracks.exit(T, A, 30, &mut out), "nothing left open");
        assert!(tracks.exit((2, 2), A, 30, &mut out));
    }

    #[test]
    fn a_nested_exit_ends_the_call_of_its_id() {
        let mut tracks = Tracks::default();
        let mut out = Vec::new();
        tracks.at(T, 0);
        // f(1) calls f(2), whose exit is lost; f(1)'s exit closes both.
        assert!(tracks.enter(T, nested(0, Some(1)), 10));
        assert!(tracks.enter(T, nested(0, Some(2)), 20));
        assert!(tracks.exit(T, nested(0, Some(1)), 30, &mut out));
        let ends: Vec<_> = out.iter().map(|c| (c.call.id, c.ending)).collect();
        assert_eq!(ends, [(Some(2), Ending::Unclosed), (Some(1), Ending::Exit)]);
        out.clear();
        assert!(!tracks.exit(T, nested(0, Some(2)), 40, &mut out));
    }

    #[test]
    fn async_calls_overlap_and_end_by_id_on_any_thread() {
        let mut tracks = Tracks::default();
        let mut out = Vec::new();
        let other = (1, 8);
        tracks.at(T, 0);
        tracks.at(other, 0);
        for (id, ts) in [(1, 10), (2, 11), (3, 12)] {
            assert!(tracks.enter(T, task(0, id), ts));
        }
        assert!(tracks.exit(T, task(0, 1), 20, &mut out));
        assert!(
            !tracks.exit(T, task(1, 2), 25, &mut out),
            "another pair's id"
        );
        assert!(tracks.exit(other, task(0, 2), 30, &mut out));
        let ends: Vec<_> = out
            .iter()
            .map(|c| (c.track, c.call.id, c.start, c.end, c.ending))
            .collect();
        assert_eq!(
            ends,
            [
                (T, Some(1), 10, 20, Ending::Exit),
                (other, Some(2), 11, 30, Ending::Exit)
            ]
        );
        assert!(!tracks.exit(T, task(0, 1), 40, &mut out), "ended already");
        assert!(!tracks.enter(T, task(0, 3), 41), "id 3 is open");
        // Call 3 is cut by a drop on the thread it started on, not elsewhere.
        out.clear();
        tracks.cut(other, 50, &mut out);
        assert!(out.is_empty());
        tracks.cut(T, 60, &mut out);
        let ends: Vec<_> = out.iter().map(|c| (c.call.id, c.end, c.ending)).collect();
        assert_eq!(ends, [(Some(3), 60, Ending::CutByDrop)]);
        out.clear();
        tracks.finish(&mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn finish_closes_async_calls_in_start_order() {
        let mut tracks = Tracks::default();
        let mut out = Vec::new();
        tracks.at(T, 0);
        tracks.enter(T, task(0, 9), 20);
        tracks.enter(T, task(0, 4), 10);
        tracks.at(T, 70);
        tracks.finish(&mut out);
        let ends: Vec<_> = out.iter().map(|c| (c.call.id, c.end, c.ending)).collect();
        assert_eq!(
            ends,
            [
                (Some(4), 70, Ending::Unclosed),
                (Some(9), 70, Ending::Unclosed)
            ]
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut tracks = Tracks::default();
        tracks.at(T, 0);
        for _ in 0..MAX_DEPTH {
            assert!(tracks.enter(T, A, 0));
        }
        assert!(!tracks.enter(T, A, 0));
        assert!(!tracks.enter((9, 9), A, 0), "unknown track");
    }
}
