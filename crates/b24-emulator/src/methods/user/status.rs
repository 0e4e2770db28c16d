//! The caller's messenger status: `im.user.status.get`, `.set`, `.idle.start`, `.idle.end`.
//!
//! - `get` answers the status string, or `false` when the caller has no status (an empty
//!   status in the portal data).
//! - `set` takes `online`, `dnd`, `away` or `break` exactly: the server lower-cases only values
//!   that are not strings, so `DND` is `STATUS_ERROR` (`docs/server-behaviour.md`).
//! - `idle.start` marks the caller idle since `AGO` minutes (absent: 10; ≤ 1: 1); `idle.end`
//!   clears it. Both show in the user objects (`idle`).
//!
//! The caller always exists (authentication found them); should the portal data lack them,
//! the call fails as the server does when it cannot answer.

use b24_core::SystemErrorCode;
use b24_im::{
    UserStatus, UserStatusGetRequest, UserStatusIdleEndRequest, UserStatusIdleStartRequest,
    UserStatusSetErrorCode, UserStatusSetRequest,
};
use serde_json::Value;

use crate::methods::{Failure, Outcome, Read, Write, fail};
use crate::php::php_int;
use crate::portal::{User, iso};

const STATUSES: &[&str] = &["online", "dnd", "away", "break"];

fn no_caller() -> Failure {
    Failure::system(SystemErrorCode::ErrorUnexpectedAnswer)
}

fn caller_mut<'a>(call: &'a mut Write<'_>) -> Result<&'a mut User, Failure> {
    let caller = call.caller;
    call.portal
        .users
        .iter_mut()
        .find(|u| u.id == caller)
        .ok_or_else(no_caller)
}

pub(super) fn get(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let user = call.portal.user(call.caller).ok_or_else(no_caller)?;
    let status = (!user.status.is_empty()).then(|| UserStatus::from(user.status.as_str()));
    Outcome::of::<UserStatusGetRequest>(&status, 1)
}

pub(super) fn set(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let status = call
        .params
        .get("STATUS")
        .and_then(Value::as_str)
        .filter(|s| STATUSES.contains(s))
        .ok_or_else(|| fail(UserStatusSetErrorCode::StatusError))?
        .to_owned();
    let user = caller_mut(call)?;
    user.status = status;
    Outcome::of::<UserStatusSetRequest>(&true, 1)
}

pub(super) fn idle_start(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let ago = call.params.get("AGO").map_or(10, php_int).max(1);
    let since = iso(call.now.saturating_sub(ago.saturating_mul(60)));
    let user = caller_mut(call)?;
    user.idle = Some(since);
    Outcome::of::<UserStatusIdleStartRequest>(&true, 1)
}

pub(super) fn idle_end(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let user = caller_mut(call)?;
    user.idle = None;
    Outcome::of::<UserStatusIdleEndRequest>(&true, 1)
}
