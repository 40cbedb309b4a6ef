//! Encoding the v4 items (QEMU `trace/simple.c`): the file header, mapping,
//! event and dropped records, as the runtime writes them; and the scan the
//! writer makes of records it is about to write. In host byte order.

use crate::v4::{self, decode};

/// Size of an event record with `payload_len` bytes of arguments, type word included.
#[inline(always)]
pub const fn record_len(payload_len: usize) -> usize {
    8 + v4::EVENT_HEADER_LEN + payload_len
}

/// Write an event record header into the first 32 bytes of `rec`, whose length is
/// the whole record.
#[inline(always)]
pub fn put_record_header(rec: &mut [u8], id: u64, timestamp_ns: u64, pid: u32) {
    let length = (rec.len() - 8) as u32;
    rec[0..8].copy_from_slice(&v4::RECORD_TYPE_EVENT.to_ne_bytes());
    rec[8..16].copy_from_slice(&id.to_ne_bytes());
    rec[16..24].copy_from_slice(&timestamp_ns.to_ne_bytes());
    rec[24..28].copy_from_slice(&length.to_ne_bytes());
    rec[28..32].copy_from_slice(&pid.to_ne_bytes());
}

/// Append the file header.
pub fn push_file_header(out: &mut Vec<u8>) {
    out.extend_from_slice(&v4::HEADER_EVENT_ID.to_ne_bytes());
    out.extend_from_slice(&v4::HEADER_MAGIC.to_ne_bytes());
    out.extend_from_slice(&v4::HEADER_VERSION.to_ne_bytes());
}

/// Append a mapping record: `u64 0, u64 id, u32 name_len, name`.
pub fn push_mapping(out: &mut Vec<u8>, id: u64, name: &str) {
    out.extend_from_slice(&v4::RECORD_TYPE_MAPPING.to_ne_bytes());
    out.extend_from_slice(&id.to_ne_bytes());
    out.extend_from_slice(&(name.len() as u32).to_ne_bytes());
    out.extend_from_slice(name.as_bytes());
}

/// Append a dropped record counting `count` lost events.
pub fn push_dropped(out: &mut Vec<u8>, timestamp_ns: u64, pid: u32, count: u64) {
    let start = out.len();
    out.resize(start + record_len(8), 0);
    let rec = &mut out[start..];
    put_record_header(rec, v4::DROPPED_EVENT_ID, timestamp_ns, pid);
    rec[32..40].copy_from_slice(&count.to_ne_bytes());
}

/// Append a record of event `id` whose arguments are an integer and a
/// string, the shape of both runtime events ([`v4::THREAD_EVENT`],
/// [`v4::DECL_EVENT`]; read back by [`decode::id_and_text`]). The string is
/// written whole (not cut at 512 bytes like recorded strings).
pub fn push_id_and_text(out: &mut Vec<u8>, id: u64, ts: u64, pid: u32, value: u64, text: &[u8]) {
    let start = out.len();
    out.resize(start + record_len(8 + 4 + text.len()), 0);
    let rec = &mut out[start..];
    put_record_header(rec, id, ts, pid);
    let args = &mut rec[record_len(0)..];
    args[..8].copy_from_slice(&value.to_ne_bytes());
    args[8..12].copy_from_slice(&(text.len() as u32).to_ne_bytes());
    args[12..].copy_from_slice(text);
}

/// Bytes of a dropped record (type word included).
pub const DROPPED_RECORD_LEN: usize = record_len(8);

/// Write into `marker` (`DROPPED_RECORD_LEN` bytes) a dropped record counting
/// `count` events lost just before the record `next`: it takes `next`'s
/// timestamp (the gap ends there) and pid.
#[inline]
pub fn put_dropped_before(marker: &mut [u8], next: &[u8], count: u64) {
    let next = decode::event_head(next).unwrap_or_default();
    put_record_header(marker, v4::DROPPED_EVENT_ID, next.timestamp_ns, next.pid);
    marker[32..40].copy_from_slice(&count.to_ne_bytes());
}

/// What [`scan_records`] found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Event records other than dropped records.
    pub events: u64,
    /// Sum of the dropped records' counts.
    pub dropped: u64,
    /// Timestamp of the first record.
    pub first_ts: Option<u64>,
}

