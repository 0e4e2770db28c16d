//! `im.user.get`: one user, the caller by default (SERVER-BEHAVIOUR.md §3).
//!
//! `ID` absent means the caller; `ID` sent and ≤ 0 is `ID_EMPTY`; an unknown user is
//! `USER_NOT_EXISTS`; a user an extranet caller may not see is `ACCESS_DENIED`. All three with
//! HTTP 400, as the server sends them.

use crate::methods::{Failure, Outcome, Read, render};
use crate::php::php_int;

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let id = match call.params.get("ID") {
        None => call.caller,
        Some(value) => match u64::try_from(php_int(value)) {
            Ok(id) if id > 0 => id,
            _ => return Err(Failure::new(400, "ID_EMPTY", "User ID can't be empty")),
        },
    };
    let portal = call.portal;
    let Some(user) = portal.user(id) else {
        return Err(Failure::new(400, "USER_NOT_EXISTS", "User does not exist"));
    };
    if !portal.can_see(call.caller, user) {
        return Err(Failure::new(
            400,
            "ACCESS_DENIED",
            "You can request only users who consist of your extranet group",
        ));
    }
    Ok(Outcome::of(render::user(portal, user), 1))
}
