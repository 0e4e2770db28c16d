//! `im.chat.setOwner`: hands a group chat to another member. Checks: the chat (`CHAT_ID` or a
//! group `DIALOG_ID`), `USER_ID` > 0 (`USER_ID_EMPTY`), the caller a member of an existing
//! chat (`ACCESS_ERROR`), then the caller the owner and `USER_ID` a member (else
//! `WRONG_REQUEST`, one message for both).

use b24_im::{ChatSetOwnerErrorCode as Code, ChatSetOwnerRequest as Method};

use super::{member_chat, name_of, notice, positive_id, target};
use crate::methods::{Failure, Outcome, Write, fail};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target::<Code>(&call.params, call.portal, call.caller, false)?;
    let user = positive_id(&call.params, "USER_ID", Code::UserIdEmpty)?;
    let chat = member_chat(call.portal, id, call.caller, Code::AccessError)?;
    if chat.owner != call.caller || !chat.has_member(user) {
        return Err(fail(Code::WrongRequest));
    }
    if user != call.caller {
        if let Some(chat) = call.portal.chat_mut(id) {
            chat.owner = user;
        }
        let text = format!(
            "{} made {} the owner of the chat",
            name_of(call.portal, call.caller),
            name_of(call.portal, user)
        );
        notice(call.portal, id, call.caller, text, call.now);
    }
    Outcome::of::<Method>(&true, 1)
}
