//! `im.recent.pin`: a dialog id (`DIALOG_ID_EMPTY`) of a chat the caller is a member of (else
//! 400 `ACCESS_ERROR`, as the docs list it); `PIN` other than `N` pins the entry, `N` unpins
//! it. A pinned entry comes back into the list if it was hidden.

use b24_im::{RecentPinErrorCode as Code, RecentPinRequest as Method};

use super::dialog;
use crate::methods::{Failure, Outcome, Write, fail};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let pin = call.params.text("PIN").as_deref() != Some("N");
    let denied = || fail(Code::AccessError);
    let id =
        dialog(&call.params, call.portal, call.caller, Code::DialogIdEmpty)?.ok_or_else(denied)?;
    let rel = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
        .ok_or_else(denied)?;
    rel.recent.pinned = pin;
    if pin {
        rel.recent.hidden = false;
    }
    Outcome::of::<Method>(&true, 1)
}
