//! The draft: what the importer decided about a method, before it is written as YAML.
//!
//! This model holds decisions, not spellings: the YAML writer (`writer.rs`) is the one place
//! that knows the spec format's keys, so a format change touches only the writer.

use std::collections::BTreeSet;

use b24_codegen::names;
use heck::ToKebabCase;

use crate::infer::{self, mentions_ids};
use crate::markdown::Span;
use crate::page::{Page, Row};
use crate::paging::Pagination;
use crate::shape::{Field, Object, Shape, Types};

/// A value the importer guessed, with why it may be wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Guessed<T> {
    pub value: T,
    /// Set when a person must confirm the value.
    pub review: Option<String>,
}

impl<T> Guessed<T> {
    fn sure(value: T) -> Self {
        Self {
            value,
            review: None,
        }
    }
    fn guess(value: T, why: impl Into<String>) -> Self {
        Self {
            value,
            review: Some(why.into()),
        }
    }
}

/// A drafted method.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Full wire name (`im.dialog.users.list`).
    pub method: String,
    /// The method without its scope prefix: the spec file stem.
    pub stem: String,
    pub scope: Guessed<String>,
    pub summary: Guessed<String>,
    pub doc: Option<String>,
    pub docs_url: Guessed<String>,
    pub read_only: Guessed<bool>,
    pub params: Vec<Param>,
    /// The result type (named types only: objects and enums are in `types`).
    pub result: Shape,
    pub result_doc: Option<String>,
    /// The `pagination:` block, when the page shows paging over a list of items.
    pub pagination: Option<Pagination>,
    pub errors: Vec<ErrorEntry>,
    pub types: Vec<TypeDef>,
    pub examples: Vec<Example>,
    /// Notes about the whole method (paging, deprecation, several response shapes, ...).
    pub review: Vec<String>,
    /// The result as the page describes it, before shared types were reused (for drift).
    pub page_result: Shape,
}

/// A request parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Shape,
    pub required: bool,
    pub default: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub doc: Option<String>,
    pub rust_name: Option<String>,
    pub review: Vec<String>,
}

/// An error code of the method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    pub code: String,
    pub statuses: Vec<u16>,
    pub messages: Vec<String>,
    pub doc: Option<String>,
    pub rust_name: Option<String>,
    pub review: Vec<String>,
}

/// A named type of the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    pub body: TypeBody,
    pub review: Vec<String>,
}

/// What a named type is.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeBody {
    Object(Vec<TypeField>),
    /// Value, documentation, Rust variant name when the derived one would not do.
    Enum(Vec<(String, String, Option<String>)>),
}

/// What a missing key of a drafted field means (the tolerance policy of `spec/README.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// The object's identity (`identity: true`): an integer or string `id` and the like.
    Identity,
    /// Request-side only, with the reason (`required: true` + `required_because`).
    Required(String),
    /// Not known (the default): an `Option`.
    Unknown,
    /// `when_absent: empty`: the empty value (`[]`, `{}`, `false`) is the truth.
    Empty,
}

/// A field of a drafted object type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeField {
    pub name: String,
    pub ty: Shape,
    pub presence: Presence,
    pub doc: Option<String>,
    pub rust_name: Option<String>,
    pub review: Vec<String>,
}

/// An example body written beside the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Path relative to the spec file (`examples/x.json`).
    pub file: String,
    pub body: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub doc: String,
}

/// A shared type the draft may reuse: its name and the wire names of its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedType {
    pub name: String,
    pub fields: Vec<String>,
    /// Fields it marks `required` (decoding fails without them).
    pub required: Vec<String>,
    /// Values, for an enum.
    pub values: Vec<String>,
    /// Fields that hold an integer (cursor keys).
    pub integers: Vec<String>,
}

/// What the importer knows about the spec it drafts into.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Shared types of the scope.
    pub shared: Vec<SharedType>,
    /// Object types local to one method (the method's wire name and the type): a draft with the
    /// same object is told to move the type to the shared file.
    pub local: Vec<(String, SharedType)>,
    /// Every type name in use in the scope (shared and per-method).
    pub taken: BTreeSet<String>,
    /// System error codes (`spec/_system/errors.yaml`).
    pub system_codes: BTreeSet<String>,
}

