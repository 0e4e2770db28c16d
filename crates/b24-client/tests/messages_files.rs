//! Issue 12 scenarios through the typed client against the emulator over loopback HTTP: a
//! message edited, liked, unliked and deleted; a file uploaded, seen in the dialog, downloaded
//! byte for byte and deleted; events recorded until unsubscribing; and the rights around them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use b24_client::files::{FileError, Upload};
use b24_client::{Client, Error};
use b24_core::{DialogId, ErrorCode as _, MessageText};
use b24_emulator::{Config, Emulator};
use b24_im::{
    DialogMessage, DialogMessagesGetRequest, DiskFileDeleteRequest, DiskFileSaveRequest,
    DiskFolderGetRequest, LikeAction, MenuEdit, MessageAddRequest, MessageCommandErrorCode,
    MessageCommandRequest, MessageDeleteErrorCode, MessageDeleteRequest, MessageLikeErrorCode,
    MessageLikeRequest, MessageShareRequest, MessageUpdateErrorCode, MessageUpdateRequest, Removal,
    RevisionGetRequest, ShareType, V2EventGetRequest, V2EventSubscribeRequest,
    V2EventUnsubscribeRequest, V2FileDownloadErrorCode,
};
use serde_json::json;

const WEBHOOK_USER: u64 = 1;

