//! `im.dialog.writing`: a dialog id (`DIALOG_ID_EMPTY`) the caller may write to (403
//! `ACCESS_ERROR` "Action unavailable"); the "is typing" signal itself is not stored.

use b24_im::{DialogWritingErrorCode as Code, DialogWritingRequest as Method};

use super::dialog_param;
use crate::methods::{Failure, Outcome, Read, fail};
use crate::portal::dialog_chat;

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let dialog = dialog_param(&call.params, Code::DialogIdEmpty)?;
    dialog_chat(call.portal, call.caller, dialog).map_err(|_| fail(Code::AccessError))?;
    Outcome::of::<Method>(&true, 0)
}
