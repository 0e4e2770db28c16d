//! Docs drift: what a reference page says against what the spec says, and how much of the
//! curated spec the importer's draft gets right.
//!
//! Both sides are flattened to paths (`DIALOG_ID`, `result[].phones.work_phone`, error codes)
//! and compared. Where the spec differs from the page on purpose (it follows the server), the
//! method file lists the difference under `docs_drift:` with the reason, and the report shows
//! it as expected instead of as drift.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use b24_codegen::ir;
use serde::Deserialize;

use crate::draft::{Draft, DraftTypes};
use crate::shape::{self, Flat, IrTypes, Shape, Types};

/// What kind of item a difference is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    Param,
    Field,
    Error,
}

impl Item {
    fn word(self) -> &'static str {
        match self {
            Self::Param => "param",
            Self::Field => "field",
            Self::Error => "error",
        }
    }
}

/// A difference the spec marks as expected: `docs_drift: [{param: X, why: ...}]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub item: Item,
    pub name: String,
    pub why: String,
}

/// How a page and the spec differ about one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diff {
    /// The page has it, the spec does not.
    PageOnly,
    /// The spec has it, the page does not.
    SpecOnly,
    /// Both have it with types of different kinds.
    Type { page: String, spec: String },
    /// The page marks a parameter required and the spec does not, or the reverse.
    Required { page: bool },
    /// A `docs_drift` entry that matches no difference any more.
    StaleMark,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub item: Item,
    pub name: String,
    pub diff: Diff,
    /// The `why` of the `docs_drift` entry that expects this difference.
    pub expected: Option<String>,
}

/// How many curated entries the draft reproduces exactly (wire name, type, required flag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accuracy {
    /// (matching, total) parameters, nested parameter fields included.
    pub params: (usize, usize),
    /// (matching, total) result paths, `result` itself included.
    pub fields: (usize, usize),
    /// (matching, total) result paths when the `required` flag is not compared: the curated
    /// specs still mark many non-identity fields required, which the tolerance policy ends.
    pub fields_typed: (usize, usize),
    /// (matching, total) error codes (code and statuses).
    pub errors: (usize, usize),
}

/// The drift report of one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub method: String,
    pub entries: Vec<Entry>,
    pub accuracy: Accuracy,
    /// Curated entries the draft does not reproduce: `path: draft ..., spec ...`.
    pub misses: Vec<String>,
}

impl Report {
    /// Differences nobody marked as expected.
    pub fn drift(&self) -> usize {
        self.entries.iter().filter(|e| e.expected.is_none()).count()
    }

    /// The report for a terminal; `verbose` adds the curated entries the draft gets wrong.
    pub fn render(&self, verbose: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.method);
        // Differences the spec marks as following the server were reported when they were
        // marked; they are listed again only on request.
        let expected = self.entries.len() - self.drift();
        for e in self
            .entries
            .iter()
            .filter(|e| verbose || e.expected.is_none())
        {
            let what = match &e.diff {
                Diff::PageOnly => "on the page, not in the spec".to_owned(),
                Diff::SpecOnly => "in the spec, not on the page".to_owned(),
                Diff::Type { page, spec } => format!("page says `{page}`, spec says `{spec}`"),
                Diff::Required { page: true } => {
                    "required on the page, optional in the spec".into()
                }
                Diff::Required { page: false } => {
                    "optional on the page, required in the spec".into()
                }
                Diff::StaleMark => {
                    "marked in `docs_drift`, but page and spec agree now: remove the mark".into()
                }
            };
            let tag = if e.expected.is_some() {
                "expected"
            } else {
                "drift"
            };
            let _ = write!(out, "  {tag:<8} {} {}: {what}", e.item.word(), e.name);
            if let Some(why) = &e.expected {
                let _ = write!(out, " ({why})");
            }
            out.push('\n');
        }
        if expected > 0 && !verbose {
            let _ = writeln!(
                out,
                "  {expected} expected difference(s) marked in `docs_drift` (--verbose lists them)"
            );
        }
        let a = self.accuracy;
        let _ = writeln!(
            out,
            "  draft matches the spec: params {}, result fields {} ({}/{} ignoring `required`), errors {}",
            share(a.params),
            share(a.fields),
            a.fields_typed.0,
            a.fields_typed.1,
            share(a.errors)
        );
        if verbose {
            for miss in &self.misses {
                let _ = writeln!(out, "    differs  {miss}");
            }
        }
        out
    }
}

