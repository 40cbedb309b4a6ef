//! Command line: decoding (the default, simpletrace.py-compatible) and
//! subcommands, one module each.

mod decode;
mod events;
mod export;
mod follow;
mod input;
mod interrupt;
mod otlp;
mod outcome;
mod parquet;
mod stats;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "simpletrace",
    version,
    about = "Read QEMU simple traces: simpletrace.py-identical text, printf-formatted logs, JSON, timelines, statistics",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    decode: decode::DecodeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// List the events declared in trace-events files, or print the
    /// trace-events file a self-describing trace carries.
    Events(events::EventsArgs),
    /// Export a timeline (Chrome JSON, Perfetto, HTML), the calls as
    /// OpenTelemetry spans, or records and calls as Parquet tables.
    Export(Box<export::ExportArgs>),
    /// Per-event counts, rates, dropped totals and call latencies.
    Stats(stats::StatsArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Events(args)) => events::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Stats(args)) => stats::run(&args),
        None => decode::run(&cli.decode),
    };
    match result {
        Ok(code) => code,
        // The reader of our output went away (e.g. `| head`): not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("simpletrace: {e}");
            ExitCode::FAILURE
        }
    }
}
