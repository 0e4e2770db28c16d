//! `b24-core`'s generated part: the system error codes.

use std::collections::BTreeMap;

use quote::quote;

use super::{docs, ident, inner_docs, paragraphs, render};
use crate::ir::{Api, Execution, Retry};

/// Directory of `b24-core`'s generated module.
pub const CORE_ROOT: &str = "crates/b24-core/src/generated";

pub(crate) fn emit(api: &Api, files: &mut BTreeMap<String, String>) -> Result<(), String> {
    let source = "spec/_system/errors.yaml";
    let errors = &api.system_errors;
    let variants = errors.iter().map(|e| {
        let var = ident(&e.variant);
        let messages: Vec<String> = e.messages.iter().map(|t| format!("\"{t}\"")).collect();
        let head = format!("`{}` (HTTP {}).", e.code, e.status);
        let msgs =
            (!messages.is_empty()).then(|| format!("Server messages: {}.", messages.join(", ")));
        let d = docs(&paragraphs([
            Some(head.as_str()),
            e.doc.as_deref(),
            msgs.as_deref(),
        ]));
        quote!(#d #var,)
    });
    let arms = |f: &dyn Fn(&crate::ir::SystemError) -> proc_macro2::TokenStream| {
        errors
            .iter()
            .map(|e| {
                let var = ident(&e.variant);
                let value = f(e);
                quote!(Self::#var => #value,)
            })
            .collect::<Vec<_>>()
    };
    let as_str = arms(&|e| {
        let c = &e.code;
        quote!(#c)
    });
    let status = arms(&|e| {
        let s = e.status;
        quote!(#s)
    });
    let execution = arms(&|e| match e.execution {
        Execution::NotExecuted => quote!(crate::Execution::NotExecuted),
        Execution::MaybeExecuted => quote!(crate::Execution::MaybeExecuted),
    });
    let retry = arms(&|e| match e.retry {
        Retry::Never => quote!(crate::Retry::Never),
        Retry::Backoff => quote!(crate::Retry::Backoff),
        Retry::AfterReset => quote!(crate::Retry::AfterReset),
        Retry::RefreshToken => quote!(crate::Retry::RefreshToken),
    });
    let statuses = arms(&|e| {
        let s = e.status;
        quote!(&[#s])
    });
    let messages = arms(&|e| {
        let m = &e.messages;
        quote!(&[#(#m),*])
    });
    let message = arms(&|e| {
        let m = e.messages.first().cloned().unwrap_or_default();
        quote!(#m)
    });
    let from = errors.iter().map(|e| {
        let var = ident(&e.variant);
        let c = &e.code;
        quote!(#c => ::std::option::Option::Some(Self::#var),)
    });
    let all = errors.iter().map(|e| {
        let var = ident(&e.variant);
        quote!(Self::#var)
    });
    let body = if errors.is_empty() {
        quote! {
            /// Errors any method can return (none are specified).
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
            pub enum SystemErrorCode {}
            impl SystemErrorCode {
                /// Every system error.
                pub const ALL: &'static [Self] = &[];
                /// The code as the server spells it.
                #[must_use]
                pub const fn as_str(self) -> &'static str { match self {} }
                /// The system error with this exact code.
                #[must_use]
                pub fn from_code(_code: &str) -> ::std::option::Option<Self> { ::std::option::Option::None }
                /// The HTTP status it comes with.
                #[must_use]
                pub const fn http_status(self) -> u16 { match self {} }
                /// Whether the method may have run.
                #[must_use]
                pub const fn execution(self) -> crate::Execution { match self {} }
                /// What a client can do about it.
                #[must_use]
                pub const fn retry(self) -> crate::Retry { match self {} }
                /// The documented `error_description`.
                #[must_use]
                pub const fn message(self) -> &'static str { match self {} }
                /// The HTTP statuses it comes with.
                #[must_use]
                pub const fn http_statuses(self) -> &'static [u16] { match self {} }
                /// Every documented `error_description`.
                #[must_use]
                pub const fn messages(self) -> &'static [&'static str] { match self {} }
            }
        }
    } else {
        quote! {
            /// Errors any method can return, from `spec/_system/errors.yaml`.
            ///
            /// Each knows its HTTP status, whether the call may have run ([`crate::Execution`])
            /// and what a client can do about it ([`crate::Retry`]).
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
            #[non_exhaustive]
            pub enum SystemErrorCode {
                #(#variants)*
            }

            impl SystemErrorCode {
                /// Every system error, sorted by code.
                pub const ALL: &'static [Self] = &[#(#all),*];

                /// The code as the server spells it.
                #[must_use]
                pub const fn as_str(self) -> &'static str {
                    match self { #(#as_str)* }
                }

                /// The system error with this exact code (codes are case-sensitive).
                #[must_use]
                pub fn from_code(code: &str) -> ::std::option::Option<Self> {
                    match code {
                        #(#from)*
                        _ => ::std::option::Option::None,
                    }
                }

                /// The HTTP status it comes with.
                #[must_use]
                pub const fn http_status(self) -> u16 {
                    match self { #(#status)* }
                }

                /// Whether the method may have run when this error comes back.
                #[must_use]
                pub const fn execution(self) -> crate::Execution {
                    match self { #(#execution)* }
                }

                /// What a client can do about it.
                #[must_use]
                pub const fn retry(self) -> crate::Retry {
                    match self { #(#retry)* }
                }

                /// The documented `error_description`.
                #[must_use]
                pub const fn message(self) -> &'static str {
                    match self { #(#message)* }
                }

                /// The HTTP statuses it comes with (one for every system error).
                #[must_use]
                pub const fn http_statuses(self) -> &'static [u16] {
                    match self { #(#statuses)* }
                }

                /// Every documented `error_description` (they differ between server versions
                /// and languages: never match on them).
                #[must_use]
                pub const fn messages(self) -> &'static [&'static str] {
                    match self { #(#messages)* }
                }
            }
        }
    };
    let doc = inner_docs("Errors any method can return.");
    let tokens = quote! {
        #doc
        #body

        impl ::std::fmt::Display for SystemErrorCode {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    files.insert(
        format!("{CORE_ROOT}/system_error_code.rs"),
        render(tokens, source)?,
    );
    let mod_doc = inner_docs("Generated part of `b24-core`.");
    files.insert(
        format!("{CORE_ROOT}/mod.rs"),
        render(
            quote! {
                #mod_doc
                mod system_error_code;
                pub use system_error_code::SystemErrorCode;
            },
            source,
        )?,
    );
    Ok(())
}
