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
    /// Set by `new(..)` rather than by a setter; decoding fails without it.
    pub required: bool,
    /// Not an `Option`: a missing key decodes to the type's empty value.
    pub empty: bool,
    /// Its fields are sent as top-level keys (`#[serde(flatten)]`).
    pub flatten: bool,
    pub doc: String,
}

const DERIVES: &str = "#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]";

/// Objects: serde goes through `wire::Object` (see [`object_impl`]), every object has a default.
const OBJECT_DERIVES: &str = "#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::default::Default)]";

fn derives() -> TokenStream {
    DERIVES.parse().unwrap_or_default()
}

/// How a generated struct is built by code outside the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Build {
    /// `new(required..)` and one consuming setter per optional member (requests, and objects
    /// sent in requests).
    Builder,
    /// `Default` and public fields only (objects only ever received): `let mut u =
    /// DialogUser::default(); u.id = 7;` builds one despite `#[non_exhaustive]`.
    DefaultOnly,
}

/// A struct; see [`Build`] for its constructors.
pub(crate) fn struct_tokens(
    name: &str,
    doc: &str,
    members: &[Member<'_>],
    extra_attrs: &TokenStream,
    build: Build,
    object: bool,
) -> TokenStream {
    let name_ident = ident(name);
    let doc = docs(doc);
    let derives = derives();
    let fields = members.iter().map(|m| {
        let f = ident(m.rust);
        let ty = rust_type(&m.ty);
        let attr = if object {
            TokenStream::new()
        } else if m.flatten {
            quote!(#[serde(flatten)])
        } else {
            serde_attr(m.wire, &m.ty, !m.required)
        };
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
        } else if m.empty {
            quote!(#f: ::std::default::Default::default())
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
    let derives = if object {
        OBJECT_DERIVES.parse().unwrap_or_default()
    } else if no_required {
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
        let set = if m.empty {
            value
        } else {
            quote!(::std::option::Option::Some(#value))
        };
        quote! {
            #d
            pub fn #f(mut self, value: #inner) -> Self {
                self.#f = #set;
                self
            }
        }
    });
    let builder = (build == Build::Builder).then(|| {
        quote! {
            impl #name_ident {
                #new_doc
                #allow_many
                pub fn new(#(#args),*) -> Self {
                    #new_body
                }
                #(#setters)*
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
        #builder
    }
}

/// Documentation of an object field.
pub(crate) fn field_doc(f: &ir::Field) -> String {
    let shape = describe(&f.ty);
    let presence = match &f.presence {
        ir::Presence::Identity => " The object's identity: always sent.".to_owned(),
        ir::Presence::Required(because) => format!(" Required: {}", sentence(because)),
        ir::Presence::Optional => " Optional: may be absent.".to_owned(),
        ir::Presence::Empty => " Absent means empty.".to_owned(),
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
                    required: f.is_required(),
                    empty: f.presence == ir::Presence::Empty,
                    flatten: false,
                    doc: field_doc(f),
                })
                .collect();
            let build = if def.request_side {
                Build::Builder
            } else {
                Build::DefaultOnly
            };
            let doc = match build {
                Build::DefaultOnly => paragraphs([
                    Some(doc.as_str()),
                    Some(
                        "Received from the server. To build one (a test, a server), start from `Default` and set the public fields.",
                    ),
                ]),
                Build::Builder => doc,
            };
            let body = struct_tokens(&def.name, &doc, &members, &TokenStream::new(), build, true);
            let serde = object_impl(&def.name, fields, def.sparse)?;
            Ok(quote!(#body #serde))
        }
        ir::TypeKind::Enum(values) => Ok(enum_tokens(&def.name, &doc, values)),
        ir::TypeKind::Union(variants) => union_tokens(&def.name, &doc, variants),
        ir::TypeKind::OneOf(shapes) => one_of_tokens(&def.name, &doc, shapes),
    }
}

/// `wire::Object` (member by member through each field's codec) and serde through it.
fn object_impl(name: &str, fields: &[ir::Field], sparse: bool) -> Result<TokenStream, String> {
    let name_ident = ident(name);
    let required = fields.iter().filter(|f| f.is_required()).map(|f| &f.wire);
    let mut arms = Vec::new();
    let mut puts = Vec::new();
    for f in fields {
        let (field, wire) = (ident(&f.rust), &f.wire);
        let codec = field_codec(f, sparse)?;
        arms.push(quote!(#wire => self.#field = w::take::<#codec, _, _>(map)?,));
        puts.push(quote!(w::put::<#codec, _, _>(map, #wire, &self.#field)?;));
    }
    let decode = if arms.is_empty() {
        quote!(let _ = (key, map); ::std::result::Result::Ok(false))
    } else {
        quote! {
            match key {
                #(#arms)*
                _ => return ::std::result::Result::Ok(false),
            }
            ::std::result::Result::Ok(true)
        }
    };
    let encode = if puts.is_empty() {
        quote!(let _ = map;)
    } else {
        quote!(#(#puts)*)
    };
    let is_empty = sparse.then(|| {
        quote! {
            fn is_empty(&self) -> bool {
                *self == Self::default()
            }
        }
    });
    Ok(quote! {
        impl w::Object for #name_ident {
            const REQUIRED: &'static [&'static str] = &[#(#required),*];
            #is_empty
            fn decode_member<'de, A: ::serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> ::std::result::Result<bool, A::Error> {
                #decode
            }
            fn encode_members<M: ::serde::ser::SerializeMap>(&self, map: &mut M) -> ::std::result::Result<(), M::Error> {
                #encode
                ::std::result::Result::Ok(())
            }
        }
        ::b24_core::object_serde!(#name_ident);
    })
}

/// The codec of an object field: its type's, or the empty-value wrapper (which leaves the
/// empty value out in a sparse object).
fn field_codec(f: &ir::Field, sparse: bool) -> Result<TokenStream, String> {
    let codec = super::codec(&f.ty);
    let codec = match (f.presence == ir::Presence::Empty, sparse) {
        (true, true) => format!("w::Sparse<{codec}>"),
        (true, false) => format!("w::OrDefault<{codec}>"),
        (false, _) => codec,
    };
    codec
        .parse::<TokenStream>()
        .map_err(|e| format!("this is a bug in b24-codegen: codec path does not lex: {e}"))
}

/// A text as a sentence: capitalised, ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// `w::Kind::Object` and the like.
fn kind_pattern(kind: ir::JsonKind) -> TokenStream {
    let k = ident(match kind {
        ir::JsonKind::Bool => "Bool",
        ir::JsonKind::Number => "Number",
        ir::JsonKind::String => "String",
        ir::JsonKind::Array => "Array",
        ir::JsonKind::Object => "Object",
    });
    quote!(w::Kind::#k)
}

/// An enum of the shapes a value arrives in, told apart by JSON kind.
fn one_of_tokens(name: &str, doc: &str, shapes: &[ir::Shape]) -> Result<TokenStream, String> {
    let name_ident = ident(name);
    let doc = docs(&paragraphs([
        Some(doc),
        Some(
            "On the wire: one of the shapes below, told apart by the kind of JSON value; each decodes and encodes in its own shape.",
        ),
    ]));
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut encodes = Vec::new();
    let mut expecting = Vec::new();
    let (mut false_is_value, mut empty_is_value) = (false, false);
    // Object shapes told apart by a key: the object is read whole, then decoded as the shape
    // whose key it has, or as the last one when it has none (the spec lists last the shape to
    // fall back on: one whose fields are all optional decodes what a server version trimmed).
    let (mut keyed, mut keyed_kinds, mut keyed_last) =
        (Vec::new(), Vec::<ir::JsonKind>::new(), None);
    for s in shapes {
        let var = ident(&s.rust);
        let ty = rust_type(&s.ty);
        let codec = codec_tokens(&s.ty)?;
        let kinds: Vec<&str> = s.kinds.iter().map(|k| k.describe()).collect();
        let d = docs(&paragraphs([
            s.doc.as_deref(),
            Some(&*format!(
                "Sent as {}: {}.",
                kinds.join(" or "),
                describe(&s.ty)
            )),
        ]));
        variants.push(quote!(#d #var(#ty),));
        let patterns = s.kinds.iter().chain(&s.also).map(|k| kind_pattern(*k));
        match &s.when_key {
            Some(key) => {
                for kind in s.kinds.iter().chain(&s.also) {
                    if !keyed_kinds.contains(kind) {
                        keyed_kinds.push(*kind);
                    }
                }
                keyed.push(quote!((::std::option::Option::Some(#key), object) => object.decode::<#codec, _, D::Error>().map(Self::#var),));
                keyed_last = Some(var.clone());
            }
            None => arms.push(
                quote!(#(#patterns)|* => w::As::<#codec>::deserialize(deserializer).map(Self::#var),),
            ),
        }
        encodes.push(quote!(Self::#var(value) => w::As::<#codec>::serialize(value, serializer),));
        expecting.push(s.kinds.first().map_or("a value", |k| k.describe()));
        false_is_value |= s.kinds.contains(&ir::JsonKind::Bool);
        empty_is_value |= s.kinds.contains(&ir::JsonKind::String);
    }
    if let Some(last) = &keyed_last {
        let keys = shapes.iter().filter_map(|s| s.when_key.as_deref());
        let keyed_kinds = keyed_kinds.iter().map(|k| kind_pattern(*k));
        arms.push(quote! {
            #(#keyed_kinds)|* => match w::Buffered::read(deserializer) {
                ::std::result::Result::Err(e) => ::std::result::Result::Err(e),
                ::std::result::Result::Ok(object) => match (object.pick(&[#(#keys),*]), object) {
                    #(#keyed)*
                    (_, object) => object.decode::<w::Obj, _, D::Error>().map(Self::#last),
                },
            },
        });
    }
    let expecting = match expecting.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => expecting.join(""),
    };
    // A whole object beside a bare id (or a smaller object): decoded once per answer and read
    // in place, so boxing would only add a pointer hop.
    let large = shapes
        .iter()
        .any(|s| s.kinds.contains(&ir::JsonKind::Object))
        .then(|| quote!(#[allow(clippy::large_enum_variant)]));
    let derives: TokenStream =
        "#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]"
            .parse()
            .unwrap_or_default();
    Ok(quote! {
        #doc
        #derives
        #[non_exhaustive]
        #large
        pub enum #name_ident {
            #(#variants)*
        }

        impl w::Shapes for #name_ident {
            const EXPECTING: &'static str = #expecting;
            const FALSE_IS_VALUE: bool = #false_is_value;
            const EMPTY_STR_IS_VALUE: bool = #empty_is_value;
            fn decode_kind<'de, D: ::serde::Deserializer<'de>>(kind: w::Kind, deserializer: D) -> ::std::option::Option<::std::result::Result<Self, D::Error>> {
                ::std::option::Option::Some(match kind {
                    #(#arms)*
                    _ => return ::std::option::Option::None,
                })
            }
            fn encode_shape<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#encodes)*
                }
            }
        }

        impl ::serde::Serialize for #name_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                w::As::<w::Shaped>::serialize(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                w::As::<w::Shaped>::deserialize(deserializer)
            }
        }
    })
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
    let table = values.iter().map(|v| {
        let var = ident(&v.variant);
        let wire = &v.wire;
        quote!(#var = #wire)
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

        ::b24_core::open_enum_impls!(#name_ident { #(#table),* });
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
        let with = format!("w::As::<{}>", super::codec(&v.ty));
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
