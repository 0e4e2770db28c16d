//! `im.chat.updateTitle`: renames a group chat. Checks: the chat (`CHAT_ID` or a group
//! `DIALOG_ID`), `TITLE` not empty after PHP's `trim` (`TITLE_EMPTY`), the caller a member of
//! an existing chat whose role reaches `manage_ui` (`ACCESS_ERROR` "Action unavailable"), and
//! the chat one that can be renamed (not a private dialog, workgroup or general chat:
//! `ACCESS_ERROR` "This chat cannot be renamed"). The trimmed title is stored.

use serde_json::json;

use super::{action_unavailable, is_plain_group, member_chat, name_of, notice, target};
use crate::methods::{Failure, Outcome, Write};
use crate::php::trim;
use crate::portal::Right;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target(&call.params, call.portal, call.caller, false)?;
    let title = call
        .params
        .text("TITLE")
        .map(|t| trim(&t).to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Failure::new(400, "TITLE_EMPTY", "Title can't be empty"))?;
    let chat = member_chat(call.portal, id, call.caller)?;
    if !is_plain_group(chat) {
        return Err(Failure::new(
            403,
            "ACCESS_ERROR",
            "This chat cannot be renamed",
        ));
    }
    if !chat.allows(call.caller, Right::Ui) {
        return Err(action_unavailable());
    }
    let text = format!(
        "{} changed the chat title to \"{title}\"",
        name_of(call.portal, call.caller)
    );
    if let Some(chat) = call.portal.chat_mut(id) {
        chat.title = title;
    }
    notice(call.portal, id, call.caller, text, call.now);
    Ok(Outcome::of(json!(true), 1))
}
