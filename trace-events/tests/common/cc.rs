//! The host's C compiler (`$CC`, else `cc`) as a test oracle: which of a
//! list of one-line C items it refuses under C17 with `-pedantic-errors`
//! (no extension, no implicit `int`), LP64 and `-fsigned-char` as on x86-64.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The compiler's command name.
pub fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

/// A directory of its own for this test process's C files.
pub fn scratch_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trace-events-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The indices of `items` (one line of C each, after `header`) the compiler
/// refuses, compiled as one file in `dir`.
pub fn refused(dir: &std::path::Path, header: &str, items: &[String]) -> BTreeSet<usize> {
    let first_line = header.lines().count() + 1;
    let mut source = String::from(header);
    for item in items {
        source.push_str(item);
        source.push('\n');
    }
    let path = dir.join("items.c");
    std::fs::write(&path, source).unwrap();
    let cc = cc();
    let out = Command::new(&cc)
        .args(["-fsyntax-only", "-fsigned-char", "-fmax-errors=0"])
        .args(["-std=c17", "-pedantic-errors"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("the C compiler `{cc}` is needed for this test: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refused: BTreeSet<usize> = stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.split(':').nth(1).unwrap().parse::<usize>().unwrap() - first_line)
        .collect();
    assert_eq!(refused.is_empty(), out.status.success(), "{stderr}");
    refused
}
