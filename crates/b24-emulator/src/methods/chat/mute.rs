//! `im.chat.mute`: mutes (`MUTE` other than `N`) or unmutes a chat for the caller. The chat is
//! `CHAT_ID` or `DIALOG_ID` (which may name the caller's private dialog); a chat that does not
//! exist or that the caller is not a member of gives `ACCESS_ERROR` ("This chat cannot be
//! muted"). Muted chats count in `CHAT_MUTED` of `im.counters.get` and in `mute_list`.

use b24_im::{ChatMuteErrorCode as Code, ChatMuteRequest as Method};

use super::target;
use crate::methods::{Failure, Outcome, Write, fail};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = target::<Code>(&call.params, call.portal, call.caller, true)?;
    let mute = call.params.text("MUTE").as_deref() != Some("N");
    let relation = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
        .ok_or_else(|| fail(Code::AccessError))?;
    relation.muted = mute;
    Outcome::of::<Method>(&true, 1)
}
