//! A table written on a thread of its own: the reading thread builds the
//! next batch of rows while the table's thread encodes earlier ones.
//! [`BATCHES`] batches a table at most (one being built, the others queued
//! or being written), handed back and forth, so memory stays bounded and
//! buffers are reused.

use std::io::Write;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use parquet::errors::ParquetError;

use super::error::ExportError;
use super::table::{Chunks, Table};

/// Batches of a table in existence. Three, not two: with a batch queued
/// behind the one being written, neither thread waits on the other's
/// passing slowness on two cores shared by three threads (wall 0.95x on
/// `record_busy`'s trace, for one batch more of memory).
const BATCHES: usize = 3;

/// Rows of one table (`RecordRows`, `CallRows`): built on the reading
/// thread, written on the table's.
pub(crate) trait Batch: Default + Send + 'static {
    /// What the table's thread keeps from one batch to the next.
    type Encoder: Default;
    fn rows(&self) -> usize;
    /// Write the rows to `out`'s columns, in order, leaving none.
    fn write(&mut self, encoder: &mut Self::Encoder, out: &mut Chunks) -> Result<(), ExportError>;
}

pub(crate) struct Pipeline<R: Batch> {
    name: &'static str,
    /// The batch being built.
    pub building: R,
    /// Batches the table's thread has handed back (or not had yet).
    spare: Vec<R>,
    to_writer: Option<SyncSender<R>>,
    from_writer: Receiver<R>,
    thread: Option<JoinHandle<Result<(), ExportError>>>,
    /// Rows in the row group the table's thread is filling, as it counts them.
    group_rows: usize,
    row_group_rows: usize,
}

impl<R: Batch> Pipeline<R> {
    /// Start `table`'s thread; row groups of `row_group_rows` rows.
    pub fn start<W: Write + Send + 'static>(
        table: Table<W>,
        row_group_rows: usize,
    ) -> Result<Self, ExportError> {
        let name = table.name();
        // Room for every batch each way: the number of batches bounds
        // how far the reading thread runs ahead, and neither send waits.
        let (to_writer, batches) = sync_channel::<R>(BATCHES);
        let (written, from_writer) = sync_channel::<R>(BATCHES);
        let thread = std::thread::Builder::new()
            .name(format!("parquet {name}"))
            .spawn(move || write_batches(table, batches, written, row_group_rows))
            .map_err(|e| ExportError::Write {
                table: name,
                source: ParquetError::External(Box::new(e)),
            })?;
        Ok(Self {
            name,
            building: R::default(),
            spare: (1..BATCHES).map(|_| R::default()).collect(),
            to_writer: Some(to_writer),
            from_writer,
            thread: Some(thread),
            group_rows: 0,
            row_group_rows,
        })
    }

    /// Rows the row group being filled has room for.
    pub fn group_room(&self) -> usize {
        self.row_group_rows.max(1) - self.group_rows
    }

    /// Hand the batch built so far to the table's thread (nothing if empty)
    /// and go on with the other one, once the thread is done with it.
    pub fn submit(&mut self) -> Result<(), ExportError> {
        let rows = self.building.rows();
        if rows == 0 {
            return Ok(());
        }
        let next = match self.spare.pop() {
            Some(spare) => spare,
            None => match self.from_writer.recv() {
                Ok(batch) => batch,
                Err(_) => return Err(self.writer_error()),
            },
        };
        let full = std::mem::replace(&mut self.building, next);
        let sent = self.to_writer.as_ref().map(|tx| tx.send(full));
        if !matches!(sent, Some(Ok(()))) {
            return Err(self.writer_error());
        }
        self.group_rows += rows;
        if self.group_rows >= self.row_group_rows {
            self.group_rows = 0;
        }
        Ok(())
    }

    /// Write what is left, then the last row group and the file's footer.
    pub fn finish(mut self) -> Result<(), ExportError> {
        self.submit()?;
        drop(self.to_writer.take());
        self.join()
    }

    /// The table's thread has stopped early: why.
    fn writer_error(&mut self) -> ExportError {
        drop(self.to_writer.take());
        match self.join() {
            Err(e) => e,
            // It stops early only on an error; this is a bug, said as one.
            Ok(()) => ExportError::Write {
                table: self.name,
                source: ParquetError::General("the table's writer stopped".into()),
            },
        }
    }

    fn join(&mut self) -> Result<(), ExportError> {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(()),
        }
    }
}

impl<R: Batch> Drop for Pipeline<R> {
    /// An export dropped unfinished (an error elsewhere): the table's
    /// thread ends its file and is waited for, not left running.
    fn drop(&mut self) {
        drop(self.to_writer.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The table's thread: each batch written and handed back, a row group
/// ended whenever it is full; at the end the file is closed.
fn write_batches<R: Batch, W: Write + Send>(
    mut table: Table<W>,
    batches: Receiver<R>,
    written: SyncSender<R>,
    row_group_rows: usize,
) -> Result<(), ExportError> {
    let mut encoder = R::Encoder::default();
    for mut batch in batches {
        let rows = batch.rows();
        table.write(rows, |out| batch.write(&mut encoder, out))?;
        if table.group_rows() >= row_group_rows || table.group_full() {
            table.end_row_group()?;
        }
        // The reading thread may have stopped waiting (it failed): fine.
        let _ = written.send(batch);
    }
    table.close()
}
