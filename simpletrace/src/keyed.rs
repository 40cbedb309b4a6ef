//! Hash maps keyed by what a trace says (threads, call ids, names): aHash,
//! keyed per process so that no trace can be built to make its keys collide,
//! at a fraction of the cost of `std`'s SipHash (which took ~460 of the
//! ~6,700 instructions a record of the Parquet export).

/// A map keyed by trace data.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
/// A set of trace data.
pub(crate) type Set<K> = std::collections::HashSet<K, ahash::RandomState>;
