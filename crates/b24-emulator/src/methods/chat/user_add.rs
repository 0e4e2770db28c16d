//! `im.chat.user.add`: adds users to a group chat. Checks: `CHAT_ID` > 0 (`CHAT_ID_EMPTY`),
//! the caller a member of an existing chat (`ACCESS_ERROR` "Action unavailable"), the chat one
//! that takes members (not a private dialog, workgroup or general chat: `ACCESS_ERROR`), and
//! the caller's role reaching `manage_users_add` (`ACCESS_DENIED_EXTEND`). Unknown users and
//! members are skipped. With `HIDE_HISTORY` other than `N` the new members see only messages
//! posted after they joined.

use b24_im::{ChatUserAddErrorCode as Code, ChatUserAddRequest as Method};

use super::{is_plain_group, member_chat, name_of, notice, positive_id};
use crate::methods::{Failure, Outcome, Write, fail, fail_nth};
use crate::php::{array_values, intval};
use crate::portal::Right;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = positive_id(&call.params, "CHAT_ID", Code::ChatIdEmpty)?;
    let chat = member_chat(call.portal, id, call.caller, Code::AccessError)?;
    if !is_plain_group(chat) {
        return Err(fail_nth(Code::AccessError, 1));
    }
    if !chat.allows(call.caller, Right::AddUsers) {
        return Err(fail(Code::AccessDeniedExtend));
    }
    let hide_history = call.params.text("HIDE_HISTORY").as_deref() != Some("N");
    let users: Vec<u64> = call
        .params
        .get("USERS")
        .and_then(array_values)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| u64::try_from(intval(v)).ok())
        .filter(|u| call.portal.user(*u).is_some() && !chat.has_member(*u))
        .collect();
    let first_visible = call.portal.last_message_id(id) + 1;
    for user in &users {
        call.portal.join_chat(id, *user);
        if hide_history
            && let Some(rel) = call.portal.chat_mut(id).and_then(|c| c.relation_mut(*user))
        {
            rel.start_id = first_visible;
        }
    }
    if !users.is_empty() {
        let names: Vec<String> = users.iter().map(|u| name_of(call.portal, *u)).collect();
        let text = format!(
            "{} invited {} to the chat",
            name_of(call.portal, call.caller),
            names.join(", ")
        );
        notice(call.portal, id, call.caller, text, call.now);
    }
    Outcome::of::<Method>(&true, users.len())
}
