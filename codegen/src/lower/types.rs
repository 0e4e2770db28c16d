//! Named types: objects (fields), open enums (values), one-key unions (variants) and values
//! of several shapes (one_of), with the tolerance policy of object fields.

use super::resolve::Resolver;
use super::{Lowerer, Names, TypeEntry};
use crate::de;
use crate::ir::{self, Absence, Builtin, JsonKind, NamedKind, Presence, Ty};
use crate::names;
use crate::raw;
use crate::source::FileId;

impl Lowerer<'_> {
    pub(super) fn type_kind(&mut self, file: FileId, def: &raw::TypeDef) -> Option<NamedKind> {
        let present: Vec<(NamedKind, &str)> = [
            (def.fields.is_some(), NamedKind::Object, "fields"),
            (def.values.is_some(), NamedKind::Enum, "values"),
            (def.variants.is_some(), NamedKind::Union, "variants"),
            (def.one_of.is_some(), NamedKind::OneOf, "one_of"),
        ]
        .into_iter()
        .filter(|(p, _, _)| *p)
        .map(|(_, k, n)| (k, n))
        .collect();
        match present.as_slice() {
            [(kind, _)] => Some(*kind),
            [] => {
                self.error(
                    file,
                    def.name.span.clone(),
                    format!(
                        "type `{}` has no `fields`, `values`, `variants` or `one_of`",
                        def.name.value
                    ),
                    "",
                )
                .help = Some(
                    "an object has `fields`, an open enum `values`, a one-key union `variants`, a value of several shapes `one_of`"
                        .into(),
                );
                None
            }
            _ => {
                let keys: Vec<&str> = present.iter().map(|(_, n)| *n).collect();
                self.error(file, def.name.span.clone(), format!("type `{}` has both {}", def.name.value, keys.join(" and ")), "")
                    .help = Some("a type is exactly one of: an object (`fields`), an enum (`values`), a union (`variants`), several shapes (`one_of`)".into());
                None
            }
        }
    }

    pub(super) fn lower_type(
        &mut self,
        resolver: &Resolver<'_, '_>,
        name: &str,
        entry: &TypeEntry<'_>,
    ) -> Option<ir::TypeDef> {
        let file = entry.file;
        let def = entry.def;
        let kind = match entry.kind {
            NamedKind::Object => {
                let fields = def.fields.as_ref()?;
                ir::TypeKind::Object(self.lower_fields(resolver, file, name, &fields.value))
            }
            NamedKind::Enum => {
                let values = def.values.as_ref()?;
                let mut seen = Names::default();
                let mut variants = Names::default();
                let mut out = Vec::new();
                for v in values.value.iter().filter_map(|v| v.0.as_ref()) {
                    if !self.unique_wire(file, &mut seen, &v.value, "value", name) {
                        continue;
                    }
                    let Some(variant) = self.variant_name(
                        file,
                        &v.value,
                        v.rust_name.as_ref(),
                        names::ENUM_FALLBACK_VARIANTS,
                    ) else {
                        continue;
                    };
                    if !self.unique_rust(
                        file,
                        &mut variants,
                        &variant,
                        &v.value,
                        "values",
                        "variant",
                    ) {
                        continue;
                    }
                    out.push(ir::EnumValue {
                        wire: v.value.value.clone(),
                        variant: variant.value,
                        doc: v.doc.clone(),
                    });
                }
                if out.is_empty() {
                    self.error(
                        file,
                        values.span.clone(),
                        format!("enum `{name}` lists no values"),
                        "",
                    )
                    .help = Some("list the values the server is known to send".into());
                }
                ir::TypeKind::Enum(out)
            }
            NamedKind::Union => {
                let variants = def.variants.as_ref()?;
                let mut seen = Names::default();
                let mut rust = Names::default();
                let mut out = Vec::new();
                for v in variants.value.iter().filter_map(|v| v.0.as_ref()) {
                    if !self.unique_wire(file, &mut seen, &v.name, "variant", name) {
                        continue;
                    }
                    let Some(variant) = self.variant_name(file, &v.name, v.rust_name.as_ref(), &[])
                    else {
                        continue;
                    };
                    if !self.unique_rust(file, &mut rust, &variant, &v.name, "variants", "variant")
                    {
                        continue;
                    }
                    let Some(ty) = resolver.resolve(self, file, &v.ty) else {
                        continue;
                    };
                    out.push(ir::Variant {
                        wire: v.name.value.clone(),
                        rust: variant.value,
                        ty,
                        doc: v.doc.clone(),
                    });
                }
                ir::TypeKind::Union(out)
            }
            NamedKind::OneOf => {
                let shapes = def.one_of.as_ref()?;
                ir::TypeKind::OneOf(self.lower_shapes(resolver, file, name, shapes)?)
            }
        };
        let sparse = match &def.sparse {
            Some(flag) if flag.value && !matches!(kind, ir::TypeKind::Object(_)) => {
                self.error(
                    file,
                    flag.span.clone(),
                    format!("`sparse` on `{name}`, which is not an object"),
                    "",
                )
                .help = Some(
                    "`sparse` says which members of an object are sent; leave it out here".into(),
                );
                false
            }
            Some(flag) => flag.value,
            None => false,
        };
        Some(ir::TypeDef {
            name: name.to_owned(),
            module: entry.module.clone(),
            doc: def.doc.clone(),
            kind,
            sparse,
            // Decided for the whole scope once every type is known (`scope::sides`).
            request_side: false,
            response_side: false,
            features: Vec::new(),
        })
    }

    /// The shapes of a `one_of` type, each with the JSON kinds it decodes from: its own kinds,
    /// plus the kinds its codec also reads (a numeric string for a number) that no other shape
    /// claims.
    fn lower_shapes(
        &mut self,
        resolver: &Resolver<'_, '_>,
        file: FileId,
        owner: &str,
        shapes: &de::Sp<Vec<de::Tolerant<raw::Shape>>>,
    ) -> Option<Vec<ir::Shape>> {
        let mut rusts = Names::default();
        let mut ok = true;
        let mut lowered: Vec<(ir::Shape, Vec<JsonKind>, std::ops::Range<usize>)> = Vec::new();
        let mut keys = Names::default();
        for s in shapes.value.iter().filter_map(|s| s.0.as_ref()) {
            let rust = &s.rust_name;
            let problem = names::ident_problem(&rust.value).or_else(|| {
                (!names::is_pascal(&rust.value))
                    .then(|| format!("`{}` is not PascalCase", rust.value))
            });
            if let Some(problem) = problem {
                self.error(
                    file,
                    rust.span.clone(),
                    format!("`rust_name` {problem}"),
                    "",
                )
                .help = Some("shapes become enum variants: give a PascalCase name".into());
                ok = false;
                continue;
            }
            if let Some(first) = rusts.insert(&rust.value, &rust.span) {
                self.push(
                    crate::diag::Diagnostic::error(
                        format!("two shapes of `{owner}` are called `{}`", rust.value),
                        crate::diag::Span::new(file, rust.span.clone()),
                        "named again here",
                    )
                    .with_secondary(crate::diag::Span::new(file, first), "first named here")
                    .with_help("give each shape its own `rust_name`"),
                );
                ok = false;
                continue;
            }
            let Some(ty) = resolver.resolve(self, file, &s.ty) else {
                ok = false;
                continue;
            };
            let Some((own, also)) = shape_kinds(&ty) else {
                self.error(
                    file,
                    s.ty.span.clone(),
                    format!("`{}` cannot be a shape of a `one_of` type", s.ty.value),
                    "",
                )
                .help = Some(
                    "shapes are told apart by their JSON kind: use a scalar, a list, a map or an object type, without `|null` (put that on the `one_of` type where it is used)"
                        .into(),
                );
                ok = false;
                continue;
            };
            let is_object = matches!(
                ty,
                Ty::Named {
                    kind: NamedKind::Object,
                    ..
                }
            );
            let when_key = match &s.when_key {
                Some(key) if !is_object => {
                    self.error(
                        file,
                        key.span.clone(),
                        format!("`when_key` on the shape `{}`, which is not an object type", rust.value),
                        "",
                    )
                    .help = Some("`when_key` tells object shapes apart; other shapes are told apart by their JSON kind".into());
                    ok = false;
                    continue;
                }
                Some(key) => {
                    if let Some(first) = keys.insert(&key.value, &key.span) {
                        self.push(
                            crate::diag::Diagnostic::error(
                                format!("two object shapes of `{owner}` are told apart by the same key `{}`", key.value),
                                crate::diag::Span::new(file, key.span.clone()),
                                "used again here",
                            )
                            .with_secondary(crate::diag::Span::new(file, first), "first used here")
                            .with_help("give each object shape a key only its objects carry (its identity)"),
                        );
                        ok = false;
                        continue;
                    }
                    Some(key.value.clone())
                }
                None => None,
            };
            // Object shapes with keys of their own share the object kind.
            let keyed = |other: &ir::Shape| when_key.is_some() && other.when_key.is_some();
            if let Some((other, _, other_span)) = lowered
                .iter()
                .find(|(other, _, _)| other.kinds.iter().any(|k| own.contains(k)) && !keyed(other))
            {
                let shared: Vec<&str> = own
                    .iter()
                    .filter(|k| other.kinds.contains(k))
                    .map(|k| k.describe())
                    .collect();
                self.push(
                    crate::diag::Diagnostic::error(
                        format!(
                            "the shapes `{}` and `{}` of `{owner}` are both sent as {}",
                            other.rust,
                            rust.value,
                            shared.join(" and ")
                        ),
                        crate::diag::Span::new(file, s.ty.span.clone()),
                        "",
                    )
                    .with_secondary(crate::diag::Span::new(file, other_span.clone()), "this shape")
                    .with_help(if shared.contains(&JsonKind::Object.describe()) {
                        "a decoder tells shapes apart by the kind of JSON value, and object types by a `when_key` each: give both object shapes a `when_key` (a key only its objects carry), or merge them into one object type with optional fields"
                    } else {
                        "a decoder tells shapes apart by the kind of JSON value only; merge the two into one shape"
                    }),
                );
                ok = false;
                continue;
            }
            lowered.push((
                ir::Shape {
                    rust: rust.value.clone(),
                    ty,
                    kinds: own,
                    also: Vec::new(),
                    when_key,
                    doc: s.doc.clone(),
                },
                also,
                s.ty.span.clone(),
            ));
        }
        if ok && lowered.len() < 2 {
            self.error(
                file,
                shapes.span.clone(),
                format!("`{owner}` lists fewer than two shapes"),
                "",
            )
            .help = Some("a `one_of` type has every shape servers are known to send; with one shape, use that type itself".into());
            ok = false;
        }
        if !ok {
            return None;
        }
        // Kinds a shape's codec also reads go to it when no shape has them as its own.
        let own: Vec<JsonKind> = lowered
            .iter()
            .flat_map(|(s, _, _)| s.kinds.clone())
            .collect();
        let mut claimed = own.clone();
        let mut out = Vec::new();
        for (mut shape, also, _) in lowered {
            for kind in also {
                if !claimed.contains(&kind) {
                    claimed.push(kind);
                    shape.also.push(kind);
                }
            }
            out.push(shape);
        }
        Some(out)
    }

    pub(super) fn lower_fields(
        &mut self,
        resolver: &Resolver<'_, '_>,
        file: FileId,
        owner: &str,
        fields: &[de::Tolerant<raw::Field>],
    ) -> Vec<ir::Field> {
        let mut wires = Names::default();
        let mut rusts = Names::default();
        let mut out = Vec::new();
        for f in fields.iter().filter_map(|f| f.0.as_ref()) {
            if !self.unique_wire(file, &mut wires, &f.name, "field", owner) {
                continue;
            }
            let Some(rust) = self.field_name(file, &f.name, f.rust_name.as_ref()) else {
                continue;
            };
            if !self.unique_rust(file, &mut rusts, &rust, &f.name, "fields", "field") {
                continue;
            }
            let Some(ty) = resolver.resolve(self, file, &f.ty) else {
                continue;
            };
            let Some(presence) = self.presence(resolver, file, f, &ty) else {
                continue;
            };
            let is_container = matches!(ty.present(), Ty::List(_) | Ty::Map(..));
            if let Some(flag) = &f.skip_bad_entries
                && !is_container
            {
                self.error(
                    file,
                    flag.span.clone(),
                    "`skip_bad_entries` applies to lists and maps only",
                    "",
                )
                .help = Some(format!(
                    "`{}` is not a list or a map; drop the key",
                    f.ty.value
                ));
                continue;
            }
            let skip = is_container && f.skip_bad_entries.as_ref().is_none_or(|s| s.value);
            let ty = match presence {
                Presence::Optional => ty.optional(Absence::Missing),
                _ => ty,
            };
            out.push(ir::Field {
                wire: f.name.value.clone(),
                rust: rust.value,
                ty,
                presence,
                skip,
                doc: f.doc.clone(),
            });
        }
        out
    }

    /// The tolerance policy of a field: a missing key is never an error, except for the
    /// object's identity or a `required` field that says why.
    fn presence(
        &mut self,
        resolver: &Resolver<'_, '_>,
        file: FileId,
        f: &raw::Field,
        ty: &Ty,
    ) -> Option<Presence> {
        let required = f.required.as_ref().filter(|r| r.value);
        let empty = f
            .when_absent
            .as_ref()
            .filter(|w| w.value == raw::WhenAbsent::Empty);
        let conflict = |a: &str, b: &str| format!("`{}` is both {a} and {b}", f.name.value);
        if f.identity {
            if let Some(r) = required {
                self.error(
                    file,
                    r.span.clone(),
                    conflict("`identity`", "`required`"),
                    "",
                )
                .help = Some("an identity field is always required; drop `required`".into());
                return None;
            }
            if let Some(w) = &f.when_absent {
                self.error(
                    file,
                    w.span.clone(),
                    conflict("`identity`", "`when_absent`"),
                    "",
                )
                .help =
                    Some("an object without its identity is no object; drop `when_absent`".into());
                return None;
            }
            if !matches!(
                ty,
                Ty::Builtin(
                    Builtin::String | Builtin::I32 | Builtin::I64 | Builtin::U32 | Builtin::U64
                )
            ) {
                self.error(
                    file,
                    f.ty.span.clone(),
                    format!("identity `{}` is a `{}`", f.name.value, f.ty.value),
                    "",
                )
                .help =
                    Some("an identity is an integer or a string, never absent (`|null`)".into());
                return None;
            }
            return Some(Presence::Identity);
        }
        if let Some(r) = required {
            let Some(because) = f
                .required_because
                .as_ref()
                .filter(|b| !b.value.trim().is_empty())
            else {
                self.error(
                    file,
                    r.span.clone(),
                    format!("`{}` is `required`, but only an object's identity may be", f.name.value),
                    "servers of different versions drop fields",
                )
                .help = Some(
                    "mark the object's id `identity: true`; drop `required` (the field becomes an `Option`); use `when_absent: empty` where absence means empty; or say why it must be there with `required_because:`"
                        .into(),
                );
                return None;
            };
            if let Some(w) = &f.when_absent {
                self.error(
                    file,
                    w.span.clone(),
                    conflict("`required`", "`when_absent`"),
                    "",
                )
                .help = Some("a required field is never absent; drop one of the two".into());
                return None;
            }
            if !has_default(ty) {
                self.error(
                    file,
                    f.ty.span.clone(),
                    format!("required `{}` is a `{}`, which has no default", f.name.value, f.ty.value),
                    "",
                )
                .help = Some("every object starts from `Default` when it is decoded; a required field is a string, number, bool, list, map or object".into());
                return None;
            }
            return Some(Presence::Required(because.value.trim().to_owned()));
        }
        if let Some(because) = &f.required_because {
            self.error(
                file,
                because.span.clone(),
                format!(
                    "`{}` has `required_because` but is not `required`",
                    f.name.value
                ),
                "",
            )
            .help = Some("add `required: true`, or drop `required_because`".into());
            return None;
        }
        let Some(w) = empty else {
            return Some(Presence::Optional);
        };
        if let Some(problem) = empty_problem(resolver, ty) {
            self.error(
                file,
                w.span.clone(),
                format!("`{}` cannot be `when_absent: empty`: {problem}", f.name.value),
                "",
            )
            .help = Some(
                "`empty` is for values whose empty form is the truth (`bool`, `string`, lists, maps, objects without identity); otherwise leave the field an `Option`"
                    .into(),
            );
            return None;
        }
        Some(Presence::Empty)
    }
}

