//! The emulator follows the spec: every method of the spec is served (by its handler, or from
//! its spec example), and every answer, success or error, matches the spec strictly, over real
//! HTTP on loopback. [`CALLS`] exercises each method that has a handler (a handler without a
//! line there fails `every_handler_is_exercised`); a method of the spec without a handler is
//! called without parameters and answers from its example or with a parameter error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use b24_core::testing::check_answer;
use b24_emulator::{Config, methods};
use serde_json::{Value, json};

/// Calls that exercise each method of the seeded portal: successes first, then errors. They
/// run in the order listed, so a call may use what an earlier one made (a message, a file).
/// Each answer is checked strictly against the spec.
const CALLS: &[(&str, &[&str])] = &[
    (
        "im.chat.get",
        &[
            r#"{"ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|12"}"#,
            r#"{"ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|13"}"#,
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "group2"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "7"}"#,
        ],
    ),
    ("im.counters.get", &[r"{}"]),
    (
        "im.dialog.messages.get",
        &[
            r#"{"DIALOG_ID": "chat2", "CONVERT_TEXT": "Y"}"#,
            r#"{"DIALOG_ID": "chat3", "LAST_ID": 0, "LIMIT": 2}"#,
            r#"{"DIALOG_ID": "7"}"#,
            r#"{"DIALOG_ID": ""}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "chat3", "FIRST_ID": "abc"}"#,
            r#"{"DIALOG_ID": "chat3", "LAST_ID": "abc"}"#,
        ],
    ),
    (
        "im.dialog.users.list",
        &[
            r#"{"DIALOG_ID": "chat1", "LIMIT": 5}"#,
            r#"{"DIALOG_ID": "chat1", "LAST_ID": 0, "SKIP_EXTERNAL": "Y"}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "7"}"#,
        ],
    ),
    (
        "im.message.add",
        &[
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "hello"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": ""}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": ["not", "text"]}"#,
            r#"{"MESSAGE": "nowhere"}"#,
            r#"{"USER_ID": 0, "MESSAGE": "x"}"#,
            r#"{"USER_ID": 99999, "MESSAGE": "x"}"#,
            r#"{"CHAT_ID": 0, "MESSAGE": "x"}"#,
            r#"{"DIALOG_ID": "chat5", "MESSAGE": "x"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "KEYBOARD": "junk"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "MENU": "junk"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "ATTACH": "junk"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "REPLY_ID": 999999}"#,
        ],
    ),
    // Message 145 is the one `im.message.add` just posted (the seeded portal has 144); message
    // 24 of `chat2` is user 26's. Edited, liked, shared and used for a command, then deleted.
    (
        "im.message.update",
        &[
            r#"{"MESSAGE_ID": 145, "MESSAGE": "edited"}"#,
            r#"{"MESSAGE_ID": 0, "MESSAGE": "x"}"#,
            r#"{"MESSAGE_ID": 24, "MESSAGE": "x"}"#,
            r#"{"MESSAGE_ID": 145, "ATTACH": "junk"}"#,
            r#"{"MESSAGE_ID": 145, "KEYBOARD": "junk"}"#,
            r#"{"MESSAGE_ID": 145, "MENU": "junk"}"#,
        ],
    ),
    (
        "im.message.like",
        &[
            r#"{"MESSAGE_ID": 145}"#,
            r#"{"MESSAGE_ID": 145, "ACTION": "plus"}"#,
            r#"{"MESSAGE_ID": 0}"#,
        ],
    ),
    (
        "im.message.share",
        &[
            r#"{"MESSAGE_ID": 145, "DIALOG_ID": "chat2", "TYPE": "TASK"}"#,
            r#"{"MESSAGE_ID": 145, "DIALOG_ID": "chat2", "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 0, "DIALOG_ID": "chat2", "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 145, "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 145, "DIALOG_ID": "chat5", "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 145, "DIALOG_ID": "chat2", "TYPE": "NOTE"}"#,
        ],
    ),
    // User 47 is a bot; every seeded bot registered `help`.
    (
        "im.message.command",
        &[
            r#"{"MESSAGE_ID": 145, "BOT_ID": 47, "COMMAND": "help"}"#,
            r#"{"MESSAGE_ID": 0, "BOT_ID": 47, "COMMAND": "help"}"#,
            r#"{"MESSAGE_ID": 145, "BOT_ID": 0, "COMMAND": "help"}"#,
            r#"{"MESSAGE_ID": 145, "BOT_ID": 47, "COMMAND": ""}"#,
            r#"{"MESSAGE_ID": 145, "BOT_ID": 47, "COMMAND": "nothing"}"#,
        ],
    ),
    (
        "im.message.delete",
        &[
            r#"{"MESSAGE_ID": 145}"#,
            r#"{"MESSAGE_ID": 0}"#,
            r#"{"MESSAGE_ID": 24}"#,
        ],
    ),
    // The first upload stores file 2 (folder 1 is `chat2`'s); it is then downloaded,
    // committed, saved and deleted.
    (
        "im.v2.File.upload",
        &[
            r#"{"dialogId": "chat2", "fields": {"name": "a.txt", "content": "aGVsbG8="}}"#,
            r#"{"dialogId": "chat2", "fields": {"name": "a.txt"}}"#,
            r#"{"dialogId": "chat2", "fields": {"name": "a.txt", "content": "!!"}}"#,
            r#"{"dialogId": "chat99999", "fields": {"name": "a.txt", "content": "aGVsbG8="}}"#,
            r#"{"dialogId": "chat5", "fields": {"name": "a.txt", "content": "aGVsbG8="}}"#,
        ],
    ),
    (
        "im.v2.File.download",
        &[
            r#"{"dialogId": "chat2", "fileId": 2}"#,
            r#"{"dialogId": "chat2", "fileId": 99999}"#,
            r#"{"dialogId": "chat5", "fileId": 2}"#,
        ],
    ),
    (
        "im.disk.folder.get",
        &[
            r#"{"CHAT_ID": 2}"#,
            r#"{"CHAT_ID": 0}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"CHAT_ID": 5}"#,
        ],
    ),
    (
        "im.disk.file.commit",
        &[
            r#"{"CHAT_ID": 2, "FILE_ID": [2], "MESSAGE": "again"}"#,
            r"{}",
            r#"{"DIALOG_ID": "x", "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 5, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 2}"#,
            r#"{"CHAT_ID": 2, "FILE_ID": 99999}"#,
        ],
    ),
    (
        "im.disk.file.save",
        &[
            r#"{"FILE_ID": 2}"#,
            r#"{"FILE_ID": 0}"#,
            r#"{"FILE_ID": 99999}"#,
        ],
    ),
    (
        "im.disk.file.delete",
        &[
            r#"{"CHAT_ID": 2, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 5, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 0, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 2}"#,
        ],
    ),
    ("im.revision.get", &[r"{}"]),
    (
        "im.user.list.get",
        &[
            r#"{"ID": [1, 2, 99999]}"#,
            r#"{"ID": [1, 2], "RESULT_TYPE": "array"}"#,
            r#"{"ID": "x"}"#,
        ],
    ),
    ("im.v2.Event.get", &[r"{}", r#"{"limit": 1, "offset": 1}"#]),
    ("im.v2.Event.subscribe", &[r"{}"]),
    ("im.v2.Event.unsubscribe", &[r"{}"]),
    // Bots: `$BOT` and `$BOT2` stand for the first and the last bot registered so far, `$MSG`
    // for a message `$BOT` sends to user 1 when first needed.
    (
        "imbot.v2.Bot.register",
        &[
            r#"{"botToken": "t", "fields": {"code": "spec", "properties": {"name": "Spec"}}}"#,
            r#"{"botToken": "t", "fields": {"code": "spec2", "properties": {"name": "Two"}, "eventMode": "webhook", "webhookUrl": "http://127.0.0.1:9/hook"}}"#,
            r#"{"botToken": "u", "fields": {"code": "spec", "properties": {"name": "Spec"}}}"#,
            r#"{"fields": {"code": "x", "properties": {"name": "X"}}}"#,
            r#"{"botToken": "t", "fields": {"properties": {"name": "X"}}}"#,
            r#"{"botToken": "t", "fields": {"code": "y"}}"#,
            r#"{"botToken": "t", "fields": {"code": "y", "properties": {"name": "Y"}, "eventMode": "push"}}"#,
            r#"{"botToken": "t", "fields": {"code": "y", "properties": {"name": "Y"}, "eventMode": "webhook"}}"#,
            r#"{"botToken": "t", "fields": {"code": "y", "properties": {"name": "Y"}, "webhookUrl": "http://example.com/"}}"#,
        ],
    ),
    (
        "imbot.v2.Bot.unregister",
        &[
            r#"{"botToken": "t", "botId": "$BOT2"}"#,
            r#"{"botToken": "t", "botId": "$BOT2"}"#,
            r#"{"botToken": "t"}"#,
            r#"{"botId": "$BOT"}"#,
            r#"{"botToken": "u", "botId": "$BOT"}"#,
        ],
    ),
    (
        "imbot.v2.Chat.Message.Reaction.add",
        &[
            r#"{"botToken": "t", "botId": "$BOT", "messageId": "$MSG", "reaction": "like"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "messageId": "$MSG", "reaction": "like"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "messageId": "$MSG", "reaction": "LIKE"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "messageId": 999999, "reaction": "like"}"#,
        ],
    ),
    (
        "imbot.v2.Chat.Message.send",
        &[
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "1", "fields": {"message": "hi"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "1", "fields": {"MESSAGE": "hi"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "chat2", "fields": {"message": "hi"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "99999", "fields": {"message": "hi"}}"#,
        ],
    ),
    (
        "imbot.v2.Command.register",
        &[
            r#"{"botToken": "t", "botId": "$BOT", "fields": {"command": "/help", "title": {"en": "Help"}}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "fields": {"command": "help"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "fields": {}}"#,
        ],
    ),
    (
        "imbot.v2.Event.get",
        &[
            r#"{"botToken": "t", "botId": "$BOT"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "offset": 5, "limit": 1}"#,
            r#"{"botToken": "t", "botId": 99999}"#,
        ],
    ),
];

fn calls_of(method: &str) -> Vec<Value> {
    CALLS
        .iter()
        .find(|(name, _)| *name == method)
        .map(|(_, calls)| {
            calls
                .iter()
                .map(|c| serde_json::from_str(c).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// `params` with `$BOT`, `$BOT2` and `$MSG` replaced by ids.
fn with_ids(params: &Value, (bot, bot2): (u64, u64), message: u64) -> Value {
    let text = params
        .to_string()
        .replace("\"$BOT\"", &bot.to_string())
        .replace("\"$BOT2\"", &bot2.to_string())
        .replace("\"$MSG\"", &message.to_string());
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_handler_is_exercised() {
    let spec: BTreeSet<&str> = b24_im::METHODS
        .iter()
        .chain(b24_imbot::METHODS)
        .map(|m| m.info.name)
        .collect();
    let exercised: BTreeSet<&str> = CALLS.iter().map(|(name, _)| *name).collect();
    for (name, _) in methods::handlers() {
        assert!(
            exercised.contains(name),
            "{name} has a handler but no calls in CALLS"
        );
    }
    for name in &exercised {
        assert!(spec.contains(name), "{name} in CALLS is not in the spec");
    }
}

#[tokio::test]
async fn every_handler_answers_as_the_spec_says() {
    let emu = common::start(common::unlimited()).await;
    let mut answered = BTreeSet::new();
    let mut bots: Vec<u64> = Vec::new();
    let mut message: Option<u64> = None;
    for (name, _) in CALLS {
        for params in calls_of(name) {
            if params.to_string().contains("\"$MSG\"") && message.is_none() {
                let send = json!({"botToken": "t", "botId": bots.first().copied().unwrap_or(0),
                                  "dialogId": "1", "fields": {"message": "for reactions"}});
                let (_, body) = common::call(&emu, "imbot.v2.Chat.Message.send", send).await;
                message = body["result"]["id"].as_u64();
            }
            let first_and_last = (
                bots.first().copied().unwrap_or(0),
                bots.last().copied().unwrap_or(0),
            );
            let params = with_ids(&params, first_and_last, message.unwrap_or(0));
            // `call_raw` checks the answer strictly against the spec.
            let (status, body) = common::call_raw(&emu, name, params).await;
            answered.insert((*name, status));
            let body: Value = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(id) = body["result"]["bot"]["id"].as_u64()
                && !bots.contains(&id)
            {
                bots.push(id);
            }
        }
    }
    // Each handler answered both ways: a result, and (where it has any) an error.
    for (entry, _) in methods::served().filter(|(_, h)| h.is_some()) {
        let name = entry.info.name;
        assert!(answered.contains(&(name, 200)), "{name} answered a result");
        let documents_errors = !matches!(
            name,
            "im.counters.get"
                | "im.revision.get"
                | "im.v2.Event.get"
                | "im.v2.Event.subscribe"
                | "im.v2.Event.unsubscribe"
        );
        if documents_errors {
            assert!(
                answered.iter().any(|(n, s)| *n == name && *s != 200),
                "{name} answered an error"
            );
        }
    }
    // Every `im` method has a handler; the bot methods without one (listed, never called
    // here) answer from their examples.
    let stats = common::stats(&emu).await;
    let from_example = stats["answered_from_example"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, count) in &from_example {
        assert!(name.starts_with("imbot.v2."), "{name} has no handler");
        assert_eq!(count, &json!(0), "{name} was answered from its example");
    }
}

#[tokio::test]
async fn methods_without_a_handler_answer_from_their_spec_example() {
    let names: Vec<String> = b24_im::METHODS
        .iter()
        .chain(b24_imbot::METHODS)
        .map(|m| m.info.name.to_owned())
        .collect();
    let emu = common::start(Config {
        from_example: names.clone(),
        ..common::unlimited()
    })
    .await;
    let listed = common::stats(&emu).await["answered_from_example"].clone();
    let expected: serde_json::Map<String, Value> =
        names.iter().map(|n| (n.clone(), json!(0))).collect();
    assert_eq!(listed, Value::Object(expected), "listed before any call");

    for entry in b24_im::METHODS.iter().chain(b24_imbot::METHODS) {
        let name = entry.info.name;
        let example: Value = serde_json::from_str(entry.example.unwrap()).unwrap();
        // Without calls of its own, a method is called without parameters: a method that
        // requires some answers with a parameter error (checked against the spec too).
        let known = calls_of(name);
        let params = known.first().map_or(json!({}), |p| with_ids(p, (1, 1), 1));
        let (status, body) = common::call(&emu, name, params).await;
        if known.is_empty() && status == 400 {
            continue;
        }
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(
            body["result"], example["result"],
            "{name}: the example's result"
        );
        for key in ["total", "next"] {
            assert_eq!(
                body.get(key),
                example.get(key),
                "{name}: the example's `{key}`"
            );
        }
    }
    let counted = common::stats(&emu).await["answered_from_example"].clone();
    for name in &names {
        assert_eq!(
            counted[name], 1,
            "{name} was answered from its example once"
        );
    }
    // A reset zeroes the counts and keeps the list.
    let reset = common::client()
        .post(format!("{}/_emulator/reset", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(common::stats(&emu).await["answered_from_example"], listed);
    // Nothing ran: the portal did not change.
    assert_eq!(emu.with_portal(|p| p.messages.len()), {
        let fresh = common::start(common::unlimited()).await;
        fresh.with_portal(|p| p.messages.len())
    });
}

#[tokio::test]
async fn parameters_are_still_checked_with_the_generated_request_type() {
    let emu = common::start(Config {
        from_example: vec!["im.dialog.users.list".into(), "im.user.list.get".into()],
        ..common::unlimited()
    })
    .await;
    // A required parameter missing, with a documented `<PARAM>_EMPTY` code: that code.
    let (status, body) = common::call(&emu, "im.dialog.users.list", json!({"LIMIT": 5})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("DIALOG_ID_EMPTY")),
        "{body}"
    );
    assert_eq!(body["error_description"], "Dialog ID can't be empty");
    // Lower-case names count, as for the handler.
    let (status, _) =
        common::call(&emu, "im.dialog.users.list", json!({"dialog_id": "chat1"})).await;
    assert_eq!(status, 200);
    // A value of the wrong type, without such a code: INVALID_REQUEST naming the parameter.
    let (status, body) = common::call(
        &emu,
        "im.dialog.users.list",
        json!({"DIALOG_ID": "chat1", "LIMIT": "many"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("`LIMIT`"),
        "{body}"
    );
    for params in [json!({"ID": "x"}), json!({})] {
        let (status, body) = common::call(&emu, "im.user.list.get", params).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("INVALID_REQUEST"))
        );
        assert!(
            body["error_description"].as_str().unwrap().contains("`ID`"),
            "{body}"
        );
    }
    let counted = common::stats(&emu).await["answered_from_example"].clone();
    assert_eq!(counted["im.dialog.users.list"], 3);
}

#[test]
fn the_strict_check_rejects_what_the_spec_does_not_say() {
    let entry = b24_im::METHODS
        .iter()
        .find(|m| m.info.name == "im.chat.get")
        .unwrap();
    let check = |status: u16, body: Value| check_answer(entry, status, body.to_string().as_bytes());
    assert_eq!(check(200, json!({"result": {"ID": 2}})), Ok(()));
    assert_eq!(check(200, json!({"result": null})), Ok(()));
    let misspelt = check(200, json!({"result": {"ID": 2, "NAME": "x"}})).unwrap_err();
    assert!(misspelt.contains("NAME"), "{misspelt}");
    assert!(check(200, json!({"result": {"ID": 2}, "totl": 1})).is_err());
    assert!(
        check(200, json!({"result": "chat"})).is_err(),
        "a shape the spec lacks"
    );
    let error = |code: &str, text: &str| json!({"error": code, "error_description": text});
    assert_eq!(
        check(400, error("DIALOG_ID_EMPTY", "Dialog ID can't be empty")),
        Ok(())
    );
    assert!(check(403, error("DIALOG_ID_EMPTY", "Dialog ID can't be empty")).is_err());
    assert!(check(400, error("DIALOG_ID_EMPTY", "Dialog id is empty")).is_err());
    assert!(check(400, error("NO_SUCH_CODE", "x")).is_err());
    assert_eq!(
        check(503, error("QUERY_LIMIT_EXCEEDED", "Too many requests")),
        Ok(())
    );
    assert!(check(200, error("DIALOG_ID_EMPTY", "Dialog ID can't be empty")).is_err());
}
