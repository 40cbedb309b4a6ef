//! Field numbers and enum values from Perfetto's schema
//! (`protos/perfetto/trace/perfetto_trace.proto`, as shipped in the
//! `perfetto` Python package's `perfetto_trace_pb2.py`), by message.

/// `Trace`.
pub const TRACE_PACKET: u32 = 1;

/// `TracePacket`.
pub const CLOCK_SNAPSHOT: u32 = 6;
pub const TIMESTAMP: u32 = 8;
pub const TRUSTED_PACKET_SEQUENCE_ID: u32 = 10;
pub const TRACK_EVENT: u32 = 11;
pub const INTERNED_DATA: u32 = 12;
pub const SEQUENCE_FLAGS: u32 = 13;
pub const TIMESTAMP_CLOCK_ID: u32 = 58;
pub const TRACE_PACKET_DEFAULTS: u32 = 59;
pub const TRACK_DESCRIPTOR: u32 = 60;

/// `TracePacket.SequenceFlags`.
pub const SEQ_INCREMENTAL_STATE_CLEARED: u64 = 1;

/// `TracePacketDefaults`.
pub const DEFAULTS_TIMESTAMP_CLOCK_ID: u32 = 58;
pub const DEFAULTS_TRACK_EVENT: u32 = 11;
/// `TrackEventDefaults`.
pub const DEFAULTS_TRACK_UUID: u32 = 11;

/// `ClockSnapshot`.
pub const CLOCKS: u32 = 1;
/// `ClockSnapshot.Clock`.
pub const CLOCK_ID: u32 = 1;
pub const CLOCK_TIMESTAMP: u32 = 2;
pub const CLOCK_IS_INCREMENTAL: u32 = 3;
/// `BuiltinClock.BUILTIN_CLOCK_BOOTTIME`: the trace's default clock.
pub const CLOCK_BOOTTIME: u64 = 6;
/// A sequence-scoped clock (64 to 127), as the Perfetto SDK's incremental one.
pub const CLOCK_INCREMENTAL: u64 = 64;

/// `TrackDescriptor`.
pub const TRACK_UUID: u32 = 1;
pub const TRACK_NAME: u32 = 2;
pub const TRACK_PROCESS: u32 = 3;
pub const TRACK_THREAD: u32 = 4;
pub const TRACK_PARENT_UUID: u32 = 5;

/// `ProcessDescriptor`.
pub const PROCESS_PID: u32 = 1;
pub const PROCESS_NAME: u32 = 6;

/// `ThreadDescriptor`.
pub const THREAD_PID: u32 = 1;
pub const THREAD_TID: u32 = 2;
pub const THREAD_NAME: u32 = 5;

/// `TrackEvent`.
pub const EVENT_CATEGORY_IIDS: u32 = 3;
pub const EVENT_DEBUG_ANNOTATIONS: u32 = 4;
pub const EVENT_TYPE: u32 = 9;
pub const EVENT_NAME_IID: u32 = 10;
pub const EVENT_TRACK_UUID: u32 = 11;
pub const EVENT_NAME: u32 = 23;

/// `TrackEvent.Type`.
pub const TYPE_SLICE_BEGIN: u64 = 1;
pub const TYPE_SLICE_END: u64 = 2;
pub const TYPE_INSTANT: u64 = 3;

/// `DebugAnnotation`.
pub const ANNOTATION_NAME_IID: u32 = 1;
pub const ANNOTATION_BOOL: u32 = 2;
pub const ANNOTATION_UINT: u32 = 3;
pub const ANNOTATION_INT: u32 = 4;
pub const ANNOTATION_STRING: u32 = 6;
pub const ANNOTATION_POINTER: u32 = 7;
pub const ANNOTATION_NAME: u32 = 10;
pub const ANNOTATION_STRING_IID: u32 = 17;

/// `InternedData`.
pub const INTERNED_CATEGORIES: u32 = 1;
pub const INTERNED_EVENT_NAMES: u32 = 2;
pub const INTERNED_ANNOTATION_NAMES: u32 = 3;
pub const INTERNED_STRING_VALUES: u32 = 29;

/// `EventCategory`, `EventName`, `DebugAnnotationName` and `InternedString`
/// (whose `str` is field 2 too).
pub const INTERNED_IID: u32 = 1;
pub const INTERNED_VALUE: u32 = 2;
