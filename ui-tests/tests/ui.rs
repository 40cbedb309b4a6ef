//! What users of `trace_events!` see at compile time: errors in their
//! trace-events file, bad macro input, and type errors at call sites.

use std::path::{Path, PathBuf};

/// Fixture files (`tests/ui/*.trace-events`) are named relative to the crate
/// being compiled, as users name theirs. trybuild compiles the UI tests as the
/// crate `<target dir>/tests/trybuild/ui-tests`, so copy them there, under
/// `ui/`; the tests then write `trace_events!("ui/<name>.trace-events")`.
fn install_fixtures() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let project = target.join("tests/trybuild/ui-tests/ui");
    std::fs::create_dir_all(&project).unwrap();
    let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(ui).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "trace-events") {
            std::fs::copy(&path, project.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Two batches, run one after the other (they share trybuild's project
/// directory). trybuild checks a batch of compile-fail cases only with one
/// `cargo check --keep-going` for all of them; a batch that holds a pass
/// case builds and runs every case, pass or fail, with its own cargo
/// invocation.
#[test]
fn ui() {
    install_fixtures();
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/fail/*.rs");
        t.compile_fail("tests/ui/traced_fail/*.rs");
    }
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.pass("tests/ui/traced_pass/*.rs");
}
