//! Stage 2: raw spec files to the IR, checking everything and collecting every problem.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use crate::de::{self, DeError, Sp};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::ir::{self, Absence, Builtin, NamedKind, Ty};
use crate::names;
use crate::raw;
use crate::source::{FileId, SourceSet};
use crate::typeexpr::{self, AbsentForm, Expr};
use crate::yaml;

/// Where a spec file sits and what it holds.
enum FileKind {
    Errors,
    Types { scope: String },
    Method { scope: String, stem: String },
}

fn classify(path: &str) -> Option<Result<FileKind, String>> {
    let rel = path.strip_prefix("spec/")?;
    if !rel.ends_with(".yaml") {
        return None;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    Some(match parts.as_slice() {
        ["_system", "errors.yaml"] => Ok(FileKind::Errors),
        [scope, "_types.yaml"] => Ok(FileKind::Types {
            scope: (*scope).to_owned(),
        }),
        [scope, file] if !scope.starts_with('_') && !file.starts_with('_') => {
            Ok(FileKind::Method {
                scope: (*scope).to_owned(),
                stem: file.trim_end_matches(".yaml").to_owned(),
            })
        }
        _ => Err(format!(
            "`{path}` is not where spec files go: methods live in `spec/<scope>/<method>.yaml`, shared types in `spec/<scope>/_types.yaml`, system errors in `spec/_system/errors.yaml`"
        )),
    })
}

struct MethodFile {
    file: FileId,
    scope: String,
    stem: String,
    spec: raw::MethodSpec,
}

struct TypesFile {
    file: FileId,
    scope: String,
    spec: raw::TypesSpec,
}

/// A type known to a scope, before lowering.
struct TypeEntry<'a> {
    file: FileId,
    module: String,
    def: &'a raw::TypeDef,
    kind: NamedKind,
    shared: bool,
}

pub(crate) struct Lowerer<'s> {
    sources: &'s SourceSet,
    diags: Diagnostics,
    /// Scopes whose types file failed to load: unknown-type errors there would be noise.
    broken_types: BTreeSet<String>,
}

impl<'s> Lowerer<'s> {
    pub(crate) fn new(sources: &'s SourceSet) -> Self {
        Self {
            sources,
            diags: Diagnostics::default(),
            broken_types: BTreeSet::new(),
        }
    }

    fn error(
        &mut self,
        file: FileId,
        range: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(message, Span::new(file, range), label))
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn de_error(&mut self, file: FileId, err: DeError) {
        let range = err.span.unwrap_or(0..0);
        let mut d = Diagnostic::error(err.message, Span::new(file, range), "");
        if let Some(help) = err.help {
            d = d.with_help(help);
        }
        self.push(d);
    }

    fn load<T: for<'a> serde::Deserialize<'a>>(&mut self, file: FileId) -> Option<T> {
        let text = self
            .sources
            .get(file)
            .map(|f| f.text.as_str())
            .unwrap_or("");
        let node = match yaml::parse(text) {
            Ok(node) => node,
            Err(err) => {
                self.error(
                    file,
                    err.span,
                    format!("YAML syntax error: {}", err.message),
                    "",
                )
                .help = Some("fix the YAML syntax; the rest of this file was not checked".into());
                return None;
            }
        };
        let (value, problems) = de::from_node::<T>(&node);
        for problem in problems {
            self.de_error(file, problem);
        }
        value
    }

