//! `im.notify.get` and `im.notify.history.search`: the caller's notifications, newest first.
//!
//! `get` lists confirm notifications first, then the others; its cursor is the pair `LAST_ID`
//! and `LAST_TYPE` (`1`: still in the confirm stage, `3`: in the others), one without the
//! other being `LAST_ID_AND_LAST_TYPE`. `history.search` filters by text (at least 3 characters when
//! no other filter is sent), type and author, and pages by `LAST_ID` alone; `total_results`
//! comes with the first page only. Both: `LIMIT` 50 by default, at most 50.

use serde_json::{Value, json};

use crate::methods::{Failure, Outcome, Read, render};
use crate::php::{php_int, positive_ids};
use crate::portal::{Notification, NotifyKind, Portal};

/// The system-notification chat of a user (one per user on the server).
fn notify_chat(user: u64) -> u64 {
    1_000_000 + user
}

fn limit(call: &Read<'_>) -> usize {
    usize::try_from(call.params.get("LIMIT").map_or(50, php_int).min(50)).unwrap_or(0)
}

fn render(n: &Notification) -> Value {
    let mut out = json!({
        "id": n.id,
        "chat_id": notify_chat(n.user_id),
        "author_id": n.author_id,
        "date": n.date,
        "notify_type": n.kind.code(),
        "notify_module": n.module,
        "notify_event": n.event,
        "notify_tag": n.tag.clone().unwrap_or_default(),
        "notify_sub_tag": n.sub_tag.clone().unwrap_or_default(),
        "notify_title": "",
        "setting_name": format!("{}|{}", n.module, n.event),
        "text": n.text,
        "notify_read": if n.read { "Y" } else { "N" },
        "params": null,
    });
    if !n.buttons.is_empty()
        && let Some(map) = out.as_object_mut()
    {
        let buttons: Vec<Value> = n
            .buttons
            .iter()
            .map(|(title, value)| json!({"TITLE": title, "VALUE": value, "TYPE": "accept"}))
            .collect();
        map.insert(
            "notify_buttons".into(),
            Value::String(Value::Array(buttons).to_string()),
        );
    }
    out
}

/// The page's notifications and their authors.
fn page(portal: &Portal, page: &[&Notification]) -> (Vec<Value>, Vec<Value>) {
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

fn last_id(call: &Read<'_>) -> Result<Option<u64>, Failure> {
    match call.params.text("LAST_ID") {
        None => Ok(None),
        Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => Ok(t.parse().ok()),
        Some(_) => Err(Failure::new(
            400,
            "LAST_ID_STRING",
            "Last notification ID can't be string",
        )),
    }
}

pub(super) fn get(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let cursor = match (last_id(call)?, call.params.get("LAST_TYPE").map(php_int)) {
        (None, None) => None,
        (Some(id), Some(stage)) => Some((id, stage)),
        _ => {
            return Err(Failure::new(
                400,
                "LAST_ID_AND_LAST_TYPE",
                "Parameters LAST_ID and LAST_TYPE should be used together",
            ));
        }
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
    Ok(Outcome::of(
        json!({
            "total_count": mine.len(),
            "total_unread_count": mine.iter().filter(|n| !n.read).count(),
            "chat_id": notify_chat(call.caller),
            "notifications": notifications,
            "users": users,
        }),
        rows,
    ))
}

pub(super) fn history_search(call: &mut Read<'_>) -> Result<Outcome, Failure> {
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
        return Err(Failure::new(
            400,
            "SEARCH_TEXT_ERROR",
            "SEARCH_TEXT can't be less then 3 symbols",
        ));
    }
    let last = last_id(call)?;
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
    let mut result = json!({
        "chat_id": notify_chat(call.caller),
        "notifications": notifications,
        "users": users,
    });
    if last.is_none()
        && let Some(map) = result.as_object_mut()
    {
        map.insert("total_results".into(), Value::from(total));
    }
    Ok(Outcome::of(result, rows))
}
