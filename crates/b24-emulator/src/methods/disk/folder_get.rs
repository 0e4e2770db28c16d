//! `im.disk.folder.get`: the id of the chat's Drive folder, created on first use (checks in
//! [`super::chat_of`]). Repeated calls answer the same id.

use serde_json::json;

use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let chat = super::chat_of(call.portal, call.caller, &call.params)?;
    let folder = call.portal.drive.chat_folder(chat);
    Ok(Outcome::of(json!({"ID": folder}), 1))
}
