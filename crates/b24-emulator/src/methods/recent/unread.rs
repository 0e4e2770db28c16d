//! `im.recent.unread`: a dialog id (`DIALOG_ID_EMPTY`); for a dialog not in the caller's reach
//! the answer is `false`. `ACTION` other than `N` sets the entry's "unread" mark; `N` clears
//! it and reads the dialog to its newest message.

use b24_im::{RecentUnreadErrorCode as Code, RecentUnreadRequest as Method};

use super::dialog;
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let mark = call.params.text("ACTION").as_deref() != Some("N");
    let Some(id) = dialog(&call.params, call.portal, call.caller, Code::DialogIdEmpty)? else {
        return Outcome::of::<Method>(&false, 0);
    };
    let last = call.portal.last_message_id(id);
    let Some(rel) = call
        .portal
        .chat_mut(id)
        .and_then(|c| c.relation_mut(call.caller))
    else {
        return Outcome::of::<Method>(&false, 0);
    };
    rel.recent.unread = mark;
    if !mark {
        rel.last_read = rel.last_read.max(last);
    }
    Outcome::of::<Method>(&true, 1)
}
