//! Helpers shared by the fuzz targets: turning fuzzer bytes into printf
//! arguments, and the invariants every compiled format must keep.

pub mod bytes;
pub mod printf_check;
