//! Why a Parquet export failed.

use std::path::PathBuf;

/// An error of [`super::ParquetExport`].
#[derive(thiserror::Error)]
pub enum ExportError {
    /// An output file could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The file asked for.
        path: PathBuf,
        /// Why the OS refused.
        source: std::io::Error,
    },
    /// Encoding or writing a table failed (the output's disk full, say).
    #[error("writing the {table} table: {source}")]
    Write {
        /// `records` or `calls`.
        table: &'static str,
        /// The Parquet writer's error.
        source: parquet::errors::ParquetError,
    },
}

/// Prints the message, as the crate's other errors do.
impl std::fmt::Debug for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::error::debug_as_message(self, f)
    }
}
