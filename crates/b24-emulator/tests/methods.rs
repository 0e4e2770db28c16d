//! The five messenger methods beside `im.dialog.users.list` (`im.chat.get`, `im.counters.get`,
//! `im.dialog.messages.get`, `im.message.add`, `im.user.list.get`) behave as the server notes and
//! the spec describe, over real HTTP on loopback, and their bodies decode with the generated
//! types.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use b24_core::{ApiError, ErrorCode, Method, ResponseError, decode_response};
use b24_emulator::{Emulator, Portal};
use b24_im::{
    ChatGetErrorCode, ChatGetRequest, ChatGetResult, CountersGetRequest,
    DialogMessagesGetErrorCode, DialogMessagesGetRequest, MessageAddErrorCode, MessageAddRequest,
    UserListGetErrorCode, UserListGetRequest,
};
use serde_json::{Value, json};

/// The webhook user (the caller of every call here).
const ME: u64 = 1;

/// Calls `M`, asserts HTTP 200 and a body without `error`, checks the body decodes with the
/// generated types, and returns both.
async fn ok<M: Method>(emu: &Emulator, params: Value) -> (Value, b24_core::Response<M::Output>)
where
    M::ErrorCode: std::fmt::Debug,
{
    let (status, body) = common::call_raw(emu, M::INFO.name, params.clone()).await;
    assert_eq!(status, 200, "{params}: {}", String::from_utf8_lossy(&body));
    let typed = common::decode::<M>(status, &body);
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert!(json.get("error").is_none(), "{json}");
    (json, typed)
}

/// Calls `M`, expects an error answer with `status` and `code`, checks it decodes to a typed
/// code the method documents, and returns it.
async fn fails<M: Method>(
    emu: &Emulator,
    params: Value,
    status: u16,
    code: &str,
) -> ApiError<M::ErrorCode> {
    let (got, body) = common::call_raw(emu, M::INFO.name, params.clone()).await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (got, json["error"].as_str().unwrap_or("")),
        (status, code),
        "{params}: {json}"
    );
    assert!(
        json["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    match decode_response::<M>(Some(got), &body) {
        Err(ResponseError::Api(e)) => {
            assert_eq!(e.code.as_str(), code);
            assert!(
                !e.code.is_unknown(),
                "{code} is a documented code of {}",
                M::INFO.name
            );
            assert_eq!(e.status, Some(status));
            e
        }
        Err(ResponseError::Decode(e)) => panic!("{params}: {e}"),
        Ok(_) => panic!("{params}: decoded as a success"),
    }
}

/// Everything read for the caller: no unread messages anywhere.
fn read_everything(p: &mut Portal) {
    let last = p.next_message_id;
    for chat in &mut p.chats {
        for r in &mut chat.members {
            r.last_read = last;
        }
    }
}

/// A member of `chat` other than the caller, `n`-th in join order.
fn other_member(p: &Portal, chat: u64, n: usize) -> u64 {
    p.chat(chat)
        .unwrap()
        .members
        .iter()
        .map(|r| r.user_id)
        .filter(|u| *u != ME)
        .nth(n)
        .unwrap()
}

fn date() -> String {
    "2026-03-04T09:43:26+02:00".to_owned()
}

