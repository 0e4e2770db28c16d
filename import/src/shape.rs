//! Shapes: a type as the page describes it (nested objects inline, not yet named), and the
//! flat view (`result.users[].id: u64`) that drafts, pages and curated specs are compared in.

use std::collections::BTreeSet;

use b24_codegen::ir;

/// The wire value that means "no value" (`T|null`, `T|false`, `T|""`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Absent {
    Null,
    False,
    Empty,
    /// `{}` where a scalar belongs.
    EmptyObject,
}

impl Absent {
    /// How a type expression spells it.
    pub fn spelling(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::False => "false",
            Self::Empty => "\"\"",
            Self::EmptyObject => "{}",
        }
    }
}

/// A type.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A builtin of the spec format (`u64`, `string`, `yes_no`, `json`, ...).
    Scalar(&'static str),
    /// An object with its fields.
    Object(Object),
    /// A reference to a named type that already exists (a shared type, or a draft type).
    Named(String),
    /// An open enum of string values.
    Enum(EnumDef),
    /// A one-key union (only read from curated specs).
    Union,
    /// A value sent in several shapes (a curated `one_of` type): any of them.
    OneOf(Vec<Shape>),
    List(Box<Shape>),
    CommaList(Box<Shape>),
    /// An object keyed by a builtin (`u64` or `string`).
    Map(&'static str, Box<Shape>),
    /// The value, or the wire value that means "no value".
    Or(Box<Shape>, Absent),
}

/// An object type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    /// What to call it (the field it came from, singular), before naming.
    pub hint: String,
    /// Documentation.
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    /// Fields the example leaves out of at least one entry (servers that do not send them).
    pub sparse: Vec<String>,
    /// Sent in requests (a parameter's object): its `required` fields are request-side.
    pub request: bool,
}

/// A field of an object (or a request parameter object).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire: String,
    pub shape: Shape,
    pub required: bool,
    pub doc: Option<String>,
    /// What the importer could not decide about this field.
    pub review: Vec<String>,
}

/// An open enum.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EnumDef {
    pub hint: String,
    pub doc: Option<String>,
    /// Value and its documentation.
    pub values: Vec<(String, String)>,
}

impl Shape {
    /// The same shape with "no value" spelled `absent` (unless it already has a spelling).
    pub fn or(self, absent: Absent) -> Self {
        match self {
            Self::Or(..) => self,
            // `json|null` still matters: `null` is then written back as `null`, not dropped.
            other => Self::Or(Box::new(other), absent),
        }
    }

    /// The shape without its absent form.
    pub fn present(&self) -> &Shape {
        match self {
            Self::Or(inner, _) => inner,
            other => other,
        }
    }
}

/// One entry of the flat view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flat {
    /// `result`, `result[].id`, `result.users{}.phones.work_phone`, `fields.name`.
    pub path: String,
    /// The canonical type (`u64`, `list<object>`, `datetime|false`, `object`, `enum`).
    pub ty: String,
    pub required: bool,
    /// For a `one_of` value: the canonical type of each of its shapes (`ty` spells them all).
    pub alternatives: Vec<String>,
}

impl Flat {
    /// The types this entry may have: its shapes when it is a `one_of`, else its type.
    pub fn types(&self) -> Vec<&str> {
        if self.alternatives.is_empty() {
            vec![self.ty.as_str()]
        } else {
            self.alternatives.iter().map(String::as_str).collect()
        }
    }
}

/// Looks up named types while flattening.
pub trait Types {
    /// The shape of a named type.
    fn shape(&self, name: &str) -> Option<Shape>;
}

/// How deep the flat view goes (named types can be recursive).
const MAX_DEPTH: usize = 8;

/// Flattens a shape under `path`.
pub fn flatten(shape: &Shape, path: &str, required: bool, types: &dyn Types, out: &mut Vec<Flat>) {
    let mut seen = BTreeSet::new();
    walk(shape, path, required, types, out, &mut seen, 0);
}

fn walk(
    shape: &Shape,
    path: &str,
    required: bool,
    types: &dyn Types,
    out: &mut Vec<Flat>,
    seen: &mut BTreeSet<String>,
    depth: usize,
) {
    out.push(Flat {
        path: path.to_owned(),
        ty: canonical(shape, types),
        required,
        alternatives: match one_of(shape, types) {
            Some((alts, absent)) => alts
                .iter()
                .map(|a| {
                    let c = canonical(a, types);
                    match absent {
                        Some(absent) => format!("{c}|{}", absent.spelling()),
                        None => c,
                    }
                })
                .collect(),
            None => Vec::new(),
        },
    });
    if depth > MAX_DEPTH {
        return;
    }
    children(shape, path, types, out, seen, depth);
}

fn children(
    shape: &Shape,
    path: &str,
    types: &dyn Types,
    out: &mut Vec<Flat>,
    seen: &mut BTreeSet<String>,
    depth: usize,
) {
    match shape {
        Shape::Object(o) => {
            for f in &o.fields {
                walk(
                    &f.shape,
                    &format!("{path}.{}", f.wire),
                    f.required,
                    types,
                    out,
                    seen,
                    depth + 1,
                );
            }
        }
        Shape::Named(name) => {
            if seen.insert(name.clone()) {
                if let Some(resolved) = types.shape(name) {
                    children(&resolved, path, types, out, seen, depth);
                }
                seen.remove(name);
            }
        }
        Shape::List(inner) => children(inner, &format!("{path}[]"), types, out, seen, depth),
        Shape::Map(_, inner) => children(inner, &format!("{path}{{}}"), types, out, seen, depth),
        Shape::Or(inner, _) => children(inner, path, types, out, seen, depth),
        // Every shape's fields live at the same path: `result.ID` of `{"ID": 10}` next to `10`.
        Shape::OneOf(alts) => {
            for alt in alts {
                children(alt, path, types, out, seen, depth);
            }
        }
        Shape::Scalar(_) | Shape::Enum(_) | Shape::Union | Shape::CommaList(_) => {}
    }
}

