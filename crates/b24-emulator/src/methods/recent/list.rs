//! `im.recent.list` (SERVER-BEHAVIOUR.md §3): one page of the recent list. The offset is
//! `start` when above 0, else `OFFSET`; `LIMIT` as `getLimit`. `hasMore` (and its older name
//! `hasMorePages`) says whether entries remain; while they do the envelope carries `next` =
//! offset + entries returned. `total` is always `-1`.

use serde_json::{Value, json};

use super::entries;
use crate::methods::{Failure, Outcome, Read, get_limit, render};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let offset = call
        .start
        .filter(|s| *s > 0)
        .or_else(|| params.int("OFFSET").filter(|o| *o > 0))
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(0);
    let limit = get_limit(params.get("LIMIT"));
    let all = entries(params, call.portal, call.caller);
    let items: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| render::recent_item(call.portal, c, call.caller))
        .collect();
    let end = offset + items.len();
    let more = end < all.len();
    let rows = items.len();
    Ok(Outcome {
        result: json!({
            "items": items,
            "hasMorePages": more,
            "hasMore": more,
            "copilot": Value::Null,
            "messagesAutoDeleteConfigs": [],
        }),
        total: Some(-1),
        next: more.then(|| u64::try_from(end).unwrap_or(u64::MAX)),
        rows,
    })
}
