//! A bot end to end, offline, over HTTP on loopback: the client's bot handles against the
//! emulator's bots. Users are played through the emulator's act-as-user endpoint
//! (`POST /_emulator/as/<user>/<method>`), and webhook-mode bots get their events POSTed to a
//! receiver in the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use b24_client::{Bot, Client};
use b24_core::{Delivery, DialogId, Received};
use b24_emulator::{Bucket, Config, Cost, Emulator};
use b24_im::{DialogMessagesGetRequest, MessageAddRequest};
use b24_imbot::{
    BotRegisterFields, BotRegisterProperties, BotRegisterRequest, BotUnregisterRequest,
    ChatMessageReactionAddRequest, ChatMessageSendFields, ChatMessageSendRequest,
    CommandRegisterFields, CommandRegisterRequest, Event, EventGetRequest, EventMode,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const TOKEN: &str = "bot-token-of-the-test-app";

async fn emulator(webhook_json: bool) -> Emulator {
    Emulator::start(Config {
        bucket: Bucket::OFF,
        cost: Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        webhook_json,
        ..Config::default()
    })
    .await
    .unwrap()
}

fn client(emu: &Emulator) -> Client {
    common::webhook_client(emu)
}

/// Registration fields of a bot whose name is its code.
fn fields(code: &str) -> BotRegisterFields {
    BotRegisterFields::new(code, BotRegisterProperties::new(code))
}

async fn register(client: &Client, fields: BotRegisterFields) -> Bot {
    let answer = client
        .bot_app(TOKEN)
        .call(&BotRegisterRequest::new(fields))
        .await
        .unwrap();
    client.bot(answer.result.bot.unwrap().id, TOKEN)
}

/// Calls `method` as portal user `user` through the emulator's act-as endpoint.
async fn as_user(emu: &Emulator, user: u64, method: &str, params: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/_emulator/as/{user}/{method}", emu.base_url()))
        .json(&params)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Reads the bot's queue, acknowledging what was read before; returns the typed events.
async fn fetch(bot: &Bot, offset: &mut u64) -> Vec<(u64, Event)> {
    let page = bot
        .call(&EventGetRequest::new().offset(*offset))
        .await
        .unwrap()
        .result;
    *offset = page.next_offset.unwrap();
    page.events
        .iter()
        .map(|entry| match entry.decode().unwrap().event {
            Received::Known(event) => (entry.event_id, event),
            Received::Other { name, .. } => panic!("unexpected event {name}"),
        })
        .collect()
}

#[tokio::test]
async fn a_fetch_bot_hears_a_user_answers_and_the_user_sees_the_answer() {
    let emu = emulator(false).await;
    let client = client(&emu);
    let bot = register(&client, fields("echo")).await;

    // Registering again with the same code gives the same bot.
    let again = client
        .bot_app(TOKEN)
        .call(&BotRegisterRequest::new(fields("echo")))
        .await
        .unwrap();
    assert_eq!(again.result.bot.unwrap().id, bot.id());

    // The webhook's user (1) writes to the bot in their private chat.
    client
        .call(
            &MessageAddRequest::new()
                .dialog_id(DialogId::User(bot.id()))
                .message("ping"),
        )
        .await
        .unwrap();

    let mut offset = 0;
    let events = fetch(&bot, &mut offset).await;
    // The first message opens the private chat: the bot hears of it, then of the message.
    let [(_, Event::JoinChat(join)), (_, Event::MessageAdd(data))] = events.as_slice() else {
        panic!("expected a join and a message: {events:?}")
    };
    assert_eq!(join.dialog_id, Some(DialogId::User(1)));
    let message = data.message.as_ref().unwrap();
    assert_eq!(message.text.as_deref(), Some("ping"));
    assert_eq!(data.user.as_ref().unwrap().id, 1);
    assert_eq!(data.bot.as_ref().unwrap().id, bot.id());
    // In the bot's private chat the dialog is the user.
    let dialog = data.chat.as_ref().unwrap().dialog_id.unwrap();
    assert_eq!(dialog, DialogId::User(1));

    // The bot answers; the user reads it in the dialog.
    bot.call(
        &ChatMessageSendRequest::new(dialog).fields(ChatMessageSendFields::new().message("pong")),
    )
    .await
    .unwrap();
    let history = client
        .call(&DialogMessagesGetRequest::new().dialog_id(DialogId::User(bot.id())))
        .await
        .unwrap()
        .result
        .unwrap();
    let texts: Vec<(Option<u64>, Option<&str>)> = history
        .messages
        .iter()
        .map(|m| (m.author_id, m.text.as_deref()))
        .collect();
    assert!(texts.contains(&(Some(bot.id()), Some("pong"))), "{texts:?}");
    assert!(texts.contains(&(Some(1), Some("ping"))), "{texts:?}");

    // The bot's own message is no event; the acknowledged one is gone.
    assert!(fetch(&bot, &mut offset).await.is_empty());

    // A reaction on the bot's message (here its own, which the server reports too).
    let own = history
        .messages
        .iter()
        .find(|m| m.author_id == Some(bot.id()))
        .unwrap()
        .id;
    bot.call(&ChatMessageReactionAddRequest::new(own, "like"))
        .await
        .unwrap();
    let again = bot
        .call(&ChatMessageReactionAddRequest::new(own, "like"))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("REACTION_ALREADY_SET"));
    let events = fetch(&bot, &mut offset).await;
    let [(_, Event::ReactionChange(change))] = events.as_slice() else {
        panic!("expected one reaction event: {events:?}")
    };
    assert_eq!(change.reaction.as_deref(), Some("like"));
    assert_eq!(change.action, Some(b24_imbot::ReactionAction::Add));
    assert_eq!(change.message.as_ref().unwrap().id, own);
}

#[tokio::test]
async fn commands_with_params_give_one_event_each_and_common_commands_work_in_other_chats() {
    let emu = emulator(false).await;
    let client = client(&emu);
    let bot = register(&client, fields("helper")).await;
    let help = bot
        .call(&CommandRegisterRequest::new(
            CommandRegisterFields::new("/help").common(true),
        ))
        .await
        .unwrap()
        .result
        .command
        .unwrap();
    assert_eq!(help.command.as_deref(), Some("/help"));
    bot.call(&CommandRegisterRequest::new(CommandRegisterFields::new(
        "status",
    )))
    .await
    .unwrap();

    // User 2 writes two command lines to the bot.
    let answer = as_user(
        &emu,
        2,
        "im.message.add",
        json!({"DIALOG_ID": bot.id().to_string(), "MESSAGE": "/help billing\n/status"}),
    )
    .await;
    assert!(answer["result"].is_u64(), "{answer}");

    let mut offset = 0;
    let events = fetch(&bot, &mut offset).await;
    let commands: Vec<(String, String, u64)> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::CommandAdd(data) => {
                let call = data.command.as_ref().unwrap();
                Some((
                    call.command.clone().unwrap(),
                    call.params.clone().unwrap(),
                    data.user.as_ref().unwrap().id,
                ))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        commands,
        vec![
            ("/help".to_owned(), "billing".to_owned(), 2),
            ("/status".to_owned(), String::new(), 2)
        ]
    );
    // The message itself too (a private chat with the bot).
    assert!(
        events
            .iter()
            .any(|(_, e)| matches!(e, Event::MessageAdd(_)))
    );

    // In a group chat (chat1, where user 1 is), the bot hears nothing until it is a member
    // and mentioned; a common command works everywhere.
    as_user(
        &emu,
        1,
        "im.message.add",
        json!({"DIALOG_ID": "chat1", "MESSAGE": "hello all"}),
    )
    .await;
    as_user(
        &emu,
        1,
        "im.message.add",
        json!({"DIALOG_ID": "chat1", "MESSAGE": "/help x"}),
    )
    .await;
    let events = fetch(&bot, &mut offset).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        matches!(&events[0].1, Event::CommandAdd(d) if d.command.as_ref().unwrap().params.as_deref() == Some("x"))
    );
}

