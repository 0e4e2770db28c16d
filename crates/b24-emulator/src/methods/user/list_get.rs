//! `im.user.list.get`, as the server's `userList` does it (`docs/server-behaviour.md`).
//!
//! - `ID` is a PHP array (a JSON list, or `ID[]=..` form fields), or a text the server decodes
//!   with `CUtil::JsObjectToPhp` (`"[1,2]"`, `"['1','2']"`). Anything else (a bare number, a
//!   text that is not a list) is not an array. Each entry is cast with `intval`; entries that
//!   are not > 0 are dropped and duplicates merged, first position kept. Nothing left:
//!   400 `INVALID_FORMAT`.
//! - The result is keyed by user id. A user the caller may not see (the access filter:
//!   [`crate::portal::Portal::can_see`]) or that does not exist comes back as `null`, not
//!   skipped, as `docs/server-behaviour.md` and the spec describe for the current server.
//! - `RESULT_TYPE` equal to `array` in any case makes `result` a plain list in request order
//!   (nulls included). `AVATAR_HR` changes nothing: `avatar_hr` is always sent.
//!
//! The generated request's `ID` is a strict list of integers; the server is looser (JSON text,
//! junk entries dropped), so the raw parameters are read instead.
//!
//! Key order: PHP keeps the request order in the keyed object; the emulator's is ordered by id
//! (the generated map type), which JSON consumers (and the typed decode, a map) do not depend on.

use b24_im::{UserList, UserListGetErrorCode as Code, UserListGetRequest as Method};

use crate::methods::{Failure, Outcome, Read, fail, render};
use crate::php::{positive_ids as ids, scalar_text};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let ids = ids(call.params.get("ID"));
    if ids.is_empty() {
        return Err(fail(Code::InvalidFormat));
    }
    let portal = call.portal;
    let entries: Vec<(u64, Option<b24_im::DialogUser>)> = ids
        .iter()
        .map(|&id| {
            let user = portal.user(id).filter(|u| portal.can_see(call.caller, u));
            (id, user.map(|u| render::user(portal, u)))
        })
        .collect();
    let as_list = call
        .params
        .get("RESULT_TYPE")
        .and_then(scalar_text)
        .is_some_and(|t| t.to_lowercase() == "array");
    let rows = entries.len();
    let result = if as_list {
        UserList::List(entries.into_iter().map(|(_, user)| user).collect())
    } else {
        UserList::ById(entries.into_iter().collect())
    };
    Outcome::of::<Method>(&result, rows)
}
