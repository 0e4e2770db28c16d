//! `im.recent.list` (`docs/server-behaviour.md`): one page of the recent list. The offset is
//! `start` when above 0, else `OFFSET`; `LIMIT` as `getLimit`. `hasMore` (and its older name
//! `hasMorePages`) says whether entries remain; while they do the envelope carries `next` =
//! offset + entries returned. `total` is always `-1`.

use b24_im::{RecentListRequest as Method, RecentListResult};

use super::entries;
use crate::methods::{Failure, LimitRule, Outcome, Read, render};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let offset = call
        .start
        .filter(|s| *s > 0)
        .or_else(|| params.int("OFFSET").filter(|o| *o > 0))
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(0);
    let limit = usize::try_from(call.limit(LimitRule::Normalised)).unwrap_or(0);
    let all = entries(params, call.portal, call.caller);
    let mut page = RecentListResult::default();
    page.items = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| render::recent_item(call.portal, c, call.caller, call.now))
        .collect();
    let end = offset + page.items.len();
    let more = end < all.len();
    page.has_more = Some(more);
    page.has_more_pages = Some(more);
    let rows = page.items.len();
    let next = more.then(|| u64::try_from(end).unwrap_or(u64::MAX));
    Ok(Outcome::of::<Method>(&page, rows)?.paged(Some(-1), next))
}
