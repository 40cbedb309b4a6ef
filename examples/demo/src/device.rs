//! The traced program: a simulated block device whose worker threads serve
//! read requests through a cache. Functions traced with `#[traced]` run next
//! to events declared in `trace-events`, so a timeline shows each worker's
//! calls nested (`serve` > `handle_request` > `cache_lookup`) with the
//! declared events as instants inside them.

use std::thread;

use trace_runtime::traced;

use crate::trace;

pub const REQUESTS_PER_WORKER: u64 = 2;
const SECTOR_SIZE: usize = 512;
const SECTORS_PER_REQUEST: u32 = 8;
/// The one sector the simulated disk fails to read.
const BAD_SECTOR: u64 = 1000;
const EIO: i32 = 5;

/// Serve a few requests on `workers` threads; returns a checksum of the data
/// read, so the work is real.
pub fn run_device(name: &str, workers: i32) -> i64 {
    trace::demo_start(name, workers);
    let handles: Vec<_> = (0..workers as u64)
        .map(|worker| {
            thread::Builder::new()
                .name(format!("worker-{worker}"))
                .spawn(move || serve(worker))
                .expect("spawn worker")
        })
        .collect();
    let checksum = handles
        .into_iter()
        .map(|h| h.join().expect("worker"))
        .fold(0, u64::wrapping_add) as i64;
    trace::debug_dump("never recorded: compiled out");
    trace::demo_finish(workers as u64 * REQUESTS_PER_WORKER, checksum);
    checksum
}

#[traced]
fn serve(worker: u64) -> u64 {
    let mut buf = [0; SECTOR_SIZE * SECTORS_PER_REQUEST as usize];
    let mut checksum = 0u64;
    for i in 0..REQUESTS_PER_WORKER {
        let sector = worker * 1000 + i * u64::from(SECTORS_PER_REQUEST);
        if handle_request(sector, &mut buf) == 0 {
            checksum = checksum.wrapping_add(fnv1a(&buf));
        }
    }
    checksum
}

/// Read `buf.len()` bytes at `sector`, from the cache on a hit, else from the
/// disk. Returns 0 or a negative errno, as QEMU's block layer does.
#[traced(ret, skip(buf))]
fn handle_request(sector: u64, buf: &mut [u8]) -> i32 {
    let req = buf.as_ptr();
    trace::request_submit(req, sector, SECTORS_PER_REQUEST, false);
    let ret = if cache_lookup(sector) {
        buf.fill(sector as u8);
        0
    } else {
        read_disk(sector, buf)
    };
    trace::request_complete(req, ret);
    ret
}

/// Whether `sector` is cached: a tag search that takes a microsecond or so.
#[traced(ret)]
fn cache_lookup(sector: u64) -> bool {
    let tag = (0..1024).fold(sector, |h, _| {
        h.rotate_left(5) ^ h.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    });
    std::hint::black_box(tag);
    sector.is_multiple_of(3)
}

/// The disk: a few microseconds to produce the data (one multiply per byte).
fn read_disk(sector: u64, buf: &mut [u8]) -> i32 {
    let mut state = sector;
    for byte in buf.iter_mut() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *byte = (state >> 56) as u8;
    }
    if sector == BAD_SECTOR {
        -EIO
    } else {
        0
    }
}

/// FNV-1a: the workers' checksum of the data they read.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
