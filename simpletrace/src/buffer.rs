//! A chunked byte source: reads the input in large blocks and hands out
//! borrowed slices, so decoding does no per-record allocation or syscall.

use std::io::{self, Read};

/// Default block size: large enough that reads run at disk speed.
pub const DEFAULT_CAPACITY: usize = 128 << 10;

pub(crate) struct ByteSource<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
}

impl<R: Read> ByteSource<R> {
    pub fn new(inner: R, capacity: usize) -> Self {
        Self {
            inner,
            buf: vec![0; capacity.max(64)],
            start: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    /// File offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// The bytes read and not yet consumed.
    #[inline]
    pub fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Make at least `n` bytes available (fewer only at end of input) and
    /// return them. Callers bound `n` (it never comes unchecked from input).
    #[inline]
    pub fn fill(&mut self, n: usize) -> io::Result<&[u8]> {
        // Almost always the block already holds the record: no call.
        if self.end - self.start < n && !self.eof {
            self.refill(n)?;
        }
        Ok(&self.buf[self.start..self.end])
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self, n: usize) -> io::Result<()> {
        if self.buf.len() - self.start < n {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
        }
        while self.end - self.start < n {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(read) => self.end += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A non-blocking pipe with nothing in it yet: the end for
                // now (a growing reader waits, see `resume`).
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.eof = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The input may have grown since it ended (a file still being
    /// written): the next `fill` that needs more reads again.
    pub fn resume(&mut self) {
        self.eof = false;
    }

    /// Consume `n` available bytes and return them.
    #[inline]
    pub fn take(&mut self, n: usize) -> &[u8] {
        let from = self.start;
        self.start = (from + n).min(self.end);
        &self.buf[from..self.start]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most 3 bytes a call, to exercise refills.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(3).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn refills_across_block_boundaries_and_tracks_offsets() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut src = ByteSource::new(Trickle(&data), 64);
        let mut got = Vec::new();
        for size in [10usize, 63, 1, 100, 7].iter().cycle() {
            assert_eq!(src.offset(), got.len() as u64);
            let avail = src.fill(*size).unwrap().len();
            if avail == 0 {
                break;
            }
            let n = avail.min(*size);
            got.extend_from_slice(src.take(n));
        }
        assert_eq!(got, data);
    }

    /// Plays back a script of read results, one a call.
    struct Script(std::collections::VecDeque<io::Result<&'static [u8]>>);
    impl Read for Script {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match self.0.pop_front() {
                Some(Ok(bytes)) => {
                    out[..bytes.len()].copy_from_slice(bytes);
                    Ok(bytes.len())
                }
                Some(Err(e)) => Err(e),
                None => Ok(0),
            }
        }
    }

    fn script(steps: Vec<io::Result<&'static [u8]>>) -> ByteSource<Script> {
        ByteSource::new(Script(steps.into()), 64)
    }

    #[test]
    fn an_interrupted_read_is_retried() {
        let interrupted = io::Error::from(io::ErrorKind::Interrupted);
        let mut src = script(vec![Ok(b"ab"), Err(interrupted), Ok(b"cd")]);
        assert_eq!(src.fill(4).unwrap(), b"abcd");
    }

    #[test]
    fn a_read_error_is_returned() {
        let mut src = script(vec![Ok(b"ab"), Err(io::Error::other("disk"))]);
        assert_eq!(src.fill(4).unwrap_err().to_string(), "disk");
    }

    /// An empty non-blocking pipe, or a file at its current end: the input
    /// ends for now, and is read again only after `resume`.
    #[test]
    fn the_end_for_now_holds_until_resumed() {
        let would_block = io::Error::from(io::ErrorKind::WouldBlock);
        let mut src = script(vec![
            Ok(b"ab"),
            Err(would_block),
            Ok(b"cd"),
            Ok(b""),
            Ok(b"ef"),
        ]);
        assert_eq!(src.fill(4).unwrap(), b"ab");
        assert_eq!(src.fill(4).unwrap(), b"ab", "not read again before resume");
        src.resume();
        assert_eq!(src.fill(4).unwrap(), b"abcd");
        assert_eq!(src.take(4), b"abcd");
        assert_eq!(src.fill(2).unwrap(), b"", "the end, read once");
        assert_eq!(src.fill(2).unwrap(), b"", "and not read again");
        src.resume();
        assert_eq!(src.fill(2).unwrap(), b"ef");
    }

    #[test]
    fn short_at_end_of_input() {
        let mut src = ByteSource::new(&b"abcde"[..], 64);
        assert_eq!(src.fill(8).unwrap(), b"abcde");
        assert_eq!(src.take(5), b"abcde");
        assert_eq!(src.fill(1).unwrap(), b"");
    }
}
