//! `im.chat.updateTitle`: renames a group chat. Checks: the chat (`CHAT_ID` or a group
//! `DIALOG_ID`), `TITLE` not empty after PHP's `trim` (`TITLE_EMPTY`), the caller a member of
//! an existing chat whose role reaches `manage_ui` (`ACCESS_ERROR` "Action unavailable"), and
//! the chat one that can be renamed (not a private dialog, workgroup or general chat:
//! `ACCESS_ERROR` "This chat cannot be renamed"). The trimmed title is stored.

use b24_im::{ChatUpdateTitleErrorCode as Code, ChatUpdateTitleRequest as Method};

use super::{is_plain_group, member_chat, name_of, notice, target};
use crate::methods::{Failure, Outcome, Write, fail, fail_nth};
use crate::php::trim;
use crate::portal::Right;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target::<Code>(&call.params, call.portal, call.caller, false)?;
    let title = call
        .params
        .text("TITLE")
        .map(|t| trim(&t).to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| fail(Code::TitleEmpty))?;
    let chat = member_chat(call.portal, id, call.caller, Code::AccessError)?;
    if !is_plain_group(chat) {
        return Err(fail_nth(Code::AccessError, 1));
    }
    if !chat.allows(call.caller, Right::Ui) {
        return Err(fail(Code::AccessError));
    }
    let text = format!(
        "{} changed the chat title to \"{title}\"",
        name_of(call.portal, call.caller)
    );
    if let Some(chat) = call.portal.chat_mut(id) {
        chat.title = title;
    }
    notice(call.portal, id, call.caller, text, call.now);
    Outcome::of::<Method>(&true, 1)
}
