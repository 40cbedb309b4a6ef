//! Code generation: for each event a descriptor static in `events` (placed in the
//! program-wide `EVENTS` slice) and an `#[inline]` function that records it;
//! plus `EVENT_TABLE` and a dependency on the file so editing it rebuilds.
//!
//! Namespaces keep generated names from colliding: event functions live in the
//! caller's value namespace, descriptors in the value namespace of module
//! `events` (a type-namespace item), both named exactly as the event.

use std::collections::HashMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use syn::{Error, LitStr};
use trace_events::{ArgKind, Diagnostic, Event, Severity};

use crate::errors::Errors;
use crate::load::{render, Loaded};
use crate::names::rust_ident;
use crate::types::{rust_arg, RustArg};

/// The one generated value-namespace name that is not an event name.
const TABLE: &str = "EVENT_TABLE";

/// An event with its Rust names and types, checked.
struct Checked<'a> {
    event: &'a Event,
    ident: Ident,
    args: Vec<(Ident, RustArg)>,
}

pub fn generate(loaded: &Loaded, lit: &LitStr) -> syn::Result<TokenStream> {
    let events = check(loaded, lit)?;
    let file = &loaded.display;
    let abs_path = &loaded.abs_path;

    let descriptors = events.iter().map(|c| descriptor(c, file));
    let functions = events.iter().map(|c| function(c, file));
    let idents = events.iter().map(|c| &c.ident);
    let warnings = loaded.warnings.iter().map(|w| warning(w, lit.span()));
    let table = Ident::new(TABLE, Span::call_site());
    let module_doc = format!(
        "Descriptors of the events of `{file}`, named as the events: \
         `events::NAME.is_enabled()` tells whether a costly argument is worth preparing."
    );
    let table_doc = format!("The events of `{file}`, in file order.");

    Ok(quote! {
        // Rebuild when the file changes.
        const _: &[::core::primitive::u8] = ::core::include_bytes!(#abs_path);

        #[doc = #module_doc]
        pub mod events {
            #![allow(non_upper_case_globals)]
            use ::trace_runtime::__private as rt;
            #(#descriptors)*
        }

        #[doc = #table_doc]
        #[allow(dead_code)]
        pub static #table: &[&::trace_runtime::Event] = &[#(&events::#idents),*];

        #(#functions)*
        #(#warnings)*
    })
}

/// Map names and types; report every problem at once, spanned on the path.
fn check<'a>(loaded: &'a Loaded, lit: &LitStr) -> syn::Result<Vec<Checked<'a>>> {
    let mut errors = Errors::default();
    // An error at the event's declaration: file:line:column and a caret.
    let at = |event: &Event, message: String| {
        let diagnostic = Diagnostic {
            severity: Severity::Error,
            file: event.pos.file.clone(),
            line: event.pos.line,
            column: event.pos.column,
            message,
            source_line: loaded.source_line(event.pos.line),
        };
        Error::new(lit.span(), render(&diagnostic))
    };
    let mut checked = Vec::with_capacity(loaded.events.len());
    let mut seen: HashMap<String, &Event> = HashMap::new();
    for event in &loaded.events {
        let ident = match rust_ident(&event.name, Span::call_site()) {
            Ok(ident) => ident,
            Err(e) => {
                errors.push(at(event, format!("event name {e}")));
                continue;
            }
        };
        let rust_name = unraw(&ident);
        if rust_name == TABLE {
            errors.push(at(
                event,
                format!("the event name `{TABLE}` is reserved by trace_events!"),
            ));
        }
        if let Some(first) = seen.insert(rust_name.clone(), event) {
            errors.push(at(
                event,
                format!(
                    "event `{}` clashes with event `{}` (line {}): both are `{rust_name}` in Rust",
                    event.name, first.name, first.pos.line
                ),
            ));
        }
        let mut args: Vec<(Ident, RustArg)> = Vec::with_capacity(event.args.len());
        for arg in &event.args {
            match (rust_ident(&arg.name, Span::call_site()), rust_arg(arg)) {
                (Ok(name), Ok(ty)) => {
                    if let Some(j) = args.iter().position(|(other, _)| *other == name) {
                        errors.push(at(
                            event,
                            format!(
                                "event `{}`: argument `{}` clashes with argument `{}`: \
                                 both are `{}` in Rust",
                                event.name,
                                arg.name,
                                event.args[j].name,
                                unraw(&name)
                            ),
                        ));
                    }
                    args.push((name, ty));
                }
                (Err(e), _) => {
                    errors.push(at(event, format!("event `{}`: argument {e}", event.name)))
                }
                (_, Err(e)) => errors.push(at(event, format!("event `{}`: {e}", event.name))),
            }
        }
        checked.push(Checked { event, ident, args });
    }
    errors.finish(checked)
}

