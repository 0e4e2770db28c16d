//! `im.chat.user.list` (`docs/server-behaviour.md`): the chat is `DIALOG_ID` when set (`chat<N>`,
//! `sg<N>` or `crm<N>`, else `DIALOG_ID_EMPTY`), otherwise `CHAT_ID` (> 0, else
//! `CHAT_ID_EMPTY`). The general chat gives 403 `ACCESS_ERROR`. A caller who is not a member
//! (or a chat that does not exist) gets `[]`; members get the user ids in join order.

use b24_im::{ChatUserListErrorCode as Code, ChatUserListRequest as Method};

use super::positive_id;
use crate::methods::{Failure, Outcome, Read, fail};
use crate::php::isset;
use crate::portal::parse_dialog_id;

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    use b24_core::DialogId;
    let id = match isset(call.params.get("DIALOG_ID")) {
        Some(value) => match parse_dialog_id(Some(value)) {
            Some(DialogId::Chat(id) | DialogId::Crm(id)) => id,
            Some(DialogId::Workgroup(group)) => {
                call.portal.workgroup_chat(group).map_or(0, |c| c.id)
            }
            _ => return Err(fail(Code::DialogIdEmpty)),
        },
        None => positive_id(&call.params, "CHAT_ID", Code::ChatIdEmpty)?,
    };
    let Some(chat) = call.portal.chat(id) else {
        return Outcome::of::<Method>(&Vec::new(), 0);
    };
    if chat.general {
        return Err(fail(Code::AccessError));
    }
    if !chat.has_member(call.caller) {
        return Outcome::of::<Method>(&Vec::new(), 0);
    }
    let ids: Vec<u64> = chat.members.iter().map(|r| r.user_id).collect();
    let rows = ids.len();
    Outcome::of::<Method>(&ids, rows)
}
