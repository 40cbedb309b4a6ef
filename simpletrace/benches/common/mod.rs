//! What the varied-trace benches share: the corpus's trace-events files, a
//! small deterministic generator and random argument payloads.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use trace_events::{Arg, ArgKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");

/// Every corpus `trace-events` file concatenated in path order (QEMU's
/// `trace-events-all`), then `extra`, in a temporary file.
pub fn corpus_events_file(extra: &str) -> tempfile::NamedTempFile {
    let mut files = Vec::new();
    trace_events_files(Path::new(CORPUS), &mut files);
    files.sort();
    let mut all = Vec::new();
    for file in &files {
        all.extend(fs::read(file).unwrap());
    }
    all.extend(extra.as_bytes());
    let mut events_file = tempfile::NamedTempFile::new().unwrap();
    events_file.write_all(&all).unwrap();
    events_file
}

/// A payload for `args`: strings of 0 to 100 pieces drawn from `alphabet`,
/// integers drawn from what `values` offers.
pub fn random_payload(
    rng: &mut Rng,
    args: &[Arg],
    alphabet: &[&[u8]],
    values: impl Fn(&mut Rng) -> Vec<u64>,
) -> Vec<u8> {
    let mut payload = Vec::new();
    for arg in args {
        if arg.kind == ArgKind::Str {
            let len = [0, 1, 3, 20, 100][rng.below(5)];
            let text: Vec<u8> = (0..len)
                .flat_map(|_| alphabet[rng.below(alphabet.len())].iter().copied())
                .collect();
            payload.extend((text.len() as u32).to_le_bytes());
            payload.extend(text);
        } else {
            let value = values(rng);
            payload.extend(value[rng.below(value.len())].to_le_bytes());
        }
    }
    payload
}

/// Every `trace-events` file under `dir`.
fn trace_events_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
