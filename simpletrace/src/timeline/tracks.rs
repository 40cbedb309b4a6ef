//! One track per thread: timestamps made monotonic, and the stack of open
//! calls, kept properly nested; a dropped record
//! closes the calls open on its track. Memory is bounded: at most [`MAX_TRACKS`]
//! tracks of at most [`MAX_DEPTH`] open calls.

use std::collections::HashMap;

use super::pairs::PairId;

/// Tracks beyond this are not followed (their records become instants).
pub const MAX_TRACKS: usize = 1 << 16;
/// Calls nested deeper than this are not opened (their enter becomes an instant).
pub const MAX_DEPTH: usize = 1024;

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
    pub track: TrackKey,
    pub pair: PairId,
    pub start: u64,
    pub end: u64,
    pub ending: Ending,
}

#[derive(Debug, Default)]
struct Track {
    last_ts: u64,
    open: Vec<(PairId, u64)>,
}

#[derive(Debug, Default)]
pub struct Tracks {
    tracks: HashMap<TrackKey, Track>,
    max_ts: u64,
}

impl Tracks {
    /// `ts` made monotonic on its track (never before the track's previous
    /// record: per thread the file is in program order, but a clock switch or
    /// a batch timestamp could step back). `None` when the track is not
    /// followed (too many).
    pub fn at(&mut self, key: TrackKey, ts: u64) -> Option<u64> {
        let len = self.tracks.len();
        let track = match self.tracks.get_mut(&key) {
            Some(track) => track,
            None if len < MAX_TRACKS => self.tracks.entry(key).or_default(),
            None => return None,
        };
        track.last_ts = track.last_ts.max(ts);
        self.max_ts = self.max_ts.max(track.last_ts);
        Some(track.last_ts)
    }

    /// Open a call at `ts` (from [`Tracks::at`]); false when too deep.
    pub fn enter(&mut self, key: TrackKey, pair: PairId, ts: u64) -> bool {
        match self.tracks.get_mut(&key) {
            Some(track) if track.open.len() < MAX_DEPTH => {
                track.open.push((pair, ts));
                true
            }
            _ => false,
        }
    }

    /// End the innermost open call of `pair` at `ts`, first closing (forced)
    /// the calls opened inside it. Returns false, closing nothing, when no
    /// call of `pair` is open.
    pub fn exit(&mut self, key: TrackKey, pair: PairId, ts: u64, out: &mut Vec<Closed>) -> bool {
        let Some(track) = self.tracks.get_mut(&key) else {
            return false;
        };
        let Some(depth) = track.open.iter().rposition(|&(p, _)| p == pair) else {
            return false;
        };
        while track.open.len() > depth {
            let Some((p, start)) = track.open.pop() else {
                break;
            };
            let ending = if track.open.len() > depth {
                Ending::Unclosed
            } else {
                Ending::Exit
            };
            out.push(Closed {
                track: key,
                pair: p,
                start,
                end: ts,
                ending,
            });
        }
        true
    }

    /// A dropped record at `ts` (from [`Tracks::at`]) on the track: close
    /// every call open on it there, innermost first.
    pub fn cut(&mut self, key: TrackKey, ts: u64, out: &mut Vec<Closed>) {
        if let Some(track) = self.tracks.get_mut(&key) {
            close_all(key, track, ts, Ending::CutByDrop, out);
        }
    }

    /// Close every open call at the trace's last timestamp, innermost first.
    pub fn finish(&mut self, out: &mut Vec<Closed>) {
        let end = self.max_ts;
        let mut keys: Vec<TrackKey> = self.tracks.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            if let Some(track) = self.tracks.get_mut(&key) {
                close_all(key, track, end, Ending::Unclosed, out);
            }
        }
    }

    /// Number of tracks followed.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }
}

fn close_all(key: TrackKey, track: &mut Track, end: u64, ending: Ending, out: &mut Vec<Closed>) {
    while let Some((pair, start)) = track.open.pop() {
        out.push(Closed {
            track: key,
            pair,
            start,
            end,
            ending,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: TrackKey = (1, 7);
    const A: PairId = PairId(0);
    const B: PairId = PairId(1);

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
            .map(|c| (c.pair, c.start, c.end, c.ending))
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
                pair: A,
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
            .map(|c| (c.track, c.pair, c.end, c.ending))
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
