//! `simpletrace events`: the JSON listing equals tracetool's own parse of every
//! QEMU trace-events file (golden tracetool-events.jsonl).

mod common;

use common::*;

fn events_cli(dir: &str, args: &[&str]) -> std::process::Output {
    runner::output(
        runner::target_command(env!("CARGO_BIN_EXE_simpletrace"))
            .current_dir(dir)
            .arg("events")
            .args(args),
    )
    .unwrap()
}

#[test]
fn json_listing_of_the_qemu_corpus_equals_tracetool() {
    let golden = std::fs::read_to_string(format!("{GOLDEN}/tracetool-events.jsonl")).unwrap();
    let golden: Vec<serde_json::Value> = golden
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut files: Vec<&str> = Vec::new();
    for event in &golden {
        let file = event["file"].as_str().unwrap();
        if files.last() != Some(&file) {
            files.push(file);
        }
    }
    assert_eq!(files.len(), 103);

    let mut args = vec!["--json"];
    args.extend(&files);
    let out = events_cli(CORPUS, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ours: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ours.len(), golden.len());
    for (ours, theirs) in ours.iter().zip(&golden) {
        assert_eq!(ours, theirs);
    }
}

#[test]
fn table_lists_each_event_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("trace-events"),
        "# c\nfoo(int x, const char *s) \"x %d s %s\"\ndisable bar(void)\n",
    )
    .unwrap();
    let out = events_cli(dir.path().to_str().unwrap(), &["trace-events"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "trace-events:2",
            "foo(int",
            "x,",
            "const",
            "char",
            "*s)",
            "\"x",
            "%d",
            "s",
            "%s\""
        ]
    );
    assert_eq!(lines[1], ["trace-events:3", "disable", "bar(void)"]);
}

#[test]
fn errors_are_diagnostics_with_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad"),
        "ok(int x) \"%d\"\nfoo(hwaddr addr) \"%p\"\n",
    )
    .unwrap();
    let out = events_cli(dir.path().to_str().unwrap(), &["--json", "bad"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("bad:2:"), "{stderr}");
    assert!(
        stderr.contains(" | foo(hwaddr addr)") && stderr.contains('^'),
        "{stderr}"
    );
    // The valid event is still listed.
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);

    let out = events_cli(dir.path().to_str().unwrap(), &["missing"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn warnings_are_printed_with_exit_status_0() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("twice"), "disable disable foo(void)\n").unwrap();
    let out = events_cli(dir.path().to_str().unwrap(), &["--json", "twice"]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("twice:1:") && stderr.contains("warning"),
        "{stderr}"
    );
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["props"], serde_json::json!(["disable"]));
}

#[test]
fn a_declaration_of_any_length_lines_up_without_a_panic() {
    // 65,536 characters: past the widths `format!` accepts.
    let dir = tempfile::tempdir().unwrap();
    let name = "e".repeat(65_530);
    std::fs::write(
        dir.path().join("long"),
        format!("{name}(void)\nshort(int x) \"x %d\"\n"),
    )
    .unwrap();
    let out = events_cli(dir.path().to_str().unwrap(), &["long"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], format!("long:1  {name}(void)  "));
    // The short row is padded to the long declaration's width.
    let format_column = "long:1  ".len() + name.len() + "(void)".len() + 2;
    assert_eq!(
        lines[1].find("\"x %d\""),
        Some(format_column),
        "{}",
        lines[1].len()
    );
    assert!(lines[1].starts_with("long:2  short(int x) "));
}

#[cfg(unix)] // /dev/zero and /dev/urandom: Unix devices
#[test]
fn endless_input_is_refused_at_the_size_limit() {
    for endless in ["/dev/zero", "/dev/urandom"] {
        let out = events_cli(".", &[endless]);
        assert_eq!(out.status.code(), Some(1), "{endless}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("cannot read {endless}"))
                && stderr.contains("larger than 16 MiB"),
            "{stderr}"
        );
    }
}

#[test]
fn a_million_bad_lines_print_a_hundred_diagnostics_and_a_count() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad"), "disable\n".repeat(1_000_000)).unwrap();
    let out = events_cli(dir.path().to_str().unwrap(), &["bad"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches(": error: ").count(), 101);
    assert!(
        stderr.contains("bad:101:8: error: ... and 999900 more problems in this file"),
        "{}",
        &stderr[stderr.len().saturating_sub(300)..]
    );
    assert!(stderr.len() < 20_000, "{}", stderr.len());
}
