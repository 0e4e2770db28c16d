//! The b24 generator: spec YAML in, Rust files (or rustc-style diagnostics) out.
//!
//! It is a pure function of its inputs and never touches the disk; `cargo xtask codegen` reads
//! `spec/` and writes what [`generate`] returns.
//!
//! Pipeline: [`yaml`] parses each file into a spanned tree; [`de`] reads the raw spec structs
//! ([`raw`]) from it, reporting every unknown key and malformed entry; [`lower`] resolves types and
//! names and validates the whole spec into the [`ir`]; [`emit`] prints Rust with `quote!`,
//! `syn` and `prettyplease`.
#![deny(missing_docs)]

mod de;
mod diag;
mod emit;
#[allow(missing_docs)]
pub mod ir;
mod lower;
mod names;
mod raw;
mod source;
mod typeexpr;
mod yaml;

use std::collections::BTreeMap;

pub use diag::{Diagnostic, Diagnostics, Label, Span};
pub use names::scope_root;
pub use source::{FileId, SourceFile, SourceSet};

/// Directory of `b24-core`'s generated module.
pub const CORE_ROOT: &str = "crates/b24-core/src/generated";
/// Directory of the spec's JSON Schemas.
pub const SCHEMA_ROOT: &str = "spec/_schema";

/// What one run produces.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Path relative to the repository root -> file contents. Sorted, so runs are comparable.
    pub files: BTreeMap<String, String>,
    /// Directories whose every file is generated (stale files there are deleted).
    pub roots: Vec<String>,
}

/// Why generation failed.
#[derive(Debug, Clone)]
pub enum Error {
    /// The spec has problems; nothing was generated.
    Spec(Diagnostics),
    /// A bug in the generator itself.
    Internal(String),
}

impl Error {
    /// Renders the error for a terminal.
    #[must_use]
    pub fn render(&self, sources: &SourceSet) -> String {
        match self {
            Self::Spec(diags) => diags.render(sources),
            Self::Internal(message) => format!("error: {message}"),
        }
    }
}

/// Checks the spec and generates every output file.
///
/// `sources` holds every file under `spec/` (YAML specs and the example JSON they refer to), with
/// paths relative to the repository root.
///
/// # Errors
/// [`Error::Spec`] with every problem found, or [`Error::Internal`] for a generator bug.
pub fn generate(sources: &SourceSet) -> Result<Output, Error> {
    let api = check(sources).map_err(Error::Spec)?;
    let mut files = emit::emit(&api).map_err(Error::Internal)?;
    files.extend(schemas());
    let mut roots = vec![CORE_ROOT.to_owned(), SCHEMA_ROOT.to_owned()];
    roots.extend(api.scopes.iter().map(|s| scope_root(&s.name)));
    Ok(Output { files, roots })
}

/// Checks the spec and returns its IR, without generating code.
///
/// # Errors
/// Every problem found.
pub fn check(sources: &SourceSet) -> Result<ir::Api, Diagnostics> {
    lower::Lowerer::new(sources).run()
}

/// The JSON Schemas of the three kinds of spec file, generated from the generator's own raw
/// types, keyed by path.
#[must_use]
pub fn schemas() -> BTreeMap<String, String> {
    fn one<T: schemars::JsonSchema>(title: &str) -> String {
        let mut schema = schemars::generate::SchemaSettings::draft07()
            .into_generator()
            .into_root_schema_for::<T>();
        schema.insert("title".into(), title.into());
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
    BTreeMap::from([
        (
            format!("{SCHEMA_ROOT}/method.schema.json"),
            one::<raw::MethodSpec>("b24 method spec"),
        ),
        (
            format!("{SCHEMA_ROOT}/types.schema.json"),
            one::<raw::TypesSpec>("b24 shared types"),
        ),
        (
            format!("{SCHEMA_ROOT}/errors.schema.json"),
            one::<raw::ErrorsSpec>("b24 system errors"),
        ),
    ])
}
