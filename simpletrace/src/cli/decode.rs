//! `simpletrace [--no-header] [--follow] [--format F] [SELECTION] [TRACE_EVENTS...] TRACE_FILE`.

use std::io;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use simpletrace::output::{Json, Log, Printer, RecordFormat, SimpletracePy};
use simpletrace::Selected;

use super::input::{SelectArgs, TraceInput};
use super::outcome::{fail, warn_unmatched};

#[derive(Args)]
pub struct DecodeArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Simpletrace)]
    format: Format,
    /// With `--format log`: start each line `TID@SECONDS.MICROSECONDS:` as
    /// QEMU's log backend does with `-msg timestamp=on` (the time is the
    /// trace's clock; the tid the record's thread, else its pid).
    #[arg(long)]
    timestamps: bool,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    input: TraceInput,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Exactly what QEMU's scripts/simpletrace.py prints.
    Simpletrace,
    /// QEMU's log backend: the event's format rendered as C printf does.
    Log,
    /// One JSON object a record.
    Json,
}

pub fn run(args: &DecodeArgs) -> io::Result<ExitCode> {
    match (args.format, args.timestamps) {
        (Format::Simpletrace, false) => print(args, SimpletracePy::default(), false),
        (Format::Log, false) => print(args, Log::default(), false),
        (Format::Log, true) => print(args, Log::with_timestamps(), true),
        (Format::Json, _) => print(args, Json, true),
        (Format::Simpletrace, true) => Ok(fail(&"--timestamps goes with --format log")),
    }
}

/// Print every selected record with `format`; `threads`: the format shows
/// each record's thread, so threads are followed even without a filter.
fn print<F: RecordFormat>(args: &DecodeArgs, format: F, threads: bool) -> io::Result<ExitCode> {
    let mut reader = match args.input.open_records() {
        Ok(reader) => reader,
        Err(code) => return Ok(code),
    };
    // The printer buffers in large blocks itself.
    let printer = Printer::new(format, io::stdout().lock());
    let trace = args.input.trace();
    let filter = args.select.filter();
    let code = if filter.keeps_everything() && !threads {
        reader.analyze(&mut { printer }, trace)
    } else {
        let mut selected = Selected::new(filter, printer);
        let code = reader.analyze(&mut selected, trace);
        if code.is_ok() {
            warn_unmatched(selected.filter());
        }
        code
    };
    // The process ends next: freeing QEMU's ~6,000 events one by one took
    // about a tenth of a run's instructions for nothing.
    std::mem::forget(reader);
    code
}
