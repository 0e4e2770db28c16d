//! `im.chat.updateAvatar`: replaces a group chat's avatar. Checks: the chat (`CHAT_ID` or a
//! group `DIALOG_ID`), the image (`AVATAR_ERROR`: not a picture, or larger than 5000×5000
//! pixels), the chat exists (`WRONG_REQUEST`), the caller is a member (`ACCESS_ERROR`), the
//! chat's avatar may change (not a private dialog, workgroup or general chat: `ACCESS_ERROR`)
//! and the caller's role reaches `manage_ui` (`ACCESS_DENIED`). Each upload gets a new URL.

use b24_im::{ChatUpdateAvatarErrorCode as Code, ChatUpdateAvatarRequest as Method};

use super::{avatar_image, avatar_url, is_plain_group, member_chat, name_of, notice, target};
use crate::methods::{Failure, Outcome, Write, fail, fail_nth};
use crate::portal::Right;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target::<Code>(&call.params, call.portal, call.caller, false)?;
    let extension = avatar_image(call.params.get("AVATAR"))
        .map_err(|bad| fail_nth(Code::AvatarError, bad as usize))?;
    if call.portal.chat(id).is_none() {
        return Err(fail(Code::WrongRequest));
    }
    let chat = member_chat(call.portal, id, call.caller, Code::AccessError)?;
    if !is_plain_group(chat) {
        return Err(fail_nth(Code::AccessError, 1));
    }
    if !chat.allows(call.caller, Right::Ui) {
        return Err(fail(Code::AccessDenied));
    }
    let version = call
        .portal
        .messages
        .iter()
        .filter(|m| m.chat_id == id)
        .count();
    let url = avatar_url(call.portal, id, version, extension);
    if let Some(chat) = call.portal.chat_mut(id) {
        chat.profile.avatar = url;
    }
    let text = format!(
        "{} changed the chat avatar",
        name_of(call.portal, call.caller)
    );
    notice(call.portal, id, call.caller, text, call.now);
    Outcome::of::<Method>(&true, 1)
}
