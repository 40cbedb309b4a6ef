//! Field numbers and enum values from OpenTelemetry's OTLP schema
//! (`opentelemetry/proto/{collector/trace,trace,common,resource}/v1/*.proto`,
//! as shipped in the `opentelemetry-proto` Python package), by message.

/// `ExportTraceServiceRequest`.
pub const RESOURCE_SPANS: u32 = 1;

/// `ResourceSpans`.
pub const RESOURCE: u32 = 1;
pub const SCOPE_SPANS: u32 = 2;

/// `Resource`.
pub const RESOURCE_ATTRIBUTES: u32 = 1;

/// `ScopeSpans`.
pub const SCOPE: u32 = 1;
pub const SPANS: u32 = 2;

/// `InstrumentationScope`.
pub const SCOPE_NAME: u32 = 1;
pub const SCOPE_VERSION: u32 = 2;

/// `Span`.
pub const TRACE_ID: u32 = 1;
pub const SPAN_ID: u32 = 2;
pub const PARENT_SPAN_ID: u32 = 4;
pub const NAME: u32 = 5;
pub const KIND: u32 = 6;
/// `fixed64`.
pub const START_TIME_UNIX_NANO: u32 = 7;
/// `fixed64`.
pub const END_TIME_UNIX_NANO: u32 = 8;
pub const SPAN_ATTRIBUTES: u32 = 9;
pub const DROPPED_ATTRIBUTES_COUNT: u32 = 10;

/// `Span.SpanKind.SPAN_KIND_INTERNAL`: a function call inside the process.
pub const SPAN_KIND_INTERNAL: u64 = 1;

/// `KeyValue`.
pub const KEY: u32 = 1;
pub const VALUE: u32 = 2;

/// `AnyValue`.
pub const STRING_VALUE: u32 = 1;
pub const BOOL_VALUE: u32 = 2;
pub const INT_VALUE: u32 = 3;

/// `ExportTraceServiceResponse`.
pub const PARTIAL_SUCCESS: u32 = 1;
/// `ExportTracePartialSuccess`.
pub const REJECTED_SPANS: u32 = 1;
pub const ERROR_MESSAGE: u32 = 2;
