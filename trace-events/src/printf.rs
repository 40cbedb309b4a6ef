//! C `printf` rendering of trace formats: the project's one formatter, used by
//! the reader's log output and the runtime's log backend.
//!
//! A format is compiled once ([`Format::parse`]) from the text QEMU's tracetool
//! hands to the C compiler (literals joined, PRI macros expanded, escapes as
//! written), then rendered per record ([`Format::render`]) into a byte buffer
//! with no allocation besides that buffer's growth. Rendering follows glibc on
//! x86-64 (LP64) for every conversion a trace can feed: flags `-+ #0`, width
//! and precision (also `*`), length modifiers `hh h l ll L q j z Z t`, and
//! `d i u o x X c s p %%`. The output is bytes: strings need not be UTF-8.

mod error;
mod escape;
mod format;
mod render;
mod spec;

/// The argument values [`Format::render`] takes ([`crate::Value`]).
pub use crate::value::Value;
pub use error::{FormatError, FormatErrorKind};
pub use format::{ArgRole, ArgUse, Format};
pub use spec::{Conv, Conversion, Count, Flags, Length};

/// The largest width or precision accepted (glibc allows up to `INT_MAX`);
/// the bound keeps a hostile format or `*` argument from demanding gigabytes.
pub const MAX_WIDTH: u32 = 4096;

// The reference is the host C library (glibc), through the host's `cc`.
#[cfg(all(test, not(windows)))]
mod glibc_cases;
#[cfg(all(test, not(windows)))]
mod glibc_oracle;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
