//! Arbitrary formats and arguments never panic, strict parsing agrees with
//! lossy parsing whenever it succeeds, and the allocation-free check of a
//! format's argument uses agrees with compiling it.

use proptest::prelude::*;

use super::{ArgRole, Conversion, Format, FormatError, Value};

/// The argument uses `Format::parse` then `arg_uses` give, owned.
fn compiled_uses(text: &str) -> Result<Vec<(Conversion, ArgRole)>, FormatError> {
    let format = Format::parse(text)?;
    Ok(format
        .arg_uses()
        .map(|u| (u.conversion.clone(), u.role))
        .collect())
}

/// Format text biased toward conversion syntax and escapes.
fn format_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("%".to_string()),
        Just("\\".to_string()),
        "[-+ #0'I*.$0-9]{0,4}",
        "(hh|h|ll|l|L|q|j|z|Z|t)?[diouxXcspnfm%yS]",
        "\\\\(x[0-9a-fA-F]{0,4}|[0-7]{1,3}|u[0-9a-f]{0,4}|U[0-9a-f]{0,8}|.)",
        any::<char>().prop_map(String::from),
        "[a-z ]{0,3}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn args() -> impl Strategy<Value = Vec<(bool, u64, Vec<u8>)>> {
    prop::collection::vec(
        (
            any::<bool>(),
            any::<u64>(),
            prop::collection::vec(any::<u8>(), 0..8),
        ),
        0..6,
    )
}

proptest! {
    #[test]
    fn never_panics(text in format_text(), args in args()) {
        let values: Vec<Value<'_>> = args
            .iter()
            .map(|(is_int, v, s)| if *is_int { Value::Int(*v) } else { Value::Str(s) })
            .collect();
        let lossy = Format::parse_lossy(&text);
        let mut out = Vec::new();
        lossy.render(&mut out, &values);
        if let Ok(strict) = Format::parse(&text) {
            prop_assert_eq!(&strict, &lossy);
            prop_assert_eq!(strict.arg_count(), strict.arg_uses().count());
            let mut again = Vec::new();
            strict.render(&mut again, &values);
            prop_assert_eq!(again, out);
        }
    }

    #[test]
    fn each_arg_use_agrees_with_compiling(text in format_text()) {
        let mut seen = Vec::new();
        let checked = Format::each_arg_use(&text, |u| seen.push((u.conversion.clone(), u.role)));
        match compiled_uses(&text) {
            Ok(uses) => {
                prop_assert_eq!(checked, Ok(uses.len()));
                prop_assert_eq!(seen, uses);
            }
            // The uses before the error were handed over; the error is the same.
            Err(e) => prop_assert_eq!(checked, Err(e)),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), v in any::<u64>()) {
        let mut out = Vec::new();
        Format::parse_lossy(&text).render(&mut out, &[Value::Int(v), Value::Str(b"s")]);
        let _ = Format::parse(&text);
    }
}
