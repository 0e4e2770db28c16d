//! Type expressions (`list<DialogUser>`, `datetime|false`) resolved against a scope's types.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{Lowerer, TypeEntry};
use crate::de::{self, Sp};
use crate::ir::{Absence, Builtin, NamedKind, Ty};
use crate::source::FileId;
use crate::typeexpr::{self, AbsentForm, Expr};

/// Builtin names for what other languages call the same thing.
fn builtin_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "int" | "integer" | "long" | "int64" | "timestamp" => "i64",
        "int32" => "i32",
        "uint" | "uint64" | "usize" | "id" => "u64",
        "uint32" => "u32",
        "str" | "text" | "char" => "string",
        "boolean" => "bool",
        "float" | "double" | "number" | "f32" => "f64",
        "object" | "any" | "array" => "json",
        "datetime_or_false" => "datetime|false",
        _ => return None,
    })
}

/// Resolves type expressions against a scope's type table.
pub(super) struct Resolver<'t, 'a> {
    pub(super) table: &'t BTreeMap<String, TypeEntry<'a>>,
    pub(super) suppress_unknown: bool,
}

impl Resolver<'_, '_> {
    pub(super) fn resolve(
        &self,
        lw: &mut Lowerer<'_>,
        file: FileId,
        text: &Sp<String>,
    ) -> Option<Ty> {
        // The expression starts after an opening quote, if the YAML scalar is quoted.
        let source = lw.sources.get(file).map(|f| f.text.as_str()).unwrap_or("");
        let quoted = source
            .get(text.span.start..)
            .is_some_and(|s| s.starts_with('"') || s.starts_with('\''));
        let base = text.span.start + usize::from(quoted);
        match typeexpr::parse(&text.value) {
            Ok(expr) => self.resolve_expr(lw, file, base, &expr),
            Err(err) => {
                // An error at the very end points at the last character, not past the scalar.
                let len = text.value.len();
                let start = err.range.start.min(len.saturating_sub(1));
                let range = base + start..base + err.range.end.clamp(start + 1, len.max(start + 1));
                let d = lw.error(
                    file,
                    range,
                    format!("bad type `{}`: {}", text.value, err.message),
                    "",
                );
                d.help = Some(err.help.unwrap_or_else(|| "a type looks like `u64`, `list<DialogUser>`, `map<u64, User|null>` or `datetime|false`".into()));
                None
            }
        }
    }

    fn resolve_expr(
        &self,
        lw: &mut Lowerer<'_>,
        file: FileId,
        base: usize,
        expr: &Expr,
    ) -> Option<Ty> {
        let at = |r: &Range<usize>| base + r.start..base + r.end;
        let arity = |lw: &mut Lowerer<'_>, n: usize, usage: &str| -> bool {
            if expr.args.len() == n {
                return true;
            }
            lw.error(
                file,
                at(&expr.range),
                format!(
                    "`{}` takes {n} type argument{}",
                    expr.name,
                    if n == 1 { "" } else { "s" }
                ),
                "",
            )
            .help = Some(format!("write `{usage}`"));
            false
        };
        let base_ty = match expr.name.as_str() {
            "list" => {
                if !arity(lw, 1, "list<T>") {
                    return None;
                }
                Ty::List(Box::new(self.resolve_expr(
                    lw,
                    file,
                    base,
                    expr.args.first()?,
                )?))
            }
            "comma_list" => {
                if !arity(lw, 1, "comma_list<T>") {
                    return None;
                }
                let arg = expr.args.first()?;
                let item = self.resolve_expr(lw, file, base, arg)?;
                let textual = match &item {
                    Ty::Builtin(b) => b.is_textual(),
                    Ty::Named { kind, .. } => *kind == NamedKind::Enum,
                    _ => false,
                };
                if !textual {
                    lw.error(
                        file,
                        at(&arg.range),
                        "items of a `comma_list` must have a text form",
                        "",
                    )
                    .help = Some("use `string`, an integer type or an enum".into());
                    return None;
                }
                Ty::CommaList(Box::new(item))
            }
            "map" => {
                if !arity(lw, 2, "map<K, V>") {
                    return None;
                }
                let (k, v) = (expr.args.first()?, expr.args.get(1)?);
                let key = self.resolve_expr(lw, file, base, k);
                let value = self.resolve_expr(lw, file, base, v);
                let key = key?;
                if !matches!(key, Ty::Builtin(b) if b.is_textual() && b != Builtin::DialogId) {
                    lw.error(
                        file,
                        at(&k.range),
                        "map keys must be `string` or an integer type",
                        "",
                    )
                    .help = Some("JSON object keys are text; ids are written `u64`".into());
                    return None;
                }
                Ty::Map(Box::new(key), Box::new(value?))
            }
            name => {
                if let Some(b) = Builtin::from_name(name) {
                    if !arity(lw, 0, name) {
                        return None;
                    }
                    Ty::Builtin(b)
                } else if let Some(entry) = self.table.get(name) {
                    if !arity(lw, 0, name) {
                        return None;
                    }
                    Ty::Named {
                        name: name.to_owned(),
                        module: entry.module.clone(),
                        kind: entry.kind,
                    }
                } else {
                    if self.suppress_unknown {
                        return None;
                    }
                    // Type names are PascalCase, builtins lower-case: suggest from the right set.
                    let candidates: Vec<&str> =
                        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                            self.table.keys().map(String::as_str).collect()
                        } else {
                            Builtin::ALL
                                .iter()
                                .map(|(n, _)| *n)
                                .chain(["list", "map", "comma_list"])
                                .collect()
                        };
                    let close = builtin_alias(name).map(|c| (0, c)).or_else(|| {
                        candidates
                            .iter()
                            .map(|c| (de::edit_distance(name, c), *c))
                            .filter(|(d, c)| *d <= 2.max(c.len() / 3))
                            .min()
                    });
                    let help = match close {
                        Some((_, c)) => format!("did you mean `{c}`?"),
                        None => "define it under `types:` here or in `_types.yaml`, or use a builtin (string, u64, bool, datetime, ...)".into(),
                    };
                    lw.error(
                        file,
                        at(&expr.name_range),
                        format!("unknown type `{name}`"),
                        "not a builtin or a type of this scope",
                    )
                    .help = Some(help);
                    return None;
                }
            }
        };
        match expr.absent.first() {
            None => Some(base_ty),
            Some(form) => {
                if *form == AbsentForm::False && base_ty == Ty::Builtin(Builtin::Bool) {
                    lw.error(
                        file,
                        at(&expr.range),
                        "`bool|false` cannot tell `false` from \"no value\"",
                        "",
                    )
                    .help = Some("use `bool|null`, or plain `bool`".into());
                    return None;
                }
                if expr.absent.contains(&AbsentForm::EmptyObject)
                    && matches!(
                        base_ty,
                        Ty::Map(..)
                            | Ty::Builtin(Builtin::Json)
                            | Ty::Named {
                                kind: NamedKind::Object | NamedKind::Union | NamedKind::OneOf,
                                ..
                            }
                    )
                {
                    lw.error(
                        file,
                        at(&expr.range),
                        "`|{}` needs a scalar or list type: `{}` is a value of this one",
                        "",
                    )
                    .help = Some("use `|null`, or `when_absent: empty`".into());
                    return None;
                }
                Some(Ty::Optional(Box::new(base_ty), Absence::Form(*form)))
            }
        }
    }
}
