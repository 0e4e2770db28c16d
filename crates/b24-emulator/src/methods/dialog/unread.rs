//! `im.dialog.unread`: `MESSAGE_ID` > 0 (`MESSAGE_ID_ERROR`) and a dialog id (`DIALOG_ID_EMPTY`)
//! are checked first; then the caller's read position moves back to just before
//! `MESSAGE_ID`, so it and every later message by somebody else count as unread again. A
//! dialog the caller cannot read answers `false`.

use b24_im::{DialogUnreadErrorCode as Code, DialogUnreadRequest as Method};

use super::dialog_param;
use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::dialog_chat;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let message = call
        .params
        .int("MESSAGE_ID")
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| fail(Code::MessageIdError))?;
    let dialog = dialog_param(&call.params, Code::DialogIdEmpty)?;
    let Ok(id) = dialog_chat(call.portal, call.caller, dialog) else {
        return Outcome::of::<Method>(&false, 0);
    };
    if let Some(rel) = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
    {
        rel.last_read = rel.last_read.min(message - 1);
    }
    Outcome::of::<Method>(&true, 1)
}
