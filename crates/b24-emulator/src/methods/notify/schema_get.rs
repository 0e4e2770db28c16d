//! `im.notify.schema.get`: the kinds of notification each module sends, keyed by module id:
//! the modules of the notifications in the portal, plus `im` and `rest`, which every portal has.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::methods::{Failure, Outcome, Read};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let mut kinds: BTreeSet<(String, String)> = [
        ("im".to_owned(), "message".to_owned()),
        ("rest".to_owned(), "rest_notify".to_owned()),
    ]
    .into_iter()
    .collect();
    kinds.extend(
        call.portal
            .notifications
            .iter()
            .map(|n| (n.module.clone(), n.event.clone())),
    );
    let mut out = Map::new();
    for (module, event) in &kinds {
        let entry = out
            .entry(module.clone())
            .or_insert_with(|| json!({"NAME": module, "MODULE_ID": module, "LIST": []}));
        if let Some(list) = entry.get_mut("LIST").and_then(Value::as_array_mut) {
            list.push(json!({"ID": format!("{module}|{event}"), "NAME": event}));
        }
    }
    let rows = kinds.len();
    Ok(Outcome::of(Value::Object(out), rows))
}