/// Whether a value of the type has a `Default` (objects always have one).
fn has_default(ty: &Ty) -> bool {
    match ty {
        Ty::Builtin(b) => !matches!(
            b,
            Builtin::DateTime
                | Builtin::Date
                | Builtin::DayMonth
                | Builtin::DialogId
                | Builtin::MessageText
        ),
        Ty::List(_) | Ty::Map(..) | Ty::CommaList(_) | Ty::Optional(..) => true,
        Ty::Named { kind, .. } => *kind == NamedKind::Object,
    }
}

/// Why a type has no empty value that may stand for a missing key, if it has none.
fn empty_problem(resolver: &Resolver<'_, '_>, ty: &Ty) -> Option<String> {
    match ty {
        Ty::Builtin(Builtin::Bool | Builtin::YesNo | Builtin::String | Builtin::Json)
        | Ty::List(_)
        | Ty::Map(..)
        | Ty::CommaList(_) => None,
        Ty::Builtin(b) => Some(format!(
            "`{}` has no empty value",
            Builtin::ALL
                .iter()
                .find(|(_, x)| x == b)
                .map_or("this type", |(n, _)| *n)
        )),
        Ty::Optional(..) => Some("its type already says what stands for \"no value\"".into()),
        Ty::Named {
            name,
            kind: NamedKind::Object,
            ..
        } => {
            let entry = resolver.table.get(name)?;
            let fields = entry.def.fields.as_ref()?;
            fields
                .value
                .iter()
                .filter_map(|f| f.0.as_ref())
                .find(|f| f.identity || f.required.as_ref().is_some_and(|r| r.value))
                .map(|f| {
                    let what = if f.identity {
                        "identity"
                    } else {
                        "required field"
                    };
                    format!("`{name}` has the {what} `{}`", f.name.value)
                })
        }
        Ty::Named { name, .. } => Some(format!("`{name}` is not an object")),
    }
}

