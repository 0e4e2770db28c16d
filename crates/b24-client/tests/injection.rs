//! Batch parameter injection: hostile text travels through `call`, `batch` and the bulk reader
//! to the emulator over HTTP, and arrives exactly as sent, where it was sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use b24_client::{Batch, BulkOptions, Client, PageOptions};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::{DialogUsersListRequest, ExternalUserType, MessageAddRequest};
use futures_util::TryStreamExt as _;

/// Text that must arrive as typed: query syntax, `$result` look-alikes, escapes, unicode.
const HOSTILE: &[&str] = &[
    "$result[x]&DIALOG_ID=chat2&MESSAGE=hi",
    "$result[x]&MESSAGE=owned",
    "$result[c0][0][name]",
    "$result[c0]",
    "see $RESULT[c1][0] and $total[c0]",
    "$next[c0]x",
    "a&b",
    "key=value",
    "100%",
    "50%25 off",
    "%24result%5Bc0%5D",
    "[x]",
    "]",
    "[",
    "#fragment",
    "?query=1",
    "a+b c",
    "ünïcødé ✓ 🎉",
    "line one\nline two",
    "tab\there",
    "\"quoted\" 'single' `back`",
    "back\\slash",
    "semi;colon,comma",
    "&&==",
];

async fn emulator(config: Config) -> Emulator {
    Emulator::start(Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..config
    })
    .await
    .unwrap()
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .unlimited()
        .build()
        .unwrap()
}

/// Messages stored after the first `since`, as (chat, text).
fn stored_since(emu: &Emulator, since: usize) -> Vec<(u64, String)> {
    emu.with_portal(|p| {
        p.messages
            .iter()
            .skip(since)
            .map(|m| (m.chat_id, m.text.clone()))
            .collect()
    })
}

fn message_count(emu: &Emulator) -> usize {
    emu.with_portal(|p| p.messages.len())
}

fn to_chat1(text: &str) -> MessageAddRequest {
    MessageAddRequest::new()
        .dialog_id(DialogId::Chat(1))
        .message(text)
}

fn expected() -> Vec<(u64, String)> {
    HOSTILE.iter().map(|t| (1, (*t).to_owned())).collect()
}

#[tokio::test]
async fn hostile_text_arrives_intact_through_call() {
    let emu = emulator(Config::default()).await;
    let c = client(&emu);
    let before = message_count(&emu);
    for text in HOSTILE {
        c.call(&to_chat1(text)).await.unwrap();
    }
    assert_eq!(stored_since(&emu, before), expected());
}

#[tokio::test]
async fn hostile_text_arrives_intact_through_batch() {
    let emu = emulator(Config::default()).await;
    let c = client(&emu);
    let before = message_count(&emu);
    let mut batch = Batch::new();
    let handles: Vec<_> = HOSTILE
        .iter()
        .map(|text| batch.add(&to_chat1(text)).unwrap())
        .collect();
    let results = c.batch(batch).await.unwrap();
    for (handle, text) in handles.iter().zip(HOSTILE) {
        let id = results.get(handle).unwrap().result;
        let stored = emu.with_portal(|p| p.messages.iter().find(|m| m.id == id).cloned());
        let stored = stored.unwrap();
        assert_eq!((stored.chat_id, stored.text.as_str()), (1, *text));
    }
    assert_eq!(
        stored_since(&emu, before),
        expected(),
        "every text, in order, in chat1 only"
    );
}

#[tokio::test]
async fn hostile_text_arrives_intact_through_a_split_batch() {
    // More than 50 commands: several `batch` requests.
    let emu = emulator(Config::default()).await;
    let c = client(&emu);
    let before = message_count(&emu);
    let mut batch = Batch::new();
    let texts: Vec<&str> = HOSTILE.iter().cycle().take(130).copied().collect();
    for text in &texts {
        batch.add(&to_chat1(text)).unwrap();
    }
    let results = c.batch(batch).await.unwrap();
    assert_eq!(results.succeeded(), texts.len());
    let stored = stored_since(&emu, before);
    let want: Vec<(u64, String)> = texts.iter().map(|t| (1, (*t).to_owned())).collect();
    assert_eq!(stored, want);
}

#[tokio::test]
async fn hostile_parameters_reach_every_page_of_a_bulk_read() {
    let emu = emulator(Config {
        dialog_size: Some(485),
        ..Config::default()
    })
    .await;
    let c = client(&emu);
    for text in ["$result[x]&OFFSET=0", "bot&OFFSET=0", "$result[c0][0][id]"] {
        let request = DialogUsersListRequest::new(DialogId::Chat(1))
            .skip_external_except_types(vec![ExternalUserType::from(text)]);
        // One request per page, no batch: the reference answer.
        let direct: Vec<u64> = c
            .items(request.clone(), PageOptions::default())
            .map_ok(|u| u.id)
            .try_collect()
            .await
            .unwrap();
        let bulk: Vec<u64> = c
            .bulk(request, BulkOptions::default())
            .map_ok(|u| u.id)
            .try_collect()
            .await
            .unwrap();
        let unique: BTreeSet<u64> = bulk.iter().copied().collect();
        assert_eq!(unique.len(), bulk.len(), "{text}: each member once");
        assert_eq!(
            unique,
            direct.iter().copied().collect::<BTreeSet<u64>>(),
            "{text}: the bulk read returns every member"
        );
        assert!(direct.len() > 400, "{text}: {} members", direct.len());
    }
}

