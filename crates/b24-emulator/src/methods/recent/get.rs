//! `im.recent.get`: the whole recent list at once (pinned first, newest activity first), with
//! the filters of [`super::entries`]. `LAST_UPDATE`/`LAST_SYNC_DATE` are accepted and ignored:
//! every entry counts as changed.

use b24_im::RecentGetRequest as Method;

use super::entries;
use crate::methods::{Failure, Outcome, Read, render};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let items: Vec<b24_im::RecentItem> = entries(&call.params, call.portal, call.caller)
        .into_iter()
        .map(|c| render::recent_item(call.portal, c, call.caller, call.now))
        .collect();
    let rows = items.len();
    Outcome::of::<Method>(&items, rows)
}
