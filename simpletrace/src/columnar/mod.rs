//! Records and calls as Parquet tables (`simpletrace export --parquet`),
//! for query engines (DuckDB, Spark, Trino...) over the traces of many
//! processes and hosts.
//!
//! The records table has a row per event record of each file (dropped
//! records included): where it comes from (`file`, `host`, `pid`, `tid`,
//! `thread`), `seq` (its position among the file's records), `ts_ns`,
//! `event_id`, `event`, `dropped`, and its arguments as two maps by name,
//! `args_int` and `args_str`. The calls table has a row per call of each
//! `X_enter`/`X_exit` pair, paired as `simpletrace stats` pairs them. The
//! columns are described in the crate's README ("Parquet").
//!
//! Memory is bounded: rows go out in batches of [`DEFAULT_BATCH_ROWS`] (or
//! 64 MiB of strings), three batches a table (one being built while the
//! table's own thread encodes the others), the writer holds one row group,
//! and pairing holds the calls open (see [`pairing`]).

mod args;
mod calls;
mod columns;
mod delta;
mod delta_chunk;
mod dict_chunk;
mod error;
mod export;
mod hybrid;
mod pages;
pub mod pairing;
mod pipeline;
mod plain_chunk;
mod raw_args;
mod records;
mod schema;
mod source;
mod table;

pub use error::ExportError;
pub use export::{
    calls_path_for, FileRows, ParquetExport, ParquetOptions, Written, DEFAULT_BATCH_ROWS,
    DEFAULT_ROW_GROUP_ROWS,
};
pub use schema::{calls_schema, records_schema};