/// The shapes of a `one_of` value (directly or through its name), and its absent form.
fn one_of(shape: &Shape, types: &dyn Types) -> Option<(Vec<Shape>, Option<Absent>)> {
    match shape {
        Shape::OneOf(alts) => Some((alts.clone(), None)),
        Shape::Named(name) => match types.shape(name) {
            Some(Shape::OneOf(alts)) => Some((alts, None)),
            _ => None,
        },
        Shape::Or(inner, absent) => one_of(inner, types).map(|(alts, _)| (alts, Some(*absent))),
        _ => None,
    }
}

/// The canonical spelling of a shape's own type (objects are `object`, whatever their name).
pub fn canonical(shape: &Shape, types: &dyn Types) -> String {
    match shape {
        Shape::Scalar(s) => (*s).to_owned(),
        Shape::Object(_) => "object".into(),
        Shape::Enum(_) => "enum".into(),
        Shape::Union => "union".into(),
        Shape::OneOf(alts) => format!(
            "one_of<{}>",
            alts.iter()
                .map(|a| canonical(a, types))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Shape::Named(name) => match types.shape(name) {
            Some(Shape::Enum(_)) => "enum".into(),
            Some(Shape::Union) => "union".into(),
            Some(alts @ Shape::OneOf(_)) => canonical(&alts, types),
            _ => "object".into(),
        },
        Shape::List(inner) => format!("list<{}>", canonical(inner, types)),
        Shape::CommaList(inner) => format!("comma_list<{}>", canonical(inner, types)),
        Shape::Map(key, inner) => format!("map<{key}, {}>", canonical(inner, types)),
        Shape::Or(inner, absent) => format!("{}|{}", canonical(inner, types), absent.spelling()),
    }
}

/// The named types of a checked spec, as shapes.
#[derive(Debug, Clone, Copy)]
pub struct IrTypes<'a> {
    /// Types of the scope (shared) and, first, of the method being looked at.
    pub lists: [&'a [ir::TypeDef]; 2],
}

impl Types for IrTypes<'_> {
    fn shape(&self, name: &str) -> Option<Shape> {
        let def = self
            .lists
            .iter()
            .flat_map(|l| l.iter())
            .find(|t| t.name == name)?;
        Some(match &def.kind {
            ir::TypeKind::Object(fields) => Shape::Object(Object {
                hint: def.name.clone(),
                doc: def.doc.clone(),
                fields: fields
                    .iter()
                    .map(|f| Field {
                        wire: f.wire.clone(),
                        shape: from_ir(&f.ty),
                        required: f.is_required(),
                        doc: f.doc.clone(),
                        review: Vec::new(),
                    })
                    .collect(),
                sparse: Vec::new(),
                request: false,
            }),
            ir::TypeKind::Enum(values) => Shape::Enum(EnumDef {
                hint: def.name.clone(),
                doc: def.doc.clone(),
                values: values
                    .iter()
                    .map(|v| (v.wire.clone(), v.doc.clone().unwrap_or_default()))
                    .collect(),
            }),
            ir::TypeKind::Union(_) => Shape::Union,
            ir::TypeKind::OneOf(shapes) => {
                Shape::OneOf(shapes.iter().map(|s| from_ir(&s.ty)).collect())
            }
        })
    }
}

/// A resolved spec type as a shape (named types stay references).
pub fn from_ir(ty: &ir::Ty) -> Shape {
    match ty {
        ir::Ty::Builtin(b) => Shape::Scalar(builtin_name(*b)),
        ir::Ty::Named { name, .. } => Shape::Named(name.clone()),
        ir::Ty::List(inner) => Shape::List(Box::new(from_ir(inner))),
        ir::Ty::CommaList(inner) => Shape::CommaList(Box::new(from_ir(inner))),
        ir::Ty::Map(key, value) => {
            let key = match key.as_ref() {
                ir::Ty::Builtin(b) => builtin_name(*b),
                _ => "string",
            };
            Shape::Map(key, Box::new(from_ir(value)))
        }
        ir::Ty::Optional(inner, ir::Absence::Missing) => from_ir(inner),
        ir::Ty::Optional(inner, ir::Absence::Form(form)) => {
            let absent = match form {
                ir::AbsentForm::Null => Absent::Null,
                ir::AbsentForm::False => Absent::False,
                ir::AbsentForm::EmptyStr => Absent::Empty,
                ir::AbsentForm::EmptyObject => Absent::EmptyObject,
            };
            Shape::Or(Box::new(from_ir(inner)), absent)
        }
    }
}

fn builtin_name(b: ir::Builtin) -> &'static str {
    ir::Builtin::ALL
        .iter()
        .find(|(_, x)| *x == b)
        .map_or("json", |(n, _)| *n)
}
