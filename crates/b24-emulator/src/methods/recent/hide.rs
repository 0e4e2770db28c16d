//! `im.recent.hide`: a dialog id (`DIALOG_ID_EMPTY`); the caller's entry of it leaves their
//! recent list until the next message in the dialog. A dialog the caller cannot read changes
//! nothing; the answer is `true` either way.

use b24_im::{RecentHideErrorCode as Code, RecentHideRequest as Method};

use super::dialog;
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    if let Some(id) = dialog(&call.params, call.portal, call.caller, Code::DialogIdEmpty)?
        && let Some(rel) = call
            .portal
            .chat_mut(id)
            .and_then(|c| c.relation_mut(call.caller))
    {
        rel.recent.hidden = true;
        rel.recent.pinned = false;
    }
    Outcome::of::<Method>(&true, 1)
}
