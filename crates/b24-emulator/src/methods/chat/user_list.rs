//! `im.chat.user.list` (SERVER-BEHAVIOUR.md §3): the chat is `DIALOG_ID` when set (`chat<N>`,
//! `sg<N>` or `crm<N>`, else `DIALOG_ID_EMPTY`), otherwise `CHAT_ID` (> 0, else
//! `CHAT_ID_EMPTY`). The general chat gives 403 `ACCESS_ERROR`. A caller who is not a member
//! (or a chat that does not exist) gets `[]`; members get the user ids in join order.

use serde_json::json;

use super::{action_unavailable, chat_id, dialog_id_empty};
use crate::methods::{Failure, Outcome, Read};
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
            _ => return Err(dialog_id_empty()),
        },
        None => chat_id(&call.params)?,
    };
    let Some(chat) = call.portal.chat(id) else {
        return Ok(Outcome::of(json!([]), 0));
    };
    if chat.general {
        return Err(action_unavailable());
    }
    if !chat.has_member(call.caller) {
        return Ok(Outcome::of(json!([]), 0));
    }
    let ids: Vec<u64> = chat.members.iter().map(|r| r.user_id).collect();
    let rows = ids.len();
    Ok(Outcome::of(json!(ids), rows))
}
