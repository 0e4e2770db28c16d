//! Events the portal delivers, read the same way from every delivery the platform uses.
//!
//! A scope's events are generated from its spec into one enum implementing [`EventSet`] (for
//! the chat bots, `b24_imbot::Event`). They arrive in three forms:
//!
//! - **fetch** (`imbot.v2.Event.get`): JSON entries `{eventId, type, date, data}` with real
//!   types; read them with [`Delivery::from_fetched`];
//! - **webhook, form-encoded** (what the docs of the event page describe): a POST body in PHP
//!   bracket notation (`data[bot][id]=456&auth[application_token]=…`), where every scalar is a
//!   string, `true`/`false` are `1`/`0`, and `null` values and empty arrays are left out;
//! - **webhook, JSON** (what the docs' handler examples read): the same envelope as a JSON body.
//!
//! [`Delivery::from_webhook`] takes either webhook body. The generated event types are tolerant
//! of the form encoding (numbers and flags read from strings, absent members optional or
//! empty), so one set of types reads all three.
//!
//! A webhook POST is verified by comparing the envelope's top-level `auth.application_token`
//! with the value stored when the application was installed ([`EventAuth::verify`]); never
//! with `data.bot.auth`, which carries tokens for calling back.

use std::fmt;

use serde::Deserializer;
use serde_json::{Map, Value};

use crate::error::DecodeError;
use crate::types::DateTime;

/// The events of a scope: a generated enum with one variant per event.
pub trait EventSet: Sized {
    /// The event names the set knows, as the server sends them (`ONIMBOTV2MESSAGEADD`).
    const NAMES: &'static [&'static str];

    /// The event's name as the server sends it.
    fn name(&self) -> &'static str;

    /// Decodes the `data` of the event `name` (upper case); `Ok(None)` for a name the set does
    /// not know.
    ///
    /// # Errors
    /// When `data` does not fit the event's type.
    fn decode<'de, D: Deserializer<'de>>(name: &str, data: D) -> Result<Option<Self>, D::Error>;

    /// Encodes the event's `data` the way the fetch queue sends it.
    ///
    /// # Errors
    /// When the serializer fails.
    fn encode_data<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// An event as it was received: one the set knows, or another with its raw data.
#[derive(Debug, Clone, PartialEq)]
pub enum Received<E> {
    /// A known event, decoded.
    Known(E),
    /// An event of a name the set does not know (newer servers, or user events fetched with
    /// `withUserEvents`); its data as sent.
    Other {
        /// Its name as sent.
        name: String,
        /// Its data as sent.
        data: Value,
    },
}

/// One delivered event with what the delivery carried around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<E> {
    /// The event.
    pub event: Received<E>,
    /// Fetch mode: the event's id in the queue (`offset` = id + 1 acknowledges it).
    pub event_id: Option<u64>,
    /// Fetch mode: when it happened.
    pub date: Option<DateTime>,
    /// Webhook mode: when it was sent (Unix seconds).
    pub ts: Option<u64>,
    /// Webhook mode: the subscription that sent it.
    pub handler_id: Option<u64>,
    /// Webhook mode: the envelope's top-level `auth`, for verification.
    pub auth: Option<EventAuth>,
    /// Webhook mode, OAuth applications: `data.bot.auth`, the tokens issued for the bot user
    /// to call back with. Taken out of the data before decoding, so the typed event (which
    /// derives `Debug`) never holds a token; never use it to verify a delivery.
    pub bot_auth: Option<EventAuth>,
}

/// The top-level `auth` of a webhook delivery. `Debug` never shows a token.
#[derive(Clone, PartialEq)]
pub struct EventAuth {
    fields: Map<String, Value>,
}

impl fmt::Debug for EventAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("EventAuth");
        for key in [
            "domain",
            "client_endpoint",
            "server_endpoint",
            "member_id",
            "user_id",
        ] {
            if let Some(value) = self.get(key) {
                d.field(key, &value);
            }
        }
        d.field("tokens", &"[REDACTED]").finish()
    }
}

impl EventAuth {
    /// A text member of `auth` (`domain`, `member_id`, `client_endpoint`, …). Numbers are
    /// given as text.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<String> {
        match self.fields.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The application token the delivery claims to come with.
    #[must_use]
    pub fn application_token(&self) -> Option<&str> {
        self.fields.get("application_token")?.as_str()
    }

