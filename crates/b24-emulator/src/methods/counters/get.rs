//! `im.counters.get`: the caller's unread counters in the upper-case shape of the legacy
//! counter service (`CounterServiceLegacy`), which the REST method returns.
//!
//! - A message is unread for a member when it comes after their last read message
//!   ([`crate::portal::Relation::last_read`]) and their join point, and somebody else wrote it
//!   (the server never creates unread rows for the author).
//! - Per chat the count goes to `CHAT_MUTED` when the member muted the chat (and then into no
//!   total), to `LINES` for Open Channels chats (kind `lines` in loaded data), to `DIALOG` keyed
//!   by the other user's id for private dialogs, and to `CHAT` otherwise (group, open and
//!   workgroup chats; also a private dialog with oneself, which has no other member to key it
//!   by, as on the server).
//! - `TYPE.ALL` sums `CHAT`, `DIALOG`, `LINES` and `NOTIFY` (the caller's unread
//!   notifications); `TYPE.MESSENGER` (current servers) is `ALL` without `NOTIFY`.
//! - Maps and lists are `[]` when empty, as PHP encodes empty arrays. Chats marked "unread" by
//!   hand are not modelled, so `CHAT_UNREAD` and `DIALOG_UNREAD` are always `[]`. The newer
//!   Copilot, collab and task-chat members are not sent (they are optional in the spec).
//! - The undocumented `ONLY_COUNTER` and `JSON=Y` (which change the shape of `result`) are not
//!   reproduced: the parameters are ignored, as the method documents none.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::methods::{Failure, Outcome, Read};

/// A PHP array keyed by id: `[]` when empty, an object otherwise.
fn id_map(map: &BTreeMap<u64, usize>) -> Value {
    if map.is_empty() {
        return json!([]);
    }
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect::<Map<_, _>>(),
    )
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let portal = call.portal;
    let me = call.caller;
    let (mut chat, mut muted, mut lines, mut dialog) = (
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
    );
    for c in portal
        .chats
        .iter()
        .filter(|c| c.members.iter().any(|r| r.user_id == me))
    {
        let count = portal.unread(c.id, me).len();
        if count == 0 {
            continue;
        }
        let is_muted = c.members.iter().any(|r| r.user_id == me && r.muted);
        let other = c
            .members
            .iter()
            .find(|r| r.user_id != me)
            .map(|r| r.user_id);
        match (is_muted, c.kind.as_str(), other) {
            (true, _, _) => muted.insert(c.id, count),
            (false, "lines", _) => lines.insert(c.id, count),
            (false, "private", Some(other)) => dialog.insert(other, count),
            _ => chat.insert(c.id, count),
        };
    }
    let sum = |m: &BTreeMap<u64, usize>| m.values().sum::<usize>();
    let (chat_total, dialog_total, lines_total, notify_total) = (
        sum(&chat),
        sum(&dialog),
        sum(&lines),
        call.portal.unread_notifications(me),
    );
    let all = chat_total + dialog_total + lines_total + notify_total;
    let rows = chat.len() + muted.len() + lines.len() + dialog.len();
    let result = json!({
        "TYPE": {
            "ALL": all,
            "NOTIFY": notify_total,
            "CHAT": chat_total,
            "LINES": lines_total,
            "DIALOG": dialog_total,
            "MESSENGER": all - notify_total,
        },
        "CHAT": id_map(&chat),
        "CHAT_MUTED": id_map(&muted),
        "CHAT_UNREAD": [],
        "LINES": id_map(&lines),
        "DIALOG": id_map(&dialog),
        "DIALOG_UNREAD": [],
    });
    Ok(Outcome::of(result, rows))
}
