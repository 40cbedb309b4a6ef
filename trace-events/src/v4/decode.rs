//! Decoding the v4 items (QEMU `trace/simple.c`) from bytes: the file
//! header, a record's type word, mapping records, the event record header,
//! dropped records and the argument walk. The reader (`simpletrace`) and the
//! runtime's log backend decode through these; [`super::encode`] is their
//! inverse.
//!
//! Pure functions on byte slices: they never panic and never allocate, on any
//! input; too few bytes is `None` (or an error naming what is missing). Words
//! are read in host byte order, as the runtime writes them and as QEMU's
//! `simpletrace.py` reads them (`struct` format `=`).

use crate::v4;
use crate::Value;

/// Bytes of an event record before its arguments: the type word, then
/// [`v4::EVENT_HEADER_LEN`] bytes of id, timestamp, length and pid.
pub const EVENT_RECORD_HEAD_LEN: usize = 8 + v4::EVENT_HEADER_LEN;

/// Bytes of a mapping record before its name: type word, id, name length.
pub const MAPPING_HEAD_LEN: usize = 20;

#[inline(always)]
fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..)?.first_chunk::<8>()?;
    Some(u64::from_ne_bytes(*b))
}

#[inline(always)]
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..)?.first_chunk::<4>()?;
    Some(u32::from_ne_bytes(*b))
}

/// Why a file header is not a v4 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer than [`v4::HEADER_LEN`] bytes (`len` of them).
    Short {
        /// The bytes there are.
        len: usize,
    },
    /// The first word is not [`v4::HEADER_EVENT_ID`].
    BadId {
        /// The word found.
        found: u64,
    },
    /// The second word is not [`v4::HEADER_MAGIC`].
    BadMagic {
        /// The word found.
        found: u64,
    },
    /// A version QEMU wrote once (0, 2 or 3) that this format is not.
    UnsupportedVersion {
        /// The version found.
        version: u64,
    },
    /// A version QEMU never wrote.
    UnknownVersion {
        /// The version found.
        version: u64,
    },
}

/// Check the file header at the start of `bytes` (the first
/// [`v4::HEADER_LEN`] bytes; what follows is ignored).
pub fn file_header(bytes: &[u8]) -> Result<(), HeaderError> {
    let short = HeaderError::Short { len: bytes.len() };
    let word = |at| u64_at(bytes, at).ok_or(short);
    if bytes.len() < v4::HEADER_LEN {
        return Err(short);
    }
    let (id, magic, version) = (word(0)?, word(8)?, word(16)?);
    if id != v4::HEADER_EVENT_ID {
        return Err(HeaderError::BadId { found: id });
    }
    if magic != v4::HEADER_MAGIC {
        return Err(HeaderError::BadMagic { found: magic });
    }
    match version {
        v4::HEADER_VERSION => Ok(()),
        0 | 2 | 3 => Err(HeaderError::UnsupportedVersion { version }),
        _ => Err(HeaderError::UnknownVersion { version }),
    }
}

/// Whether `bytes` starts with a simple trace header's first two words (any
/// version): a trace, not a trace-events file.
pub fn starts_with_header(bytes: &[u8]) -> bool {
    u64_at(bytes, 0) == Some(v4::HEADER_EVENT_ID) && u64_at(bytes, 8) == Some(v4::HEADER_MAGIC)
}

/// What a record is, by its type word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A mapping record ([`mapping_head`]).
    Mapping,
    /// An event record ([`event_head`]), dropped records included.
    Event,
    /// A type word the format does not have.
    Unknown(u64),
}

/// The kind of the record starting `bytes`; `None` before its type word is whole.
#[inline(always)]
pub fn record_kind(bytes: &[u8]) -> Option<RecordKind> {
    Some(match u64_at(bytes, 0)? {
        v4::RECORD_TYPE_MAPPING => RecordKind::Mapping,
        v4::RECORD_TYPE_EVENT => RecordKind::Event,
        other => RecordKind::Unknown(other),
    })
}

