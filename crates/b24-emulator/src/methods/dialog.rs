//! `im.dialog.*`: dialogs (chats and private conversations) seen from one member.

mod get;
mod messages_get;
mod messages_search;
mod read;
mod read_all;
mod unread;
mod users_list;
mod writing;

use b24_core::ErrorCode;

use super::{Failure, Handler, fail, handler};
use crate::http::body::Params;
use crate::portal::parse_dialog_id;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::DialogGetRequest>(Handler::Read(get::handle)),
    handler::<b24_im::DialogMessagesGetRequest>(Handler::Read(messages_get::handle)),
    handler::<b24_im::DialogMessagesSearchRequest>(Handler::Read(messages_search::handle)),
    handler::<b24_im::DialogReadRequest>(Handler::Write(read::handle)),
    handler::<b24_im::DialogReadAllRequest>(Handler::Write(read_all::handle)),
    handler::<b24_im::DialogUnreadRequest>(Handler::Write(unread::handle)),
    handler::<b24_im::DialogUsersListRequest>(Handler::Read(users_list::handle)),
    handler::<b24_im::DialogWritingRequest>(Handler::Read(writing::handle)),
];

/// `DIALOG_ID` as `isDialogId` reads it, or the calling method's `DIALOG_ID_EMPTY`.
pub(super) fn dialog_param(
    params: &Params,
    dialog_id_empty: impl ErrorCode,
) -> Result<b24_core::DialogId, Failure> {
    parse_dialog_id(params.get("DIALOG_ID")).ok_or_else(|| fail(dialog_id_empty))
}
