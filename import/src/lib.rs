//! The b24 importer: drafts a method spec from its official Bitrix24 reference page, and reports
//! where a page and the curated spec drift apart.
//!
//! Pure: page text (and the checked spec, for shared types and names) in; the draft, the files
//! to write and the notes a person must review out. `cargo xtask import` does the file I/O.
//!
//! Pipeline: [`markdown`] reads the page (CommonMark plus the YFM `#|` tables and `{% %}`
//! directives); `page` finds the method, the tables and the examples; `infer` derives the
//! result type from the example and the tables together; `draft` decides names, reuse of shared
//! types, parameters and errors; `writer` prints the YAML; [`drift`] compares with a spec.
#![deny(missing_docs)]

#[allow(missing_docs)]
pub mod draft;
#[allow(missing_docs)]
pub mod drift;
mod infer;
mod json;
#[allow(missing_docs)]
pub mod markdown;
mod page;
#[allow(missing_docs)]
pub mod paging;
#[allow(missing_docs)]
pub mod shape;
mod writer;

use b24_codegen::ir;

pub use draft::{Draft, Known, SharedType};
pub use drift::{Accuracy, Mark, Report};
pub use writer::type_expr;

/// A drafted method: the files to write and what a person must review.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The decisions, before writing.
    pub draft: Draft,
    /// `spec/<scope>/<method>.yaml`, relative to the repository root.
    pub spec_path: String,
    /// Path (relative to the repository root) and contents of every file: the spec, then the
    /// example bodies.
    pub files: Vec<(String, String)>,
    /// What the importer could not decide, one line each (`where: what`).
    pub notes: Vec<String>,
}

/// Why a page cannot be drafted at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Neither the title, the first paragraph nor the file name names a method.
    NoMethod,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoMethod => f.write_str(
                "the page names no method (no `scope.method` in its title or first paragraph)",
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Options of one import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The page's file name without `.md` (`im.dialog.users.list`), used when the page itself
    /// names no method.
    pub file_stem: Option<&'a str>,
    /// The page's published address, when known (otherwise it is guessed and marked for review).
    pub docs_url: Option<&'a str>,
}

/// Drafts the spec of the method a reference page describes.
///
/// # Errors
/// [`Error::NoMethod`] when the page names no method.
pub fn import(page_text: &str, known: &Known, options: Options<'_>) -> Result<Imported, Error> {
    let page = page::read(page_text);
    let method = method_of(&page, options)?;
    let mut draft = draft::build(&page, &method, known, options.docs_url);
    if let Some(stem) = options.file_stem
        && page::is_method_name(stem)
        && stem != method
    {
        draft.review.push(format!(
            "the page names the method `{method}`, its file name says `{stem}`"
        ));
    }
    for bad in &page.bad_json {
        draft.review.push(format!(
            "a JSON example of the page does not parse ({bad}); it was skipped"
        ));
    }
    let scope = draft.scope.value.clone();
    let spec_path = format!("spec/{scope}/{}.yaml", draft.stem);
    let mut files = vec![(spec_path.clone(), writer::yaml(&draft))];
    for example in &draft.examples {
        files.push((
            format!("spec/{scope}/{}", example.file),
            example.body.clone(),
        ));
    }
    let notes = notes(&draft);
    Ok(Imported {
        draft,
        spec_path,
        files,
        notes,
    })
}

/// The method a page describes: named by the page, or else by its file name.
fn method_of(page: &page::Page, options: Options<'_>) -> Result<String, Error> {
    page.method
        .clone()
        .or_else(|| {
            options
                .file_stem
                .filter(|s| page::is_method_name(s))
                .map(str::to_owned)
        })
        .ok_or(Error::NoMethod)
}

