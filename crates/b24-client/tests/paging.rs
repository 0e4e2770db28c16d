//! Paging by the spec's dialects, typed batches and the bulk read, over loopback HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use b24_client::{
    Batch, Bucket, BulkOptions, BulkPlan, Client, Error, PageMode, PageOptions, PagingError, Ref,
    RetryPolicy,
};
use b24_core::{DialogId, Method};
use b24_emulator::{Config, Emulator};
use b24_im::{DialogMessagesGetRequest, DialogUsersListErrorCode, DialogUsersListRequest};
use common::{Reply, Scripted};
use futures_util::{StreamExt as _, TryStreamExt as _};
use serde_json::json;

fn config(size: usize, hidden: f64) -> Config {
    Config {
        dialog_size: Some(size),
        hidden_members_pct: hidden,
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    }
}

fn client(emu: &Emulator) -> Client {
    common::webhook_client(emu)
}

fn visible(emu: &Emulator) -> BTreeSet<u64> {
    emu.with_portal(|p| {
        p.chat(1)
            .unwrap()
            .members
            .iter()
            .filter_map(|r| p.user(r.user_id))
            .filter(|u| u.active && !u.hidden)
            .map(|u| u.id)
            .collect()
    })
}

fn users() -> DialogUsersListRequest {
    DialogUsersListRequest::new(DialogId::Chat(1))
}

#[tokio::test]
async fn offset_pages_with_short_overlapping_windows_yield_each_item_once() {
    let emu = Emulator::start(config(600, 25.0)).await.unwrap();
    let c = client(&emu);
    let pages: Vec<_> = c
        .pages(users(), PageOptions::default().page_size(100))
        .try_collect()
        .await
        .unwrap();
    assert!(
        pages.len() > 750 / 100,
        "short pages: {} pages",
        pages.len()
    );
    assert!(pages.iter().all(|p| p.total == Some(750)));
    let items: Vec<_> = c
        .collect_all(users(), PageOptions::default().page_size(100))
        .await
        .unwrap();
    let ids: Vec<u64> = items.iter().map(|u| u.id).collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "each item exactly once");
    assert_eq!(unique, visible(&emu), "every visible member");
}

#[tokio::test]
async fn keyset_pages_walk_ids_upwards() {
    let emu = Emulator::start(config(450, 10.0)).await.unwrap();
    let c = client(&emu);
    let items = c
        .collect_all(
            users(),
            PageOptions::default().mode(PageMode::Keyset("LAST_ID")),
        )
        .await
        .unwrap();
    let ids: Vec<u64> = items.iter().map(|u| u.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "ascending, no repeats");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), visible(&emu));
}

#[tokio::test]
async fn message_cursors_walk_down_from_the_newest() {
    let emu = Emulator::start(config(30, 0.0)).await.unwrap();
    let c = client(&emu);
    let request = DialogMessagesGetRequest::new().dialog_id(DialogId::Chat(1));
    let messages = c
        .collect_all(request, PageOptions::default().page_size(5))
        .await
        .unwrap();
    let ids: Vec<u64> = messages.iter().map(|m| m.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let stored = emu.with_portal(|p| p.messages.iter().filter(|m| m.chat_id == 1).count());
    assert_eq!(ids.len(), stored);
}

#[tokio::test]
async fn max_pages_and_cancellation_by_dropping() {
    let emu = Emulator::start(config(500, 0.0)).await.unwrap();
    let c = client(&emu);
    let pages: Vec<_> = c
        .pages(users(), PageOptions::default().page_size(50).max_pages(3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    emu.reset();
    let first = Box::pin(c.items(users(), PageOptions::default().page_size(50)))
        .next()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.id, 1);
    assert_eq!(
        emu.stats().requests,
        1,
        "dropping the stream stops the walk"
    );
}

/// A client without limits for a scripted server.
fn unlimited(server: &Scripted) -> Client {
    Client::builder()
        .webhook(&server.webhook("code"))
        .unwrap()
        .unlimited()
        .build()
        .unwrap()
}

fn user(id: u64) -> serde_json::Value {
    let mut u: serde_json::Value = serde_json::from_str(include_str!(
        "../../../spec/im/examples/dialog.users.list.json"
    ))
    .unwrap();
    let mut one = u["result"][0].take();
    one["id"] = json!(id);
    one
}

#[tokio::test]
async fn a_next_that_does_not_advance_stops_with_an_error() {
    let stuck = Reply::json(200, json!({"result": [user(1)], "next": 0, "total": 9}));
    let server = Scripted::start(vec![], stuck).await;
    let c = unlimited(&server);
    let err = c
        .collect_all(users(), PageOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Paging(PagingError::NextDoesNotAdvance { offset: 0, next: 0 })
        ),
        "{err:?}"
    );
    assert_eq!(server.script.received().len(), 1, "no loop");

    let same_page = Reply::json(200, json!({"result": [user(5)]}));
    let server = Scripted::start(vec![], same_page).await;
    let c = unlimited(&server);
    let err = c
        .collect_all(
            users(),
            PageOptions::default().mode(PageMode::Keyset("LAST_ID")),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Paging(_)), "{err:?}");
    assert_eq!(server.script.received().len(), 2);
}

