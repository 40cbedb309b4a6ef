//! The simple backend's trace file: the header and every mapping first, so
//! each file opened is a complete trace on its own, then the writer's
//! batches (with the definitions of events registered since the last one),
//! written whole or cut back to the last good record. It lives behind a
//! mutex in the control block, shared by the writer thread (one lock per
//! write, uncontended) and the `trace_file_*` calls (`file_control.rs`), so
//! a switch never splits a write.

use std::fs::File;
use std::io::{self, IoSlice, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::table;

pub(crate) struct TraceFile {
    path: PathBuf,
    /// `None` while the file is off.
    file: Option<File>,
    /// Bytes of the file known to be good; a failed write is cut back to it.
    good_len: u64,
    /// The header and mappings are not in the file yet (a failed write).
    needs_preamble: bool,
    /// Registered events whose mapping and declaration are in the file.
    registered_written: usize,
}

/// What became of one batch.
pub(crate) enum Written {
    Yes,
    /// The file is off: the batch was discarded.
    Off,
    /// The write failed (counted in `write_errors`).
    Failed,
}

impl TraceFile {
    /// A file that is off (the log backend alone).
    pub(crate) fn off(path: PathBuf) -> Self {
        TraceFile {
            path,
            file: None,
            good_len: 0,
            needs_preamble: false,
            registered_written: 0,
        }
    }

    /// Create (truncate) `path` and write the preamble; a failed preamble
    /// write is counted and retried with the next batch.
    pub(crate) fn create(
        path: PathBuf,
        preamble: &[u8],
        errors: &AtomicU64,
    ) -> std::io::Result<Self> {
        let file = File::create(&path)?;
        let mut t = TraceFile {
            path,
            file: Some(file),
            good_len: 0,
            needs_preamble: true,
            registered_written: 0,
        };
        t.write_preamble(preamble, errors);
        Ok(t)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn is_on(&self) -> bool {
        self.file.is_some()
    }

    /// Close the file (turned off, or the trace has stopped).
    pub(crate) fn close(&mut self) {
        self.file = None;
    }

    fn write_preamble(&mut self, preamble: &[u8], errors: &AtomicU64) -> bool {
        if self.needs_preamble && self.write_all(&[preamble], errors) {
            self.needs_preamble = false;
        }
        !self.needs_preamble
    }

    /// Append whole records, given as slices written in order with as few
    /// `writev` calls as they take; never blocks on anything but the file itself.
    pub(crate) fn write_batch(
        &mut self,
        preamble: &[u8],
        batch: &[&[u8]],
        errors: &AtomicU64,
    ) -> Written {
        if self.file.is_none() {
            return Written::Off;
        }
        // Without the header in the file, records alone would be unreadable.
        if !self.write_preamble(preamble, errors) {
            return Written::Failed;
        }
        // Events registered since the last write: their mappings and
        // declarations go first (every record of the batch was made after
        // its event was registered, so before this count was read).
        let registered = table::count();
        if registered > self.registered_written {
            let mut definitions = Vec::new();
            table::push_definitions(
                &mut definitions,
                self.registered_written,
                registered,
                crate::clock::now_ns(),
                crate::local::PID.load(Ordering::Relaxed),
            );
            let mut slices = Vec::with_capacity(batch.len() + 1);
            slices.push(&definitions[..]);
            slices.extend_from_slice(batch);
            if !self.write_all(&slices, errors) {
                return Written::Failed;
            }
            self.registered_written = registered;
            return Written::Yes;
        }
        if !self.write_all(batch, errors) {
            return Written::Failed;
        }
        Written::Yes
    }

    fn write_all(&mut self, bytes: &[&[u8]], errors: &AtomicU64) -> bool {
        let Some(file) = self.file.as_mut() else {
            return false;
        };
        let len: usize = bytes.iter().map(|b| b.len()).sum();
        match write_all_vectored(file, bytes) {
            Ok(()) => {
                self.good_len += len as u64;
                true
            }
            Err(_) => {
                errors.fetch_add(1, Ordering::Release);
                // Keep the file a sequence of whole records (fails harmlessly on
                // devices and pipes).
                if file.set_len(self.good_len).is_ok() {
                    let _ = file.seek(SeekFrom::Start(self.good_len));
                }
                false
            }
        }
    }
}

/// Slices per `writev` call (Linux's `IOV_MAX`).
const IOV_MAX: usize = 1024;

/// `write_all` for a list of slices with `writev` (std's `write_all_vectored`
/// is unstable): short writes resume where they stopped.
pub(crate) fn write_all_vectored(file: &mut impl Write, bufs: &[&[u8]]) -> io::Result<()> {
    // The first slice not written whole, and how much of it is written.
    let (mut first, mut done) = (0, 0);
    let mut iov = Vec::with_capacity(bufs.len().min(IOV_MAX));
    loop {
        while first < bufs.len() && done == bufs[first].len() {
            (first, done) = (first + 1, 0);
        }
        let Some((head, rest)) = bufs[first..].split_first() else {
            return Ok(());
        };
        iov.clear();
        iov.push(IoSlice::new(&head[done..]));
        iov.extend(rest.iter().take(IOV_MAX - 1).map(|b| IoSlice::new(b)));
        let mut n = match file.write_vectored(&iov) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        while n > 0 {
            let left = bufs[first].len() - done;
            if n < left {
                done += n;
                break;
            }
            n -= left;
            (first, done) = (first + 1, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most 7 bytes from at most 2 slices per call, sometimes
    /// interrupted: every resume point is exercised.
    struct Stingy {
        out: Vec<u8>,
        calls: u32,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(buf)])
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            assert!(bufs.len() <= IOV_MAX);
            self.calls += 1;
            if self.calls % 5 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let before = self.out.len();
            for b in bufs.iter().take(2) {
                let room = 7 - (self.out.len() - before);
                self.out.extend_from_slice(&b[..b.len().min(room)]);
            }
            Ok(self.out.len() - before)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn vectored_writes_resume_after_short_and_interrupted_writes() {
        // A few bytes a call: under Miri the 3,000 parts took minutes.
        let n: u32 = if cfg!(miri) { 300 } else { 3000 };
        let parts: Vec<Vec<u8>> = (0..n)
            .map(|i| (0..i % 11).map(|j| (i + j) as u8).collect())
            .collect();
        let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let mut w = Stingy {
            out: Vec::new(),
            calls: 0,
        };
        write_all_vectored(&mut w, &slices).unwrap();
        assert_eq!(w.out, parts.concat());
    }

    #[test]
    #[cfg(unix)] // /dev/full, the file whose writes fail, is a Unix device
    fn a_failed_write_is_cut_back_and_the_preamble_retried() {
        let dir = tempfile::tempdir().unwrap();
        let errors = AtomicU64::new(0);
        let mut t = TraceFile::create(dir.path().join("t"), b"HEAD", &errors).unwrap();
        assert!(matches!(
            t.write_batch(b"HEAD", &[b"re", b"c1"], &errors),
            Written::Yes
        ));
        assert_eq!(std::fs::read(dir.path().join("t")).unwrap(), b"HEADrec1");

        let mut full = TraceFile::create("/dev/full".into(), b"HEAD", &errors).unwrap();
        assert_eq!(errors.load(Ordering::Relaxed), 1);
        assert!(matches!(
            full.write_batch(b"HEAD", &[b"rec"], &errors),
            Written::Failed
        ));
        assert_eq!(
            errors.load(Ordering::Relaxed),
            2,
            "preamble retried, batch not attempted"
        );

        let mut off = TraceFile::off("x".into());
        assert!(matches!(
            off.write_batch(b"HEAD", &[b"rec"], &errors),
            Written::Off
        ));
        t.close();
        assert!(!t.is_on());
    }
}