/// Builds the draft of a page.
pub fn build(page: &Page, method: &str, known: &Known, docs_url: Option<&str>) -> Draft {
    let (scope_name, stem) = method.split_once('.').unwrap_or(("im", method));
    // Every name below comes from the generator's naming authority, so the draft's names are
    // exactly the ones `cargo xtask codegen` derives (and checks).
    let prefix = names::method_pascal(stem);
    let mut b = Builder {
        known,
        method: method.to_owned(),
        prefix,
        types: Vec::new(),
        review: Vec::new(),
    };

    let params = b.params(page);
    let inferred = infer::result(page);
    b.review.extend(inferred.notes.iter().cloned());
    let page_result = inferred.shape.clone();
    let result = b.lift(inferred.shape);
    // Types were named bottom-up; the file reads better top-down (the result first).
    let types = top_down(b.types, &result, &params);
    let errors = errors(page, known);
    let examples = examples(page, stem, &errors);
    let mut errors = errors;
    if let Some(Example {
        error: Some(code),
        status,
        ..
    }) = examples.iter().find(|e| e.error.is_some())
        && !errors.iter().any(|e| e.code == *code)
        && !known.system_codes.contains(code)
    {
        errors.push(ErrorEntry {
            code: code.clone(),
            statuses: status.iter().copied().collect(),
            messages: Vec::new(),
            doc: None,
            rust_name: None,
            review: vec!["only in the page's error example, not in its error table".into()],
        });
    }

    if page.deprecated {
        b.review
            .push("the page marks the method deprecated; say so in `doc`".into());
    }
    let paging: Vec<&str> = page
        .params
        .iter()
        .map(|r| r.name.as_str())
        .filter(|n| {
            matches!(
                n.to_uppercase().as_str(),
                "LIMIT" | "OFFSET" | "LAST_ID" | "FIRST_ID"
            )
        })
        .chain(
            page.returned
                .iter()
                .map(|r| r.name.as_str())
                .filter(|n| matches!(*n, "total" | "next")),
        )
        .collect();
    let pagination = if paging.is_empty() {
        None
    } else {
        let drafted = crate::paging::draft(
            page,
            &params,
            &result,
            &types,
            &known.shared,
            &paging,
            &mut b.review,
        );
        drafted.map_err(|note| b.review.push(note)).ok()
    };

    let scope = match &page.scope {
        Some(s) if s == scope_name => Guessed::sure(s.clone()),
        Some(s) => Guessed::guess(
            s.clone(),
            format!("the page says scope `{s}`, the method name starts with `{scope_name}`"),
        ),
        None => Guessed::guess(
            scope_name.to_owned(),
            "guessed from the method name; the page has no `Scope:` line",
        ),
    };
    Draft {
        method: method.to_owned(),
        stem: stem.to_owned(),
        scope,
        summary: summary(page, method),
        doc: None,
        docs_url: match docs_url {
            Some(url) => Guessed::sure(url.to_owned()),
            None => Guessed::guess(
                guess_docs_url(method),
                "guessed from the method name; the page does not say where it is published",
            ),
        },
        read_only: guess_read_only(method),
        params,
        result,
        result_doc: inferred.doc,
        pagination,
        errors,
        types,
        examples,
        review: b.review,
        page_result,
    }
}

/// Orders types as a reader meets them: from the result down, then the parameters' types.
fn top_down(mut types: Vec<TypeDef>, result: &Shape, params: &[Param]) -> Vec<TypeDef> {
    fn visit(shape: &Shape, types: &mut Vec<TypeDef>, out: &mut Vec<TypeDef>) {
        match shape {
            Shape::Named(name) => {
                if let Some(pos) = types.iter().position(|t| t.name == *name) {
                    let def = types.remove(pos);
                    let children: Vec<Shape> = match &def.body {
                        TypeBody::Object(fields) => fields.iter().map(|f| f.ty.clone()).collect(),
                        TypeBody::Enum(_) => Vec::new(),
                    };
                    out.push(def);
                    for child in &children {
                        visit(child, types, out);
                    }
                }
            }
            Shape::List(inner)
            | Shape::CommaList(inner)
            | Shape::Map(_, inner)
            | Shape::Or(inner, _) => {
                visit(inner, types, out);
            }
            Shape::Scalar(_)
            | Shape::Object(_)
            | Shape::Enum(_)
            | Shape::Union
            | Shape::OneOf(_) => {}
        }
    }
    let mut out = Vec::new();
    visit(result, &mut types, &mut out);
    for p in params {
        visit(&p.ty, &mut types, &mut out);
    }
    out.extend(types);
    out
}

struct Builder<'k> {
    known: &'k Known,
    /// The method drafted (its own types in `known.local` are not "another method's").
    method: String,
    /// `DialogUsersList`: the prefix of every type this draft defines.
    prefix: String,
    types: Vec<TypeDef>,
    review: Vec<String>,
}