#[tokio::test]
async fn an_empty_page_ends_the_walk() {
    // Its window (offset 2, 200 rows) covers what `total` says remains.
    let server = Scripted::start(
        vec![Reply::json(
            200,
            json!({"result": [user(1), user(2)], "next": 2, "total": 10}),
        )],
        Reply::json(200, json!({"result": [], "next": 4, "total": 10})),
    )
    .await;
    let c = unlimited(&server);
    assert_eq!(
        c.collect_all(users(), PageOptions::default())
            .await
            .unwrap()
            .len(),
        2
    );
    let sent = server.script.received();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].body.contains("\"OFFSET\":2"), "{}", sent[1].body);
    assert!(
        sent[0].body.contains("\"LIMIT\":200"),
        "the largest page the spec allows"
    );
}

#[tokio::test]
async fn typed_batch_keeps_errors_against_their_handles_and_splits_over_50() {
    let emu = Emulator::start(config(100, 0.0)).await.unwrap();
    let c = client(&emu);
    let mut batch = Batch::new();
    let first = batch.add(&users().limit(2)).unwrap();
    let bad = batch
        .add(&DialogUsersListRequest::new(DialogId::Chat(5)))
        .unwrap();
    let next = batch
        .add_with(
            &users().limit(2),
            [("LAST_ID", Ref::result(&first).index(1).field("id"))],
        )
        .unwrap();
    let counters = batch.add(&b24_im::CountersGetRequest::new()).unwrap();
    let mut handles = Vec::new();
    for i in 0..117 {
        handles.push(batch.add(&users().limit(1).offset(i)).unwrap());
    }
    let results = c.batch(batch).await.unwrap();
    let page = results.get(&first).unwrap();
    assert_eq!(
        (page.result.len(), page.total, page.next),
        (2, Some(100), Some(2))
    );
    match results.get(&bad) {
        Err(Error::Api(e)) => assert_eq!(e.code, DialogUsersListErrorCode::AccessError),
        other => panic!("{other:?}"),
    }
    let after = results.get(&next).unwrap();
    assert!(
        after.result[0].id > page.result[1].id,
        "a $result reference between commands"
    );
    assert!(results.get(&counters).is_ok());
    for (i, h) in handles.iter().enumerate() {
        assert_eq!(
            results.get(h).unwrap().result.len(),
            usize::from(i < 100),
            "command {i}: offset {i} of 100 members"
        );
    }
    let stats = emu.stats();
    assert_eq!(
        stats.by_method.get("batch"),
        Some(&3),
        "121 commands: 3 batch requests"
    );
    assert_eq!(stats.batched_commands, 121);
}

