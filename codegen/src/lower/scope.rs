//! A scope: its type table (shared and method-local types), its methods, and unused types.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use super::resolve::Resolver;
use super::{Lowerer, MethodFile, TypeEntry, TypesFile, kept_refs};
use crate::de::Sp;
use crate::diag::{Diagnostic, Span};
use crate::ir::{self, Builtin};
use crate::names;
use crate::source::FileId;

impl Lowerer<'_> {
    pub(super) fn lower_scope(
        &mut self,
        scope: &str,
        methods: &[&MethodFile],
        types_file: Option<&TypesFile>,
        system_codes: &BTreeSet<String>,
    ) -> ir::Scope {
        // Every type name of the scope, shared or local, with where it is defined.
        let mut table: BTreeMap<String, TypeEntry<'_>> = BTreeMap::new();
        self.check_method_names(methods);
        let mut generated_names: HashMap<String, (FileId, Range<usize>)> = HashMap::new();
        for m in methods {
            let pascal = names::method_pascal(&m.stem);
            for name in [names::request_type(&pascal), names::error_type(&pascal)] {
                generated_names
                    .entry(name)
                    .or_insert_with(|| (m.file, m.spec.method.span.clone()));
            }
        }
        if let Some(t) = types_file
            && let Some(first) = t.spec.events.iter().find_map(|e| e.0.as_ref())
        {
            generated_names
                .entry(names::EVENTS_ENUM.to_owned())
                .or_insert_with(|| (t.file, first.name.span.clone()));
        }
        let shared = types_file
            .map(|t| {
                (
                    t.file,
                    kept_refs(&t.spec.types),
                    names::TYPES_MODULE.to_owned(),
                    true,
                )
            })
            .into_iter();
        let local = methods.iter().map(|m| {
            (
                m.file,
                kept_refs(&m.spec.types),
                names::module(&names::method_pascal(&m.stem)),
                false,
            )
        });
        for (file, defs, module, is_shared) in shared.chain(local) {
            for def in defs {
                let Some(kind) = self.type_kind(file, def) else {
                    continue;
                };
                if !self.check_type_name(file, &def.name, &generated_names) {
                    continue;
                }
                if let Some(first) = table.get(&def.name.value) {
                    let (first_file, first_span) = (first.file, first.def.name.span.clone());
                    self.push(
                        Diagnostic::error(
                            format!("type `{}` is defined twice", def.name.value),
                            Span::new(file, def.name.span.clone()),
                            "defined again here",
                        )
                        .with_secondary(Span::new(first_file, first_span), "first defined here")
                        .with_help(
                            "type names are shared by every method of the scope; rename one",
                        ),
                    );
                    continue;
                }
                table.insert(
                    def.name.value.clone(),
                    TypeEntry {
                        file,
                        module: module.clone(),
                        def,
                        kind,
                        shared: is_shared,
                    },
                );
            }
        }
        let prefix = types_file
            .and_then(|t| t.spec.method_prefix.as_ref())
            .map_or_else(|| scope.to_owned(), |p| p.value.clone());
        let resolver = Resolver {
            table: &table,
            suppress_unknown: self.broken_types.contains(scope),
        };

        let mut shared_types = Vec::new();
        let mut local_types: HashMap<FileId, Vec<ir::TypeDef>> = HashMap::new();
        for (name, entry) in &table {
            if let Some(def) = self.lower_type(&resolver, name, entry) {
                if entry.shared {
                    shared_types.push(def);
                } else {
                    local_types.entry(entry.file).or_default().push(def);
                }
            }
        }

        let mut out_methods = Vec::new();
        for m in methods {
            let types = local_types.remove(&m.file).unwrap_or_default();
            if let Some(method) =
                self.lower_method(&resolver, m, types, &shared_types, system_codes, &prefix)
            {
                out_methods.push(method);
            }
        }
        out_methods.sort_by(|a, b| a.wire.cmp(&b.wire));
        let events = types_file
            .map(|t| self.lower_events(&resolver, t))
            .unwrap_or_default();
        mark_types(&mut shared_types, &mut out_methods, &events);

        // Shared types nobody uses are almost always a mistake (a renamed reference).
        let mut used = BTreeSet::new();
        let mut pending: Vec<String> = Vec::new();
        for e in &events {
            e.data.named(&mut pending);
        }
        for m in &out_methods {
            m.result.named(&mut pending);
            for p in &m.params {
                p.ty.named(&mut pending);
            }
            for t in &m.types {
                type_refs(t, &mut pending);
            }
        }
        while let Some(name) = pending.pop() {
            if used.insert(name.clone())
                && let Some(t) = shared_types.iter().find(|t| t.name == name)
            {
                type_refs(t, &mut pending);
            }
        }
        // Only when every method lowered: a broken method may be the one that uses a type.
        if let Some(tf) = types_file
            && methods.len() == out_methods.len()
        {
            for def in kept_refs(&tf.spec.types) {
                if table.get(&def.name.value).is_some_and(|e| e.shared)
                    && !used.contains(&def.name.value)
                {
                    self.error(
                        tf.file,
                        def.name.span.clone(),
                        format!("type `{}` is defined but no method uses it", def.name.value),
                        "unused",
                    )
                    .help = Some(
                        "remove it, or refer to it from a method's params, result or types".into(),
                    );
                }
            }
        }

        ir::Scope {
            name: scope.to_owned(),
            types: shared_types,
            types_path: types_file.map(|t| self.sources.path(t.file).to_owned()),
            methods: out_methods,
            events,
        }
    }

    pub(super) fn check_type_name(
        &mut self,
        file: FileId,
        name: &Sp<String>,
        generated: &HashMap<String, (FileId, Range<usize>)>,
    ) -> bool {
        if !names::is_pascal(&name.value) {
            self.error(
                file,
                name.span.clone(),
                format!("type name `{}` is not PascalCase", name.value),
                "",
            )
            .help = Some(format!(
                "type names become Rust names; try `{}`",
                names::variant(&name.value)
            ));
            return false;
        }
        if Builtin::from_name(&name.value.to_lowercase()).is_some()
            && Builtin::from_name(&name.value).is_none()
            && ["String", "Bool", "Json"].contains(&name.value.as_str())
        {
            self.error(
                file,
                name.span.clone(),
                format!("type name `{}` shadows a builtin", name.value),
                "",
            )
            .help = Some("choose a more specific name".into());
            return false;
        }
        if let Some((gfile, gspan)) = generated.get(&name.value) {
            self.push(
                Diagnostic::error(
                    format!("type name `{}` collides with a generated type", name.value),
                    Span::new(file, name.span.clone()),
                    "",
                )
                .with_secondary(Span::new(*gfile, gspan.clone()), "this method generates it")
                .with_help("rename the type"),
            );
            return false;
        }
        true
    }
}

