//! `im.dialog.writing`: a dialog id (`DIALOG_ID_EMPTY`) the caller may write to (403
//! `ACCESS_ERROR` "Action unavailable"); the "is typing" signal itself is not stored.

use serde_json::json;

use super::dialog_param;
use crate::methods::{Failure, Outcome, Read};
use crate::portal::dialog_chat;

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let dialog = dialog_param(&call.params)?;
    dialog_chat(call.portal, call.caller, dialog)
        .map_err(|_| Failure::new(403, "ACCESS_ERROR", "Action unavailable"))?;
    Ok(Outcome::of(json!(true), 0))
}