/// A one-shot HTTP receiver: each POST's content type and body go to the channel.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(String, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bot-hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then the body of Content-Length bytes.
            let (head_end, length, content_type) = loop {
                let n = stream.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                raw.extend_from_slice(&buf[..n]);
                if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&raw[..i]).to_lowercase();
                    let header = |name: &str| {
                        head.lines()
                            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
                            .unwrap_or_default()
                    };
                    break (
                        i + 4,
                        header("content-length:").parse::<usize>().unwrap_or(0),
                        header("content-type:"),
                    );
                }
            };
            while raw.len() < head_end + length {
                let n = stream.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
            let _ = tx.send((content_type, raw[head_end..].to_vec()));
        }
    });
    (url, rx)
}

async fn next_delivery(
    rx: &mut mpsc::UnboundedReceiver<(String, Vec<u8>)>,
) -> (String, Delivery<Event>) {
    let (content_type, body) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a webhook POST within 5 s")
        .unwrap();
    let delivery = Delivery::<Event>::from_webhook(Some(&content_type), &body).unwrap();
    (content_type, delivery)
}

async fn webhook_bot_scenario(json_bodies: bool) {
    let emu = emulator(json_bodies).await;
    let client = client(&emu);
    let (url, mut rx) = receiver().await;
    let bot = register(
        &client,
        fields("hooked")
            .event_mode(EventMode::Webhook)
            .webhook_url(url),
    )
    .await;
    as_user(
        &emu,
        3,
        "im.message.add",
        json!({"DIALOG_ID": bot.id(), "MESSAGE": "hi there"}),
    )
    .await;

    let (_, opened) = next_delivery(&mut rx).await;
    assert!(matches!(opened.event, Received::Known(Event::JoinChat(_))));
    let (content_type, delivery) = next_delivery(&mut rx).await;
    let expected = if json_bodies {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    assert_eq!(content_type, expected);
    // The top-level application token verifies the POST.
    let auth = delivery.auth.clone().unwrap();
    assert!(auth.verify(&format!("custom{TOKEN}")));
    let Received::Known(Event::MessageAdd(data)) = delivery.event else {
        panic!("expected a message")
    };
    assert_eq!(data.message.unwrap().text.as_deref(), Some("hi there"));
    assert_eq!(data.user.unwrap().id, 3);
    // Webhook deliveries carry the short bot object.
    let sent_bot = data.bot.unwrap();
    assert_eq!((sent_bot.id, sent_bot.event_mode), (bot.id(), None));

    // Unregistering sends the last event; after it, the bot hears nothing.
    bot.call(&BotUnregisterRequest::new()).await.unwrap();
    let (_, gone) = next_delivery(&mut rx).await;
    assert!(matches!(gone.event, Received::Known(Event::Delete(_))));
    as_user(
        &emu,
        3,
        "im.message.add",
        json!({"DIALOG_ID": bot.id(), "MESSAGE": "anyone?"}),
    )
    .await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err(),
        "no event after unregister"
    );
}

#[tokio::test]
async fn a_webhook_bot_gets_form_encoded_posts_and_none_after_unregister() {
    webhook_bot_scenario(false).await;
}

#[tokio::test]
async fn a_webhook_bot_gets_json_posts_with_the_flag() {
    webhook_bot_scenario(true).await;
}

#[tokio::test]
async fn bot_calls_need_the_owning_application() {
    let emu = emulator(false).await;
    let client = client(&emu);
    let bot = register(&client, fields("owned")).await;
    // Another application's token: the bot is not its own.
    let stranger = client.bot(bot.id(), "another-app-token");
    let err = stranger.call(&EventGetRequest::new()).await.unwrap_err();
    assert_eq!(err.code(), Some("BOT_OWNERSHIP_ERROR"));
    assert!(!err.to_string().contains("another-app-token"), "{err}");
    // And its code is taken for the other application.
    let taken = client
        .bot_app("another-app-token")
        .call(&BotRegisterRequest::new(BotRegisterFields::new(
            "owned",
            BotRegisterProperties::new("Mine"),
        )))
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("BOT_CODE_ALREADY_TAKEN"));
}
