//! The two tables' columns, in Arrow terms (the Parquet schema follows:
//! strings are UTF-8 `BYTE_ARRAY`, maps Parquet's `MAP`). Every integer is a
//! signed 64-bit `INT64` (`BIGINT`): the type every engine reads and filters
//! on alike (Spark and Trino have no unsigned 64-bit integer).

use std::sync::Arc;

use arrow_schema::{DataType, Field, FieldRef, Fields, Schema, SchemaRef};

/// Strings repeated row after row (file, host, thread, event and call
/// names): dictionary-encoded in the file (`table.rs`).
pub(crate) fn dict() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The entries of a `MAP<VARCHAR, value>` column, named as Parquet's
/// specification names them (`key_value`, `key`, `value`).
pub(crate) fn map_entries(value: DataType) -> FieldRef {
    let fields = Fields::from(vec![
        Field::new("key", DataType::Utf8, false),
        // Never NULL: then both leaves have the same levels, encoded once.
        Field::new("value", value, false),
    ]);
    Arc::new(Field::new("key_value", DataType::Struct(fields), false))
}

fn map(name: &str, value: DataType) -> Field {
    Field::new(name, DataType::Map(map_entries(value), false), true)
}

/// Where a row comes from; both tables start with these columns.
fn source() -> Vec<Field> {
    vec![
        Field::new("file", dict(), false),
        Field::new("host", dict(), true),
        Field::new("pid", DataType::Int64, false),
        Field::new("tid", DataType::Int64, true),
        Field::new("thread", dict(), true),
    ]
}

/// The records table: one row per event record (dropped records included).
pub fn records_schema() -> SchemaRef {
    let mut fields = source();
    fields.extend([
        Field::new("seq", DataType::Int64, false),
        Field::new("ts_ns", DataType::Int64, false),
        Field::new("event_id", DataType::Int64, false),
        Field::new("event", dict(), false),
        Field::new("dropped", DataType::Int64, true),
        map("args_int", DataType::Int64),
        map("args_str", DataType::Utf8),
    ]);
    Arc::new(Schema::new(fields))
}

/// The calls table: one row per call of an `X_enter`/`X_exit` pair.
pub fn calls_schema() -> SchemaRef {
    let mut fields = source();
    fields.extend([
        Field::new("call", dict(), false),
        Field::new("call_id", DataType::Int64, true),
        Field::new("is_async", DataType::Boolean, false),
        Field::new("start_ns", DataType::Int64, false),
        Field::new("end_ns", DataType::Int64, false),
        Field::new("duration_ns", DataType::Int64, false),
        Field::new("ending", dict(), false),
        Field::new("enter_seq", DataType::Int64, false),
        Field::new("exit_seq", DataType::Int64, true),
        map("args_int", DataType::Int64),
        map("args_str", DataType::Utf8),
        map("exit_args_int", DataType::Int64),
        map("exit_args_str", DataType::Utf8),
    ]);
    Arc::new(Schema::new(fields))
}
