//! `im.department.employees.get` and `im.department.managers.get`: the people (or the head) of
//! each department asked for, keyed by department id; ids, or user objects with `USER_DATA=Y`.
//! No usable id is `ID_EMPTY`; unknown departments are left out.

use std::collections::BTreeMap;

use b24_core::{ErrorCode, Method};
use b24_im::{
    DepartmentEmployeesGetErrorCode, DepartmentEmployeesGetRequest, DepartmentManagersGetErrorCode,
    DepartmentManagersGetRequest, UserRef,
};

use super::{intranet_only, user_data, user_ref};
use crate::methods::{Failure, Outcome, Read, fail};
use crate::php::positive_ids;
use crate::portal::{Portal, User};

/// The people of each department asked for, answered as method `M` (whose result is keyed by
/// department id); `denied` and `empty` are its `ACCESS_ERROR` and `ID_EMPTY`.
fn by_department<'p, M>(
    call: &Read<'p>,
    (denied, empty): (impl ErrorCode, impl ErrorCode),
    people: impl Fn(&'p Portal, u64) -> Vec<&'p User>,
) -> Result<Outcome, Failure>
where
    M: Method<Output = BTreeMap<u64, Vec<UserRef>>>,
{
    intranet_only(call.portal, call.caller, denied)?;
    let ids = positive_ids(call.params.get("ID"));
    if ids.is_empty() {
        return Err(fail(empty));
    }
    let portal = call.portal;
    let objects = user_data(&call.params);
    let out: BTreeMap<u64, Vec<UserRef>> = ids
        .into_iter()
        .filter(|id| portal.department(*id).is_some())
        .map(|id| {
            let list = people(portal, id)
                .into_iter()
                .map(|u| user_ref(portal, u, objects))
                .collect();
            (id, list)
        })
        .collect();
    let rows = out.values().map(Vec::len).sum();
    Outcome::of::<M>(&out, rows)
}

pub(super) fn employees(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    use DepartmentEmployeesGetErrorCode as Code;
    by_department::<DepartmentEmployeesGetRequest>(
        call,
        (Code::AccessError, Code::IdEmpty),
        |portal, id| portal.department_employees(id).collect(),
    )
}

pub(super) fn managers(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    use DepartmentManagersGetErrorCode as Code;
    by_department::<DepartmentManagersGetRequest>(
        call,
        (Code::AccessError, Code::IdEmpty),
        |portal, id| {
            portal
                .department(id)
                .and_then(|d| d.head)
                .and_then(|h| portal.user(h))
                .into_iter()
                .collect()
        },
    )
}