#[tokio::test]
async fn halt_marks_later_commands_not_run_and_forbidden_methods_are_refused() {
    let emu = Emulator::start(config(10, 0.0)).await.unwrap();
    let mut batch = Batch::new().halt(true);
    let bad = batch
        .add(&DialogUsersListRequest::new(DialogId::Chat(5)))
        .unwrap();
    let later = batch.add(&users()).unwrap();
    let results = client(&emu).batch(batch).await.unwrap();
    assert!(matches!(results.get(&bad), Err(Error::Api(_))));
    assert!(matches!(
        results.get(&later),
        Err(Error::NotRun {
            reason: b24_client::NotRunReason::Halted,
            ..
        })
    ));

    #[derive(Debug, serde::Serialize)]
    struct Upload;
    impl Method for Upload {
        const INFO: &'static b24_core::MethodInfo = &b24_core::MethodInfo {
            name: "im.v2.File.upload",
            scope: "im",
            summary: "",
            docs_url: "",
            read_only: false,
            batch: false,
            pagination: b24_core::Pagination::NONE,
            one_of_params: &[],
        };
        type Output = serde_json::Value;
        type ErrorCode = b24_core::RawErrorCode;
        fn decode_result<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self::Output, D::Error> {
            serde::Deserialize::deserialize(d)
        }
        fn encode_result<S: serde::Serializer>(v: &Self::Output, s: S) -> Result<S::Ok, S::Error> {
            serde::Serialize::serialize(v, s)
        }
    }
    let err = Batch::new().add(&Upload).unwrap_err();
    assert!(
        matches!(
            err,
            b24_client::ConfigError::NotInBatch("im.v2.File.upload")
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "im.v2.File.upload may not be called inside batch"
    );
}

#[tokio::test]
async fn bulk_read_returns_every_visible_member_once_in_order() {
    let emu = Emulator::start(config(2_000, 10.0)).await.unwrap();
    let c = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .bucket(Bucket::STANDARD)
        .build()
        .unwrap();
    let plan = std::sync::Arc::new(std::sync::Mutex::new(BulkPlan::default()));
    let seen_plan = plan.clone();
    let items: Vec<_> = c
        .bulk_planned(users(), BulkOptions::default(), move |p| {
            *seen_plan.lock().unwrap() = p
        })
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<u64> = items.iter().map(|u| u.id).collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len());
    assert_eq!(unique, visible(&emu));
    // In join order, as the sequential walk gives it.
    let sequential: Vec<u64> = c
        .collect_all(users(), PageOptions::default())
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids, sequential);
    let plan = plan.lock().unwrap().clone();
    assert_eq!((plan.total, plan.pages), (2_200, 10));
    assert!(plan.parallel > 1, "{plan:?}");
    let stats = emu.stats();
    assert_eq!(
        stats.by_method.get("batch").copied().unwrap_or(0) as usize,
        plan.requests
    );
    assert_eq!(stats.by_status.get("503"), None);
}

#[tokio::test]
async fn bulk_read_under_a_tight_bucket_packs_pages_and_never_meets_a_503() {
    let emu = Emulator::start(Config {
        bucket: "5/1".parse().unwrap(),
        ..config(3_000, 0.0)
    })
    .await
    .unwrap();
    let c = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .bucket("5/1".parse().unwrap())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let count = c
        .bulk(users(), BulkOptions::default())
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, 3_000);
    let stats = emu.stats();
    assert_eq!(stats.by_status.get("503"), None);
    assert!(stats.requests <= 4, "{} requests", stats.requests);
}