#[tokio::test]
async fn references_are_typed_values_resolved_by_the_server_or_the_client() {
    use b24_client::{ConfigError, Error, NotRunReason, Ref};
    let emu = emulator(Config {
        dialog_size: Some(30),
        ..Config::default()
    })
    .await;
    let c = client(&emu);
    let first_name = |c: &Client| {
        let c = c.clone();
        async move {
            c.call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
                .await
                .unwrap()
                .result[0]
                .name
                .clone()
                .expect("the emulator's users have names")
        }
    };
    let name = first_name(&c).await;
    let before = message_count(&emu);

    let mut batch = Batch::new();
    let members = batch
        .add(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
        .unwrap();
    let name_ref = Ref::result(&members).index(0).field("name");
    assert_eq!(name_ref.to_string(), "$result[c000000][0][name]");
    // Substituted by the server: same `batch` request.
    let same = batch
        .add_with(&to_chat1("placeholder"), [("MESSAGE", name_ref.clone())])
        .unwrap();
    // Sent on its own (its uuid looks like a reference): substituted by the client.
    let alone = batch
        .add_with(
            &to_chat1("placeholder").template_id("$result[c000000][0][id]"),
            [("MESSAGE", name_ref.clone())],
        )
        .unwrap();
    // Past the first 50 commands: substituted by the client.
    for i in 0..60 {
        batch.add(&to_chat1(&format!("filler {i}"))).unwrap();
    }
    let later = batch
        .add_with(&to_chat1("placeholder"), [("MESSAGE", name_ref.clone())])
        .unwrap();
    let failing = batch
        .add(&DialogUsersListRequest::new(DialogId::Chat(5)))
        .unwrap();
    // Sent on its own, so the client substitutes: the failed command has no result. (Inside
    // one request the server would substitute whatever it finds; `halt` stops there instead.)
    let orphan = batch
        .add_with(
            &to_chat1("placeholder").template_id("$total[x]"),
            [("MESSAGE", Ref::result(&failing).index(0).field("name"))],
        )
        .unwrap();
    let missing = batch
        .add_with(
            &to_chat1("placeholder"),
            [("MESSAGE", Ref::result(&members).index(7).field("name"))],
        )
        .unwrap();

    // References are checked when added.
    let other = Batch::new().add(&to_chat1("x")).unwrap();
    for (reference, why) in [
        (Ref::result(&other), "another batch"),
        (Ref::result(&members).field("a]b"), "bracket in a segment"),
        (Ref::result(&members).field("a b"), "space in a segment"),
        (Ref::result(&members).field(""), "empty segment"),
    ] {
        assert!(
            matches!(
                batch.add_with(&to_chat1("x"), [("MESSAGE", reference)]),
                Err(ConfigError::BadReference { .. })
            ),
            "{why}"
        );
    }
    let len = batch.len();
    let mut copy = batch.clone();
    let ahead = copy.add(&to_chat1("y")).unwrap();
    assert!(
        matches!(
            batch.add_with(&to_chat1("x"), [("MESSAGE", Ref::result(&ahead))]),
            Err(ConfigError::BadReference { .. })
        ),
        "a command that is not before this one"
    );
    assert_eq!(batch.len(), len, "refused commands are not added");

    let results = c.batch(batch).await.unwrap();
    let text_of = |id: u64| {
        emu.with_portal(|p| {
            p.messages
                .iter()
                .find(|m| m.id == id)
                .map(|m| m.text.clone())
        })
        .unwrap()
    };
    for handle in [&same, &alone, &later] {
        assert_eq!(text_of(results.get(handle).unwrap().result), name);
    }
    let uuid = emu.with_portal(|p| {
        p.messages
            .iter()
            .find(|m| m.text == name && m.uuid.is_some())
            .and_then(|m| m.uuid.clone())
    });
    assert_eq!(uuid.as_deref(), Some("$result[c000000][0][id]"));
    for handle in [&orphan, &missing] {
        match results.get(handle) {
            Err(Error::NotRun {
                reason: NotRunReason::UnresolvedReference { param, .. },
                ..
            }) => assert_eq!(param, "MESSAGE"),
            other => panic!("{other:?}"),
        }
    }
    assert!(results.get(&other).is_err(), "a handle of another batch");
    let stored = stored_since(&emu, before);
    assert_eq!(
        stored.len(),
        63,
        "3 by reference and 60 fillers: {stored:?}"
    );
    assert!(stored.iter().all(|(chat, _)| *chat == 1));
}
