//! The `pagination:` block of a draft, from what the page shows of paging: a page size
//! (`LIMIT` with its default and maximum), an offset (`OFFSET`, with `total`/`next` in the
//! envelope), keyset cursors (`LAST_ID`/`FIRST_ID` over the items' `id`) and the `im.v2`
//! continuation (`offset` sent back from `nextOffset`, `hasMore`). Every block is a guess the
//! page cannot confirm, so each carries review notes.

use crate::draft::{Param, SharedType, TypeBody, TypeDef};
use crate::page::Page;
use crate::shape::Shape;

/// A drafted `pagination:` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pagination {
    /// The field of the result object holding the items (when the result is not the list).
    pub items: Option<String>,
    /// Page-size parameter, its default and its maximum.
    pub limit: Option<(String, u32, u32)>,
    pub offset: Option<Offset>,
    pub keyset: Vec<Keyset>,
    pub continuation: Option<Continuation>,
    /// What a person must check.
    pub review: Vec<String>,
}

/// Offset paging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offset {
    pub param: String,
    pub total: bool,
    pub next: bool,
}

/// One keyset cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub param: String,
    pub key: String,
    /// `ascending` or `descending`.
    pub order: &'static str,
}

/// Continuation paging (`im.v2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continuation {
    pub param: String,
    pub next: String,
    pub more: Option<String>,
}

/// The fields of a named object: wire name and type, from the draft or the shared types.
struct Lookup<'a> {
    types: &'a [TypeDef],
    shared: &'a [SharedType],
}

impl Lookup<'_> {
    /// Wire names and types (for a shared type: `u64` for its integer fields, else unknown).
    fn fields(&self, name: &str) -> Option<Vec<(String, Option<Shape>)>> {
        if let Some(def) = self.types.iter().find(|t| t.name == name) {
            return match &def.body {
                TypeBody::Object(fields) => Some(
                    fields
                        .iter()
                        .map(|f| (f.name.clone(), Some(f.ty.clone())))
                        .collect(),
                ),
                TypeBody::Enum(_) => None,
            };
        }
        let shared = self.shared.iter().find(|s| s.name == name)?;
        Some(
            shared
                .fields
                .iter()
                .map(|f| {
                    let ty = shared.integers.contains(f).then_some(Shape::Scalar("u64"));
                    (f.clone(), ty)
                })
                .collect(),
        )
    }
}

fn is_integer(shape: Option<&Shape>) -> bool {
    matches!(
        shape.map(Shape::present),
        Some(Shape::Scalar("u64" | "u32" | "i64" | "i32"))
    )
}

fn is_bool(shape: Option<&Shape>) -> bool {
    matches!(
        shape.map(Shape::present),
        Some(Shape::Scalar("bool" | "yes_no"))
    )
}

