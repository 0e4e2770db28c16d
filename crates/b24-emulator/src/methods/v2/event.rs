//! `im.v2.Event.subscribe` and `im.v2.Event.get`, as `im/lib/V2/Controller/Event.php` and
//! `EventService` do them (`docs/server-behaviour.md`): events are recorded for subscribed
//! users only, reading with `offset > 0` deletes the user's events below it, `nextOffset` =
//! max(offset, last id + 1), `hasMore` = (events returned ≥ limit), events expire after 24 h.
//!
//! An event's `data` is free-form JSON in the spec (`json`), so [`message_added`] writes the
//! payload of the event formats page itself.

use b24_im::{
    EventPage, ImEvent, V2EventGetRequest, V2EventSubscribeRequest, V2EventUnsubscribeRequest,
};
use serde_json::{Map, Value, json};

use crate::methods::{Failure, LimitRule, Outcome, Write, render};
use crate::php::php_int;
use crate::portal::{Message, Portal, iso};

/// How long a recorded event is kept.
const EXPIRY_SECONDS: i64 = 24 * 3600;

pub(super) fn subscribe(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    call.portal.event_subscribers.insert(call.caller);
    Outcome::of::<V2EventSubscribeRequest>(&true, 0)
}

/// `im.v2.Event.unsubscribe`: no new events are recorded for the caller; recorded ones stay.
/// Idempotent.
pub(super) fn unsubscribe(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    call.portal.event_subscribers.remove(&call.caller);
    Outcome::of::<V2EventUnsubscribeRequest>(&true, 0)
}

pub(super) fn get(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let limit = call.limit(LimitRule::Clamped);
    let offset = call.params.get("offset").map_or(0, php_int).max(0);
    let (caller, now) = (call.caller, call.now);
    let portal = &mut *call.portal;
    let offset = u64::try_from(offset).unwrap_or(0);
    portal.events.retain(|e| {
        let acknowledged = e.user_id == caller && offset > 0 && e.id < offset;
        let expired = now - e.at > EXPIRY_SECONDS;
        !acknowledged && !expired
    });
    let records: Vec<_> = portal
        .events
        .iter()
        .filter(|e| e.user_id == caller && e.id >= offset)
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let next_offset = records.last().map_or(offset, |e| offset.max(e.id + 1));
    let returned = records.len();
    let mut page = EventPage::default();
    page.events = records
        .into_iter()
        .map(|e| {
            let mut event = ImEvent::default();
            event.event_id = e.id;
            event.kind = Some(e.kind.as_str().into());
            event.date = render::date(Some(&iso(e.at)));
            event.data = e.data.clone();
            event
        })
        .collect();
    page.next_offset = Some(next_offset);
    page.has_more = Some(i64::try_from(returned).unwrap_or(i64::MAX) >= limit);
    Outcome::of::<V2EventGetRequest>(&page, returned)
}

/// The `ONIMV2MESSAGEADD` payload: the message, the chat and the author in the simplified
/// camelCase shapes of the event formats page, and the portal's language.
#[must_use]
pub fn message_added(portal: &Portal, message: &Message) -> Value {
    let author = event_user(portal, message.author_id);
    json!({
        "message": {
            "id": message.id,
            "chatId": message.chat_id,
            "authorId": message.author_id,
            "date": message.date,
            "text": message.text,
            "isSystem": message.author_id == 0,
            "uuid": message.uuid.clone().unwrap_or_default(),
            "forward": null,
            "params": {},
            "viewedByOthers": false,
        },
        "chat": event_chat(portal, message.chat_id),
        "user": author,
        "language": "en",
    })
}

/// The `ONIMV2MESSAGEDELETE` payload: the message id, the chat, and who deleted it.
#[must_use]
pub fn message_deleted(portal: &Portal, chat_id: u64, message_id: u64, by: u64) -> Value {
    json!({
        "messageId": message_id,
        "chat": event_chat(portal, chat_id),
        "user": event_user(portal, by),
        "language": "en",
    })
}

/// A chat in the simplified shape of the event formats page; `null` when it does not exist.
fn event_chat(portal: &Portal, chat_id: u64) -> Value {
    portal.chat(chat_id).map_or(Value::Null, |c| {
        json!({
            "id": c.id,
            "dialogId": format!("chat{}", c.id),
            "name": c.title,
            "type": c.kind,
            "owner": c.owner,
            "entityType": c.entity_type.clone().unwrap_or_default(),
            "entityId": c.entity_id.clone().unwrap_or_default(),
        })
    })
}

/// A user in the camelCase shape of the event formats page; `null` when they do not exist.
#[must_use]
pub fn event_user(portal: &Portal, user_id: u64) -> Value {
    portal.user(user_id).map_or(Value::Null, |u| {
        let mut user =
            camel_case(serde_json::to_value(render::user(portal, u)).unwrap_or_default());
        // Not in events: per-recipient fields, and online status is always `false`.
        for dropped in ["network", "botData", "avatarHr"] {
            user.remove(dropped);
        }
        for offline in [
            "idle",
            "lastActivityDate",
            "mobileLastDate",
            "desktopLastDate",
        ] {
            user.insert(offline.into(), Value::Bool(false));
        }
        Value::Object(user)
    })
}

/// `first_name` → `firstName`, for the top-level keys of an object.
fn camel_case(value: Value) -> Map<String, Value> {
    let Value::Object(map) = value else {
        return Map::new();
    };
    map.into_iter()
        .map(|(key, v)| {
            let mut out = String::with_capacity(key.len());
            let mut upper = false;
            for c in key.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            (out, v)
        })
        .collect()
}