async fn start() -> (Emulator, Client) {
    let emu = Emulator::start(Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
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
    (emu, client)
}

/// A group chat the webhook user is in, and another member of it.
fn group_chat(emu: &Emulator) -> (u64, u64) {
    emu.with_portal(|p| {
        p.chats
            .iter()
            .filter(|c| c.kind == "chat")
            .find_map(|c| {
                let member = c.members.iter().any(|r| r.user_id == WEBHOOK_USER);
                let other = c.members.iter().map(|r| r.user_id).find(|u| {
                    *u != WEBHOOK_USER && p.user(*u).is_some_and(|u| u.bot_code.is_none())
                });
                member.then_some(other).flatten().map(|o| (c.id, o))
            })
            .expect("a group chat with the webhook user and another member")
    })
}

async fn post(client: &Client, dialog: DialogId, text: &str) -> u64 {
    client
        .call(&MessageAddRequest::new().dialog_id(dialog).message(text))
        .await
        .unwrap()
        .result
}

async fn message(client: &Client, chat: u64, id: u64) -> DialogMessage {
    let page = client
        .call(
            &DialogMessagesGetRequest::new()
                .dialog_id(DialogId::Chat(chat))
                .first_id(id - 1)
                .limit(1),
        )
        .await
        .unwrap()
        .result
        .expect("the chat has messages");
    page.messages
        .into_iter()
        .find(|m| m.id == id)
        .expect("the message is in the window")
}

#[tokio::test]
async fn post_edit_like_unlike_delete_each_visible_in_the_dialog() {
    let (emu, client) = start().await;
    let (chat, _) = group_chat(&emu);
    let dialog = DialogId::Chat(chat);
    let id = post(&client, dialog, "first draft").await;
    assert_eq!(
        message(&client, chat, id).await.text.as_deref(),
        Some("first draft")
    );

    let edited = client
        .call(&MessageUpdateRequest::new(id).message(MessageText::new("final text").unwrap()))
        .await
        .unwrap();
    assert!(edited.result);
    let after_edit = message(&client, chat, id).await;
    assert_eq!(after_edit.text.as_deref(), Some("final text"));
    assert_eq!(after_edit.params.is_edited, Some(true));

    assert!(
        client
            .call(&MessageLikeRequest::new(id))
            .await
            .unwrap()
            .result
    );
    assert_eq!(
        message(&client, chat, id).await.params.like,
        vec![WEBHOOK_USER]
    );
    // Liking again with `plus` changes nothing: a typed error.
    let again = client
        .call(&MessageLikeRequest::new(id).action(LikeAction::Plus))
        .await
        .unwrap_err();
    assert!(
        matches!(&again, Error::Api(api) if api.code == MessageLikeErrorCode::WithoutChanges),
        "{again:?}"
    );
    assert!(
        client
            .call(&MessageLikeRequest::new(id))
            .await
            .unwrap()
            .result
    );
    assert!(message(&client, chat, id).await.params.like.is_empty());

    assert!(
        client
            .call(&MessageDeleteRequest::new(id))
            .await
            .unwrap()
            .result
    );
    let deleted = message(&client, chat, id).await;
    assert_eq!(deleted.params.is_deleted, Some(true));
    assert_ne!(deleted.text.as_deref(), Some("final text"));
}

#[tokio::test]
async fn an_empty_text_deletes_only_when_asked_for_and_others_cannot_edit() {
    assert!(MessageText::new(" \n ").is_err());
    let (emu, client) = start().await;
    let (chat, other) = group_chat(&emu);
    let id = post(&client, DialogId::Chat(chat), "to go").await;
    let request = MessageUpdateRequest::new(id).message(MessageText::delete_message());
    assert_eq!(
        serde_json::to_value(&request).unwrap()["MESSAGE"],
        json!("")
    );
    assert!(client.call(&request).await.unwrap().result);
    assert_eq!(
        message(&client, chat, id).await.params.is_deleted,
        Some(true)
    );

    // Somebody else's message: neither edited nor deleted.
    let theirs = emu.with_portal(|p| {
        p.add_message(
            chat,
            other,
            "theirs".into(),
            "2026-03-02T10:00:00+02:00".into(),
            serde_json::Map::new(),
        )
    });
    let edit = client
        .call(&MessageUpdateRequest::new(theirs).message(MessageText::new("mine now").unwrap()))
        .await
        .unwrap_err();
    assert!(
        matches!(&edit, Error::Api(api) if api.code == MessageUpdateErrorCode::CantEditMessage),
        "{edit:?}"
    );
    let delete = client
        .call(&MessageDeleteRequest::new(theirs))
        .await
        .unwrap_err();
    assert!(
        matches!(&delete, Error::Api(api) if api.code == MessageDeleteErrorCode::CantEditMessage),
        "{delete:?}"
    );
    assert_eq!(
        message(&client, chat, theirs).await.text.as_deref(),
        Some("theirs")
    );
}

#[tokio::test]
async fn a_bad_menu_is_the_lower_case_code_matched_exactly() {
    let (emu, client) = start().await;
    let (chat, _) = group_chat(&emu);
    let id = post(&client, DialogId::Chat(chat), "menu").await;
    let bad = client
        .call_raw(
            "im.message.update",
            &json!({"MESSAGE_ID": id, "MENU": [{"TEXT": ""}]}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, Error::Api(api) if api.code.as_str() == "menu_ERROR"),
        "{bad:?}"
    );
    // The typed enum tells the two spellings apart.
    assert_eq!(
        MessageUpdateErrorCode::from("menu_ERROR"),
        MessageUpdateErrorCode::MenuErrorLowercase
    );
    assert_ne!(
        MessageUpdateErrorCode::from("MENU_ERROR"),
        MessageUpdateErrorCode::MenuErrorLowercase
    );
    // `N` removes a menu.
    let removed = client
        .call(&MessageUpdateRequest::new(id).menu(MenuEdit::Remove(Removal::Remove)))
        .await
        .unwrap();
    assert!(removed.result);
}

#[tokio::test]
async fn upload_see_download_compare_delete() {
    let (emu, client) = start().await;
    let (chat, _) = group_chat(&emu);
    let dialog = DialogId::Chat(chat);
    let content: Vec<u8> = (0..200_003_u32).map(|i| (i % 251) as u8).collect();
    let dir = std::env::temp_dir().join(format!("b24-msgs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("report.bin");
    std::fs::write(&source, &content).unwrap();

    let mut seen = 0;
    let sent = client
        .upload_file(
            Upload::path(dialog, &source).message("the report"),
            |done, total| {
                assert!(done <= total);
                seen = done;
            },
        )
        .await
        .unwrap();
    assert_eq!(seen, content.len() as u64);
    assert_eq!(sent.chat_id, chat);

    let posted = message(&client, chat, sent.message_id).await;
    assert_eq!(posted.text.as_deref(), Some("the report"));
    assert_eq!(posted.params.file_id, vec![sent.file_id]);
    let page = client
        .call(
            &DialogMessagesGetRequest::new()
                .dialog_id(dialog)
                .first_id(sent.message_id - 1),
        )
        .await
        .unwrap()
        .result
        .unwrap();
    let file = page
        .files
        .iter()
        .find(|f| f.id == sent.file_id)
        .expect("the file is listed");
    assert_eq!(file.name.as_deref(), Some("report.bin"));
    assert_eq!(file.size, Some(content.len() as u64));

    let target = dir.join("copy.bin");
    let size = client
        .download_file(dialog, sent.file_id, &target, |_, _| {})
        .await
        .unwrap();
    assert_eq!(size, content.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), content);

    // Saved to the caller's Drive, then deleted from the chat by its sender.
    let saved = client
        .call(&DiskFileSaveRequest::new(sent.file_id))
        .await
        .unwrap()
        .result;
    assert_eq!(
        saved.folder.and_then(|f| f.name).as_deref(),
        Some("Saved Files")
    );
    assert!(
        client
            .call(&DiskFileDeleteRequest::new(chat, sent.file_id))
            .await
            .unwrap()
            .result
    );
    let page = client
        .call(
            &DialogMessagesGetRequest::new()
                .dialog_id(dialog)
                .first_id(sent.message_id - 1),
        )
        .await
        .unwrap()
        .result
        .unwrap();
    assert!(page.files.iter().all(|f| f.id != sent.file_id));
    let gone = client
        .download_file(dialog, sent.file_id, &target, |_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&gone, FileError::Call(Error::Api(api)) if api.code == V2FileDownloadErrorCode::FileNotFound),
        "{gone:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn bytes_upload_and_the_rights_around_chat_files() {
    let (emu, client) = start().await;
    let (chat, other) = group_chat(&emu);
    let dialog = DialogId::Chat(chat);
    let sent = client
        .upload_file(Upload::bytes(dialog, "note.txt", b"hello"), |_, _| {})
        .await
        .unwrap();
    assert_eq!(sent.result.file.as_ref().and_then(|f| f.size), Some(5));
    let folder = client
        .call(&DiskFolderGetRequest::new().chat_id(chat))
        .await
        .unwrap()
        .result;
    let again = client
        .call(&DiskFolderGetRequest::new().dialog_id(dialog))
        .await
        .unwrap()
        .result;
    assert_eq!(folder.id, again.id);

    // A file somebody else posted: `true`, but it stays.
    let theirs = emu.with_portal(|p| {
        let folder = p.drive.chat_folder(chat);
        p.drive.add_file(
            folder,
            "theirs.txt",
            other,
            String::new(),
            bytes::Bytes::from_static(b"x"),
        )
    });
    assert!(
        client
            .call(&DiskFileDeleteRequest::new(chat, theirs))
            .await
            .unwrap()
            .result
    );
    assert!(emu.with_portal(|p| p.drive.file(theirs).is_some()));
    // A chat the caller is not in: `false`.
    let outside = emu.with_portal(|p| {
        p.chats
            .iter()
            .find(|c| c.kind == "chat" && !c.members.iter().any(|r| r.user_id == WEBHOOK_USER))
            .map(|c| c.id)
    });
    if let Some(outside) = outside {
        assert!(
            !client
                .call(&DiskFileDeleteRequest::new(outside, sent.file_id))
                .await
                .unwrap()
                .result
        );
    }
    // Too large: refused before anything is sent.
    let big = vec![0_u8; (b24_client::files::MAX_UPLOAD + 1) as usize];
    let refused = client
        .upload_file(Upload::bytes(dialog, "big.bin", &big), |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(refused, FileError::TooLarge { .. }), "{refused:?}");
}

#[tokio::test]
async fn subscribe_produce_get_unsubscribe_then_no_new_events() {
    let (emu, client) = start().await;
    let (chat, _) = group_chat(&emu);
    let dialog = DialogId::Chat(chat);
    assert!(
        client
            .call(&V2EventSubscribeRequest::new())
            .await
            .unwrap()
            .result
    );
    let id = post(&client, dialog, "event me").await;
    client
        .call(&MessageUpdateRequest::new(id).message(MessageText::new("edited").unwrap()))
        .await
        .unwrap();
    let page = client.call(&V2EventGetRequest::new()).await.unwrap().result;
    let kinds: Vec<String> = page
        .events
        .iter()
        .filter_map(|e| e.kind.as_ref().map(|k| k.as_str().to_owned()))
        .collect();
    assert_eq!(kinds, ["ONIMV2MESSAGEADD", "ONIMV2MESSAGEUPDATE"]);
    let next = page.next_offset.unwrap();

    assert!(
        client
            .call(&V2EventUnsubscribeRequest::new())
            .await
            .unwrap()
            .result
    );
    assert!(
        client
            .call(&V2EventUnsubscribeRequest::new())
            .await
            .unwrap()
            .result,
        "idempotent"
    );
    post(&client, dialog, "unheard").await;
    let after = client
        .call(&V2EventGetRequest::new().offset(next))
        .await
        .unwrap()
        .result;
    assert!(after.events.is_empty(), "{:?}", after.events);
}

#[tokio::test]
async fn commands_reach_registered_bots_only_and_share_says_what_it_made() {
    let (emu, client) = start().await;
    let (chat, _) = group_chat(&emu);
    let dialog = DialogId::Chat(chat);
    let id = post(&client, dialog, "plan the launch").await;
    let bot = emu
        .with_portal(|p| p.command_log.commands.first().map(|c| c.bot_id))
        .unwrap();
    assert!(
        client
            .call(&MessageCommandRequest::new(id, bot, "help"))
            .await
            .unwrap()
            .result
    );
    let delivered = emu.with_portal(|p| p.command_log.delivered.clone());
    assert_eq!(delivered.len(), 1);
    assert_eq!((delivered[0].bot_id, delivered[0].message_id), (bot, id));
    let refused = client
        .call(&MessageCommandRequest::new(id, bot, "unknown"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::Api(api) if api.code == MessageCommandErrorCode::ParamsError),
        "{refused:?}"
    );

    let chats_before = emu.with_portal(|p| p.chats.len());
    assert!(
        client
            .call(&MessageShareRequest::new(id, dialog, ShareType::Chat))
            .await
            .unwrap()
            .result
    );
    assert!(
        client
            .call(&MessageShareRequest::new(id, dialog, ShareType::Task))
            .await
            .unwrap()
            .result
    );
    assert_eq!(emu.with_portal(|p| p.chats.len()), chats_before + 1);
    assert_eq!(emu.with_portal(|p| p.shared.len()), 1);
    let page = client
        .call(
            &DialogMessagesGetRequest::new()
                .dialog_id(dialog)
                .first_id(id),
        )
        .await
        .unwrap()
        .result
        .unwrap();
    let notes: Vec<String> = page
        .messages
        .iter()
        .filter_map(|m| m.text.clone())
        .collect();
    assert!(
        notes.iter().any(|t| t.contains("created a chat")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|t| t.contains("created a task")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn revisions_carry_the_extra_mobile_field() {
    let (_emu, client) = start().await;
    let revisions = client
        .call(&RevisionGetRequest::new())
        .await
        .unwrap()
        .result;
    assert!(revisions.rest.is_some());
    assert_eq!(revisions.im_revision_mobile, revisions.mobile);
}
