//! The C compiler as the oracle for escape sequences in a format: each
//! escape is put in a string literal and compiled (`common/cc.rs`). The
//! parser must refuse exactly the literals the compiler refuses, except
//! `\n`, which tracetool refuses on its own (a record is printed on one
//! line).
#![cfg(not(windows))] // the host's C compiler cannot be started from Wine

#[path = "common/cc.rs"]
mod cc;

use std::collections::BTreeSet;

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
    let literals: Vec<String> = escapes
        .iter()
        .enumerate()
        .map(|(i, e)| format!("const char *s{i} = \"a{e}b\";"))
        .collect();
    let dir = cc::scratch_dir("escapes");
    let refused = cc::refused(&dir, "", &literals);
    let _ = std::fs::remove_dir_all(&dir);
    refused
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