fn message_ids(page: &Value) -> Vec<u64> {
    page["result"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect()
}

fn user_ids(page: &Value) -> Vec<u64> {
    page["result"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// im.chat.get
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn chat_get_finds_the_chat_bound_to_an_entity() {
    let emu = common::start(common::unlimited()).await;
    let (json, typed) =
        ok::<ChatGetRequest>(&emu, json!({"ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|12"})).await;
    assert_eq!(json["result"], json!({"ID": 2}));
    match typed.result {
        Some(b24_im::ChatGetResult::Ref(chat)) => assert_eq!(chat.id, 2),
        other => panic!("expected {{\"ID\": 2}}, got {other:?}"),
    }
    let (json, _) =
        ok::<ChatGetRequest>(&emu, json!({"entity_type": "SONET_GROUP", "entity_id": 11})).await;
    assert_eq!(
        json["result"],
        json!({"ID": 7}),
        "lower-case names; a numeric ENTITY_ID is its text"
    );
    let (json, _) =
        ok::<ChatGetRequest>(&emu, json!({"ENTITY_TYPE": "crm", "ENTITY_ID": "deal|12 "})).await;
    assert_eq!(
        json["result"],
        json!({"ID": 2}),
        "MySQL's case-insensitive, trailing-space-blind `=`"
    );
}

#[tokio::test]
async fn chat_get_answers_null_without_an_error() {
    let emu = common::start(common::unlimited()).await;
    for params in [
        json!({"ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|13"}),
        json!({"ENTITY_TYPE": "CRM"}),
        json!({"ENTITY_ID": "DEAL|12"}),
        json!({"ENTITY_TYPE": "CRM", "ENTITY_ID": ""}),
        json!({"ENTITY_TYPE": "SONET_GROUP", "ENTITY_ID": "0"}),
        json!({}),
    ] {
        let (json, typed) = ok::<ChatGetRequest>(&emu, params.clone()).await;
        assert_eq!(json["result"], Value::Null, "{params}");
        assert!(typed.result.is_none());
    }
}

#[tokio::test]
async fn chat_get_ignores_membership_and_returns_the_first_chat_in_id_order() {
    let emu = common::start(common::unlimited()).await;
    emu.with_portal(|p| {
        for id in [5, 3] {
            let chat = p.chat_mut(id).unwrap();
            chat.entity_type = Some("TASKS".into());
            chat.entity_id = Some("77".into());
        }
        assert!(p.relation(5, ME).is_none(), "the caller is not in chat5");
    });
    let (json, _) =
        ok::<ChatGetRequest>(&emu, json!({"ENTITY_TYPE": "TASKS", "ENTITY_ID": "77"})).await;
    assert_eq!(json["result"], json!({"ID": 3}));
    emu.with_portal(|p| p.chat_mut(3).unwrap().entity_type = None);
    let (json, _) =
        ok::<ChatGetRequest>(&emu, json!({"ENTITY_TYPE": "TASKS", "ENTITY_ID": "77"})).await;
    assert_eq!(
        json["result"],
        json!({"ID": 5}),
        "a chat the caller is not in"
    );
}

#[tokio::test]
async fn chat_get_dialog_id_is_checked_then_answers_the_whole_chat() {
    let emu = common::start(common::unlimited()).await;
    let e =
        fails::<ChatGetRequest>(&emu, json!({"DIALOG_ID": "group2"}), 400, "DIALOG_ID_EMPTY").await;
    assert_eq!(e.code, ChatGetErrorCode::DialogIdEmpty);
    fails::<ChatGetRequest>(
        &emu,
        json!({"DIALOG_ID": "0", "ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|12"}),
        400,
        "DIALOG_ID_EMPTY",
    )
    .await;
    let e = fails::<ChatGetRequest>(&emu, json!({"DIALOG_ID": "chat5"}), 403, "ACCESS_ERROR").await;
    assert_eq!(e.code, ChatGetErrorCode::AccessError);
    // A user the caller may see but has no private dialog with: no chat behind it.
    assert!(emu.with_portal(|p| p.private_chat(ME, 7).is_none()));
    fails::<ChatGetRequest>(&emu, json!({"DIALOG_ID": "7"}), 400, "ACCESS_ERROR").await;
    // With DIALOG_ID the entity pair is ignored and the answer is the whole chat, as
    // `im.dialog.get` gives it.
    let (unread, members, owner) = emu.with_portal(|p| {
        let colleague = other_member(p, 2, 0);
        p.add_message(2, colleague, "new".into(), date(), serde_json::Map::new());
        let chat = p.chat(2).unwrap();
        (p.unread(2, ME), chat.members.len(), chat.owner)
    });
    let (json, typed) = ok::<ChatGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "ENTITY_TYPE": "TASKS", "ENTITY_ID": "77"}),
    )
    .await;
    let chat = &json["result"];
    assert_eq!(chat["id"], 2);
    assert_eq!(chat["dialog_id"], "chat2");
    assert_eq!(chat["name"], "Sales team");
    assert_eq!(chat["owner"], owner);
    assert_eq!(chat["user_counter"], members);
    assert_eq!(
        chat["counter"],
        unread.len(),
        "the caller's unread messages"
    );
    assert_eq!(chat["unread_id"], unread[0]);
    assert_eq!(
        (chat["entity_type"].as_str(), chat["entity_id"].as_str()),
        (Some("CRM"), Some("DEAL|12"))
    );
    assert_eq!(chat["entity_link"]["url"], "/crm/deal/details/12/");
    assert!(chat["last_id"].as_u64() < chat["last_message_id"].as_u64());
    match typed.result {
        Some(ChatGetResult::Chat(chat)) => {
            assert_eq!(chat.id, 2);
            assert_eq!(chat.dialog_id, Some(b24_core::DialogId::Chat(2)));
            assert_eq!(chat.message_type.as_deref(), Some("C"));
        }
        other => panic!("expected the whole chat, got {other:?}"),
    }
    // A private dialog the caller has: its chat, asked for by the user id.
    let (partner, private) = emu.with_portal(|p| {
        let chat = p
            .chats
            .iter()
            .find(|c| {
                c.kind == "private"
                    && c.members.iter().any(|r| r.user_id == ME)
                    && c.members.len() == 2
            })
            .unwrap();
        (
            chat.members
                .iter()
                .map(|r| r.user_id)
                .find(|u| *u != ME)
                .unwrap(),
            chat.id,
        )
    });
    let (json, _) = ok::<ChatGetRequest>(&emu, json!({"DIALOG_ID": partner.to_string()})).await;
    assert_eq!(json["result"]["id"], private);
    assert_eq!(json["result"]["message_type"], "P");
    assert_eq!(json["result"]["dialog_id"], partner.to_string());
}

// ---------------------------------------------------------------------------------------------
// im.user.list.get
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn user_list_get_keys_users_by_id_with_null_for_hidden_and_missing() {
    let emu = common::start(common::unlimited()).await;
    let hidden = emu.with_portal(|p| p.users.iter().find(|u| u.hidden).unwrap().id);
    let (json, typed) =
        ok::<UserListGetRequest>(&emu, json!({"ID": [2, ME, hidden, 99_999]})).await;
    let result = json["result"].as_object().unwrap();
    assert_eq!(result.len(), 4);
    assert_eq!(result["2"]["id"], 2);
    assert_eq!(result["1"]["name"], "Portal Admin");
    assert_eq!(
        result[&hidden.to_string()],
        Value::Null,
        "not visible: null, not skipped"
    );
    assert_eq!(result["99999"], Value::Null, "no such user: null");
    let b24_im::UserList::ById(users) = &typed.result else {
        panic!("keyed by id by default: {:?}", typed.result)
    };
    assert_eq!(users.len(), 4);
    assert_eq!(users[&2].as_ref().unwrap().id, 2);
    assert!(users[&hidden].is_none() && users[&99_999].is_none());

    let (json, _) =
        ok::<UserListGetRequest>(&emu, json!({"ID": [2, ME, hidden], "RESULT_TYPE": "ArRaY"}))
            .await;
    let list = json["result"].as_array().unwrap();
    assert_eq!(
        (list[0]["id"].as_u64(), list[1]["id"].as_u64(), &list[2]),
        (Some(2), Some(ME), &Value::Null),
        "request order"
    );
}

#[tokio::test]
async fn user_list_get_reads_id_lists_in_every_form() {
    let emu = common::start(common::unlimited()).await;
    let keys = |json: &Value| -> Vec<u64> {
        let mut k: Vec<u64> = json["result"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.parse().unwrap())
            .collect();
        k.sort_unstable();
        k
    };
    for id in [
        json!("[2, 3]"),
        json!("['2', '3']"),
        json!([3, "3", 0, -1, "abc", "2x", null]),
        json!({"a": 2, "b": "3"}),
    ] {
        let (json, _) = ok::<UserListGetRequest>(&emu, json!({"ID": id.clone()})).await;
        assert_eq!(keys(&json), [2, 3], "ID = {id}");
    }
    let url = format!("{}im.user.list.get", emu.webhook_url());
    let form = common::client()
        .post(&url)
        .form(&[("ID[]", "5"), ("ID[]", "6")])
        .send()
        .await
        .unwrap();
    let form: Value = form.json().await.unwrap();
    assert_eq!(keys(&form), [5, 6], "form encoding ID[]=..");
}

#[tokio::test]
async fn user_list_get_invalid_format() {
    let emu = common::start(common::unlimited()).await;
    for params in [
        json!({}),
        json!({"ID": 5}),
        json!({"ID": "5"}),
        json!({"ID": []}),
        json!({"ID": [0, -2, "x"]}),
        json!({"ID": "not a list"}),
    ] {
        let e = fails::<UserListGetRequest>(&emu, params, 400, "INVALID_FORMAT").await;
        assert_eq!(e.code, UserListGetErrorCode::InvalidFormat);
    }
}

