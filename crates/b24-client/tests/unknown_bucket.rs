//! A bucket the client does not know must not fail a read: told nothing, the client starts small
//! and grows; told wrong, it shrinks on `QUERY_LIMIT_EXCEEDED`, backs off, retries, and finishes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use b24_client::{Bucket, BulkOptions, Client};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::DialogUsersListRequest;
use futures_util::TryStreamExt as _;

async fn small_portal(members: usize) -> Emulator {
    // Each emulator has its own port, so clients of different tests share no bucket.
    Emulator::start(Config {
        dialog_size: Some(members),
        bucket: "5/1".parse().unwrap(),
        ..Config::default()
    })
    .await
    .unwrap()
}

async fn read_all(client: &Client) -> Vec<u64> {
    client
        .bulk(
            DialogUsersListRequest::new(DialogId::Chat(1)),
            BulkOptions::default(),
        )
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap()
}

fn rejected(emu: &Emulator) -> u64 {
    emu.stats().by_status.get("503").copied().unwrap_or(0)
}

#[tokio::test]
async fn an_untold_bucket_is_found_with_a_handful_of_503s_at_most() {
    let emu = small_portal(5_000).await;
    let client = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .build()
        .unwrap();
    let ids = read_all(&client).await;
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!((ids.len(), unique.len()), (5_000, 5_000), "every id once");
    let rejected = rejected(&emu);
    println!("untold bucket: {rejected} responses were 503");
    assert!(rejected <= 5, "{rejected} 503s");
}

#[tokio::test]
async fn a_wrong_bucket_shrinks_on_503_and_the_read_finishes() {
    let emu = small_portal(2_000).await;
    let client = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .bucket(Bucket::STANDARD)
        .build()
        .unwrap();
    let ids = read_all(&client).await;
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!((ids.len(), unique.len()), (2_000, 2_000), "every id once");
    let rejected = rejected(&emu);
    println!("wrong bucket (50/2 against 5/1): {rejected} responses were 503");
    // The first burst (the plan's parallel requests) meets the full bucket: 9 pages after the
    // first, 5 slots; after that the estimate has shrunk.
    assert!(rejected <= 9, "{rejected} 503s");
}
