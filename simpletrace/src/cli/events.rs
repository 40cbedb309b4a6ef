//! `simpletrace events [--json] FILE...`: the events of trace-events files;
//! `simpletrace events --from-trace TRACE_FILE`: the trace-events file a
//! self-describing trace carries.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};
use simpletrace::{declared_in_other_files, EventTable, Reader, READER_OPTIONS};
use trace_events::Event;

use super::outcome::fail;

#[derive(Args)]
pub struct EventsArgs {
    /// One JSON object a line (file, line, name, props, args, fmt, c_format).
    #[arg(long)]
    json: bool,
    /// Print the trace-events file that a trace written by our runtime
    /// carries (its events and the runtime's), for QEMU's simpletrace.py.
    #[arg(long, value_name = "TRACE_FILE", conflicts_with_all = ["json", "files"])]
    from_trace: Option<PathBuf>,
    /// trace-events files.
    #[arg(required_unless_present = "from_trace")]
    files: Vec<PathBuf>,
}

pub fn run(args: &EventsArgs) -> io::Result<ExitCode> {
    if let Some(trace) = &args.from_trace {
        return from_trace(trace);
    }
    let mut events = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let name = trace_events::path_name(path);
        // Lenient as the reader is: a name declared twice is a warning.
        let parsed = match trace_events::parse_file_with(path, &name, READER_OPTIONS) {
            Ok(parsed) => parsed,
            Err(e) => {
                eprintln!("simpletrace: error: cannot read {name}: {e}");
                failed = true;
                continue;
            }
        };
        for diagnostic in &parsed.diagnostics {
            eprintln!("{diagnostic}");
        }
        failed |= parsed.has_errors();
        events.extend(parsed.file.events);
    }
    for warning in declared_in_other_files(&events) {
        eprintln!("{warning}");
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        for event in &events {
            write_json(&mut out, event)?;
        }
    } else {
        write_table(&mut out, &events)?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn from_trace(trace: &Path) -> io::Result<ExitCode> {
    let mut reader = match Reader::open(trace, EventTable::new([])) {
        Ok(reader) => reader,
        Err(e) => return Ok(fail(&format_args!("{}: {e}", trace.display()))),
    };
    let runtime = reader.events().len();
    // Declarations may come anywhere before their first use: read it all.
    loop {
        match reader.next_record() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) if e.is_truncation() => {
                eprintln!("simpletrace: warning: {}: {e}", trace.display());
                break;
            }
            Err(e) => return Ok(fail(&format_args!("{}: {e}", trace.display()))),
        }
    }
    let events = reader.events().declared();
    if events.len() == runtime {
        eprintln!(
            "simpletrace: warning: {} declares no events (not written by our runtime?)",
            trace.display()
        );
    }
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(
        out,
        "# Declared by {}; the last lines are the runtime's own events.",
        trace.display()
    )?;
    // The trace's events first, then the runtime's, like a program's file
    // with RUNTIME_TRACE_EVENTS appended.
    for event in events[runtime..].iter().chain(&events[..runtime]) {
        writeln!(out, "{}", event.declaration_line())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The fields and meaning of tracetool's own dump (golden tracetool-events.jsonl).
fn write_json(out: &mut impl Write, event: &Event) -> io::Result<()> {
    let props: Vec<&str> = event.props.iter().map(|p| p.as_str()).collect();
    let args: Vec<Value> = event.args.iter().map(|a| json!([a.ty, a.name])).collect();
    // Written field by field to keep tracetool's key order.
    write!(out, "{{\"file\": {}", json!(event.pos.file))?;
    write!(out, ", \"line\": {}", event.pos.line)?;
    write!(out, ", \"name\": {}", json!(event.name))?;
    write!(out, ", \"props\": {}", json!(props))?;
    write!(out, ", \"args\": {}", Value::from(args))?;
    write!(out, ", \"fmt\": {}", json!(event.fmt))?;
    writeln!(out, ", \"c_format\": {}}}", json!(event.c_format))
}

/// `file:line  [disable ]name(type name, ...)  format`, columns aligned.
fn write_table(out: &mut impl Write, events: &[Event]) -> io::Result<()> {
    let rows: Vec<(String, String, &str)> = events
        .iter()
        .map(|e| {
            let args: Vec<String> = e.args.iter().map(|a| join_decl(&a.ty, &a.name)).collect();
            let args = if args.is_empty() {
                "void".to_string()
            } else {
                args.join(", ")
            };
            let disable = if e.is_disabled() { "disable " } else { "" };
            (
                format!("{}:{}", e.pos.file, e.pos.line),
                format!("{disable}{}({args})", e.name),
                e.fmt.as_str(),
            )
        })
        .collect();
    let width = |col: fn(&(String, String, &str)) -> usize| rows.iter().map(col).max().unwrap_or(0);
    let (w_loc, w_decl) = (width(|r| r.0.len()), width(|r| r.1.len()));
    for (loc, decl, fmt) in &rows {
        // Padded by hand: `format!` widths stop at 65,535 and a declaration
        // can be longer.
        write_padded(out, loc, w_loc)?;
        out.write_all(b"  ")?;
        write_padded(out, decl, w_decl)?;
        writeln!(out, "  {fmt}")?;
    }
    Ok(())
}

/// `text` then blanks up to `width` bytes (names and types are ASCII).
fn write_padded(out: &mut impl Write, text: &str, width: usize) -> io::Result<()> {
    const BLANKS: &[u8] = &[b' '; 64];
    out.write_all(text.as_bytes())?;
    let mut missing = width.saturating_sub(text.len());
    while missing > 0 {
        let n = missing.min(BLANKS.len());
        out.write_all(&BLANKS[..n])?;
        missing -= n;
    }
    Ok(())
}

/// `const char *name`, `uint64_t addr`.
fn join_decl(ty: &str, name: &str) -> String {
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}
