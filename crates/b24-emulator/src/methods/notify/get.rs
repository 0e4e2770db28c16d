//! `im.notify.get` and `im.notify.history.search`: the caller's notifications, newest first.
//!
//! `get` lists confirm notifications first, then the others; its cursor is the pair `LAST_ID`
//! and `LAST_TYPE` (`1`: still in the confirm stage, `3`: in the others), one without the
//! other being `LAST_ID_AND_LAST_TYPE`. `history.search` filters by text (at least 3 characters
//! when no other filter is sent), type and author, and pages by `LAST_ID` alone;
//! `total_results` comes with the first page only. Both: `LIMIT` 50 by default, at most 50.

use b24_core::{ErrorCode, Method};
use b24_im::{
    DialogUser, NotificationPage, NotificationSearchPage, NotifyGetErrorCode, NotifyGetRequest,
    NotifyHistorySearchErrorCode, NotifyHistorySearchRequest,
};
use serde_json::{Value, json};

use crate::methods::{Failure, LimitRule, Outcome, Read, fail, render};
use crate::php::{php_int, positive_ids};
use crate::portal::{Notification, NotifyKind, Portal};

/// The system-notification chat of a user (one per user on the server).
fn notify_chat(user: u64) -> u64 {
    1_000_000 + user
}

/// The page size: `im.notify.get` has no pagination block in the spec (its cursor is a pair no
/// paging dialect describes), and the server sizes its pages as the history search's.
fn limit(call: &Read<'_>) -> usize {
    let spec = NotifyHistorySearchRequest::INFO.pagination.limit;
    usize::try_from(call.limit_by(spec, LimitRule::CappedOnly)).unwrap_or(0)
}

fn render(n: &Notification) -> b24_im::Notification {
    let mut out = b24_im::Notification::default();
    out.id = n.id;
    out.chat_id = Some(notify_chat(n.user_id));
    out.author_id = Some(n.author_id);
    out.date = render::date(Some(&n.date));
    out.notify_type = Some(n.kind.code());
    out.notify_module = Some(n.module.clone());
    out.notify_event = Some(n.event.clone());
    out.notify_tag = Some(n.tag.clone().unwrap_or_default());
    out.notify_sub_tag = Some(n.sub_tag.clone().unwrap_or_default());
    out.notify_title = Some(String::new());
    out.setting_name = Some(format!("{}|{}", n.module, n.event));
    out.text = Some(n.text.clone());
    out.notify_read = Some(n.read);
    out.notify_buttons = (!n.buttons.is_empty()).then(|| {
        let buttons: Vec<Value> = n
            .buttons
            .iter()
            .map(|(title, value)| json!({"TITLE": title, "VALUE": value, "TYPE": "accept"}))
            .collect();
        Value::Array(buttons).to_string()
    });
    out.params = None;
    out
}

/// The page's notifications and their authors.
fn page(portal: &Portal, page: &[&Notification]) -> (Vec<b24_im::Notification>, Vec<DialogUser>) {
    let mut authors: Vec<u64> = page
        .iter()
        .map(|n| n.author_id)
        .filter(|a| *a > 0)
        .collect();
    authors.sort_unstable();
    authors.dedup();
    let users = authors
        .iter()
        .filter_map(|a| portal.user(*a))
        .map(|u| render::user(portal, u))
        .collect();
    (page.iter().map(|n| render(n)).collect(), users)
}

/// `LAST_ID`, which must be digits (else `not_digits`, the method's `LAST_ID_STRING`).
fn last_id(call: &Read<'_>, not_digits: impl ErrorCode) -> Result<Option<u64>, Failure> {
    match call.params.text("LAST_ID") {
        None => Ok(None),
        Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => Ok(t.parse().ok()),
        Some(_) => Err(fail(not_digits)),
    }
}

fn count(n: usize) -> Option<u32> {
    Some(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(super) fn get(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    use NotifyGetErrorCode as Code;
    let last = last_id(call, Code::LastIdString)?;
    let cursor = match (last, call.params.get("LAST_TYPE").map(php_int)) {
        (None, None) => None,
        (Some(id), Some(stage)) => Some((id, stage)),
        _ => return Err(fail(Code::LastIdAndLastType)),
    };
    let portal = call.portal;
    let mine: Vec<&Notification> = portal
        .notifications
        .iter()
        .filter(|n| n.user_id == call.caller)
        .collect();
    let stage = |n: &&Notification| u8::from(n.kind != NotifyKind::Confirm);
    let mut ordered = mine.clone();
    ordered.sort_by_key(|n| (stage(n), std::cmp::Reverse(n.id)));
    let after: Vec<&Notification> = match cursor {
        None => ordered,
        Some((id, 1)) => ordered
            .into_iter()
            .filter(|n| stage(n) == 1 || n.id < id)
            .collect(),
        Some((id, _)) => ordered
            .into_iter()
            .filter(|n| stage(n) == 1 && n.id < id)
            .collect(),
    };
    let taken: Vec<&Notification> = after.into_iter().take(limit(call)).collect();
    let (notifications, users) = page(portal, &taken);
    let rows = notifications.len();
    let mut result = NotificationPage::default();
    result.total_count = count(mine.len());
    result.total_unread_count = count(mine.iter().filter(|n| !n.read).count());
    result.chat_id = Some(notify_chat(call.caller));
    result.notifications = Some(notifications);
    result.users = Some(users);
    Outcome::of::<NotifyGetRequest>(&result, rows)
}

pub(super) fn history_search(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    use NotifyHistorySearchErrorCode as Code;
    let text = call.params.text("SEARCH_TEXT").unwrap_or_default();
    let types: Vec<String> = call
        .params
        .text("SEARCH_TYPE")
        .into_iter()
        .chain(
            call.params
                .get("SEARCH_TYPES")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned)),
        )
        .collect();
    let authors = positive_ids(call.params.get("SEARCH_AUTHORS"));
    if types.is_empty() && authors.is_empty() && text.chars().count() < 3 {
        return Err(fail(Code::SearchTextError));
    }
    let last = last_id(call, Code::LastIdString)?;
    let portal = call.portal;
    let needle = text.to_lowercase();
    let mut found: Vec<&Notification> = portal
        .notifications
        .iter()
        .filter(|n| n.user_id == call.caller)
        .filter(|n| needle.is_empty() || n.text.to_lowercase().contains(&needle))
        .filter(|n| authors.is_empty() || authors.contains(&n.author_id))
        .filter(|n| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| *t == n.module || *t == format!("{}|{}", n.module, n.event))
        })
        .collect();
    found.sort_by_key(|n| std::cmp::Reverse(n.id));
    let total = found.len();
    let taken: Vec<&Notification> = found
        .into_iter()
        .filter(|n| last.is_none_or(|l| n.id < l))
        .take(limit(call))
        .collect();
    let (notifications, users) = page(portal, &taken);
    let rows = notifications.len();
    let mut result = NotificationSearchPage::default();
    result.chat_id = Some(notify_chat(call.caller));
    result.total_results = if last.is_none() { count(total) } else { None };
    result.notifications = Some(notifications);
    result.users = Some(users);
    Outcome::of::<NotifyHistorySearchRequest>(&result, rows)
}