/// The records in `bytes` (whole records back to back).
pub fn scan_records(bytes: &[u8]) -> Scan {
    let mut scan = Scan {
        first_ts: decode::event_head(bytes).map(|head| head.timestamp_ns),
        ..Scan::default()
    };
    let mut rest = bytes;
    while let Some(head) = decode::event_head(rest) {
        let Some(len) = head.record_len() else {
            break; // cannot happen with records we wrote; never loop forever
        };
        let count = decode::dropped_count(decode::event_args(rest));
        match count {
            Some(count) if head.is_dropped() => scan.dropped += count,
            _ => scan.events += 1,
        }
        rest = rest.get(len..).unwrap_or_default();
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_ne_bytes(b[at..at + 8].try_into().unwrap())
    }
    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_ne_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// QEMU's event record: `u64 1, u64 id, u64 ts, u32 length, u32 pid`,
    /// then the integer and the string (`u32` length, bytes); appended after
    /// what the buffer holds.
    #[test]
    fn an_id_and_text_record_is_laid_out_as_qemu_writes_one() {
        let mut out = vec![0xaa; 5];
        push_id_and_text(&mut out, 3, 9, 77, 0x1234, b"name");
        let rec = &out[5..];
        assert_eq!(rec.len(), 32 + 8 + 4 + 4);
        assert_eq!((u64_at(rec, 0), u64_at(rec, 8), u64_at(rec, 16)), (1, 3, 9));
        assert_eq!((u32_at(rec, 24), u32_at(rec, 28)), (24 + 8 + 4 + 4, 77));
        assert_eq!((u64_at(rec, 32), u32_at(rec, 40)), (0x1234, 4));
        assert_eq!(&rec[44..], b"name");
        assert_eq!(out[..5], [0xaa; 5]);
    }

    #[test]
    fn file_header_matches_qemu() {
        let mut out = Vec::new();
        push_file_header(&mut out);
        assert_eq!(out.len(), v4::HEADER_LEN);
        assert_eq!(u64_at(&out, 0), 0xffff_ffff_ffff_ffff);
        assert_eq!(u64_at(&out, 8), 0xf2b1_77cb_0aa4_29b4);
        assert_eq!(u64_at(&out, 16), 4);
    }

    #[test]
    fn mapping_record_layout() {
        let mut out = Vec::new();
        push_mapping(&mut out, 7, "qemu_ev");
        assert_eq!(out.len(), 8 + 8 + 4 + 7);
        assert_eq!(u64_at(&out, 0), 0);
        assert_eq!(u64_at(&out, 8), 7);
        assert_eq!(u32_at(&out, 16), 7);
        assert_eq!(&out[20..], b"qemu_ev");
    }

    #[test]
    fn dropped_record_layout() {
        let mut out = Vec::new();
        push_dropped(&mut out, 123, 42, 9);
        assert_eq!(out.len(), 40);
        assert_eq!(u64_at(&out, 0), 1);
        assert_eq!(u64_at(&out, 8), 0xffff_ffff_ffff_fffe);
        assert_eq!(u64_at(&out, 16), 123);
        assert_eq!(u32_at(&out, 24), 32, "length is 32 per QEMU");
        assert_eq!(u32_at(&out, 28), 42);
        assert_eq!(u64_at(&out, 32), 9);
    }

    #[test]
    fn scan_counts_events_and_drops_and_reads_first_timestamp() {
        let mut out = Vec::new();
        push_dropped(&mut out, 5, 1, 3);
        let event = out.len();
        out.resize(event + record_len(8), 0);
        put_record_header(&mut out[event..], 7, 6, 1);
        push_dropped(&mut out, 6, 1, 4);
        let scan = scan_records(&out);
        assert_eq!(
            scan,
            Scan {
                events: 1,
                dropped: 7,
                first_ts: Some(5)
            }
        );
        assert_eq!(scan_records(&[]), Scan::default());
    }

    #[test]
    fn dropped_record_before_takes_the_next_records_time_and_pid() {
        let mut next = vec![0u8; record_len(0)];
        put_record_header(&mut next, 3, 777, 42);
        let mut marker = [0u8; DROPPED_RECORD_LEN];
        put_dropped_before(&mut marker, &next, 9);
        let mut expected = Vec::new();
        push_dropped(&mut expected, 777, 42, 9);
        assert_eq!(marker[..], expected[..]);
    }
}
