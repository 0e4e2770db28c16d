//! `im.dialog.read` (`docs/server-behaviour.md`): `DIALOG_ID=notify` answers `true` (no
//! notifications are modelled). Otherwise `DIALOG_ID` must be a dialog id
//! (`DIALOG_ID_EMPTY`); a dialog the caller cannot read answers `false`. `MESSAGE_ID` (or its
//! alias `LAST_ID`) <= 0 or absent reads everything; the caller's read position moves forward
//! only, and a manual "unread" mark is cleared. The answer is camelCase, with `dialogId` a
//! number for a private dialog.

use b24_core::DialogId;
use b24_im::{
    DialogReadDialogId, DialogReadErrorCode as Code, DialogReadRequest as Method, DialogReadResult,
    DialogReadState,
};

use super::dialog_param;
use crate::methods::{Failure, Outcome, Write};
use crate::portal::dialog_chat;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    if call
        .params
        .text("DIALOG_ID")
        .is_some_and(|d| d.eq_ignore_ascii_case("notify"))
    {
        return Outcome::of::<Method>(&DialogReadResult::Flag(true), 0);
    }
    let dialog = dialog_param(&call.params, Code::DialogIdEmpty)?;
    let Ok(id) = dialog_chat(call.portal, call.caller, dialog) else {
        return Outcome::of::<Method>(&DialogReadResult::Flag(false), 0);
    };
    let upto = ["MESSAGE_ID", "LAST_ID"]
        .iter()
        .find_map(|k| call.params.int(k))
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| call.portal.last_message_id(id));
    call.portal.mark_read(id, call.caller, upto);
    if let Some(rel) = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
    {
        rel.recent.unread = false;
    }
    let mut state = DialogReadState::default();
    state.dialog_id = Some(match dialog {
        DialogId::User(user) => DialogReadDialogId::User(user),
        other => DialogReadDialogId::Text(other),
    });
    state.chat_id = id;
    state.last_id = Some(
        call.portal
            .relation(id, call.caller)
            .map_or(0, |r| r.last_read),
    );
    state.counter =
        Some(u32::try_from(call.portal.unread(id, call.caller).len()).unwrap_or(u32::MAX));
    Outcome::of::<Method>(&DialogReadResult::Read(state), 1)
}