/// The JSON kinds a `one_of` shape is sent as, and the ones its codec reads as well.
fn shape_kinds(ty: &Ty) -> Option<(Vec<JsonKind>, Vec<JsonKind>)> {
    use JsonKind as K;
    Some(match ty {
        Ty::Builtin(b) => match b {
            Builtin::I32 | Builtin::I64 | Builtin::U32 | Builtin::U64 | Builtin::F64 => {
                (vec![K::Number], vec![K::String])
            }
            Builtin::String => (vec![K::String], vec![K::Number]),
            Builtin::Bool => (vec![K::Bool], vec![K::String, K::Number]),
            Builtin::YesNo => (vec![K::String], vec![K::Bool, K::Number]),
            Builtin::DialogId => (vec![K::String], vec![K::Number]),
            Builtin::MessageText => (vec![K::String], vec![]),
            Builtin::DateTime | Builtin::Date | Builtin::DayMonth => (vec![K::String], vec![]),
            Builtin::Json => return None,
        },
        Ty::Named { kind, .. } => match kind {
            NamedKind::Object => (vec![K::Object], vec![K::Array]),
            NamedKind::Enum => (vec![K::String], vec![K::Number]),
            NamedKind::Union => (vec![K::Object], vec![]),
            NamedKind::OneOf => return None,
        },
        Ty::List(_) => (vec![K::Array], vec![K::Object]),
        Ty::Map(..) => (vec![K::Object], vec![K::Array]),
        Ty::CommaList(_) => (vec![K::String], vec![K::Array]),
        Ty::Optional(..) => return None,
    })
}
