//! `im.department.*`: the company structure and its people.

mod colleagues_list;
mod get;
mod members;

pub(super) use get::department;

use b24_core::ErrorCode;
use b24_im::{
    DepartmentColleaguesListRequest, DepartmentEmployeesGetRequest, DepartmentGetRequest,
    DepartmentManagersGetRequest, UserRef,
};

use super::{Failure, Handler, fail, handler, render};
use crate::portal::{Portal, User};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<DepartmentColleaguesListRequest>(Handler::Read(colleagues_list::handle)),
    handler::<DepartmentEmployeesGetRequest>(Handler::Read(members::employees)),
    handler::<DepartmentGetRequest>(Handler::Read(get::handle)),
    handler::<DepartmentManagersGetRequest>(Handler::Read(members::managers)),
];

/// Extranet users and bots may not read the company structure: `denied` (the method's
/// `ACCESS_ERROR`) for them.
fn intranet_only(portal: &Portal, caller: u64, denied: impl ErrorCode) -> Result<(), Failure> {
    match portal.user(caller) {
        Some(u) if u.kind == "user" => Ok(()),
        _ => Err(fail(denied)),
    }
}

/// `USER_DATA=Y` (exactly), which turns ids into user objects.
fn user_data(params: &crate::http::body::Params) -> bool {
    params.text("USER_DATA").as_deref() == Some("Y")
}

/// A user as the department methods list them: the id, or the user object with `USER_DATA=Y`.
fn user_ref(portal: &Portal, u: &User, objects: bool) -> UserRef {
    if objects {
        UserRef::Data(render::user(portal, u))
    } else {
        UserRef::Id(u.id)
    }
}