#[tokio::test]
async fn bulk_falls_back_to_paging_when_pages_cannot_be_planned() {
    let emu = Emulator::start(config(10, 0.0)).await.unwrap();
    let messages: Vec<_> = client(&emu)
        .bulk(
            DialogMessagesGetRequest::new().dialog_id(DialogId::Chat(1)),
            BulkOptions::default(),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(!messages.is_empty());
}

#[tokio::test]
async fn bulk_decodes_batches_into_the_generated_types_and_names_the_path_of_a_bad_field() {
    // First page: 2 of 6; then one batch with the pages at offsets 2 and 4. The server's `result`
    // of a batch is keyed by label; a user that does not fit is left out (and logged), and a
    // page of the wrong type is reported with its path.
    let mut bad = user(4);
    bad["last_activity_date"] = json!(17);
    let batch = |p1: serde_json::Value| {
        Reply::json(
            200,
            json!({"result": {
                "result": {"p00": [user(3), user(4)], "p01": p1},
                "result_error": [], "result_total": {"p00": 6, "p01": 6},
                "result_next": {"p00": 4}, "result_time": {}
            }}),
        )
    };
    let first = || {
        Reply::json(
            200,
            json!({"result": [user(1), user(2)], "next": 2, "total": 6}),
        )
    };
    for (p1, expect) in [
        (json!([user(5), user(6)]), Ok(vec![1, 2, 3, 4, 5, 6])),
        (json!([user(5), bad]), Ok(vec![1, 2, 3, 4, 5])),
        (json!("users"), Err("result.result.p01")),
    ] {
        let server = Scripted::start(vec![first()], batch(p1)).await;
        let c = unlimited(&server);
        let got: Result<Vec<_>, _> = c
            .bulk(users(), BulkOptions::default().page_size(2).max_parallel(1))
            .map_ok(|u| u.id)
            .try_collect()
            .await;
        match (got, expect) {
            (Ok(ids), Ok(want)) => assert_eq!(ids, want),
            (Err(Error::Decode { error, .. }), Err(path)) => {
                assert_eq!(error.path, path, "{error}")
            }
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
        let sent = server.script.received();
        assert_eq!(sent.len(), 2, "one batch carries both pages");
        assert!(sent[1].path.contains("/batch"), "{}", sent[1].path);
    }
}

#[tokio::test]
async fn continuation_pages_send_back_next_offset_and_acknowledge_what_was_read() {
    use b24_im::{MessageAddRequest, V2EventGetRequest, V2EventSubscribeRequest};
    let emu = Emulator::start(config(20, 0.0)).await.unwrap();
    let c = client(&emu);
    assert!(
        c.call(&V2EventSubscribeRequest::new())
            .await
            .unwrap()
            .result
    );
    for i in 0..5 {
        let hello = MessageAddRequest::new()
            .dialog_id(DialogId::Chat(1))
            .message(format!("event {i}"));
        c.call(&hello).await.unwrap();
    }
    let before = emu.stats().requests;
    let events: Vec<_> = c
        .items(
            V2EventGetRequest::new(),
            PageOptions::default().page_size(2),
        )
        .try_collect()
        .await
        .unwrap();
    let texts: Vec<_> = events
        .iter()
        .map(|e| e.data["message"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        texts,
        ["event 0", "event 1", "event 2", "event 3", "event 4"]
    );
    assert!(events.windows(2).all(|w| w[0].event_id < w[1].event_id));
    // Pages of 2, 2, 1: the third says `hasMore: false` and ends the walk.
    assert_eq!(emu.stats().requests - before, 3);
    let sent = emu.with_portal(|p| p.events.len());
    assert_eq!(
        sent, 1,
        "the first two pages were acknowledged by the offsets sent after them"
    );

    // A walk resumes from a stored value: the request goes as given first.
    let rest: Vec<_> = c
        .items(
            V2EventGetRequest::new().offset(events[4].event_id + 1),
            PageOptions::default(),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(emu.with_portal(|p| p.events.len()), 0);
}

#[tokio::test]
async fn a_continuation_that_does_not_advance_stops_with_an_error() {
    use b24_im::V2EventGetRequest;
    let event = json!({"eventId": 7, "type": "ONIMV2MESSAGEADD", "date": "2025-01-15T10:30:00+02:00", "data": {}});
    let page = Reply::json(
        200,
        json!({"result": {"events": [event], "nextOffset": 8, "hasMore": true}}),
    );
    let server = Scripted::start(vec![], page).await;
    let err = unlimited(&server)
        .collect_all(V2EventGetRequest::new(), PageOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Paging(PagingError::ContinuationDoesNotAdvance {
                sent: Some(8),
                next: 8
            })
        ),
        "{err:?}"
    );
    let sent = server.script.received();
    assert_eq!(sent.len(), 2, "no loop");
    assert!(
        sent[0].body.contains("\"limit\":1000") && !sent[0].body.contains("offset"),
        "{}",
        sent[0].body
    );
    assert!(sent[1].body.contains("\"offset\":8"), "{}", sent[1].body);
}
