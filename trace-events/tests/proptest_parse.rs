//! Property tests: generated valid declarations parse back to what generated
//! them; arbitrary input (random text, mutated real lines) never panics and
//! yields diagnostics that point inside the input.

use proptest::prelude::*;
use trace_events::{parse_str, ArgKind, IntType, Parsed, Property};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");

/// A type as written, with the kind the simple backend records for it.
fn types() -> impl Strategy<Value = (String, ArgKind)> {
    let int = |bits, signed| ArgKind::Int(IntType { bits, signed });
    let table: Vec<(&str, ArgKind)> = vec![
        ("int", int(32, true)),
        ("unsigned", int(32, false)),
        ("unsigned int", int(32, false)),
        ("unsigned  long", int(64, false)),
        ("long long", int(64, true)),
        ("short", int(16, true)),
        ("unsigned char", int(8, false)),
        ("char", int(8, true)),
        ("const int", int(32, true)),
        ("uint8_t", int(8, false)),
        ("int16_t", int(16, true)),
        ("uint32_t", int(32, false)),
        ("int64_t", int(64, true)),
        ("uint64_t", int(64, false)),
        ("size_t", int(64, false)),
        ("ssize_t", int(64, true)),
        ("uintptr_t", int(64, false)),
        ("ptrdiff_t", int(64, true)),
        ("bool", ArgKind::Bool),
        ("const char *", ArgKind::Str),
        ("const char*", ArgKind::Str),
        ("char *", ArgKind::Str),
        ("void *", ArgKind::Pointer),
        ("void*", ArgKind::Pointer),
        ("const void *", ArgKind::Pointer),
        ("char **", ArgKind::Pointer),
        ("const uint8_t *", ArgKind::Pointer),
        ("uint64_t *", ArgKind::Pointer),
    ];
    proptest::sample::select(table).prop_map(|(t, k)| (t.to_string(), k))
}

/// Identifiers that are not C keywords: a prefix no keyword has.
fn identifier() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_map(|s| format!("v{s}"))
}

fn blanks(min: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![Just(' '), Just('\t')], min..min + 3)
        .prop_map(|v| v.into_iter().collect())
}

/// A conversion that fits `kind`: (as written in the file, in the C format).
fn conversion(kind: ArgKind) -> (String, String) {
    match kind {
        ArgKind::Str => ("%s".into(), "%s".into()),
        ArgKind::Pointer => ("%p".into(), "%p".into()),
        ArgKind::Bool => ("%d".into(), "%d".into()),
        ArgKind::Int(t) => {
            let (size, length) = match t.bits {
                8 => ("8", "hh"),
                16 => ("16", "h"),
                32 => ("32", ""),
                _ => ("64", "ll"),
            };
            let letter = if t.signed { "d" } else { "x" };
            (
                format!("%\" PRI{letter}{size} \""),
                format!("%{length}{letter}"),
            )
        }
    }
}

#[derive(Debug, Clone)]
struct Decl {
    disable: bool,
    name: String,
    args: Vec<(String, String, ArgKind)>,
    /// `None`: no format at all.
    text: Option<String>,
    line: String,
}

fn decl() -> impl Strategy<Value = Decl> {
    (
        any::<bool>(),
        identifier(),
        proptest::collection::vec((types(), identifier(), blanks(0), blanks(1)), 0..=10),
        any::<bool>(),
        "[a-zA-Z0-9 ,.:=()\\[\\]-]{0,12}",
        blanks(1),
        blanks(0),
    )
        .prop_map(
            |(disable, name, raw_args, with_format, text, gap, trailing)| {
                let mut args: Vec<(String, String, ArgKind)> = Vec::new();
                let mut arg_texts = Vec::new();
                for ((ty, kind), arg_name, around, between) in raw_args {
                    if args.iter().any(|a| a.1 == arg_name) {
                        continue;
                    }
                    let between = if ty.ends_with('*') {
                        around.clone()
                    } else {
                        between
                    };
                    arg_texts.push(format!("{around}{ty}{between}{arg_name}{around}"));
                    args.push((ty, arg_name, kind));
                }
                let arg_list = if arg_texts.is_empty() {
                    "void".to_string()
                } else {
                    arg_texts.join(",")
                };
                // tracetool reads `,"` as the start of a second format.
                let text = if text.trim_end().ends_with(',') {
                    format!("{text}.")
                } else {
                    text
                };
                let (written, c_format) = if with_format {
                    let mut written = format!("\"{text}");
                    let mut c = text.clone();
                    for (_, _, kind) in &args {
                        let (w, cf) = conversion(*kind);
                        written.push(' ');
                        written.push_str(&w);
                        c.push(' ');
                        c.push_str(&cf);
                    }
                    written.push('"');
                    (written, Some(c))
                } else {
                    (String::new(), None)
                };
                let props = if disable {
                    format!("disable{gap}")
                } else {
                    String::new()
                };
                let line = format!("{props}{name}({arg_list}){gap}{written}{trailing}");
                Decl {
                    disable,
                    name,
                    args,
                    text: c_format,
                    line,
                }
            },
        )
}