#[tokio::test]
async fn user_list_get_users_are_the_dialog_users_list_objects() {
    let emu = common::start(common::unlimited()).await;
    let partner = emu.with_portal(|p| other_member(p, 8, 0));
    let (list, _) = ok::<UserListGetRequest>(&emu, json!({"ID": [partner]})).await;
    let (_, members) =
        common::call(&emu, "im.dialog.users.list", json!({"DIALOG_ID": "chat8"})).await;
    let from_dialog = members["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == partner)
        .unwrap()
        .clone();
    assert_eq!(list["result"][partner.to_string()], from_dialog);
}

// ---------------------------------------------------------------------------------------------
// im.counters.get
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn counters_get_on_the_seeded_portal() {
    let emu = common::start(common::unlimited()).await;
    // Seeded: every member has read all but the last three messages of the portal, which are in
    // the last private dialog; only the ones the partner wrote are unread for the caller.
    let (chat, partner, unread) = emu.with_portal(|p| {
        let chat = p
            .chats
            .iter()
            .rev()
            .find(|c| c.kind == "private")
            .unwrap()
            .id;
        (chat, other_member(p, chat, 0), p.unread(chat, ME).len())
    });
    assert!(unread > 0);
    let (json, typed) = ok::<CountersGetRequest>(&emu, json!({})).await;
    let r = &json["result"];
    assert_eq!(
        r["TYPE"],
        json!({"ALL": unread, "NOTIFY": 0, "CHAT": 0, "LINES": 0, "DIALOG": unread, "MESSENGER": unread})
    );
    assert_eq!(r["DIALOG"], json!({ partner.to_string(): unread }));
    for empty in [
        "CHAT",
        "CHAT_MUTED",
        "CHAT_UNREAD",
        "LINES",
        "DIALOG_UNREAD",
    ] {
        assert_eq!(r[empty], json!([]), "{empty} is [] when empty");
    }
    assert_eq!(typed.result.totals.dialog, u32::try_from(unread).ok());
    assert_eq!(
        typed.result.dialog.get(&partner).copied(),
        Some(unread as u32)
    );
    assert!(emu.with_portal(|p| p.relation(chat, ME).is_some()));
}

#[tokio::test]
async fn counters_get_counts_unread_messages_per_chat_and_dialog() {
    let emu = common::start(common::unlimited()).await;
    let (partner, colleague) = emu.with_portal(|p| {
        read_everything(p);
        (other_member(p, 8, 0), other_member(p, 2, 0))
    });
    let (json, typed) = ok::<CountersGetRequest>(&emu, json!({})).await;
    assert_eq!(json["result"]["TYPE"]["ALL"], 0);
    for key in ["CHAT", "CHAT_MUTED", "LINES", "DIALOG"] {
        assert_eq!(json["result"][key], json!([]), "{key}");
    }
    assert!(typed.result.chat.is_empty() && typed.result.dialog.is_empty());

    emu.with_portal(|p| {
        let m = serde_json::Map::new;
        p.add_message(2, colleague, "one".into(), date(), m());
        p.add_message(2, colleague, "two".into(), date(), m());
        p.add_message(2, ME, "mine: never unread for me".into(), date(), m());
        let mine = p.add_message(2, ME, "mine too".into(), date(), m());
        p.chat_mut(2)
            .unwrap()
            .members
            .iter_mut()
            .find(|r| r.user_id == ME)
            .unwrap()
            .last_read = mine - 4;
        p.add_message(3, other_member(p, 3, 0), "muted".into(), date(), m());
        p.chat_mut(3)
            .unwrap()
            .members
            .iter_mut()
            .find(|r| r.user_id == ME)
            .unwrap()
            .muted = true;
        let hidden_history = p.add_message(8, partner, "before my join point".into(), date(), m());
        for text in ["a", "b", "c"] {
            p.add_message(8, partner, text.into(), date(), m());
        }
        p.chat_mut(8)
            .unwrap()
            .members
            .iter_mut()
            .find(|r| r.user_id == ME)
            .unwrap()
            .start_id = hidden_history + 1;
    });
    let (json, typed) = ok::<CountersGetRequest>(&emu, json!({})).await;
    let r = &json["result"];
    assert_eq!(
        r["TYPE"],
        json!({"ALL": 5, "NOTIFY": 0, "CHAT": 2, "LINES": 0, "DIALOG": 3, "MESSENGER": 5}),
        "muted chats count in no total"
    );
    assert_eq!(r["CHAT"], json!({"2": 2}));
    assert_eq!(r["CHAT_MUTED"], json!({"3": 1}));
    assert_eq!(
        r["DIALOG"],
        json!({ partner.to_string(): 3 }),
        "dialogs are keyed by the other user"
    );
    assert_eq!(
        (
            r["LINES"].clone(),
            r["CHAT_UNREAD"].clone(),
            r["DIALOG_UNREAD"].clone()
        ),
        (json!([]), json!([]), json!([]))
    );
    assert_eq!(typed.result.totals.all, Some(5));
    assert_eq!(typed.result.totals.messenger, Some(5));
    assert_eq!(typed.result.chat_muted.get(&3), Some(&1));

    // Reading messages does not mark them read; writing into the chat does.
    ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "chat2"})).await;
    let (json, _) = ok::<CountersGetRequest>(&emu, json!({})).await;
    assert_eq!(json["result"]["CHAT"], json!({"2": 2}));
    ok::<MessageAddRequest>(&emu, json!({"DIALOG_ID": "chat2", "MESSAGE": "read now"})).await;
    let (json, _) = ok::<CountersGetRequest>(&emu, json!({})).await;
    assert_eq!(json["result"]["CHAT"], json!([]));
    assert_eq!(json["result"]["TYPE"]["ALL"], 3);
}

