//! An event back as its trace-events line, e.g.
//! `disable foo(int a, const char *s) "a %d s %s"`: what a self-describing
//! trace carries. The runtime writes it from its compiled-in event table, the
//! reader prints it from parsed events; both through [`declaration_line`].

use crate::Event;

/// The declaration line (no newline) of the event with these properties
/// (`disable`, ...), name, `(type, name)` arguments and format as written;
/// it parses back to the same event.
pub fn declaration_line<'a>(
    props: impl IntoIterator<Item = &'a str>,
    name: &str,
    args: impl IntoIterator<Item = (&'a str, &'a str)>,
    fmt: &str,
) -> String {
    let mut line = String::new();
    for prop in props {
        line.push_str(prop);
        line.push(' ');
    }
    line.push_str(name);
    line.push('(');
    let mut any = false;
    for (ty, arg) in args {
        if any {
            line.push_str(", ");
        }
        any = true;
        line.push_str(ty);
        // `const char *name`, `uint64_t addr`.
        if !ty.ends_with('*') {
            line.push(' ');
        }
        line.push_str(arg);
    }
    if !any {
        line.push_str("void");
    }
    line.push(')');
    if !fmt.is_empty() {
        line.push(' ');
        line.push_str(fmt);
    }
    line
}

impl Event {
    /// This event's declaration line (see [`declaration_line`]).
    pub fn declaration_line(&self) -> String {
        declaration_line(
            self.props.iter().map(|p| p.as_str()),
            &self.name,
            self.args.iter().map(|a| (a.ty.as_str(), a.name.as_str())),
            &self.fmt,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_make_the_line() {
        assert_eq!(
            declaration_line(
                ["disable"],
                "foo",
                [("int", "a"), ("const char *", "s")],
                "\"a %d s %s\""
            ),
            "disable foo(int a, const char *s) \"a %d s %s\""
        );
        assert_eq!(declaration_line([], "bar", [], ""), "bar(void)");
    }
}
