//! The chat, dialog and recent-list methods over loopback HTTP: the documented errors with their
//! statuses in the cases the server gives them, and successes where the server answers them.
//! Every answer is also checked strictly against the spec (`common::call_raw`), so the emulator
//! sends no code, field, shape or value outside the spec.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use b24_emulator::Emulator;
use serde_json::{Value, json};

/// A chat of the seeded portal the caller (user 1) is not a member of.
const BOARD: u64 = 5;
/// The portal's general chat.
const GENERAL: u64 = 1;

/// Calls `method` and expects `status` with `code` (`""` for a success). `call_raw` has
/// already checked the answer strictly against the spec: a documented code with a documented
/// status and text, or a result the spec's types give back unchanged. Returns the body.
async fn expect(emu: &Emulator, method: &str, params: Value, status: u16, code: &str) -> Value {
    let (got, body) = common::call_raw(emu, method, params.clone()).await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (got, json["error"].as_str().unwrap_or("")),
        (status, code),
        "{method} {params}: {json}"
    );
    json
}

#[tokio::test]
async fn documented_errors_with_their_statuses() {
    let emu = common::start(common::unlimited()).await;
    let cases: &[(&str, Value, u16, &str)] = &[
        (
            "im.chat.updateTitle",
            json!({"TITLE": "x"}),
            400,
            "CHAT_ID_EMPTY",
        ),
        (
            "im.chat.updateTitle",
            json!({"CHAT_ID": "chat2", "TITLE": "x"}),
            400,
            "CHAT_ID_EMPTY",
        ),
        (
            "im.chat.updateTitle",
            json!({"DIALOG_ID": "7", "TITLE": "x"}),
            400,
            "DIALOG_ID_EMPTY",
        ),
        (
            "im.chat.updateTitle",
            json!({"CHAT_ID": 2, "TITLE": " \n"}),
            400,
            "TITLE_EMPTY",
        ),
        (
            "im.chat.updateTitle",
            json!({"CHAT_ID": BOARD, "TITLE": "x"}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.chat.updateTitle",
            json!({"CHAT_ID": 6, "TITLE": "x"}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.chat.updateColor",
            json!({"CHAT_ID": 2, "COLOR": "BLACK"}),
            400,
            "WRONG_COLOR",
        ),
        (
            "im.chat.updateColor",
            json!({"CHAT_ID": 999, "COLOR": "RED"}),
            400,
            "WRONG_REQUEST",
        ),
        (
            "im.chat.updateColor",
            json!({"CHAT_ID": BOARD, "COLOR": "RED"}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.chat.updateAvatar",
            json!({"CHAT_ID": 2, "AVATAR": "bm90IGFuIGltYWdl"}),
            400,
            "AVATAR_ERROR",
        ),
        (
            "im.chat.setOwner",
            json!({"CHAT_ID": 2}),
            400,
            "USER_ID_EMPTY",
        ),
        (
            "im.chat.setOwner",
            json!({"CHAT_ID": BOARD, "USER_ID": 2}),
            403,
            "ACCESS_ERROR",
        ),
        ("im.chat.mute", json!({}), 400, "CHAT_ID_EMPTY"),
        (
            "im.chat.mute",
            json!({"CHAT_ID": BOARD}),
            403,
            "ACCESS_ERROR",
        ),
        ("im.chat.leave", json!({}), 400, "CHAT_ID_EMPTY"),
        (
            "im.chat.leave",
            json!({"CHAT_ID": BOARD}),
            403,
            "ACCESS_DENIED_KICK",
        ),
        (
            "im.chat.leave",
            json!({"CHAT_ID": GENERAL}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.chat.user.add",
            json!({"USERS": [2]}),
            400,
            "CHAT_ID_EMPTY",
        ),
        (
            "im.chat.user.add",
            json!({"CHAT_ID": BOARD, "USERS": [2]}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.chat.user.delete",
            json!({"CHAT_ID": 2}),
            400,
            "USER_ID_EMPTY",
        ),
        (
            "im.chat.user.delete",
            json!({"CHAT_ID": 2, "USER_ID": 999_999}),
            400,
            "USER_NOT_FOUND",
        ),
        ("im.chat.user.list", json!({}), 400, "CHAT_ID_EMPTY"),
        (
            "im.chat.user.list",
            json!({"DIALOG_ID": "7"}),
            400,
            "DIALOG_ID_EMPTY",
        ),
        (
            "im.chat.user.list",
            json!({"CHAT_ID": GENERAL}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.dialog.get",
            json!({"DIALOG_ID": "chatX"}),
            400,
            "DIALOG_ID_EMPTY",
        ),
        (
            "im.dialog.get",
            json!({"DIALOG_ID": format!("chat{BOARD}")}),
            403,
            "ACCESS_ERROR",
        ),
        ("im.dialog.messages.search", json!({}), 400, "CHAT_ID_EMPTY"),
        (
            "im.dialog.messages.search",
            json!({"CHAT_ID": BOARD}),
            403,
            "ACCESS_ERROR",
        ),
        (
            "im.dialog.read",
            json!({"DIALOG_ID": ""}),
            400,
            "DIALOG_ID_EMPTY",
        ),
        (
            "im.dialog.unread",
            json!({"DIALOG_ID": "chat2"}),
            400,
            "MESSAGE_ID_ERROR",
        ),
        (
            "im.dialog.unread",
            json!({"MESSAGE_ID": 5}),
            400,
            "DIALOG_ID_EMPTY",
        ),
        (
            "im.dialog.writing",
            json!({"DIALOG_ID": format!("chat{BOARD}")}),
            403,
            "ACCESS_ERROR",
        ),
        ("im.recent.hide", json!({}), 400, "DIALOG_ID_EMPTY"),
        (
            "im.recent.pin",
            json!({"DIALOG_ID": format!("chat{BOARD}")}),
            400,
            "ACCESS_ERROR",
        ),
        (
            "im.recent.unread",
            json!({"DIALOG_ID": "x"}),
            400,
            "DIALOG_ID_EMPTY",
        ),
    ];
    for (method, params, status, code) in cases {
        expect(&emu, method, params.clone(), *status, code).await;
    }
    // The special messages of the search error: the server's backtick.
    let (_, body) = common::call(&emu, "im.dialog.messages.search", json!({})).await;
    assert_eq!(body["error_description"], "CHAT_ID can`t be empty");
}

#[tokio::test]
async fn every_answer_is_what_the_spec_types_hold() {
    let emu = common::start(common::unlimited()).await;
    let ok = |m: &'static str, p: Value| (m, p);
    let created = expect(
        &emu,
        "im.chat.add",
        json!({"USERS": [2, 3], "TITLE": "Spec check", "COLOR": "AQUA", "MESSAGE": "hi", "ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|7"}),
        200,
        "",
    )
    .await;
    let id = created["result"].as_u64().unwrap();
    let chat = format!("chat{id}");
    for (method, params) in [
        ok("im.dialog.get", json!({"DIALOG_ID": chat})),
        ok("im.dialog.get", json!({"DIALOG_ID": "sg10"})),
        ok(
            "im.chat.updateColor",
            json!({"DIALOG_ID": chat, "COLOR": "sand"}),
        ),
        ok(
            "im.chat.updateTitle",
            json!({"CHAT_ID": id, "TITLE": "Renamed"}),
        ),
        ok(
            "im.chat.user.add",
            json!({"CHAT_ID": id, "USERS": [4], "HIDE_HISTORY": "N"}),
        ),
        ok("im.chat.user.delete", json!({"CHAT_ID": id, "USER_ID": 3})),
        ok("im.chat.user.list", json!({"DIALOG_ID": chat})),
        ok("im.chat.user.list", json!({"CHAT_ID": BOARD})),
        ok("im.chat.mute", json!({"CHAT_ID": id})),
        ok("im.dialog.writing", json!({"DIALOG_ID": chat})),
        ok("im.dialog.read", json!({"DIALOG_ID": chat})),
        ok("im.dialog.read", json!({"DIALOG_ID": "notify"})),
        ok(
            "im.dialog.read",
            json!({"DIALOG_ID": format!("chat{BOARD}")}),
        ),
        ok(
            "im.dialog.unread",
            json!({"DIALOG_ID": chat, "MESSAGE_ID": 1}),
        ),
        ok("im.dialog.read.all", json!({})),
        ok(
            "im.dialog.messages.search",
            json!({"CHAT_ID": id, "SEARCH_MESSAGE": "hi!", "ORDER": {"ID": "ASC"}}),
        ),
        ok("im.dialog.messages.search", json!({"CHAT_ID": id})),
        ok("im.recent.pin", json!({"DIALOG_ID": chat})),
        ok("im.recent.unread", json!({"DIALOG_ID": chat})),
        ok("im.recent.get", json!({})),
        ok("im.recent.list", json!({"LIMIT": 3})),
        ok("im.recent.hide", json!({"DIALOG_ID": chat})),
        ok("im.chat.setOwner", json!({"CHAT_ID": id, "USER_ID": 2})),
        ok("im.chat.leave", json!({"CHAT_ID": id})),
        ok("im.counters.get", json!({})),
    ] {
        expect(&emu, method, params, 200, "").await;
    }
    // A private dialog's read answer carries the user id as a number.
    let other = emu.with_portal(|p| {
        p.chats
            .iter()
            .find(|c| c.kind == "private")
            .and_then(|c| c.members.iter().find(|r| r.user_id != 1))
            .map(|r| r.user_id)
            .unwrap()
    });
    let read = expect(&emu, "im.dialog.read", json!({"DIALOG_ID": other}), 200, "").await;
    assert_eq!(read["result"]["dialogId"], json!(other));
    let page = expect(&emu, "im.recent.list", json!({"LIMIT": 2}), 200, "").await;
    assert_eq!(page["total"], json!(-1));
    assert_eq!(page["next"], json!(2));
}
