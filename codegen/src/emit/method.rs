//! One file per method: request, error codes, method facts and local types.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::{Build, Member, struct_tokens, type_tokens};
use super::{codec_tokens, describe, docs, ident, inner_docs, paragraphs, rust_type};
use crate::ir::{self, Absence, Builtin, Order, Ty};

pub(crate) fn file(m: &ir::Method) -> Result<TokenStream, String> {
    let request = request(m)?;
    let paged = paged(m);
    let errors = error_code(m);
    let mut types = Vec::new();
    for t in &m.types {
        types.push(type_tokens(t)?);
    }
    let module_doc = inner_docs(&paragraphs([
        Some(&*format!("`{}`: {}", m.wire, m.summary)),
        Some(&*format!("Spec: `{}`.", m.source_path)),
    ]));
    let import = super::wire_import();
    // The module itself implements and names its deprecated request; only users are warned.
    let allow = if m.deprecated.is_some() {
        quote!(#![allow(deprecated)])
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #module_doc
        #allow
        #import
        #request
        #paged
        #errors
        #(#types)*
    })
}

fn param_doc(p: &ir::Param) -> String {
    let mut facts = vec![if p.flatten {
        format!(
            "Wire: the fields of {}, as top-level parameters, all of them or none.",
            describe(&p.ty)
        )
    } else {
        format!("Wire: `{}`, {}.", p.wire, describe(&p.ty))
    }];
    if let Some(default) = &p.default {
        facts.push(format!("Server default: `{default}`."));
    }
    match (p.min, p.max) {
        (Some(min), Some(max)) => facts.push(format!(
            "The server honours {min}..={max} and normalises other values."
        )),
        (Some(min), None) => facts.push(format!("At least {min}.")),
        (None, Some(max)) => facts.push(format!(
            "At most {max}; larger values are capped by the server."
        )),
        (None, None) => {}
    }
    paragraphs([p.doc.as_deref(), Some(&facts.join(" "))])
}

