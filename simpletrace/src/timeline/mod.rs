//! Timelines: which records are calls, one monotonic track per thread, and
//! the Chrome trace-event JSON export, and a self-contained HTML view.

pub mod chrome;
pub mod html;
pub mod pairs;
pub mod tracks;

pub use chrome::ChromeTrace;
pub use html::HtmlTimeline;
pub use pairs::{Call, CallIds, PairId, Pairs, Role};
pub use tracks::{Closed, Ending, TrackKey, Tracks};
