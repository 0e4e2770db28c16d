//! Per-scope files: the module tree, shared types, the method table and example tests.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::model::type_tokens;
use super::{cfg_features, ident, inner_docs, render, with_cfg};
use crate::ir;
use crate::names::{self, scope_root};

pub(crate) fn emit(scope: &ir::Scope, files: &mut BTreeMap<String, String>) -> Result<(), String> {
    let root = scope_root(&scope.name);
    let mut mods = Vec::new();
    let mut uses = Vec::new();

    if let Some(types_path) = &scope.types_path {
        // Each shared type compiles only with a group that uses it.
        let mut items = Vec::new();
        for t in &scope.types {
            items.push(with_cfg(type_tokens(t)?, &cfg_features(&t.features))?);
        }
        let doc = inner_docs(&format!(
            "Types shared by the methods of the `{}` scope.",
            scope.name
        ));
        // Unused only when no method group is enabled.
        let import = super::wire_import();
        let import = quote!(#[allow(unused_imports)] #import);
        files.insert(
            format!("{root}/{}.rs", names::TYPES_MODULE),
            render(quote!(#doc #import #(#items)*), types_path)?,
        );
        let module = ident(names::TYPES_MODULE);
        mods.push(quote!(mod #module;));
        let mut by_features: BTreeMap<&[String], Vec<proc_macro2::Ident>> = BTreeMap::new();
        for t in &scope.types {
            by_features
                .entry(t.features.as_slice())
                .or_default()
                .push(ident(&t.name));
        }
        for (features, type_names) in by_features {
            let cfg = cfg_features(features);
            uses.push(quote!(#cfg pub use #module::{#(#type_names),*};));
        }
    }

    let mut entries = Vec::new();
    let mut paged = Vec::new();
    let mut every = Vec::new();
    let mut answers = Vec::new();
    let examples_module = ident(names::EXAMPLES_MODULE);
    for m in &scope.methods {
        let tokens = super::method::file(m)?;
        files.insert(
            format!("{root}/{}.rs", m.module),
            render(tokens, &m.source_path)?,
        );
        let module = ident(&m.module);
        let cfg = cfg_features(std::slice::from_ref(&m.feature));
        mods.push(quote!(#cfg mod #module;));
        let request = ident(&m.request);
        let error = ident(&m.error_code);
        let locals = m.types.iter().map(|t| ident(&t.name));
        // Re-exporting is not using: callers are still warned where they name the request.
        let allow = m.deprecated.as_ref().map(|_| quote!(#[allow(deprecated)]));
        uses.push(quote!(#cfg #allow pub use #module::{#request, #error #(, #locals)*};));
        let entry = quote!(::b24_core::registry::MethodEntry::of::<#module::#request>());
        // The first example of a successful answer: what a server without behaviour of its
        // own for the method (the emulator) answers. Its text is generated into the crate, so
        // the package needs no file from `spec/`.
        let answer = m
            .examples
            .iter()
            .find(|ex| ex.status == 200 && ex.error.is_none() && ex.skipped.is_empty());
        entries.push(match answer {
            Some(ex) => {
                let name = ident(&m.module.to_uppercase());
                let doc = format!(" `{}`", ex.path);
                let body = raw_string(&ex.text)?;
                answers.push(quote! {
                    #[doc = #doc]
                    pub(super) const #name: &str = #body;
                });
                quote!(#entry.with_example(#examples_module::#name))
            }
            None => entry,
        });
        let wire = &m.wire;
        every.push(quote!((#wire, $crate::#request)));
        if m.pagination.as_ref().is_some_and(|p| p.item.is_some()) {
            paged.push(quote!((#wire, $crate::#request)));
        }
    }

    if !scope.events.is_empty() {
        let source = scope
            .types_path
            .clone()
            .unwrap_or_else(|| format!("spec/{}/", scope.name));
        files.insert(
            format!("{root}/{}.rs", names::EVENTS_MODULE),
            render(super::events::file(scope)?, &source)?,
        );
        let module = ident(names::EVENTS_MODULE);
        let name = ident(names::EVENTS_ENUM);
        let cfg = cfg_features(&[names::EVENTS_FEATURE.to_owned()]);
        mods.push(quote!(#cfg mod #module;));
        uses.push(quote!(#cfg pub use #module::#name;));
    }

    let registry = names::REGISTRY_FEATURE;
    if !answers.is_empty() {
        let doc = inner_docs(&format!(
            "The first successful example answer of each `{}` method that has one, copied from\n\
             the spec's example files into the crate, for `METHODS` (feature `{registry}`).",
            scope.name
        ));
        files.insert(
            format!("{root}/{}.rs", names::EXAMPLES_MODULE),
            render(quote!(#doc #(#answers)*), &format!("spec/{}/", scope.name))?,
        );
        mods.push(quote!(
            #[cfg(feature = #registry)]
            mod #examples_module;
        ));
    }

    let has_examples = scope.methods.iter().any(|m| !m.examples.is_empty())
        || scope.events.iter().any(|e| !e.examples.is_empty());
    if has_examples {
        let path = names::scope_examples_test(&scope.name);
        files.insert(
            path.clone(),
            render(examples(scope, &path), &format!("spec/{}/", scope.name))?,
        );
    }

    let doc = inner_docs(&format!(
        "Generated types of the `{}` scope: one module per method, re-exported here.",
        scope.name
    ));
    let table_doc = format!(
        " Every method of the `{}` scope, sorted by wire name, for dispatch by name at run time\n (feature `{}`: the table instantiates every method's decoder).",
        scope.name,
        names::REGISTRY_FEATURE
    );
    let table = ident(names::METHODS_TABLE);
    // The table names deprecated requests on purpose.
    let allow_deprecated = scope
        .methods
        .iter()
        .any(|m| m.deprecated.is_some())
        .then(|| quote!(#[allow(deprecated)]));
    let paged_macro = ident(names::PAGED_MACRO);
    let methods_macro = ident(names::METHODS_MACRO);
    let mod_rs = quote! {
        #doc
        #(#mods)*
        #(#uses)*

        #[doc = #table_doc]
        #[cfg(feature = #registry)]
        #allow_deprecated
        pub static #table: &[::b24_core::registry::MethodEntry] = &[#(#entries),*];

        /// Calls `$callback!` with `("wire.name", RequestType)` for every paged method, so tools
        /// can dispatch typed paging by name without a hand-written table (feature `registry`).
        #[cfg(feature = #registry)]
        #[macro_export]
        macro_rules! #paged_macro {
            ($callback:ident) => {
                $callback! { #(#paged),* }
            };
        }

        /// Calls `$callback!` with `("wire.name", RequestType)` for every method, so tools can
        /// make typed calls by name without a hand-written table (feature `registry`).
        #[cfg(feature = #registry)]
        #[macro_export]
        macro_rules! #methods_macro {
            ($callback:ident) => {
                $callback! { #(#every),* }
            };
        }
    };
    files.insert(
        format!("{root}/mod.rs"),
        render(mod_rs, &format!("spec/{}/", scope.name))?,
    );
    Ok(())
}

/// One test per example: it must decode with the generated types (to the documented error, for
/// error examples) and re-encode to the same JSON, so every field the example shows is in the spec.
fn examples(scope: &ir::Scope, path: &str) -> TokenStream {
    // From the test file's directory up to the repository root.
    let up = "../".repeat(path.split('/').count().saturating_sub(1));
    let up = up.as_str();
    let krate = ident(&names::scope_crate(&scope.name).replace('-', "_"));
    let krate = &krate;
    let tests = scope.methods.iter().flat_map(|m| {
        m.examples.iter().enumerate().map(move |(i, ex)| {
            let test = ident(&names::example_test(&m.module, i + 1));
            let feature = &m.feature;
            let request = ident(&m.request);
            let path = format!("{up}{}", ex.path);
            let status = ex.status;
            let error = match &ex.error {
                Some(code) => quote!(::std::option::Option::Some(#code)),
                None => quote!(::std::option::Option::None),
            };
            let skipped = &ex.skipped;
            let identities = identities(scope, m);
            let doc = format!(
                " `{}`: {}",
                ex.path,
                ex.doc.as_deref().unwrap_or("recorded response").trim()
            );
            quote! {
                #[doc = #doc]
                #[test]
                #[cfg(feature = #feature)]
                fn #test() {
                    ::b24_core::testing::check_example::<#krate::#request>(
                        include_str!(#path),
                        #status,
                        #error,
                        &[#(#skipped),*],
                        &[#(#identities),*],
                    );
                }
            }
        })
    });
    let events = super::events::tests(scope, up, krate);
    let doc = inner_docs("Decode tests generated from the example responses kept beside the spec.");
    let allow_deprecated = scope
        .methods
        .iter()
        .any(|m| m.deprecated.is_some())
        .then(|| quote!(#![allow(deprecated)]));
    quote! {
        #doc
        #allow_deprecated
        #(#tests)*
        #events
    }
}

/// `text` as a raw string literal, with as many `#` as it needs to hold any quote it contains.
fn raw_string(text: &str) -> Result<proc_macro2::Literal, String> {
    let mut hashes = "#".to_owned();
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .map_err(|e| format!("this is a bug in b24-codegen: an example is no string literal: {e}"))
}

/// Wire names of the identity fields of the object types a method's result reaches.
fn identities(scope: &ir::Scope, m: &ir::Method) -> Vec<String> {
    let find = |name: &str| m.types.iter().chain(&scope.types).find(|t| t.name == name);
    let mut pending = Vec::new();
    m.result.named(&mut pending);
    let mut seen = Vec::new();
    let mut out = Vec::new();
    while let Some(name) = pending.pop() {
        if seen.contains(&name) {
            continue;
        }
        let Some(t) = find(&name) else {
            continue;
        };
        seen.push(name);
        match &t.kind {
            ir::TypeKind::Object(fields) => {
                for f in fields {
                    if f.presence == ir::Presence::Identity && !out.contains(&f.wire) {
                        out.push(f.wire.clone());
                    }
                    f.ty.named(&mut pending);
                }
            }
            ir::TypeKind::Union(variants) => variants.iter().for_each(|v| v.ty.named(&mut pending)),
            ir::TypeKind::OneOf(shapes) => shapes.iter().for_each(|s| s.ty.named(&mut pending)),
            ir::TypeKind::Enum(_) => {}
        }
    }
    out.sort();
    out
}

/// The body of the scope crate's `[features]` table: one feature per method group, all of them
/// by default, and `registry` (the run-time method table, which needs every group).
pub(crate) fn features(scope: &ir::Scope) -> String {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &scope.methods {
        groups.entry(&m.feature).or_default().push(&m.wire);
    }
    let quoted = |items: &mut dyn Iterator<Item = &str>| {
        items
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all = quoted(&mut groups.keys().copied());
    let events = !scope.events.is_empty();
    let defaults = if events {
        quoted(&mut groups.keys().copied().chain([names::EVENTS_FEATURE]))
    } else {
        all.clone()
    };
    let mut out = format!(
        "# Method groups: the second segment of a method name. A program that enables only the\n\
         # groups it calls compiles only their types.\ndefault = [{defaults}]\n"
    );
    for (feature, methods) in &groups {
        out.push_str(&format!("# {}\n{feature} = []\n", methods.join(", ")));
    }
    if events {
        let list: Vec<&str> = scope.events.iter().map(|e| e.wire.as_str()).collect();
        out.push_str(&format!(
            "# The `{}` enum and its data types: {}\n{} = []\n",
            names::EVENTS_ENUM,
            list.join(", "),
            names::EVENTS_FEATURE
        ));
    }
    out.push_str(&format!(
        "# `{}`, `{}!` and `{}!`: dispatch by method name at run time (`b24 decode`, `b24 call`,\n\
         # the emulator). It instantiates every method's decoder, so it is not on by default.\n{} = [{all}]\n",
        names::METHODS_TABLE,
        names::PAGED_MACRO,
        names::METHODS_MACRO,
        names::REGISTRY_FEATURE
    ));
    out
}

/// The body of the facade crate's (`b24`) generated `[features]`: each method group of the `im`
/// scope forwarded to its crate, `methods` for all of them, one optional feature per other scope
/// (`imbot` brings its crate in whole, as `b24::imbot`), and `registry`.
pub(crate) fn facade_features(scopes: &[ir::Scope]) -> String {
    let (primary, others): (Vec<&ir::Scope>, Vec<&ir::Scope>) =
        scopes.iter().partition(|s| s.name == names::FACADE_SCOPE);
    let mut groups: BTreeMap<String, (String, Vec<&str>)> = BTreeMap::new();
    for scope in &primary {
        let krate = names::scope_crate(&scope.name);
        for m in &scope.methods {
            groups
                .entry(m.feature.clone())
                .or_insert_with(|| (krate.clone(), Vec::new()))
                .1
                .push(&m.wire);
        }
    }
    let all = groups
        .keys()
        .map(|g| format!("\"{g}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = format!(
        "# Method groups, forwarded to the generated crates: enable only the groups you call to\n\
         # compile only their types. `methods` is all of them (on by default).\nmethods = [{all}]\n"
    );
    for (feature, (krate, methods)) in &groups {
        out.push_str(&format!(
            "# {}\n{feature} = [\"{krate}/{feature}\"]\n",
            methods.join(", ")
        ));
    }
    for scope in &others {
        out.push_str(&format!(
            "# The `{}` scope, as `b24::{}` (its crate with its default features).\n{} = [\"dep:{}\"]\n",
            scope.name,
            scope.name,
            scope.name,
            names::scope_crate(&scope.name)
        ));
    }
    let registries = scopes
        .iter()
        .map(|s| {
            let optional = if s.name == names::FACADE_SCOPE {
                ""
            } else {
                "?"
            };
            format!(
                "\"{}{optional}/{}\"",
                names::scope_crate(&s.name),
                names::REGISTRY_FEATURE
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    out.push_str(&format!(
        "# `{}`: the run-time method tables (dispatch by method name).\n{} = [{registries}]\n",
        names::METHODS_TABLE,
        names::REGISTRY_FEATURE
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::raw_string;

    #[test]
    fn raw_strings_hold_any_text() {
        for text in ["{}", "{\"tag\": \"#1\"}\n", "\"##\" and \"#", "r#\"x\"#"] {
            let literal = raw_string(text).map(|l| l.to_string());
            let parsed = literal
                .as_deref()
                .ok()
                .and_then(|l| syn::parse_str::<syn::LitStr>(l).ok())
                .map(|l| l.value());
            assert_eq!(parsed.as_deref(), Some(text), "{literal:?}");
        }
    }
}