/// A mapping record's fixed part: `u64 0, u64 id, u32 name_len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappingHead {
    /// The id records of the event carry.
    pub id: u64,
    /// Bytes of the event's name, after the fixed part.
    pub name_len: u32,
}

impl MappingHead {
    /// Bytes of the whole record.
    pub fn record_len(self) -> usize {
        MAPPING_HEAD_LEN.saturating_add(self.name_len as usize)
    }

    /// The name in `record` (the whole record, from its type word); `None`
    /// when `record` is shorter than [`MappingHead::record_len`].
    pub fn name(self, record: &[u8]) -> Option<&[u8]> {
        record.get(MAPPING_HEAD_LEN..self.record_len())
    }
}

/// The fixed part of the mapping record starting `bytes`; `None` before it
/// is whole. The type word is not checked ([`record_kind`]).
#[inline]
pub fn mapping_head(bytes: &[u8]) -> Option<MappingHead> {
    Some(MappingHead {
        id: u64_at(bytes, 8)?,
        name_len: u32_at(bytes, 16)?,
    })
}

/// An event record's header: what comes before its arguments.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EventHead {
    /// The event's id (from a mapping record), or [`v4::DROPPED_EVENT_ID`].
    pub id: u64,
    /// The writer's clock (QEMU and our runtime: CLOCK_MONOTONIC ns).
    pub timestamp_ns: u64,
    /// Bytes of the record after its type word: [`v4::EVENT_HEADER_LEN`]
    /// plus the arguments, as the record claims.
    pub length: u32,
    /// The recording process.
    pub pid: u32,
}

impl EventHead {
    /// Bytes of the whole record, type word included, as it claims; `None`
    /// when it claims fewer than a header's.
    #[inline(always)]
    pub fn record_len(self) -> Option<usize> {
        let length = self.length as usize;
        if length < v4::EVENT_HEADER_LEN {
            return None;
        }
        length.checked_add(8)
    }

    /// Whether this is a dropped record ([`dropped_count`]).
    #[inline(always)]
    pub fn is_dropped(self) -> bool {
        self.id == v4::DROPPED_EVENT_ID
    }
}

/// The header of the event record starting `bytes` (from its type word,
/// which is not checked: [`record_kind`]); `None` before it is whole.
#[inline(always)]
pub fn event_head(bytes: &[u8]) -> Option<EventHead> {
    let head = bytes.first_chunk::<EVENT_RECORD_HEAD_LEN>()?;
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&head[i * 8..i * 8 + 8]);
        u64::from_ne_bytes(b)
    };
    let half = |at: usize| {
        let mut b = [0u8; 4];
        b.copy_from_slice(&head[at..at + 4]);
        u32::from_ne_bytes(b)
    };
    Some(EventHead {
        id: word(1),
        timestamp_ns: word(2),
        length: half(24),
        pid: half(28),
    })
}

/// The arguments of the whole event record `record` (from its type word):
/// what follows its header.
#[inline(always)]
pub fn event_args(record: &[u8]) -> &[u8] {
    record.get(EVENT_RECORD_HEAD_LEN..).unwrap_or_default()
}

/// A dropped record's count of lost events, from its arguments.
pub fn dropped_count(args: &[u8]) -> Option<u64> {
    u64_at(args, 0)
}

/// Split the next argument off the front of `args`: a string (`u32` length,
/// then the bytes) if `is_string`, else an 8-byte value. `None`, leaving
/// `args` as it was, when the argument runs past the end.
#[inline(always)]
pub fn next_arg<'a>(args: &mut &'a [u8], is_string: bool) -> Option<Value<'a>> {
    if is_string {
        next_str(args).map(Value::Str)
    } else {
        next_int(args).map(Value::Int)
    }
}

/// Split a string argument (`u32` length, then the bytes) off the front of
/// `args`; `None`, leaving `args` as it was, when it runs past the end.
#[inline(always)]
pub fn next_str<'a>(args: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, rest) = args.split_first_chunk::<4>()?;
    let len = u32::from_ne_bytes(*len) as usize;
    let bytes = rest.get(..len)?;
    *args = &rest[len..];
    Some(bytes)
}

