//! Bot requests serialize with camelCase names and nested `fields`/`properties` objects, and
//! the bot identity comes from the handle, never from the request.
#![allow(clippy::unwrap_used)]

use b24_core::{BotAppMethod, BotMethod, DialogId, WithBot};
use b24_imbot::{
    BotRegisterFields, BotRegisterProperties, BotRegisterRequest, BotUpdateFields,
    BotUpdateProperties, BotUpdateRequest, ChatMessageSendFields, ChatMessageSendRequest,
    CommandListRequest, EventGetRequest, EventMode, RevisionGetRequest,
};
use serde_json::{Value, json};

fn sent<M: serde::Serialize>(request: &M) -> Value {
    serde_json::to_value(request).unwrap()
}

#[test]
fn a_bot_method_gets_bot_id_and_token_from_the_handle() {
    let send = ChatMessageSendRequest::new(DialogId::User(7)).fields(
        ChatMessageSendFields::new()
            .message("Hi")
            .url_preview(false),
    );
    assert_eq!(
        sent(&WithBot::new(456, Some("t0ken"), &send)),
        json!({"botId": 456, "botToken": "t0ken", "dialogId": "7",
               "fields": {"message": "Hi", "urlPreview": false}})
    );
    // OAuth: no token.
    assert_eq!(
        sent(&WithBot::new(456, None, &CommandListRequest::new())),
        json!({"botId": 456})
    );
}

#[test]
fn register_nests_fields_and_properties_and_takes_only_the_token() {
    let register = BotRegisterRequest::new(
        BotRegisterFields::new("support", BotRegisterProperties::new("Support"))
            .event_mode(EventMode::Webhook)
            .webhook_url("https://bots.example.com/hook"),
    );
    assert_eq!(
        sent(&WithBot::app(Some("t0ken"), &register)),
        json!({"botToken": "t0ken", "fields": {
            "code": "support",
            "properties": {"name": "Support"},
            "eventMode": "webhook",
            "webhookUrl": "https://bots.example.com/hook"}})
    );
}

#[test]
fn update_sends_the_whole_profile_so_nothing_is_wiped_by_omission() {
    let update = BotUpdateRequest::new(
        BotUpdateFields::new().properties(BotUpdateProperties::new("Helper", "", "Assistant", "F")),
    );
    assert_eq!(
        sent(&update),
        json!({"fields": {"properties": {
            "name": "Helper", "lastName": "", "workPosition": "Assistant", "gender": "F"}}})
    );
}

#[test]
fn event_get_sends_with_user_events_as_a_json_boolean() {
    // The server reads the string "N" as true; a JSON `false` is false.
    let get = EventGetRequest::new().offset(1002).with_user_events(false);
    assert_eq!(sent(&get), json!({"offset": 1002, "withUserEvents": false}));
}

#[test]
fn the_debug_form_of_a_wrapped_request_hides_the_token() {
    let get = EventGetRequest::new();
    let text = format!("{:?}", WithBot::new(1, Some("very-secret-token"), &get));
    assert!(!text.contains("very-secret-token"), "{text}");
    assert!(text.contains("REDACTED"), "{text}");
}

#[test]
fn which_methods_take_a_bot_and_which_only_the_application() {
    fn bot<M: BotMethod>() {}
    fn app<M: BotAppMethod>() {}
    bot::<EventGetRequest>();
    bot::<BotUpdateRequest>();
    app::<BotRegisterRequest>();
    app::<b24_imbot::BotListRequest>();
    app::<b24_imbot::BotGetRequest>();
    // Revision.get needs no bot: it is called on the client directly.
    let _ = RevisionGetRequest::new();
}