/// The name an identifier stands for (`r#type` is `type`).
fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map_or(s.clone(), str::to_string)
}

/// The event's `Event` static, an element of the program-wide `EVENTS` slice.
fn descriptor(c: &Checked, file: &str) -> TokenStream {
    let e = c.event;
    let ident = &c.ident;
    let name = &e.name;
    let args = e.args.iter().map(|a| {
        let (ty, name) = (&a.ty, &a.name);
        let kind = match a.kind {
            ArgKind::Int(int) => {
                let (bits, signed) = (Literal::u8_unsuffixed(int.bits), int.signed);
                quote!(Int(rt::IntType { bits: #bits, signed: #signed }))
            }
            ArgKind::Bool => quote!(Bool),
            ArgKind::Pointer => quote!(Pointer),
            ArgKind::Str => quote!(Str),
        };
        quote!(rt::ArgMeta { ty: #ty, name: #name, kind: rt::ArgKind::#kind })
    });
    let (fmt, c_format) = (&e.fmt, &e.c_format);
    let line = Literal::u32_unsuffixed(e.pos.line);
    let available = !e.is_disabled();
    let doc = format!("Event `{name}` ({file}:{}).", e.pos.line);
    quote! {
        #[doc = #doc]
        #[rt::linkme::distributed_slice(rt::EVENTS)]
        #[linkme(crate = rt::linkme)]
        pub static #ident: rt::Event = rt::Event::new(rt::EventMeta {
            name: #name,
            args: &[#(#args),*],
            fmt: #fmt,
            c_format: #c_format,
            file: #file,
            line: #line,
            available: #available,
        });
    }
}

/// The event's function: records the arguments when the event is enabled; a
/// `disable`d event's function does nothing.
fn function(c: &Checked, file: &str) -> TokenStream {
    let e = c.event;
    let ident = &c.ident;
    let params = c.args.iter().map(|(name, ty)| {
        let ty = ty.param_type();
        quote!(#name: #ty)
    });
    let decl = if e.args.is_empty() {
        "void".to_string()
    } else {
        let args: Vec<String> = e
            .args
            .iter()
            .map(|a| format!("{} {}", a.ty, a.name))
            .collect();
        args.join(", ")
    };
    // A text block: formats may hold characters Markdown or HTML would eat.
    let doc = format!(
        "Records event `{}` of {file}:{}:\n\n```text\n{}({decl}) {}\n```",
        e.name, e.pos.line, e.name, e.fmt
    );

    if e.is_disabled() {
        return quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = "Disabled (`disable`) in the trace-events file: compiled to nothing."]
            #[inline(always)]
            #[allow(non_snake_case, dead_code, unused_variables, clippy::too_many_arguments)]
            pub fn #ident(#(#params),*) {}
        };
    }

    // Hygienic names, so they cannot clash with argument names.
    let state = Ident::new("state", Span::mixed_site());
    let rec = Ident::new("rec", Span::mixed_site());
    let strs: Vec<&Ident> = c
        .args
        .iter()
        .filter(|(_, ty)| *ty == RustArg::Str)
        .map(|(name, _)| name)
        .collect();
    let fixed: usize = c
        .event
        .args
        .iter()
        .filter(|arg| arg.kind != ArgKind::Str)
        .map(|arg| arg.kind.record_size(0))
        .sum();
    let fixed = Literal::usize_unsuffixed(fixed);
    let writes = c.args.iter().map(|(name, ty)| match ty {
        RustArg::Str => quote!(#rec.str(#name);),
        _ => {
            let value = ty.as_u64(&quote!(#name));
            quote!(#rec.u64(#value);)
        }
    });
    let fill = if c.args.is_empty() {
        quote!(|_| {})
    } else {
        quote!(move |#rec| { #(#writes)* })
    };
    quote! {
        #[doc = #doc]
        #[inline]
        #[allow(non_snake_case, dead_code, clippy::too_many_arguments)]
        pub fn #ident(#(#params),*) {
            let #state = events::#ident.state();
            if ::trace_runtime::__private::state_enabled(#state) {
                #(let #strs = ::trace_runtime::__private::TraceStr::trace_bytes(&#strs);)*
                ::trace_runtime::__private::record(
                    #state,
                    #fixed #(+ ::trace_runtime::__private::str_arg_len(#strs.len()))*,
                    #fill,
                );
            }
        }
    }
}

/// A warning that shows without failing the build (on stable there is no API for
/// it): the use of a deprecated item whose note is the diagnostic. rustc
/// prints `use of deprecated unit struct `PATH`: NOTE`, so the item's name
/// says where the warning comes from and the note starts with the problem.
fn warning(message: &str, span: Span) -> TokenStream {
    let item = Ident::new("trace_events_file_warning", span);
    quote! {
        const _: () = {
            #[deprecated(note = #message)]
            #[allow(non_camel_case_types)]
            struct trace_events_file_warning;
            let _ = #item;
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_events::{Arg, IntType, Position, Property};

    fn event(name: &str, line: u32, disabled: bool, args: &[(&str, &str, ArgKind)]) -> Event {
        Event {
            name: name.into(),
            props: if disabled {
                vec![Property::Disable]
            } else {
                vec![]
            },
            args: args
                .iter()
                .map(|(ty, name, kind)| Arg {
                    ty: (*ty).into(),
                    name: (*name).into(),
                    kind: *kind,
                })
                .collect(),
            fmt: "\"fmt\"".into(),
            c_format: "fmt".into(),
            pos: Position {
                file: "trace-events".into(),
                line,
                column: 1,
            },
        }
    }

    fn generated(events: Vec<Event>) -> syn::File {
        let loaded = Loaded {
            abs_path: "/abs/trace-events".into(),
            display: "trace-events".into(),
            events,
            warnings: vec![],
            errors: None,
        };
        let lit = LitStr::new("trace-events", Span::call_site());
        syn::parse2(generate(&loaded, &lit).unwrap()).unwrap()
    }

    fn function<'f>(file: &'f syn::File, name: &str) -> &'f syn::ItemFn {
        file.items
            .iter()
            .find_map(|i| match i {
                syn::Item::Fn(f) if f.sig.ident == name => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no fn {name}"))
    }

    fn tokens(t: impl quote::ToTokens) -> String {
        t.to_token_stream().to_string()
    }

    const U32: ArgKind = ArgKind::Int(IntType {
        bits: 32,
        signed: false,
    });
    const I8: ArgKind = ArgKind::Int(IntType {
        bits: 8,
        signed: true,
    });

    #[test]
    fn one_function_and_descriptor_per_event_and_a_file_dependency() {
        let file = generated(vec![
            event(
                "foo",
                1,
                false,
                &[("uint32_t", "a", U32), ("const char *", "s", ArgKind::Str)],
            ),
            event("bar", 2, true, &[]),
        ]);
        let all = tokens(&file);
        assert!(
            all.contains(r#"include_bytes ! ("/abs/trace-events")"#),
            "{all}"
        );
        assert!(all.contains("pub static EVENT_TABLE : & [& :: trace_runtime :: Event] = & [& events :: foo , & events :: bar]"));

        let module = file.items.iter().find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "events" => Some(m),
            _ => None,
        });
        let statics: Vec<String> = module
            .unwrap()
            .content
            .as_ref()
            .unwrap()
            .1
            .iter()
            .filter_map(|i| match i {
                syn::Item::Static(s) => Some(s.ident.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(statics, ["foo", "bar"]);

        let foo = function(&file, "foo");
        assert_eq!(
            tokens(&foo.sig.inputs),
            "a : :: core :: primitive :: u32 , s : impl :: trace_runtime :: TraceStr"
        );
        assert!(function(&file, "bar").sig.inputs.is_empty());
    }

    #[test]
    fn descriptors_carry_the_declaration() {
        let file = generated(vec![event("foo", 7, false, &[("int8_t", "a", I8)])]);
        let all = tokens(&file);
        for expected in [
            "name : \"foo\"",
            "rt :: ArgMeta { ty : \"int8_t\" , name : \"a\" , kind : rt :: ArgKind :: Int (rt :: IntType { bits : 8 , signed : true }) }",
            "fmt : \"\\\"fmt\\\"\"",
            "c_format : \"fmt\"",
            "file : \"trace-events\"",
            "line : 7",
            "available : true",
        ] {
            assert!(all.contains(expected), "{expected} not in {all}");
        }
    }

    #[test]
    fn enabled_events_record_every_argument_with_its_size() {
        let file = generated(vec![event(
            "foo",
            1,
            false,
            &[
                ("int8_t", "a", I8),
                ("const char *", "s", ArgKind::Str),
                ("void *", "p", ArgKind::Pointer),
            ],
        )]);
        let body = tokens(&function(&file, "foo").block);
        assert!(
            body.contains("if :: trace_runtime :: __private :: state_enabled (state)"),
            "{body}"
        );
        assert!(
            body.contains("16 + :: trace_runtime :: __private :: str_arg_len (s . len ())"),
            "{body}"
        );
        assert!(body.contains("rec . u64 (a as i64 as u64) ; rec . str (s) ; rec . u64 (:: trace_runtime :: __private :: TracePtr :: trace_addr (& p)) ;"), "{body}");
    }

    #[test]
    fn disabled_events_compile_to_nothing_but_stay_in_the_table() {
        let file = generated(vec![event("off", 1, true, &[("uint32_t", "a", U32)])]);
        assert!(function(&file, "off").block.stmts.is_empty());
        assert!(tokens(&file).contains("available : false"));
    }
}
