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
use serde_json::Value;

use crate::methods::{Failure, Outcome, Read, fail, render};
use crate::php::scalar_text;
use crate::php::{array_values, intval, js_object_to_php};

/// The user ids of `ID` (> 0, first-seen order); empty when `ID` is not an array.
fn ids(value: Option<&Value>) -> Vec<u64> {
    let decoded;
    let array = match value {
        Some(Value::String(text)) => {
            decoded = js_object_to_php(text);
            decoded.as_ref()
        }
        other => other,
    };
    let mut out: Vec<u64> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in array.and_then(array_values).unwrap_or_default() {
        let id = intval(entry);
        if let Ok(id) = u64::try_from(id)
            && id > 0
            && seen.insert(id)
        {
            out.push(id);
        }
    }
    out
}

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
