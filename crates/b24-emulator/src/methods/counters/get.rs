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
//!   hand (`im.recent.unread`) are listed in `CHAT_UNREAD` (chat ids) and `DIALOG_UNREAD` (the
//!   other user's id of a private dialog); the mark adds nothing to the totals. The newer
//!   Copilot, collab, channel-comment and task-chat members are sent empty, as a current
//!   server does for a portal without such chats; their totals are not sent.
//! - The undocumented `ONLY_COUNTER` and `JSON=Y` (which change the shape of `result`) are not
//!   reproduced: the parameters are ignored, as the method documents none.

use std::collections::BTreeMap;

use b24_im::{CounterTotals, Counters, CountersGetRequest as Method};

use crate::methods::{Failure, Outcome, Read};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let portal = call.portal;
    let me = call.caller;
    let mut counters = Counters::default();
    for c in portal
        .chats
        .iter()
        .filter(|c| c.members.iter().any(|r| r.user_id == me))
    {
        if c.members.iter().any(|r| r.user_id == me && r.recent.unread) {
            match c.members.iter().find(|r| r.user_id != me) {
                Some(other) if c.kind == "private" => counters.dialog_unread.push(other.user_id),
                _ => counters.chat_unread.push(c.id),
            }
        }
        let count = u32::try_from(portal.unread(c.id, me).len()).unwrap_or(u32::MAX);
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
            (true, _, _) => counters.chat_muted.insert(c.id, count),
            (false, "lines", _) => counters.lines.insert(c.id, count),
            (false, "private", Some(other)) => counters.dialog.insert(other, count),
            _ => counters.chat.insert(c.id, count),
        };
    }
    let sum = |m: &BTreeMap<u64, u32>| m.values().fold(0_u32, |a, b| a.saturating_add(*b));
    let mut totals = CounterTotals::default();
    let (chat, dialog, lines, notify) = (
        sum(&counters.chat),
        sum(&counters.dialog),
        sum(&counters.lines),
        u32::try_from(portal.unread_notifications(me)).unwrap_or(u32::MAX),
    );
    let all = chat
        .saturating_add(dialog)
        .saturating_add(lines)
        .saturating_add(notify);
    totals.all = Some(all);
    totals.notify = Some(notify);
    totals.chat = Some(chat);
    totals.lines = Some(lines);
    totals.dialog = Some(dialog);
    totals.messenger = Some(all - notify);
    counters.totals = totals;
    let rows = counters.chat.len()
        + counters.chat_muted.len()
        + counters.lines.len()
        + counters.dialog.len();
    Outcome::of::<Method>(&counters, rows)
}
