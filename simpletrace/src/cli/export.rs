//! `simpletrace export --chrome OUT.json|--html OUT.html [SELECTION]
//! [TRACE_EVENTS...] TRACE_FILE`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use simpletrace::timeline::{ChromeTrace, HtmlTimeline};
use simpletrace::Selected;

use super::input::{analyze, fail, warn_unmatched, SelectArgs, TraceInput};

#[derive(Args)]
#[group(id = "output", required = true, multiple = false, args = ["chrome", "html"])]
pub struct ExportArgs {
    /// Write Chrome trace-event JSON (for ui.perfetto.dev or chrome://tracing)
    /// to this file; `-` for standard output.
    #[arg(long, value_name = "OUT.json")]
    chrome: Option<PathBuf>,
    /// Write a self-contained HTML page drawing the timeline (no network).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    input: TraceInput,
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
    let mut reader = match args.input.open() {
        Ok(reader) => reader,
        Err(code) => return Ok(code),
    };
    let trace = args.input.trace();
    let filter = args.select.filter();
    let (path, html) = match (&args.chrome, &args.html) {
        (Some(path), _) => (path, false),
        (None, Some(path)) => (path, true),
        (None, None) => return Ok(ExitCode::FAILURE),
    };
    let out = match create(path) {
        Ok(out) => out,
        Err(code) => return Ok(code),
    };
    if html {
        let title = format!("Timeline of {}", trace.display());
        let mut export = Selected::new(filter, HtmlTimeline::new(out, &title)?);
        let code = analyze(&mut reader, &mut export, trace)?;
        warn_unmatched(export.filter());
        Ok(code)
    } else {
        let mut export = Selected::new(filter, ChromeTrace::new(out));
        let code = analyze(&mut reader, &mut export, trace)?;
        warn_unmatched(export.filter());
        Ok(code)
    }
}
