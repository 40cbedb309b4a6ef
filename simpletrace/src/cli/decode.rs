//! `simpletrace [--no-header] [--format F] TRACE_EVENTS... TRACE_FILE`.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use simpletrace::output::{Json, Log, Printer, SimpletracePy};
use simpletrace::{process, Analyzer, EventTable, LoadError, ProcessError, Reader};

#[derive(Args)]
pub struct DecodeArgs {
    /// The file has no header: event ids are positions in the trace-events files.
    #[arg(long)]
    no_header: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Simpletrace)]
    format: Format,
    /// trace-events files, then the trace file.
    #[arg(value_name = "TRACE_EVENTS... TRACE_FILE", required = true, num_args = 2..)]
    files: Vec<PathBuf>,
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
    let Some((trace, event_files)) = args.files.split_last() else {
        return Ok(ExitCode::FAILURE);
    };
    let table = match EventTable::load(event_files) {
        Ok((table, warnings)) => {
            for warning in warnings {
                eprintln!("{warning}");
            }
            table
        }
        Err(LoadError::Invalid { diagnostics, .. }) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return fail(&e),
    };
    let file = match File::open(trace) {
        Ok(file) => file,
        Err(e) => return fail(&format_args!("cannot open {}: {e}", trace.display())),
    };
    let mut reader = if args.no_header {
        Reader::headerless(file, table)
    } else {
        match Reader::new(file, table) {
            Ok(reader) => reader,
            Err(e) => return fail(&format_args!("{}: {e}", trace.display())),
        }
    };
    // The printer buffers in large blocks itself.
    let out = io::stdout().lock();
    match args.format {
        Format::Simpletrace => decode(
            &mut reader,
            &mut Printer::new(SimpletracePy::default(), out),
            trace,
        ),
        Format::Log => decode(&mut reader, &mut Printer::new(Log::default(), out), trace),
        Format::Json => decode(&mut reader, &mut Printer::new(Json, out), trace),
    }
}

fn decode<A: Analyzer<Error = io::Error>>(
    reader: &mut Reader<File>,
    analyzer: &mut A,
    trace: &std::path::Path,
) -> io::Result<ExitCode> {
    match process(reader, analyzer) {
        Ok(summary) => {
            if let Some(truncated) = summary.truncated {
                eprintln!("simpletrace: warning: {}: {truncated}", trace.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ProcessError::Analyzer(e)) => Err(e),
        Err(ProcessError::Read(e)) => {
            // Everything before the bad record has been printed; flush it first.
            analyzer.end()?;
            fail(&format_args!("{}: {e}", trace.display()))
        }
    }
}

fn fail(message: &dyn std::fmt::Display) -> io::Result<ExitCode> {
    io::stdout().flush()?;
    eprintln!("simpletrace: error: {message}");
    Ok(ExitCode::FAILURE)
}
