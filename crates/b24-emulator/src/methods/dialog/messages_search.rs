//! `im.dialog.messages.search` (`docs/server-behaviour.md`): `CHAT_ID` > 0 (400 `CHAT_ID_EMPTY`,
//! with the server's backtick) and a chat the caller may read (403 `ACCESS_ERROR`). Messages
//! the caller may see (from their join point on) are filtered by `SEARCH_MESSAGE` (only when
//! longer than 2 characters; case-insensitive), `DATE_FROM`, `DATE_TO` and `DATE` (the 24
//! hours from it; dates that do not parse are ignored), ordered by `ORDER[ID]` (`DESC` unless
//! `ASC`), cut at `LAST_ID` (before it in that order) and at `LIMIT` (`getLimit`). The answer
//! is in the camelCase format of the newer API; authors come in `users`.

use b24_core::SystemErrorCode;
use b24_im::{
    DialogMessagesSearchErrorCode as Code, DialogMessagesSearchMessage,
    DialogMessagesSearchRequest as Method, DialogMessagesSearchResult, DialogMessagesSearchTariff,
    DialogMessagesSearchUser,
};
use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Map, Value};

use crate::methods::{Failure, LimitRule, Outcome, Read, fail, render};
use crate::portal::{Message, Portal, User};

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

/// The user the other methods send ([`render::user`]), in the camelCase of the newer API.
fn user(portal: &Portal, u: &User) -> Result<DialogMessagesSearchUser, Failure> {
    let unexpected = |_| Failure::system(SystemErrorCode::ErrorUnexpectedAnswer);
    let snake = serde_json::to_value(render::user(portal, u)).map_err(unexpected)?;
    serde_json::from_value(camel_keys(snake)).map_err(unexpected)
}

fn message(m: &Message, viewer: u64, last_read: u64) -> DialogMessagesSearchMessage {
    let mut out = DialogMessagesSearchMessage::default();
    out.id = m.id;
    out.chat_id = Some(m.chat_id);
    out.chat_id_snake = Some(m.chat_id);
    out.author_id = Some(m.author_id);
    out.author_id_snake = Some(m.author_id);
    out.date = render::date(Some(&m.date));
    out.text = Some(m.text.clone());
    out.is_system = Some(m.params.contains_key("SYSTEM"));
    out.uuid = m.uuid.clone();
    out.forward = None;
    out.params = if m.params.is_empty() {
        Value::Array(Vec::new())
    } else {
        Value::Object(m.params.clone())
    };
    out.viewed_by_others = Some(false);
    out.block = None;
    out.unread = Some(m.author_id != viewer && m.id > last_read);
    out.viewed = Some(m.author_id == viewer || m.id <= last_read);
    out.viewed_count = Some(0);
    out
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let id = params
        .int("CHAT_ID")
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| fail(Code::ChatIdEmpty))?;
    let portal = call.portal;
    let relation = portal
        .chat(id)
        .and_then(|c| c.members.iter().find(|r| r.user_id == call.caller))
        .copied()
        .ok_or_else(|| fail(Code::AccessError))?;
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
    let limit = usize::try_from(call.limit(LimitRule::Normalised)).unwrap_or(0);
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
    let users = authors
        .iter()
        .filter_map(|a| portal.user(*a))
        .filter(|u| portal.can_see(call.caller, u))
        .map(|u| user(portal, u))
        .collect::<Result<Vec<_>, _>>()?;
    let mut result = DialogMessagesSearchResult::default();
    result.messages = found
        .iter()
        .map(|m| message(m, call.caller, relation.last_read))
        .collect();
    result.users = users;
    let mut tariff = DialogMessagesSearchTariff::default();
    tariff.is_history_limit_exceeded = Some(false);
    result.tariff_restrictions = Some(tariff);
    let rows = result.messages.len();
    Outcome::of::<Method>(&result, rows)
}
