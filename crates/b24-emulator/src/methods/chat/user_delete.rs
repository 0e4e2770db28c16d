//! `im.chat.user.delete`: removes a member from a group chat. Checks: `CHAT_ID` > 0
//! (`CHAT_ID_EMPTY`), `USER_ID` > 0 (`USER_ID_EMPTY`), the caller a member of an existing chat
//! (`ACCESS_ERROR`), the chat one whose members may be removed (not a private dialog,
//! workgroup or general chat: `ACCESS_ERROR`), `USER_ID` a member (`USER_NOT_FOUND`), and the
//! caller's role reaching `manage_users_delete` with `USER_ID` not the owner
//! (`ACCESS_DENIED_KICK`).

use serde_json::json;

use super::{chat_id, is_plain_group, member_chat, name_of, notice, user_id};
use crate::methods::{Failure, Outcome, Write};
use crate::portal::Right;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = chat_id(&call.params)?;
    let user = user_id(&call.params)?;
    let chat = member_chat(call.portal, id, call.caller)?;
    if !is_plain_group(chat) {
        return Err(Failure::new(
            403,
            "ACCESS_ERROR",
            "It is forbidden to delete users of this chat",
        ));
    }
    if !chat.has_member(user) {
        return Err(Failure::new(
            400,
            "USER_NOT_FOUND",
            "The specified user is not in the chat",
        ));
    }
    if user == chat.owner || !chat.allows(call.caller, Right::DeleteUsers) {
        return Err(Failure::new(
            403,
            "ACCESS_DENIED_KICK",
            "Insufficient rights to exclude participants from the chat",
        ));
    }
    let text = format!(
        "{} removed {} from the chat",
        name_of(call.portal, call.caller),
        name_of(call.portal, user)
    );
    call.portal.leave_chat(id, user);
    notice(call.portal, id, call.caller, text, call.now);
    Ok(Outcome::of(json!(true), 1))
}
