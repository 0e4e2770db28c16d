//! `im.dialog.*`: dialogs (chats and private conversations) seen from one member.

mod get;
mod messages_get;
mod messages_search;
mod read;
mod read_all;
mod unread;
mod users_list;
mod writing;

use super::{Failure, Handler};
use crate::http::body::Params;
use crate::portal::parse_dialog_id;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.dialog.get", Handler::Read(get::handle)),
    (
        "im.dialog.messages.get",
        Handler::Read(messages_get::handle),
    ),
    (
        "im.dialog.messages.search",
        Handler::Read(messages_search::handle),
    ),
    ("im.dialog.read", Handler::Write(read::handle)),
    ("im.dialog.read.all", Handler::Write(read_all::handle)),
    ("im.dialog.unread", Handler::Write(unread::handle)),
    ("im.dialog.users.list", Handler::Read(users_list::handle)),
    ("im.dialog.writing", Handler::Read(writing::handle)),
];

/// `DIALOG_ID` as `isDialogId` reads it, or 400 `DIALOG_ID_EMPTY`.
pub(super) fn dialog_param(params: &Params) -> Result<b24_core::DialogId, Failure> {
    parse_dialog_id(params.get("DIALOG_ID"))
        .ok_or_else(|| Failure::new(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty"))
}
