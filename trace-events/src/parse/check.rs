//! Format against arguments: conversions that do not fit the arguments are
//! warnings (real QEMU files have a few), a format C cannot read is an error.

use super::format::Format;
use super::line::Line;
use crate::printf::{self, ArgRole, ArgUse, FormatErrorKind};
use crate::{Arg, ArgKind};

pub(super) fn check_format(line: &Line<'_>, format: &Format, args: &[Arg]) {
    if format.written.is_empty() {
        // No format at all: nothing is printed, so nothing can mismatch.
        return;
    }
    // Checked without compiling the format (no allocation for most): a
    // mismatch is noted, and reported only if the whole format reads.
    let mut used = 0;
    let mut mismatches = Vec::new();
    // Where the first use beyond the arguments is, if any.
    let mut extra = None;
    let read = printf::Format::each_arg_use(&format.c_format, |use_| {
        match args.get(used) {
            Some(arg) if !use_.accepts(arg.kind) => {
                mismatches.push((use_.conversion.offset, mismatch(&use_, arg)));
            }
            Some(_) => {}
            None if extra.is_none() => extra = Some(use_.conversion.offset),
            None => {}
        }
        used += 1;
    });
    let wanted = match read {
        Ok(wanted) => wanted,
        Err(e) => {
            let at = format.line_offset(e.offset);
            match e.kind {
                FormatErrorKind::UnknownEscape(_)
                | FormatErrorKind::EmptyHexEscape
                | FormatErrorKind::EscapeOutOfRange
                | FormatErrorKind::InvalidUniversalChar
                | FormatErrorKind::TrailingBackslash => line.error(at, format!("format: {e}")),
                _ => line.warning(at, format!("format: {e}")),
            };
            return;
        }
    };
    for (offset, message) in mismatches {
        line.warning(format.line_offset(offset), message);
    }
    if wanted > args.len() {
        line.warning(
            format.line_offset(extra.unwrap_or(0)),
            count_message(wanted, args.len()),
        );
    } else if wanted < args.len() {
        let at = format
            .pieces
            .first()
            .map_or(0, |p| p.line_start.saturating_sub(1));
        line.warning(at, count_message(wanted, args.len()));
    }
}

/// Why argument `arg` does not fit `use_`.
fn mismatch(use_: &ArgUse<'_>, arg: &Arg) -> String {
    let conversion = use_.conversion;
    let spec = format!(
        "%{}{}",
        conversion.length.as_str(),
        conversion.conv.letter()
    );
    let wants = match use_.role {
        ArgRole::Width | ArgRole::Precision => format!("'*' in '{spec}' takes an int"),
        ArgRole::Value if arg.kind == ArgKind::Str => {
            format!("'{spec}' does not print a string")
        }
        ArgRole::Value => format!("'{spec}' prints a string"),
    };
    format!("{wants}, but argument '{}' is '{}'", arg.name, arg.ty)
}

fn count_message(wanted: usize, have: usize) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    format!(
        "the format uses {wanted} {} but the event has {have}",
        plural(wanted)
    )
}