/// `5/6 (83%)`.
pub fn share((hit, total): (usize, usize)) -> String {
    if total == 0 {
        return "0/0".into();
    }
    format!("{hit}/{total} ({}%)", hit * 100 / total)
}

#[derive(Deserialize)]
struct LooseSpec {
    #[serde(default)]
    docs_drift: Vec<RawMark>,
}

#[derive(Deserialize)]
struct RawMark {
    #[serde(default)]
    param: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    why: String,
}

/// The `docs_drift` entries of a method file.
///
/// # Errors
/// The file is not YAML, or an entry names no `param`, `field` or `error`.
pub fn marks(spec_yaml: &str) -> Result<Vec<Mark>, String> {
    let loose: LooseSpec = serde_saphyr::from_str(spec_yaml).map_err(|e| e.to_string())?;
    loose
        .docs_drift
        .into_iter()
        .map(|m| {
            let (item, name) = match (m.param, m.field, m.error) {
                (Some(p), None, None) => (Item::Param, p),
                (None, Some(f), None) => (Item::Field, f),
                (None, None, Some(e)) => (Item::Error, e),
                _ => {
                    return Err(
                        "a `docs_drift` entry names exactly one `param`, `field` or `error`"
                            .to_owned(),
                    );
                }
            };
            Ok(Mark {
                item,
                name,
                why: m.why,
            })
        })
        .collect()
}

/// Compares a draft (what the page says) with the curated method.
pub fn compare(
    draft: &Draft,
    method: &ir::Method,
    scope_types: &[ir::TypeDef],
    marks: &[Mark],
) -> Report {
    let spec_types = IrTypes {
        lists: [&method.types, scope_types],
    };
    let shared = IrTypes {
        lists: [&[], scope_types],
    };
    let draft_types = DraftTypes {
        draft,
        shared: &shared,
    };

    let page_params = params_flat(
        draft.params.iter().map(|p| (&p.name, &p.ty, p.required)),
        &draft_types,
    );
    let spec_param_shapes: Vec<(&String, Shape, bool)> = method
        .params
        .iter()
        .map(|p| (&p.wire, shape::from_ir(&p.ty), p.required))
        .collect();
    let spec_params = params_flat(
        spec_param_shapes
            .iter()
            .map(|(name, ty, required)| (*name, ty, *required)),
        &spec_types,
    );
    let mut page_fields = Vec::new();
    shape::flatten(
        &draft.page_result,
        "result",
        true,
        &shared,
        &mut page_fields,
    );
    let mut draft_fields = Vec::new();
    shape::flatten(
        &draft.result,
        "result",
        true,
        &draft_types,
        &mut draft_fields,
    );
    let mut spec_fields = Vec::new();
    shape::flatten(
        &shape::from_ir(&method.result),
        "result",
        true,
        &spec_types,
        &mut spec_fields,
    );

    let mut entries = Vec::new();
    diff_flat(Item::Param, &page_params, &spec_params, true, &mut entries);
    let spec_fields = object_shapes_shown(&spec_fields, &page_fields);
    diff_flat(Item::Field, &page_fields, &spec_fields, false, &mut entries);
    let page_codes: BTreeSet<&str> = draft.errors.iter().map(|e| e.code.as_str()).collect();
    let spec_codes: BTreeSet<&str> = method.errors.iter().map(|e| e.code.as_str()).collect();
    for code in page_codes.difference(&spec_codes) {
        entries.push(entry(Item::Error, code, Diff::PageOnly));
    }
    for code in spec_codes.difference(&page_codes) {
        entries.push(entry(Item::Error, code, Diff::SpecOnly));
    }

    for e in &mut entries {
        e.expected = marks
            .iter()
            .find(|m| m.item == e.item && m.name == e.name)
            .map(|m| m.why.clone());
    }
    for m in marks {
        if !entries.iter().any(|e| e.item == m.item && e.name == m.name) {
            entries.push(entry(m.item, &m.name, Diff::StaleMark));
        }
    }

    let spec_errors: BTreeMap<&str, BTreeSet<u16>> = method
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e.statuses.iter().copied().collect()))
        .collect();
    let error_hits = draft
        .errors
        .iter()
        .filter(|e| {
            spec_errors
                .get(e.code.as_str())
                .is_some_and(|s| *s == e.statuses.iter().copied().collect::<BTreeSet<_>>())
        })
        .count();
    let mut misses = Vec::new();
    let params = hits(
        &top_level(page_params),
        &top_level(spec_params),
        &mut misses,
    );
    let spec_shown = shown(&spec_fields, &draft_fields);
    let fields = hits(&draft_fields, &spec_shown, &mut misses);
    let fields_typed = typed_hits(&draft_fields, &spec_shown);
    Report {
        method: method.wire.clone(),
        entries,
        accuracy: Accuracy {
            params,
            fields,
            fields_typed,
            errors: (error_hits, spec_errors.len()),
        },
        misses,
    }
}

