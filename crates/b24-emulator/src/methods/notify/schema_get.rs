//! `im.notify.schema.get`: the kinds of notification each module sends, keyed by module id:
//! the modules of the notifications in the portal, plus `im` and `rest`, which every portal has.

use std::collections::{BTreeMap, BTreeSet};

use b24_im::{NotifySchemaEvent, NotifySchemaGetRequest as Method, NotifySchemaModule};

use crate::methods::{Failure, Outcome, Read};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let mut kinds: BTreeSet<(&str, &str)> = [("im", "message"), ("rest", "rest_notify")]
        .into_iter()
        .collect();
    kinds.extend(
        call.portal
            .notifications
            .iter()
            .map(|n| (n.module.as_str(), n.event.as_str())),
    );
    let mut out: BTreeMap<String, NotifySchemaModule> = BTreeMap::new();
    for (module, event) in &kinds {
        let entry = out.entry((*module).to_owned()).or_insert_with(|| {
            let mut m = NotifySchemaModule::default();
            m.name = Some((*module).to_owned());
            m.module_id = Some((*module).to_owned());
            m
        });
        let mut kind = NotifySchemaEvent::default();
        kind.id = format!("{module}|{event}");
        kind.name = Some((*event).to_owned());
        entry.list.get_or_insert_with(Vec::new).push(kind);
    }
    Outcome::of::<Method>(&out, kinds.len())
}