impl Builder<'_> {
    fn params(&mut self, page: &Page) -> Vec<Param> {
        let names: Vec<&str> = page.params.iter().map(|r| r.name.as_str()).collect();
        let mut params: Vec<Param> = page
            .params
            .iter()
            .map(|row| self.param(row, page, &names))
            .collect();
        let mut seen = BTreeSet::new();
        for p in &mut params {
            p.rust_name = rust_field_name(&p.name, &mut seen, &mut p.review);
        }
        params
    }

    fn param(&mut self, row: &Row, page: &Page, all: &[&str]) -> Param {
        let mut review = Vec::new();
        let ty = self.param_type(row, page, &mut review);
        let mut doc = row.desc.render();
        let mut required = row.required;
        let others: Vec<&str> = row
            .desc
            .codes()
            .filter(|c| *c != row.name && all.contains(c))
            .collect();
        let text = row.desc.flat().to_lowercase();
        let either = !others.is_empty()
            && (text.contains("required if")
                || text.contains("instead of")
                || text.contains("if not provided")
                || text.contains("is not provided"));
        if either && (required || text.contains("required if")) {
            required = false;
            let alternatives = others
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            doc = format!("Required unless {alternatives} is given.\n\n{doc}");
            review.push(format!(
                "one of `{}` or {alternatives} is required; the format cannot say so, so neither is required",
                row.name
            ));
        }
        let default = if required { None } else { default_of(row) };
        let integer = matches!(ty, Shape::Scalar("u64" | "u32" | "i64" | "i32"));
        let (min, max) = if integer {
            bounds(&row.desc.flat())
        } else {
            (None, None)
        };
        Param {
            name: row.name.clone(),
            ty,
            required,
            default,
            min,
            max,
            doc: Some(doc).filter(|d| !d.is_empty()),
            rust_name: None,
            review,
        }
    }

    /// Maps the row's type links to a parameter type.
    fn param_type(&mut self, row: &Row, page: &Page, review: &mut Vec<String>) -> Shape {
        let links: Vec<&str> = row.types.iter().map(|t| t.name.as_str()).collect();
        let desc = row.desc.flat().to_lowercase();
        let codes: Vec<&str> = row.desc.codes().collect();
        let yes_no = codes.contains(&"Y")
            && codes.contains(&"N")
            && codes.iter().all(|c| c.len() != 1 || *c == "Y" || *c == "N");
        let name_lower = row.name.to_lowercase().replace('_', "");
        if links.len() > 1 {
            review.push(format!(
                "the page allows {}; the draft sends the first form",
                links
                    .iter()
                    .map(|l| format!("`{l}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        }
        match links.first().copied().unwrap_or("") {
            "integer" => {
                if name_lower == "limit" || infer::is_count(&desc) {
                    Shape::Scalar("u32")
                } else {
                    Shape::Scalar("u64")
                }
            }
            "string" | "text" | "char" if name_lower == "dialogid" => Shape::Scalar("dialog_id"),
            "string" | "text" | "char" | "boolean" if yes_no => Shape::Scalar("yes_no"),
            "string" | "text" | "char" if is_comma_list(&desc) => {
                self.comma_list(row, &codes, review)
            }
            "string" | "text" | "char" => match infer::listed_values(&row.desc) {
                Some(values) => self.lift(Shape::Enum(crate::shape::EnumDef {
                    hint: row.name.clone(),
                    doc: None,
                    values,
                })),
                None => Shape::Scalar("string"),
            },
            "boolean" => Shape::Scalar("bool"),
            "datetime" => Shape::Scalar("datetime"),
            "date" => Shape::Scalar("date"),
            "double" => Shape::Scalar("f64"),
            "array" | "object[]" => {
                if mentions_ids(&desc) {
                    Shape::List(Box::new(Shape::Scalar("u64")))
                } else {
                    review.push(
                        "the page does not say what the array holds; drafted as strings".into(),
                    );
                    Shape::List(Box::new(Shape::Scalar("string")))
                }
            }
            "object" => match self.param_object(row, page) {
                Some(shape) => shape,
                None => self.shared_by_name(&row.name, review),
            },
            "file" => {
                review.push("a file parameter: the draft sends its content as a string".into());
                Shape::Scalar("string")
            }
            other => {
                review.push(format!(
                    "type `{}` is not one the importer knows; drafted as a string",
                    if other.is_empty() { "(none)" } else { other }
                ));
                Shape::Scalar("string")
            }
        }
    }

    /// "A list of types, separated by commas. For example: `bot, email`": a `comma_list`, of a
    /// shared enum when the example values are among its values.
    fn comma_list(&self, row: &Row, codes: &[&str], review: &mut Vec<String>) -> Shape {
        let values: BTreeSet<&str> = codes
            .iter()
            .filter(|c| **c != row.name)
            .flat_map(|c| c.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        let shared = (!values.is_empty())
            .then(|| {
                self.known.shared.iter().find(|s| {
                    !s.values.is_empty() && values.iter().all(|v| s.values.iter().any(|x| x == v))
                })
            })
            .flatten();
        match shared {
            Some(e) => {
                review.push(format!(
                    "a comma-separated list; its example values are values of `{}`",
                    e.name
                ));
                Shape::CommaList(Box::new(Shape::Named(e.name.clone())))
            }
            None => {
                review.push("a comma-separated list of strings; an enum may fit better".into());
                Shape::CommaList(Box::new(Shape::Scalar("string")))
            }
        }
    }

    /// An `object` parameter the page does not describe: the shared object type of the same
    /// name (`ATTACH` -> `Attach`, `KEYBOARD` -> `Keyboard`) if there is one, else `json`.
    fn shared_by_name(&self, name: &str, review: &mut Vec<String>) -> Shape {
        let wanted = names::variant(name);
        match self
            .known
            .shared
            .iter()
            .find(|s| s.name == wanted && !s.fields.is_empty())
        {
            Some(s) => {
                review.push(format!(
                    "the page does not describe the object; `{}` is the shared type of that name",
                    s.name
                ));
                Shape::Named(s.name.clone())
            }
            None => Shape::Scalar("json"),
        }
    }

    /// An object parameter described by its own table (`fields` of `im.v2.File.upload`).
    fn param_object(&mut self, row: &Row, page: &Page) -> Option<Shape> {
        let anchors: Vec<&str> = row.desc.anchors().collect();
        let table = page.param_tables.iter().find(|t| {
            t.anchor
                .as_deref()
                .is_some_and(|a| anchors.iter().any(|x| x.eq_ignore_ascii_case(a)))
        })?;
        let mut fields = Vec::new();
        for r in &table.rows {
            let mut review = Vec::new();
            let shape = self.param_type(r, page, &mut review);
            fields.push(Field {
                wire: r.name.clone(),
                shape,
                required: r.required,
                doc: Some(r.desc.render()).filter(|d| !d.is_empty()),
                review,
            });
        }
        let object = Object {
            hint: row.name.clone(),
            doc: Some(row.desc.render()).filter(|d| !d.is_empty()),
            fields,
            sparse: Vec::new(),
            request: true,
        };
        Some(self.lift(Shape::Object(object)))
    }

    /// Turns inline objects and enums into named types (reusing shared ones), bottom-up.
    fn lift(&mut self, shape: Shape) -> Shape {
        match shape {
            Shape::Object(o) => self.lift_object(o),
            Shape::Enum(e) => {
                let values: BTreeSet<&str> = e.values.iter().map(|(v, _)| v.as_str()).collect();
                // A shared enum that knows every listed value (it may know more: enums are open).
                if let Some(shared) = self.known.shared.iter().find(|s| {
                    values.len() >= 2
                        && values.is_subset(
                            &s.values.iter().map(String::as_str).collect::<BTreeSet<_>>(),
                        )
                }) {
                    return Shape::Named(shared.name.clone());
                }
                let name = self.type_name(&e.hint);
                let mut seen = BTreeSet::new();
                let values = e
                    .values
                    .into_iter()
                    .map(|(v, d)| {
                        let variant = names::variant(&v);
                        let rust = if variant.is_empty()
                            || names::ident_problem(&variant).is_some()
                            || names::ENUM_FALLBACK_VARIANTS.contains(&variant.as_str())
                            || !seen.insert(variant.clone())
                        {
                            Some(format!("V{}", seen.len()))
                        } else {
                            None
                        };
                        (v, d, rust)
                    })
                    .collect();
                self.types.push(TypeDef {
                    name: name.clone(),
                    doc: e.doc,
                    body: TypeBody::Enum(values),
                    review: Vec::new(),
                });
                Shape::Named(name)
            }
            Shape::List(inner) => Shape::List(Box::new(self.lift(*inner))),
            Shape::CommaList(inner) => Shape::CommaList(Box::new(self.lift(*inner))),
            Shape::Map(k, inner) => Shape::Map(k, Box::new(self.lift(*inner))),
            Shape::Or(inner, absent) => Shape::Or(Box::new(self.lift(*inner)), absent),
            other @ (Shape::Scalar(_) | Shape::Named(_) | Shape::Union | Shape::OneOf(_)) => other,
        }
    }

    fn lift_object(&mut self, o: Object) -> Shape {
        let wires: BTreeSet<&str> = o.fields.iter().map(|f| f.wire.as_str()).collect();
        let shareable = self
            .shareable(&wires)
            .map(|(other, method)| {
                format!(
                    "the same object as `{other}` of `{method}`: move `{other}` to `_types.yaml` and use it here instead"
                )
            });
        if let Some((shared, missing)) = self.reusable(&wires) {
            let strict: Vec<&String> = self
                .known
                .shared
                .iter()
                .find(|s| s.name == shared)
                .map(|s| {
                    s.required
                        .iter()
                        .filter(|r| o.sparse.contains(r) || !wires.contains(r.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            if !strict.is_empty() {
                self.review.push(format!(
                    "{}: reuses `{shared}`, which requires {}, but the page does not always send it: make it optional in `{shared}`, or the example does not decode",
                    o.hint,
                    strict.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            if !missing.is_empty() {
                self.review.push(format!(
                    "{}: reuses `{shared}`, which lacks {} from the page; add them to `{shared}` if the server sends them",
                    o.hint,
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            return Shape::Named(shared);
        }
        let mut seen = BTreeSet::new();
        let mut fields = Vec::new();
        for f in o.fields {
            let mut review = f.review;
            let rust_name = rust_field_name(&f.wire, &mut seen, &mut review);
            let ty = self.lift(f.shape);
            let presence = presence(&f.wire, &ty, f.required, o.request, &mut review);
            fields.push(TypeField {
                ty,
                name: f.wire,
                presence,
                doc: f.doc,
                rust_name,
                review,
            });
        }
        // The same object twice in one page (a chat in two places) is one type: same field
        // names, and the types agree wherever neither side is `json` (unknown).
        let same = |theirs: &[TypeField]| {
            theirs.len() == fields.len()
                && theirs.iter().zip(&fields).all(|(a, b)| {
                    a.name == b.name && (a.ty == b.ty || is_vague(&a.ty) || is_vague(&b.ty))
                })
        };
        if let Some(existing) = self
            .types
            .iter_mut()
            .find(|t| matches!(&t.body, TypeBody::Object(f) if same(f)))
        {
            if let TypeBody::Object(theirs) = &mut existing.body {
                for (a, b) in theirs.iter_mut().zip(fields) {
                    if is_vague(&a.ty) && !is_vague(&b.ty) {
                        a.ty = b.ty;
                    }
                }
            }
            return Shape::Named(existing.name.clone());
        }
        let name = self.type_name(&o.hint);
        let review = shareable.into_iter().collect();
        self.types.push(TypeDef {
            name: name.clone(),
            doc: o.doc,
            body: TypeBody::Object(fields),
            review,
        });
        Shape::Named(name)
    }

    /// A shared object type whose fields match these, and the fields it lacks.
    fn reusable(&self, wires: &BTreeSet<&str>) -> Option<(String, Vec<String>)> {
        best_match(wires, self.known.shared.iter())
            .map(|(shared, missing)| (shared.name.clone(), missing))
    }

    /// Another method's own object type with these fields: worth sharing.
    fn shareable(&self, wires: &BTreeSet<&str>) -> Option<(&str, &str)> {
        let others: Vec<&(String, SharedType)> = self
            .known
            .local
            .iter()
            .filter(|(method, _)| *method != self.method)
            .collect();
        let (found, _) = best_match(wires, others.iter().map(|(_, t)| t))?;
        others
            .iter()
            .find(|(_, t)| t.name == found.name)
            .map(|(m, t)| (t.name.as_str(), m.as_str()))
    }

    /// `DialogMessagesGet` + `message` -> `DialogMessagesGetMessage`, unique in the scope.
    fn type_name(&self, hint: &str) -> String {
        let word = names::variant(hint);
        let word = if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
            format!("Item{word}")
        } else {
            word
        };
        let mut base = format!("{}{word}", self.prefix);
        // `XRequest` and `XErrorCode` are names the generator gives to every method.
        if base.ends_with("Request") || base.ends_with("ErrorCode") {
            base.push_str("Data");
        }
        if !names::is_pascal(&base) {
            base = base.chars().filter(char::is_ascii_alphanumeric).collect();
        }
        let own = [
            names::request_type(&self.prefix),
            names::error_type(&self.prefix),
        ];
        let taken = |n: &str| {
            self.known.taken.contains(n)
                || own.iter().any(|o| o == n)
                || self.types.iter().any(|t| t.name == n)
        };
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base}{i}"))
            .find(|n| !taken(n))
            .unwrap_or(base)
    }
}

impl TypeField {
    /// Decoding (or `new(..)`) needs it: an identity or a required field.
    pub fn is_required(&self) -> bool {
        matches!(self.presence, Presence::Identity | Presence::Required(_))
    }
}

/// What a missing key of a field means, by the tolerance policy of `spec/README.md`:
///
/// - a received object's identity (`id`, `ID`, `eventId` in an event: `must` is set by the
///   inference only for those, and only when every example entry has it) is `identity` when it
///   is an integer or a string;
/// - `required` is for request-side objects only (the page's `*`), with the page as the reason
///   and a note asking for the server's;
/// - a list, map or flag is guessed `empty` (no files, no counters, not set), with a note;
/// - anything else is unknown (an `Option`).
fn presence(
    wire: &str,
    ty: &Shape,
    must: bool,
    request: bool,
    review: &mut Vec<String>,
) -> Presence {
    if request {
        if !must {
            return Presence::Unknown;
        }
        if has_default(ty) {
            review.push(
                "the page marks it required: say in `required_because` what the server does without it"
                    .into(),
            );
            return Presence::Required("the reference page marks it required".into());
        }
        review.push(format!(
            "the page marks it required, but a `{}` has no default value, so it cannot be `required`: left optional",
            crate::writer::type_expr(ty)
        ));
        return Presence::Unknown;
    }
    if must {
        if matches!(ty, Shape::Scalar(s) if is_identity_type(s)) {
            return Presence::Identity;
        }
        review.push(format!(
            "`{wire}` looks like the object's identity, but an identity is an integer or a string, not `{}`: left optional",
            crate::writer::type_expr(ty)
        ));
        return Presence::Unknown;
    }
    let empty = match ty {
        Shape::List(_) | Shape::CommaList(_) => Some("no entries (`[]`)"),
        Shape::Map(..) => Some("no entries (`{}`)"),
        Shape::Scalar("bool" | "yes_no") => Some("`false`"),
        _ => None,
    };
    match empty {
        Some(what) => {
            review.push(format!(
                "guessed `when_absent: empty`: a missing key reads as {what}; make it unknown (drop the key) if an older server simply does not send it"
            ));
            Presence::Empty
        }
        None => Presence::Unknown,
    }
}

/// Types an identity may have: integers and strings.
fn is_identity_type(scalar: &str) -> bool {
    matches!(scalar, "string" | "u64" | "u32" | "i64" | "i32")
}

/// Whether a value of the type has a default (what a `required` field needs).
fn has_default(ty: &Shape) -> bool {
    match ty {
        Shape::Scalar(s) => !matches!(*s, "datetime" | "date" | "day_month" | "dialog_id"),
        Shape::Named(_) | Shape::Object(_) => true,
        Shape::List(_) | Shape::CommaList(_) | Shape::Map(..) | Shape::Or(..) => true,
        Shape::Enum(_) | Shape::Union | Shape::OneOf(_) => false,
    }
}

/// The object type whose fields best match `wires`, and the fields of `wires` it lacks. A match
/// has at least three fields in common, covers three quarters of `wires` and half of its own
/// fields: a page often lists only some fields of an object the spec knows in full (a user in
/// `im.recent.get` has 19 of `DialogUser`'s 29), and an object with a few more fields than the
/// known type is still that type.
fn best_match<'t>(
    wires: &BTreeSet<&str>,
    candidates: impl Iterator<Item = &'t SharedType>,
) -> Option<(&'t SharedType, Vec<String>)> {
    let mut best: Option<(f64, &SharedType, Vec<String>)> = None;
    for candidate in candidates {
        if candidate.fields.is_empty() {
            continue;
        }
        let theirs: BTreeSet<&str> = candidate.fields.iter().map(String::as_str).collect();
        let common = wires.intersection(&theirs).count();
        let union = wires.union(&theirs).count();
        #[allow(clippy::cast_precision_loss)]
        let (score, covers, covered) = (
            common as f64 / union.max(1) as f64,
            common as f64 / wires.len().max(1) as f64,
            common as f64 / theirs.len() as f64,
        );
        if common >= 3
            && covers >= 0.75
            && covered >= 0.5
            && best.as_ref().is_none_or(|(s, _, _)| score > *s)
        {
            let missing = wires.difference(&theirs).map(|s| (*s).to_owned()).collect();
            best = Some((score, candidate, missing));
        }
    }
    best.map(|(_, t, missing)| (t, missing))
}

/// A description that says the value is several items in one string.
fn is_comma_list(lower_desc: &str) -> bool {
    ["separated by comma", "comma-separated", "comma separated"]
        .iter()
        .any(|cue| lower_desc.contains(cue))
}

/// `json` or a list of `json`: what the page could not tell.
fn is_vague(shape: &Shape) -> bool {
    match shape.present() {
        Shape::Scalar("json") => true,
        Shape::List(inner) => matches!(inner.as_ref(), Shape::Scalar("json")),
        _ => false,
    }
}

/// A `rust_name` for a wire name whose derived field name would not do: a Rust keyword (`type`
/// becomes `kind`), a setter that would shadow a generated method (`default`), a name that is
/// not an identifier, or two wire names that derive to the same field. The generator's naming
/// authority decides both the derived name and what is wrong with it.
fn rust_field_name(
    wire: &str,
    seen: &mut BTreeSet<String>,
    review: &mut Vec<String>,
) -> Option<String> {
    let derived = names::field(wire);
    let rust = names::field_fallback(wire);
    // `type` -> `kind` is the spec's settled convention; other renames are worth a look.
    if let (Some(rust), Some(problem)) = (&rust, names::field_problem(&derived))
        && derived != "type"
    {
        review.push(format!(
            "`{wire}` would become the Rust field `{derived}`, but {problem}; named `{rust}`"
        ));
    }
    let chosen = rust.clone().unwrap_or_else(|| derived.clone());
    if !seen.insert(chosen.clone()) {
        let alt = (2..)
            .map(|i| format!("{chosen}_{i}"))
            .find(|n| !seen.contains(n) && names::field_problem(n).is_none())
            .unwrap_or_else(|| format!("{chosen}_x"));
        seen.insert(alt.clone());
        review.push(format!(
            "another field is also `{chosen}` in Rust; this one is `{alt}`"
        ));
        return Some(alt);
    }
    rust
}

/// "Default: `50`", "default is `N`", "If the parameter is not provided, `10` is used".
fn default_of(row: &Row) -> Option<String> {
    let spans = &row.desc.spans;
    for (i, span) in spans.iter().enumerate() {
        let Span::Text(text) = span else { continue };
        let lower = text.to_lowercase();
        let cue = lower
            .rfind("default")
            .or_else(|| lower.rfind("not provided"));
        let Some(at) = cue else { continue };
        // The value must follow in the same sentence.
        if lower.get(at..).is_some_and(|rest| rest.contains(". ")) {
            continue;
        }
        if let Some(Span::Code(value)) = spans.get(i + 1) {
            return Some(value.clone());
        }
    }
    None
}

/// Bounds stated in a description: "Maximum value: `200`", "maximum 50", "(1–1000)",
/// "The minimum value is `1`".
fn bounds(flat: &str) -> (Option<i64>, Option<i64>) {
    let words: Vec<String> = flat
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '`' | ',' | '.' | ';' | ':' | '(' | ')'))
                .to_lowercase()
        })
        .collect();
    let number_after = |i: usize| -> Option<i64> {
        words
            .iter()
            .skip(i + 1)
            .take(4)
            .find_map(|w| w.parse::<i64>().ok())
    };
    let mut min = None;
    let mut max = None;
    for (i, w) in words.iter().enumerate() {
        match w.as_str() {
            "maximum" | "max" => max = max.or_else(|| number_after(i)),
            "minimum" | "min" => min = min.or_else(|| number_after(i)),
            _ => {
                for dash in ['–', '-', '…'] {
                    if let Some((a, b)) = w.split_once(dash)
                        && let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>())
                        && a < b
                    {
                        min = min.or(Some(a));
                        max = max.or(Some(b));
                    }
                }
            }
        }
    }
    (min, max)
}

fn errors(page: &Page, known: &Known) -> Vec<ErrorEntry> {
    let mut out: Vec<ErrorEntry> = Vec::new();
    for row in &page.errors {
        let entry = match out.iter().position(|e| e.code == row.code) {
            Some(i) => out.get_mut(i),
            None => {
                out.push(ErrorEntry {
                    code: row.code.clone(),
                    statuses: Vec::new(),
                    messages: Vec::new(),
                    doc: None,
                    rust_name: None,
                    review: Vec::new(),
                });
                out.last_mut()
            }
        };
        let Some(entry) = entry else { continue };
        if let Some(status) = row.status
            && !entry.statuses.contains(&status)
        {
            entry.statuses.push(status);
        }
        if !row.message.is_empty() && !entry.messages.contains(&row.message) {
            entry.messages.push(row.message.clone());
        }
        if !row.meaning.is_empty() {
            entry.doc = Some(match entry.doc.take() {
                Some(d) if d != row.meaning => format!("{d} / {}", row.meaning),
                Some(d) => d,
                None => row.meaning.clone(),
            });
        }
    }
    let mut variants = BTreeSet::new();
    for e in &mut out {
        if e.statuses.is_empty() {
            e.statuses = status_guess(&e.code, &page.error_statuses, &mut e.review);
        }
        if known.system_codes.contains(&e.code) {
            e.review
                .push("also a system error: keep it here only if this method means something of its own by it".into());
        }
        let variant = names::variant(&e.code);
        if names::ERROR_FALLBACK_VARIANTS.contains(&variant.as_str())
            || variant.is_empty()
            || names::ident_problem(&variant).is_some()
            || !variants.insert(variant.clone())
        {
            let alt = format!("Code{}{}", variant, variants.len());
            e.review
                .push(format!("its Rust variant would clash; named `{alt}`"));
            variants.insert(alt.clone());
            e.rust_name = Some(alt);
        }
    }
    out
}

/// The status of a code when the table has no status column: the section's `HTTP Status:`
/// line, narrowed by what the code says when the line lists several.
fn status_guess(code: &str, section: &[u16], review: &mut Vec<String>) -> Vec<u16> {
    match section {
        [] => {
            review.push("the page gives no HTTP status; 400 is a guess".into());
            vec![400]
        }
        [one] => vec![*one],
        several => {
            let upper = code.to_uppercase();
            let wanted = if upper.contains("ACCESS")
                || upper.contains("DENIED")
                || upper.contains("PERMISSION")
            {
                403
            } else if upper.contains("NOT_FOUND") {
                404
            } else {
                400
            };
            let pick = if several.contains(&wanted) {
                wanted
            } else {
                several.first().copied().unwrap_or(400)
            };
            review.push(format!(
                "the page lists HTTP {} for the whole table; {pick} is a guess from the code",
                several
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            vec![pick]
        }
    }
}

fn examples(page: &Page, stem: &str, errors: &[ErrorEntry]) -> Vec<Example> {
    let mut out = Vec::new();
    if let Some(first) = page.responses.first() {
        out.push(Example {
            file: format!("examples/{stem}.json"),
            body: with_newline(&first.text),
            status: None,
            error: None,
            doc: "The documented example response.".into(),
        });
    }
    if let Some(first) = page.error_examples.first() {
        let code = match first.json.get("error") {
            Some(crate::json::Json::String(c)) => c.clone(),
            _ => String::new(),
        };
        let status = errors
            .iter()
            .find(|e| e.code == code)
            .and_then(|e| e.statuses.first().copied())
            .or_else(|| page.error_statuses.first().copied());
        out.push(Example {
            file: format!("examples/{stem}.error.json"),
            body: with_newline(&first.text),
            status: Some(status.unwrap_or(400)),
            error: Some(code),
            doc: "The documented error response.".into(),
        });
    }
    out
}

fn with_newline(text: &str) -> String {
    let mut t = text.trim_end().to_owned();
    t.push('\n');
    t
}

/// One line from the page's first paragraph: "The method `x` returns ..." -> "Returns ...".
fn summary(page: &Page, method: &str) -> Guessed<String> {
    let Some(intro) = &page.intro else {
        return Guessed::guess(
            page.title.trim_end_matches(method).trim().to_owned() + ".",
            "from the page title; the page has no introduction",
        );
    };
    let flat = intro.flat();
    let mut text = flat.as_str();
    for lead in [
        format!("The method `{method}` "),
        format!("Method `{method}` "),
        format!("The `{method}` method "),
        format!("`{method}` "),
        "This method ".to_owned(),
    ] {
        if let Some(rest) = text.strip_prefix(lead.as_str()) {
            text = rest;
            break;
        }
    }
    let sentence = match text.find(". ") {
        Some(end) => text.get(..=end).unwrap_or(text),
        None => text,
    };
    let mut chars = sentence.trim().chars();
    let mut line: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !line.ends_with('.') {
        line.push('.');
    }
    Guessed::guess(line, "the page's first sentence; say it in your own words")
}

fn guess_docs_url(method: &str) -> String {
    let slug = method
        .split('.')
        .map(|s| s.to_kebab_case())
        .collect::<Vec<_>>()
        .join("-");
    format!("https://apidocs.bitrix24.com/api-reference/chats/{slug}.html")
}

fn guess_read_only(method: &str) -> Guessed<bool> {
    let verb = method.rsplit('.').next().unwrap_or("");
    let lower = verb.to_lowercase();
    let reads = matches!(lower.as_str(), "get" | "list" | "search" | "download")
        || lower.starts_with("get");
    Guessed::guess(
        reads,
        format!(
            "guessed from the verb `{verb}`: {}",
            if reads {
                "confirm the call changes nothing, so clients may repeat it"
            } else {
                "it looks like a write"
            }
        ),
    )
}

/// The draft's types (and the shared ones) as shapes, for flattening.
#[allow(missing_debug_implementations)]
pub struct DraftTypes<'a> {
    pub draft: &'a Draft,
    pub shared: &'a dyn Types,
}

impl Types for DraftTypes<'_> {
    fn shape(&self, name: &str) -> Option<Shape> {
        let Some(def) = self.draft.types.iter().find(|t| t.name == name) else {
            return self.shared.shape(name);
        };
        Some(match &def.body {
            TypeBody::Object(fields) => Shape::Object(Object {
                hint: def.name.clone(),
                doc: def.doc.clone(),
                fields: fields
                    .iter()
                    .map(|f| Field {
                        wire: f.name.clone(),
                        shape: f.ty.clone(),
                        required: f.is_required(),
                        doc: f.doc.clone(),
                        review: Vec::new(),
                    })
                    .collect(),
                sparse: Vec::new(),
                request: false,
            }),
            TypeBody::Enum(values) => Shape::Enum(crate::shape::EnumDef {
                hint: def.name.clone(),
                doc: def.doc.clone(),
                values: values
                    .iter()
                    .map(|(v, d, _)| (v.clone(), d.clone()))
                    .collect(),
            }),
        })
    }
}
