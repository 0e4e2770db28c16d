//! `im.recent.pin`: a dialog id (`DIALOG_ID_EMPTY`) of a chat the caller is a member of (else
//! 400 `ACCESS_ERROR`, as the docs list it); `PIN` other than `N` pins the entry, `N` unpins
//! it. A pinned entry comes back into the list if it was hidden.

use serde_json::json;

use super::dialog;
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let pin = call.params.text("PIN").as_deref() != Some("N");
    let denied = || {
        Failure::new(
            400,
            "ACCESS_ERROR",
            "You don’t have permission to pin this chat",
        )
    };
    let id = dialog(&call.params, call.portal, call.caller)?.ok_or_else(denied)?;
    let rel = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
        .ok_or_else(denied)?;
    rel.recent.pinned = pin;
    if pin {
        rel.recent.hidden = false;
    }
    Ok(Outcome::of(json!(true), 1))
}