/// The pagination block of a page that shows paging (`shown`: the paging names it uses), or the
/// note that says why none was drafted. Notes on a cursor that could not be drafted go to
/// `notes`.
pub fn draft(
    page: &Page,
    params: &[Param],
    result: &Shape,
    types: &[TypeDef],
    shared: &[SharedType],
    shown: &[&str],
    notes: &mut Vec<String>,
) -> Result<Pagination, String> {
    let lookup = Lookup { types, shared };
    // A paging parameter: optional and an integer (the client sets it page by page).
    let param = |wire: &str| {
        params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(wire) && !p.required && is_integer(Some(&p.ty)))
    };
    let mut out = Pagination::default();

    // The items: `result` itself, or a list field of the result object.
    let result_fields = match result.present() {
        Shape::Named(name) => lookup.fields(name),
        _ => None,
    };
    let item = match (result.present(), &result_fields) {
        (Shape::List(inner), _) => Some((**inner).clone()),
        (_, Some(fields)) => {
            let lists: Vec<&(String, Option<Shape>)> = fields
                .iter()
                .filter(|(_, ty)| matches!(ty.as_ref().map(Shape::present), Some(Shape::List(_))))
                .collect();
            let chosen = lists
                .iter()
                .find(|(name, _)| matches!(name.as_str(), "items" | "list") || lists.len() == 1)
                .or_else(|| lists.first());
            chosen.and_then(|(name, ty)| {
                if lists.len() > 1 && !matches!(name.as_str(), "items" | "list") {
                    out.review.push(format!(
                        "the result has several lists; `items` is a guess ({})",
                        lists
                            .iter()
                            .map(|(n, _)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                out.items = Some(name.clone());
                match ty.as_ref().map(Shape::present) {
                    Some(Shape::List(inner)) => Some((**inner).clone()),
                    _ => None,
                }
            })
        }
        _ => None,
    };

    // Continuation (`im.v2`): an `offset` parameter and an integer `next...` field of the result.
    if let (Some(fields), Some(p)) = (&result_fields, param("offset"))
        && let Some((next, _)) = fields
            .iter()
            .find(|(name, ty)| name.to_lowercase().starts_with("next") && is_integer(ty.as_ref()))
    {
        let more = fields
            .iter()
            .find(|(name, ty)| {
                matches!(name.to_lowercase().as_str(), "hasmore" | "has_more")
                    && is_bool(ty.as_ref())
            })
            .map(|(name, _)| name.clone());
        out.continuation = Some(Continuation {
            param: p.name.clone(),
            next: next.clone(),
            more,
        });
        out.review.push(format!(
            "continuation guessed: `{}` is sent back from the result's `{next}`; confirm the server's next page starts there",
            p.name
        ));
    } else if let Some(p) = param("OFFSET") {
        let envelope = |key: &str| {
            page.returned.iter().any(|r| r.name == key)
                || page
                    .responses
                    .first()
                    .is_some_and(|e| e.json.get(key).is_some())
        };
        out.offset = Some(Offset {
            param: p.name.clone(),
            total: envelope("total"),
            next: envelope("next"),
        });
        out.review.push(format!(
            "offset paging from `{}`{}; check whether the server also honours the framework's `start` (then add `start: true`)",
            p.name,
            match (envelope("total"), envelope("next")) {
                (true, true) => ", `total` and `next` as the page shows",
                (true, false) => ", `total` as the page shows (no `next`)",
                (false, true) => ", `next` as the page shows (no `total`)",
                (false, false) => " (the page shows neither `total` nor `next`)",
            }
        ));
    }

    // Keyset cursors over the items' integer `id`.
    let item_fields = match item.as_ref().map(Shape::present) {
        Some(Shape::Named(name)) => lookup.fields(name),
        _ => None,
    };
    for wire in ["LAST_ID", "FIRST_ID"] {
        let Some(p) = param(wire) else { continue };
        let key = item_fields.as_ref().and_then(|fields| {
            fields
                .iter()
                .find(|(name, ty)| name.eq_ignore_ascii_case("id") && is_integer(ty.as_ref()))
                .map(|(name, _)| name.clone())
        });
        let Some(key) = key else {
            notes.push(format!(
                "the page pages with `{}`, but its items have no integer `id` to compare it with; add a `keyset` entry by hand",
                p.name
            ));
            continue;
        };
        let desc = p.doc.as_deref().unwrap_or("").to_lowercase();
        let (order, why) = if [
            "older",
            "earlier",
            "before",
            "previous",
            "less than",
            "smaller",
        ]
        .iter()
        .any(|w| desc.contains(w))
        {
            ("descending", "the page speaks of earlier items")
        } else if ["newer", "after", "greater", "larger", "next", "sequential"]
            .iter()
            .any(|w| desc.contains(w))
        {
            ("ascending", "the page speaks of later items")
        } else {
            ("ascending", "the page does not say; ids usually grow")
        };
        out.review.push(format!(
            "keyset `{}` over the items' `{key}`, {order} ({why}): confirm with the server",
            p.name
        ));
        out.keyset.push(Keyset {
            param: p.name.clone(),
            key,
            order,
        });
    }

    if out.offset.is_none() && out.keyset.is_empty() && out.continuation.is_none() {
        return Err(format!(
            "the page documents paging ({}); add a `pagination:` block",
            shown.join(", ")
        ));
    }
    if item.is_none() {
        return Err(format!(
            "the page documents paging ({}), but the result has no list of items to page through; add a `pagination:` block by hand if it pages",
            shown.join(", ")
        ));
    }

    if let Some(p) = param("LIMIT") {
        let number = |v: Option<&str>| v.and_then(|v| v.parse::<u32>().ok());
        let default = number(p.default.as_deref());
        let max = p.max.and_then(|m| u32::try_from(m).ok());
        match (default, max) {
            (Some(default), Some(max)) if default >= 1 && default <= max => {
                out.limit = Some((p.name.clone(), default, max));
            }
            _ => out.review.push(format!(
                "the page does not state both the default and the maximum of `{}`; add `limit: {{param: {}, default: N, max: N}}` once known",
                p.name, p.name
            )),
        }
    }
    Ok(out)
}
