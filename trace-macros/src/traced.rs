//! `#[traced]`: options ([`options`]), which arguments and return value are
//! recorded ([`signature`]), and the instrumented function ([`generate`]).

mod generate;
mod options;
mod signature;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Error, ItemFn};

use crate::errors::Errors;
use generate::Traced;

/// The instrumented function; on any error the function as written plus the
/// errors, so the rest of the crate (and IDEs) still see it.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            let e = Error::new(e.span(), "#[traced] goes on a function with a body");
            let e = e.into_compile_error();
            return quote!(#item #e);
        }
    };
    match traced(attr, &func) {
        Ok(code) => code,
        Err(e) => {
            let e = e.into_compile_error();
            quote!(#func #e)
        }
    }
}

fn traced(attr: TokenStream, func: &ItemFn) -> syn::Result<TokenStream> {
    let options = options::parse(attr)?;
    let sig = &func.sig;
    let mut errors = Errors::default();
    if let Some(c) = &sig.constness {
        errors.push(Error::new(
            c.span,
            "#[traced] cannot trace a `const fn`: recording is not const",
        ));
    }
    let base = match &options.name {
        Some(name) => name.value(),
        None => sig.ident.unraw().to_string(),
    };
    if !trace_events::is_identifier(&base) {
        errors.push(Error::new(
            sig.ident.span(),
            format!("`{base}` cannot be an event name (ASCII only); name the events: `#[traced(name = \"...\")]`"),
        ));
    }
    let args = errors.check(signature::recorded_args(sig, &options));
    let ret = errors.check(signature::recorded_return(sig, &options));
    let (Some(args), Some(ret)) = (args, ret) else {
        return errors.finish(TokenStream::new());
    };
    errors.finish(generate::generate(&Traced {
        item: func,
        options: &options,
        base,
        args,
        ret,
    }))
}