/// Split an 8-byte argument (integer, bool, pointer) off the front of
/// `args`; `None`, leaving `args` as it was, when it runs past the end.
#[inline(always)]
pub fn next_int(args: &mut &[u8]) -> Option<u64> {
    let (value, rest) = args.split_first_chunk::<8>()?;
    *args = rest;
    Some(u64::from_ne_bytes(*value))
}

/// The arguments of both runtime events ([`v4::THREAD_EVENT`],
/// [`v4::DECL_EVENT`]): an integer, then a string. `None` when `args` is
/// too short.
pub fn id_and_text(mut args: &[u8]) -> Option<(u64, &[u8])> {
    Some((next_int(&mut args)?, next_str(&mut args)?))
}

/// Bytes the arguments of a record take at the start of its `body`, walked
/// argument by argument: `strings` says whether each is a string (`u32`
/// length, then the bytes) or an 8-byte value. When they run past `body`,
/// `Err` holds the length they claim (so the caller can report it).
#[inline(always)]
pub fn args_len(body: &[u8], strings: impl Iterator<Item = bool>) -> Result<usize, u64> {
    let mut pos = 0usize;
    for is_string in strings {
        if is_string {
            let Some(len) = body.get(pos..pos + 4) else {
                return Err(pos as u64 + 4);
            };
            let len = u32::from_ne_bytes([len[0], len[1], len[2], len[3]]) as u64;
            let end = pos as u64 + 4 + len;
            if end > body.len() as u64 {
                return Err(end);
            }
            pos = end as usize;
        } else {
            pos += 8;
            if pos > body.len() {
                return Err(pos as u64);
            }
        }
    }
    Ok(pos)
}

