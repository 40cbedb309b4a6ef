//! The producer side of the seed: `trace_record_start`, `trace_record_write_*`,
//! `trace_record_finish` and the byte-at-a-time buffer copies.

use std::sync::atomic::{fence, Ordering};

use super::{
    Backend, RECORD_HEADER_LEN, TRACE_BUF_FLUSH_THRESHOLD, TRACE_BUF_LEN, TRACE_RECORD_VALID,
};

/// A record being written: where it starts and where the next argument goes.
#[derive(Debug)]
pub struct TraceBufferRecord {
    tbuf_idx: u32,
    rec_off: u32,
}

/// `get_clock()`: CLOCK_MONOTONIC in nanoseconds.
pub(crate) fn get_clock() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC exists on
    // every supported system, so the call only writes `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

impl Backend {
    /// Reserve room for a record of `datasize` bytes of arguments and write its
    /// header. `None` when the buffer is full: the event is dropped and counted.
    pub fn record_start(&self, event: u32, datasize: usize) -> Option<TraceBufferRecord> {
        let rec_len = RECORD_HEADER_LEN + datasize as u32;
        let event_u64 = u64::from(event);
        let timestamp_ns = get_clock();

        let mut old_idx;
        loop {
            old_idx = self.trace_idx.load(Ordering::SeqCst);
            fence(Ordering::Acquire); // smp_rmb()
            let new_idx = old_idx.wrapping_add(rec_len);
            if new_idx.wrapping_sub(self.writeout_idx.load(Ordering::Relaxed)) > TRACE_BUF_LEN {
                // Trace Buffer Full, Event dropped !
                self.dropped_events.fetch_add(1, Ordering::SeqCst);
                return None;
            }
            if self
                .trace_idx
                .compare_exchange(old_idx, new_idx, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                break;
            }
        }

        let idx = old_idx % TRACE_BUF_LEN;
        let mut rec_off = idx;
        rec_off = self.write_to_buffer(rec_off, &event_u64.to_ne_bytes());
        rec_off = self.write_to_buffer(rec_off, &timestamp_ns.to_ne_bytes());
        rec_off = self.write_to_buffer(rec_off, &rec_len.to_ne_bytes());
        let pid = self.trace_pid.load(Ordering::Relaxed);
        self.write_to_buffer(rec_off, &pid.to_ne_bytes());

        Some(TraceBufferRecord {
            tbuf_idx: idx,
            rec_off: (idx + RECORD_HEADER_LEN) % TRACE_BUF_LEN,
        })
    }

    pub fn record_write_u64(&self, rec: &mut TraceBufferRecord, val: u64) {
        rec.rec_off = self.write_to_buffer(rec.rec_off, &val.to_ne_bytes());
    }

    /// `s` is already cut to at most [`super::MAX_TRACE_STRLEN`] by the caller,
    /// as the generated code does.
    pub fn record_write_str(&self, rec: &mut TraceBufferRecord, s: &[u8]) {
        let slen = s.len() as u32;
        rec.rec_off = self.write_to_buffer(rec.rec_off, &slen.to_ne_bytes());
        rec.rec_off = self.write_to_buffer(rec.rec_off, s);
    }

    /// Mark the record valid (rewriting its header) and kick the writer once a
    /// quarter of the buffer is in use.
    pub fn record_finish(&self, rec: TraceBufferRecord) {
        let mut record = [0u8; RECORD_HEADER_LEN as usize];
        self.read_from_buffer(rec.tbuf_idx, &mut record);
        fence(Ordering::Release); // smp_wmb()
        let event = u64::from_ne_bytes(record[0..8].try_into().unwrap()) | TRACE_RECORD_VALID;
        record[0..8].copy_from_slice(&event.to_ne_bytes());
        self.write_to_buffer(rec.tbuf_idx, &record);

        let used = self
            .trace_idx
            .load(Ordering::SeqCst)
            .wrapping_sub(self.writeout_idx.load(Ordering::Relaxed));
        if used > TRACE_BUF_FLUSH_THRESHOLD {
            self.flush_trace_file(false);
        }
    }

    pub(crate) fn read_from_buffer(&self, mut idx: u32, data: &mut [u8]) {
        for byte in data {
            if idx >= TRACE_BUF_LEN {
                idx %= TRACE_BUF_LEN;
            }
            *byte = self.trace_buf[idx as usize].load(Ordering::Relaxed);
            idx += 1;
        }
    }

    /// Returns where to write next, as the seed's callers want.
    pub(crate) fn write_to_buffer(&self, mut idx: u32, data: &[u8]) -> u32 {
        for &byte in data {
            if idx >= TRACE_BUF_LEN {
                idx %= TRACE_BUF_LEN;
            }
            self.trace_buf[idx as usize].store(byte, Ordering::Relaxed);
            idx += 1;
        }
        idx
    }

    pub(crate) fn clear_buffer_range(&self, mut idx: u32, len: u32) {
        for _ in 0..len {
            if idx >= TRACE_BUF_LEN {
                idx %= TRACE_BUF_LEN;
            }
            self.trace_buf[idx as usize].store(0, Ordering::Relaxed);
            idx += 1;
        }
    }
}
