//! Chats, dialogs and the recent list end to end: the typed client against the emulator over
//! loopback HTTP. Each step asserts what the next read returns, so a write that does not reach
//! the portal (or reaches it wrongly) fails the step after it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use b24_client::{Batch, Client, ConfigError, Error, PageOptions};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::{
    ChatAddRequest, ChatColor, ChatLeaveRequest, ChatMuteRequest, ChatSetOwnerErrorCode,
    ChatSetOwnerRequest, ChatUpdateAvatarErrorCode, ChatUpdateAvatarRequest,
    ChatUpdateColorErrorCode, ChatUpdateColorRequest, ChatUpdateTitleErrorCode,
    ChatUpdateTitleRequest, ChatUserAddRequest, ChatUserDeleteErrorCode, ChatUserDeleteRequest,
    ChatUserListRequest, CountersGetRequest, DialogGetRequest, DialogMessagesSearchRequest,
    DialogReadAllRequest, DialogReadRequest, DialogReadResult, DialogUnreadRequest,
    DialogUsersListRequest, DialogWritingRequest, MessageAddRequest, RecentGetRequest,
    RecentHideRequest, RecentListRequest, RecentPinRequest, RecentUnreadRequest,
};

const ME: u64 = 1;

async fn portal() -> (Emulator, Client, Vec<u64>) {
    let emu = Emulator::start(Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        dialog_size: Some(30),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .unlimited()
        .build()
        .unwrap();
    // Colleagues to work with: active, visible employees.
    let colleagues = emu.with_portal(|p| {
        p.users
            .iter()
            .filter(|u| u.id != ME && u.active && !u.hidden && u.kind == "user")
            .map(|u| u.id)
            .take(3)
            .collect::<Vec<_>>()
    });
    assert_eq!(colleagues.len(), 3);
    (emu, client, colleagues)
}

/// A PNG header of the given size, Base64-encoded (the emulator reads the size from it).
fn png(width: u32, height: u32) -> String {
    use base64::Engine as _;
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn code<C: b24_core::ErrorCode>(error: &Error<C>) -> String {
    error.code().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_chat_is_created_changed_handed_over_and_left() {
    let (_emu, client, users) = portal().await;
    let (a, b, c) = (users[0], users[1], users[2]);

    // Create with members, title, colour, description.
    let id = client
        .call(
            &ChatAddRequest::new()
                .users(vec![a, b])
                .title("  Deal 1663  ")
                .color(ChatColor::Pink)
                .description("Discussing the deal"),
        )
        .await
        .unwrap()
        .result;
    let chat = DialogId::Chat(id);
    let got = client
        .call(&DialogGetRequest::new(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(got.id, id);
    assert_eq!(
        got.name.as_deref(),
        Some("Deal 1663"),
        "the title is trimmed"
    );
    assert_eq!(got.owner, Some(ME));
    assert_eq!(got.user_counter, Some(3));
    assert_eq!(got.description.as_deref(), Some("Discussing the deal"));
    assert_eq!(got.dialog_id, Some(chat));
    let pink = got.color.clone().unwrap();
    assert!(pink.starts_with('#') && pink.len() == 7, "{pink}");
    let members = client
        .call(&ChatUserListRequest::new().chat_id(id))
        .await
        .unwrap()
        .result;
    assert_eq!(members, [ME, a, b]);

    // Rename, recolour, change the avatar: each shows in the next read.
    client
        .call(&ChatUpdateTitleRequest::new("Deal 1663: won\n").dialog_id(chat))
        .await
        .unwrap();
    client
        .call(&ChatUpdateColorRequest::new(ChatColor::Mint).chat_id(id))
        .await
        .unwrap();
    let again = client
        .call(&ChatUpdateColorRequest::new(ChatColor::Mint).chat_id(id))
        .await
        .unwrap_err();
    assert!(matches!(&again, Error::Api(e) if e.code == ChatUpdateColorErrorCode::WrongRequest));
    client
        .call(&ChatUpdateAvatarRequest::new(png(64, 64)).chat_id(id))
        .await
        .unwrap();
    let got = client
        .call(&DialogGetRequest::new(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(got.name.as_deref(), Some("Deal 1663: won"));
    let mint = got.color.clone().unwrap();
    assert_ne!(mint, pink, "the colour changed");
    let avatar = got.avatar.clone().unwrap();
    assert!(avatar.ends_with(".png"), "{avatar}");
    let too_big = client
        .call(&ChatUpdateAvatarRequest::new(png(6000, 10)).chat_id(id))
        .await
        .unwrap_err();
    assert!(matches!(&too_big, Error::Api(e) if e.code == ChatUpdateAvatarErrorCode::AvatarError));
    let not_image = client
        .call(&ChatUpdateAvatarRequest::new("aGVsbG8=").chat_id(id))
        .await
        .unwrap_err();
    assert_eq!(code(&not_image), "AVATAR_ERROR");
    let blank = client
        .call(&ChatUpdateTitleRequest::new(" \n ").chat_id(id))
        .await
        .unwrap_err();
    assert!(matches!(&blank, Error::Api(e) if e.code == ChatUpdateTitleErrorCode::TitleEmpty));
    let got = client
        .call(&DialogGetRequest::new(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(
        got.avatar.as_deref(),
        Some(avatar.as_str()),
        "refused writes change nothing"
    );

    // Members: add one, remove one; both lists and the chat's count follow.
    client
        .call(&ChatUserAddRequest::new(id, vec![c]).hide_history(false))
        .await
        .unwrap();
    client
        .call(&ChatUserDeleteRequest::new(id, a))
        .await
        .unwrap();
    let members = client
        .call(&ChatUserListRequest::new().dialog_id(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(members, [ME, b, c]);
    let listed: Vec<u64> = client
        .call(&DialogUsersListRequest::new(chat))
        .await
        .unwrap()
        .result
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(listed, [ME, b, c]);
    let gone = client
        .call(&ChatUserDeleteRequest::new(id, a))
        .await
        .unwrap_err();
    assert!(matches!(&gone, Error::Api(e) if e.code == ChatUserDeleteErrorCode::UserNotFound));
    let owner = client
        .call(&ChatUserDeleteRequest::new(id, ME))
        .await
        .unwrap_err();
    assert_eq!(
        code(&owner),
        "ACCESS_DENIED_KICK",
        "the owner cannot be removed"
    );

    // Hand over ownership; only the owner may, so doing it again is refused.
    let outsider = client
        .call(&ChatSetOwnerRequest::new(a).chat_id(id))
        .await
        .unwrap_err();
    assert!(matches!(&outsider, Error::Api(e) if e.code == ChatSetOwnerErrorCode::WrongRequest));
    client
        .call(&ChatSetOwnerRequest::new(b).chat_id(id))
        .await
        .unwrap();
    let got = client
        .call(&DialogGetRequest::new(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(got.owner, Some(b));
    assert_eq!(got.role.as_deref(), Some("member"));
    let not_owner = client
        .call(&ChatSetOwnerRequest::new(ME).chat_id(id))
        .await
        .unwrap_err();
    assert!(matches!(&not_owner, Error::Api(e) if e.code == ChatSetOwnerErrorCode::WrongRequest));

    // Mute shows in the chat's mute list.
    client
        .call(&ChatMuteRequest::new().dialog_id(chat))
        .await
        .unwrap();
    let got = client
        .call(&DialogGetRequest::new(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(got.mute_list.get(&ME), Some(&true));

    // Leave: the chat is gone from my lists and closed to me.
    client.call(&ChatLeaveRequest::new(id)).await.unwrap();
    let members = client
        .call(&ChatUserListRequest::new().chat_id(id))
        .await
        .unwrap()
        .result;
    assert!(members.is_empty(), "a non-member gets []");
    let closed = client.call(&DialogGetRequest::new(chat)).await.unwrap_err();
    assert_eq!(code(&closed), "ACCESS_ERROR");
    assert_eq!(closed.status(), Some(403));
    let recent = client.call(&RecentGetRequest::new()).await.unwrap().result;
    assert!(recent.iter().all(|e| e.chat_id != Some(id)));
    let again = client.call(&ChatLeaveRequest::new(id)).await.unwrap_err();
    assert_eq!(code(&again), "ACCESS_DENIED_KICK");
}

#[tokio::test]
async fn messages_are_searched_read_and_counted() {
    let (emu, client, users) = portal().await;
    let id = client
        .call(&ChatAddRequest::new().users(vec![users[0]]).title("Search"))
        .await
        .unwrap()
        .result;
    let chat = DialogId::Chat(id);
    // Sending reads the dialog for the sender: my message first, then the colleague's,
    // which stay unread for me.
    let mine = client
        .call(
            &MessageAddRequest::new()
                .dialog_id(chat)
                .message("my invoice"),
        )
        .await
        .unwrap()
        .result;

    // Messages from a colleague, so they are unread for me.
    let posted: Vec<u64> = emu.with_portal(|p| {
        (0..5)
            .map(|i| {
                let text = if i % 2 == 0 {
                    format!("invoice {i}")
                } else {
                    format!("lunch {i}")
                };
                p.add_message(
                    id,
                    users[0],
                    text,
                    b24_emulator::portal::iso(1_772_000_000 + i),
                    Default::default(),
                )
            })
            .collect()
    });
    let answer = client
        .call(&DialogMessagesSearchRequest::new(id).search_message("INVOICE"))
        .await
        .unwrap();
    assert!(answer.skipped.is_empty(), "{:?}", answer.skipped);
    let found = answer.result;
    let ids: Vec<u64> = found.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, [posted[4], posted[2], posted[0], mine], "newest first");
    assert!(found.users.iter().any(|u| u.id == users[0]));
    // Keyset paging, two at a time, walks the same hits.
    let walked: Vec<u64> = client
        .collect_all(
            DialogMessagesSearchRequest::new(id).search_message("invoice"),
            PageOptions::default().page_size(2),
        )
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(walked, ids);

    // Counters: five unread from the colleague.
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert_eq!(counters.chat.get(&id), Some(&5));
    let read = client
        .call(&DialogReadRequest::new(chat).message_id(posted[2]))
        .await
        .unwrap()
        .result;
    let DialogReadResult::Read(state) = read else {
        panic!("expected the read state, got {read:?}")
    };
    assert_eq!((state.chat_id, state.counter), (id, Some(2)));
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert_eq!(counters.chat.get(&id), Some(&2));
    client.call(&DialogReadRequest::new(chat)).await.unwrap();
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert_eq!(counters.chat.get(&id), None, "all read");
    client
        .call(&DialogUnreadRequest::new(chat, posted[3]))
        .await
        .unwrap();
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert_eq!(
        counters.chat.get(&id),
        Some(&2),
        "unread again from the fourth on"
    );
    let got = client
        .call(&DialogGetRequest::new(chat))
        .await
        .unwrap()
        .result;
    assert_eq!(got.counter, Some(2));
    assert_eq!(got.unread_id, Some(posted[3]));
    client.call(&DialogReadAllRequest::new()).await.unwrap();
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert_eq!(counters.totals.all, Some(0));
    assert!(
        client
            .call(&DialogWritingRequest::new(chat))
            .await
            .unwrap()
            .result
    );
    // `notify` is not a dialog id the typed request can carry; the raw call answers `true`.
    let raw = client
        .call_raw(
            "im.dialog.read",
            &serde_json::json!({"DIALOG_ID": "notify"}),
        )
        .await
        .unwrap()
        .result;
    assert_eq!(raw, serde_json::json!(true));
    let empty = client
        .call(&DialogMessagesSearchRequest::new(999_999))
        .await
        .unwrap_err();
    assert_eq!(code(&empty), "ACCESS_ERROR");
}

#[tokio::test]
async fn the_recent_list_pins_hides_marks_and_pages() {
    let (emu, client, users) = portal().await;
    let first = client
        .call(&ChatAddRequest::new().users(vec![users[0]]).title("First"))
        .await
        .unwrap()
        .result;
    let second = client
        .call(
            &ChatAddRequest::new()
                .users(vec![users[1]])
                .title("Second")
                .message("hello"),
        )
        .await
        .unwrap()
        .result;
    let order =
        |items: &[b24_im::RecentItem]| items.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    let answer = client.call(&RecentGetRequest::new()).await.unwrap();
    assert!(
        answer.skipped.is_empty(),
        "every entry decodes: {:?}",
        answer.skipped
    );
    let list = answer.result;
    assert_eq!(list[0].id, format!("chat{second}"), "newest activity first");
    assert_eq!(
        list[0].message.as_ref().map(|m| m.text.clone()),
        Some(Some("hello".into()))
    );

    // Pin the older chat: it comes first, marked pinned.
    client
        .call(&RecentPinRequest::new(DialogId::Chat(first)))
        .await
        .unwrap();
    let list = client.call(&RecentGetRequest::new()).await.unwrap().result;
    assert_eq!(list[0].id, format!("chat{first}"));
    assert_eq!(list[0].pinned, Some(true));
    client
        .call(&RecentPinRequest::new(DialogId::Chat(first)).pin(false))
        .await
        .unwrap();
    let list = client.call(&RecentGetRequest::new()).await.unwrap().result;
    assert_eq!(list[0].id, format!("chat{second}"));

    // Mark unread by hand: the entry and the counters say so; reading clears it.
    client
        .call(&RecentUnreadRequest::new(DialogId::Chat(first)))
        .await
        .unwrap();
    let list = client.call(&RecentGetRequest::new()).await.unwrap().result;
    let entry = list.iter().find(|e| e.chat_id == Some(first)).unwrap();
    assert_eq!(entry.unread, Some(true));
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert_eq!(counters.chat_unread, [first]);
    client
        .call(&DialogReadRequest::new(DialogId::Chat(first)))
        .await
        .unwrap();
    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .unwrap()
        .result;
    assert!(counters.chat_unread.is_empty());

    // Hide: gone until the next message.
    client
        .call(&RecentHideRequest::new(DialogId::Chat(second)))
        .await
        .unwrap();
    let ids = order(&client.call(&RecentGetRequest::new()).await.unwrap().result);
    assert!(!ids.contains(&format!("chat{second}")), "{ids:?}");
    client
        .call(
            &MessageAddRequest::new()
                .dialog_id(DialogId::Chat(second))
                .message("back"),
        )
        .await
        .unwrap();
    let ids = order(&client.call(&RecentGetRequest::new()).await.unwrap().result);
    assert_eq!(ids[0], format!("chat{second}"));

    // Paging: `next` is offset + entries, `total` is -1, `hasMore` ends the walk.
    let everything = order(&client.call(&RecentGetRequest::new()).await.unwrap().result);
    assert!(everything.len() > 3, "{everything:?}");
    let page = client
        .call(&RecentListRequest::new().limit(2))
        .await
        .unwrap();
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    assert_eq!(page.total, Some(-1));
    assert_eq!(page.next, Some(2));
    assert_eq!(page.result.has_more, Some(true));
    let before = emu.stats().requests;
    let walked = order(
        &client
            .collect_all(
                RecentListRequest::new(),
                PageOptions::default().page_size(2),
            )
            .await
            .unwrap(),
    );
    assert_eq!(walked, everything);
    let pages = emu.stats().requests - before;
    assert_eq!(
        pages,
        everything.len().div_ceil(2) as u64,
        "no extra request after the last page"
    );
    let dialogs_only = client
        .call(&RecentListRequest::new().skip_chat(true))
        .await
        .unwrap()
        .result;
    assert!(
        dialogs_only
            .items
            .iter()
            .all(|e| e.kind.as_deref() == Some("user"))
    );
    assert!(!dialogs_only.items.is_empty());
}

#[tokio::test]
async fn requests_without_a_target_are_refused_before_sending() {
    let (emu, client, _) = portal().await;
    let before = emu.stats().requests;
    let error = client
        .call(&ChatUpdateTitleRequest::new("No target"))
        .await
        .unwrap_err();
    let Error::Config(ConfigError::MissingParams(missing)) = &error else {
        panic!("expected MissingParams, got {error:?}")
    };
    assert_eq!(missing.one_of, ["CHAT_ID", "DIALOG_ID"]);
    assert_eq!(
        error.to_string(),
        "`im.chat.updateTitle` needs at least one of `CHAT_ID` or `DIALOG_ID`; the request sets none of them"
    );
    let error = client
        .call(&MessageAddRequest::new().message("to nowhere"))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`DIALOG_ID`, `USER_ID` or `CHAT_ID`"),
        "{error}"
    );
    let error = client
        .call(&MessageAddRequest::new().dialog_id(DialogId::Chat(1)))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("`MESSAGE` or `ATTACH`"),
        "{error}"
    );
    let mut batch = Batch::new();
    let refused = batch.add(&ChatMuteRequest::new()).unwrap_err();
    assert!(matches!(refused, ConfigError::MissingParams(_)));
    assert!(batch.is_empty());
    assert_eq!(emu.stats().requests, before, "nothing reached the portal");

    // A batch reference can fill the group: the new chat's id as CHAT_ID.
    let mut batch = Batch::new();
    let created = batch.add(&ChatAddRequest::new().title("Batched")).unwrap();
    let renamed = batch
        .add_with(
            &ChatUpdateTitleRequest::new("Renamed in batch"),
            [("CHAT_ID", b24_client::Ref::result(&created))],
        )
        .unwrap();
    let results = client.batch(batch).await.unwrap();
    let id = results.get(&created).unwrap().result;
    assert!(results.get(&renamed).unwrap().result);
    let got = client
        .call(&DialogGetRequest::new(DialogId::Chat(id)))
        .await
        .unwrap()
        .result;
    assert_eq!(got.name.as_deref(), Some("Renamed in batch"));
}
