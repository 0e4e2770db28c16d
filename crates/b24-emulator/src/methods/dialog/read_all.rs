//! `im.dialog.read.all`: every chat of the caller is read up to its newest message and every
//! manual "unread" mark is cleared.

use b24_im::DialogReadAllRequest as Method;

use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let me = call.caller;
    let chats: Vec<u64> = call
        .portal
        .chats
        .iter()
        .filter(|c| c.has_member(me))
        .map(|c| c.id)
        .collect();
    for id in &chats {
        let last = call.portal.last_message_id(*id);
        call.portal.mark_read(*id, me, last);
        if let Some(rel) = call.portal.chat_mut(*id).and_then(|c| c.relation_mut(me)) {
            rel.recent.unread = false;
        }
    }
    Outcome::of::<Method>(&true, chats.len())
}
