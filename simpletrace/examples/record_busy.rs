//! A busy traced program, for measuring the timeline exports on a trace of
//! millions of records as a real program writes them: four worker threads
//! serving requests through nested `#[traced]` calls, with declared events
//! (pointers, sectors, small counts, file names) inside them.
//!
//! Usage: `cargo run --release -p simpletrace --example record_busy -- OUT
//! [REQUESTS]` (default 500,000 requests: 3 million records, 6 a request).

use std::hint::black_box;
use std::thread;

use trace_runtime::traced;

mod trace {
    trace_runtime::trace_events!("examples/record_busy.trace-events");
}

const WORKERS: u64 = 4;
const PATHS: [&str; 3] = [
    "/var/lib/vm/disk0.qcow2",
    "/var/lib/vm/disk1.raw",
    "/dev/sr0",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: record_busy OUT [REQUESTS]")?;
    let requests: u64 = args.next().map_or(Ok(500_000), |n| n.parse())?;
    let guard = trace_runtime::Config::new()
        .file(&out)
        .buffer_size(32 << 20)
        .start()?;
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || serve(w, requests / WORKERS))
        })
        .collect::<Result<_, _>>()?;
    let sum = workers
        .into_iter()
        .map(|h| h.join().unwrap_or(0))
        .fold(0u64, u64::wrapping_add);
    trace_runtime::flush();
    let status = trace_runtime::status().ok_or("no trace running")?;
    drop(guard);
    println!(
        "checksum {sum:x}; {} records written to {out}, {} dropped",
        status.written, status.dropped
    );
    Ok(())
}

#[traced]
fn serve(worker: u64, requests: u64) -> u64 {
    let mut buf = [0u8; 512];
    let mut sum = 0u64;
    for i in 0..requests {
        if i % 1000 == 0 {
            trace::disk_open(PATHS[(i / 1000 % 3) as usize], 2);
        }
        sum = sum.wrapping_add(handle_request(worker * 1_000_000 + i * 8, &mut buf) as u64);
    }
    sum
}

#[traced(ret, skip(buf))]
fn handle_request(sector: u64, buf: &mut [u8]) -> i32 {
    let req = buf.as_ptr();
    trace::request_submit(req, sector, 8, sector % 5 == 0);
    let ret = if cache_lookup(sector) {
        0
    } else {
        read(sector, buf)
    };
    trace::request_complete(req, ret);
    ret
}

#[traced(ret)]
fn cache_lookup(sector: u64) -> bool {
    black_box(sector) % 3 == 0
}

/// A little work (a few hundred ns), so the writer keeps up.
fn read(sector: u64, buf: &mut [u8]) -> i32 {
    buf[0] = (0..256).fold(sector, |h, _| {
        black_box(h.rotate_left(5) ^ h.wrapping_mul(31))
    }) as u8;
    if sector % 1001 == 0 {
        -5
    } else {
        0
    }
}
