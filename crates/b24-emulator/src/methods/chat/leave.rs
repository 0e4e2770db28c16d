//! `im.chat.leave`: the caller leaves a group chat. `CHAT_ID` must be a positive number
//! (`CHAT_ID_EMPTY`); a caller who is not a member (or a chat that does not exist) gets
//! `ACCESS_DENIED_KICK`; private dialogs, workgroup chats and the general chat cannot be left
//! (`ACCESS_ERROR`). When the owner leaves, the longest-standing member becomes the owner.

use b24_im::{ChatLeaveErrorCode as Code, ChatLeaveRequest as Method};

use super::{is_plain_group, name_of, notice, positive_id};
use crate::methods::{Failure, Outcome, Write, fail, fail_nth};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = positive_id(&call.params, "CHAT_ID", Code::ChatIdEmpty)?;
    let caller = call.caller;
    let chat = call
        .portal
        .chat(id)
        .filter(|c| c.has_member(caller))
        .ok_or_else(|| fail(Code::AccessDeniedKick))?;
    if !is_plain_group(chat) {
        return Err(fail_nth(Code::AccessError, 1));
    }
    let text = format!("{} left the chat", name_of(call.portal, caller));
    notice(call.portal, id, caller, text, call.now);
    call.portal.leave_chat(id, caller);
    Outcome::of::<Method>(&true, 1)
}
