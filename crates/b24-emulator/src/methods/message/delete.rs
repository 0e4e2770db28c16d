//! `im.message.delete`: the author, or the owner of a group chat, deletes a message.
//!
//! Checks: `MESSAGE_ID` (400 `MESSAGE_ID_ERROR`), then the right to delete (403
//! `CANT_EDIT_MESSAGE`, also for a message that does not exist). The message stays in the
//! history with an empty text and without attachment, keyboard, menu or files, which
//! `im.dialog.messages.get` shows as "This message was deleted" with `IS_DELETED = Y`; its
//! files are removed from the chat folder. Subscribers get `ONIMV2MESSAGEDELETE`.
//!
//! Not reproduced: the editing period after which even the author may not delete, and the full
//! removal of a message nobody has read yet (the server may drop such a message completely).

use b24_im::{MessageDeleteErrorCode as Code, MessageDeleteRequest as Method};

use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::Portal;

fn cant_edit() -> Failure {
    fail(Code::CantEditMessage)
}

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = super::message_id(&call.params).ok_or_else(|| fail(Code::MessageIdError))?;
    let portal = &*call.portal;
    let message = portal.message(id).ok_or_else(cant_edit)?;
    let owner = portal
        .chat(message.chat_id)
        .is_some_and(|c| c.kind != "private" && c.owner == call.caller);
    if message.author_id != call.caller && !owner {
        return Err(cant_edit());
    }
    delete_message(call.portal, id, call.caller, call.now);
    Outcome::of::<Method>(&true, 1)
}

/// Empties a message as the messenger's delete does, removes its files, and records
/// `ONIMV2MESSAGEDELETE`. Shared with `im.message.update` (an empty text deletes).
pub(super) fn delete_message(portal: &mut Portal, id: u64, by: u64, now: i64) {
    let Some(message) = portal.message_mut(id) else {
        return;
    };
    message.text.clear();
    let files = crate::php::id_list(message.params.remove("FILE_ID").as_ref());
    for key in ["ATTACH", "KEYBOARD", "MENU", "IS_EDITED", "LIKE"] {
        message.params.remove(key);
    }
    let chat_id = message.chat_id;
    for file in files {
        portal.drive.remove_file(file);
    }
    let event = crate::methods::v2::event::message_deleted(portal, chat_id, id, by);
    portal.record_event(chat_id, "ONIMV2MESSAGEDELETE", now, &event);
}
