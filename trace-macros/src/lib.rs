//! Implementation detail of `trace-runtime`: use the macros through it.
//!
//! `trace_events!` works in three steps, one module each: read the macro input
//! (`input`), load and check the trace-events file (`load`), and generate the
//! event functions and table (`generate`, with C-to-Rust types in `types` and
//! identifier escaping in `names`). `#[traced]` is in `traced`.

mod errors;
mod generate;
mod input;
mod load;
mod names;
mod traced;
mod types;

use proc_macro::TokenStream;

// Documented where users see it: on the re-export, `trace_runtime::trace_events!`
// (rustdoc would append a doc comment here to that one).
#[proc_macro]
pub fn trace_events(input: TokenStream) -> TokenStream {
    expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

// Documented on the re-export, `trace_runtime::traced`.
#[proc_macro_attribute]
pub fn traced(attr: TokenStream, item: TokenStream) -> TokenStream {
    traced::expand(attr.into(), item.into()).into()
}

fn expand(input: proc_macro2::TokenStream) -> syn::Result<proc_macro2::TokenStream> {
    let input: input::MacroInput = syn::parse2(input)?;
    let mut loaded = load::load(&input.path)?;
    // The valid events are generated even when other lines are wrong, so the
    // file's errors are not buried under "cannot find function" errors.
    let mut errors = errors::Errors::default();
    if let Some(file_errors) = loaded.errors.take() {
        errors.push(file_errors);
    }
    let code = errors.check(generate::generate(&loaded, &input.path));
    match (errors.into_error(), code) {
        (None, code) => Ok(code.unwrap_or_default()),
        (Some(errors), Some(code)) => {
            let errors = errors.into_compile_error();
            Ok(quote::quote!(#code #errors))
        }
        (Some(errors), None) => Err(errors),
    }
}