// ---------------------------------------------------------------------------------------------
// im.dialog.messages.get
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dialog_messages_get_latest_messages_newest_first_with_their_authors() {
    let emu = common::start(common::unlimited()).await;
    let (expected_ids, expected_authors) = emu.with_portal(|p| {
        read_everything(p);
        let mut ids: Vec<u64> = p
            .messages
            .iter()
            .filter(|m| m.chat_id == 2)
            .map(|m| m.id)
            .collect();
        ids.reverse();
        let mut authors = Vec::new();
        for id in &ids {
            let a = p.message(*id).unwrap().author_id;
            if !authors.contains(&a) {
                authors.push(a);
            }
        }
        (ids, authors)
    });
    assert_eq!(expected_ids.len(), 12, "the seeded history of chat2");
    let (json, typed) = ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "chat2"})).await;
    let r = &json["result"];
    assert_eq!(r["chat_id"], 2);
    assert_eq!(message_ids(&json), expected_ids);
    assert_eq!(
        user_ids(&json),
        expected_authors,
        "each author once, in message order"
    );
    assert_eq!(r["files"], json!([]));
    let first = &r["messages"][0];
    assert_eq!(first["params"], json!([]), "no params: []");
    assert_eq!(
        (
            first["uuid"].clone(),
            first["disappearing_date"].clone(),
            first["replaces"].clone()
        ),
        (Value::Null, Value::Null, json!([]))
    );
    assert_eq!(first["unread"], false);
    assert!(first.get("text_converted").is_none());
    for user in r["users"].as_array().unwrap() {
        for key in ["idle", "mobile_last_date", "desktop_last_date"] {
            assert_eq!(user[key], false, "{key} of user {}", user["id"]);
        }
    }
    let with_activity = emu.with_portal(|p| {
        expected_authors
            .iter()
            .find(|a| p.user(**a).unwrap().last_activity.is_some())
            .copied()
            .unwrap()
    });
    let user = r["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == with_activity)
        .unwrap();
    assert!(
        user["last_activity_date"].is_string(),
        "last_activity_date is kept"
    );
    assert_eq!(typed.result.as_ref().unwrap().chat_id, Some(2));
    assert_eq!(typed.result.as_ref().unwrap().messages.len(), 12);
    assert_eq!(
        typed.result.as_ref().unwrap().users.len(),
        expected_authors.len()
    );
    assert!(typed.result.as_ref().unwrap().files.is_empty());
}

/// A chat with `extra` more messages by `colleague` (all read by the caller); returns their ids.
fn grow_chat(emu: &Emulator, chat: u64, extra: usize) -> (u64, Vec<u64>) {
    emu.with_portal(|p| {
        let colleague = other_member(p, chat, 0);
        let ids: Vec<u64> = (0..extra)
            .map(|i| {
                p.add_message(
                    chat,
                    colleague,
                    format!("extra {i}"),
                    date(),
                    serde_json::Map::new(),
                )
            })
            .collect();
        read_everything(p);
        (colleague, ids)
    })
}

#[tokio::test]
async fn dialog_messages_get_limit_default_cap_and_zero() {
    let emu = common::start(common::unlimited()).await;
    grow_chat(&emu, 3, 60);
    let total = emu.with_portal(|p| p.messages.iter().filter(|m| m.chat_id == 3).count());
    assert_eq!(total, 72);
    for (limit, expected) in [
        (json!(null), 20),
        (json!(7), 7),
        (json!("7"), 7),
        (json!(50), 50),
        (json!(500), 50),
        (json!(0), total),
        (json!(-3), total),
        (json!("abc"), total),
    ] {
        let mut params = json!({"DIALOG_ID": "chat3"});
        if !limit.is_null() {
            params["LIMIT"] = limit.clone();
        }
        let (json, typed) = ok::<DialogMessagesGetRequest>(&emu, params).await;
        assert_eq!(message_ids(&json).len(), expected, "LIMIT={limit}");
        assert_eq!(typed.result.as_ref().unwrap().messages.len(), expected);
    }
}

#[tokio::test]
async fn dialog_messages_get_cursors_and_first_id_wins() {
    let emu = common::start(common::unlimited()).await;
    let (_, ids) = grow_chat(&emu, 3, 30);
    let (a, b) = (ids[5], ids[20]);
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "FIRST_ID": a, "LIMIT": 4}),
    )
    .await;
    assert_eq!(
        message_ids(&json),
        ids[6..10],
        "FIRST_ID: newer, oldest first"
    );
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "LAST_ID": b, "LIMIT": 4}),
    )
    .await;
    assert_eq!(
        message_ids(&json),
        [ids[19], ids[18], ids[17], ids[16]],
        "LAST_ID: older, newest first"
    );
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "FIRST_ID": a, "LAST_ID": b, "LIMIT": 4}),
    )
    .await;
    assert_eq!(message_ids(&json), ids[6..10], "FIRST_ID wins over LAST_ID");
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "FIRST_ID": a.to_string(), "LAST_ID": "junk", "LIMIT": 2}),
    )
    .await;
    assert_eq!(
        message_ids(&json),
        ids[6..8],
        "LAST_ID is not even validated when FIRST_ID is sent"
    );
    let first_of_chat = emu.with_portal(|p| p.messages.iter().find(|m| m.chat_id == 3).unwrap().id);
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "FIRST_ID": 0, "LIMIT": 1}),
    )
    .await;
    assert_eq!(
        message_ids(&json),
        [first_of_chat],
        "FIRST_ID=0: from the start"
    );
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "LAST_ID": 0, "LIMIT": 1}),
    )
    .await;
    assert_eq!(
        message_ids(&json),
        [*ids.last().unwrap()],
        "LAST_ID=0: the latest"
    );
    let (json, typed) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "FIRST_ID": ids.last().unwrap()}),
    )
    .await;
    assert_eq!(
        json["result"],
        json!({"chat_id": 3, "messages": [], "users": [], "files": []}),
        "the end: empty lists"
    );
    assert!(
        typed.result.as_ref().unwrap().messages.is_empty()
            && json.get("next").is_none()
            && json.get("total").is_none()
    );

    for (params, code) in [
        (
            json!({"DIALOG_ID": "chat3", "FIRST_ID": "abc"}),
            "FIRST_ID_STRING",
        ),
        (
            json!({"DIALOG_ID": "chat3", "FIRST_ID": "-1", "LAST_ID": 5}),
            "FIRST_ID_STRING",
        ),
        (
            json!({"DIALOG_ID": "chat3", "FIRST_ID": ""}),
            "FIRST_ID_STRING",
        ),
        (
            json!({"DIALOG_ID": "chat3", "LAST_ID": "12a"}),
            "LAST_ID_STRING",
        ),
        (
            json!({"DIALOG_ID": "chat3", "LAST_ID": -5}),
            "LAST_ID_STRING",
        ),
    ] {
        let e = fails::<DialogMessagesGetRequest>(&emu, params, 400, code).await;
        assert!(matches!(
            e.code,
            DialogMessagesGetErrorCode::FirstIdString | DialogMessagesGetErrorCode::LastIdString
        ));
    }
}