fn type_refs(t: &ir::TypeDef, out: &mut Vec<String>) {
    match &t.kind {
        ir::TypeKind::Object(fields) => fields.iter().for_each(|f| f.ty.named(out)),
        ir::TypeKind::Enum(_) => {}
        ir::TypeKind::Union(variants) => variants.iter().for_each(|v| v.ty.named(out)),
        ir::TypeKind::OneOf(shapes) => shapes.iter().for_each(|s| s.ty.named(out)),
    }
}

/// Decides, for every type of the scope, which side uses it (requests, responses) and which
/// method groups reach it.
pub(super) fn mark_types(
    shared: &mut [ir::TypeDef],
    methods: &mut [ir::Method],
    events: &[ir::Event],
) {
    let all: Vec<&ir::TypeDef> = shared
        .iter()
        .chain(methods.iter().flat_map(|m| m.types.iter()))
        .collect();
    let find = |name: &str| all.iter().copied().find(|t| t.name == name);
    let reach = |roots: Vec<String>| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut pending = roots;
        while let Some(name) = pending.pop() {
            if seen.insert(name.clone())
                && let Some(t) = find(&name)
            {
                type_refs(t, &mut pending);
            }
        }
        seen
    };
    let mut request_roots = Vec::new();
    let mut response_roots = Vec::new();
    for m in methods.iter() {
        for p in &m.params {
            p.ty.named(&mut request_roots);
        }
        m.result.named(&mut response_roots);
    }
    let mut event_roots = Vec::new();
    events.iter().for_each(|e| e.data.named(&mut event_roots));
    response_roots.extend(event_roots.iter().cloned());
    let request = reach(request_roots);
    let response = reach(response_roots);
    // The groups whose methods reach each type.
    let mut features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in methods.iter() {
        let mut roots = Vec::new();
        m.result.named(&mut roots);
        m.params.iter().for_each(|p| p.ty.named(&mut roots));
        m.types.iter().for_each(|t| type_refs(t, &mut roots));
        for name in reach(roots) {
            features.entry(name).or_default().insert(m.feature.clone());
        }
    }
    // Event data types compile with the events.
    for name in reach(event_roots) {
        features
            .entry(name)
            .or_default()
            .insert(names::EVENTS_FEATURE.to_owned());
    }
    let marks = |t: &mut ir::TypeDef| {
        t.request_side = request.contains(&t.name);
        t.response_side = response.contains(&t.name);
        t.features = features
            .get(&t.name)
            .map(|f| f.iter().cloned().collect())
            .unwrap_or_default();
    };
    shared.iter_mut().for_each(marks);
    methods
        .iter_mut()
        .flat_map(|m| m.types.iter_mut())
        .for_each(marks);
}
