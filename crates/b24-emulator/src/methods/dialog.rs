//! `im.dialog.*`: dialogs (chats and private conversations) seen from one member.

mod messages_get;
mod users_list;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    (
        "im.dialog.messages.get",
        Handler::Read(messages_get::handle),
    ),
    ("im.dialog.users.list", Handler::Read(users_list::handle)),
];