#[tokio::test]
async fn dialog_messages_get_unread_messages_grow_the_page_or_start_it() {
    let emu = common::start(common::unlimited()).await;
    let (reader, writer, ids) = emu.with_portal(|p| {
        let (reader, writer) = (other_member(p, 3, 0), other_member(p, 3, 1));
        let m = serde_json::Map::new;
        let mut ids: Vec<u64> = (0..12)
            .map(|i| p.add_message(3, reader, format!("read {i}"), date(), m()))
            .collect();
        ids.extend((0..8).map(|i| p.add_message(3, writer, format!("unread {i}"), date(), m())));
        read_everything(p);
        p.chat_mut(3)
            .unwrap()
            .members
            .iter_mut()
            .find(|r| r.user_id == ME)
            .unwrap()
            .last_read = ids[11];
        (reader, writer, ids)
    });
    // 8 unread <= LIMIT 10: the page grows to 18, newest first.
    let (json, _) =
        ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "chat3", "LIMIT": 10})).await;
    let expected: Vec<u64> = ids.iter().rev().take(18).copied().collect();
    assert_eq!(message_ids(&json), expected);
    let unread: Vec<bool> = json["result"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["unread"].as_bool().unwrap())
        .collect();
    assert_eq!(unread, [vec![true; 8], vec![false; 10]].concat());
    assert_eq!(user_ids(&json), [writer, reader]);

    // 8 unread > LIMIT 5: the oldest 5 unread (newest first), then 5 read before them; the
    // users of the read part are not added.
    let (json, typed) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "LIMIT": 5, "CONVERT_TEXT": "Y"}),
    )
    .await;
    let expected = [
        ids[16], ids[15], ids[14], ids[13], ids[12], ids[11], ids[10], ids[9], ids[8], ids[7],
    ];
    assert_eq!(message_ids(&json), expected);
    assert_eq!(user_ids(&json), [writer]);
    let messages = json["result"]["messages"].as_array().unwrap();
    assert!(
        messages[..5]
            .iter()
            .all(|m| m["text_converted"].is_string())
    );
    assert!(
        messages[5..]
            .iter()
            .all(|m| m.get("text_converted").is_none()),
        "the read part is fetched without CONVERT_TEXT"
    );
    assert_eq!(typed.result.as_ref().unwrap().messages.len(), 10);

    // A cursor switches the unread logic off.
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat3", "LAST_ID": 0, "LIMIT": 5}),
    )
    .await;
    assert_eq!(
        message_ids(&json),
        ids.iter().rev().take(5).copied().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn dialog_messages_get_hides_history_before_the_join_point() {
    let emu = common::start(common::unlimited()).await;
    let (_, ids) = grow_chat(&emu, 3, 10);
    emu.with_portal(|p| {
        p.chat_mut(3)
            .unwrap()
            .members
            .iter_mut()
            .find(|r| r.user_id == ME)
            .unwrap()
            .start_id = ids[6]
    });
    let (json, _) = ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "chat3"})).await;
    assert_eq!(message_ids(&json), [ids[9], ids[8], ids[7], ids[6]]);
    let (json, _) =
        ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "chat3", "FIRST_ID": 0})).await;
    assert_eq!(message_ids(&json), ids[6..]);
}

#[tokio::test]
async fn dialog_messages_get_targets_errors_and_false() {
    let emu = common::start(common::unlimited()).await;
    emu.with_portal(read_everything);
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"CHAT_ID": 3, "DIALOG_ID": "chat5", "LIMIT": 1}),
    )
    .await;
    assert_eq!(json["result"]["chat_id"], 3, "CHAT_ID wins over DIALOG_ID");
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"CHAT_ID": "0", "DIALOG_ID": "chat4", "LIMIT": 1}),
    )
    .await;
    assert_eq!(json["result"]["chat_id"], 4, "CHAT_ID 0 is ignored");
    let partner = emu.with_portal(|p| other_member(p, 8, 0));
    let (json, _) =
        ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": partner, "LIMIT": 3})).await;
    assert_eq!(
        json["result"]["chat_id"], 8,
        "a user id is the private dialog"
    );
    let (json, _) =
        ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "sg11", "LIMIT": 3})).await;
    assert_eq!(json["result"]["chat_id"], 7);

    for params in [
        json!({}),
        json!({"DIALOG_ID": ""}),
        json!({"DIALOG_ID": "0"}),
        json!({"DIALOG_ID": "group3"}),
        json!({"CHAT_ID": "3abc"}),
    ] {
        let e = fails::<DialogMessagesGetRequest>(&emu, params, 400, "DIALOG_ID_EMPTY").await;
        assert_eq!(e.code, DialogMessagesGetErrorCode::DialogIdEmpty);
    }
    let hidden = emu.with_portal(|p| p.users.iter().find(|u| u.hidden).unwrap().id);
    for params in [
        json!({"DIALOG_ID": "chat5"}),
        json!({"DIALOG_ID": "chat999"}),
        json!({"DIALOG_ID": hidden}),
        json!({"DIALOG_ID": "sg99"}),
    ] {
        let e = fails::<DialogMessagesGetRequest>(&emu, params, 403, "ACCESS_ERROR").await;
        assert_eq!(e.code, DialogMessagesGetErrorCode::AccessError);
    }
    fails::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat5", "FIRST_ID": "x"}),
        403,
        "ACCESS_ERROR",
    )
    .await;

    // A private dialog that never started: `result` is `false`, which decodes to `None`.
    assert!(emu.with_portal(|p| p.private_chat(ME, 7).is_none()));
    let (status, body) =
        common::call_raw(&emu, "im.dialog.messages.get", json!({"DIALOG_ID": 7})).await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, &json["result"]), (200, &json!(false)));
    assert!(matches!(
        decode_response::<DialogMessagesGetRequest>(Some(status), &body),
        Ok(response) if response.result.is_none()
    ));
}

