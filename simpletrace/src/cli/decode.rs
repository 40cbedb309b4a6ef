//! `simpletrace [--no-header] [--format F] [SELECTION] [TRACE_EVENTS...] TRACE_FILE`.

use std::io;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use simpletrace::output::{Json, Log, Printer, RecordFormat, SimpletracePy};
use simpletrace::Selected;

use super::input::{analyze, SelectArgs, TraceInput};

#[derive(Args)]
pub struct DecodeArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Simpletrace)]
    format: Format,
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
    match args.format {
        Format::Simpletrace => print(args, SimpletracePy::default()),
        Format::Log => print(args, Log::default()),
        Format::Json => print(args, Json),
    }
}

fn print<F: RecordFormat>(args: &DecodeArgs, format: F) -> io::Result<ExitCode> {
    let mut reader = match args.input.open() {
        Ok(reader) => reader,
        Err(code) => return Ok(code),
    };
    // The printer buffers in large blocks itself.
    let printer = Printer::new(format, io::stdout().lock());
    let trace = args.input.trace();
    let filter = args.select.filter();
    if filter.keeps_everything() {
        analyze(&mut reader, &mut { printer }, trace)
    } else {
        analyze(&mut reader, &mut Selected::new(filter, printer), trace)
    }
}
