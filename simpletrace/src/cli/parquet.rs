//! `simpletrace export --parquet OUT.parquet [--parquet-calls CALLS.parquet]
//! [--parquet-row-group-rows ROWS] [--host NAME] [SELECTION]
//! [TRACE_EVENTS...] TRACE...`: the records of every trace as one table,
//! their calls as another.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use simpletrace::columnar::{calls_path_for, ParquetExport, ParquetOptions};
use simpletrace::{process, Analyzer, Filter, ProcessError, Selected};
use trace_events::v4;

use super::input::{load_events, TraceInput};
use super::outcome::fail;

/// Where the tables go and what the rows say of their origin.
pub struct ParquetArgs<'a> {
    pub out: &'a Path,
    pub calls: Option<&'a Path>,
    pub host: Option<&'a str>,
    pub row_group_rows: usize,
}

/// Does `path` start with a v4 trace header (a trace, not a trace-events
/// file)?
fn is_trace(path: &Path) -> io::Result<bool> {
    let mut head = [0u8; 16];
    let mut file = File::open(path)?;
    let mut len = 0;
    while len < head.len() {
        match file.read(&mut head[len..])? {
            0 => break,
            n => len += n,
        }
    }
    Ok(v4::decode::starts_with_header(&head[..len]))
}

/// The trace-events files and the traces among `files`: the last file is a
/// trace, and so is every other file starting with a trace header (all but
/// the last are trace-events files with `--no-header`).
fn split_inputs(
    files: &[PathBuf],
    no_header: bool,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), ExitCode> {
    let Some((last, rest)) = files.split_last() else {
        return Err(ExitCode::FAILURE);
    };
    let mut events = Vec::new();
    let mut traces = Vec::new();
    for file in rest {
        let trace = !no_header
            && is_trace(file)
                .map_err(|e| fail(&format_args!("cannot open {}: {e}", file.display())))?;
        if trace {
            traces.push(file.clone());
        } else {
            events.push(file.clone());
        }
    }
    traces.push(last.clone());
    Ok((events, traces))
}

/// Selectors that matched nothing in any trace.
#[derive(Default)]
struct Unmatched {
    events: Option<BTreeSet<String>>,
    threads: Option<BTreeSet<String>>,
    saw_threads: bool,
}

impl Unmatched {
    fn add(&mut self, filter: &Filter) {
        let events: BTreeSet<String> = filter.unmatched_events().collect();
        let threads: BTreeSet<String> = filter.unmatched_threads().collect();
        let keep = |all: &mut Option<BTreeSet<String>>, these: BTreeSet<String>| {
            *all = Some(match all.take() {
                Some(all) => all.intersection(&these).cloned().collect(),
                None => these,
            });
        };
        keep(&mut self.events, events);
        keep(&mut self.threads, threads);
        self.saw_threads |= filter.saw_threads();
    }

    fn warn(&self) {
        for pattern in self.events.iter().flatten() {
            eprintln!("simpletrace: warning: --events '{pattern}' matches no event in the traces");
        }
        let why = if self.saw_threads {
            ""
        } else {
            " (they have no trace_thread records: threads are known only in traces written by trace-runtime)"
        };
        for thread in self.threads.iter().flatten() {
            eprintln!(
                "simpletrace: warning: --thread '{thread}' matches no thread in the traces{why}"
            );
        }
    }
}

pub fn run(args: &ParquetArgs<'_>, filter: &Filter, input: &TraceInput) -> io::Result<ExitCode> {
    let (event_files, traces) = match split_inputs(input.files(), input.no_header()) {
        Ok(split) => split,
        Err(code) => return Ok(code),
    };
    let table = match load_events(&event_files) {
        Ok(table) => table,
        Err(code) => return Ok(code),
    };
    let calls: PathBuf = args
        .calls
        .map_or_else(|| calls_path_for(args.out), Path::to_path_buf);
    if calls == args.out {
        return Ok(fail(&format_args!(
            "--parquet-calls {} is the records file: the calls table needs its own",
            calls.display()
        )));
    }
    let options = ParquetOptions {
        host: args.host.map(str::to_string),
        row_group_rows: args.row_group_rows,
        ..ParquetOptions::default()
    };
    let mut export = match ParquetExport::create(args.out, Some(&calls), options) {
        Ok(export) => export,
        Err(e) => return Ok(fail(&e)),
    };
    let mut code = ExitCode::SUCCESS;
    let mut unmatched = Unmatched::default();
    for trace in &traces {
        let mut reader = match input.open_trace(trace, table.clone()) {
            Ok(reader) => reader,
            Err(failed) => {
                // The other traces are still exported.
                code = failed;
                continue;
            }
        };
        let rows = export.file(trace.display().to_string());
        let mut selected = Selected::new(filter.clone(), rows);
        match process(&mut reader, &mut selected) {
            Ok(summary) => {
                if let Some(truncated) = summary.truncated {
                    eprintln!("simpletrace: warning: {}: {truncated}", trace.display());
                }
            }
            Err(ProcessError::Read(e)) => {
                // Everything before the bad record is exported, its calls closed.
                if let Err(e) = selected.end() {
                    return Ok(fail(&e));
                }
                code = fail(&format_args!("{}: {e}", trace.display()));
            }
            Err(ProcessError::Analyzer(e)) => return Ok(fail(&e)),
        }
        unmatched.add(selected.filter());
    }
    if let Err(e) = export.finish() {
        return Ok(fail(&e));
    }
    unmatched.warn();
    Ok(code)
}
