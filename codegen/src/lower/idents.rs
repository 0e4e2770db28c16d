//! Checks on the Rust names derived from wire names (by [`crate::names`]): valid, not reserved,
//! and unique where they share a namespace.

use std::collections::HashMap;

use super::{Lowerer, MethodFile, Names};
use crate::de::Sp;
use crate::diag::{Diagnostic, Span};
use crate::names;
use crate::source::FileId;

impl Lowerer<'_> {
    /// The names each method file derives (module, request and error types, group feature) are
    /// valid and do not collide with another method's or with the crate's fixed items.
    pub(super) fn check_method_names(&mut self, methods: &[&MethodFile]) {
        // Derived name -> (file and span of the method that first derived it, its wire name).
        let mut modules: HashMap<String, (&MethodFile, String)> = HashMap::new();
        let mut types: HashMap<String, (&MethodFile, String)> = HashMap::new();
        let mut features: HashMap<String, (&MethodFile, String)> = HashMap::new();
        for &m in methods {
            let wire = &m.spec.method;
            let pascal = names::method_pascal(&m.stem);
            let module = names::module(&pascal);
            let group = names::group(&m.stem);
            let feature = names::feature(group);
            if let Some(problem) = names::ident_problem(&module) {
                self.error(
                    m.file,
                    wire.span.clone(),
                    format!(
                        "`{}` becomes the Rust module `{module}`, but {problem}",
                        wire.value
                    ),
                    "",
                )
                .help = Some("rename the method file; method names start with a letter".into());
                continue;
            }
            if names::RESERVED_MODULES.contains(&module.as_str()) {
                self.error(
                    m.file,
                    wire.span.clone(),
                    format!("`{}` becomes the module `{module}`, which the generated crate uses for itself", wire.value),
                    "",
                )
                .help = Some(format!("the names {} are taken; this needs a change in `codegen/src/names.rs`", quoted(names::RESERVED_MODULES)));
                continue;
            }
            if names::RESERVED_FEATURES.contains(&feature.as_str()) {
                self.error(
                    m.file,
                    wire.span.clone(),
                    format!("the group `{group}` of `{}` becomes the cargo feature `{feature}`, which the crate uses for itself", wire.value),
                    "",
                )
                .help = Some(format!("the features {} are taken; this needs a change in `codegen/src/names.rs`", quoted(names::RESERVED_FEATURES)));
                continue;
            }
            let derived = [
                (&mut modules, module, "module"),
                (&mut types, names::request_type(&pascal), "request type"),
            ];
            let mut clash = false;
            for (seen, name, what) in derived {
                if let Some((first, first_wire)) = seen.get(&name) {
                    let first_span = Span::new(first.file, first.spec.method.span.clone());
                    self.push(
                        Diagnostic::error(
                            format!("`{}` and `{first_wire}` both become the Rust {what} `{name}`", wire.value),
                            Span::new(m.file, wire.span.clone()),
                            format!("becomes `{name}`"),
                        )
                        .with_secondary(first_span, format!("`{first_wire}` becomes `{name}` too"))
                        .with_help("method names that differ only in case or dots cannot share a crate; rename one of the methods"),
                    );
                    clash = true;
                    break;
                }
                seen.insert(name, (m, wire.value.clone()));
            }
            if clash {
                continue;
            }
            match features.get(&feature) {
                Some((first, first_wire)) if names::group(&first.stem) != group => {
                    let first_span = Span::new(first.file, first.spec.method.span.clone());
                    let first_group = names::group(&first.stem).to_owned();
                    self.push(
                        Diagnostic::error(
                            format!("the groups `{group}` and `{first_group}` both become the cargo feature `{feature}`"),
                            Span::new(m.file, wire.span.clone()),
                            format!("group `{group}`"),
                        )
                        .with_secondary(first_span, format!("`{first_wire}` is in group `{first_group}`"))
                        .with_help("spell the group the same way in every method name"),
                    );
                }
                Some(_) => {}
                None => {
                    features.insert(feature, (m, wire.value.clone()));
                }
            }
        }
    }

    pub(super) fn field_name(
        &mut self,
        file: FileId,
        wire: &Sp<String>,
        explicit: Option<&Sp<String>>,
    ) -> Option<Sp<String>> {
        let (name, span) = match explicit {
            Some(r) => (r.value.clone(), r.span.clone()),
            None => (names::field(&wire.value), wire.span.clone()),
        };
        if let Some(problem) = names::field_problem(&name) {
            let help = match names::field_fallback(&wire.value) {
                Some(fallback) if explicit.is_none() => {
                    format!("add `rust_name:` with a clear name, e.g. `rust_name: {fallback}`")
                }
                _ => "add `rust_name:` with a valid snake_case name".to_owned(),
            };
            let message = if explicit.is_some() {
                format!("`rust_name` {problem}")
            } else {
                format!(
                    "`{}` becomes the Rust field `{name}`, but {problem}",
                    wire.value
                )
            };
            self.error(file, span, message, "").help = Some(help);
            return None;
        }
        Some(Sp {
            value: name,
            span: wire.span.clone(),
        })
    }

    pub(super) fn variant_name(
        &mut self,
        file: FileId,
        wire: &Sp<String>,
        explicit: Option<&Sp<String>>,
        reserved: &[&str],
    ) -> Option<Sp<String>> {
        let (name, span) = match explicit {
            Some(r) => (r.value.clone(), r.span.clone()),
            None => (names::variant(&wire.value), wire.span.clone()),
        };
        let problem = if name.is_empty() {
            Some("it has no letters".to_owned())
        } else if reserved.contains(&name.as_str()) {
            Some(format!(
                "`{name}` is reserved for the generated fallback variant"
            ))
        } else {
            names::ident_problem(&name)
        };
        if let Some(problem) = problem {
            self.error(
                file,
                span,
                format!(
                    "`{}` becomes the Rust variant `{name}`, but {problem}",
                    wire.value
                ),
                "",
            )
            .help = Some("add `rust_name:` with a PascalCase name".into());
            return None;
        }
        Some(Sp {
            value: name,
            span: wire.span.clone(),
        })
    }

    pub(super) fn unique_wire(
        &mut self,
        file: FileId,
        seen: &mut Names,
        name: &Sp<String>,
        what: &str,
        owner: &str,
    ) -> bool {
        if let Some(first) = seen.insert(&name.value, &name.span) {
            self.push(
                Diagnostic::error(
                    format!("duplicate {what} `{}` in `{owner}`", name.value),
                    Span::new(file, name.span.clone()),
                    "listed again here",
                )
                .with_secondary(Span::new(file, first), "first listed here")
                .with_help(format!("remove one of the two {what}s")),
            );
            return false;
        }
        true
    }

    pub(super) fn unique_code(
        &mut self,
        file: FileId,
        seen: &mut Names,
        code: &Sp<String>,
    ) -> bool {
        if let Some(first) = seen.insert(&code.value, &code.span) {
            self.push(
                Diagnostic::error(format!("duplicate error code `{}`", code.value), Span::new(file, code.span.clone()), "listed again here")
                    .with_secondary(Span::new(file, first), "first listed here")
                    .with_help("one entry per code: give it every `messages` text and `status: [403, 400]` for several statuses"),
            );
            return false;
        }
        true
    }

    pub(super) fn unique_rust(
        &mut self,
        file: FileId,
        seen: &mut Names,
        rust: &Sp<String>,
        wire: &Sp<String>,
        what: &str,
        kind: &str,
    ) -> bool {
        if let Some(first) = seen.insert(&rust.value, &wire.span) {
            self.push(
                Diagnostic::error(
                    format!("two {what} become the Rust {kind} `{}`", rust.value),
                    Span::new(file, wire.span.clone()),
                    format!("`{}` becomes `{}` here", wire.value, rust.value),
                )
                .with_secondary(Span::new(file, first), "and here")
                .with_help("give one of them an explicit `rust_name:`"),
            );
            return false;
        }
        true
    }
}

/// `"a", "b"` for a help line.
fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