fn entry(item: Item, name: &str, diff: Diff) -> Entry {
    Entry {
        item,
        name: name.to_owned(),
        diff,
        expected: None,
    }
}

fn params_flat<'a>(
    params: impl Iterator<Item = (&'a String, &'a Shape, bool)>,
    types: &dyn Types,
) -> Vec<Flat> {
    let mut out = Vec::new();
    for (name, ty, required) in params {
        shape::flatten(ty, name, required, types, &mut out);
    }
    out
}

/// Curated entries the draft reproduces with the same path, type and required flag; the others
/// are added to `misses`.
fn hits(draft: &[Flat], spec: &[Flat], misses: &mut Vec<String>) -> (usize, usize) {
    let drafted: BTreeMap<&str, &Flat> = draft.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut hit = 0;
    for f in spec {
        match drafted.get(f.path.as_str()) {
            Some(d) if same_type(d, f) && d.required == f.required => hit += 1,
            Some(d) => misses.push(format!(
                "{}: draft `{}`{}, spec `{}`{}",
                f.path,
                d.ty,
                if d.required { " required" } else { "" },
                f.ty,
                if f.required { " required" } else { "" }
            )),
            None => misses.push(format!("{}: not drafted", f.path)),
        }
    }
    (hit, spec.len())
}

/// Below a `one_of` value, object shapes (told apart by a key, `when_key`) share one path
/// prefix; a page documents one of them, so a field of an object shape counts only where the
/// page has it (`im.chat.get`: the page shows `{"ID": ..}`, the server also sends a whole chat).
fn object_shapes_shown(spec: &[Flat], page: &[Flat]) -> Vec<Flat> {
    let one_ofs = one_of_paths(spec);
    spec.iter()
        .filter(|f| {
            let below_object_shape = one_ofs.iter().any(|p| {
                f.path
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('.'))
            });
            !below_object_shape || page.iter().any(|d| d.path == f.path)
        })
        .cloned()
        .collect()
}

/// The paths of the `one_of` values among the curated entries.
fn one_of_paths(spec: &[Flat]) -> Vec<&str> {
    spec.iter()
        .filter(|f| !f.alternatives.is_empty())
        .map(|f| f.path.as_str())
        .collect()
}

/// The curated entries a page can show: below a `one_of` value, only the fields of the shapes
/// the draft has (a page documents one shape of `im.user.list.get`'s list-or-map; the other's
/// fields are not the draft's misses).
fn shown(spec: &[Flat], draft: &[Flat]) -> Vec<Flat> {
    let one_ofs = one_of_paths(spec);
    spec.iter()
        .filter(|f| {
            one_ofs.iter().all(|p| {
                let Some(rest) = f.path.strip_prefix(p) else {
                    return true;
                };
                // `result{}.id` below `result`: the shape is the map (`result{}`).
                let container = match rest.chars().next() {
                    Some('[') => format!("{p}[]"),
                    Some('{') => format!("{p}{{}}"),
                    Some('.') => format!("{p}."),
                    _ => return true,
                };
                draft.iter().any(|d| d.path.starts_with(&container))
            })
        })
        .cloned()
        .collect()
}

