//! The traced function: its body records the enter event, then arms a guard
//! that records the exit event on every way out; with `ret`/`err` the body
//! runs in a closure (an `async` block for `async fn`) whose value the exit
//! event records. Without `events = path` the two events are statics in the
//! program-wide `EVENTS` slice, declared inside the function (an attribute on
//! a method may only emit the method).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, Path};

use super::options::Options;
use super::signature::Recorded;

/// A function to trace, checked.
pub struct Traced<'a> {
    pub item: &'a ItemFn,
    pub options: &'a Options,
    /// Event names are `{base}_enter` and `{base}_exit`.
    pub base: String,
    pub args: Vec<Recorded>,
    /// The return type for `ret`/`err`, lifetimes `'static`.
    pub ret: Option<TokenStream>,
}

/// Names only the generated code uses (hygienic: the body cannot see them).
struct Names {
    state: Ident,
    exit: Ident,
    ret: Ident,
    enter_static: Ident,
    exit_static: Ident,
}

fn rt() -> TokenStream {
    quote!(::trace_runtime::__private)
}

pub fn generate(t: &Traced) -> TokenStream {
    let names = Names {
        state: Ident::new("__traced_state", Span::mixed_site()),
        exit: Ident::new("__traced_exit", Span::mixed_site()),
        ret: Ident::new("__traced_ret", Span::mixed_site()),
        enter_static: Ident::new("__TRACED_ENTER", Span::call_site()),
        exit_static: Ident::new("__TRACED_EXIT", Span::call_site()),
    };
    let body = match &t.options.events {
        None => own_events(t, &names),
        Some(path) => declared_events(t, &names, path),
    };
    let ItemFn {
        attrs, vis, sig, ..
    } = t.item;
    quote! {
        #(#attrs)*
        #vis #sig {
            #body
        }
    }
}

