//! Structs (requests and objects), open enums and tagged unions.

use proc_macro2::TokenStream;
use quote::quote;

use super::{arg_type, codec_tokens, describe, docs, ident, paragraphs, rust_type, serde_attr};
use crate::ir::{self, Ty};

/// A member of a generated struct: a request parameter or an object field.
pub(crate) struct Member<'a> {
    pub wire: &'a str,
    pub rust: &'a str,
    /// The field's full type (`Option` included when it may be absent).
    pub ty: Ty,
    /// Set by `new(..)` rather than by a setter.
    pub required: bool,
    pub doc: String,
}

const DERIVES: &str = "#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]";

fn derives() -> TokenStream {
    DERIVES.parse().unwrap_or_default()
}

/// A struct with `new(required..)` and one consuming setter per optional member.
pub(crate) fn struct_tokens(
    name: &str,
    doc: &str,
    members: &[Member<'_>],
    extra_attrs: &TokenStream,
) -> TokenStream {
    let name_ident = ident(name);
    let doc = docs(doc);
    let derives = derives();
    let fields = members.iter().map(|m| {
        let f = ident(m.rust);
        let ty = rust_type(&m.ty);
        let attr = serde_attr(m.wire, &m.ty, !m.required);
        let d = docs(&m.doc);
        quote! {
            #d
            #attr
            pub #f: #ty,
        }
    });
    let args = members.iter().filter(|m| m.required).map(|m| {
        let f = ident(m.rust);
        let (ty, _) = arg_type(&m.ty, &f);
        quote!(#f: #ty)
    });
    let inits = members.iter().map(|m| {
        let f = ident(m.rust);
        if m.required {
            let (_, value) = arg_type(&m.ty, &f);
            if f == value.to_string() {
                quote!(#f)
            } else {
                quote!(#f: #value)
            }
        } else {
            quote!(#f: ::std::option::Option::None)
        }
    });
    let required_names: Vec<String> = members
        .iter()
        .filter(|m| m.required)
        .map(|m| format!("`{}`", m.wire))
        .collect();
    let new_doc = if required_names.is_empty() {
        "Creates a value with every optional member unset.".to_owned()
    } else {
        format!(
            "Creates a value from its required member{} {}; every optional member starts unset.",
            if required_names.len() == 1 { "" } else { "s" },
            required_names.join(", ")
        )
    };
    let new_doc = docs(&new_doc);
    let no_required = required_names.is_empty();
    let derives = if no_required {
        DERIVES
            .replace(
                "::serde::Serialize",
                "::std::default::Default, ::serde::Serialize",
            )
            .parse()
            .unwrap_or_default()
    } else {
        derives
    };
    let allow_many = if required_names.len() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        TokenStream::new()
    };
    let new_body = if no_required {
        quote!(Self::default())
    } else {
        quote!(Self { #(#inits),* })
    };
    let setters = members.iter().filter(|m| !m.required).map(|m| {
        let f = ident(m.rust);
        let value_ident = ident("value");
        let (inner, value) = match &m.ty {
            Ty::Optional(inner, _) => arg_type(inner, &value_ident),
            other => arg_type(other, &value_ident),
        };
        let d = docs(&format!("Sets `{}`.", m.wire));
        quote! {
            #d
            pub fn #f(mut self, value: #inner) -> Self {
                self.#f = ::std::option::Option::Some(#value);
                self
            }
        }
    });
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        #extra_attrs
        pub struct #name_ident {
            #(#fields)*
        }

        impl #name_ident {
            #new_doc
            #allow_many
            pub fn new(#(#args),*) -> Self {
                #new_body
            }
            #(#setters)*
        }
    }
}

/// Documentation of an object field.
pub(crate) fn field_doc(f: &ir::Field) -> String {
    let shape = describe(&f.ty);
    let presence = if f.required {
        ""
    } else {
        " Optional: may be absent."
    };
    paragraphs([
        f.doc.as_deref(),
        Some(&*format!("Wire: `{}`, {shape}.{presence}", f.wire)),
    ])
}

/// Tokens for a named type.
pub(crate) fn type_tokens(def: &ir::TypeDef) -> Result<TokenStream, String> {
    let doc = def
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` object.", def.name));
    match &def.kind {
        ir::TypeKind::Object(fields) => {
            let members: Vec<Member<'_>> = fields
                .iter()
                .map(|f| Member {
                    wire: &f.wire,
                    rust: &f.rust,
                    ty: f.ty.clone(),
                    required: f.required,
                    doc: field_doc(f),
                })
                .collect();
            Ok(struct_tokens(
                &def.name,
                &doc,
                &members,
                &TokenStream::new(),
            ))
        }
        ir::TypeKind::Enum(values) => Ok(enum_tokens(&def.name, &doc, values)),
        ir::TypeKind::Union(variants) => union_tokens(&def.name, &doc, variants),
    }
}

fn enum_tokens(name: &str, doc: &str, values: &[ir::EnumValue]) -> TokenStream {
    let name_ident = ident(name);
    let doc = docs(&paragraphs([
        Some(doc),
        Some(
            "Open: values this crate does not know are kept in `Unknown`; compare them with [`Self::as_str`].",
        ),
    ]));
    let variants = values.iter().map(|v| {
        let var = ident(&v.variant);
        let d = docs(&paragraphs([
            Some(&*format!("`{}`", v.wire)),
            v.doc.as_deref(),
        ]));
        quote!(#d #var,)
    });
    let as_str = values.iter().map(|v| {
        let var = ident(&v.variant);
        let wire = &v.wire;
        quote!(Self::#var => #wire,)
    });
    let from = values.iter().map(|v| {
        let var = ident(&v.variant);
        let wire = &v.wire;
        quote!(#wire => Self::#var,)
    });
    let known = values.iter().map(|v| {
        let var = ident(&v.variant);
        quote!(Self::#var)
    });
    quote! {
        #doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        #[non_exhaustive]
        pub enum #name_ident {
            #(#variants)*
            /// A value this crate did not know when it was generated.
            Unknown(::b24_core::UnknownValue),
        }

        impl #name_ident {
            /// Every value this crate knows.
            pub const KNOWN: &'static [Self] = &[#(#known),*];

            /// The value as the server spells it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for #name_ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#from)*
                    other => Self::Unknown(::b24_core::UnknownValue::__new(other)),
                }
            }
        }

        impl ::std::str::FromStr for #name_ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::b24_core::deserialize_open_text(deserializer).map(|text| Self::from(text.as_str()))
            }
        }
    }
}

fn union_tokens(name: &str, doc: &str, variants: &[ir::Variant]) -> Result<TokenStream, String> {
    let name_ident = ident(name);
    let doc = docs(&paragraphs([
        Some(doc),
        Some("On the wire: an object with exactly one key, the variant's tag."),
    ]));
    let derives = derives();
    let mut items = Vec::new();
    for v in variants {
        let var = ident(&v.rust);
        let ty = rust_type(&v.ty);
        let wire = &v.wire;
        let with = format!("::b24_core::wire::As::<{}>", super::codec(&v.ty));
        codec_tokens(&v.ty)?;
        let d = docs(&paragraphs([
            v.doc.as_deref(),
            Some(&*format!("Tag `{}`, {}.", v.wire, describe(&v.ty))),
        ]));
        items.push(quote! {
            #d
            #[serde(rename = #wire, with = #with)]
            #var(#ty),
        });
    }
    Ok(quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub enum #name_ident {
            #(#items)*
        }
    })
}