    pub(crate) fn run(mut self) -> Result<ir::Api, Diagnostics> {
        let mut methods = Vec::new();
        let mut types_files = Vec::new();
        let mut errors_file = None;
        let files: Vec<(FileId, String)> = self
            .sources
            .iter()
            .map(|(id, f)| (id, f.path.clone()))
            .collect();
        for (id, path) in files {
            match classify(&path) {
                None => {}
                Some(Err(message)) => {
                    self.error(id, 0..0, message, "").help = Some("move or rename the file".into());
                }
                Some(Ok(FileKind::Errors)) => {
                    errors_file = self.load::<raw::ErrorsSpec>(id).map(|spec| (id, spec));
                }
                Some(Ok(FileKind::Types { scope })) => match self.load::<raw::TypesSpec>(id) {
                    Some(spec) => types_files.push(TypesFile {
                        file: id,
                        scope,
                        spec,
                    }),
                    None => {
                        self.broken_types.insert(scope);
                    }
                },
                Some(Ok(FileKind::Method { scope, stem })) => {
                    if let Some(spec) = self.load::<raw::MethodSpec>(id) {
                        methods.push(MethodFile {
                            file: id,
                            scope,
                            stem,
                            spec,
                        });
                    }
                }
            }
        }

        let system_errors = match &errors_file {
            Some((file, spec)) => self.lower_system_errors(*file, spec),
            None => Vec::new(),
        };
        let system_codes: BTreeSet<String> = system_errors.iter().map(|e| e.code.clone()).collect();

        let mut scope_names: BTreeSet<String> = methods.iter().map(|m| m.scope.clone()).collect();
        scope_names.extend(types_files.iter().map(|t| t.scope.clone()));
        let mut scopes = Vec::new();
        for scope in scope_names {
            let scope_methods: Vec<&MethodFile> =
                methods.iter().filter(|m| m.scope == scope).collect();
            let scope_types = types_files.iter().find(|t| t.scope == scope);
            scopes.push(self.lower_scope(&scope, &scope_methods, scope_types, &system_codes));
        }

        if self.diags.is_empty() {
            Ok(ir::Api {
                system_errors,
                scopes,
            })
        } else {
            self.diags.sort(self.sources);
            Err(self.diags)
        }
    }

    // -----------------------------------------------------------------------------------------
    // System errors
    // -----------------------------------------------------------------------------------------

    fn lower_system_errors(
        &mut self,
        file: FileId,
        spec: &raw::ErrorsSpec,
    ) -> Vec<ir::SystemError> {
        let mut out = Vec::new();
        let mut codes = Names::default();
        let mut variants = Names::default();
        for entry in spec.errors.iter().filter_map(|e| e.0.as_ref()) {
            let Some(variant) =
                self.variant_name(file, &entry.code, entry.rust_name.as_ref(), &["Unknown"])
            else {
                continue;
            };
            if !self.unique_code(file, &mut codes, &entry.code) {
                continue;
            }
            if !self.unique_rust(
                file,
                &mut variants,
                &variant,
                &entry.code,
                "error codes",
                "variant",
            ) {
                continue;
            }
            out.push(ir::SystemError {
                code: entry.code.value.clone(),
                variant: variant.value,
                status: entry.status.value,
                messages: entry.messages.clone(),
                doc: entry.doc.clone(),
                execution: entry.execution,
                retry: entry.retry,
            });
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    // -----------------------------------------------------------------------------------------
    // Scopes
    // -----------------------------------------------------------------------------------------

    fn lower_scope(
        &mut self,
        scope: &str,
        methods: &[&MethodFile],
        types_file: Option<&TypesFile>,
        system_codes: &BTreeSet<String>,
    ) -> ir::Scope {
        // Every type name of the scope, shared or local, with where it is defined.
        let mut table: BTreeMap<String, TypeEntry<'_>> = BTreeMap::new();
        let mut generated_names: HashMap<String, (FileId, Range<usize>)> = HashMap::new();
        for m in methods {
            let pascal = names::method_pascal(&m.stem);
            for suffix in ["Request", "ErrorCode"] {
                generated_names.insert(
                    format!("{pascal}{suffix}"),
                    (m.file, m.spec.method.span.clone()),
                );
            }
        }
        let shared = types_file
            .map(|t| (t.file, kept_refs(&t.spec.types), "types".to_owned(), true))
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
                self.lower_method(&resolver, m, types, &shared_types, system_codes)
            {
                out_methods.push(method);
            }
        }
        out_methods.sort_by(|a, b| a.wire.cmp(&b.wire));

        // Shared types nobody uses are almost always a mistake (a renamed reference).
        let mut used = BTreeSet::new();
        let mut pending: Vec<String> = Vec::new();
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
        }
    }

