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
    call_id: Ident,
    exit: Ident,
    ret: Ident,
    enter_static: Ident,
    exit_static: Ident,
}

fn rt() -> TokenStream {
    rt_at(Span::call_site())
}

/// The runtime's path with the span of what it is used for, so type errors
/// point at the user's code (on stable, an expression's span is its first
/// token's).
fn rt_at(span: Span) -> TokenStream {
    quote_spanned!(span=> ::trace_runtime::__private)
}

pub fn generate(t: &Traced) -> TokenStream {
    let names = Names {
        state: Ident::new("__traced_state", Span::mixed_site()),
        call_id: Ident::new("__traced_call_id", Span::mixed_site()),
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
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .iter()
        .partition(|a| matches!(a.style, syn::AttrStyle::Outer));
    quote! {
        #(#outer)*
        #vis #sig {
            #(#inner)*
            #body
        }
    }
}

/// The body's statements, without their braces: the body goes after the
/// prologue in the function's own block, where `{ 512 }` nested as the tail
/// would be "unnecessary braces" (`unused_braces`) on the user's tokens.
fn statements(t: &Traced) -> TokenStream {
    let stmts = &t.item.block.stmts;
    quote!(#(#stmts)*)
}

/// The events are ours: two descriptors, recorded with `record_args`. Both
/// start with the call's id (`call_id`, `async_call_id` for an `async fn`),
/// taken only when the enter is recorded (0 otherwise), so a reader pairs a
/// call's exit with its enter even when calls overlap.
///
/// Values are encoded through `<T as TraceArg>` with `T` as written and spanned
/// on it, so a type that cannot be recorded gives the same error as its
/// descriptor, which rustc reports once.
fn own_events(t: &Traced, n: &Names) -> TokenStream {
    let rt = rt();
    let Names {
        state,
        call_id,
        exit,
        ret,
        enter_static,
        exit_static,
    } = n;
    let enter_args = t
        .args
        .iter()
        .map(|a| arg_meta(&a.name, &a.static_ty, a.ty.span()));
    let enter_args = std::iter::once(call_id_meta(t)).chain(enter_args);
    let enter = descriptor(enter_static, &format!("{}_enter", t.base), enter_args);
    let exit_args = std::iter::once(call_id_meta(t)).chain(exit_metas(t));
    let exit_desc = descriptor(exit_static, &format!("{}_exit", t.base), exit_args);
    let encoded = t.args.iter().map(|a| {
        let (ident, ty, rt) = (&a.ident, &a.ty, rt_at(a.ty.span()));
        quote_spanned!(a.ty.span()=> <#ty as #rt::TraceArg>::encoded(&#ident))
    });
    let prologue = quote! {
        #enter
        #exit_desc
        let #state = #enter_static.state();
        let #call_id = if #rt::state_enabled(#state) {
            let #call_id = #rt::call_id();
            #rt::record_args(#state, [#rt::Encoded::U64(#call_id) #(, #encoded)*]);
            #call_id
        } else {
            0
        };
    };
    if t.ret.is_none() {
        let body = statements(t);
        return quote! {
            #prologue
            let #exit = #rt::Exit::with_call_id_only(&#exit_static, #call_id);
            #body
        };
    }

    let (span, rt_ret, ty) = (ret_span(t), rt_at(ret_span(t)), ret_type(t));
    let result = quote_spanned!(span=> <#ty as #rt_ret::TracedResult>);
    let encode = |value: TokenStream, ty: TokenStream| quote_spanned!(span=> <#ty as #rt_ret::TraceArg>::encoded(#value));
    // The `Ok` value or the error, zero when absent.
    let part = |part: &str| {
        let (get, ty) = match part {
            "ok" => (quote!(trace_ok), quote_spanned!(span=> #result::Ok)),
            _ => (quote!(trace_err), quote_spanned!(span=> #result::Err)),
        };
        let value = encode(quote!(v), ty.clone());
        quote_spanned! {span=>
            match #result::#get(&#ret) {
                ::core::option::Option::Some(v) => #value,
                ::core::option::Option::None => #rt_ret::zero_encoded(<#ty as #rt_ret::TraceArg>::KIND),
            }
        }
    };
    let is_err =
        quote_spanned!(span=> #rt_ret::Encoded::U64(#result::trace_err(&#ret).is_some() as u64));
    let values = match (t.options.ret.is_some(), t.options.err.is_some()) {
        (true, false) => vec![encode(quote!(&#ret), ty)],
        (false, true) => vec![is_err, part("err")],
        _ => vec![is_err, part("ok"), part("err")],
    };
    let run = run_body(t);
    quote! {
        #prologue
        let #exit = #rt::Exit::with_call_id(&#exit_static, #call_id);
        let #ret = #run;
        #exit.returned();
        let #state = #exit_static.state();
        if #rt::state_enabled(#state) {
            #rt::record_args(#state, [#rt::Encoded::U64(#call_id), #rt::Encoded::U64(1) #(, #values)*]);
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
        let (ident, rt) = (&a.ident, rt_at(a.ty.span()));
        quote_spanned!(a.ty.span()=> #rt::TraceArg::value(&#ident))
    });
    let prologue = quote! {
        #path::#enter_fn(#(#values),*);
        let #exit = #rt::Exit::new(&#path::events::#exit_fn);
    };
    if t.ret.is_none() {
        let body = statements(t);
        // Never called: makes rustc check that the declared exit takes nothing.
        return quote! {
            #prologue
            let _ = || #path::#exit_fn();
            #body
        };
    }
    let (span, rt_ret) = (ret_span(t), rt_at(ret_span(t)));
    let ok = quote_spanned!(span=> #rt_ret::TracedResult::trace_ok(&#ret));
    let err = quote_spanned!(span=> #rt_ret::TracedResult::trace_err(&#ret));
    let is_err = quote_spanned!(span=> #err.is_some());
    let or_zero = |v| quote_spanned!(span=> #rt_ret::value_or_zero(#v));
    let values = match (t.options.ret.is_some(), t.options.err.is_some()) {
        (true, false) => vec![quote_spanned!(span=> #rt_ret::TraceArg::value(&#ret))],
        (false, true) => vec![is_err, or_zero(err)],
        _ => vec![is_err, or_zero(ok), or_zero(err)],
    };
    let run = run_body(t);
    quote! {
        #prologue
        let #ret = #run;
        #exit.returned();
        #path::#exit_fn(true #(, #values)*);
        #ret
    }
}

/// The body as an expression whose value is the function's return value.
fn run_body(t: &Traced) -> TokenStream {
    let rt = rt();
    let block = &t.item.block;
    let ty = ret_type(t);
    if t.item.sig.asyncness.is_some() {
        quote!(#rt::returning_future::<#ty, _>(async move #block).await)
    } else {
        quote!((#rt::returning::<#ty, _>(move || #block))())
    }
}

/// The return type as written (`()` if none).
fn ret_type(t: &Traced) -> TokenStream {
    match &t.item.sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    }
}

/// Descriptors of the exit event's arguments.
fn exit_metas(t: &Traced) -> Vec<TokenStream> {
    let Some(ty) = &t.ret else {
        return vec![];
    };
    let span = ret_span(t);
    let rt = rt_at(span);
    let ok = quote_spanned!(span=> <#ty as #rt::TracedResult>::Ok);
    let err = quote_spanned!(span=> <#ty as #rt::TracedResult>::Err);
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

/// The return type's span: errors about the recorded value point there.
fn ret_span(t: &Traced) -> Span {
    match &t.item.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => Span::call_site(),
    }
}

/// The call id, first argument of both events.
fn call_id_meta(t: &Traced) -> TokenStream {
    let rt = rt();
    let name = match t.item.sig.asyncness {
        Some(_) => quote!(#rt::ASYNC_CALL_ID),
        None => quote!(#rt::CALL_ID),
    };
    quote!(#rt::ArgMeta {
        ty: "uint64_t",
        name: #name,
        kind: #rt::ArgKind::Int(#rt::IntType { bits: 64, signed: false }),
    })
}

fn bool_meta(name: &str) -> TokenStream {
    let rt = rt();
    quote!(#rt::ArgMeta { ty: "bool", name: #name, kind: #rt::ArgKind::Bool })
}

/// An argument of type `ty`; a type that cannot be recorded fails here,
/// spanned on the type as written.
fn arg_meta(name: &str, ty: &TokenStream, span: Span) -> TokenStream {
    let rt = rt_at(span);
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
