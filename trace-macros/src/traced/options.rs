//! The options of `#[traced(...)]`: `name = "..."`, `skip(a, b)`, `skip_all`,
//! `ret`, `err` and `events = path`.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Error, Ident, LitStr, Path, Token};

use trace_events::is_identifier;

use crate::errors::Errors;

const KNOWN: &str = "`name = \"...\"`, `skip(a, b)`, `skip_all`, `ret`, `err`, `events = path`";

#[derive(Default)]
pub struct Options {
    /// The base of the event names, as given.
    pub name: Option<LitStr>,
    pub skip: Vec<Ident>,
    pub skip_all: Option<Span>,
    pub ret: Option<Span>,
    pub err: Option<Span>,
    /// A module holding `trace_events!` output that declares the events.
    pub events: Option<Path>,
}

/// Parse the attribute's arguments; every bad option is reported.
pub fn parse(attr: TokenStream) -> syn::Result<Options> {
    let metas = Punctuated::<syn::Meta, Token![,]>::parse_terminated.parse2(attr)?;
    let mut options = Options::default();
    let mut errors = Errors::default();
    for meta in metas {
        errors.check(option(&mut options, meta));
    }
    if let (Some(_), Some(skip)) = (options.skip_all, options.skip.first()) {
        errors.push(Error::new(
            skip.span(),
            "`skip(...)` and `skip_all` together: `skip_all` already skips every argument",
        ));
    }
    errors.finish(options)
}

fn option(options: &mut Options, meta: syn::Meta) -> syn::Result<()> {
    let path = meta.path();
    let Some(key) = path.get_ident().map(Ident::to_string) else {
        return Err(unknown(path));
    };
    let span = path.get_ident().map_or_else(Span::call_site, Ident::span);
    let repeated = || Error::new(span, format!("`{key}` given twice"));
    match (key.as_str(), &meta) {
        ("name", syn::Meta::NameValue(nv)) => {
            let lit = string(&nv.value)?;
            check_name(&lit)?;
            set(&mut options.name, lit, repeated)
        }
        ("events", syn::Meta::NameValue(nv)) => match &nv.value {
            syn::Expr::Path(p) if p.qself.is_none() => {
                set(&mut options.events, p.path.clone(), repeated)
            }
            other => Err(Error::new_spanned(
                other,
                "`events` takes the path of the module where `trace_events!` declares the events, e.g. `events = crate::trace`",
            )),
        },
        ("skip", syn::Meta::List(list)) => {
            let names =
                list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated)?;
            for name in names {
                if options.skip.contains(&name) {
                    return Err(Error::new(name.span(), format!("`{name}` skipped twice")));
                }
                options.skip.push(name);
            }
            Ok(())
        }
        ("skip_all", syn::Meta::Path(_)) => set(&mut options.skip_all, span, repeated),
        ("ret", syn::Meta::Path(_)) => set(&mut options.ret, span, repeated),
        ("err", syn::Meta::Path(_)) => set(&mut options.err, span, repeated),
        ("name" | "events", _) => Err(Error::new_spanned(
            &meta,
            format!("`{key}` takes a value: `{key} = ...`"),
        )),
        ("skip", _) => Err(Error::new_spanned(
            &meta,
            "`skip` takes the arguments to skip: `skip(a, b)`",
        )),
        ("skip_all" | "ret" | "err", _) => Err(Error::new_spanned(
            &meta,
            format!("`{key}` takes no value"),
        )),
        _ => Err(unknown(path)),
    }
}

fn set<T>(slot: &mut Option<T>, value: T, repeated: impl Fn() -> Error) -> syn::Result<()> {
    if slot.is_some() {
        return Err(repeated());
    }
    *slot = Some(value);
    Ok(())
}

fn unknown(path: &Path) -> Error {
    let name = quote::ToTokens::to_token_stream(path)
        .to_string()
        .replace(' ', "");
    Error::new_spanned(
        path,
        format!("unknown #[traced] option `{name}`; the options are {KNOWN}"),
    )
}

fn string(expr: &syn::Expr) -> syn::Result<LitStr> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s.clone()),
        other => Err(Error::new_spanned(
            other,
            "`name` takes a string: `name = \"...\"`",
        )),
    }
}

/// Event names are C identifiers (trace-events files and simpletrace.py).
fn check_name(lit: &LitStr) -> syn::Result<()> {
    let name = lit.value();
    if is_identifier(&name) {
        return Ok(());
    }
    Err(Error::new(
        lit.span(),
        format!(
            "`{name}` is not a valid event name: use ASCII letters, digits and `_`, \
             not starting with a digit"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn error(attr: TokenStream) -> String {
        match parse(attr) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_option() {
        let o = parse(quote!(
            name = "x",
            skip(a, b),
            ret,
            err,
            events = crate::trace
        ))
        .unwrap();
        assert_eq!(o.name.unwrap().value(), "x");
        assert_eq!(o.skip, ["a", "b"]);
        assert!(o.ret.is_some() && o.err.is_some() && o.skip_all.is_none());
        let events = o.events.unwrap();
        assert_eq!(quote!(#events).to_string(), "crate :: trace");
        assert!(parse(quote!(skip_all)).unwrap().skip_all.is_some());
        assert!(parse(quote!()).unwrap().name.is_none());
    }

    #[test]
    fn bad_options_are_errors() {
        assert!(error(quote!(level = "info")).starts_with("unknown #[traced] option `level`"));
        assert!(error(quote!(a::b)).starts_with("unknown #[traced] option `a::b`"));
        assert_eq!(error(quote!(ret, ret)), "`ret` given twice");
        assert_eq!(error(quote!(ret = 1)), "`ret` takes no value");
        assert_eq!(error(quote!(name)), "`name` takes a value: `name = ...`");
        assert_eq!(
            error(quote!(name = x)),
            "`name` takes a string: `name = \"...\"`"
        );
        assert!(error(quote!(name = "1x")).starts_with("`1x` is not a valid event name"));
        assert!(error(quote!(name = "a-b")).starts_with("`a-b` is not a valid event name"));
        assert_eq!(error(quote!(skip(a, a))), "`a` skipped twice");
        assert!(error(quote!(skip(a), skip_all)).starts_with("`skip(...)` and `skip_all` together"));
        assert!(error(quote!(events = "trace")).starts_with("`events` takes the path"));
    }
}
