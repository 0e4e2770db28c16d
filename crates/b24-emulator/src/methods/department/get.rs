//! `im.department.get`: departments by id, in the order asked for, with the head as a user
//! object when `USER_DATA=Y`. Unknown ids are left out; no usable id is `INVALID_FORMAT`.

use serde_json::{Value, json};

use super::{intranet_only, user_data};
use crate::methods::{Failure, Outcome, Read, render};
use crate::php::positive_ids;
use crate::portal::Portal;

/// A department as the server formats it (`im.department.get`, `im.search.department.list`).
pub(in crate::methods) fn department(portal: &Portal, id: u64, with_head: bool) -> Option<Value> {
    let d = portal.department(id)?;
    let mut out = json!({
        "id": d.id,
        "name": d.name,
        "full_name": portal.department_full_name(d.id),
        "manager_user_id": d.head.unwrap_or(0),
    });
    if with_head
        && let Some(head) = d.head.and_then(|h| portal.user(h))
        && let Some(map) = out.as_object_mut()
    {
        map.insert("manager_user_data".into(), render::user(portal, head));
    }
    Some(out)
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    intranet_only(call.portal, call.caller)?;
    let ids = positive_ids(call.params.get("ID"));
    if ids.is_empty() {
        return Err(Failure::new(
            400,
            "INVALID_FORMAT",
            "A wrong format for the ID field is passed",
        ));
    }
    let with_head = user_data(&call.params);
    let found: Vec<Value> = ids
        .iter()
        .filter_map(|&id| department(call.portal, id, with_head))
        .collect();
    let rows = found.len();
    Ok(Outcome::of(Value::Array(found), rows))
}