#[tokio::test]
async fn dialog_messages_get_deleted_system_and_named_users() {
    let emu = common::start(common::unlimited()).await;
    let (named, deleted, zero, system, ghost) = emu.with_portal(|p| {
        let named = other_member(p, 4, 2);
        let m = serde_json::Map::new;
        let deleted = p.add_message(4, other_member(p, 4, 0), String::new(), date(), m());
        let zero = p.add_message(4, other_member(p, 4, 0), "0".into(), date(), m());
        let mut params = serde_json::Map::new();
        params.insert("CODE".into(), json!(["CHAT_JOIN"]));
        params.insert("NOTIFY".into(), json!("N"));
        params.insert("CHAT_USER".into(), json!([named]));
        let text = format!("[USER={ME} REPLACE]Portal Admin[/USER] invited [USER={named}]Somebody[/USER] to the [b]chat[/b]");
        let system = p.add_message(4, 0, text, date(), params);
        let ghost = p.add_message(4, 99_999, "from a deleted account".into(), date(), m());
        read_everything(p);
        (named, deleted, zero, system, ghost)
    });
    let (json, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat4", "FIRST_ID": deleted - 1, "LIMIT": 3, "CONVERT_TEXT": "Y"}),
    )
    .await;
    assert_eq!(message_ids(&json), [deleted, zero, system]);
    let messages = json["result"]["messages"].as_array().unwrap();
    for m in &messages[..2] {
        assert_eq!(
            m["text"], "This message was deleted",
            "an empty (or \"0\") text with nothing attached"
        );
        assert_eq!(m["params"], json!({"IS_DELETED": "Y"}));
    }
    assert_eq!(messages[2]["author_id"], 0);
    assert_eq!(
        messages[2]["text_converted"],
        "Portal Admin invited Somebody to the [b]chat[/b]"
    );
    assert_eq!(messages[2]["params"]["CODE"], json!(["CHAT_JOIN"]));
    let users = json["result"]["users"].as_array().unwrap();
    let named_user = users
        .iter()
        .find(|u| u["id"] == named)
        .expect("users named in CHAT_USER are included");
    for key in [
        "idle",
        "last_activity_date",
        "mobile_last_date",
        "desktop_last_date",
    ] {
        assert_eq!(named_user[key], false, "{key}");
    }

    // An author whose account is gone: the server's date-only fragment, which is no user object.
    let (status, body) = common::call_unchecked(
        &emu,
        "im.dialog.messages.get",
        json!({"DIALOG_ID": "chat4", "LAST_ID": ghost + 1, "LIMIT": 1}),
    )
    .await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        json["result"]["users"],
        json!([{"last_activity_date": false, "desktop_last_date": false, "mobile_last_date": false, "idle": false}])
    );
    // That fragment is left out and reported; the rest of the page decodes.
    let page = decode_response::<DialogMessagesGetRequest>(Some(status), &body).unwrap();
    let skipped: Vec<&str> = page.skipped.iter().map(|s| s.entry.as_str()).collect();
    assert_eq!(skipped, ["result.users[0]"]);
    assert!(page.skipped[0].error.message.contains("missing field `id`"));
    let result = page.result.unwrap();
    assert!(result.users.is_empty());
    assert_eq!(result.messages.len(), 1);
    assert_eq!(result.messages[0].id, ghost);
    assert_eq!(result.messages[0].author_id, Some(99_999));
}

// ---------------------------------------------------------------------------------------------
// im.message.add
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn message_add_stores_the_message_and_it_reads_back() {
    let emu = common::start(common::unlimited()).await;
    let (expected_id, colleague) = emu.with_portal(|p| (p.next_message_id, other_member(p, 2, 0)));
    let params = json!({
        "DIALOG_ID": "chat2",
        "MESSAGE": "  Hello [b]team[/b]\n",
        "TEMPLATE_ID": "0c42a08f-4235-49fc-994f-c9bccd499ac1",
        "BOT_ID": 47,
        "KEYBOARD": [
            {"TEXT": "Open", "LINK": "https://example.com/?a=1&b=2", "DISPLAY": "LINE"},
            {"TYPE": "NEWLINE"},
            {"TEXT": "Done", "COMMAND": "/done", "BLOCK": "Y", "BG_COLOR": "#29619b"},
            {"TEXT": "no action"}
        ],
        "MENU": {"ITEMS": [{"TEXT": "Copy", "ACTION": "COPY", "ACTION_VALUE": "42"}]},
        "ATTACH": {"COLOR_TOKEN": "primary", "BLOCKS": [
            {"MESSAGE": "[B]Quarterly report[/B]"},
            {"LINK": {"NAME": "Open", "LINK": "https://example.com/report"}},
            {"IMAGE": {"LINK": "ftp://not-kept"}}
        ]}
    });
    let (json, typed) = ok::<MessageAddRequest>(&emu, params).await;
    assert_eq!(
        json["result"], expected_id,
        "the new message id, as an integer"
    );
    assert_eq!(typed.result, expected_id);

    let stored = emu.with_portal(|p| {
        let m = p.message(expected_id).unwrap().clone();
        assert_eq!(
            p.relation(2, ME).unwrap().last_read,
            expected_id,
            "sending reads the chat"
        );
        assert!(
            p.unread(2, colleague).contains(&expected_id),
            "unread for the other members"
        );
        m
    });
    assert_eq!(
        (stored.chat_id, stored.author_id, stored.text.as_str()),
        (2, ME, "Hello [b]team[/b]")
    );
    assert_eq!(
        stored.uuid.as_deref(),
        Some("0c42a08f-4235-49fc-994f-c9bccd499ac1")
    );
    let keyboard = stored.params["KEYBOARD"].as_array().unwrap();
    assert_eq!(keyboard.len(), 3, "the button without an action is dropped");
    assert_eq!(keyboard[0]["LINK"], "https://example.com/?a=1&amp;b=2");
    assert_eq!(
        (
            keyboard[0]["DISPLAY"].as_str(),
            keyboard[0]["BOT_ID"].as_i64()
        ),
        (Some("LINE"), Some(47))
    );
    assert_eq!(keyboard[1], json!({"TYPE": "NEWLINE"}));
    assert_eq!(
        (
            keyboard[2]["COMMAND"].as_str(),
            keyboard[2]["BLOCK"].as_str()
        ),
        (Some("done"), Some("Y"))
    );
    assert_eq!(stored.params["MENU"][0]["ACTION_VALUE"], "42");
    let attach = &stored.params["ATTACH"][0];
    assert_eq!(attach["COLOR_TOKEN"], "primary");
    assert_eq!(
        attach["BLOCKS"],
        json!([{"MESSAGE": "[B]Quarterly report[/B]"}, {"LINK": [{"NAME": "Open", "LINK": "https://example.com/report"}]}])
    );

    // The next read shows it first, as written.
    let (page, typed) =
        ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": "chat2", "LIMIT": 1})).await;
    let m = &page["result"]["messages"][0];
    assert_eq!(
        (
            m["id"].as_u64(),
            m["author_id"].as_u64(),
            m["text"].as_str()
        ),
        (Some(expected_id), Some(ME), Some("Hello [b]team[/b]"))
    );
    assert_eq!(
        (m["unread"].as_bool(), m["uuid"].as_str()),
        (Some(false), Some("0c42a08f-4235-49fc-994f-c9bccd499ac1"))
    );
    assert_eq!(m["params"]["KEYBOARD"][2]["COMMAND"], "done");
    assert_eq!(user_ids(&page), [ME]);
    let params = &typed.result.as_ref().unwrap().messages[0].params;
    assert_eq!(params.attach.len(), 1);
    assert!(params.keyboard.is_some() && params.menu.is_some());
    let (page, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "FIRST_ID": expected_id - 1}),
    )
    .await;
    assert_eq!(message_ids(&page), [expected_id]);
}