/// [`args_len`] for the arguments `event` declares.
#[inline]
pub fn event_args_len(event: &crate::Event, body: &[u8]) -> Result<usize, u64> {
    args_len(
        body,
        event.args.iter().map(|arg| arg.kind == crate::ArgKind::Str),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v4::encode;

    fn header(words: [u64; 3]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    #[test]
    fn the_header_encode_writes_is_accepted() {
        let mut out = Vec::new();
        encode::push_file_header(&mut out);
        assert_eq!(file_header(&out), Ok(()));
        assert!(starts_with_header(&out[..16]));
        assert_eq!(file_header(&out[..23]), Err(HeaderError::Short { len: 23 }));
        // What follows the header is not the header's business.
        encode::push_mapping(&mut out, 0, "e");
        assert_eq!(file_header(&out), Ok(()));
    }

    /// QEMU's layout: a record's length counts its 24-byte header and its
    /// arguments; an event without arguments is the header alone.
    #[test]
    fn a_record_is_at_least_its_header() {
        let head = |length| EventHead {
            id: 1,
            timestamp_ns: 2,
            length,
            pid: 3,
        };
        assert_eq!(head(24).record_len(), Some(32));
        assert_eq!(head(40).record_len(), Some(48));
        assert_eq!(head(23).record_len(), None);
        assert_eq!(head(0).record_len(), None);
    }

    #[test]
    fn declared_arguments_give_the_length_they_take() {
        let parsed = crate::parse_str("t", "e(int a, const char *s, bool b)\n");
        let event = &parsed.file.events[0];
        let mut body = 5u64.to_ne_bytes().to_vec();
        body.extend(3u32.to_ne_bytes());
        body.extend(b"abc");
        body.extend(1u64.to_ne_bytes());
        assert_eq!(event_args_len(event, &body), Ok(8 + 4 + 3 + 8));
        assert_eq!(
            event_args_len(event, &body[..14]),
            Err(15),
            "the string runs past"
        );
    }

    #[test]
    fn bad_headers_say_which_word_is_wrong() {
        let (id, magic) = (v4::HEADER_EVENT_ID, v4::HEADER_MAGIC);
        assert_eq!(
            file_header(&header([7, magic, 4])),
            Err(HeaderError::BadId { found: 7 })
        );
        assert_eq!(
            file_header(&header([id, 9, 4])),
            Err(HeaderError::BadMagic { found: 9 })
        );
        assert!(!starts_with_header(&header([id, 9, 4])));
        for version in [0, 2, 3] {
            assert_eq!(
                file_header(&header([id, magic, version])),
                Err(HeaderError::UnsupportedVersion { version })
            );
        }
        assert_eq!(
            file_header(&header([id, magic, 5])),
            Err(HeaderError::UnknownVersion { version: 5 })
        );
        assert!(starts_with_header(&header([id, magic, 5])));
    }

    #[test]
    fn mapping_records_decode_as_encoded() {
        let mut out = Vec::new();
        encode::push_mapping(&mut out, 7, "qemu_ev");
        assert_eq!(record_kind(&out), Some(RecordKind::Mapping));
        let head = mapping_head(&out).unwrap();
        assert_eq!(head, MappingHead { id: 7, name_len: 7 });
        assert_eq!(head.record_len(), out.len());
        assert_eq!(head.name(&out), Some(&b"qemu_ev"[..]));
        assert_eq!(head.name(&out[..out.len() - 1]), None);
        assert_eq!(mapping_head(&out[..19]), None);
    }

    #[test]
    fn event_and_dropped_records_decode_as_encoded() {
        let mut out = Vec::new();
        encode::push_dropped(&mut out, 123, 42, 9);
        assert_eq!(record_kind(&out), Some(RecordKind::Event));
        let head = event_head(&out).unwrap();
        assert_eq!(
            head,
            EventHead {
                id: v4::DROPPED_EVENT_ID,
                timestamp_ns: 123,
                length: 32,
                pid: 42
            }
        );
        assert!(head.is_dropped());
        assert_eq!(head.record_len(), Some(out.len()));
        assert_eq!(dropped_count(event_args(&out)), Some(9));
        assert_eq!(event_head(&out[..31]), None);
        assert_eq!(record_kind(&out[..7]), None);
        assert_eq!(
            record_kind(&header([2, 0, 0])),
            Some(RecordKind::Unknown(2))
        );
        let short = EventHead { length: 23, ..head };
        assert_eq!(short.record_len(), None);
    }

    #[test]
    fn arguments_walk_as_recorded_and_stop_where_they_run_past() {
        let mut body = 5u64.to_ne_bytes().to_vec();
        body.extend(3u32.to_ne_bytes());
        body.extend(b"abc");
        assert_eq!(id_and_text(&body), Some((5, &b"abc"[..])));
        assert_eq!(args_len(&body, [false, true].into_iter()), Ok(15));
        let mut rest = &body[..];
        assert_eq!(next_arg(&mut rest, false), Some(Value::Int(5)));
        let mut cut = &rest[..6];
        assert_eq!(next_arg(&mut cut, true), None);
        assert_eq!(cut.len(), 6, "left as it was");
        assert_eq!(id_and_text(&body[..14]), None);
        assert_eq!(args_len(&body[..14], [false, true].into_iter()), Err(15));
        assert_eq!(args_len(&body[..10], [false, true].into_iter()), Err(12));
        assert_eq!(args_len(&body[..7], [false].into_iter()), Err(8));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 64) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (state >> (i % 8 * 8)) as u8).collect();
            let _ = file_header(&bytes);
            let _ = record_kind(&bytes);
            if let Some(head) = mapping_head(&bytes) {
                let _ = head.name(&bytes);
            }
            if let Some(head) = event_head(&bytes) {
                let _ = head.record_len();
            }
            let _ = dropped_count(event_args(&bytes));
            let _ = id_and_text(&bytes);
            let strings = (0..6).map(|i| state >> i & 1 != 0);
            let _ = args_len(&bytes, strings);
        }
    }
}
