//! Helpers shared by the fuzz targets: turning fuzzer bytes into printf
//! arguments, the invariants every compiled format must keep, and the event
//! table the trace targets decode against.

pub mod bytes;
pub mod printf_check;
pub mod trace_table;
