//! `im.disk.*`: the chat's Drive folder and the files in it.

mod file_commit;
mod file_delete;
mod file_save;
mod folder_get;

use b24_core::ErrorCode;

use super::{Failure, Handler, fail, handler};
use crate::http::body::Params;
use crate::php::{intval, isset};
use crate::portal::{Portal, dialog_chat, parse_dialog_id};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::DiskFileCommitRequest>(Handler::Write(file_commit::handle)),
    handler::<b24_im::DiskFileDeleteRequest>(Handler::Write(file_delete::handle)),
    handler::<b24_im::DiskFileSaveRequest>(Handler::Write(file_save::handle)),
    handler::<b24_im::DiskFolderGetRequest>(Handler::Write(folder_get::handle)),
];

/// A positive id parameter, or `None`.
fn positive(params: &Params, key: &str) -> Option<u64> {
    isset(params.get(key))
        .map(intval)
        .and_then(|v| u64::try_from(v).ok())
        .filter(|v| *v > 0)
}

/// The codes a method answers when [`chat_of`] finds no chat: its `CHAT_ID_EMPTY`,
/// `DIALOG_ID_EMPTY` and `ACCESS_ERROR`.
struct ChatCodes<C> {
    chat_id_empty: C,
    dialog_id_empty: C,
    access_error: C,
}

/// The chat of `CHAT_ID` or `DIALOG_ID` (`CHAT_ID` first) the caller is in: `CHAT_ID_EMPTY`
/// when neither is usable, `DIALOG_ID_EMPTY` for a `DIALOG_ID` that is not a dialog id,
/// `ACCESS_ERROR` when the caller may not read it or it does not exist.
fn chat_of<C: ErrorCode>(
    portal: &Portal,
    caller: u64,
    params: &Params,
    codes: ChatCodes<C>,
) -> Result<u64, Failure> {
    let dialog = if isset(params.get("CHAT_ID")).is_some() {
        let Some(id) = positive(params, "CHAT_ID") else {
            return Err(fail(codes.chat_id_empty));
        };
        b24_core::DialogId::Chat(id)
    } else if isset(params.get("DIALOG_ID")).is_some() {
        let Some(dialog) = parse_dialog_id(params.get("DIALOG_ID")) else {
            return Err(fail(codes.dialog_id_empty));
        };
        dialog
    } else {
        return Err(fail(codes.chat_id_empty));
    };
    // An open chat is readable without membership, but its folder is for members only.
    let member = dialog_chat(portal, caller, dialog).ok().filter(|chat| {
        portal
            .chat(*chat)
            .is_some_and(|c| c.members.iter().any(|r| r.user_id == caller))
    });
    member.ok_or_else(|| fail(codes.access_error))
}
