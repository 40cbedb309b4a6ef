//! The C compiler as the oracle for argument types: every combination of up
//! to three of tracetool's type words (four for the integer keywords) is
//! declared as a parameter and compiled (`common/cc.rs`). The parser must accept
//! exactly the types the compiler accepts, and record each integer with the
//! compiler's width and signedness.
#![cfg(not(windows))] // the host's C compiler cannot be started from Wine

#[path = "common/cc.rs"]
mod cc;

use std::collections::BTreeSet;
use std::process::Command;

use trace_events::{parse_str, ArgKind};

const INTEGER_WORDS: [&str; 6] = ["signed", "unsigned", "char", "short", "int", "long"];
const NAMED: [&str; 11] = [
    "bool",
    "void",
    "int8_t",
    "uint64_t",
    "int32_t",
    "uint16_t",
    "size_t",
    "ssize_t",
    "uintptr_t",
    "ptrdiff_t",
    "const",
];

fn types() -> Vec<String> {
    let mut types = Vec::new();
    let mut grow = |words: &[&str], max: usize| {
        let mut level: Vec<String> = vec![String::new()];
        for _ in 0..max {
            level = level
                .iter()
                .flat_map(|t| words.iter().map(move |w| format!("{t} {w}")))
                .collect();
            types.extend(level.iter().map(|t| t.trim_start().to_string()));
        }
    };
    grow(&INTEGER_WORDS, 4);
    let all: Vec<&str> = INTEGER_WORDS.iter().chain(&NAMED).copied().collect();
    grow(&all, 3);
    let unique: BTreeSet<String> = types.into_iter().collect();
    unique.into_iter().collect()
}

/// What the compiler says of each type: `None` if a parameter of that type
/// does not compile, else its size in bits and whether it is signed.
fn compiler_verdicts(types: &[String]) -> Vec<Option<(u32, bool)>> {
    let dir = cc::scratch_dir("ctypes");
    let header = "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\
                  #include <stdio.h>\n#include <sys/types.h>\n";
    // A definition: a prototype may name an incomplete type such as `void`.
    let functions: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| format!("void f{i}({ty} x) {{ (void)x; }}"))
        .collect();
    let refused = cc::refused(&dir, header, &functions);
    assert!(!refused.is_empty());

    let mut program = format!("{header}int main(void) {{\n");
    for (i, ty) in types.iter().enumerate() {
        if !refused.contains(&i) {
            program.push_str(&format!(
                "printf(\"{i} %zu %d\\n\", sizeof({ty}), ({ty})-1 < ({ty})0);\n"
            ));
        }
    }
    program.push_str("return 0;\n}\n");
    let source = dir.join("sizes.c");
    let binary = dir.join("sizes");
    std::fs::write(&source, program).unwrap();
    let built = Command::new(cc::cc())
        .args(["-fsigned-char", "-w", "-o"])
        .arg(&binary)
        .arg(&source)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let run = Command::new(&binary).output().unwrap();
    assert!(run.status.success());
    let _ = std::fs::remove_dir_all(&dir);

    let mut verdicts = vec![None; types.len()];
    for line in String::from_utf8(run.stdout).unwrap().lines() {
        let f: Vec<u64> = line.split(' ').map(|n| n.parse().unwrap()).collect();
        verdicts[f[0] as usize] = Some((f[1] as u32 * 8, f[2] == 1));
    }
    verdicts
}

#[test]
fn the_parser_accepts_exactly_the_types_c_accepts_with_their_size_and_sign() {
    let types = types();
    let verdicts = compiler_verdicts(&types);
    let mut wrong = Vec::new();
    for (ty, c) in types.iter().zip(&verdicts) {
        let parsed = parse_str("trace-events", &format!("e({ty} x)\n"));
        let ours = parsed.file.events.first().map(|e| e.args[0].kind);
        let agrees = match (ours, c) {
            (None, None) => true,
            (Some(ArgKind::Int(int)), Some((bits, signed))) => {
                (u32::from(int.bits), int.signed) == (*bits, *signed)
            }
            (Some(ArgKind::Bool), Some(_)) => ty.split(' ').filter(|&w| w != "const").eq(["bool"]),
            _ => false,
        };
        if !agrees {
            wrong.push(format!("{ty:?}: ours {ours:?}, C {c:?}"));
        }
    }
    let accepted = verdicts.iter().filter(|v| v.is_some()).count();
    assert!(
        accepted > 100,
        "only {accepted} of {} types compiled",
        types.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {} types:\n{}",
        wrong.len(),
        types.len(),
        wrong.join("\n")
    );
}
