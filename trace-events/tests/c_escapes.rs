//! The C compiler as the oracle for escape sequences in a format: each
//! escape is put in a string literal and compiled (`$CC`, else `cc`; C17,
//! `-pedantic-errors`). The parser must refuse exactly the literals the
//! compiler refuses, except `\n`, which tracetool refuses on its own (a
//! record is printed on one line).
#![cfg(not(windows))] // the host's C compiler cannot be started from Wine

use std::collections::BTreeSet;
use std::process::Command;

use trace_events::parse_str;

fn escapes() -> Vec<String> {
    let mut escapes: Vec<String> = (b' '..=b'~')
        .filter(|&b| b != b'n')
        .map(|b| format!("\\{}", b as char))
        .collect();
    let digits = [
        "", "4", "41", "414", "4142", "41424", "414243", "0001F60", "0001F600",
    ];
    for lead in ["x", "u", "U", "0", "1", "7", "00", "377", "400"] {
        for d in digits {
            escapes.push(format!("\\{lead}{d}"));
        }
    }
    for ucn in [
        "\\u00e9",
        "\\u0041",
        "\\u0024",
        "\\uD800",
        "\\U00110000",
        "\\U0001F600x",
    ] {
        escapes.push(ucn.to_string());
    }
    escapes.push("\\x4g".to_string());
    escapes.push("\\xfg".to_string());
    let unique: BTreeSet<String> = escapes.into_iter().collect();
    unique.into_iter().collect()
}

/// The indices of the escapes the compiler refuses.
fn refused_by_c(escapes: &[String]) -> BTreeSet<usize> {
    let dir = std::env::temp_dir().join(format!("trace-events-escapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut source = String::new();
    for (i, e) in escapes.iter().enumerate() {
        // Line i + 1 holds escape i.
        source.push_str(&format!("const char *s{i} = \"a{e}b\";\n"));
    }
    let path = dir.join("escapes.c");
    std::fs::write(&path, source).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args([
            "-fsyntax-only",
            "-fmax-errors=0",
            "-std=c17",
            "-pedantic-errors",
        ])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("the C compiler `{cc}` is needed for this test: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.split(':').nth(1).unwrap().parse::<usize>().unwrap() - 1)
        .collect()
}

#[test]
fn the_parser_refuses_exactly_the_escapes_c_refuses() {
    let escapes = escapes();
    let refused = refused_by_c(&escapes);
    assert!(refused.len() > 20 && refused.len() < escapes.len() - 20);
    let mut wrong = Vec::new();
    for (i, e) in escapes.iter().enumerate() {
        let parsed = parse_str("trace-events", &format!("e(void) \"a{e}b\"\n"));
        if parsed.has_errors() != refused.contains(&i) {
            let ours: Vec<&str> = parsed.errors().map(|d| d.message.as_str()).collect();
            wrong.push(format!(
                "{e}: C refuses: {}, ours: {ours:?}",
                refused.contains(&i)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        escapes.len(),
        wrong.join("\n")
    );
}
