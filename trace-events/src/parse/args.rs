//! The argument list: split as tracetool splits it, then checked so that
//! every accepted argument is a valid C parameter.

use super::ctype;
use super::line::{is_blank, is_identifier, trim, Line};
use crate::Arg;

/// tracetool's limit (`Event.__init__`).
pub(super) const MAX_ARGS: usize = 10;

/// Words that cannot name a C parameter (C keywords, and `bool`/`true`/`false`
/// which QEMU's headers define). Rust keywords are fine: the macro renames them.
/// A `match`: compiled to a dispatch on length, not forty comparisons.
fn is_c_keyword(word: &str) -> bool {
    matches!(
        word,
        "auto"
            | "break"
            | "case"
            | "char"
            | "const"
            | "continue"
            | "default"
            | "do"
            | "double"
            | "else"
            | "enum"
            | "extern"
            | "float"
            | "for"
            | "goto"
            | "if"
            | "inline"
            | "int"
            | "long"
            | "register"
            | "restrict"
            | "return"
            | "short"
            | "signed"
            | "sizeof"
            | "static"
            | "struct"
            | "switch"
            | "typedef"
            | "union"
            | "unsigned"
            | "void"
            | "volatile"
            | "while"
            | "_Bool"
            | "_Complex"
            | "_Imaginary"
            | "bool"
            | "true"
            | "false"
    )
}

/// Parse the text between `(` at `open - 1` and `)` at `close`. Problems are
/// reported on `line`; the returned list holds the arguments that were valid.
pub(super) fn parse_args(line: &Line<'_>, open: usize, close: usize) -> Vec<Arg> {
    let bytes = line.text.as_bytes();
    // Pieces between commas, as offsets in the line (no list is built).
    let list = &bytes[open..close];
    let pieces = list.split(|&b| b == b',').map(|piece| {
        let start = piece.as_ptr() as usize - bytes.as_ptr() as usize;
        (start, start + piece.len())
    });

    // Sized for the pieces (bounded: more than the limit is an error).
    let commas = list.iter().filter(|&&b| b == b',').count();
    let mut args: Vec<Arg> = Vec::with_capacity(commas.min(MAX_ARGS) + 1);
    let mut count = 0;
    for (start, end) in pieces {
        let (start, end) = trim(bytes, start, end);
        let text = &line.text[start..end];
        if text.is_empty() {
            line.error(start, "empty argument (did you forget to use 'void'?)");
            continue;
        }
        if text == "void" {
            if commas > 0 {
                line.error(start, "'void' must be the only argument when it is used");
            }
            continue;
        }
        count += 1;
        if count == MAX_ARGS + 1 {
            line.error(
                start,
                format!("too many arguments: an event takes at most {MAX_ARGS}"),
            );
        }
        let Some(arg) = parse_arg(line, start, end) else {
            continue;
        };
        // At most ten arguments: a scan beats hashing.
        if args.iter().any(|a| a.name == arg.name) {
            let at = end - arg.name.len();
            line.error(at, format!("duplicate argument name '{}'", arg.name));
            continue;
        }
        args.push(arg);
    }
    args
}

/// One `type name` pair in `[start, end)` (already trimmed, not empty).
fn parse_arg(line: &Line<'_>, start: usize, end: usize) -> Option<Arg> {
    let bytes = line.text.as_bytes();
    let text = &line.text[start..end];
    // tracetool: with a `*`, the type is everything up to the last `*`;
    // otherwise the name is the last blank-separated word.
    let (ty_end, name_start) = match text.rfind('*') {
        Some(star) => (start + star + 1, start + star + 1),
        None => match text.bytes().rposition(is_blank) {
            Some(blank) => (trim(bytes, start, start + blank).1, start + blank + 1),
            None => {
                line.error(
                    start,
                    format!("argument '{text}' needs a type and a name, e.g. 'int {text}'"),
                );
                return None;
            }
        },
    };
    let ty = &line.text[start..ty_end];
    let (name_start, name_end) = trim(bytes, name_start, end);
    let name = &line.text[name_start..name_end];

    let mut ok = true;
    if name.is_empty() {
        line.error(end, format!("argument of type '{ty}' has no name"));
        ok = false;
    } else if !is_identifier(name) {
        line.error(
            name_start,
            format!("argument name '{name}' is not a C identifier"),
        );
        ok = false;
    } else if is_c_keyword(name) {
        line.error(name_start, format!("argument name '{name}' is a C keyword"));
        ok = false;
    }
    let kind = match ctype::classify(ty) {
        Ok(kind) => Some(kind),
        Err((at, message)) => {
            line.error(start + at, message);
            None
        }
    };
    Some(Arg {
        ty: ty.to_string(),
        name: name.to_string(),
        kind: kind.filter(|_| ok)?,
    })
}
