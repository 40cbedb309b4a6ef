//! Output formats of the CLI: each a [`RecordFormat`], printed to any `Write`
//! by the [`Printer`] analyzer.

mod bytes_repr;
mod delta;
mod digits;
pub mod json;
pub mod log;
mod padded;
mod printer;
pub mod simpletrace_py;
mod templates;

pub use bytes_repr::write_bytes_repr;
pub use delta::write_delta_us;
pub(crate) use digits::{write_dec, write_hex};
pub use json::Json;
pub use log::Log;
pub use printer::{Printer, RecordFormat};
pub use simpletrace_py::SimpletracePy;
