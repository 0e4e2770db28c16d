//! `im.chat.updateColor`: sets a group chat's colour from the palette. Checks: the chat
//! (`CHAT_ID` or a group `DIALOG_ID`), `COLOR` a palette name (`WRONG_COLOR`), the chat exists
//! and does not have that colour already (`WRONG_REQUEST`, one message for both), the caller
//! is a member whose role reaches `manage_ui`, and the chat is a plain group chat
//! (`ACCESS_ERROR`). The chat then reports the colour's HEX code.

use b24_im::{ChatUpdateColorErrorCode as Code, ChatUpdateColorRequest as Method};

use super::{is_plain_group, member_chat, name_of, notice, target};
use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::{Right, palette_hex};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target::<Code>(&call.params, call.portal, call.caller, false)?;
    let color = call
        .params
        .text("COLOR")
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| palette_hex(c).is_some())
        .ok_or_else(|| fail(Code::WrongColor))?;
    let wrong = || fail(Code::WrongRequest);
    let chat = call.portal.chat(id).ok_or_else(wrong)?;
    if chat.profile.color == color {
        return Err(wrong());
    }
    let chat = member_chat(call.portal, id, call.caller, Code::AccessError)?;
    if !is_plain_group(chat) || !chat.allows(call.caller, Right::Ui) {
        return Err(fail(Code::AccessError));
    }
    let shown = color.replace('_', " ").to_lowercase();
    if let Some(chat) = call.portal.chat_mut(id) {
        chat.profile.color = color;
    }
    let text = format!(
        "{} changed the chat color to \"{shown}\"",
        name_of(call.portal, call.caller)
    );
    notice(call.portal, id, call.caller, text, call.now);
    Outcome::of::<Method>(&true, 1)
}
