//! Timelines: which records are calls, one monotonic track per thread, one
//! walk over them shared by the exports (Chrome trace-event JSON, Perfetto's
//! protobuf format, a self-contained HTML view, and OpenTelemetry spans).

pub mod chrome;
pub mod html;
pub mod otlp;
pub mod pairs;
pub mod perfetto;
mod protobuf;
pub mod tracks;
pub mod walk;

pub use chrome::ChromeTrace;
pub use html::HtmlTimeline;
pub use otlp::{OtlpOptions, OtlpTrace};
pub use pairs::{Call, CallIds, PairId, Pairs, Role};
pub use perfetto::PerfettoTrace;
pub use protobuf::{read_field, WireValue};
pub use tracks::{Closed, Ending, TrackKey, Tracks};
pub use walk::{Draw, Instant, Walk};
