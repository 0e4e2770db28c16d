//! `im.disk.*`: the chat's Drive folder and the files in it.

mod file_commit;
mod file_delete;
mod file_save;
mod folder_get;

use super::{Failure, Handler};
use crate::http::body::Params;
use crate::php::{intval, isset};
use crate::portal::{Portal, dialog_chat, parse_dialog_id};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.disk.file.commit", Handler::Write(file_commit::handle)),
    ("im.disk.file.delete", Handler::Write(file_delete::handle)),
    ("im.disk.file.save", Handler::Write(file_save::handle)),
    ("im.disk.folder.get", Handler::Write(folder_get::handle)),
];

/// A positive id parameter, or `None`.
fn positive(params: &Params, key: &str) -> Option<u64> {
    isset(params.get(key))
        .map(intval)
        .and_then(|v| u64::try_from(v).ok())
        .filter(|v| *v > 0)
}

/// The chat of `CHAT_ID` or `DIALOG_ID` (`CHAT_ID` first) the caller is in: 400
/// `CHAT_ID_EMPTY` when neither is usable, 400 `DIALOG_ID_EMPTY` for a `DIALOG_ID` that is
/// not a dialog id, 403 `ACCESS_ERROR` when the caller may not read it or it does not exist.
fn chat_of(portal: &Portal, caller: u64, params: &Params) -> Result<u64, Failure> {
    let no_access = || {
        Failure::new(
            403,
            "ACCESS_ERROR",
            "You do not have access to the specified dialog",
        )
    };
    let dialog = if isset(params.get("CHAT_ID")).is_some() {
        let id = positive(params, "CHAT_ID")
            .ok_or_else(|| Failure::new(400, "CHAT_ID_EMPTY", "Chat ID can't be empty"))?;
        b24_core::DialogId::Chat(id)
    } else if isset(params.get("DIALOG_ID")).is_some() {
        parse_dialog_id(params.get("DIALOG_ID"))
            .ok_or_else(|| Failure::new(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty"))?
    } else {
        return Err(Failure::new(400, "CHAT_ID_EMPTY", "Chat ID can't be empty"));
    };
    let chat = dialog_chat(portal, caller, dialog).map_err(|_| no_access())?;
    // An open chat is readable without membership, but its folder is for members only.
    let member = portal
        .chat(chat)
        .is_some_and(|c| c.members.iter().any(|r| r.user_id == caller));
    if member { Ok(chat) } else { Err(no_access()) }
}
