//! The macro's input: one string literal, the path of the trace-events file.

use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// `trace_events!("path/to/trace-events")`, an optional trailing comma allowed.
pub struct MacroInput {
    /// Relative to the calling crate's `CARGO_MANIFEST_DIR` (or absolute).
    pub path: LitStr,
}

impl Parse for MacroInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a string literal: the path of a trace-events file, \
                 relative to the crate's Cargo.toml directory",
            )
        })?;
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected input after the trace-events path"));
        }
        Ok(MacroInput { path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_literal_with_optional_comma() {
        let a: MacroInput = syn::parse_str(r#""trace-events""#).unwrap();
        assert_eq!(a.path.value(), "trace-events");
        let b: MacroInput = syn::parse_str(r#""x/trace-events","#).unwrap();
        assert_eq!(b.path.value(), "x/trace-events");
    }

    #[test]
    fn rejects_other_input() {
        let err = syn::parse_str::<MacroInput>("trace_events").err().unwrap();
        assert!(err.to_string().starts_with("expected a string literal"));
        let err = syn::parse_str::<MacroInput>(r#""a" "b""#).err().unwrap();
        assert_eq!(
            err.to_string(),
            "unexpected input after the trace-events path"
        );
        assert!(syn::parse_str::<MacroInput>("").is_err());
    }
}
