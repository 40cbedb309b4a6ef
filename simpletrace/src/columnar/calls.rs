//! The calls table's rows: one per call of an `X_enter`/`X_exit` pair, as
//! [`super::pairing`] pairs them.

use super::columns::{Bools, CachedKey, Dict, Ints};
use super::pipeline::Batch;
use super::raw_args::{ArgsEncoder, RawArgs, RowArgs};
use super::records::batch_due;
use super::source::{RowThread, Source, SourceColumns, SourceKeys};
use super::table::Chunks;
use super::ExportError;
use crate::timeline::{Ending, PairId};

/// The `ending` column's value.
pub(crate) fn ending_name(ending: Ending) -> &'static str {
    match ending {
        Ending::Exit => "exit",
        Ending::Unclosed => "unclosed",
        Ending::CutByDrop => "cut_by_drop",
    }
}

/// One call, its arguments aside.
#[derive(Debug)]
pub(crate) struct CallRow<'a> {
    pub pid: u32,
    /// Where it started, when the trace says.
    pub thread: RowThread<'a>,
    pub pair: PairId,
    /// `X` of the pair.
    pub name: &'a str,
    pub id: Option<u64>,
    pub is_async: bool,
    pub start: u64,
    pub end: u64,
    pub ending: Ending,
    pub enter_seq: u64,
    pub exit_seq: Option<u64>,
}

/// Dictionary keys of one file's calls, cached across rows.
#[derive(Debug, Default)]
pub(crate) struct CallKeys {
    pub source: SourceKeys,
    /// By pair.
    names: Vec<CachedKey>,
    endings: [CachedKey; 3],
}

#[derive(Debug)]
pub(crate) struct CallRows {
    source: SourceColumns,
    call: Dict,
    call_id: Ints,
    is_async: Bools,
    start: Ints,
    end: Ints,
    duration: Ints,
    ending: Dict,
    enter_seq: Ints,
    exit_seq: Ints,
    args: RawArgs,
    exit_args: RawArgs,
    rows: usize,
}

impl Default for CallRows {
    fn default() -> Self {
        Self {
            source: SourceColumns::default(),
            call: Dict::new(false),
            call_id: Ints::nullable(),
            is_async: Bools::default(),
            start: Ints::default(),
            end: Ints::default(),
            duration: Ints::default(),
            ending: Dict::new(false),
            enter_seq: Ints::default(),
            exit_seq: Ints::nullable(),
            args: RawArgs::default(),
            exit_args: RawArgs::default(),
            rows: 0,
        }
    }
}

impl CallRows {
    /// A call, with its enter's arguments (`None`: not kept, see
    /// [`super::pairing`]) and its exit's (when it ended by it).
    pub fn push(
        &mut self,
        source: &Source,
        keys: &mut CallKeys,
        row: &CallRow<'_>,
        args: Option<RowArgs<'_>>,
        exit_args: Option<RowArgs<'_>>,
    ) {
        self.source
            .push(source, &mut keys.source, row.pid, row.thread);
        let pair = row.pair.0 as usize;
        if keys.names.len() <= pair {
            keys.names.resize(pair + 1, CachedKey::default());
        }
        let name = self.call.cached_key(&mut keys.names[pair], row.name);
        self.call.push(name);
        self.call_id.push_opt(row.id.map(|id| id as i64));
        self.is_async.push(row.is_async);
        self.start.push(row.start as i64);
        self.end.push(row.end as i64);
        self.duration.push(row.end.saturating_sub(row.start) as i64);
        let ending = &mut keys.endings[row.ending as usize];
        let ending = self.ending.cached_key(ending, ending_name(row.ending));
        self.ending.push(ending);
        self.enter_seq.push(row.enter_seq as i64);
        self.exit_seq.push_opt(row.exit_seq.map(|s| s as i64));
        self.args.push_row(args);
        self.exit_args.push_row(exit_args);
        self.rows += 1;
    }

    /// Enough rows (or bytes) for a batch.
    #[inline]
    pub fn is_full(&self, batch_rows: usize) -> bool {
        let bytes =
            self.args.bytes() + self.exit_args.bytes() + self.call.bytes() + self.source.bytes();
        batch_due(self.rows, bytes, batch_rows)
    }
}

impl Batch for CallRows {
    /// The enter's arguments', the exit's.
    type Encoder = (ArgsEncoder, ArgsEncoder);

    fn rows(&self) -> usize {
        self.rows
    }

    /// Write the rows so far to the columns of `out`
    /// ([`super::calls_schema`]'s, in order), leaving none.
    fn write(
        &mut self,
        (args, exit_args): &mut Self::Encoder,
        out: &mut Chunks,
    ) -> Result<(), ExportError> {
        self.rows = 0;
        self.source.write(out)?;
        self.call.write(out)?;
        self.call_id.write(out)?;
        self.is_async.write(out)?;
        self.start.write(out)?;
        self.end.write(out)?;
        self.duration.write(out)?;
        self.ending.write(out)?;
        self.enter_seq.write(out)?;
        self.exit_seq.write(out)?;
        self.args.write(args, out)?;
        self.exit_args.write(exit_args, out)
    }
}