/// Every review note of a draft, each prefixed with where it applies.
fn notes(d: &Draft) -> Vec<String> {
    let mut out: Vec<String> = d.review.clone();
    for (what, guess) in [
        ("scope", &d.scope.review),
        ("summary", &d.summary.review),
        ("docs_url", &d.docs_url.review),
        ("read_only", &d.read_only.review),
    ] {
        if let Some(note) = guess {
            out.push(format!("{what}: {note}"));
        }
    }
    for p in &d.params {
        out.extend(p.review.iter().map(|n| format!("param {}: {n}", p.name)));
    }
    if let Some(p) = &d.pagination {
        out.extend(p.review.iter().map(|n| format!("pagination: {n}")));
    }
    for t in &d.types {
        out.extend(t.review.iter().map(|n| format!("type {}: {n}", t.name)));
        if let draft::TypeBody::Object(fields) = &t.body {
            for f in fields {
                out.extend(
                    f.review
                        .iter()
                        .map(|n| format!("field {}.{}: {n}", t.name, f.name)),
                );
            }
        }
    }
    for e in &d.errors {
        out.extend(e.review.iter().map(|n| format!("error {}: {n}", e.code)));
    }
    out
}

/// What the importer needs to know about a checked spec: the shared types of `scope` (for
/// reuse), every type name in use there, and the system error codes.
pub fn known(api: &ir::Api, scope: &str) -> Known {
    let mut known = Known {
        system_codes: api.system_errors.iter().map(|e| e.code.clone()).collect(),
        ..Known::default()
    };
    if let Some(s) = api.scopes.iter().find(|s| s.name == scope) {
        let local = s
            .methods
            .iter()
            .flat_map(|m| m.types.iter().map(move |t| (Some(m.wire.clone()), t)));
        for (owner, t) in s.types.iter().map(|t| (None, t)).chain(local) {
            let mut shared = SharedType {
                name: t.name.clone(),
                fields: Vec::new(),
                required: Vec::new(),
                values: Vec::new(),
                integers: Vec::new(),
            };
            match &t.kind {
                ir::TypeKind::Object(fields) => {
                    shared.fields = fields.iter().map(|f| f.wire.clone()).collect();
                    shared.required = fields
                        .iter()
                        .filter(|f| f.is_required())
                        .map(|f| f.wire.clone())
                        .collect();
                    shared.integers = fields
                        .iter()
                        .filter(|f| matches!(f.ty.present(), ir::Ty::Builtin(b) if b.is_integer()))
                        .map(|f| f.wire.clone())
                        .collect();
                }
                ir::TypeKind::Enum(values) => {
                    shared.values = values.iter().map(|v| v.wire.clone()).collect();
                }
                ir::TypeKind::Union(_) | ir::TypeKind::OneOf(_) => {}
            }
            match owner {
                None => known.shared.push(shared),
                Some(method) => known.local.push((method, shared)),
            }
        }
        known.taken.extend(s.types.iter().map(|t| t.name.clone()));
        for m in &s.methods {
            known.taken.extend(m.types.iter().map(|t| t.name.clone()));
            // The names the generator gives every method's request and error-code types.
            known.taken.insert(m.request.clone());
            known.taken.insert(m.error_code.clone());
        }
    }
    known
}

/// Compares a page with the curated spec of its method.
///
/// `spec_yaml` is the method file's text (for its `docs_drift` entries).
///
/// # Errors
/// The page names no method, the spec has no such method, or `docs_drift` is malformed.
pub fn drift(
    page_text: &str,
    api: &ir::Api,
    spec_yaml: &str,
    options: Options<'_>,
) -> Result<Report, String> {
    let page = page::read(page_text);
    let method = method_of(&page, options).map_err(|e| e.to_string())?;
    let scope_name = method.split('.').next().unwrap_or("");
    let scope = api
        .scopes
        .iter()
        .find(|s| s.name == scope_name)
        .ok_or_else(|| format!("the spec has no scope `{scope_name}`"))?;
    let curated = scope
        .methods
        .iter()
        .find(|m| m.wire == method)
        .ok_or_else(|| format!("the spec has no method `{method}`"))?;
    let known = known(api, scope_name);
    let draft = draft::build(&page, &method, &known, options.docs_url);
    let marks = drift::marks(spec_yaml)?;
    Ok(drift::compare(&draft, curated, &scope.types, &marks))
}

/// The method a page describes, if it names one.
pub fn page_method(page_text: &str) -> Option<String> {
    page::read(page_text).method
}
