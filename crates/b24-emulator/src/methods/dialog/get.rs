//! `im.dialog.get`: the chat of a dialog as the caller sees it. `DIALOG_ID` must be a dialog
//! id (`DIALOG_ID_EMPTY`); the dialog must be readable by the caller (403 `ACCESS_ERROR`; 400
//! for a private dialog that never started, as the messenger's access check gives). The
//! answer carries the dialog id it was asked with.

use serde_json::Value;

use super::dialog_param;
use crate::methods::{Failure, Outcome, Read, render};
use crate::portal::dialog_chat;

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let dialog = dialog_param(&call.params)?;
    let id = dialog_chat(call.portal, call.caller, dialog)?;
    let chat = call.portal.chat(id).ok_or_else(|| {
        Failure::new(
            403,
            "ACCESS_ERROR",
            "You do not have access to the specified dialog",
        )
    })?;
    let dialog_id = Value::String(dialog.to_string());
    Ok(Outcome::of(
        render::chat(call.portal, chat, call.caller, &dialog_id),
        1,
    ))
}
