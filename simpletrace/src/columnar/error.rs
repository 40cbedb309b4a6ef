//! Why a Parquet export failed.

use std::path::PathBuf;

/// An error of [`super::ParquetExport`].
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// An output file could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Encoding or writing a table failed (the output's disk full, say).
    #[error("writing the {table} table: {source}")]
    Write {
        table: &'static str,
        source: parquet::errors::ParquetError,
    },
    /// A batch did not match its schema: a bug of this crate.
    #[error("building the {table} table: {source}")]
    Build {
        table: &'static str,
        source: arrow_schema::ArrowError,
    },
}