#[tokio::test]
async fn message_add_targets_and_private_dialogs() {
    let emu = common::start(common::unlimited()).await;
    let chat_of = |emu: &Emulator, id: u64| emu.with_portal(|p| p.message(id).unwrap().chat_id);
    let partner = emu.with_portal(|p| other_member(p, 8, 0));

    // A user without a private dialog: the dialog is started.
    assert!(emu.with_portal(|p| p.private_chat(ME, 7).is_none()));
    let (json, _) = ok::<MessageAddRequest>(&emu, json!({"DIALOG_ID": "7", "MESSAGE": "hi"})).await;
    let first = json["result"].as_u64().unwrap();
    let private = emu.with_portal(|p| p.private_chat(ME, 7).unwrap().id);
    assert_eq!(chat_of(&emu, first), private);
    let (json, _) = ok::<MessageAddRequest>(&emu, json!({"USER_ID": 7, "MESSAGE": "again"})).await;
    assert_eq!(
        chat_of(&emu, json["result"].as_u64().unwrap()),
        private,
        "legacy USER_ID, same dialog"
    );
    assert_eq!(
        emu.with_portal(|p| p
            .chats
            .iter()
            .filter(|c| c.kind == "private" && c.members.iter().any(|r| r.user_id == 7))
            .count()),
        1
    );
    let (page, _) = ok::<DialogMessagesGetRequest>(&emu, json!({"DIALOG_ID": 7})).await;
    assert_eq!(message_ids(&page).len(), 2);

    for (params, chat) in [
        (json!({"CHAT_ID": 3, "MESSAGE": "legacy CHAT_ID"}), 3),
        (json!({"DIALOG_ID": "sg10", "MESSAGE": "workgroup"}), 6),
        (json!({"DIALOG_ID": "crm2", "MESSAGE": "crm"}), 2),
        (json!({"DIALOG_ID": "CHAT4", "MESSAGE": "any case"}), 4),
        (
            json!({"USER_ID": partner, "CHAT_ID": 3, "MESSAGE": "a user wins"}),
            8,
        ),
        (
            json!({"DIALOG_ID": "chat3", "USER_ID": partner, "MESSAGE": "USER_ID still wins"}),
            8,
        ),
        (
            json!({"DIALOG_ID": partner, "CHAT_ID": 3, "MESSAGE": "DIALOG_ID replaces USER_ID"}),
            8,
        ),
    ] {
        let (json, _) = ok::<MessageAddRequest>(&emu, params.clone()).await;
        assert_eq!(
            chat_of(&emu, json["result"].as_u64().unwrap()),
            chat,
            "{params}"
        );
    }

    // An open chat the caller is not in: writing joins it.
    emu.with_portal(|p| p.chat_mut(5).unwrap().kind = "open".into());
    ok::<MessageAddRequest>(&emu, json!({"DIALOG_ID": "chat5", "MESSAGE": "joining"})).await;
    assert!(emu.with_portal(|p| p.relation(5, ME).is_some()));

    // Form encoding and a keyboard sent as JSON text.
    let url = format!("{}im.message.add", emu.webhook_url());
    let form = common::client()
        .post(&url)
        .form(&[
            ("DIALOG_ID", "chat2"),
            ("MESSAGE", "form"),
            ("KEYBOARD[0][TEXT]", "Go"),
            ("KEYBOARD[0][LINK]", "/online/"),
        ])
        .send()
        .await
        .unwrap();
    let form: Value = form.json().await.unwrap();
    let id = form["result"].as_u64().unwrap();
    assert_eq!(
        emu.with_portal(|p| p.message(id).unwrap().params["KEYBOARD"][0]["LINK"].clone()),
        "/online/"
    );
    let (json, _) = ok::<MessageAddRequest>(&emu, json!({"DIALOG_ID": "chat2", "MESSAGE": "text keyboard", "KEYBOARD": "[{\"TEXT\": \"a\", \"ACTION\": \"PUT\", \"ACTION_VALUE\": \"x\"}]"})).await;
    let id = json["result"].as_u64().unwrap();
    assert_eq!(
        emu.with_portal(|p| p.message(id).unwrap().params["KEYBOARD"][0]["ACTION"].clone()),
        "PUT"
    );
}

#[tokio::test]
async fn message_add_attachment_only_system_and_reply() {
    let emu = common::start(common::unlimited()).await;
    let (json, _) = ok::<MessageAddRequest>(&emu, json!({"DIALOG_ID": "chat2", "ATTACH": [{"MESSAGE": "short form"}, {"DELIMITER": {"SIZE": 200}}]})).await;
    let attach_only = json["result"].as_u64().unwrap();
    let (json, _) = ok::<MessageAddRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "MESSAGE": "   ", "ATTACH": "[{\"MESSAGE\": \"as text\"}]"}),
    )
    .await;
    let attach_text = json["result"].as_u64().unwrap();
    let (json, _) = ok::<MessageAddRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "MESSAGE": "system", "SYSTEM": "Y", "REPLY_ID": attach_only}),
    )
    .await;
    let system = json["result"].as_u64().unwrap();
    let (json, _) = ok::<MessageAddRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "MESSAGE": "not system", "SYSTEM": "y", "REPLY_ID": 0}),
    )
    .await;
    let not_system = json["result"].as_u64().unwrap();

    let (page, _) = ok::<DialogMessagesGetRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "FIRST_ID": attach_only - 1}),
    )
    .await;
    assert_eq!(
        message_ids(&page),
        [attach_only, attach_text, system, not_system]
    );
    let messages = page["result"]["messages"].as_array().unwrap();
    assert_eq!(
        messages[0]["text"], "",
        "an attachment without text is not a deleted message"
    );
    assert_eq!(
        messages[0]["params"]["ATTACH"][0]["BLOCKS"],
        json!([{"MESSAGE": "short form"}, {"DELIMITER": {"SIZE": 200}}])
    );
    assert_eq!(messages[0]["params"]["ATTACH"][0]["COLOR_TOKEN"], "base");
    assert_eq!(
        messages[1]["params"]["ATTACH"][0]["BLOCKS"],
        json!([{"MESSAGE": "as text"}])
    );
    assert_eq!(messages[2]["author_id"], 0, "SYSTEM=Y: a system message");
    assert_eq!(messages[2]["params"]["REPLY_ID"], attach_only);
    assert_eq!(messages[3]["author_id"], ME, "only an exact Y");
    assert_eq!(messages[3]["params"], json!([]), "REPLY_ID 0 is ignored");
}

