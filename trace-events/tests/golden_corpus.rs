//! Every real QEMU trace-events file parses without error, and every event
//! equals tracetool's own parse (../shared/golden/tracetool-events.jsonl).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trace_events::{parse_file, Event};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/golden/tracetool-events.jsonl"
);

fn trace_event_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("corpus directory is readable") {
        let path = entry.expect("corpus entry is readable").path();
        if path.is_dir() {
            trace_event_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "trace-events") {
            out.push(path);
        }
    }
}

/// The golden fields of one of our events, as JSON.
fn as_golden(event: &Event) -> Value {
    serde_json::json!({
        "file": event.pos.file,
        "line": event.pos.line,
        "name": event.name,
        "props": event.props.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "args": event.args.iter().map(|a| [a.ty.as_str(), a.name.as_str()]).collect::<Vec<_>>(),
        "fmt": event.fmt,
        "c_format": event.c_format,
    })
}

#[test]
fn every_corpus_event_equals_tracetool() {
    let mut files = Vec::new();
    trace_event_files(Path::new(CORPUS), &mut files);
    files.sort();
    assert_eq!(files.len(), 103, "the corpus holds 103 trace-events files");

    let mut problems = Vec::new();
    let mut ours = BTreeMap::new();
    for path in &files {
        let relative = trace_events::path_name(path.strip_prefix(CORPUS).unwrap());
        let parsed = parse_file(path, &relative).expect("corpus file is readable");
        problems.extend(parsed.errors().map(|d| d.to_string()));
        for event in &parsed.file.events {
            ours.insert((relative.clone(), event.pos.line), as_golden(event));
        }
    }

    let golden = std::fs::read_to_string(GOLDEN).expect("golden file is readable");
    let mut golden_count = 0;
    for row in golden.lines() {
        golden_count += 1;
        let want: Value = serde_json::from_str(row).expect("golden row is JSON");
        let key = (
            want["file"].as_str().unwrap().to_string(),
            u32::try_from(want["line"].as_u64().unwrap()).unwrap(),
        );
        match ours.remove(&key) {
            None => problems.push(format!("{}:{}: event missing: {row}", key.0, key.1)),
            Some(got) => {
                for field in ["name", "props", "args", "fmt", "c_format"] {
                    if got[field] != want[field] {
                        problems.push(format!(
                            "{}:{}: {field}: got {}, tracetool {}",
                            key.0, key.1, got[field], want[field]
                        ));
                    }
                }
            }
        }
    }
    for ((file, line), got) in &ours {
        problems.push(format!(
            "{file}:{line}: event tracetool does not have: {got}"
        ));
    }
    assert_eq!(golden_count, 5811);
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every corpus event printed as a declaration line
/// (`Event::declaration_line`, what self-describing traces carry) parses
/// back to the same name, properties, arguments and format.
#[test]
fn every_corpus_event_round_trips_through_its_declaration_line() {
    let mut files = Vec::new();
    trace_event_files(Path::new(CORPUS), &mut files);
    let mut events = 0;
    for path in &files {
        let parsed = parse_file(path, "f").expect("corpus file is readable");
        for event in &parsed.file.events {
            let line = event.declaration_line();
            let back = trace_events::parse_str("line", &format!("{line}\n"));
            assert!(!back.has_errors(), "{line}: {:?}", back.diagnostics);
            let back = &back.file.events[0];
            assert_eq!(
                (
                    &back.name,
                    &back.props,
                    &back.args,
                    &back.fmt,
                    &back.c_format
                ),
                (
                    &event.name,
                    &event.props,
                    &event.args,
                    &event.fmt,
                    &event.c_format
                ),
                "{line}"
            );
            events += 1;
        }
    }
    assert_eq!(events, 5811, "every corpus event (shared/golden/README.md)");
}
