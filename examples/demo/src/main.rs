//! The README's main job: a small program with its own trace-events file. It
//! records a trace while doing some (simulated) block I/O on two threads, then
//! decodes the file it wrote, first as QEMU's simpletrace.py prints it, then as
//! QEMU's log backend prints it.
//!
//! Usage: `cargo run --release -p demo [TRACE_FILE]` (default `trace-<pid>`).
//! The trace is self-describing: `simpletrace TRACE_FILE` decodes it with no
//! trace-events file, and `simpletrace events --from-trace TRACE_FILE` prints the
//! declarations QEMU's simpletrace.py needs to read it.

use std::error::Error;
use std::io;
use std::path::Path;
use std::thread;

use simpletrace::output::{Log, Printer, RecordFormat, SimpletracePy};
use simpletrace::{process, EventTable, Filter, Reader, Selected};

mod trace {
    trace_runtime::trace_events!("trace-events");
}

const REQUESTS_PER_WORKER: u64 = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let path: std::path::PathBuf = std::env::args_os()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(|| format!("trace-{}", std::process::id()).into());

    let guard = trace_runtime::Config::new().file(&path).start()?;
    let checksum = run_device("vda", 2);
    // Dropping the guard flushes every thread's buffer and closes the file.
    drop(guard);
    println!("checksum {checksum}; trace written to {}", path.display());

    println!("\n== as QEMU's simpletrace.py prints it ==");
    print(&path, SimpletracePy::default())?;
    println!("\n== as QEMU's log backend prints it ==");
    print(&path, Log::default())?;
    Ok(())
}

/// Serve a few requests on `workers` threads; returns a checksum so the work is
/// real.
fn run_device(name: &str, workers: i32) -> i64 {
    trace::demo_start(name, workers);
    let handles: Vec<_> = (0..workers as u64)
        .map(|worker| {
            thread::Builder::new()
                .name(format!("worker-{worker}"))
                .spawn(move || serve(worker))
                .expect("spawn worker")
        })
        .collect();
    let checksum = handles.into_iter().map(|h| h.join().expect("worker")).sum();
    trace::debug_dump("never recorded: compiled out");
    trace::demo_finish(workers as u64 * REQUESTS_PER_WORKER, checksum);
    checksum
}

fn serve(worker: u64) -> i64 {
    let mut checksum = 0i64;
    for i in 0..REQUESTS_PER_WORKER {
        let request = [worker, i];
        let sector = worker * 1000 + i * 8;
        trace::request_submit(&request, sector, 8, i % 2 == 1);
        let hit = sector % 3 == 0;
        trace::cache_lookup(sector, hit);
        let ret = if hit { 0 } else { -5 };
        trace::request_complete(&request, ret);
        checksum = checksum.wrapping_add(sector as i64 * i64::from(ret - 1));
    }
    checksum
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
