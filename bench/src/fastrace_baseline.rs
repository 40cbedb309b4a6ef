//! `fastrace` (`#[fastrace::trace]`), set up as its users do: a root span per
//! request with a local parent, spans collected per thread and handed to a
//! reporter thread. The reporter writes every span (name, start, duration)
//! to a file, as our writer writes every record, so both do the same work.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use fastrace::collector::{Config, Reporter, SpanRecord};

struct FileReporter(BufWriter<File>);

impl Reporter for FileReporter {
    fn report(&mut self, spans: Vec<SpanRecord>) {
        for span in spans {
            let _ = self.0.write_all(span.name.as_bytes());
            let _ = self.0.write_all(&span.begin_time_unix_ns.to_le_bytes());
            let _ = self.0.write_all(&span.duration_ns.to_le_bytes());
        }
        let _ = self.0.flush();
    }
}

/// Install the reporter writing to `path`.
pub fn install(path: &Path) -> std::io::Result<()> {
    let file = File::create(path)?;
    fastrace::set_reporter(FileReporter(BufWriter::new(file)), Config::default());
    Ok(())
}

/// Send what the reporter holds to it and wait.
pub fn flush() {
    fastrace::flush();
}

/// The small function of the `traced` bench, instrumented by fastrace.
#[inline(never)]
#[fastrace::trace]
pub fn traced(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}
