//! The simpletrace.py golden traces: our output must equal what QEMU's
//! scripts/simpletrace.py printed, byte for byte.

mod common;

use std::fs;

use common::*;
use simpletrace::output::{Printer, SimpletracePy};
use simpletrace::{process, Reader};

/// The CLI succeeded and printed exactly the case's `expected.txt`.
fn assert_prints_expected(out: &std::process::Output, case: &std::path::Path) {
    assert!(
        out.status.success(),
        "{}: {}",
        case.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout == fs::read(case.join("expected.txt")).unwrap(),
        "{}: output differs from expected.txt",
        case.display()
    );
}

#[test]
fn cli_output_equals_simpletrace_py_for_every_golden_case() {
    for case in golden_cases() {
        let out = run_cli(&[
            case.join("trace-events").as_os_str(),
            case.join("trace.bin").as_os_str(),
        ]);
        assert_prints_expected(&out, &case);
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn library_output_equals_simpletrace_py_for_every_golden_case() {
    for case in golden_cases() {
        let mut reader = Reader::open(case.join("trace.bin"), golden_table(&case)).unwrap();
        let mut formatter = Printer::new(SimpletracePy::default(), Vec::new());
        let summary = process(&mut reader, &mut formatter).unwrap();
        let expected = fs::read(case.join("expected.txt")).unwrap();
        assert!(summary.truncated.is_none());
        assert_eq!(
            summary.records as usize,
            expected.split(|&b| b == b'\n').count() - 1
        );
        assert!(
            formatter.into_inner().unwrap() == expected,
            "{}",
            case.display()
        );
    }
}

/// Without the header, `--no-header` reads the same records (the golden files'
/// mapping records still name the events).
#[test]
fn no_header_reads_a_headerless_copy_identically() {
    let dir = tempfile::tempdir().unwrap();
    for case in golden_cases() {
        let bytes = fs::read(case.join("trace.bin")).unwrap();
        let stripped = dir.path().join("stripped.bin");
        fs::write(&stripped, &bytes[24..]).unwrap();
        let out = run_cli(&[
            "--no-header".as_ref(),
            case.join("trace-events").as_os_str(),
            stripped.as_os_str(),
        ]);
        assert_prints_expected(&out, &case);
    }
}

/// The declarations may be spread over several trace-events files.
#[test]
fn several_trace_events_files() {
    let dir = tempfile::tempdir().unwrap();
    for case in golden_cases() {
        let text = fs::read_to_string(case.join("trace-events")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (first, second) = lines.split_at(lines.len() / 2);
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, first.join("\n") + "\n").unwrap();
        fs::write(&b, second.join("\n") + "\n").unwrap();
        let out = run_cli(&[
            a.as_os_str(),
            b.as_os_str(),
            case.join("trace.bin").as_os_str(),
        ]);
        assert_prints_expected(&out, &case);
    }
}

/// The owned iterator sees the same records, dropped ones included.
#[test]
fn owned_iterator_yields_every_record() {
    for case in golden_cases() {
        let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
        let reader = Reader::open(case.join("trace.bin"), golden_table(&case)).unwrap();
        let records: Vec<_> = reader.records().collect::<Result<_, _>>().unwrap();
        assert_eq!(records.len(), expected.lines().count());
        for (record, line) in records.iter().zip(expected.lines()) {
            assert_eq!(line.split(' ').next(), Some(record.name.as_str()));
            assert!(line.contains(&format!(" pid={} ", record.pid)));
        }
    }
}
