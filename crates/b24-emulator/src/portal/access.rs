//! Who may see what: dialog ids as the server parses them, and the messenger's access checks.

use serde_json::Value;

use super::{Chat, Portal};
use crate::methods::Failure;

/// `isDialogId`: digits, or `chat`/`sg`/`crm` + digits, case-insensitive. PHP-falsy values
/// (`"0"`, `0`) fail the `$id &&` guard in front of the pattern.
#[must_use]
pub fn parse_dialog_id(value: Option<&Value>) -> Option<b24_core::DialogId> {
    let text = value.and_then(crate::php::scalar_text)?;
    if text == "0" {
        return None;
    }
    text.trim().parse().ok()
}

/// The chat a dialog id refers to, for `caller`: `Ok(chat id)`, or the two access errors the
/// messenger gives (403 no access; 400 no such chat).
///
/// # Errors
/// `ACCESS_ERROR` with HTTP 403 when the caller may not read the dialog, 400 when it does not
/// exist.
pub fn dialog_chat(
    portal: &Portal,
    caller: u64,
    dialog: b24_core::DialogId,
) -> Result<u64, Failure> {
    use b24_core::DialogId;
    let no_access = || {
        Failure::new(
            403,
            "ACCESS_ERROR",
            "You do not have access to the specified dialog",
        )
    };
    let no_chat = || Failure::new(400, "ACCESS_ERROR", "You don't have access to this chat");
    let member = |chat: &Chat| chat.members.iter().any(|r| r.user_id == caller);
    match dialog {
        DialogId::Chat(id) | DialogId::Crm(id) => {
            let chat = portal.chat(id).ok_or_else(no_access)?;
            if member(chat) || chat.kind == "open" {
                Ok(chat.id)
            } else {
                Err(no_access())
            }
        }
        DialogId::Workgroup(group) => {
            let chat = portal.workgroup_chat(group).ok_or_else(no_access)?;
            if member(chat) {
                Ok(chat.id)
            } else {
                Err(no_access())
            }
        }
        DialogId::User(user) => {
            let other = portal.user(user).ok_or_else(no_access)?;
            if !portal.can_see(caller, other) {
                return Err(no_access());
            }
            portal
                .private_chat(caller, user)
                .map(|c| c.id)
                .ok_or_else(no_chat)
        }
    }
}
