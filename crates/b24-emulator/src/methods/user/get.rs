//! `im.user.get`: one user, the caller by default (`docs/server-behaviour.md`).
//!
//! `ID` absent means the caller; `ID` sent and ≤ 0 is `ID_EMPTY`; an unknown user is
//! `USER_NOT_EXISTS`; a user an extranet caller may not see is `ACCESS_DENIED`. All three with
//! HTTP 400, as the server sends them.

use b24_im::{UserGetErrorCode as Code, UserGetRequest as Method};

use crate::methods::{Failure, Outcome, Read, fail, render};
use crate::php::php_int;

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let id = match call.params.get("ID") {
        None => call.caller,
        Some(value) => match u64::try_from(php_int(value)) {
            Ok(id) if id > 0 => id,
            _ => return Err(fail(Code::IdEmpty)),
        },
    };
    let portal = call.portal;
    let Some(user) = portal.user(id) else {
        return Err(fail(Code::UserNotExists));
    };
    if !portal.can_see(call.caller, user) {
        return Err(fail(Code::AccessDenied));
    }
    Outcome::of::<Method>(&render::user(portal, user), 1)
}
