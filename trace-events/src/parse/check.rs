//! Format against arguments: conversions that do not fit the arguments are
//! warnings (real QEMU files have a few), a format C cannot read is an error.

use super::format::Format;
use super::line::Line;
use crate::printf::{self, ArgRole, FormatErrorKind};
use crate::{Arg, ArgKind};

pub(super) fn check_format(line: &Line<'_>, format: &Format, args: &[Arg]) {
    if format.written.is_empty() {
        // No format at all: nothing is printed, so nothing can mismatch.
        return;
    }
    let compiled = match printf::Format::parse(&format.c_format) {
        Ok(compiled) => compiled,
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

    let mut used = 0;
    for (use_, arg) in compiled.arg_uses().zip(args) {
        used += 1;
        if use_.accepts(arg.kind) {
            continue;
        }
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
        line.warning(
            format.line_offset(conversion.offset),
            format!("{wants}, but argument '{}' is '{}'", arg.name, arg.ty),
        );
    }
    let wanted = compiled.arg_count();
    if wanted > args.len() {
        let extra = compiled
            .arg_uses()
            .nth(args.len())
            .map(|u| u.conversion.offset);
        line.warning(
            format.line_offset(extra.unwrap_or(0)),
            count_message(wanted, args.len()),
        );
    } else if used < args.len() {
        let at = format
            .pieces
            .first()
            .map_or(0, |p| p.line_start.saturating_sub(1));
        line.warning(at, count_message(wanted, args.len()));
    }
}

fn count_message(wanted: usize, have: usize) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    format!(
        "the format uses {wanted} {} but the event has {have}",
        plural(wanted)
    )
}
