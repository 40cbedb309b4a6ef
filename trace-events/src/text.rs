//! Values as the tools print them, shared by the reader's outputs and the
//! runtime's log backend: integers built in registers, Python's `repr()` of
//! bytes, and QEMU's log line around the printf rendering.

mod bytes_repr;
pub mod digits;
mod log_line;

pub use bytes_repr::{write_bytes_repr, ReprPlan};
pub use digits::{write_dec, write_hex};
pub use log_line::{write_name_values, write_timestamp_prefix};
