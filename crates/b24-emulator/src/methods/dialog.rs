//! `im.dialog.*`: dialogs (chats and private conversations) seen from one member.

mod messages_get;
mod users_list;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::DialogMessagesGetRequest>(Handler::Read(messages_get::handle)),
    handler::<b24_im::DialogUsersListRequest>(Handler::Read(users_list::handle)),
];
