//! `im.dialog.messages.search` (SERVER-BEHAVIOUR.md §3): `CHAT_ID` > 0 (400 `CHAT_ID_EMPTY`,
//! with the server's backtick) and a chat the caller may read (403 `ACCESS_ERROR`). Messages
//! the caller may see (from their join point on) are filtered by `SEARCH_MESSAGE` (only when
//! longer than 2 characters; case-insensitive), `DATE_FROM`, `DATE_TO` and `DATE` (the 24
//! hours from it; dates that do not parse are ignored), ordered by `ORDER[ID]` (`DESC` unless
//! `ASC`), cut at `LAST_ID` (before it in that order) and at `LIMIT` (`getLimit`). The answer
//! is in the camelCase format of the newer API; authors come in `users`.

use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Map, Value, json};

use crate::methods::{Failure, Outcome, Read, get_limit, render};
use crate::portal::Message;

fn date(value: Option<String>) -> Option<DateTime<FixedOffset>> {
    value.and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok())
}

/// `snake_case` keys of a user object in camelCase, as the newer API sends them.
fn camel_keys(value: Value) -> Value {
    let Value::Object(map) = value else {
        return value;
    };
    Value::Object(
        map.into_iter()
            .map(|(k, v)| {
                // Phone keys stay as the user object has them.
                let v = if k == "phones" { v } else { camel_keys(v) };
                (render::camel(&k), v)
            })
            .collect::<Map<_, _>>(),
    )
}

fn message(m: &Message, viewer: u64, last_read: u64) -> Value {
    json!({
        "id": m.id,
        "chatId": m.chat_id,
        "chat_id": m.chat_id,
        "authorId": m.author_id,
        "author_id": m.author_id,
        "date": m.date,
        "text": m.text,
        "isSystem": m.params.contains_key("SYSTEM"),
        "uuid": m.uuid,
        "forward": Value::Null,
        "params": if m.params.is_empty() { json!([]) } else { Value::Object(m.params.clone()) },
        "viewedByOthers": false,
        "block": Value::Null,
        "unread": m.author_id != viewer && m.id > last_read,
        "viewed": m.author_id == viewer || m.id <= last_read,
        "viewedCount": 0,
    })
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let id = params
        .int("CHAT_ID")
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| Failure::new(400, "CHAT_ID_EMPTY", "CHAT_ID can`t be empty"))?;
    let portal = call.portal;
    let relation = portal
        .chat(id)
        .and_then(|c| c.members.iter().find(|r| r.user_id == call.caller))
        .copied()
        .ok_or_else(|| Failure::new(403, "ACCESS_ERROR", "You do not have access to this chat"))?;
    let text = params
        .text("SEARCH_MESSAGE")
        .map(|t| t.trim().to_lowercase())
        .filter(|t| t.chars().count() > 2);
    let from = date(params.text("DATE_FROM"));
    let to = date(params.text("DATE_TO"));
    let day = date(params.text("DATE")).map(|d| (d, d + Duration::hours(24)));
    let ascending = params
        .get("ORDER")
        .and_then(|o| o.get("ID"))
        .and_then(crate::php::scalar_text)
        .is_some_and(|o| o.eq_ignore_ascii_case("ASC"));
    let last_id = params
        .int("LAST_ID")
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0);
    let limit = get_limit(params.get("LIMIT"));
    let mut found: Vec<&Message> = portal
        .messages
        .iter()
        .filter(|m| m.chat_id == id && m.id >= relation.start_id)
        .filter(|m| {
            text.as_ref()
                .is_none_or(|t| m.text.to_lowercase().contains(t))
        })
        .filter(|m| {
            let Some(at) = date(Some(m.date.clone())) else {
                return from.is_none() && to.is_none() && day.is_none();
            };
            from.is_none_or(|f| at >= f)
                && to.is_none_or(|t| at <= t)
                && day.is_none_or(|(start, end)| at >= start && at < end)
        })
        .filter(|m| match (last_id, ascending) {
            (None, _) => true,
            (Some(last), true) => m.id > last,
            (Some(last), false) => m.id < last,
        })
        .collect();
    found.sort_by_key(|m| m.id);
    if !ascending {
        found.reverse();
    }
    found.truncate(limit);
    let mut authors: Vec<u64> = found
        .iter()
        .map(|m| m.author_id)
        .filter(|a| *a > 0)
        .collect();
    authors.sort_unstable();
    authors.dedup();
    let users: Vec<Value> = authors
        .iter()
        .filter_map(|a| portal.user(*a))
        .filter(|u| portal.can_see(call.caller, u))
        .map(|u| camel_keys(render::user(portal, u)))
        .collect();
    let messages: Vec<Value> = found
        .iter()
        .map(|m| message(m, call.caller, relation.last_read))
        .collect();
    let rows = messages.len();
    Ok(Outcome::of(
        json!({
            "messages": messages,
            "users": users,
            "files": [],
            "additionalMessages": [],
            "copilot": Value::Null,
            "stickers": [],
            "reactions": [],
            "tariffRestrictions": { "isHistoryLimitExceeded": false },
            "usersShort": [],
        }),
        rows,
    ))
}
