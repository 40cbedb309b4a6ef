//! Which arguments a traced function records, and the types its events
//! declare: a descriptor is a `static`, which cannot name the function's
//! generic parameters, `impl Trait` or `Self`, nor its lifetimes.

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Error, FnArg, GenericParam, Pat, ReturnType, Signature, Type};

use trace_events::is_identifier;

use super::options::Options;
use crate::errors::Errors;

/// Names of the call id, the first argument of the events `#[traced]`
/// declares (`trace_runtime::__private::{CALL_ID, ASYNC_CALL_ID}`).
pub const CALL_ID_NAMES: [&str; 2] = ["call_id", "async_call_id"];

/// A recorded argument.
pub struct Recorded {
    /// The binding, as the body names it.
    pub ident: Ident,
    /// The argument's name in the event (no `r#`).
    pub name: String,
    /// The type as written: for spans and the body.
    pub ty: Type,
    /// The type with every lifetime `'static`: for the descriptor.
    pub static_ty: TokenStream,
}

/// The recorded arguments, in order; every argument that cannot be recorded
/// and is not skipped is an error.
pub fn recorded_args(sig: &Signature, options: &Options) -> syn::Result<Vec<Recorded>> {
    let generics = generic_names(sig);
    let mut errors = Errors::default();
    let mut recorded = Vec::new();
    let mut names = Vec::new();
    for arg in &sig.inputs {
        // `self` has the impl's type, which an item inside the method cannot name.
        let FnArg::Typed(typed) = arg else {
            names.push("self".to_string());
            continue;
        };
        // Patterns (`(a, b): (u8, u8)`, `_`) have no name to record under.
        let Pat::Ident(pat) = &*typed.pat else {
            continue;
        };
        if pat.subpat.is_some() || pat.by_ref.is_some() {
            continue;
        }
        let ident = pat.ident.clone();
        let name = ident.unraw().to_string();
        names.push(name.clone());
        if options.skip_all.is_some() || options.skip.iter().any(|s| s.unraw() == name) {
            continue;
        }
        if let Some(why) = unnameable(&typed.ty, &generics) {
            errors.push(Error::new_spanned(
                &typed.ty,
                format!(
                    "argument `{name}` cannot be recorded: its type {why}, and a trace \
                     event's arguments have one fixed type; skip it: `#[traced(skip({name}))]`"
                ),
            ));
            continue;
        }
        if !is_identifier(&name) {
            errors.push(Error::new(
                ident.span(),
                format!("argument `{name}` cannot be an event argument name (ASCII only); skip it: `#[traced(skip({name}))]`"),
            ));
            continue;
        }
        if options.events.is_none() && CALL_ID_NAMES.contains(&name.as_str()) {
            errors.push(Error::new(
                ident.span(),
                format!("argument `{name}` has the name of the call id the events record first; rename or skip it: `#[traced(skip({name}))]`"),
            ));
            continue;
        }
        recorded.push(Recorded {
            static_ty: static_lifetimes(typed.ty.to_token_stream()),
            ty: (*typed.ty).clone(),
            ident,
            name,
        });
    }
    for skip in &options.skip {
        let skip_name = skip.unraw().to_string();
        if !names.contains(&skip_name) {
            errors.push(Error::new(
                skip.span(),
                format!("`skip({skip})`: the function has no argument `{skip}`"),
            ));
        }
    }
    errors.finish(recorded)
}

/// The return type that `ret`/`err` record, checked like an argument's type.
pub fn recorded_return(sig: &Signature, options: &Options) -> syn::Result<Option<TokenStream>> {
    let Some(span) = options.ret.or(options.err) else {
        return Ok(None);
    };
    let option = if options.ret.is_some() { "ret" } else { "err" };
    match &sig.output {
        ReturnType::Default => Err(Error::new(
            span,
            format!("`{option}`: `{}` returns nothing to record", sig.ident),
        )),
        ReturnType::Type(_, ty) => match unnameable(ty, &generic_names(sig)) {
            Some(why) => Err(Error::new_spanned(
                ty,
                format!(
                    "`{option}`: the return type cannot be recorded: it {why}, and a trace \
                     event's arguments have one fixed type; leave out `{option}`"
                ),
            )),
            None => Ok(Some(static_lifetimes(ty.to_token_stream()))),
        },
    }
}

/// Why a type cannot appear in a descriptor, if it cannot.
fn unnameable(ty: &Type, generics: &[Ident]) -> Option<String> {
    fn walk(tokens: TokenStream, generics: &[Ident]) -> Option<String> {
        for token in tokens {
            match token {
                TokenTree::Ident(i) if i == "impl" => return Some("is `impl Trait`".into()),
                TokenTree::Ident(i) if i == "Self" => return Some("mentions `Self`".into()),
                TokenTree::Ident(i) if generics.contains(&i) => {
                    return Some(format!("is generic (`{i}`)"))
                }
                TokenTree::Group(g) => {
                    if let Some(why) = walk(g.stream(), generics) {
                        return Some(why);
                    }
                }
                _ => {}
            }
        }
        None
    }
    walk(ty.to_token_stream(), generics)
}

