//! Event and argument names: C identifiers made from `tracing` names.

use std::fmt::Write;

use tracing_core::{Level, Metadata};

/// Append `text` as C identifier characters: ASCII letters and digits kept,
/// anything else one `_` (runs collapse).
fn push_c_ident(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `LEVEL_TARGET_NAME` as a C identifier: `info_my_app_event_src_main_rs_12`
/// for an `info!` in `src/main.rs` line 12 of crate `my_app`, `debug_my_app_load`
/// for a span `load`. The runtime appends `_2`, ... if the name is taken.
pub(crate) fn event_name(meta: &Metadata<'_>) -> String {
    let mut name = String::new();
    let _ = write!(name, "{}_", level_name(meta.level()));
    push_c_ident(&mut name, meta.target());
    if !name.ends_with('_') {
        name.push('_');
    }
    push_c_ident(&mut name, meta.name());
    while name.ends_with('_') {
        name.pop();
    }
    name
}

/// Argument names for `fields`: C identifiers, unique within the event
/// (a clash, or a name the reserved `async_call_id`, gets `_N` appended,
/// `N` the field's position).
pub(crate) fn arg_names<'a>(fields: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, field) in fields.enumerate() {
        let mut name = String::new();
        push_c_ident(&mut name, field);
        while name.ends_with('_') {
            name.pop();
        }
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            name.insert_str(0, "f_");
        }
        if names.contains(&name) || name == "async_call_id" {
            let _ = write!(name, "_{i}");
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_names_are_c_identifiers_and_unique() {
        let names =
            arg_names(["message", "a.b", "a_b", "0x", "async_call_id", "r#type"].into_iter());
        assert_eq!(
            names,
            [
                "message",
                "a_b",
                "a_b_2",
                "f_0x",
                "async_call_id_4",
                "r_type"
            ]
        );
    }
}
