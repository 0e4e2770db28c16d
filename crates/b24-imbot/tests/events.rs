//! One decoder reads the bot events from every delivery: fetch-queue entries (JSON, real
//! types), form-encoded webhook POSTs (PHP brackets, every scalar a string, `null`s and empty
//! arrays left out) and JSON webhook POSTs.
#![allow(clippy::unwrap_used, clippy::panic)]

use b24_core::{Delivery, EventSet, Received};
use b24_imbot::{Event, EventGetRequest, ReactionAction};
use serde_json::json;

fn known(delivery: Delivery<Event>) -> Event {
    match delivery.event {
        Received::Known(event) => event,
        Received::Other { name, .. } => panic!("unknown event {name}"),
    }
}

/// A webhook body the way PHP's `http_build_query` writes it.
fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

#[test]
fn a_form_encoded_message_decodes_to_real_types() {
    let body = form(&[
        ("event", "ONIMBOTV2MESSAGEADD"),
        ("data[bot][id]", "456"),
        ("data[bot][code]", "support"),
        ("data[bot][auth][access_token]", "bot-access"),
        ("data[message][id]", "789"),
        ("data[message][chatId]", "5"),
        ("data[message][authorId]", "1"),
        ("data[message][text]", "[USER=456]Bot[/USER] hello"),
        ("data[message][isSystem]", "0"),
        ("data[message][date]", "2025-01-15T10:30:00+02:00"),
        ("data[chat][id]", "5"),
        ("data[chat][dialogId]", "chat5"),
        ("data[user][id]", "1"),
        ("data[user][active]", "1"),
        ("data[user][idle]", "0"),
        ("data[user][departments][0]", "1"),
        ("data[user][departments][1]", "7"),
        ("data[language]", "en"),
        ("ts", "1772093963"),
        ("auth[domain]", "portal.example.com"),
        ("auth[application_token]", "app-token-1"),
    ]);
    let delivery =
        Delivery::<Event>::from_webhook(Some("application/x-www-form-urlencoded"), body.as_bytes())
            .unwrap();
    assert_eq!(delivery.ts, Some(1_772_093_963));
    let auth = delivery.auth.clone().unwrap();
    assert!(auth.verify("app-token-1") && !auth.verify("app-token-2"));
    // The bot's callback tokens are kept apart, out of the typed event and out of `Debug`.
    assert!(delivery.bot_auth.is_some());
    let shown = format!("{delivery:?}");
    assert!(
        !shown.contains("bot-access") && !shown.contains("app-token-1"),
        "{shown}"
    );
    let Event::MessageAdd(data) = known(delivery) else {
        panic!("not a message")
    };
    let message = data.message.unwrap();
    assert_eq!(
        (message.id, message.chat_id, message.author_id),
        (789, Some(5), Some(1))
    );
    assert_eq!(message.is_system, Some(false));
    assert_eq!(message.text.as_deref(), Some("[USER=456]Bot[/USER] hello"));
    // `forward: null` and `params: []` vanished from the form: absent and empty.
    assert_eq!(message.forward, None);
    let user = data.user.unwrap();
    assert_eq!(user.id, 1);
    assert_eq!(user.active, Some(true));
    // `idle: false` arrives as "0": not idle.
    assert_eq!(user.idle, None);
    assert_eq!(user.departments, vec![1, 7]);
    assert_eq!(data.bot.unwrap().id, 456);
    assert_eq!(data.chat.unwrap().dialog_id.unwrap().to_string(), "chat5");
}

#[test]
fn the_same_event_as_json_webhook_and_as_fetch_entry_decodes_alike() {
    let data = json!({
        "bot": {"id": 456, "code": "support"},
        "command": {"id": 78, "command": "/help", "params": "billing", "context": "textarea"},
        "message": {"id": 790, "chatId": 5, "authorId": 1, "text": "/help billing"},
        "chat": {"id": 5, "dialogId": "chat5"},
        "user": {"id": 1},
        "language": "en"
    });
    let webhook = json!({"event": "ONIMBOTV2COMMANDADD", "data": data, "ts": 1,
                         "auth": {"application_token": "t"}});
    let from_webhook =
        Delivery::<Event>::from_webhook(Some("application/json"), webhook.to_string().as_bytes())
            .unwrap();
    let entry = json!({"eventId": 1006, "type": "ONIMBOTV2COMMANDADD",
                       "date": "2025-01-15T10:30:00+02:00", "data": data});
    let from_fetch = Delivery::<Event>::from_fetched(&entry).unwrap();
    assert_eq!(from_fetch.event_id, Some(1006));
    assert!(from_fetch.auth.is_none());
    assert_eq!(from_webhook.event, from_fetch.event);
    let Event::CommandAdd(command) = known(from_fetch) else {
        panic!("not a command")
    };
    let call = command.command.unwrap();
    assert_eq!((call.id, call.params.as_deref()), (78, Some("billing")));
}

#[test]
fn a_json_body_is_recognised_without_a_content_type() {
    let body = br#"{"event":"onimbotv2reactionchange","data":{"reaction":"like","action":"delete","bot":{"id":"9"}},"auth":{"application_token":"x"}}"#;
    let event = known(Delivery::<Event>::from_webhook(None, body).unwrap());
    assert_eq!(event.name(), "ONIMBOTV2REACTIONCHANGE");
    let Event::ReactionChange(data) = event else {
        panic!("not a reaction")
    };
    assert_eq!(data.action, Some(ReactionAction::Delete));
    assert_eq!(data.bot.unwrap().id, 9);
}

#[test]
fn user_events_fetched_alongside_are_kept_raw() {
    let entry = json!({"eventId": 5, "type": "ONIMV2MESSAGEADD", "data": {"x": 1}});
    let delivery = Delivery::<Event>::from_fetched(&entry).unwrap();
    assert_eq!(
        delivery.event,
        Received::Other {
            name: "ONIMV2MESSAGEADD".into(),
            data: json!({"x": 1})
        }
    );
}

#[test]
fn data_that_does_not_fit_says_where() {
    let entry = json!({"eventId": 5, "type": "ONIMBOTV2MESSAGEDELETE",
                       "data": {"messageId": "not a number"}});
    let error = Delivery::<Event>::from_fetched(&entry).unwrap_err();
    assert!(error.to_string().contains("data.messageId"), "{error}");
}

#[test]
fn fetched_pages_hand_their_entries_to_the_decoder() {
    let page = json!({"result": {"events": [
        {"eventId": 1004, "type": "ONIMBOTV2JOINCHAT", "date": "2025-01-15T10:30:00+02:00",
         "data": {"bot": {"id": 456}, "dialogId": "chat5", "chat": {"id": 5}, "user": {"id": 1}}}
    ], "nextOffset": 1005, "hasMore": false}});
    let decoded =
        b24_core::decode_response::<EventGetRequest>(Some(200), page.to_string().as_bytes())
            .unwrap();
    let entry = decoded.result.events.first().unwrap();
    assert_eq!(entry.event_id, 1004);
    let Event::JoinChat(join) = known(entry.decode().unwrap()) else {
        panic!("not a join")
    };
    assert_eq!(join.dialog_id.unwrap().to_string(), "chat5");
}
