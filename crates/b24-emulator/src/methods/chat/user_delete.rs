//! `im.chat.user.delete`: removes a member from a group chat. Checks: `CHAT_ID` > 0
//! (`CHAT_ID_EMPTY`), `USER_ID` > 0 (`USER_ID_EMPTY`), the caller a member of an existing chat
//! (`ACCESS_ERROR`), the chat one whose members may be removed (not a private dialog,
//! workgroup or general chat: `ACCESS_ERROR`), `USER_ID` a member (`USER_NOT_FOUND`), and the
//! caller's role reaching `manage_users_delete` with `USER_ID` not the owner
//! (`ACCESS_DENIED_KICK`).

use b24_im::{ChatUserDeleteErrorCode as Code, ChatUserDeleteRequest as Method};

use super::{is_plain_group, member_chat, name_of, notice, positive_id};
use crate::methods::{Failure, Outcome, Write, fail, fail_nth};
use crate::portal::Right;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = positive_id(&call.params, "CHAT_ID", Code::ChatIdEmpty)?;
    let user = positive_id(&call.params, "USER_ID", Code::UserIdEmpty)?;
    let chat = member_chat(call.portal, id, call.caller, Code::AccessError)?;
    if !is_plain_group(chat) {
        return Err(fail_nth(Code::AccessError, 1));
    }
    if !chat.has_member(user) {
        return Err(fail(Code::UserNotFound));
    }
    if user == chat.owner || !chat.allows(call.caller, Right::DeleteUsers) {
        return Err(fail(Code::AccessDeniedKick));
    }
    let text = format!(
        "{} removed {} from the chat",
        name_of(call.portal, call.caller),
        name_of(call.portal, user)
    );
    call.portal.leave_chat(id, user);
    notice(call.portal, id, call.caller, text, call.now);
    Outcome::of::<Method>(&true, 1)
}