fn request(m: &ir::Method) -> Result<TokenStream, String> {
    let name = &m.request;
    let name_ident = ident(name);
    let members: Vec<Member<'_>> = m
        .params
        .iter()
        .map(|p| Member {
            wire: &p.wire,
            rust: &p.rust,
            ty: if p.required {
                p.ty.clone()
            } else {
                p.ty.clone().optional(Absence::Missing)
            },
            required: p.required,
            empty: false,
            flatten: p.flatten,
            doc: param_doc(p),
        })
        .collect();
    let kind = if m.read_only {
        "Reads only: safe to repeat."
    } else {
        "Writes: not repeated automatically after an ambiguous failure."
    };
    let groups: Vec<String> = m
        .one_of_params
        .iter()
        .map(|g| {
            let names: Vec<String> = g.params.iter().map(|p| format!("`{p}`")).collect();
            format!(
                "Set at least one of {}: {} The client refuses a request without any of them before sending it.",
                names.join(", "),
                g.why.trim()
            )
        })
        .collect();
    let groups = (!groups.is_empty()).then(|| groups.join("\n\n"));
    let handle = (!m.bot_params.is_empty()).then(|| {
        let list: Vec<String> = m.bot_params.iter().map(|p| format!("`{p}`")).collect();
        format!(
            "The bot handle supplies {} (`b24_core::WithBot`), so the request has no field for {}.",
            list.join(" and "),
            if list.len() == 1 { "it" } else { "them" }
        )
    });
    let doc = paragraphs([
        Some(&*format!("Request for `{}`: {}", m.wire, m.summary)),
        m.doc.as_deref(),
        groups.as_deref(),
        handle.as_deref(),
        Some(&*format!("{kind} Reference: <{}>", m.docs_url)),
    ]);
    let deprecated = m.deprecated.as_ref().map(|(replacement, note)| {
        let note = format!("use `{replacement}` instead: {note}");
        quote!(#[deprecated(note = #note)])
    });
    let attrs = quote!(#deprecated #[must_use = "a request does nothing until it is sent"]);
    let body = struct_tokens(name, &doc, &members, &attrs, Build::Builder, false);

    let output = rust_type(&m.result);
    let codec = codec_tokens(&m.result)?;
    let error_code = ident(&m.error_code);
    let info = info(m);
    let result_doc = docs(&paragraphs([
        Some(&*format!("`result`: {}.", describe(&m.result))),
        m.result_doc.as_deref(),
    ]));
    let skip = if m.skip.is_empty() {
        TokenStream::new()
    } else {
        let patterns = m.skip.iter().map(|pattern| {
            let steps = pattern.iter().map(|step| match step {
                ir::SkipStep::Key(key) => quote!(::b24_core::Step::Key(#key)),
                ir::SkipStep::Entry => quote!(::b24_core::Step::Entry),
            });
            quote!(&[#(#steps),*])
        });
        quote!(const SKIP: &'static [&'static [::b24_core::Step]] = &[#(#patterns),*];)
    };
    let bot = if m.bot_params.iter().any(|p| p == "botId") {
        quote!(impl ::b24_core::BotMethod for #name_ident {})
    } else if m.bot_params.is_empty() {
        TokenStream::new()
    } else {
        quote!(impl ::b24_core::BotAppMethod for #name_ident {})
    };
    Ok(quote! {
        #body

        #bot

        impl ::b24_core::Method for #name_ident {
            const INFO: &'static ::b24_core::MethodInfo = &#info;
            #result_doc
            type Output = #output;
            type ErrorCode = #error_code;
            #skip

            fn decode_result<'de, D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self::Output, D::Error> {
                w::As::<#codec>::deserialize(deserializer)
            }

            fn encode_result<S: ::serde::Serializer>(output: &Self::Output, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                w::As::<#codec>::serialize(output, serializer)
            }
        }
    })
}

fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

fn info(m: &ir::Method) -> TokenStream {
    let (wire, scope, summary, docs_url, read_only, batch) = (
        &m.wire,
        &m.scope,
        &m.summary,
        &m.docs_url,
        m.read_only,
        m.batch,
    );
    let pagination = match &m.pagination {
        None => quote!(::b24_core::Pagination::NONE),
        Some(p) => {
            let items = opt_str(p.items.as_deref());
            let limit = match &p.limit {
                Some(l) => {
                    let (param, default, max) = (&l.param, l.default, l.max);
                    quote!(::std::option::Option::Some(::b24_core::Limit { param: #param, default: #default, max: #max }))
                }
                None => quote!(::std::option::Option::None),
            };
            let offset = match &p.offset {
                Some(o) => {
                    let param = opt_str(o.param.as_deref());
                    let (start, total, next, stride) =
                        (o.start, o.total, o.next, o.stride_by_limit);
                    quote!(::std::option::Option::Some(::b24_core::OffsetPaging { param: #param, start: #start, total: #total, next: #next, stride_by_limit: #stride }))
                }
                None => quote!(::std::option::Option::None),
            };
            let keyset = p.keyset.iter().map(|k| {
                let (param, key) = (&k.param, &k.key);
                let order = match k.order {
                    Order::Ascending => quote!(::b24_core::Order::Ascending),
                    Order::Descending => quote!(::b24_core::Order::Descending),
                };
                quote!(::b24_core::KeysetPaging { param: #param, key: #key, order: #order })
            });
            let continuation = match &p.continuation {
                Some(c) => {
                    let (param, next, more) = (&c.param, &c.next, opt_str(c.more.as_deref()));
                    quote!(::std::option::Option::Some(::b24_core::ContinuationPaging { param: #param, next: #next, more: #more }))
                }
                None => quote!(::std::option::Option::None),
            };
            quote!(::b24_core::Pagination { items: #items, limit: #limit, offset: #offset, keyset: &[#(#keyset),*], continuation: #continuation })
        }
    };
    let groups = m.one_of_params.iter().map(|g| {
        let params = &g.params;
        quote!(&[#(#params),*])
    });
    quote! {
        ::b24_core::MethodInfo {
            name: #wire,
            scope: #scope,
            summary: #summary,
            docs_url: #docs_url,
            read_only: #read_only,
            batch: #batch,
            pagination: #pagination,
            one_of_params: &[#(#groups),*],
        }
    }
}

fn error_code(m: &ir::Method) -> TokenStream {
    let name = ident(&m.error_code);
    let doc = docs(&paragraphs([
        Some(&*format!("Error codes of `{}`.", m.wire)),
        Some(
            "Codes the method documents, the system errors any method can return, and `Unknown` for codes this crate did not know when it was generated: match the variants you handle and fall through with `_`, or compare [`Self::as_str`] for newer codes.",
        ),
    ]));
    let variants = m.errors.iter().map(|e| {
        let var = ident(&e.variant);
        let statuses: Vec<String> = e.statuses.iter().map(u16::to_string).collect();
        let messages: Vec<String> = e.messages.iter().map(|t| format!("\"{t}\"")).collect();
        let head = format!("`{}` (HTTP {}).", e.code, statuses.join(" or "));
        let msgs =
            (!messages.is_empty()).then(|| format!("Server messages: {}.", messages.join(", ")));
        let d = docs(&paragraphs([
            Some(head.as_str()),
            e.doc.as_deref(),
            msgs.as_deref(),
        ]));
        quote!(#d #var,)
    });
    let table = m.errors.iter().map(|e| {
        let var = ident(&e.variant);
        let (code, messages) = (&e.code, &e.messages);
        let statuses = e
            .statuses
            .iter()
            .map(|s| proc_macro2::Literal::u16_unsuffixed(*s));
        quote!(#var = #code [#(#statuses),*] [#(#messages),*])
    });
    quote! {
        #doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An error any method can return (limits, auth, ...).
            System(::b24_core::SystemErrorCode),
            /// A code this crate did not know when it was generated.
            Unknown(::b24_core::UnknownCode),
        }

        ::b24_core::error_code_impls!(#name { #(#table),* });
    }
}

/// `Some(value)` converted from a `u32`/`u64` source to the parameter's integer type.
fn convert(source: Builtin, target: &Ty, value: &TokenStream) -> TokenStream {
    let Ty::Builtin(target) = target else {
        return quote!(::std::option::Option::None);
    };
    let ty = rust_type(&Ty::Builtin(*target));
    let widening = matches!(
        (source, target),
        (Builtin::U32, Builtin::U64 | Builtin::I64)
    );
    if source == *target {
        quote!(::std::option::Option::Some(#value))
    } else if widening {
        quote!(::std::option::Option::Some(<#ty as ::std::convert::From<_>>::from(#value)))
    } else {
        quote!(<#ty as ::std::convert::TryFrom<_>>::try_from(#value).ok())
    }
}

/// `impl Paged` for a method whose result holds a list.
fn paged(m: &ir::Method) -> TokenStream {
    let Some(p) = &m.pagination else {
        return TokenStream::new();
    };
    let Some(item) = &p.item else {
        return TokenStream::new();
    };
    let request = ident(&m.request);
    let item_ty = rust_type(&item.ty);
    let (items, into_items) = match (&item.field, item.optional, m.result.is_optional()) {
        // A map keyed by id: its values, in key order.
        _ if item.keyed => match (&item.field, item.optional, m.result.is_optional()) {
            (None, false, _) => (
                quote!(output.values().collect()),
                quote!(output.into_values().collect()),
            ),
            (Some(f), false, false) => {
                let f = ident(f);
                (
                    quote!(output.#f.values().collect()),
                    quote!(output.#f.into_values().collect()),
                )
            }
            _ => return TokenStream::new(),
        },
        (None, false, _) => (quote!(output.iter().collect()), quote!(output)),
        (None, true, _) => (
            quote!(output.as_deref().unwrap_or(&[]).iter().collect()),
            quote!(output.unwrap_or_default()),
        ),
        (Some(f), false, false) => {
            let f = ident(f);
            (quote!(output.#f.iter().collect()), quote!(output.#f))
        }
        (Some(f), true, false) => {
            let f = ident(f);
            (
                quote!(output.#f.as_deref().unwrap_or(&[]).iter().collect()),
                quote!(output.#f.unwrap_or_default()),
            )
        }
        // The result itself may be absent (`Page|false`).
        (Some(f), false, true) => {
            let f = ident(f);
            (
                quote!(output.iter().flat_map(|page| page.#f.iter()).collect()),
                quote!(output.map(|page| page.#f).unwrap_or_default()),
            )
        }
        (Some(f), true, true) => {
            let f = ident(f);
            (
                quote!(output.iter().flat_map(|page| page.#f.iter().flatten()).collect()),
                quote!(output.and_then(|page| page.#f).unwrap_or_default()),
            )
        }
    };
    let param = |wire: &str| m.params.iter().find(|p| p.wire == wire);
    let limit_value = ident("limit");
    let set_limit = match p.limit.as_ref().and_then(|l| param(&l.param)) {
        Some(prm) => {
            let f = ident(&prm.rust);
            let v = convert(Builtin::U32, &prm.ty, &quote!(#limit_value));
            quote!(self.#f = #v;)
        }
        None => quote!(let _ = #limit_value;),
    };
    let set_offset = match p
        .offset
        .as_ref()
        .and_then(|o| o.param.as_deref())
        .and_then(param)
    {
        Some(prm) => {
            let f = ident(&prm.rust);
            let v = convert(Builtin::U64, &prm.ty, &quote!(offset));
            quote!(self.#f = #v;)
        }
        None => quote!(let _ = offset;),
    };
    let cursors: Vec<&ir::Param> = p.keyset.iter().filter_map(|k| param(&k.param)).collect();
    let set_cursor_arms = cursors.iter().map(|prm| {
        let f = ident(&prm.rust);
        let wire = &prm.wire;
        let v = convert(Builtin::U64, &prm.ty, &quote!(key));
        quote!(#wire => { self.#f = #v; true })
    });
    let clear = cursors.iter().map(|prm| {
        let f = ident(&prm.rust);
        quote!(self.#f = ::std::option::Option::None;)
    });
    let key_arms = item.keys.iter().map(|(wire, rust, _)| {
        let f = ident(rust);
        quote!(#wire => ::b24_core::AsKey::as_key(&item.#f),)
    });
    let key_body = if item.keys.is_empty() {
        quote!(let _ = (item, key); ::std::option::Option::None)
    } else {
        quote!(match key { #(#key_arms)* _ => ::std::option::Option::None })
    };
    let set_cursor_body = if cursors.is_empty() {
        quote!(let _ = (param, key); false)
    } else {
        quote!(match param { #(#set_cursor_arms)* _ => { let _ = key; false } })
    };
    let continuation = p.continuation.as_ref().and_then(|c| {
        let prm = param(&c.param)?;
        let set = ident(&prm.rust);
        let value = convert(Builtin::U64, &prm.ty, &quote!(value));
        let next = ident(&c.next_field.0);
        let more = match &c.more_field {
            Some((f, ty)) if ty.is_optional() => {
                let f = ident(f);
                quote!(page.#f)
            }
            Some((f, _)) => {
                let f = ident(f);
                quote!(::std::option::Option::Some(page.#f))
            }
            None => quote!(::std::option::Option::None),
        };
        let read = quote!(::b24_core::AsKey::as_key(&page.#next).map(|next| (next, #more)));
        let read = if m.result.is_optional() {
            quote!(output.as_ref().and_then(|page| #read))
        } else {
            quote!(let page = output; #read)
        };
        Some(quote! {
            fn continuation(output: &Self::Output) -> ::std::option::Option<(u64, ::std::option::Option<bool>)> {
                #read
            }
            fn set_continuation(&mut self, value: u64) {
                self.#set = #value;
            }
        })
    });
    quote! {
        impl ::b24_core::Paged for #request {
            type Item = #item_ty;
            fn items(output: &Self::Output) -> ::std::vec::Vec<&Self::Item> {
                #items
            }
            fn into_items(output: Self::Output) -> ::std::vec::Vec<Self::Item> {
                #into_items
            }
            fn set_limit(&mut self, limit: u32) {
                #set_limit
            }
            fn set_offset(&mut self, offset: u64) {
                #set_offset
            }
            fn set_cursor(&mut self, param: &str, key: u64) -> bool {
                #set_cursor_body
            }
            fn clear_cursors(&mut self) {
                #(#clear)*
            }
            fn key(item: &Self::Item, key: &str) -> ::std::option::Option<u64> {
                #key_body
            }
            #continuation
        }
    }
}