    fn type_kind(&mut self, file: FileId, def: &raw::TypeDef) -> Option<NamedKind> {
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

    fn check_type_name(
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

    // -----------------------------------------------------------------------------------------
    // Types
    // -----------------------------------------------------------------------------------------

    fn lower_type(
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
                    let Some(variant) =
                        self.variant_name(file, &v.value, v.rust_name.as_ref(), &["Unknown"])
                    else {
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

    fn lower_fields(
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

    // -----------------------------------------------------------------------------------------
    // Methods
    // -----------------------------------------------------------------------------------------

    fn lower_method(
        &mut self,
        resolver: &Resolver<'_, '_>,
        m: &MethodFile,
        types: Vec<ir::TypeDef>,
        shared: &[ir::TypeDef],
        system_codes: &BTreeSet<String>,
    ) -> Option<ir::Method> {
        let file = m.file;
        let spec = &m.spec;
        let path = self.sources.path(file).to_owned();
        let expected = format!("{}.{}", m.scope, m.stem);
        let mut ok = true;
        if spec.method.value != expected {
            let tail = spec.method.value.strip_prefix(&format!("{}.", m.scope));
            let help = match tail {
                Some(tail) => format!(
                    "rename the file to `spec/{}/{tail}.yaml`, or set `method: {expected}`",
                    m.scope
                ),
                None => format!(
                    "methods in `spec/{}/` start with `{}.`; move the file or fix `method:`",
                    m.scope, m.scope
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

        // Parameters.
        let mut wires = Names::default();
        let mut rusts = Names::default();
        let mut params = Vec::new();
        let mut param_spans: HashMap<String, Range<usize>> = HashMap::new();
        for p in spec.params.iter().filter_map(|p| p.0.as_ref()) {
            if !self.unique_wire(file, &mut wires, &p.name, "parameter", &spec.method.value) {
                ok = false;
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
            params.push(ir::Param {
                wire: p.name.value.clone(),
                rust: rust.value,
                ty,
                required: p.required,
                default: p.default.as_ref().map(|d| d.value.clone()),
                min: p.min.as_ref().map(|v| v.value),
                max: p.max.as_ref().map(|v| v.value),
                doc: p.doc.clone(),
            });
        }

        let result = resolver.resolve(self, file, &spec.result.ty);

        // Errors.
        let mut codes = Names::default();
        let mut variants = Names::default();
        let mut errors = Vec::new();
        for e in spec.errors.iter().filter_map(|e| e.0.as_ref()) {
            if !self.unique_code(file, &mut codes, &e.code) {
                ok = false;
                continue;
            }
            let Some(variant) =
                self.variant_name(file, &e.code, e.rust_name.as_ref(), &["System", "Unknown"])
            else {
                ok = false;
                continue;
            };
            if !self.unique_rust(
                file,
                &mut variants,
                &variant,
                &e.code,
                "error codes",
                "variant",
            ) {
                ok = false;
                continue;
            }
            errors.push(ir::ErrorCode {
                code: e.code.value.clone(),
                variant: variant.value,
                statuses: e.status.0.clone(),
                messages: e.messages.clone(),
                doc: e.doc.clone(),
            });
        }

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

        // Examples.
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut examples = Vec::new();
        for ex in spec.examples.iter().filter_map(|e| e.0.as_ref()) {
            let ex_path = normalize(&format!("{dir}/{}", ex.file.value));
            let Some(ex_file) = self.sources.find(&ex_path) else {
                self.error(
                    file,
                    ex.file.span.clone(),
                    format!("example file `{ex_path}` not found"),
                    "",
                )
                .help = Some("example paths are relative to the spec file".into());
                ok = false;
                continue;
            };
            let text = self
                .sources
                .get(ex_file)
                .map(|f| f.text.clone())
                .unwrap_or_default();
            match serde_json::from_str::<serde_json::Value>(&text) {
                Err(err) => {
                    let at = offset_of(&text, err.line(), err.column());
                    self.error(
                        ex_file,
                        at..at + 1,
                        format!("example is not valid JSON: {err}"),
                        "",
                    )
                    .help = Some(
                        "examples are response bodies exactly as the server sends them".into(),
                    );
                    ok = false;
                    continue;
                }
                Ok(body) => {
                    let body_error = body
                        .get("error")
                        .and_then(|e| e.as_str())
                        .map(str::to_owned);
                    match (&ex.error, &body_error) {
                        (Some(expected), Some(found)) if expected.value != *found => {
                            self.error(
                                file,
                                expected.span.clone(),
                                format!(
                                    "the example body carries `{found}`, not `{}`",
                                    expected.value
                                ),
                                "",
                            )
                            .help = Some(format!("set `error: {found}`"));
                            ok = false;
                        }
                        (Some(expected), None) => {
                            self.error(
                                file,
                                expected.span.clone(),
                                "the example body is not an error answer",
                                "",
                            )
                            .help = Some("drop `error:` for a successful response".into());
                            ok = false;
                        }
                        (None, Some(found)) => {
                            self.error(
                                file,
                                ex.file.span.clone(),
                                format!("the example body is the error `{found}`"),
                                "",
                            )
                            .help = Some(format!("add `error: {found}` to the example"));
                            ok = false;
                        }
                        _ => {}
                    }
                    if let Some(expected) = &ex.error
                        && !codes.contains(&expected.value)
                        && !system_codes.contains(&expected.value)
                    {
                        self.error(
                            file,
                            expected.span.clone(),
                            format!(
                                "`{}` is neither an error of this method nor a system error",
                                expected.value
                            ),
                            "",
                        )
                        .help = Some("document the code under `errors:`".into());
                        ok = false;
                    }
                }
            }
            examples.push(ir::Example {
                path: ex_path,
                doc: ex.doc.clone(),
                status: ex.status.unwrap_or(200),
                error: ex.error.as_ref().map(|e| e.value.clone()),
            });
        }

        let result = result?;
        if !ok {
            return None;
        }
        let pascal = names::method_pascal(&m.stem);
        Some(ir::Method {
            wire: spec.method.value.clone(),
            source_path: path,
            module: names::module(&pascal),
            pascal,
            scope: spec.scope.value.clone(),
            summary: spec.summary.clone(),
            doc: spec.doc.clone(),
            docs_url: spec.docs_url.value.clone(),
            read_only: spec.read_only,
            batch: spec.batch.unwrap_or(true),
            params,
            result,
            result_doc: spec.result.doc.clone(),
            pagination,
            errors,
            types,
            examples,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_pagination(
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
        // The item type: `result` itself or the `items` field of the result object.
        let list_of = |ty: &Ty| -> Option<Ty> {
            match ty.present() {
                Ty::List(inner) => Some((**inner).clone()),
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

    // -----------------------------------------------------------------------------------------
    // Names
    // -----------------------------------------------------------------------------------------

    fn field_name(
        &mut self,
        file: FileId,
        wire: &Sp<String>,
        explicit: Option<&Sp<String>>,
    ) -> Option<Sp<String>> {
        let (name, span) = match explicit {
            Some(r) => (r.value.clone(), r.span.clone()),
            None => (names::field(&wire.value), wire.span.clone()),
        };
        let problem = names::ident_problem(&name)
            .or_else(|| (name == "new").then(|| "`new` is the constructor".to_owned()))
            .or_else(|| (name.is_empty()).then(|| "the name is empty".to_owned()));
        if let Some(problem) = problem {
            let help = if name == "type" {
                "add `rust_name:` with a clear name, e.g. `rust_name: kind`".to_owned()
            } else {
                "add `rust_name:` with a valid snake_case name".to_owned()
            };
            let message = if explicit.is_some() {
                format!("`rust_name` {problem}")
            } else {
                format!(
                    "`{}` becomes the Rust field `{name}`, but {problem}",
                    wire.value
                )
            };
            self.error(file, span, message, "").help = Some(help);
            return None;
        }
        Some(Sp {
            value: name,
            span: wire.span.clone(),
        })
    }

    fn variant_name(
        &mut self,
        file: FileId,
        wire: &Sp<String>,
        explicit: Option<&Sp<String>>,
        reserved: &[&str],
    ) -> Option<Sp<String>> {
        let (name, span) = match explicit {
            Some(r) => (r.value.clone(), r.span.clone()),
            None => (names::variant(&wire.value), wire.span.clone()),
        };
        let problem = if name.is_empty() {
            Some("it has no letters".to_owned())
        } else if reserved.contains(&name.as_str()) {
            Some(format!(
                "`{name}` is reserved for the generated fallback variant"
            ))
        } else {
            names::ident_problem(&name)
        };
        if let Some(problem) = problem {
            self.error(
                file,
                span,
                format!(
                    "`{}` becomes the Rust variant `{name}`, but {problem}",
                    wire.value
                ),
                "",
            )
            .help = Some("add `rust_name:` with a PascalCase name".into());
            return None;
        }
        Some(Sp {
            value: name,
            span: wire.span.clone(),
        })
    }

    fn unique_wire(
        &mut self,
        file: FileId,
        seen: &mut Names,
        name: &Sp<String>,
        what: &str,
        owner: &str,
    ) -> bool {
        if let Some(first) = seen.insert(&name.value, &name.span) {
            self.push(
                Diagnostic::error(
                    format!("duplicate {what} `{}` in `{owner}`", name.value),
                    Span::new(file, name.span.clone()),
                    "listed again here",
                )
                .with_secondary(Span::new(file, first), "first listed here")
                .with_help(format!("remove one of the two {what}s")),
            );
            return false;
        }
        true
    }

    fn unique_code(&mut self, file: FileId, seen: &mut Names, code: &Sp<String>) -> bool {
        if let Some(first) = seen.insert(&code.value, &code.span) {
            self.push(
                Diagnostic::error(format!("duplicate error code `{}`", code.value), Span::new(file, code.span.clone()), "listed again here")
                    .with_secondary(Span::new(file, first), "first listed here")
                    .with_help("one entry per code: give it every `messages` text and `status: [403, 400]` for several statuses"),
            );
            return false;
        }
        true
    }

    fn unique_rust(
        &mut self,
        file: FileId,
        seen: &mut Names,
        rust: &Sp<String>,
        wire: &Sp<String>,
        what: &str,
        kind: &str,
    ) -> bool {
        if let Some(first) = seen.insert(&rust.value, &wire.span) {
            self.push(
                Diagnostic::error(
                    format!("two {what} become the Rust {kind} `{}`", rust.value),
                    Span::new(file, wire.span.clone()),
                    format!("`{}` becomes `{}` here", wire.value, rust.value),
                )
                .with_secondary(Span::new(file, first), "and here")
                .with_help("give one of them an explicit `rust_name:`"),
            );
            return false;
        }
        true
    }
}

/// First-seen spans of names, for duplicate reports.
#[derive(Default)]
struct Names(HashMap<String, Range<usize>>);

impl Names {
    /// Records `name`; returns the first span if it was already there.
    fn insert(&mut self, name: &str, span: &Range<usize>) -> Option<Range<usize>> {
        if let Some(first) = self.0.get(name) {
            return Some(first.clone());
        }
        self.0.insert(name.to_owned(), span.clone());
        None
    }

    fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

fn kept_refs(items: &[de::Tolerant<raw::TypeDef>]) -> Vec<&raw::TypeDef> {
    items.iter().filter_map(|t| t.0.as_ref()).collect()
}

fn type_refs(t: &ir::TypeDef, out: &mut Vec<String>) {
    match &t.kind {
        ir::TypeKind::Object(fields) => fields.iter().for_each(|f| f.ty.named(out)),
        ir::TypeKind::Enum(_) => {}
        ir::TypeKind::Union(variants) => variants.iter().for_each(|v| v.ty.named(out)),
    }
}

fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len();
    }
    text.len().saturating_sub(1)
}

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
struct Resolver<'t, 'a> {
    table: &'t BTreeMap<String, TypeEntry<'a>>,
    suppress_unknown: bool,
}

impl Resolver<'_, '_> {
    fn resolve(&self, lw: &mut Lowerer<'_>, file: FileId, text: &Sp<String>) -> Option<Ty> {
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
                Some(Ty::Optional(Box::new(base_ty), Absence::Form(*form)))
            }
        }
    }
}
