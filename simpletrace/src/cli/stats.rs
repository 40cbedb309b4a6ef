//! `simpletrace stats [--json] [SELECTION] [TRACE_EVENTS...] TRACE_FILE`.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;
use simpletrace::stats::{write_json, write_text, Stats};
use simpletrace::{Consumer, Selected, Thread};

use super::input::{SelectArgs, TraceInput};
use super::outcome::{analyze, warn_unmatched};

#[derive(Args)]
pub struct StatsArgs {
    /// One JSON object instead of the text report (times in ns).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    input: TraceInput,
}

/// `Stats` for [`analyze`], whose analyzers fail with `io::Error`.
struct Gather(Stats);

impl Consumer for Gather {
    type Error = io::Error;

    fn record(
        &mut self,
        record: &simpletrace::Record<'_>,
        thread: Option<&Thread>,
    ) -> io::Result<()> {
        let Ok(()) = self.0.record(record, thread);
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        let Ok(()) = self.0.end();
        Ok(())
    }
}

pub fn run(args: &StatsArgs) -> io::Result<ExitCode> {
    let mut reader = match args.input.open() {
        Ok(reader) => reader,
        Err(code) => return Ok(code),
    };
    let mut gather = Selected::new(args.select.filter(), Gather(Stats::default()));
    let code = analyze(&mut reader, &mut gather, args.input.trace())?;
    warn_unmatched(gather.filter());
    let stats = gather.into_inner().0;
    let mut out = io::stdout().lock();
    if args.json {
        write_json(&stats, &mut out)?;
    } else {
        write_text(&stats, &mut out)?;
    }
    out.flush()?;
    Ok(code)
}