/// The function's type and const parameters.
fn generic_names(sig: &Signature) -> Vec<Ident> {
    sig.generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.clone()),
            GenericParam::Const(c) => Some(c.ident.clone()),
            GenericParam::Lifetime(_) => None,
        })
        .collect()
}

/// The type with every lifetime (named or `'_`) made `'static`.
fn static_lifetimes(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut after_quote = false;
    for token in tokens {
        let token = match token {
            TokenTree::Ident(i) if after_quote => TokenTree::Ident(Ident::new("static", i.span())),
            TokenTree::Group(g) => {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), static_lifetimes(g.stream()));
                group.set_span(g.span());
                TokenTree::Group(group)
            }
            other => other,
        };
        after_quote = matches!(&token, TokenTree::Punct(p) if p.as_char() == '\'');
        out.push(token);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn sig(tokens: TokenStream) -> Signature {
        syn::parse2(tokens).unwrap()
    }

    fn names(sig: &Signature, options: &Options) -> Vec<String> {
        recorded_args(sig, options)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    fn error(sig: &Signature, options: &Options) -> String {
        match recorded_args(sig, options) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn self_patterns_and_skipped_arguments_are_not_recorded() {
        let s =
            sig(quote!(fn f(&mut self, r#type: u8, (a, b): (u8, u8), _: u8, mut c: &str, d: u64)));
        assert_eq!(names(&s, &Options::default()), ["type", "c", "d"]);
        let skip = super::super::options::parse(quote!(skip(r#type, d))).unwrap();
        assert_eq!(names(&s, &skip), ["c"]);
        let all = super::super::options::parse(quote!(skip_all)).unwrap();
        assert!(names(&s, &all).is_empty());
    }

    #[test]
    fn generic_impl_trait_and_self_types_must_be_skipped() {
        let s = sig(
            quote!(fn f<T: Copy, const N: usize>(a: T, b: [u8; N], c: impl Copy, d: &Self, e: u8)),
        );
        let e = error(&s, &Options::default());
        assert!(
            e.starts_with("argument `a` cannot be recorded: its type is generic (`T`)"),
            "{e}"
        );
        assert!(e.ends_with("skip it: `#[traced(skip(a))]`"), "{e}");
        let skip = super::super::options::parse(quote!(skip(a, b, c, d))).unwrap();
        assert_eq!(names(&s, &skip), ["e"]);
        for (skip, why) in [
            (quote!(skip(a, c, d)), "is generic (`N`)"),
            (quote!(skip(a, b, d)), "is `impl Trait`"),
            (quote!(skip(a, b, c)), "mentions `Self`"),
        ] {
            let e = error(&s, &super::super::options::parse(skip).unwrap());
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn an_argument_named_like_the_call_id_must_be_renamed_or_skipped() {
        for name in CALL_ID_NAMES {
            let id = Ident::new(name, proc_macro2::Span::call_site());
            let s = sig(quote!(fn f(#id: u64, key: u8)));
            let e = error(&s, &Options::default());
            assert!(
                e.contains(&format!("argument `{name}` has the name of the call id")),
                "{e}"
            );
            let skip = super::super::options::parse(quote!(skip(#id))).unwrap();
            assert_eq!(names(&s, &skip), ["key"]);
            // Declared events carry no id: the name is free there.
            let declared = super::super::options::parse(quote!(events = crate::ev)).unwrap();
            assert_eq!(names(&s, &declared), [name, "key"]);
        }
    }

    #[test]
    fn skipping_an_unknown_argument_is_an_error() {
        let s = sig(quote!(fn f(a: u8)));
        let skip = super::super::options::parse(quote!(skip(b))).unwrap();
        assert_eq!(
            error(&s, &skip),
            "`skip(b)`: the function has no argument `b`"
        );
    }

    #[test]
    fn lifetimes_become_static() {
        let s = sig(quote!(fn f<'a>(a: &'a str, b: &'_ [&'a u8], c: &str)));
        let tys: Vec<String> = recorded_args(&s, &Options::default())
            .unwrap()
            .iter()
            .map(|r| r.static_ty.to_string())
            .collect();
        assert_eq!(tys, ["& 'static str", "& 'static [& 'static u8]", "& str"]);
    }

    #[test]
    fn return_values_need_a_recordable_type() {
        let ret = super::super::options::parse(quote!(ret)).unwrap();
        let s = sig(quote!(fn f<'a>(a: &'a str) -> &'a str));
        assert_eq!(
            recorded_return(&s, &ret).unwrap().unwrap().to_string(),
            "& 'static str"
        );
        assert!(recorded_return(&s, &Options::default()).unwrap().is_none());
        let unit = recorded_return(&sig(quote!(fn f())), &ret).unwrap_err();
        assert_eq!(unit.to_string(), "`ret`: `f` returns nothing to record");
        let generic = recorded_return(&sig(quote!(fn f<T>() -> Option<T>)), &ret).unwrap_err();
        assert!(generic.to_string().contains("it is generic (`T`)"));
    }
}
