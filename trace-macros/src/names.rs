//! Event and argument names as Rust identifiers.
//!
//! trace-events names are C identifiers, so they are valid Rust identifiers unless
//! they are keywords. Keywords become raw identifiers (`r#type`); the few that
//! cannot be raw (`self`, `Self`, `super`, `crate`, `_`) get a trailing `_`.

use proc_macro2::{Ident, Span};

/// Keywords of any edition (strict and reserved) that can be raw identifiers.
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Names that are not allowed even as raw identifiers.
const UNRAWABLE: &[&str] = &["self", "Self", "super", "crate", "_"];

/// The Rust identifier for a C name, or why there is none.
pub fn rust_ident(name: &str, span: Span) -> Result<Ident, String> {
    let mut chars = name.chars();
    let starts_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{name}` is not a valid identifier"));
    }
    Ok(if UNRAWABLE.contains(&name) {
        Ident::new(&format!("{name}_"), span)
    } else if RAW_KEYWORDS.contains(&name) {
        Ident::new_raw(name, span)
    } else {
        Ident::new(name, span)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(name: &str) -> String {
        rust_ident(name, Span::call_site()).unwrap().to_string()
    }

    #[test]
    fn plain_names_are_kept() {
        assert_eq!(ident("usb_ehci_reset"), "usb_ehci_reset");
        assert_eq!(ident("_x9"), "_x9");
        assert_eq!(ident("union"), "union");
    }

    #[test]
    fn keywords_become_raw() {
        for kw in [
            "type", "ref", "in", "fn", "match", "loop", "move", "priv", "impl", "gen",
        ] {
            assert_eq!(ident(kw), format!("r#{kw}"));
            // The result must be usable where the generated code puts it.
            syn::parse_str::<syn::Ident>(&ident(kw)).unwrap();
        }
    }

    #[test]
    fn unrawable_keywords_are_renamed() {
        assert_eq!(ident("self"), "self_");
        assert_eq!(ident("Self"), "Self_");
        assert_eq!(ident("super"), "super_");
        assert_eq!(ident("crate"), "crate_");
        assert_eq!(ident("_"), "__");
    }

    #[test]
    fn every_rust_keyword_yields_a_parsable_identifier() {
        for kw in RAW_KEYWORDS.iter().chain(UNRAWABLE) {
            let id = ident(kw);
            syn::parse_str::<syn::Ident>(&id).unwrap_or_else(|e| panic!("{kw} -> {id}: {e}"));
        }
    }

    #[test]
    fn invalid_names_are_errors_not_panics() {
        for bad in ["", "1abc", "a-b", "é", "a b"] {
            assert!(rust_ident(bad, Span::call_site()).is_err(), "{bad:?}");
        }
    }
}
