//! `im.department.*`: the company structure and its people.

mod colleagues_list;
mod get;
mod members;

pub(super) use get::department;

use super::{Failure, Handler};
use crate::portal::Portal;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    (
        "im.department.colleagues.list",
        Handler::Read(colleagues_list::handle),
    ),
    (
        "im.department.employees.get",
        Handler::Read(members::employees),
    ),
    ("im.department.get", Handler::Read(get::handle)),
    (
        "im.department.managers.get",
        Handler::Read(members::managers),
    ),
];

/// Extranet users and bots may not read the company structure.
fn intranet_only(portal: &Portal, caller: u64) -> Result<(), Failure> {
    match portal.user(caller) {
        Some(u) if u.kind == "user" => Ok(()),
        _ => Err(Failure::new(
            403,
            "ACCESS_ERROR",
            "Only intranet users have access to this method.",
        )),
    }
}

/// `USER_DATA=Y` (exactly), which turns ids into user objects.
fn user_data(params: &crate::http::body::Params) -> bool {
    params.text("USER_DATA").as_deref() == Some("Y")
}
