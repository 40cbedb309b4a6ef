//! The writer side of the seed: `writeout_thread`, `get_trace_record` and the
//! mutex/condition-variable handshake with producers and flushers.

use std::io::Write;
use std::sync::atomic::{fence, Ordering};
use std::sync::PoisonError;

use super::record::get_clock;
use super::{Backend, DROPPED_EVENT_ID, RECORD_HEADER_LEN, TRACE_BUF_LEN, TRACE_RECORD_VALID};

impl Backend {
    /// Kick the writer; with `wait`, until it has gone back to waiting.
    pub(crate) fn flush_trace_file(&self, wait: bool) {
        let mut flags = self
            .trace_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        flags.trace_available = true;
        self.trace_available_cond.notify_one();
        if wait {
            drop(
                self.trace_empty_cond
                    .wait(flags)
                    .unwrap_or_else(PoisonError::into_inner),
            );
        }
    }

    fn wait_for_trace_records_available(&self) {
        let mut flags = self
            .trace_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !(flags.trace_available && flags.trace_writeout_enabled) {
            self.trace_empty_cond.notify_one();
            flags = self
                .trace_available_cond
                .wait(flags)
                .unwrap_or_else(PoisonError::into_inner);
        }
        flags.trace_available = false;
    }

    /// A copy of the valid record at `idx` with its valid bit cleared, its
    /// buffer bytes zeroed; `None` if the record there is not (yet) valid.
    fn get_trace_record(&self, idx: u32) -> Option<Vec<u8>> {
        let mut event_flag = [0u8; 8];
        self.read_from_buffer(idx, &mut event_flag);
        if u64::from_ne_bytes(event_flag) & TRACE_RECORD_VALID == 0 {
            return None;
        }
        fence(Ordering::Acquire); // smp_rmb()
        let mut header = [0u8; RECORD_HEADER_LEN as usize];
        self.read_from_buffer(idx, &mut header);
        let length = u32::from_ne_bytes(header[16..20].try_into().unwrap());
        // Not in the seed: a length producers cannot write; never allocate from it.
        if !(RECORD_HEADER_LEN..=TRACE_BUF_LEN).contains(&length) {
            return None;
        }
        let mut record = vec![0u8; length as usize]; // the seed's malloc
        self.read_from_buffer(idx, &mut record);
        fence(Ordering::Acquire); // smp_rmb()
        let event = u64::from_ne_bytes(record[0..8].try_into().unwrap()) & !TRACE_RECORD_VALID;
        record[0..8].copy_from_slice(&event.to_ne_bytes());
        // Otherwise a stale byte with its top bit set could pass for a valid flag
        // when the writer comes round again.
        self.clear_buffer_range(idx, length);
        Some(record)
    }

    /// Runs forever, as the seed's writer does. Write errors are ignored, as
    /// the seed ignores `fwrite`'s result.
    pub(crate) fn writeout_thread(&self) {
        let mut idx: u32 = 0;
        loop {
            self.wait_for_trace_records_available();
            let mut fp = self.trace_fp.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(fp) = fp.as_mut() else { continue };

            if self.dropped_events.load(Ordering::SeqCst) != 0 {
                const DROPPED_LEN: u32 = RECORD_HEADER_LEN + 8;
                let mut dropped = [0u8; DROPPED_LEN as usize];
                dropped[0..8].copy_from_slice(&DROPPED_EVENT_ID.to_ne_bytes());
                dropped[8..16].copy_from_slice(&get_clock().to_ne_bytes());
                dropped[16..20].copy_from_slice(&DROPPED_LEN.to_ne_bytes());
                let pid = self.trace_pid.load(Ordering::Relaxed);
                dropped[20..24].copy_from_slice(&pid.to_ne_bytes());
                let count = self.dropped_events.swap(0, Ordering::SeqCst);
                dropped[24..32].copy_from_slice(&u64::from(count).to_ne_bytes());
                let _ = fp.write_all(&dropped);
            }

            while let Some(record) = self.get_trace_record(idx) {
                let _ = fp.write_all(&record);
                // Only this thread stores it; producers read it.
                let writeout_idx = self
                    .writeout_idx
                    .load(Ordering::Relaxed)
                    .wrapping_add(record.len() as u32);
                self.writeout_idx.store(writeout_idx, Ordering::Relaxed);
                idx = writeout_idx % TRACE_BUF_LEN;
            }

            let _ = fp.flush();
        }
    }
}
