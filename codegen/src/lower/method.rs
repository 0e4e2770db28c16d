//! A method file: the method's own checks, its parameters, and the assembly of `ir::Method`.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use super::resolve::Resolver;
use super::{Lowerer, MethodFile, Names};
use crate::diag::{Diagnostic, Span};
use crate::ir::{self, Ty};
use crate::names;
use crate::raw;
use crate::source::FileId;

impl Lowerer<'_> {
    pub(super) fn lower_method(
        &mut self,
        resolver: &Resolver<'_, '_>,
        m: &MethodFile,
        types: Vec<ir::TypeDef>,
        shared: &[ir::TypeDef],
        system_codes: &BTreeSet<String>,
        prefix: &str,
    ) -> Option<ir::Method> {
        let file = m.file;
        let spec = &m.spec;
        let path = self.sources.path(file).to_owned();
        let expected = format!("{prefix}.{}", m.stem);
        let mut ok = true;
        if spec.method.value != expected {
            let tail = spec.method.value.strip_prefix(&format!("{prefix}."));
            let help = match tail {
                Some(tail) => format!(
                    "rename the file to `spec/{}/{tail}.yaml`, or set `method: {expected}`",
                    m.scope
                ),
                None => format!(
                    "methods in `spec/{}/` start with `{prefix}.`; move the file or fix `method:`",
                    m.scope
                ),
            };
            self.error(
                file,
                spec.method.span.clone(),
                format!(
                    "file name `{}.yaml` does not match the method `{}`",
                    m.stem, spec.method.value
                ),
                format!("expected `{expected}`"),
            )
            .help = Some(help);
            ok = false;
        }
        if !spec.docs_url.value.starts_with("https://") {
            self.error(
                file,
                spec.docs_url.span.clone(),
                "`docs_url` must be an https:// link",
                "",
            )
            .help = Some("link the official reference page".into());
            ok = false;
        }
        if spec.scope.value.is_empty()
            || !spec
                .scope
                .value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
        {
            self.error(
                file,
                spec.scope.span.clone(),
                format!("`{}` is not a permission scope", spec.scope.value),
                "",
            )
            .help = Some("scopes are lower-case words such as `im`".into());
            ok = false;
        }

        let mut param_spans: HashMap<String, Range<usize>> = HashMap::new();
        let (params, bot_params, params_ok) =
            self.lower_params(resolver, file, spec, &mut param_spans);
        ok &= params_ok;

        let (one_of_params, groups_ok) = self.lower_param_groups(file, spec, &params);
        ok &= groups_ok;

        let result = resolver.resolve(self, file, &spec.result.ty);

        let mut codes = Names::default();
        let (errors, errors_ok) = self.lower_error_codes(file, &spec.errors, &mut codes);
        ok &= errors_ok;

        let pagination = spec.pagination.as_ref().and_then(|p| {
            self.lower_pagination(
                file,
                p,
                &params,
                &param_spans,
                result.as_ref(),
                &types,
                shared,
            )
        });

        let (examples, examples_ok) =
            self.lower_examples(file, &path, &spec.examples, &codes, system_codes);
        ok &= examples_ok;

        let result = result?;
        let skip = self.skip_patterns(file, &spec.result, &result, &types, shared);
        if !ok {
            return None;
        }
        let skip = skip?;
        let pascal = names::method_pascal(&m.stem);
        let group = names::group(&m.stem).to_owned();
        Some(ir::Method {
            wire: spec.method.value.clone(),
            source_path: path,
            module: names::module(&pascal),
            request: names::request_type(&pascal),
            error_code: names::error_type(&pascal),
            feature: names::feature(&group),
            group,
            pascal,
            scope: spec.scope.value.clone(),
            summary: spec.summary.clone(),
            doc: spec.doc.clone(),
            docs_url: spec.docs_url.value.clone(),
            read_only: spec.read_only,
            batch: spec.batch.unwrap_or(true),
            deprecated: spec
                .deprecated
                .as_ref()
                .map(|d| (d.replacement.value.clone(), d.note.clone())),
            params,
            one_of_params,
            bot_params,
            result,
            result_doc: spec.result.doc.clone(),
            pagination,
            errors,
            types,
            examples,
            skip,
        })
    }

    /// Where `result` holds entries to skip when they do not decode: the result itself when it
    /// is a list or map (unless `skip_bad_entries: false`), and every list or map field a
    /// result type reaches whose `skip_bad_entries` is not `false`.
    fn skip_patterns(
        &mut self,
        file: FileId,
        spec: &raw::ResultSpec,
        result: &Ty,
        local: &[ir::TypeDef],
        shared: &[ir::TypeDef],
    ) -> Option<Vec<Vec<ir::SkipStep>>> {
        let find = |name: &str| local.iter().chain(shared).find(|t| t.name == name);
        let container = |ty: &Ty| match ty.present() {
            Ty::List(_) | Ty::Map(..) => true,
            Ty::Named { name, .. } => find(name).is_some_and(|t| match &t.kind {
                ir::TypeKind::OneOf(shapes) => shapes
                    .iter()
                    .any(|s| matches!(s.ty, Ty::List(_) | Ty::Map(..))),
                _ => false,
            }),
            _ => false,
        };
        if let Some(flag) = &spec.skip_bad_entries
            && !container(result)
        {
            self.error(
                file,
                flag.span.clone(),
                "`skip_bad_entries` applies to a result that is a list or a map",
                "",
            )
            .help = Some("drop the key; list and map fields have their own".into());
            return None;
        }
        let mut out = Vec::new();
        let top = spec.skip_bad_entries.as_ref().is_none_or(|f| f.value);
        skip_walk(
            result,
            &mut Vec::new(),
            top,
            &find,
            &mut Vec::new(),
            &mut out,
        );
        out.sort();
        out.dedup();
        Some(out)
    }

    /// The `one_of_params` groups: each names two or more distinct optional parameters of the
    /// method; `false` when one of them is broken.
    fn lower_param_groups(
        &mut self,
        file: FileId,
        spec: &raw::MethodSpec,
        params: &[ir::Param],
    ) -> (Vec<ir::ParamGroup>, bool) {
        let mut ok = true;
        let mut groups = Vec::new();
        for g in spec.one_of_params.iter().filter_map(|g| g.0.as_ref()) {
            let mut names: Vec<String> = Vec::new();
            let mut group_ok = true;
            for name in &g.params.value {
                let known = params.iter().find(|p| p.wire == name.value);
                let problem = match known {
                    None => Some((
                        format!("`{}` is not a parameter of this method", name.value),
                        format!(
                            "list parameters of `params:`; known: {}",
                            params
                                .iter()
                                .map(|p| format!("`{}`", p.wire))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                    Some(p) if p.required => Some((
                        format!(
                            "`{}` is required, so it cannot be one of a group",
                            name.value
                        ),
                        "drop `required: true` from the parameter, or drop it from the group"
                            .to_owned(),
                    )),
                    Some(_) if names.contains(&name.value) => Some((
                        format!("`{}` is listed twice in the group", name.value),
                        "list each parameter once".to_owned(),
                    )),
                    Some(_) => None,
                };
                if let Some((message, help)) = problem {
                    self.error(file, name.span.clone(), message, "").help = Some(help);
                    group_ok = false;
                } else {
                    names.push(name.value.clone());
                }
            }
            if group_ok && names.len() < 2 {
                self.error(
                    file,
                    g.params.span.clone(),
                    "a group of alternative parameters needs at least two",
                    "",
                )
                .help = Some("mark a single parameter `required: true` instead".into());
                group_ok = false;
            }
            if g.why.value.trim().is_empty() {
                self.error(file, g.why.span.clone(), "`why` is empty", "")
                    .help = Some("say what the server answers when none of them is sent".into());
                group_ok = false;
            }
            if group_ok {
                groups.push(ir::ParamGroup {
                    params: names,
                    why: g.why.value.clone(),
                });
            }
            ok &= group_ok;
        }
        (groups, ok)
    }

    /// The parameters, in spec order; `false` when one of them is broken.
    fn lower_params(
        &mut self,
        resolver: &Resolver<'_, '_>,
        file: FileId,
        spec: &raw::MethodSpec,
        param_spans: &mut HashMap<String, Range<usize>>,
    ) -> (Vec<ir::Param>, Vec<String>, bool) {
        let mut ok = true;
        let mut wires = Names::default();
        let mut rusts = Names::default();
        let mut params = Vec::new();
        let mut bot_params = Vec::new();
        for p in spec.params.iter().filter_map(|p| p.0.as_ref()) {
            if !self.unique_wire(file, &mut wires, &p.name, "parameter", &spec.method.value) {
                ok = false;
                continue;
            }
            if let Some(by) = &p.supplied_by {
                if names::BOT_HANDLE_PARAMS.contains(&p.name.value.as_str()) {
                    bot_params.push(p.name.value.clone());
                } else {
                    self.error(
                        file,
                        by.span.clone(),
                        format!("a bot handle does not supply `{}`", p.name.value),
                        "",
                    )
                    .help = Some(format!(
                        "a bot handle supplies only {}; drop `supplied_by`",
                        names::BOT_HANDLE_PARAMS.join(" and ")
                    ));
                    ok = false;
                }
                continue;
            }
            param_spans.insert(p.name.value.clone(), p.name.span.clone());
            let Some(rust) = self.field_name(file, &p.name, p.rust_name.as_ref()) else {
                ok = false;
                continue;
            };
            if !self.unique_rust(file, &mut rusts, &rust, &p.name, "parameters", "field") {
                ok = false;
                continue;
            }
            let Some(ty) = resolver.resolve(self, file, &p.ty) else {
                ok = false;
                continue;
            };
            for bound in [&p.min, &p.max].into_iter().flatten() {
                if !matches!(ty, Ty::Builtin(b) if b.is_integer()) {
                    self.error(
                        file,
                        bound.span.clone(),
                        "`min`/`max` apply to integer parameters only",
                        "",
                    )
                    .help = Some(format!("`{}` is not an integer type", p.ty.value));
                    ok = false;
                }
            }
            if let (Some(min), Some(max)) = (&p.min, &p.max)
                && min.value > max.value
            {
                self.push(
                    Diagnostic::error(
                        "`min` is larger than `max`",
                        Span::new(file, min.span.clone()),
                        "",
                    )
                    .with_secondary(Span::new(file, max.span.clone()), "max")
                    .with_help("swap them"),
                );
                ok = false;
            }
            if p.required
                && let Some(default) = &p.default
            {
                self.error(file, default.span.clone(), format!("required parameter `{}` has a default", p.name.value), "")
                    .help = Some("a default is what the server uses when the parameter is absent; drop it or make the parameter optional".into());
                ok = false;
            }
            if p.flatten
                && !matches!(
                    &ty,
                    Ty::Named {
                        kind: ir::NamedKind::Object,
                        ..
                    }
                )
            {
                self.error(
                    file,
                    p.ty.span.clone(),
                    "a flattened parameter must be an object type",
                    "",
                )
                .help =
                    Some("`flatten` sends the fields of an object as top-level parameters".into());
                ok = false;
            }
            params.push(ir::Param {
                wire: p.name.value.clone(),
                rust: rust.value,
                ty,
                required: p.required,
                flatten: p.flatten,
                default: p.default.as_ref().map(|d| d.value.clone()),
                min: p.min.as_ref().map(|v| v.value),
                max: p.max.as_ref().map(|v| v.value),
                doc: p.doc.clone(),
            });
        }
        if !bot_params.is_empty() && !bot_params.iter().any(|p| p == "botToken") {
            self.error(
                file,
                spec.method.span.clone(),
                "a bot handle supplies `botId` only together with `botToken`",
                "",
            )
            .help = Some("add `botToken` with `supplied_by: bot_handle`".into());
            ok = false;
        }
        (params, bot_params, ok)
    }
}

/// Collects skip patterns below `path`; `skip` says whether containers here skip bad entries.
fn skip_walk<'t>(
    ty: &Ty,
    path: &mut Vec<ir::SkipStep>,
    skip: bool,
    find: &dyn Fn(&str) -> Option<&'t ir::TypeDef>,
    stack: &mut Vec<String>,
    out: &mut Vec<Vec<ir::SkipStep>>,
) {
    match ty {
        Ty::Builtin(_) | Ty::CommaList(_) => {}
        Ty::Optional(inner, _) => skip_walk(inner, path, skip, find, stack, out),
        Ty::List(inner) | Ty::Map(_, inner) => {
            path.push(ir::SkipStep::Entry);
            if skip {
                out.push(path.clone());
            }
            skip_walk(inner, path, skip, find, stack, out);
            path.pop();
        }
        Ty::Named { name, .. } => {
            if stack.contains(name) {
                return;
            }
            let Some(def) = find(name) else {
                return;
            };
            stack.push(name.clone());
            match &def.kind {
                ir::TypeKind::Object(fields) => {
                    for f in fields {
                        path.push(ir::SkipStep::Key(f.wire.clone()));
                        skip_walk(&f.ty, path, f.skip, find, stack, out);
                        path.pop();
                    }
                }
                ir::TypeKind::Union(variants) => {
                    for v in variants {
                        path.push(ir::SkipStep::Key(v.wire.clone()));
                        skip_walk(&v.ty, path, true, find, stack, out);
                        path.pop();
                    }
                }
                ir::TypeKind::OneOf(shapes) => {
                    for s in shapes {
                        skip_walk(&s.ty, path, skip, find, stack, out);
                    }
                }
                ir::TypeKind::Enum(_) => {}
            }
            stack.pop();
        }
    }
}
