//! C argument types: tracetool's allow-list, C's rules for combining type
//! words, and what the simple backend records for each type (LP64).

use crate::{ArgKind, IntType};

/// Type words tracetool allows, besides `const` and `*` (`validate_type`).
const ALLOWED: [&str; 20] = [
    "int",
    "long",
    "short",
    "char",
    "bool",
    "unsigned",
    "signed",
    "int8_t",
    "uint8_t",
    "int16_t",
    "uint16_t",
    "int32_t",
    "uint32_t",
    "int64_t",
    "uint64_t",
    "void",
    "size_t",
    "ssize_t",
    "uintptr_t",
    "ptrdiff_t",
];

/// A problem in a type: byte offset inside the type text, and the message.
pub(super) type TypeError = (usize, String);

/// What a base type (the words before any `*`) is.
enum Base {
    Int(IntType),
    Bool,
    Void,
}

const fn int(bits: u8, signed: bool) -> Base {
    Base::Int(IntType { bits, signed })
}

/// Classify a type exactly as tracetool splits it (e.g. `const char *`,
/// `unsigned long`).
pub(super) fn classify(ty: &str) -> Result<ArgKind, TypeError> {
    match common(ty) {
        Some(kind) => Ok(kind),
        None => classify_general(ty),
    }
}

/// [`classify`] by C's rules, for any type.
fn classify_general(ty: &str) -> Result<ArgKind, TypeError> {
    check_allowed(ty)?;
    let stars = ty.bytes().filter(|&b| b == b'*').count();
    let first_star = ty.find('*').unwrap_or(ty.len());
    if let Some((at, word)) = words(ty).find(|&(at, w)| at > first_star && w != "const") {
        return Err((at, format!("'{word}' cannot follow '*' in a type")));
    }
    let base_words = || words(ty).filter(|&(_, w)| w != "const");
    // Types have a few words: kept on the stack unless there are many.
    let mut few = [(0, ""); 8];
    let mut count = 0;
    for word in base_words().take(few.len()) {
        few[count] = word;
        count += 1;
    }
    let many: Vec<(usize, &str)>;
    let base = if count < few.len() {
        &few[..count]
    } else {
        many = base_words().collect();
        &many[..]
    };
    if base.is_empty() {
        return Err((
            0,
            format!("type '{ty}' names no base type such as 'int' or 'void'"),
        ));
    }
    let base = combine(base).ok_or_else(|| {
        let at = base.first().map_or(0, |&(at, _)| at);
        let text = ty[..first_star].trim_end_matches([' ', '\t']);
        (at, format!("'{text}' is not a valid C type"))
    })?;
    Ok(match (base, stars) {
        (Base::Void, 0) => {
            return Err((
                0,
                "an argument cannot have type 'void' (write just '(void)' for no arguments)"
                    .to_string(),
            ))
        }
        (Base::Int(t), 0) => ArgKind::Int(t),
        (Base::Bool, 0) => ArgKind::Bool,
        _ if is_string(ty) => ArgKind::Str,
        _ => ArgKind::Pointer,
    })
}

/// The types nearly every declaration uses (99% of QEMU's arguments), as
/// the general rules below classify them (a test checks each), matched
/// whole: the general path splits and compares words several times over.
fn common(ty: &str) -> Option<ArgKind> {
    const fn int(bits: u8, signed: bool) -> ArgKind {
        ArgKind::Int(IntType { bits, signed })
    }
    Some(match ty {
        "int" | "int32_t" => int(32, true),
        "uint32_t" | "unsigned" | "unsigned int" => int(32, false),
        "uint64_t" | "size_t" | "unsigned long" | "uintptr_t" => int(64, false),
        "int64_t" | "ssize_t" | "long" => int(64, true),
        "uint8_t" => int(8, false),
        "uint16_t" => int(16, false),
        "char" => int(8, true),
        "bool" => ArgKind::Bool,
        "const char *" | "char *" | "const char*" | "char*" => ArgKind::Str,
        "void *" | "const void *" | "void*" => ArgKind::Pointer,
        _ => return None,
    })
}

