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
        uses.push(quote!(#cfg pub use #module::{#request, #error #(, #locals)*};));
        let entry = quote!(::b24_core::registry::MethodEntry::of::<#module::#request>());
        // The first example of a successful answer: what a server without behaviour of its
        // own for the method (the emulator) answers.
        let answer = m
            .examples
            .iter()
            .find(|ex| ex.status == 200 && ex.error.is_none() && ex.skipped.is_empty());
        entries.push(match answer {
            Some(ex) => {
                let path = format!("{}{}", up_to_repository(&root), ex.path);
                quote!(#entry.with_example(include_str!(#path)))
            }
            None => entry,
        });
        if m.pagination.as_ref().is_some_and(|p| p.item.is_some()) {
            let wire = &m.wire;
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
            render(
                super::events::file(scope, &up_to_repository(&root))?,
                &source,
            )?,
        );
        let module = ident(names::EVENTS_MODULE);
        let name = ident(names::EVENTS_ENUM);
        let cfg = cfg_features(&[names::EVENTS_FEATURE.to_owned()]);
        mods.push(quote!(#cfg mod #module;));
        uses.push(quote!(#cfg pub use #module::#name;));
    }

    let has_examples = scope.methods.iter().any(|m| !m.examples.is_empty());
    if has_examples {
        files.insert(
            format!("{root}/{}.rs", names::EXAMPLES_MODULE),
            render(examples(scope, &root), &format!("spec/{}/", scope.name))?,
        );
        let module = ident(names::EXAMPLES_MODULE);
        mods.push(quote!(
            #[cfg(test)]
            mod #module;
        ));
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
    let registry = names::REGISTRY_FEATURE;
    let paged_macro = ident(names::PAGED_MACRO);
    let mod_rs = quote! {
        #doc
        #(#mods)*
        #(#uses)*

        #[doc = #table_doc]
        #[cfg(feature = #registry)]
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
    };
    files.insert(
        format!("{root}/mod.rs"),
        render(mod_rs, &format!("spec/{}/", scope.name))?,
    );
    Ok(())
}

/// One test per example: it must decode with the generated types (to the documented error, for
/// error examples) and re-encode to the same JSON, so every field the example shows is in the spec.
fn examples(scope: &ir::Scope, root: &str) -> TokenStream {
    let up = up_to_repository(root);
    let up = up.as_str();
    let tests = scope.methods.iter().flat_map(|m| {
        m.examples.iter().enumerate().map(move |(i, ex)| {
            let test = ident(&names::example_test(&m.module, i + 1));
            let feature = &m.feature;
            let module = ident(&m.module);
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
                    ::b24_core::testing::check_example::<crate::generated::#module::#request>(
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
    let doc = inner_docs("Decode tests generated from the example responses kept beside the spec.");
    quote! {
        #doc
        #(#tests)*
    }
}

/// The path from a generated file under `root` back to the repository root, for `include_str!`.
fn up_to_repository(root: &str) -> String {
    "../".repeat(root.split('/').count())
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
        "# `{}` and `{}!`: dispatch by method name at run time (`b24 decode`, the emulator).\n\
         # It instantiates every method's decoder, so it is not on by default.\n{} = [{all}]\n",
        names::METHODS_TABLE,
        names::PAGED_MACRO,
        names::REGISTRY_FEATURE
    ));
    out
}
