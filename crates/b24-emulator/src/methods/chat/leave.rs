//! `im.chat.leave`: the caller leaves a group chat. `CHAT_ID` must be a positive number
//! (`CHAT_ID_EMPTY`); a caller who is not a member (or a chat that does not exist) gets
//! `ACCESS_DENIED_KICK`; private dialogs, workgroup chats and the general chat cannot be left
//! (`ACCESS_ERROR`). When the owner leaves, the longest-standing member becomes the owner.

use serde_json::json;

use super::{chat_id, is_plain_group, name_of, notice};
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = chat_id(&call.params)?;
    let caller = call.caller;
    let chat = call
        .portal
        .chat(id)
        .filter(|c| c.has_member(caller))
        .ok_or_else(|| {
            Failure::new(
                403,
                "ACCESS_DENIED_KICK",
                "Access denied to kick user from chat",
            )
        })?;
    if !is_plain_group(chat) {
        return Err(Failure::new(
            403,
            "ACCESS_ERROR",
            "It is forbidden to delete users of this chat",
        ));
    }
    let text = format!("{} left the chat", name_of(call.portal, caller));
    notice(call.portal, id, caller, text, call.now);
    call.portal.leave_chat(id, caller);
    Ok(Outcome::of(json!(true), 1))
}