/// Every diagnostic points at a line of `source` and a column at most one
/// past its end.
fn assert_diagnostics_point_inside(source: &str, parsed: &Parsed) {
    let lines: Vec<&str> = source.split('\n').collect();
    for d in &parsed.diagnostics {
        let line = lines
            .get(d.line as usize - 1)
            .unwrap_or_else(|| panic!("line {} outside the input: {d}", d.line));
        let line = line.strip_suffix('\r').unwrap_or(line);
        assert!(
            d.column >= 1 && d.column as usize <= line.chars().count() + 1,
            "{d}"
        );
        assert!(!d.message.is_empty());
        let _ = d.to_string();
    }
}

fn corpus_lines() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                out.extend(
                    text.lines()
                        .filter(|l| !l.starts_with('#'))
                        .map(String::from),
                );
            }
        }
    }
    let mut lines = Vec::new();
    walk(std::path::Path::new(CORPUS), &mut lines);
    lines.sort();
    lines
}

proptest! {
    #[test]
    fn generated_declarations_parse_back(decls in proptest::collection::vec(decl(), 1..6)) {
        let mut seen = std::collections::HashSet::new();
        let decls: Vec<Decl> = decls.into_iter().filter(|d| seen.insert(d.name.clone())).collect();
        let source: String = decls.iter().map(|d| format!("{}\n", d.line)).collect();
        let parsed = parse_str("gen", &source);
        prop_assert!(parsed.diagnostics.is_empty(), "{source}\n{:#?}", parsed.diagnostics);
        prop_assert_eq!(parsed.file.events.len(), decls.len());
        for (index, (event, decl)) in parsed.file.events.iter().zip(&decls).enumerate() {
            prop_assert_eq!(&event.name, &decl.name);
            prop_assert_eq!(event.is_disabled(), decl.disable);
            prop_assert_eq!(&event.props, &if decl.disable { vec![Property::Disable] } else { vec![] });
            let args: Vec<(String, String, ArgKind)> = event
                .args
                .iter()
                .map(|a| (a.ty.clone(), a.name.clone(), a.kind))
                .collect();
            prop_assert_eq!(&args, &decl.args);
            prop_assert_eq!(event.pos.line as usize, index + 1);
            let name_at = decl.line.find(&format!("{}(", decl.name)).unwrap();
            prop_assert_eq!(event.pos.column as usize, decl.line[..name_at].chars().count() + 1);
            match &decl.text {
                None => prop_assert_eq!((event.fmt.as_str(), event.c_format.as_str()), ("", "")),
                Some(c_format) => {
                    prop_assert_eq!(&event.c_format, c_format);
                    prop_assert!(decl.line.trim_end().ends_with(&event.fmt));
                    prop_assert!(event.fmt.starts_with('"') && event.fmt.ends_with('"'));
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,200}") {
        let parsed = parse_str("any", &source);
        assert_diagnostics_point_inside(&source, &parsed);
    }

    #[test]
    fn arbitrary_declaration_like_text_never_panics(
        source in "([a-z ]{0,8}\\(([a-z_*\" ,\t%\\\\]{0,20})\\)[ \t]*(\"[a-z%\\\\\" ]{0,10}\"?[ A-Z0-9]{0,6}){0,2}\r?\n){0,4}"
    ) {
        let parsed = parse_str("any", &source);
        assert_diagnostics_point_inside(&source, &parsed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn mutated_corpus_lines_never_panic(
        pick in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0u8..3, any::<char>()), 1..5),
    ) {
        thread_local!(static LINES: Vec<String> = corpus_lines());
        let mut chars: Vec<char> = LINES.with(|lines| pick.get(lines).chars().collect());
        for (at, op, c) in edits {
            let i = if chars.is_empty() { 0 } else { at.index(chars.len()) };
            match op {
                0 => chars.insert(i, c),
                1 if !chars.is_empty() => { chars.remove(i); }
                _ if !chars.is_empty() => chars[i] = c,
                _ => chars.push(c),
            }
        }
        let source: String = chars.into_iter().chain(['\n']).collect();
        let parsed = parse_str("mutated", &source);
        assert_diagnostics_point_inside(&source, &parsed);
    }
}
