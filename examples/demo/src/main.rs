//! The README's main job: a small program with its own trace-events file. It
//! records a trace while doing some (simulated) block I/O on two threads, then
//! decodes the file it wrote, first as QEMU's simpletrace.py prints it, then as
//! QEMU's log backend prints it.
//!
//! Usage: `cargo run --release -p demo [TRACE_FILE]` (default `trace-<pid>`).

use std::error::Error;
use std::io::{self, Write};
use std::path::PathBuf;
use std::thread;

use simpletrace::output::{Log, Printer, SimpletracePy};
use simpletrace::{process, EventTable, Reader};

mod trace {
    trace_runtime::trace_events!("trace-events");
}

const REQUESTS_PER_WORKER: u64 = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(format!("trace-{}", std::process::id())));

    let guard = trace_runtime::Config::new().file(&path).start()?;
    let checksum = run_device("vda", 2);
    // Dropping the guard flushes every thread's buffer and closes the file.
    drop(guard);
    println!("checksum {checksum}; trace written to {}", path.display());

    let table = event_table()?;
    println!("\n== as QEMU's simpletrace.py prints it ==");
    decode(&path, table.clone(), Printer::new(SimpletracePy::default(), io::stdout().lock()))?;
    println!("\n== as QEMU's log backend prints it ==");
    decode(&path, table, Printer::new(Log::default(), io::stdout().lock()))?;
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

/// The demo's events plus the runtime's own (`trace_thread`), as a reader needs
/// them.
fn event_table() -> Result<EventTable, Box<dyn Error>> {
    let ours = concat!(env!("CARGO_MANIFEST_DIR"), "/trace-events");
    let mut events = Vec::new();
    for (name, source) in [
        ("trace-events", std::fs::read_to_string(ours)?),
        ("runtime", trace_runtime::RUNTIME_TRACE_EVENTS.to_string()),
    ] {
        let parsed = trace_events::parse_str(name, &source);
        if let Some(error) = parsed.diagnostics.iter().find(|d| d.is_error()) {
            return Err(error.to_string().into());
        }
        events.extend(parsed.file.events);
    }
    Ok(EventTable::new(events))
}

fn decode<A>(path: &PathBuf, table: EventTable, mut analyzer: A) -> Result<(), Box<dyn Error>>
where
    A: simpletrace::Analyzer<Error = io::Error>,
{
    let mut reader = Reader::open(path, table)?;
    let summary = process(&mut reader, &mut analyzer)?;
    if let Some(warning) = summary.truncated {
        eprintln!("warning: {warning}");
    }
    io::stdout().flush()?;
    Ok(())
}
