//! Output built in memory and written in large blocks: the one write path
//! of the text printer and the timeline exports.

use std::io::{self, Write};

/// Write `buf` to `out` and empty it, once it holds `at` bytes or more.
#[inline]
pub(crate) fn write_if_full(out: &mut impl Write, buf: &mut Vec<u8>, at: usize) -> io::Result<()> {
    if buf.len() >= at {
        out.write_all(buf)?;
        buf.clear();
    }
    Ok(())
}

/// Write what `buf` holds to `out`, empty it, and flush `out`.
pub(crate) fn write_rest(out: &mut impl Write, buf: &mut Vec<u8>) -> io::Result<()> {
    out.write_all(buf)?;
    buf.clear();
    out.flush()
}
