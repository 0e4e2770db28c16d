//! `im.dialog.read` (SERVER-BEHAVIOUR.md §3): `DIALOG_ID=notify` answers `true` (no
//! notifications are modelled). Otherwise `DIALOG_ID` must be a dialog id
//! (`DIALOG_ID_EMPTY`); a dialog the caller cannot read answers `false`. `MESSAGE_ID` (or its
//! alias `LAST_ID`) <= 0 or absent reads everything; the caller's read position moves forward
//! only, and a manual "unread" mark is cleared. The answer is camelCase, with `dialogId` a
//! number for a private dialog.

use serde_json::{Value, json};

use super::dialog_param;
use crate::methods::{Failure, Outcome, Write};
use crate::portal::dialog_chat;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    if call
        .params
        .text("DIALOG_ID")
        .is_some_and(|d| d.eq_ignore_ascii_case("notify"))
    {
        return Ok(Outcome::of(json!(true), 0));
    }
    let dialog = dialog_param(&call.params)?;
    let Ok(id) = dialog_chat(call.portal, call.caller, dialog) else {
        return Ok(Outcome::of(json!(false), 0));
    };
    let upto = ["MESSAGE_ID", "LAST_ID"]
        .iter()
        .find_map(|k| call.params.int(k))
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| call.portal.last_message_id(id));
    call.portal.mark_read(id, call.caller, upto);
    if let Some(rel) = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
    {
        rel.recent.unread = false;
    }
    let last_id = call
        .portal
        .relation(id, call.caller)
        .map_or(0, |r| r.last_read);
    let dialog_id = match dialog {
        b24_core::DialogId::User(user) => json!(user),
        other => Value::String(other.to_string()),
    };
    Ok(Outcome::of(
        json!({
            "dialogId": dialog_id,
            "chatId": id,
            "lastId": last_id,
            "counter": call.portal.unread(id, call.caller).len(),
        }),
        1,
    ))
}