/// tracetool's `validate_type`: split on single spaces, drop `*`, and every
/// remaining word must be `const` or allowed.
fn check_allowed(ty: &str) -> Result<(), TypeError> {
    let mut at = 0;
    for bit in ty.split(' ') {
        if let Some(tab) = bit.find('\t') {
            return Err((
                at + tab,
                "separate the words of a type with spaces, not tabs".to_string(),
            ));
        }
        // The word is `bit` without its `*`s (built only when it has one).
        let starless;
        let word = if bit.contains('*') {
            starless = bit.replace('*', "");
            starless.as_str()
        } else {
            bit
        };
        if !word.is_empty() && word != "const" && !ALLOWED.contains(&word) {
            return Err((
                at,
                format!(
                    "type '{ty}' is not allowed: use standard C or fixed-size integer types, \
                     and declare pointers to anything else as 'void *'"
                ),
            ));
        }
        at += bit.len() + 1;
    }
    Ok(())
}

/// The words of a type (maximal runs of identifier bytes) with their offsets.
fn words(ty: &str) -> impl Iterator<Item = (usize, &str)> {
    ty.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - ty.as_ptr() as usize, w))
}

/// Combine base type words as C does; `None` when C rejects the combination.
fn combine(words: &[(usize, &str)]) -> Option<Base> {
    if let [(_, only)] = words {
        if let Some(base) = named(only) {
            return Some(base);
        }
    }
    let count = |name: &str| words.iter().filter(|&&(_, w)| w == name).count();
    let (signed, unsigned) = (count("signed"), count("unsigned"));
    let (char_, short, long, int_) = (count("char"), count("short"), count("long"), count("int"));
    let known = signed + unsigned + char_ + short + long + int_;
    if known == 0 || known != words.len() || signed + unsigned > 1 || int_ > 1 || short > 1 {
        return None;
    }
    let is_signed = unsigned == 0;
    match (char_, short, long) {
        (1, 0, 0) if int_ == 0 => Some(int(8, is_signed)),
        (0, 1, 0) => Some(int(16, is_signed)),
        (0, 0, 1 | 2) => Some(int(64, is_signed)),
        (0, 0, 0) => Some(int(32, is_signed)),
        _ => None,
    }
}

/// Base types that are a single word (typedefs and `bool`, `void`).
fn named(word: &str) -> Option<Base> {
    Some(match word {
        "bool" => Base::Bool,
        "void" => Base::Void,
        "int8_t" => int(8, true),
        "uint8_t" => int(8, false),
        "int16_t" => int(16, true),
        "uint16_t" => int(16, false),
        "int32_t" => int(32, true),
        "uint32_t" => int(32, false),
        "int64_t" | "ssize_t" | "ptrdiff_t" => int(64, true),
        "uint64_t" | "size_t" | "uintptr_t" => int(64, false),
        _ => return None,
    })
}

/// tracetool's `is_string`, which also decides how simpletrace.py decodes the
/// argument: one of these prefixes and exactly one `*`.
fn is_string(ty: &str) -> bool {
    const PREFIXES: [&str; 4] = ["const char*", "char*", "const char *", "char *"];
    let ty = ty.trim_start();
    PREFIXES.iter().any(|p| ty.starts_with(p)) && ty.bytes().filter(|&b| b == b'*').count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_types_classify_as_the_general_rules_do() {
        let types = [
            "int",
            "int32_t",
            "uint32_t",
            "unsigned",
            "unsigned int",
            "uint64_t",
            "size_t",
            "unsigned long",
            "uintptr_t",
            "int64_t",
            "ssize_t",
            "long",
            "uint8_t",
            "uint16_t",
            "char",
            "bool",
            "const char *",
            "char *",
            "const char*",
            "char*",
            "void *",
            "const void *",
            "void*",
        ];
        for ty in types {
            let fast = common(ty);
            assert!(fast.is_some(), "{ty} has no fast path");
            assert_eq!(fast, classify_general(ty).ok(), "{ty}");
        }
    }
}