#[tokio::test]
async fn message_add_error_codes() {
    let emu = common::start(common::unlimited()).await;
    let (hidden, in_chat3, in_chat5) = emu.with_portal(|p| {
        let in_chat5 = p.messages.iter().find(|m| m.chat_id == 5).unwrap().id;
        let in_chat3 = p.messages.iter().find(|m| m.chat_id == 3).unwrap().id;
        (
            p.users.iter().find(|u| u.hidden).unwrap().id,
            in_chat3,
            in_chat5,
        )
    });
    let before = emu.with_portal(|p| (p.messages.len(), p.chats.len()));
    let big = "a".repeat(60_000);
    let cases = [
        (json!({}), 400, "MESSAGE_EMPTY"),
        (json!({"DIALOG_ID": "chat2"}), 400, "MESSAGE_EMPTY"),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": " \n\t "}),
            400,
            "MESSAGE_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": 5}),
            400,
            "MESSAGE_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": ["a"]}),
            400,
            "MESSAGE_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "", "ATTACH": "0"}),
            400,
            "MESSAGE_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "chat999", "MESSAGE": null}),
            400,
            "MESSAGE_EMPTY",
        ),
        (json!({"MESSAGE": "no target"}), 400, "PARAMS_ERROR"),
        (
            json!({"DIALOG_ID": "abc", "MESSAGE": "x"}),
            400,
            "USER_ID_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "", "MESSAGE": "x"}),
            400,
            "USER_ID_EMPTY",
        ),
        (
            json!({"USER_ID": 0, "CHAT_ID": 2, "MESSAGE": "x"}),
            400,
            "USER_ID_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "99999", "MESSAGE": "x"}),
            400,
            "USER_NOT_FOUND",
        ),
        (
            json!({"DIALOG_ID": "chat0", "MESSAGE": "x"}),
            400,
            "CHAT_ID_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "sg99", "MESSAGE": "x"}),
            400,
            "CHAT_ID_EMPTY",
        ),
        (
            json!({"CHAT_ID": "abc", "MESSAGE": "x"}),
            400,
            "CHAT_ID_EMPTY",
        ),
        (
            json!({"DIALOG_ID": "chat5", "MESSAGE": "not a member"}),
            400,
            "PARAMS_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat999", "MESSAGE": "no such chat"}),
            400,
            "PARAMS_ERROR",
        ),
        (
            json!({"DIALOG_ID": hidden, "MESSAGE": "hidden user"}),
            400,
            "PARAMS_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "ATTACH": []}),
            400,
            "PARAMS_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "ATTACH": "garbage"}),
            400,
            "ATTACH_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "ATTACH": [{"UNKNOWN": 1}, {"IMAGE": {"LINK": "ftp://x"}}]}),
            400,
            "ATTACH_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "ATTACH": [{"MESSAGE": big}]}),
            400,
            "ATTACH_OVERSIZE",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "KEYBOARD": [{"TEXT": "no action"}]}),
            400,
            "KEYBOARD_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "KEYBOARD": [{"TEXT": "cmd", "COMMAND": "go"}]}),
            400,
            "KEYBOARD_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "KEYBOARD": "not json"}),
            400,
            "KEYBOARD_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "MENU": [{"TEXT": "no action"}]}),
            400,
            "MENU_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "REPLY_ID": in_chat5}),
            403,
            "REPLY_ACCESS_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "REPLY_ID": 999_999}),
            403,
            "REPLY_ACCESS_ERROR",
        ),
        (
            json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "REPLY_ID": in_chat3}),
            403,
            "REPLY_FROM_OTHER_CHAT_ERROR",
        ),
    ];
    for (params, status, code) in cases {
        fails::<MessageAddRequest>(&emu, params, status, code).await;
    }
    let (_, body) = common::call(
        &emu,
        "im.message.add",
        json!({"DIALOG_ID": "chat2", "MESSAGE": 5}),
    )
    .await;
    assert_eq!(body["error_description"], "Wrong message type");
    let (_, body) = common::call(
        &emu,
        "im.message.add",
        json!({"DIALOG_ID": "chat5", "MESSAGE": "x"}),
    )
    .await;
    assert_eq!(body["error_description"], "Message isn't added");
    let (_, body) = common::call(&emu, "im.message.add", json!({"MESSAGE": "x"})).await;
    assert_eq!(body["error_description"], "Incorrect params");
    // Empty KEYBOARD/MENU values are ignored, not errors.
    ok::<MessageAddRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "MESSAGE": "x", "KEYBOARD": "", "MENU": []}),
    )
    .await;
    assert_eq!(
        emu.with_portal(|p| (p.messages.len(), p.chats.len())),
        (before.0 + 1, before.1),
        "failed calls store nothing"
    );

    // The general chat refuses extranet users.
    let e = {
        emu.with_portal(|p| {
            p.users.iter_mut().find(|u| u.id == ME).unwrap().kind = "extranet".into()
        });
        fails::<MessageAddRequest>(
            &emu,
            json!({"DIALOG_ID": "chat1", "MESSAGE": "x"}),
            403,
            "ACCESS_ERROR",
        )
        .await
    };
    assert_eq!(e.code, MessageAddErrorCode::AccessError);
    assert_eq!(e.description, "Action unavailable");
    ok::<MessageAddRequest>(
        &emu,
        json!({"DIALOG_ID": "chat2", "MESSAGE": "other chats are fine"}),
    )
    .await;
}
