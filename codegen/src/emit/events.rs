//! A scope's events: the `Event` enum with one variant per event and its `EventSet` impl; and
//! a decode test per recorded delivery, for the crate's `tests/spec_examples/`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{codec_tokens, docs, ident, inner_docs, paragraphs, rust_type};
use crate::ir;
use crate::names;
use crate::raw::EventDeliveryKind;

pub(crate) fn file(scope: &ir::Scope) -> Result<TokenStream, String> {
    let name = ident(names::EVENTS_ENUM);
    let mut variants = Vec::new();
    let mut names_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut encode_arms = Vec::new();
    for e in &scope.events {
        let variant = ident(&e.variant);
        let wire = &e.wire;
        let ty = rust_type(&e.data);
        let codec = codec_tokens(&e.data)?;
        let doc = docs(&paragraphs([
            Some(&*format!("`{wire}`.")),
            e.doc.as_deref(),
        ]));
        variants.push(quote!(#doc #variant(#ty)));
        names_arms.push(quote!(Self::#variant(_) => #wire));
        decode_arms.push(quote!(
            #wire => w::As::<#codec>::deserialize(data).map(|d| ::std::option::Option::Some(Self::#variant(d)))
        ));
        encode_arms.push(quote!(Self::#variant(d) => w::As::<#codec>::serialize(d, serializer)));
    }
    let names_list = scope.events.iter().map(|e| e.wire.as_str());
    let module_doc = inner_docs(&format!(
        "The events of the `{}` scope, decoded from fetch and webhook deliveries alike.",
        scope.name
    ));
    let enum_doc = docs(&format!(
        "An event of the `{}` scope: read one with `b24_core::Delivery::<Event>::from_fetched` (an entry of the event queue) or `from_webhook` (a POST body, form-encoded or JSON).",
        scope.name
    ));
    let import = super::wire_import();
    Ok(quote! {
        #module_doc
        #import
        #enum_doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants,)*
        }

        impl ::b24_core::EventSet for #name {
            const NAMES: &'static [&'static str] = &[#(#names_list),*];

            fn name(&self) -> &'static str {
                match self {
                    #(#names_arms,)*
                }
            }

            fn decode<'de, D: ::serde::Deserializer<'de>>(name: &str, data: D) -> ::std::result::Result<::std::option::Option<Self>, D::Error> {
                match name {
                    #(#decode_arms,)*
                    _ => ::std::result::Result::Ok(::std::option::Option::None),
                }
            }

            fn encode_data<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#encode_arms,)*
                }
            }
        }
    })
}

/// One test per recorded delivery: it must decode as its event and re-encode to the same data.
/// `up` leads from the test file to the repository root; `krate` is the scope's crate.
pub(crate) fn tests(scope: &ir::Scope, up: &str, krate: &proc_macro2::Ident) -> TokenStream {
    let name = ident(names::EVENTS_ENUM);
    let feature = names::EVENTS_FEATURE;
    let mut tests = Vec::new();
    for e in &scope.events {
        let wire = &e.wire;
        for (i, ex) in e.examples.iter().enumerate() {
            let test = ident(&format!(
                "{}_example_{}",
                heck::ToSnakeCase::to_snake_case(e.variant.as_str()),
                i + 1
            ));
            let path = format!("{up}{}", ex.path);
            let delivery = match ex.delivery {
                EventDeliveryKind::Fetch => quote!(::b24_core::testing::EventFormat::Fetch),
                EventDeliveryKind::WebhookForm => {
                    quote!(::b24_core::testing::EventFormat::WebhookForm)
                }
                EventDeliveryKind::WebhookJson => {
                    quote!(::b24_core::testing::EventFormat::WebhookJson)
                }
            };
            let doc = format!(
                " `{}`: {}",
                ex.path,
                ex.doc.as_deref().unwrap_or("recorded delivery").trim()
            );
            tests.push(quote! {
                #[doc = #doc]
                #[test]
                #[cfg(feature = #feature)]
                fn #test() {
                    ::b24_core::testing::check_event::<#krate::#name>(include_str!(#path), #delivery, #wire);
                }
            });
        }
    }
    if tests.is_empty() {
        return TokenStream::new();
    }
    quote! {
        /// Decode tests of the recorded event deliveries kept beside the spec.
        mod events {
            #(#tests)*
        }
    }
}
