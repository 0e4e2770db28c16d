//! Who may see what: dialog ids as the server parses them, and the messenger's access checks.

use b24_core::ErrorCode;
use serde_json::Value;

use super::{Chat, Portal};
use crate::methods::{Failure, fail_nth};

/// Why a caller may not open a dialog: the two cases of the messenger's `ACCESS_ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The caller may not read the dialog (HTTP 403).
    NoAccess,
    /// The dialog has no chat, e.g. a private dialog never started (HTTP 400).
    NoChat,
}

impl Denied {
    /// The method's `ACCESS_ERROR` for this case: the spec lists the no-access answer first
    /// and the no-chat answer second.
    pub fn answer(self, access_error: impl ErrorCode) -> Failure {
        match self {
            Self::NoAccess => fail_nth(access_error, 0),
            Self::NoChat => fail_nth(access_error, 1),
        }
    }
}

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

/// The chat a dialog id refers to, for `caller`: `Ok(chat id)`, or why not.
///
/// # Errors
/// [`Denied::NoAccess`] when the caller may not read the dialog, [`Denied::NoChat`] when it
/// has no chat.
pub fn dialog_chat(
    portal: &Portal,
    caller: u64,
    dialog: b24_core::DialogId,
) -> Result<u64, Denied> {
    use b24_core::DialogId;
    let no_access = || Denied::NoAccess;
    let no_chat = || Denied::NoChat;
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
