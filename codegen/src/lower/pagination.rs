//! Pagination dialects: limit, offset, keyset cursors and continuation, checked against the
//! method's parameters and result type.

use std::collections::HashMap;
use std::ops::Range;

use super::Lowerer;
use crate::de::Sp;
use crate::ir::{self, Builtin, Ty};
use crate::raw;
use crate::source::FileId;

impl Lowerer<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lower_pagination(
        &mut self,
        file: FileId,
        p: &raw::PaginationSpec,
        params: &[ir::Param],
        param_spans: &HashMap<String, Range<usize>>,
        result: Option<&Ty>,
        local: &[ir::TypeDef],
        shared: &[ir::TypeDef],
    ) -> Option<ir::Pagination> {
        let mut ok = true;
        // Paging parameters are optional integers: the client sets them page by page.
        let check_param = |this: &mut Self, name: &Sp<String>| {
            let Some(param) = params.iter().find(|p| p.wire == name.value) else {
                if param_spans.contains_key(&name.value) {
                    return false; // the parameter itself is broken and reported already
                }
                let known: Vec<&str> = params.iter().map(|p| p.wire.as_str()).collect();
                this.error(
                    file,
                    name.span.clone(),
                    format!("`{}` is not a parameter of this method", name.value),
                    "",
                )
                .help = Some(format!(
                    "pagination refers to parameters by wire name; known: {}",
                    known.join(", ")
                ));
                return false;
            };
            if param.required || !matches!(param.ty, Ty::Builtin(b) if b.is_integer()) {
                this.error(
                    file,
                    name.span.clone(),
                    format!(
                        "paging parameter `{}` must be an optional integer",
                        name.value
                    ),
                    "",
                )
                .help = Some("the client sets page sizes, offsets and cursors itself".into());
                return false;
            }
            true
        };
        let find = |name: &str| local.iter().chain(shared).find(|t| t.name == name);
        // The fields of a named object type.
        let object_fields = |ty: &Ty| match ty {
            Ty::Named { name, .. } => match find(name).map(|t| &t.kind) {
                Some(ir::TypeKind::Object(fields)) => Some(fields.as_slice()),
                _ => None,
            },
            _ => None,
        };
        // The item type: `result` itself or the `items` field of the result object; the
        // values of a map keyed by id count as its items.
        let keyed = std::cell::Cell::new(false);
        let list_of = |ty: &Ty| -> Option<Ty> {
            match ty.present() {
                Ty::List(inner) => Some((**inner).clone()),
                Ty::Map(_, value) => {
                    keyed.set(true);
                    Some((**value).clone())
                }
                _ => None,
            }
        };
        let mut item_field: Option<(String, bool)> = None;
        // A result that may be absent (`Page|false`) still has its items where the page does.
        let result_object = result.map(|ty| if p.items.is_some() { ty.present() } else { ty });
        let item_ty = match (&p.items, result_object) {
            (None, Some(ty)) => list_of(ty),
            (Some(items), Some(ty @ Ty::Named { name, .. })) => {
                match object_fields(ty) {
                    Some(fields) => {
                        match fields.iter().find(|f| f.wire == items.value) {
                            Some(f) => {
                                item_field = Some((f.rust.clone(), f.ty.is_optional()));
                                list_of(&f.ty)
                            }
                            None => {
                                self.error(file, items.span.clone(), format!("the result type `{name}` has no field `{}`", items.value), "")
                            .help = Some("`items` names the field of the result object that holds the list".into());
                                ok = false;
                                None
                            }
                        }
                    }
                    _ => None,
                }
            }
            (Some(items), Some(_)) => {
                self.error(
                    file,
                    items.span.clone(),
                    "`items` needs a result that is an object",
                    "",
                )
                .help = Some("omit `items` when `result` itself is the list".into());
                ok = false;
                None
            }
            _ => None,
        };
        let limit = match &p.limit {
            Some(l) => {
                ok &= check_param(self, &l.param);
                if l.default.value > l.max.value || l.max.value == 0 {
                    self.error(file, l.default.span.clone(), "the default page size must be between 1 and `max`", "")
                        .help = Some("`default` is the page size the server uses without the parameter; `max` caps it".into());
                    ok = false;
                }
                Some(ir::Limit {
                    param: l.param.value.clone(),
                    default: l.default.value,
                    max: l.max.value,
                })
            }
            None => None,
        };
        let offset = match &p.offset {
            Some(o) => {
                if let Some(param) = &o.param {
                    ok &= check_param(self, param);
                }
                Some(ir::Offset {
                    param: o.param.as_ref().map(|p| p.value.clone()),
                    start: o.start,
                    total: o.total,
                    next: o.next,
                    stride_by_limit: o.stride_by_limit,
                })
            }
            None => None,
        };
        let mut keyset = Vec::new();
        for k in p.keyset.iter().filter_map(|k| k.0.as_ref()) {
            ok &= check_param(self, &k.param);
            if let Some(ty @ Ty::Named { name, .. }) = &item_ty
                && let Some(fields) = object_fields(ty)
            {
                match fields.iter().find(|f| f.wire == k.key.value) {
                    None => {
                        self.error(
                            file,
                            k.key.span.clone(),
                            format!("the item type `{name}` has no field `{}`", k.key.value),
                            "",
                        )
                        .help = Some(
                            "`key` is the wire name of the item field the cursor compares with"
                                .into(),
                        );
                        ok = false;
                    }
                    Some(field) if !matches!(field.ty.present(), Ty::Builtin(b) if b.is_integer()) =>
                    {
                        self.error(
                            file,
                            k.key.span.clone(),
                            format!("cursor key `{}` is not an integer field", k.key.value),
                            "",
                        )
                        .help = Some(
                            "keyset cursors compare ids; point `key` at an integer field".into(),
                        );
                        ok = false;
                    }
                    Some(_) => {}
                }
            }
            keyset.push(ir::Keyset {
                param: k.param.value.clone(),
                key: k.key.value.clone(),
                order: k.order,
            });
        }
        let continuation = match &p.continuation {
            Some(c) => {
                ok &= check_param(self, &c.param);
                let fields = result_object.and_then(object_fields);
                // A field of the result object with the right kind of value.
                let mut field = |name: &Sp<String>, what: &str, fits: fn(&Ty) -> bool| {
                    let Some(fields) = fields else {
                        self.error(
                            file,
                            name.span.clone(),
                            "continuation paging needs a result that is an object",
                            "",
                        )
                        .help = Some("`next` and `more` name fields of the result object".into());
                        return None;
                    };
                    let Some(f) = fields.iter().find(|f| f.wire == name.value) else {
                        self.error(
                            file,
                            name.span.clone(),
                            format!("the result has no field `{}`", name.value),
                            "",
                        )
                        .help = Some(format!(
                            "known: {}",
                            fields
                                .iter()
                                .map(|f| f.wire.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        return None;
                    };
                    if !fits(f.ty.present()) {
                        self.error(file, name.span.clone(), format!("`{}` must be {what}", name.value), "")
                            .help = Some("`next` is the integer to send back; `more` the flag that says more may remain".into());
                        return None;
                    }
                    Some((f.rust.clone(), f.ty.clone()))
                };
                let next_field = field(
                    &c.next,
                    "an integer field",
                    |t| matches!(t, Ty::Builtin(b) if b.is_integer()),
                );
                let more_field = c.more.as_ref().map(|m| {
                    field(m, "a bool field", |t| {
                        matches!(t, Ty::Builtin(Builtin::Bool | Builtin::YesNo))
                    })
                });
                match (next_field, more_field) {
                    (Some(next_field), more_field @ (None | Some(Some(_)))) if ok => {
                        Some(ir::Continuation {
                            param: c.param.value.clone(),
                            next: c.next.value.clone(),
                            more: c.more.as_ref().map(|m| m.value.clone()),
                            next_field,
                            more_field: more_field.flatten(),
                        })
                    }
                    _ => {
                        ok = false;
                        None
                    }
                }
            }
            None => None,
        };
        let dropped_keyset = p.keyset.iter().any(|k| k.0.is_none());
        if offset.is_none() && keyset.is_empty() && p.continuation.is_none() && !dropped_keyset {
            self.error(
                file,
                p.limit.as_ref().map_or(0..0, |l| l.param.span.clone()),
                "`pagination` has neither `offset`, `keyset` nor `continuation`",
                "",
            )
            .help = Some("say how the method pages, or drop `pagination`".into());
            ok = false;
        }
        let item = item_ty.map(|ty| {
            let mut keys: Vec<(String, String, Ty)> = Vec::new();
            for f in object_fields(&ty).into_iter().flat_map(|fields| {
                keyset
                    .iter()
                    .filter_map(|k| fields.iter().find(|f| f.wire == k.key))
            }) {
                if !keys.iter().any(|(wire, _, _)| *wire == f.wire) {
                    keys.push((f.wire.clone(), f.rust.clone(), f.ty.clone()));
                }
            }
            let (field, optional) = match item_field {
                Some((field, optional)) => (Some(field), optional),
                None => (None, result.is_some_and(Ty::is_optional)),
            };
            ir::ItemAccess {
                ty,
                field,
                optional,
                keyed: keyed.get(),
                keys,
            }
        });
        ok.then(|| ir::Pagination {
            items: p.items.as_ref().map(|i| i.value.clone()),
            limit,
            offset,
            keyset,
            continuation,
            item,
        })
    }
}
