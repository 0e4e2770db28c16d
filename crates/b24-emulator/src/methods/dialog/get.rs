//! `im.dialog.get`: the chat of a dialog as the caller sees it. `DIALOG_ID` must be a dialog
//! id (`DIALOG_ID_EMPTY`); the dialog must be readable by the caller (403 `ACCESS_ERROR`; 400
//! for a private dialog that never started, as the messenger's access check gives). The
//! answer carries the dialog id it was asked with.

use b24_im::{DialogGetErrorCode as Code, DialogGetRequest as Method};

use super::dialog_param;
use crate::methods::{Failure, Outcome, Read, render};
use crate::portal::{Denied, dialog_chat};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let dialog = dialog_param(&call.params, Code::DialogIdEmpty)?;
    let id = dialog_chat(call.portal, call.caller, dialog)
        .map_err(|denied| denied.answer(Code::AccessError))?;
    let chat = call
        .portal
        .chat(id)
        .ok_or_else(|| Denied::NoChat.answer(Code::AccessError))?;
    let whole = render::chat(call.portal, chat, call.caller, Some(dialog), call.now);
    Outcome::of::<Method>(&whole, 1)
}