/// The events are ours: two descriptors, recorded with `record_args`.
fn own_events(t: &Traced, n: &Names) -> TokenStream {
    let rt = rt();
    let Names {
        state,
        exit,
        ret,
        enter_static,
        exit_static,
    } = n;
    let enter_args = t
        .args
        .iter()
        .map(|a| arg_meta(&a.name, &a.static_ty, a.ty.span()));
    let enter = descriptor(enter_static, &format!("{}_enter", t.base), enter_args);
    let exit_desc = descriptor(exit_static, &format!("{}_exit", t.base), exit_metas(t));
    let idents = t.args.iter().map(|a| &a.ident);
    let prologue = quote! {
        #enter
        #exit_desc
        let #state = #enter_static.state();
        if #state & 1 != 0 {
            #rt::record_args(#state, &[#(#rt::TraceArg::encoded(&#idents)),*]);
        }
        let #exit = #rt::Exit::new(&#exit_static);
    };
    if t.ret.is_none() {
        let block = &t.item.block;
        return quote!(#prologue #block);
    }
    let values = exit_values(
        t,
        n,
        |v| quote!(#rt::TraceArg::encoded(#v)),
        |v| quote!(#rt::encoded_or_zero(#v)),
    );
    let values = values.into_iter().map(|v| quote!(#v)).collect::<Vec<_>>();
    let run = run_body(t, n);
    quote! {
        #prologue
        let #ret = #run;
        #exit.returned();
        let #state = #exit_static.state();
        if #state & 1 != 0 {
            #rt::record_args(#state, &[#rt::Encoded::U64(1) #(, #values)*]);
        }
        #ret
    }
}

/// The events are declared by `trace_events!` in module `path`: call its
/// functions, so rustc checks their declarations against this function.
fn declared_events(t: &Traced, n: &Names, path: &Path) -> TokenStream {
    let rt = rt();
    let Names { exit, ret, .. } = n;
    let enter_fn = format_ident!("{}_enter", t.base, span = path.span());
    let exit_fn = format_ident!("{}_exit", t.base, span = path.span());
    let values = t.args.iter().map(|a| {
        let ident = &a.ident;
        quote_spanned!(a.ty.span()=> #rt::TraceArg::value(&#ident))
    });
    let prologue = quote! {
        #path::#enter_fn(#(#values),*);
        let #exit = #rt::Exit::new(&#path::events::#exit_fn);
    };
    if t.ret.is_none() {
        let block = &t.item.block;
        // Never called: makes rustc check that the declared exit takes nothing.
        return quote! {
            #prologue
            let _ = || #path::#exit_fn();
            #block
        };
    }
    let values = exit_values(
        t,
        n,
        |v| quote!(#rt::TraceArg::value(#v)),
        |v| quote!(#rt::value_or_zero(#v)),
    );
    let run = run_body(t, n);
    quote! {
        #prologue
        let #ret = #run;
        #exit.returned();
        #path::#exit_fn(true #(, #values)*);
        #ret
    }
}

/// The body as an expression whose value is the function's return value.
fn run_body(t: &Traced, n: &Names) -> TokenStream {
    let rt = rt();
    let _ = n;
    let block = &t.item.block;
    let ty = match &t.item.sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    };
    if t.item.sig.asyncness.is_some() {
        quote!(#rt::returning_future::<#ty, _>(async move #block).await)
    } else {
        quote!((#rt::returning::<#ty, _>(move || #block))())
    }
}

/// The exit event's values after `returned`: `value` makes one from a
/// reference, `or_zero` from an `Option` of a reference.
fn exit_values(
    t: &Traced,
    n: &Names,
    value: impl Fn(TokenStream) -> TokenStream,
    or_zero: impl Fn(TokenStream) -> TokenStream,
) -> Vec<TokenStream> {
    let rt = rt();
    let ret = &n.ret;
    let ok = quote!(#rt::TracedResult::trace_ok(&#ret));
    let err = quote!(#rt::TracedResult::trace_err(&#ret));
    let is_err = quote!(#err.is_some());
    let is_err = if t.options.events.is_some() {
        is_err
    } else {
        quote!(#rt::Encoded::U64(#is_err as u64))
    };
    match (t.options.ret.is_some(), t.options.err.is_some()) {
        (true, false) => vec![value(quote!(&#ret))],
        (false, true) => vec![is_err, or_zero(err)],
        (true, true) => vec![is_err, or_zero(ok), or_zero(err)],
        (false, false) => vec![],
    }
}

/// Descriptors of the exit event's arguments.
fn exit_metas(t: &Traced) -> Vec<TokenStream> {
    let rt = rt();
    let Some(ty) = &t.ret else {
        return vec![];
    };
    let span = match &t.item.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => Span::call_site(),
    };
    let ok = quote!(<#ty as #rt::TracedResult>::Ok);
    let err = quote!(<#ty as #rt::TracedResult>::Err);
    let mut metas = vec![bool_meta("returned")];
    match (t.options.ret.is_some(), t.options.err.is_some()) {
        (true, false) => metas.push(arg_meta("ret", ty, span)),
        (false, true) => metas.extend([bool_meta("is_err"), arg_meta("err", &err, span)]),
        _ => metas.extend([
            bool_meta("is_err"),
            arg_meta("ret", &ok, span),
            arg_meta("err", &err, span),
        ]),
    }
    metas
}

fn bool_meta(name: &str) -> TokenStream {
    let rt = rt();
    quote!(#rt::ArgMeta { ty: "bool", name: #name, kind: #rt::RecordedKind::Bool })
}

/// An argument of type `ty`; a type that cannot be recorded fails here,
/// spanned on the type as written.
fn arg_meta(name: &str, ty: &TokenStream, span: Span) -> TokenStream {
    let rt = rt();
    quote_spanned! {span=>
        #rt::ArgMeta {
            ty: <#ty as #rt::TraceArg>::C_TYPE,
            name: #name,
            kind: <#ty as #rt::TraceArg>::KIND,
        }
    }
}

fn descriptor(
    ident: &Ident,
    name: &str,
    args: impl IntoIterator<Item = TokenStream>,
) -> TokenStream {
    let rt = rt();
    let args = args.into_iter();
    quote! {
        #[#rt::linkme::distributed_slice(#rt::EVENTS)]
        #[linkme(crate = #rt::linkme)]
        static #ident: #rt::Event = #rt::Event::new(#rt::EventMeta {
            name: #name,
            args: &[#(#args),*],
            fmt: "",
            c_format: "",
            file: ::core::file!(),
            line: ::core::line!(),
            available: true,
        });
    }
}
