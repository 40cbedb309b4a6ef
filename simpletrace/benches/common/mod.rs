//! What the varied-trace benches share: the corpus's trace-events files and
//! a small deterministic generator.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `trace-events` file under `dir`.
pub fn trace_events_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            trace_events_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "trace-events") {
            out.push(path);
        }
    }
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