/// Curated entries the draft reproduces with the same path and type, whatever `required` says.
fn typed_hits(draft: &[Flat], spec: &[Flat]) -> (usize, usize) {
    let drafted: BTreeMap<&str, &Flat> = draft.iter().map(|f| (f.path.as_str(), f)).collect();
    let hit = spec
        .iter()
        .filter(|f| {
            drafted
                .get(f.path.as_str())
                .is_some_and(|d| same_type(d, f))
        })
        .count();
    (hit, spec.len())
}

/// The draft has the curated type, or one of the shapes of a curated `one_of`.
fn same_type(draft: &Flat, spec: &Flat) -> bool {
    draft.ty == spec.ty || spec.types().contains(&draft.ty.as_str())
}

/// Only the parameters themselves (not the fields of their object types).
fn top_level(flat: Vec<Flat>) -> Vec<Flat> {
    flat.into_iter()
        .filter(|f| !f.path.contains(['.', '[', '{']))
        .collect()
}

fn diff_flat(item: Item, page: &[Flat], spec: &[Flat], params: bool, out: &mut Vec<Entry>) {
    let page_map: BTreeMap<&str, &Flat> = page.iter().map(|f| (f.path.as_str(), f)).collect();
    let spec_map: BTreeMap<&str, &Flat> = spec.iter().map(|f| (f.path.as_str(), f)).collect();
    // Below a `json` value one side says nothing about the fields: no drift to report there.
    let opaque = |path: &str, map: &BTreeMap<&str, &Flat>| {
        map.iter().any(|(p, f)| {
            f.ty.starts_with("json")
                && path.len() > p.len()
                && path.starts_with(p)
                && path
                    .get(p.len()..)
                    .is_some_and(|rest| rest.starts_with(['.', '[', '{']))
        })
    };
    for (path, f) in &page_map {
        match spec_map.get(path) {
            None if !opaque(path, &spec_map) && !under_missing(path, &spec_map) => {
                out.push(entry(item, path, Diff::PageOnly));
            }
            None => {}
            Some(s) => {
                // A `one_of` on either side: any of its shapes will do.
                let fits = f
                    .types()
                    .iter()
                    .any(|a| s.types().iter().any(|b| compatible(a, b)));
                if !fits {
                    out.push(entry(
                        item,
                        path,
                        Diff::Type {
                            page: f.ty.clone(),
                            spec: s.ty.clone(),
                        },
                    ));
                } else if params && f.required != s.required {
                    out.push(entry(item, path, Diff::Required { page: f.required }));
                }
            }
        }
    }
    for path in spec_map.keys() {
        if !page_map.contains_key(path)
            && !opaque(path, &page_map)
            && !under_missing(path, &page_map)
        {
            out.push(entry(item, path, Diff::SpecOnly));
        }
    }
}

/// Whether a parent of `path` is itself missing from `other` (then only the parent is reported).
fn under_missing(path: &str, other: &BTreeMap<&str, &Flat>) -> bool {
    let mut cut = path.len();
    while let Some(at) = path.get(..cut).and_then(|p| p.rfind(['.', '[', '{'])) {
        let parent = path.get(..at).unwrap_or("");
        if parent.is_empty() {
            return false;
        }
        if !other.contains_key(parent) {
            return true;
        }
        cut = at;
    }
    false
}

/// Whether two canonical types are of the same kind, at the coarseness of a reference page
/// (`integer` covers every integer type, `string` covers enums and dialog ids).
fn compatible(page: &str, spec: &str) -> bool {
    let (a, b) = (class(page), class(spec));
    a == b
        || a == "any"
        || b == "any"
        || matches!(
            (a, b),
            ("boolean", "string")
                | ("string", "boolean")
                | ("integer", "number")
                | ("number", "integer")
                | ("map", "object")
                | ("object", "map")
        )
}

fn class(canonical: &str) -> &'static str {
    let base = canonical.split('|').next().unwrap_or("");
    if base.starts_with("comma_list<") {
        // One string on the wire ("bot,email").
        return "string";
    }
    if base.starts_with("list<") {
        return "list";
    }
    if base.starts_with("map<") {
        return "map";
    }
    match base {
        "u64" | "u32" | "i64" | "i32" => "integer",
        "f64" => "number",
        "bool" | "yes_no" => "boolean",
        "string" | "dialog_id" | "day_month" | "date" | "enum" => "string",
        "datetime" => "datetime",
        "object" => "object",
        _ => "any",
    }
}
