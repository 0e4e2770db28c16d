//! `im.chat.get`, as the server's `chatGet` does it (`docs/server-behaviour.md`).
//!
//! - `DIALOG_ID` set (not `null`): the dialog checks of `im.dialog.get` (`DIALOG_ID_EMPTY`, 403 /
//!   400 `ACCESS_ERROR`), then the whole chat object, as `im.dialog.get` gives it
//!   ([`render::chat`], which says what the portal does not model). The entity pair is ignored
//!   on this path, as on the server.
//! - Otherwise `ENTITY_TYPE` and `ENTITY_ID`, both set and not PHP-`empty` (so `"0"` counts as
//!   missing): the id of the first chat bound to that pair, in id order (the server's query has
//!   no `ORDER BY`; the primary key order is what MySQL gives). There is no access check: any
//!   chat's id is returned, member or not.
//! - Anything else, including no match: `null` with no error.
//!
//! The guest-session `AUTHORIZE_ERROR` cannot happen here: every emulator call is authorized.

use b24_im::{ChatGetErrorCode as Code, ChatGetRequest as Method, ChatGetResult, ChatRef};
use serde_json::Value;

use crate::methods::{Failure, Outcome, Read, fail, render};
use crate::php::scalar_text;
use crate::php::{empty, isset};
use crate::portal::{dialog_chat, parse_dialog_id};

/// The texts an ORM `=FIELD` filter value stands for: a scalar, or a list (an `IN` filter).
fn filter_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        Value::Object(items) => items.values().filter_map(scalar_text).collect(),
        other => scalar_text(other).into_iter().collect(),
    }
}

/// MySQL's `=` under the portal's case-insensitive collation, which also ignores trailing spaces
/// (PAD SPACE).
fn sql_eq(column: &str, value: &str) -> bool {
    column
        .trim_end_matches(' ')
        .eq_ignore_ascii_case(value.trim_end_matches(' '))
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    if let Some(value) = isset(params.get("DIALOG_ID")) {
        let Some(dialog) = parse_dialog_id(Some(value)) else {
            return Err(fail(Code::DialogIdEmpty));
        };
        let chat_id = dialog_chat(call.portal, call.caller, dialog)
            .map_err(|denied| denied.answer(Code::AccessError))?;
        let Some(chat) = call.portal.chat(chat_id) else {
            return Err(crate::portal::Denied::NoChat.answer(Code::AccessError));
        };
        let whole = render::chat(call.portal, chat, call.caller, dialog, call.now);
        return Outcome::of::<Method>(&Some(ChatGetResult::Chat(whole)), 1);
    }

    let entity_type = params.get("ENTITY_TYPE");
    let entity_id = params.get("ENTITY_ID");
    if empty(entity_type) || empty(entity_id) {
        return Outcome::of::<Method>(&None, 0);
    }
    let types = entity_type.map(filter_values).unwrap_or_default();
    let ids = entity_id.map(filter_values).unwrap_or_default();
    let mut chats: Vec<&crate::portal::Chat> = call.portal.chats.iter().collect();
    chats.sort_by_key(|c| c.id);
    let found = chats.into_iter().find(|chat| {
        let matches = |column: &Option<String>, wanted: &[String]| {
            column
                .as_deref()
                .is_some_and(|c| wanted.iter().any(|w| sql_eq(c, w)))
        };
        matches(&chat.entity_type, &types) && matches(&chat.entity_id, &ids)
    });
    let found = found.map(|chat| {
        let mut reference = ChatRef::default();
        reference.id = chat.id;
        ChatGetResult::Ref(reference)
    });
    let rows = usize::from(found.is_some());
    Outcome::of::<Method>(&found, rows)
}
