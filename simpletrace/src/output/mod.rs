//! Output formats of the CLI: each a [`RecordFormat`], printed to any `Write`
//! by the [`Printer`] analyzer.

mod delta;
pub mod json;
pub mod log;
mod printer;
pub mod simpletrace_py;
mod templates;
mod window;

pub use delta::write_delta_us;
pub use json::Json;
pub use log::Log;
pub use printer::{Printer, RecordFormat};
pub use simpletrace_py::SimpletracePy;
pub use trace_events::text::write_bytes_repr;
pub(crate) use trace_events::text::{write_dec, write_hex};
