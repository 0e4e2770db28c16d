//! Stage 2: raw spec files to the IR, checking everything and collecting every problem.
//!
//! One concern per module: [`scope`] builds a scope's type table and finds unused types,
//! [`types`] lowers object, enum and union types, [`method`] a method file (with its parameters
//! and error codes), [`pagination`] the paging dialects, [`examples`] the example responses,
//! [`resolve`] type expressions, [`idents`] the checks on derived Rust names, and [`errors`] the
//! system errors. [`Lowerer`] carries the sources and the diagnostics through all of them.

mod errors;
mod events;
mod examples;
mod idents;
mod method;
mod pagination;
mod resolve;
mod scope;
mod types;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::de::{self, DeError};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::ir::{self, NamedKind};
use crate::raw;
use crate::source::{FileId, SourceSet};
use crate::yaml;

/// Where a spec file sits and what it holds.
enum FileKind {
    Errors,
    Types { scope: String },
    Method { scope: String, stem: String },
}

fn classify(path: &str) -> Option<Result<FileKind, String>> {
    let rel = path.strip_prefix("spec/")?;
    if !rel.ends_with(".yaml") {
        return None;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    Some(match parts.as_slice() {
        ["_system", "errors.yaml"] => Ok(FileKind::Errors),
        [scope, "_types.yaml"] => Ok(FileKind::Types {
            scope: (*scope).to_owned(),
        }),
        [scope, file] if !scope.starts_with('_') && !file.starts_with('_') => {
            Ok(FileKind::Method {
                scope: (*scope).to_owned(),
                stem: file.trim_end_matches(".yaml").to_owned(),
            })
        }
        _ => Err(format!(
            "`{path}` is not where spec files go: methods live in `spec/<scope>/<method>.yaml`, shared types in `spec/<scope>/_types.yaml`, system errors in `spec/_system/errors.yaml`"
        )),
    })
}

struct MethodFile {
    file: FileId,
    scope: String,
    stem: String,
    spec: raw::MethodSpec,
}

struct TypesFile {
    file: FileId,
    scope: String,
    spec: raw::TypesSpec,
}

/// A type known to a scope, before lowering.
struct TypeEntry<'a> {
    file: FileId,
    module: String,
    def: &'a raw::TypeDef,
    kind: NamedKind,
    shared: bool,
}

pub(crate) struct Lowerer<'s> {
    sources: &'s SourceSet,
    diags: Diagnostics,
    /// Scopes whose types file failed to load: unknown-type errors there would be noise.
    broken_types: BTreeSet<String>,
}

impl<'s> Lowerer<'s> {
    pub(crate) fn new(sources: &'s SourceSet) -> Self {
        Self {
            sources,
            diags: Diagnostics::default(),
            broken_types: BTreeSet::new(),
        }
    }

    pub(super) fn error(
        &mut self,
        file: FileId,
        range: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(message, Span::new(file, range), label))
    }

    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn de_error(&mut self, file: FileId, err: DeError) {
        let range = err.span.unwrap_or(0..0);
        let mut d = Diagnostic::error(err.message, Span::new(file, range), "");
        if let Some(help) = err.help {
            d = d.with_help(help);
        }
        self.push(d);
    }

    fn load<T: for<'a> serde::Deserialize<'a>>(&mut self, file: FileId) -> Option<T> {
        let text = self
            .sources
            .get(file)
            .map(|f| f.text.as_str())
            .unwrap_or("");
        let node = match yaml::parse(text) {
            Ok(node) => node,
            Err(err) => {
                self.error(
                    file,
                    err.span,
                    format!("YAML syntax error: {}", err.message),
                    "",
                )
                .help = Some("fix the YAML syntax; the rest of this file was not checked".into());
                return None;
            }
        };
        let (value, problems) = de::from_node::<T>(&node);
        for problem in problems {
            self.de_error(file, problem);
        }
        value
    }

    pub(crate) fn run(mut self) -> Result<ir::Api, Diagnostics> {
        let mut methods = Vec::new();
        let mut types_files = Vec::new();
        let mut errors_file = None;
        let files: Vec<(FileId, String)> = self
            .sources
            .iter()
            .map(|(id, f)| (id, f.path.clone()))
            .collect();
        for (id, path) in files {
            match classify(&path) {
                None => {}
                Some(Err(message)) => {
                    self.error(id, 0..0, message, "").help = Some("move or rename the file".into());
                }
                Some(Ok(FileKind::Errors)) => {
                    errors_file = self.load::<raw::ErrorsSpec>(id).map(|spec| (id, spec));
                }
                Some(Ok(FileKind::Types { scope })) => match self.load::<raw::TypesSpec>(id) {
                    Some(spec) => types_files.push(TypesFile {
                        file: id,
                        scope,
                        spec,
                    }),
                    None => {
                        self.broken_types.insert(scope);
                    }
                },
                Some(Ok(FileKind::Method { scope, stem })) => {
                    if let Some(spec) = self.load::<raw::MethodSpec>(id) {
                        methods.push(MethodFile {
                            file: id,
                            scope,
                            stem,
                            spec,
                        });
                    }
                }
            }
        }

        let system_errors = match &errors_file {
            Some((file, spec)) => self.lower_system_errors(*file, spec),
            None => Vec::new(),
        };
        let system_codes: BTreeSet<String> = system_errors.iter().map(|e| e.code.clone()).collect();

        let mut scope_names: BTreeSet<String> = methods.iter().map(|m| m.scope.clone()).collect();
        scope_names.extend(types_files.iter().map(|t| t.scope.clone()));
        let mut scopes = Vec::new();
        for scope in scope_names {
            let scope_methods: Vec<&MethodFile> =
                methods.iter().filter(|m| m.scope == scope).collect();
            let scope_types = types_files.iter().find(|t| t.scope == scope);
            scopes.push(self.lower_scope(&scope, &scope_methods, scope_types, &system_codes));
        }

        if self.diags.is_empty() {
            Ok(ir::Api {
                system_errors,
                scopes,
            })
        } else {
            self.diags.sort(self.sources);
            Err(self.diags)
        }
    }
}

/// First-seen spans of names, for duplicate reports.
#[derive(Default)]
struct Names(HashMap<String, Range<usize>>);

impl Names {
    /// Records `name`; returns the first span if it was already there.
    fn insert(&mut self, name: &str, span: &Range<usize>) -> Option<Range<usize>> {
        if let Some(first) = self.0.get(name) {
            return Some(first.clone());
        }
        self.0.insert(name.to_owned(), span.clone());
        None
    }

    fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

fn kept_refs(items: &[de::Tolerant<raw::TypeDef>]) -> Vec<&raw::TypeDef> {
    items.iter().filter_map(|t| t.0.as_ref()).collect()
}
