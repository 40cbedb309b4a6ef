//! Timelines: which records are calls, one monotonic track per thread, and
//! the Chrome trace-event JSON export.

pub mod chrome;
pub mod pairs;
pub mod tracks;

pub use chrome::ChromeTrace;
pub use pairs::{PairId, Pairs, Role};
pub use tracks::{Closed, TrackKey, Tracks};
