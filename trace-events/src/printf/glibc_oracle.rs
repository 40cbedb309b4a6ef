//! The C library as the test oracle: a C program that calls `snprintf` for
//! each case, compiled with the system's C compiler (`$CC`, else `cc`) and
//! run, so the expected text always comes from the C library the machine has
//! (glibc on the reference machine), never from the code under test.
//!
//! Each integer is passed as the `uint64_t` the simple backend records; on
//! the LP64 ABIs we run on every variadic argument takes one 8-byte slot, so
//! `%d` reads its low 32 bits, `%s` of 0 reads a NULL pointer, as in QEMU's
//! log backend once the value has gone through the trace.

#![cfg_attr(mutants, mutants::skip)] // test code, not mutated

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Value;

/// What `snprintf` writes for each `(c_format, args)` case: all `n` bytes it
/// returns, NULs included.
pub fn render_with_glibc(cases: &[(&str, &[Value<'_>])]) -> Vec<Vec<u8>> {
    let dir = scratch_dir();
    let source = dir.join("cases.c");
    let binary = dir.join("cases");
    std::fs::write(&source, c_program(cases)).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let compiled = Command::new(&cc)
        .args(["-w", "-O0", "-o"])
        .arg(&binary)
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("the C compiler `{cc}` is needed for the glibc cases: {e}"));
    assert!(
        compiled.status.success(),
        "{cc} failed on {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&compiled.stderr)
    );
    let run = Command::new(&binary).output().unwrap();
    assert!(run.status.success(), "{}", binary.display());
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<Vec<u8>> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect();
    assert_eq!(lines.len(), cases.len(), "one output line per case");
    lines
}

fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "trace-events-glibc-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One `snprintf` call per case; each result printed as one line of hex.
fn c_program(cases: &[(&str, &[Value<'_>])]) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stdint.h>\n\
         static char buf[1 << 20];\n\
         static void emit(int n) {\n\
         \x20   for (int i = 0; i < n && i < (int)sizeof buf; i++) printf(\"%02x\", (unsigned char)buf[i]);\n\
         \x20   printf(\"\\n\");\n\
         }\n\
         int main(void) {\n",
    );
    for (c_format, args) in cases {
        // The format column is C source text: it goes in as written.
        write!(c, "    emit(snprintf(buf, sizeof buf, \"{c_format}\"").unwrap();
        for arg in args.iter() {
            match arg {
                Value::Int(v) => write!(c, ", (uint64_t){v}ULL").unwrap(),
                Value::Str(bytes) => {
                    // Octal escapes: always three digits, so the next byte
                    // can never extend them.
                    c.push_str(", \"");
                    for b in bytes.iter() {
                        write!(c, "\\{b:03o}").unwrap();
                    }
                    c.push('"');
                }
            }
        }
        c.push_str("));\n");
    }
    c.push_str("    return 0;\n}\n");
    c
}
