//! C argument types as Rust parameter types, and how each is recorded.
//!
//! The simple backend records integers, bools and pointers as 8 bytes (the value
//! cast to `uint64_t`, sign-extended when signed) and strings as length + bytes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use trace_events::{Arg, ArgKind};

/// How a generated event function takes one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustArg {
    /// A primitive integer, e.g. `u32`.
    Int(IntTy),
    Bool,
    /// `impl TracePtr`: recorded as its address.
    Ptr,
    /// `impl TraceStr`: recorded as `u32` length + bytes.
    Str,
}

/// A Rust primitive integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntTy {
    /// 8..64, or `None` for the pointer-sized `usize`/`isize`.
    pub bits: Option<u8>,
    pub signed: bool,
}

impl IntTy {
    /// The Rust type name, e.g. `i16` or `usize`.
    pub fn name(self) -> String {
        let sign = if self.signed { 'i' } else { 'u' };
        match self.bits {
            Some(bits) => format!("{sign}{bits}"),
            None => format!("{sign}size"),
        }
    }
}

/// The Rust form of a C argument: its [`ArgKind`] decides, and for integers the
/// type words pick the pointer-sized types (`size_t` -> `usize`).
pub fn rust_arg(arg: &Arg) -> Result<RustArg, String> {
    Ok(match arg.kind {
        ArgKind::Str => RustArg::Str,
        ArgKind::Pointer => RustArg::Ptr,
        ArgKind::Bool => RustArg::Bool,
        ArgKind::Int(int) => {
            let has = |names: &[&str]| arg.ty.split([' ', '\t', '*']).any(|w| names.contains(&w));
            let (bits, signed) = if has(&["ssize_t", "ptrdiff_t"]) {
                (None, true)
            } else if has(&["size_t", "uintptr_t"]) {
                (None, false)
            } else if matches!(int.bits, 8 | 16 | 32 | 64) {
                (Some(int.bits), int.signed)
            } else {
                return Err(format!(
                    "argument `{}`: unsupported integer width {} for `{}`",
                    arg.name, int.bits, arg.ty
                ));
            };
            RustArg::Int(IntTy { bits, signed })
        }
    })
}

impl RustArg {
    /// The parameter type in the generated function signature.
    pub fn param_type(self) -> TokenStream {
        match self {
            RustArg::Int(int) => {
                let ty = format_ident!("{}", int.name());
                quote!(::core::primitive::#ty)
            }
            RustArg::Bool => quote!(::core::primitive::bool),
            RustArg::Ptr => quote!(impl ::trace_runtime::TracePtr),
            RustArg::Str => quote!(impl ::trace_runtime::TraceStr),
        }
    }

    /// The `u64` C records for `value` (not used for strings).
    pub fn as_u64(self, value: &TokenStream) -> TokenStream {
        match self {
            RustArg::Int(IntTy { signed: true, .. }) => quote!(#value as i64 as u64),
            RustArg::Int(_) | RustArg::Bool => quote!(#value as u64),
            RustArg::Ptr => quote!(::trace_runtime::__private::TracePtr::trace_addr(&#value)),
            RustArg::Str => quote!(0u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_events::IntType;

    fn arg(ty: &str, kind: ArgKind) -> Arg {
        Arg {
            ty: ty.into(),
            name: "x".into(),
            kind,
        }
    }

    fn int(ty: &str, bits: u8, signed: bool) -> String {
        match rust_arg(&arg(ty, ArgKind::Int(IntType { bits, signed }))).unwrap() {
            RustArg::Int(i) => i.name(),
            other => panic!("{other:?}"),
        }
    }

    /// The C type table of the issue, LP64 with signed `char`.
    #[test]
    fn integer_types_map_by_width_and_signedness() {
        let table = [
            ("int8_t", 8, true, "i8"),
            ("uint8_t", 8, false, "u8"),
            ("int16_t", 16, true, "i16"),
            ("uint16_t", 16, false, "u16"),
            ("int32_t", 32, true, "i32"),
            ("uint32_t", 32, false, "u32"),
            ("int64_t", 64, true, "i64"),
            ("uint64_t", 64, false, "u64"),
            ("int", 32, true, "i32"),
            ("unsigned", 32, false, "u32"),
            ("unsigned int", 32, false, "u32"),
            ("short", 16, true, "i16"),
            ("long", 64, true, "i64"),
            ("long long", 64, true, "i64"),
            ("unsigned long", 64, false, "u64"),
            ("char", 8, true, "i8"),
            ("unsigned char", 8, false, "u8"),
            ("const int", 32, true, "i32"),
        ];
        for (ty, bits, signed, rust) in table {
            assert_eq!(int(ty, bits, signed), rust, "{ty}");
        }
    }

    #[test]
    fn pointer_sized_integers_follow_the_type_words() {
        assert_eq!(int("size_t", 64, false), "usize");
        assert_eq!(int("uintptr_t", 64, false), "usize");
        assert_eq!(int("ssize_t", 64, true), "isize");
        assert_eq!(int("ptrdiff_t", 64, true), "isize");
        assert_eq!(int("const size_t", 64, false), "usize");
    }

    #[test]
    fn other_kinds() {
        assert_eq!(rust_arg(&arg("bool", ArgKind::Bool)), Ok(RustArg::Bool));
        assert_eq!(
            rust_arg(&arg("const char *", ArgKind::Str)),
            Ok(RustArg::Str)
        );
        assert_eq!(
            rust_arg(&arg("char **", ArgKind::Pointer)),
            Ok(RustArg::Ptr)
        );
        assert_eq!(rust_arg(&arg("void*", ArgKind::Pointer)), Ok(RustArg::Ptr));
    }

    #[test]
    fn odd_integer_width_is_an_error() {
        let bad = arg(
            "int",
            ArgKind::Int(IntType {
                bits: 24,
                signed: true,
            }),
        );
        assert!(rust_arg(&bad)
            .unwrap_err()
            .contains("unsupported integer width 24"));
    }

    #[test]
    fn casts_sign_extend_only_signed_values() {
        let v = quote!(v);
        let signed = RustArg::Int(IntTy {
            bits: Some(8),
            signed: true,
        });
        let unsigned = RustArg::Int(IntTy {
            bits: Some(8),
            signed: false,
        });
        assert_eq!(signed.as_u64(&v).to_string(), "v as i64 as u64");
        assert_eq!(unsigned.as_u64(&v).to_string(), "v as u64");
        assert_eq!(RustArg::Bool.as_u64(&v).to_string(), "v as u64");
        assert_eq!(
            RustArg::Ptr.as_u64(&v).to_string(),
            ":: trace_runtime :: __private :: TracePtr :: trace_addr (& v)"
        );
    }
}
