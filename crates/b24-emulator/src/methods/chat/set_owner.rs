//! `im.chat.setOwner`: hands a group chat to another member. Checks: the chat (`CHAT_ID` or a
//! group `DIALOG_ID`), `USER_ID` > 0 (`USER_ID_EMPTY`), the caller a member of an existing
//! chat (`ACCESS_ERROR`), then the caller the owner and `USER_ID` a member (else
//! `WRONG_REQUEST`, one message for both).

use serde_json::json;

use super::{member_chat, name_of, notice, target, user_id};
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target(&call.params, call.portal, call.caller, false)?;
    let user = user_id(&call.params)?;
    let chat = member_chat(call.portal, id, call.caller)?;
    if chat.owner != call.caller || !chat.has_member(user) {
        return Err(Failure::new(
            400,
            "WRONG_REQUEST",
            "Change owner can only owner and user must be member in chat",
        ));
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
    Ok(Outcome::of(json!(true), 1))
}
