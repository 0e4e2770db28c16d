//! Named types: objects (fields), open enums (values) and one-key unions (variants).

use super::resolve::Resolver;
use super::{Lowerer, Names, TypeEntry};
use crate::de;
use crate::ir::{self, Absence, NamedKind};
use crate::names;
use crate::raw;
use crate::source::FileId;

impl Lowerer<'_> {
    pub(super) fn type_kind(&mut self, file: FileId, def: &raw::TypeDef) -> Option<NamedKind> {
        let present: Vec<(NamedKind, &str)> = [
            (def.fields.is_some(), NamedKind::Object, "fields"),
            (def.values.is_some(), NamedKind::Enum, "values"),
            (def.variants.is_some(), NamedKind::Union, "variants"),
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
                        "type `{}` has no `fields`, `values` or `variants`",
                        def.name.value
                    ),
                    "",
                )
                .help = Some(
                    "an object has `fields`, an open enum `values`, a one-key union `variants`"
                        .into(),
                );
                None
            }
            _ => {
                let keys: Vec<&str> = present.iter().map(|(_, n)| *n).collect();
                self.error(file, def.name.span.clone(), format!("type `{}` has both {}", def.name.value, keys.join(" and ")), "")
                    .help = Some("a type is exactly one of: an object (`fields`), an enum (`values`), a union (`variants`)".into());
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
        };
        Some(ir::TypeDef {
            name: name.to_owned(),
            module: entry.module.clone(),
            doc: def.doc.clone(),
            kind,
        })
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
            let ty = if f.required {
                ty
            } else {
                ty.optional(Absence::Missing)
            };
            out.push(ir::Field {
                wire: f.name.value.clone(),
                rust: rust.value,
                ty,
                required: f.required,
                doc: f.doc.clone(),
            });
        }
        out
    }
}
