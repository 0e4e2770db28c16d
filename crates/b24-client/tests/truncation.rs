//! No silent truncation: a walk never ends early without an error. Windows whose every row the
//! access filter hides are stepped past, and a missing or negative `total` is never read as 0.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use b24_client::{BulkOptions, Client, PageOptions};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::DialogUsersListRequest;
use common::{Reply, Scripted};
use futures_util::TryStreamExt as _;
use serde_json::json;

fn users() -> DialogUsersListRequest {
    DialogUsersListRequest::new(DialogId::Chat(1))
}

/// chat1 with 600 visible members and 400 hidden ones laid out in whole windows of `window`
/// rows: hidden, visible, hidden, hidden, then the rest visible, the rest hidden last.
async fn hidden_windows(window: usize) -> (Emulator, BTreeSet<u64>) {
    let emu = Emulator::start(Config {
        dialog_size: Some(600),
        hidden_members_pct: 400.0 / 6.0,
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let visible = emu.with_portal(|p| {
        let chat = p.chat(1).unwrap();
        let of = |f: &dyn Fn(&b24_emulator::portal::User) -> bool| -> Vec<u64> {
            chat.members
                .iter()
                .filter_map(|r| p.user(r.user_id))
                .filter(|u| f(u))
                .map(|u| u.id)
                .collect()
        };
        let mut visible = of(&|u| u.active && !u.hidden).into_iter();
        let mut hidden = of(&|u| u.active && u.hidden).into_iter();
        let inactive = of(&|u| !u.active);
        let seen: BTreeSet<u64> = visible.clone().collect();
        let mut order: Vec<u64> = Vec::new();
        for hide in [true, false, true, true] {
            let source = if hide { &mut hidden } else { &mut visible };
            order.extend(source.by_ref().take(window));
        }
        order.extend(visible);
        order.extend(hidden);
        order.extend(inactive);
        let chat = p.chat_mut(1).unwrap();
        let old = std::mem::take(&mut chat.members);
        for (i, id) in order.iter().enumerate() {
            let mut relation = *old.iter().find(|r| r.user_id == *id).unwrap();
            relation.id = i as u64 + 1;
            chat.members.push(relation);
        }
        seen
    });
    (emu, visible)
}

fn client(base_webhook: &str) -> Client {
    Client::builder()
        .webhook(base_webhook)
        .unwrap()
        .unlimited()
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_page_stream_steps_past_windows_the_access_filter_emptied() {
    let (emu, visible) = hidden_windows(100).await;
    let c = client(&emu.webhook_url());
    for size in [100, 50] {
        let ids: Vec<u64> = c
            .items(users(), PageOptions::default().page_size(size))
            .map_ok(|u| u.id)
            .try_collect()
            .await
            .unwrap();
        let unique: BTreeSet<u64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "each member once");
        assert_eq!(unique, visible, "page size {size}: every visible member");
    }
}

#[tokio::test]
async fn the_bulk_read_returns_every_member_around_emptied_windows() {
    let (emu, visible) = hidden_windows(200).await;
    let c = client(&emu.webhook_url());
    let ids: BTreeSet<u64> = c
        .bulk(users(), BulkOptions::default())
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, visible);
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
async fn a_missing_or_negative_total_is_not_read_as_zero() {
    for total in [None, Some(-1)] {
        let page = |ids: &[u64], next: Option<u64>| {
            let mut body = json!({"result": ids.iter().map(|i| user(*i)).collect::<Vec<_>>()});
            if let Some(next) = next {
                body["next"] = json!(next);
            }
            if let Some(total) = total {
                body["total"] = json!(total);
            }
            Reply::json(200, body)
        };
        // Pages of 2: [1, 2], [3, 4], [5] and nothing said about the end, then an empty page.
        let server = Scripted::start(
            vec![
                page(&[1, 2], Some(2)),
                page(&[3, 4], Some(4)),
                page(&[5], None),
            ],
            page(&[], None),
        )
        .await;
        let c = client(&server.webhook("code"));
        let options = BulkOptions::default().page_size(2);
        let ids: Vec<u64> = c
            .bulk(users(), options)
            .map_ok(|u| u.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, vec![1, 2, 3, 4, 5], "total {total:?}");
        let offsets: Vec<String> = server
            .script
            .received()
            .iter()
            .map(|r| r.body.clone())
            .collect();
        assert_eq!(offsets.len(), 4, "read on to an empty page: {offsets:?}");
        assert!(offsets.iter().all(|b| !b.contains("batch")));
    }
}
