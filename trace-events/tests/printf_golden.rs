//! Every row of the golden printf data: what glibc's `snprintf` rendered for a
//! real QEMU trace format with recorded argument values.

use serde_json::Value as Json;
use trace_events::printf::{Format, Value};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/golden/printf.jsonl"
);

struct Row {
    line: usize,
    name: String,
    c_format: String,
    args: Vec<Arg>,
    expected: String,
}

enum Arg {
    Int(u64),
    Str(String),
}

fn load() -> Vec<Row> {
    let text = std::fs::read_to_string(GOLDEN).expect("read printf.jsonl");
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let json: Json = serde_json::from_str(line).expect("golden row is JSON");
            let field = |key: &str| json[key].as_str().expect(key).to_string();
            let args = json["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|arg| match (arg["u64"].as_u64(), arg["str"].as_str()) {
                    (Some(v), _) => Arg::Int(v),
                    (None, Some(s)) => Arg::Str(s.to_string()),
                    _ => panic!("line {}: argument without u64 or str", index + 1),
                })
                .collect();
            Row {
                line: index + 1,
                name: field("name"),
                c_format: field("c_format"),
                args,
                expected: field("expected"),
            }
        })
        .collect()
}

#[test]
fn every_golden_row_renders_as_glibc() {
    let rows = load();
    assert_eq!(rows.len(), 5546, "golden row count");
    let mut failures = Vec::new();
    let mut out = Vec::new();
    for row in &rows {
        let format = match Format::parse(&row.c_format) {
            Ok(format) => format,
            Err(err) => {
                failures.push(format!(
                    "line {} {}: {:?} does not parse: {err}",
                    row.line, row.name, row.c_format
                ));
                continue;
            }
        };
        let args: Vec<Value<'_>> = row
            .args
            .iter()
            .map(|arg| match arg {
                Arg::Int(v) => Value::Int(*v),
                Arg::Str(s) => Value::Str(s.as_bytes()),
            })
            .collect();
        out.clear();
        format.render(&mut out, &args);
        if out != row.expected.as_bytes() {
            failures.push(format!(
                "line {} {}: format {:?}\n    expected {:?}\n    rendered {:?}",
                row.line,
                row.name,
                row.c_format,
                row.expected,
                String::from_utf8_lossy(&out)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ; first ones:\n{}",
        failures.len(),
        rows.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn golden_formats_consume_exactly_their_arguments() {
    for row in load() {
        let format = Format::parse(&row.c_format).expect("golden formats parse");
        assert_eq!(
            format.arg_count(),
            row.args.len(),
            "line {} {}: {:?}",
            row.line,
            row.name,
            row.c_format
        );
    }
}

/// Every format of QEMU's 5,811 events (tracetool's own parse) compiles, and
/// consumes as many arguments as the event declares.
#[test]
fn every_qemu_format_compiles_and_matches_its_argument_count() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/golden/tracetool-events.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("read tracetool-events.jsonl");
    let mut failures = Vec::new();
    let mut events = 0;
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let json: Json = serde_json::from_str(line).expect("golden row is JSON");
        events += 1;
        let name = json["name"].as_str().expect("name");
        let c_format = json["c_format"].as_str().expect("c_format");
        let declared = json["args"].as_array().expect("args").len();
        match Format::parse(c_format) {
            Ok(format) if format.arg_count() == declared => {}
            Ok(format) => failures.push(format!(
                "{name}: {c_format:?} consumes {} arguments, {declared} declared",
                format.arg_count()
            )),
            Err(err) => failures.push(format!("{name}: {c_format:?}: {err}")),
        }
    }
    assert_eq!(events, 5811, "tracetool event count");
    assert!(
        failures.is_empty(),
        "{} formats fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
