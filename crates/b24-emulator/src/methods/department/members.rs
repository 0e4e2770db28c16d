//! `im.department.employees.get` and `im.department.managers.get`: the people (or the head) of
//! each department asked for, keyed by department id; ids, or user objects with `USER_DATA=Y`.
//! No usable id is `ID_EMPTY`; unknown departments are left out.

use serde_json::{Map, Value};

use super::{intranet_only, user_data};
use crate::methods::{Failure, Outcome, Read, render};
use crate::php::positive_ids;
use crate::portal::{Portal, User};

fn by_department<'p>(
    call: &Read<'p>,
    people: impl Fn(&'p Portal, u64) -> Vec<&'p User>,
) -> Result<Outcome, Failure> {
    intranet_only(call.portal, call.caller)?;
    let ids = positive_ids(call.params.get("ID"));
    if ids.is_empty() {
        return Err(Failure::new(
            400,
            "ID_EMPTY",
            "Department ID can't be empty",
        ));
    }
    let portal = call.portal;
    let objects = user_data(&call.params);
    let mut rows = 0;
    let mut out = Map::new();
    for id in ids
        .into_iter()
        .filter(|id| portal.department(*id).is_some())
    {
        let list: Vec<Value> = people(portal, id)
            .into_iter()
            .map(|u| {
                if objects {
                    render::user(portal, u)
                } else {
                    Value::from(u.id)
                }
            })
            .collect();
        rows += list.len();
        out.insert(id.to_string(), Value::Array(list));
    }
    Ok(Outcome::of(Value::Object(out), rows))
}

pub(super) fn employees(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    by_department(call, |portal, id| portal.department_employees(id).collect())
}

pub(super) fn managers(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    by_department(call, |portal, id| {
        portal
            .department(id)
            .and_then(|d| d.head)
            .and_then(|h| portal.user(h))
            .into_iter()
            .collect()
    })
}
