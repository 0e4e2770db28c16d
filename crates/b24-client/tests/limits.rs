//! The client keeps under the portal's limits: its bucket matches the server's, shared by every
//! clone and task, and its governor holds a method near its operating-time budget.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use b24_client::{BoxFuture, Bucket, Client, GovernorConfig, RateLimiter, RetryPolicy};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::DialogUsersListRequest;

fn read() -> DialogUsersListRequest {
    DialogUsersListRequest::new(DialogId::Chat(1)).limit(1)
}

#[tokio::test]
async fn clones_and_tasks_share_one_bucket_so_the_server_never_refuses() {
    // A fast bucket keeps the test short: 5 burst, 20 per second, on both sides (the slot of
    // headroom covers 50 ms of jitter on a loaded machine).
    let emu = Emulator::start(Config {
        bucket: "5/20".parse().unwrap(),
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
        .bucket(Bucket::new(5.0, 20.0))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    c.call(&read()).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // A second client of the same portal shares the bucket too.
    let other = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .bucket(Bucket::new(5.0, 20.0))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(Arc::ptr_eq(client.limiter(), other.limiter()));
    let stats = emu.stats();
    assert_eq!(stats.by_status.get("200"), Some(&40));
    assert_eq!(
        stats.by_status.get("503"),
        None,
        "no QUERY_LIMIT_EXCEEDED at the server"
    );
}

#[derive(Debug, Default)]
struct Counting(AtomicUsize, AtomicUsize);

impl RateLimiter for Counting {
    fn acquire(&self) -> BoxFuture<'_, Result<(), b24_client::LimitError>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(())))
    }
    fn on_rejected(&self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_custom_limiter_plugs_in_and_hears_about_rejections() {
    let emu = Emulator::start(Config {
        bucket: "2/0.5".parse().unwrap(),
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let limiter = Arc::new(Counting::default());
    let client = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .limiter(limiter.clone())
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    for _ in 0..2 {
        client.call(&read()).await.unwrap();
    }
    let err = client.call(&read()).await.unwrap_err();
    assert_eq!(err.code(), Some("QUERY_LIMIT_EXCEEDED"));
    assert_eq!(
        limiter.0.load(Ordering::SeqCst),
        4,
        "every attempt asks the limiter"
    );
    assert_eq!(
        limiter.1.load(Ordering::SeqCst),
        2,
        "each 503 is reported to it"
    );
}

fn operating_emulator(limit_ms: u64) -> Config {
    Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 100.0,
            per_row_ms: 0.0,
        },
        operating_limit: Duration::from_millis(limit_ms),
        operating_min: Duration::ZERO,
        operating_window: Duration::from_secs(2),
        ..Config::default()
    }
}

#[tokio::test]
async fn the_governor_holds_a_method_instead_of_running_into_429() {
    let emu = Emulator::start(operating_emulator(400)).await.unwrap();
    let client = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .unlimited()
        .governor(GovernorConfig::default().limit(Duration::from_millis(400)))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..8 {
        client.call(&read()).await.unwrap();
    }
    let stats = emu.stats();
    assert_eq!(
        stats.by_status.get("429"),
        None,
        "never ran into OPERATION_TIME_LIMIT"
    );
    assert_eq!(stats.by_status.get("200"), Some(&8));
}

#[tokio::test]
async fn after_a_429_it_waits_for_the_reset_and_retries() {
    let emu = Emulator::start(operating_emulator(150)).await.unwrap();
    // This client believes the limit is far away, so it meets the 429.
    let client = Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .unlimited()
        .retry(RetryPolicy::default().max_attempts(3))
        .governor(GovernorConfig::default().fallback_hold(Duration::from_secs(3)))
        .build()
        .unwrap();
    for _ in 0..3 {
        client.call(&read()).await.unwrap();
    }
    let stats = emu.stats();
    assert_eq!(
        stats.by_status.get("429"),
        Some(&1),
        "one 429, then a wait for the reset"
    );
    assert_eq!(stats.by_status.get("200"), Some(&3));
}
