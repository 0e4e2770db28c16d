//! A scope's events (`events:` of `_types.yaml`): names, variants, data types, examples.

use super::resolve::Resolver;
use super::{Lowerer, Names, TypesFile};
use crate::ir::{self, NamedKind, Ty};
use crate::names;
use crate::raw::EventDeliveryKind;

impl Lowerer<'_> {
    /// The scope's events, in spec order; broken entries are reported and left out.
    pub(super) fn lower_events(
        &mut self,
        resolver: &Resolver<'_, '_>,
        types_file: &TypesFile,
    ) -> Vec<ir::Event> {
        let file = types_file.file;
        let path = self.sources.path(file).to_owned();
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let mut wires = Names::default();
        let mut variants = Names::default();
        let mut out = Vec::new();
        for def in types_file.spec.events.iter().filter_map(|e| e.0.as_ref()) {
            let mut ok = true;
            if def.name.value.is_empty() || def.name.value != def.name.value.to_ascii_uppercase() {
                self.error(
                    file,
                    def.name.span.clone(),
                    format!("event name `{}` is not upper case", def.name.value),
                    "",
                )
                .help =
                    Some("write the name as the server sends it (`ONIMBOTV2MESSAGEADD`)".into());
                ok = false;
            }
            if let Some(first) = wires.insert(&def.name.value, &def.name.span) {
                self.error(
                    file,
                    def.name.span.clone(),
                    format!("event `{}` is defined twice", def.name.value),
                    "",
                )
                .help = Some(format!("remove one (first at byte {})", first.start));
                ok = false;
            }
            if !names::is_pascal(&def.rust_name.value) {
                self.error(
                    file,
                    def.rust_name.span.clone(),
                    format!("variant name `{}` is not PascalCase", def.rust_name.value),
                    "",
                )
                .help = Some(format!("try `{}`", names::variant(&def.rust_name.value)));
                ok = false;
            } else if variants
                .insert(&def.rust_name.value, &def.rust_name.span)
                .is_some()
            {
                self.error(
                    file,
                    def.rust_name.span.clone(),
                    format!("two events become the variant `{}`", def.rust_name.value),
                    "",
                )
                .help = Some("give one of them another `rust_name`".into());
                ok = false;
            }
            let data = resolver.resolve(self, file, &def.data);
            if let Some(ty) = &data
                && !matches!(
                    ty,
                    Ty::Named {
                        kind: NamedKind::Object,
                        ..
                    }
                )
            {
                self.error(
                    file,
                    def.data.span.clone(),
                    format!(
                        "the data of an event is an object type, not `{}`",
                        def.data.value
                    ),
                    "",
                )
                .help = Some("name an object type of this scope".into());
                ok = false;
            }
            let mut examples = Vec::new();
            for ex in def.examples.iter().filter_map(|e| e.0.as_ref()) {
                let Some((ex_path, ex_file)) = self.example_file(file, &dir, &ex.file) else {
                    ok = false;
                    continue;
                };
                let text = self
                    .sources
                    .get(ex_file)
                    .map(|f| f.text.as_str())
                    .unwrap_or("");
                if ex.delivery != EventDeliveryKind::WebhookForm
                    && serde_json::from_str::<serde_json::Value>(text).is_err()
                {
                    self.error(
                        file,
                        ex.file.span.clone(),
                        format!("example `{ex_path}` is not valid JSON"),
                        "",
                    )
                    .help = Some("fetch and JSON webhook deliveries are JSON; a form body is `delivery: webhook_form`".into());
                    ok = false;
                    continue;
                }
                examples.push(ir::EventExample {
                    path: ex_path,
                    delivery: ex.delivery,
                    doc: ex.doc.clone(),
                });
            }
            if let (true, Some(data)) = (ok, data) {
                out.push(ir::Event {
                    wire: def.name.value.clone(),
                    variant: def.rust_name.value.clone(),
                    doc: def.doc.clone(),
                    data,
                    examples,
                });
            }
        }
        out
    }
}
