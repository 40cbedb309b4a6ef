//! The README's main job: a small program with its own trace-events file and
//! functions traced with `#[traced]`. It records a trace while doing some
//! (simulated) block I/O on two threads (`device.rs`), then decodes the file it
//! wrote, first as QEMU's simpletrace.py prints it, then as QEMU's log backend
//! prints it.
//!
//! Usage: `cargo run --release -p demo [TRACE_FILE]` (default `trace-<pid>`).
//! The trace is self-describing: `simpletrace TRACE_FILE` decodes it with no
//! trace-events file; `simpletrace events --from-trace TRACE_FILE` prints the
//! declarations QEMU's simpletrace.py needs to read it; `simpletrace export
//! --chrome OUT.json TRACE_FILE` writes its timeline (calls as nested slices).

use std::error::Error;
use std::io;
use std::path::Path;

use simpletrace::output::{Log, Printer, RecordFormat, SimpletracePy};
use simpletrace::{process, EventTable, Filter, Reader, Selected};

mod device;

mod trace {
    trace_runtime::trace_events!("trace-events");
}

fn main() -> Result<(), Box<dyn Error>> {
    let path: std::path::PathBuf = std::env::args_os()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(|| format!("trace-{}", std::process::id()).into());

    let guard = trace_runtime::Config::new().file(&path).start()?;
    let checksum = device::run_device("vda", 2);
    // Dropping the guard flushes every thread's buffer and closes the file.
    drop(guard);
    println!("checksum {checksum}; trace written to {}", path.display());

    println!("\n== as QEMU's simpletrace.py prints it ==");
    print(&path, SimpletracePy::default())?;
    println!("\n== as QEMU's log backend prints it ==");
    print(&path, Log::default())?;
    Ok(())
}

/// Decode `path` with no trace-events file (the trace carries its
/// declarations), leaving out the declaration records themselves.
fn print(path: &Path, format: impl RecordFormat) -> Result<(), Box<dyn Error>> {
    let mut reader = Reader::open(path, EventTable::new([]))?;
    let filter = Filter::default().event("-trace_event_decl");
    let mut printer = Selected::new(filter, Printer::new(format, io::stdout().lock()));
    let summary = process(&mut reader, &mut printer)?;
    if let Some(warning) = summary.truncated {
        eprintln!("warning: {warning}");
    }
    Ok(())
}