    /// Whether the delivery carries `expected` as its application token (compared in time
    /// independent of where the first difference is). An empty `expected` never matches.
    #[must_use]
    pub fn verify(&self, expected: &str) -> bool {
        let Some(got) = self.application_token() else {
            return false;
        };
        if expected.is_empty() || got.len() != expected.len() {
            return false;
        }
        got.bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl<E: EventSet> Delivery<E> {
    /// Reads one entry of `imbot.v2.Event.get`'s `events` (`{eventId, type, date, data}`).
    ///
    /// # Errors
    /// When the entry is not an object with `type`, or its data does not fit the event's type
    /// (with the JSON path inside `data`).
    pub fn from_fetched(entry: &Value) -> Result<Self, DecodeError> {
        let Value::Object(entry) = entry else {
            return Err(DecodeError::new("", "an event entry is not an object"));
        };
        let name = text(entry.get("type")).ok_or_else(|| DecodeError::new("type", "missing"))?;
        let mut data = entry.get("data").cloned().unwrap_or(Value::Null);
        let bot_auth = take_bot_auth(&mut data);
        let date = match entry.get("date") {
            Some(Value::String(s)) => s.parse::<DateTime>().ok(),
            _ => None,
        };
        Ok(Self {
            event: received(&name, data)?,
            event_id: number(entry.get("eventId")),
            date,
            ts: None,
            handler_id: None,
            auth: None,
            bot_auth,
        })
    }

    /// Reads a webhook POST body: JSON when `content_type` says so or the body is a JSON
    /// object, otherwise form-encoded in PHP bracket notation.
    ///
    /// # Errors
    /// When the body is neither, has no `event`, or the data does not fit the event's type.
    pub fn from_webhook(content_type: Option<&str>, body: &[u8]) -> Result<Self, DecodeError> {
        let json = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("json"))
            || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let envelope = if json {
            serde_json::from_slice::<Value>(body)
                .map_err(|e| DecodeError::new("", format!("the body is not JSON: {e}")))?
        } else {
            parse_form(body)
        };
        let Value::Object(mut envelope) = envelope else {
            return Err(DecodeError::new("", "the body is not an object"));
        };
        let name =
            text(envelope.get("event")).ok_or_else(|| DecodeError::new("event", "missing"))?;
        let mut data = envelope.remove("data").unwrap_or(Value::Null);
        let bot_auth = take_bot_auth(&mut data);
        let auth = match envelope.remove("auth") {
            Some(Value::Object(fields)) => Some(EventAuth { fields }),
            _ => None,
        };
        Ok(Self {
            event: received(&name, data)?,
            event_id: None,
            date: None,
            ts: number(envelope.get("ts")),
            handler_id: number(envelope.get("event_handler_id")),
            auth,
            bot_auth,
        })
    }
}

/// Takes `bot.auth` out of an event's data.
fn take_bot_auth(data: &mut Value) -> Option<EventAuth> {
    match data.get_mut("bot")?.as_object_mut()?.remove("auth")? {
        Value::Object(fields) => Some(EventAuth { fields }),
        _ => None,
    }
}

fn received<E: EventSet>(name: &str, data: Value) -> Result<Received<E>, DecodeError> {
    let upper = name.to_ascii_uppercase();
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(&data, &mut track);
    match E::decode(&upper, de) {
        Ok(Some(event)) => Ok(Received::Known(event)),
        Ok(None) => Ok(Received::Other { name: upper, data }),
        Err(e) => {
            let path = track.path().to_string();
            let path = if path == "." {
                "data".to_owned()
            } else {
                format!("data.{path}")
            };
            Err(DecodeError::new(path, e.to_string()))
        }
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn number(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses a form body in PHP bracket notation (`a[b][c]=v`, `a[]=v`) into nested objects of
/// strings, the way PHP fills `$_POST`: every value a string, numeric keys kept as object keys
/// (the tolerant list codec reads an object of index keys as a list).
#[must_use]
pub fn parse_form(body: &[u8]) -> Value {
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(body) {
        let (head, rest) = match key.find('[') {
            Some(i) if i > 0 => (key.get(..i).unwrap_or(""), key.get(i..).unwrap_or("")),
            _ => (key.as_ref(), ""),
        };
        let mut path: Vec<String> = vec![head.to_owned()];
        let mut rest = rest;
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(end) = stripped.find(']') else {
                break;
            };
            path.push(stripped.get(..end).unwrap_or("").to_owned());
            rest = stripped.get(end + 1..).unwrap_or("");
        }
        insert(&mut root, &path, Value::String(value.into_owned()));
    }
    Value::Object(root)
}

fn insert(map: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    // `a[]` appends: the next index of what is there.
    let key = if first.is_empty() {
        map.len().to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        map.insert(key, value);
        return;
    }
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        insert(inner, rest, value);
    }
}

/// Encodes a JSON value as a form body in PHP bracket notation, the way PHP's
/// `http_build_query` does: `true`/`false` as `1`/`0`, `null` and empty arrays and objects left
/// out, lists with their indices. What a webhook receiver gets from the portal.
#[must_use]
pub fn encode_form(value: &Value) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Value::Object(map) = value {
        for (key, value) in map {
            encode_into(&mut out, key, value);
        }
    }
    out.finish()
}

fn encode_into(out: &mut form_urlencoded::Serializer<'_, String>, key: &str, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(b) => {
            out.append_pair(key, if *b { "1" } else { "0" });
        }
        Value::Number(n) => {
            out.append_pair(key, &n.to_string());
        }
        Value::String(s) => {
            out.append_pair(key, s);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                encode_into(out, &format!("{key}[{i}]"), item);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                encode_into(out, &format!("{key}[{k}]"), item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn php_brackets_nest_and_every_scalar_is_a_string() {
        let body = b"event=ONIMBOTV2JOINCHAT&data%5Bbot%5D%5Bid%5D=456&data[list][]=a&data[list][]=b&ts=17";
        assert_eq!(
            parse_form(body),
            json!({"event": "ONIMBOTV2JOINCHAT", "data": {"bot": {"id": "456"},
                   "list": {"0": "a", "1": "b"}}, "ts": "17"})
        );
    }

    #[test]
    fn the_form_encoding_drops_nulls_and_empty_arrays_like_php() {
        let value = json!({"data": {"a": null, "b": [], "c": true, "d": [1, {"e": false}]}});
        let body = encode_form(&value);
        assert_eq!(
            parse_form(body.as_bytes()),
            json!({"data": {"c": "1", "d": {"0": "1", "1": {"e": "0"}}}})
        );
    }

    #[test]
    fn verification_compares_the_whole_token() {
        let auth = EventAuth {
            fields: json!({"application_token": "abc123", "domain": "x.bitrix24.com"})
                .as_object()
                .cloned()
                .unwrap(),
        };
        assert!(auth.verify("abc123"));
        assert!(!auth.verify("abc124") && !auth.verify("abc12") && !auth.verify(""));
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("abc123") && shown.contains("x.bitrix24.com"),
            "{shown}"
        );
    }
}
