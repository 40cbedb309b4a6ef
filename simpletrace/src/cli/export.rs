//! `simpletrace export --chrome OUT.json|--perfetto OUT.pftrace|--html OUT.html
//! |--otlp OUT.otlp|--otlp-endpoint URL [SELECTION] [TRACE_EVENTS...] TRACE_FILE`,
//! and `--parquet OUT.parquet ... TRACE...` (see [`super::parquet`]).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use simpletrace::columnar::DEFAULT_ROW_GROUP_ROWS;
use simpletrace::timeline::{ChromeTrace, HtmlTimeline, PerfettoTrace};
use simpletrace::{Consumer, Reader, Selected};

use super::input::{SelectArgs, TraceInput};
use super::otlp::{self, OtlpArgs};
use super::outcome::{analyze, fail, warn_unmatched};
use super::parquet::{self, ParquetArgs};

#[derive(Args)]
#[group(id = "output", required = true, multiple = false, args = ["chrome", "perfetto", "html", "otlp", "otlp_endpoint", "parquet"])]
pub struct ExportArgs {
    /// Write Chrome trace-event JSON (for ui.perfetto.dev or chrome://tracing)
    /// to this file; `-` for standard output.
    #[arg(long, value_name = "OUT.json")]
    chrome: Option<PathBuf>,
    /// Write a Perfetto protobuf trace (for ui.perfetto.dev): smaller and
    /// faster to write and load than the JSON; `-` for standard output.
    #[arg(long, value_name = "OUT.pftrace")]
    perfetto: Option<PathBuf>,
    /// Write a self-contained HTML page drawing the timeline (no network).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Write the records of every trace given as one Parquet table, and
    /// their calls (enter/exit pairs) as another, OUT.calls.parquet unless
    /// --parquet-calls says. Traces are the last file and every file that
    /// starts with a trace header; the others are trace-events files.
    #[arg(long, value_name = "OUT.parquet")]
    parquet: Option<PathBuf>,
    /// With --parquet: write the calls table here.
    #[arg(long, value_name = "CALLS.parquet", requires = "parquet")]
    parquet_calls: Option<PathBuf>,
    /// With --parquet: rows per row group, the unit an engine reads in
    /// parallel and skips by its statistics (larger: fewer, bigger groups
    /// and more memory while writing).
    #[arg(long, value_name = "ROWS", requires = "parquet",
          default_value_t = DEFAULT_ROW_GROUP_ROWS as u32, value_parser = clap::value_parser!(u32).range(1..))]
    parquet_row_group_rows: u32,
    #[command(flatten)]
    otlp: OtlpArgs,
    /// The name of the host the traces were recorded on (Parquet: the `host`
    /// column; OTLP: the resource's `host.name`).
    #[arg(long, value_name = "NAME")]
    host: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    input: TraceInput,
}

enum Format {
    Chrome,
    Perfetto,
    Html,
}

fn create(path: &Path) -> Result<Box<dyn Write>, ExitCode> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdout().lock()));
    }
    match File::create(path) {
        Ok(file) => Ok(Box::new(BufWriter::new(file))),
        Err(e) => Err(fail(&format_args!("cannot create {}: {e}", path.display()))),
    }
}

pub fn run(args: &ExportArgs) -> io::Result<ExitCode> {
    if let Some(out) = &args.parquet {
        let parquet = ParquetArgs {
            out,
            calls: args.parquet_calls.as_deref(),
            host: args.host.as_deref(),
            row_group_rows: args.parquet_row_group_rows as usize,
        };
        return parquet::run(&parquet, &args.select.filter(), &args.input);
    }
    let mut reader = match args.input.open() {
        Ok(reader) => reader,
        Err(code) => return Ok(code),
    };
    let trace = args.input.trace();
    let filter = args.select.filter();
    if args.otlp.wanted() {
        return otlp::run(&args.otlp, args.host.as_deref(), &mut reader, filter, trace);
    }
    let (path, format) = match (&args.chrome, &args.perfetto, &args.html) {
        (Some(path), _, _) => (path, Format::Chrome),
        (None, Some(path), _) => (path, Format::Perfetto),
        (None, None, Some(path)) => (path, Format::Html),
        (None, None, None) => return Ok(ExitCode::FAILURE),
    };
    let out = match create(path) {
        Ok(out) => out,
        Err(code) => return Ok(code),
    };
    match format {
        Format::Html => {
            let title = format!("Timeline of {}", trace.display());
            let export = HtmlTimeline::new(out, &title)?;
            export_with(&mut reader, Selected::new(filter, export), trace)
        }
        Format::Chrome => export_with(
            &mut reader,
            Selected::new(filter, ChromeTrace::new(out)),
            trace,
        ),
        Format::Perfetto => export_with(
            &mut reader,
            Selected::new(filter, PerfettoTrace::new(out)),
            trace,
        ),
    }
}

/// Run the export, then warn about selections that matched nothing.
fn export_with<C: Consumer<Error = io::Error>>(
    reader: &mut Reader<File>,
    mut export: Selected<C>,
    trace: &Path,
) -> io::Result<ExitCode> {
    let code = analyze(reader, &mut export, trace)?;
    warn_unmatched(export.filter());
    Ok(code)
}
