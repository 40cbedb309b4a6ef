//! The validated model of a trace-events file.

/// Where something was declared: file as given, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    /// The file's name as given to the parser (not canonicalized).
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
}

/// Event properties. tracetool knows only `disable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Property {
    /// The event is compiled out: its function exists but records nothing.
    Disable,
}

impl Property {
    /// The property as written in a trace-events file.
    pub fn as_str(self) -> &'static str {
        match self {
            Property::Disable => "disable",
        }
    }
}

/// A C integer type as the simple backend sees it (LP64: `long` is 64 bits,
/// plain `char` is signed as on x86-64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntType {
    /// 8, 16, 32 or 64.
    pub bits: u8,
    /// Whether the value is sign-extended to 64 bits when recorded.
    pub signed: bool,
}

/// What the simple backend records for an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// An integer, recorded as 8 bytes: the value cast to `uint64_t`
    /// (sign-extended when signed).
    Int(IntType),
    /// `bool`, recorded as 8 bytes (0 or 1).
    Bool,
    /// Any pointer that is not a string, recorded as 8 bytes via `uintptr_t`.
    Pointer,
    /// `const char *` / `char *`: recorded as `u32` length + bytes (at most 512,
    /// no NUL).
    Str,
}

impl ArgKind {
    /// Bytes this argument takes in a record for a value of `str_len` bytes
    /// (ignored unless the argument is a string). The one definition of an
    /// argument's size: the runtime, the macro's generated code and the
    /// reader all size records with it.
    #[inline(always)]
    pub const fn record_size(self, str_len: usize) -> usize {
        match self {
            ArgKind::Str if str_len < crate::v4::MAX_STRING_LEN => 4 + str_len,
            ArgKind::Str => 4 + crate::v4::MAX_STRING_LEN,
            _ => 8,
        }
    }
}

/// One argument of an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arg {
    /// The C type exactly as tracetool splits it, e.g. `const char *`, `void*`,
    /// `unsigned long`.
    pub ty: String,
    /// The name as declared: the generated function's parameter, and the
    /// label in `name=value` outputs.
    pub name: String,
    /// What the simple backend records for this argument, derived from `ty`.
    pub kind: ArgKind,
}

/// One event declaration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// The event's name: the generated function's and the one written in the
    /// trace's mapping records.
    pub name: String,
    /// Properties written before the name, in order.
    pub props: Vec<Property>,
    /// Arguments in declaration order, the order they are recorded in.
    pub args: Vec<Arg>,
    /// The format as written (quotes and PRI macros included, trailing blanks
    /// removed); empty when the event has none.
    pub fmt: String,
    /// The format after joining literals and expanding PRI macros. C escapes stay
    /// as written.
    pub c_format: String,
    /// Where the declaration starts, for diagnostics that point back at it.
    pub pos: Position,
}

impl Event {
    /// Whether the event has the `disable` property, so records nothing.
    pub fn is_disabled(&self) -> bool {
        self.props.contains(&Property::Disable)
    }
}

/// All events of one trace-events file, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventFile {
    /// The file's name as given to the parser.
    pub path: String,
    /// The valid declarations; those with errors are left out.
    pub events: Vec<Event>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU's layout (QEMU.md, "Record layout"): a string is a `u32` length
    /// and its bytes, cut to 512; every other argument is 8 bytes.
    #[test]
    fn an_argument_takes_what_qemus_layout_gives_it() {
        for kind in [
            ArgKind::Int(IntType {
                bits: 32,
                signed: false,
            }),
            ArgKind::Bool,
            ArgKind::Pointer,
        ] {
            assert_eq!(kind.record_size(0), 8);
            assert_eq!(kind.record_size(100), 8);
        }
        for (len, size) in [(0, 4), (1, 5), (7, 11), (511, 515), (512, 516), (513, 516)] {
            assert_eq!(
                ArgKind::Str.record_size(len),
                size,
                "a string of {len} bytes"
            );
        }
        assert_eq!(ArgKind::Str.record_size(usize::MAX), 516);
    }
}
