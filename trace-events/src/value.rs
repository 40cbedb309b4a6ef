//! A recorded argument value: what the v4 decoder yields, printf renders,
//! and the reader hands to its users. One type for all three.

/// One argument value as the simple backend records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Integers, bools and pointers: the 64-bit value the backend recorded
    /// (the declared-type value cast to `uint64_t`, sign-extended when
    /// signed).
    Int(u64),
    /// String bytes as recorded (no NUL, not necessarily UTF-8).
    Str(&'a [u8]),
}

impl Value<'_> {
    /// Copy the string bytes out of the buffer they were read from, to keep
    /// the value past it.
    pub fn to_owned(self) -> OwnedValue {
        match self {
            Value::Int(v) => OwnedValue::Int(v),
            Value::Str(s) => OwnedValue::Str(s.to_vec()),
        }
    }
}

/// An owned argument value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedValue {
    /// As [`Value::Int`].
    Int(u64),
    /// As [`Value::Str`].
    Str(Vec<u8>),
}
