//! `simpletrace export --chrome OUT.json [SELECTION] [TRACE_EVENTS...] TRACE_FILE`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use simpletrace::timeline::ChromeTrace;
use simpletrace::Selected;

use super::input::{analyze, fail, SelectArgs, TraceInput};

#[derive(Args)]
pub struct ExportArgs {
    /// Write Chrome trace-event JSON (for ui.perfetto.dev or chrome://tracing)
    /// to this file; `-` for standard output.
    #[arg(long, value_name = "OUT.json", required = true)]
    chrome: PathBuf,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    input: TraceInput,
}

pub fn run(args: &ExportArgs) -> io::Result<ExitCode> {
    let mut reader = match args.input.open() {
        Ok(reader) => reader,
        Err(code) => return Ok(code),
    };
    let out: Box<dyn Write> = if args.chrome.as_os_str() == "-" {
        Box::new(io::stdout().lock())
    } else {
        match File::create(&args.chrome) {
            Ok(file) => Box::new(BufWriter::new(file)),
            Err(e) => {
                let path = args.chrome.display();
                return Ok(fail(&format_args!("cannot create {path}: {e}")));
            }
        }
    };
    let mut export = Selected::new(args.select.filter(), ChromeTrace::new(out));
    analyze(&mut reader, &mut export, args.input.trace())
}
