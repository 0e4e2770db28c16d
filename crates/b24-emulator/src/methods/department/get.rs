//! `im.department.get`: departments by id, in the order asked for, with the head as a user
//! object when `USER_DATA=Y`. Unknown ids are left out; no usable id is `INVALID_FORMAT`.

use b24_im::{Department, DepartmentGetErrorCode as Code, DepartmentGetRequest as Method};

use super::{intranet_only, user_data};
use crate::methods::{Failure, Outcome, Read, fail, render};
use crate::php::positive_ids;
use crate::portal::Portal;

/// A department as the server formats it (`im.department.get`, `im.search.department.list`).
pub(in crate::methods) fn department(
    portal: &Portal,
    id: u64,
    with_head: bool,
) -> Option<Department> {
    let d = portal.department(id)?;
    let mut out = Department::default();
    out.id = d.id;
    out.name = Some(d.name.clone());
    out.full_name = Some(portal.department_full_name(d.id));
    out.manager_user_id = Some(d.head.unwrap_or(0));
    if with_head {
        out.manager_user_data = d
            .head
            .and_then(|h| portal.user(h))
            .map(|head| render::user(portal, head));
    }
    Some(out)
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    intranet_only(call.portal, call.caller, Code::AccessError)?;
    let ids = positive_ids(call.params.get("ID"));
    if ids.is_empty() {
        return Err(fail(Code::InvalidFormat));
    }
    let with_head = user_data(&call.params);
    let found: Vec<Department> = ids
        .iter()
        .filter_map(|&id| department(call.portal, id, with_head))
        .collect();
    Outcome::of::<Method>(&found, found.len())
}
