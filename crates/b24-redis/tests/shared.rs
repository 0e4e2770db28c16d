//! One process, several workers' worth of limiters, budgets and stores on a real
//! `redis-server`: what one learns the others know, nothing is booked twice, secrets stay out
//! of sight, and a Redis that goes away fails the limits closed (or falls back, if asked).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use b24_client::{
    AuthError, Bucket, Client, Error, GovernorConfig, OAuthApp, OAuthTokens, RateLimiter as _,
    RetryPolicy, TokenStore as _,
};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::DialogUsersListRequest;
use b24_redis::{Fallback, Redis};
use common::redis_server;
use secrecy::ExposeSecret as _;

const PORTAL: &str = "https://portal.example";

#[tokio::test(flavor = "multi_thread")]
async fn claims_from_many_workers_never_book_a_slot_twice() {
    let Some(server) = redis_server() else { return };
    let redis = Redis::connect(&server.url()).await.unwrap();
    let plan = Bucket::new(20.0, 1.0);
    let workers = [redis.limiter(PORTAL, plan), redis.limiter(PORTAL, plan)].map(Arc::new);
    let claims: Vec<_> = (0..40)
        .map(|i| {
            let worker = Arc::clone(&workers[i % 2]);
            tokio::spawn(async move { worker.claim(5.0, 2.0).await.unwrap().unwrap() })
        })
        .collect();
    let mut claimed = 0.0;
    for claim in claims {
        claimed += claim.await.unwrap();
    }
    // 19 slots (one kept as headroom), 2 left free: 17 to claim, once each.
    assert_eq!(claimed, 17.0);
    assert_eq!(workers[1].headroom().map(f64::round), Some(2.0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejection_seen_by_one_worker_slows_every_worker_and_admissions_win_it_back() {
    let Some(server) = redis_server() else { return };
    let redis = Redis::connect(&server.url()).await.unwrap();
    let (a, b) = (
        redis.limiter(PORTAL, Bucket::STANDARD),
        redis.limiter(PORTAL, Bucket::STANDARD),
    );
    assert_eq!(b.estimate().await.unwrap(), Bucket::new(49.0, 2.0));
    a.on_rejected();
    let mut estimate = b.estimate().await.unwrap();
    for _ in 0..100 {
        if estimate.per_second < 2.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        estimate = b.estimate().await.unwrap();
    }
    assert_eq!(estimate, Bucket::new(24.5, 1.0), "halved for every worker");
    for _ in 0..20 {
        b.on_admitted();
    }
    b.acquire().await.unwrap(); // carries the admissions
    let after = a.estimate().await.unwrap();
    assert!(after.per_second > 1.0 && after.burst > 24.5, "{after:?}");

    let untold = redis.limiter_untold("https://other.example", Bucket::STANDARD);
    assert_eq!(untold.estimate().await.unwrap().burst, 4.0, "starts small");
    for _ in 0..10 {
        untold.on_admitted();
    }
    untold.acquire().await.unwrap();
    let other = redis.limiter_untold("https://other.example", Bucket::STANDARD);
    assert_eq!(other.estimate().await.unwrap().burst, 14.0, "grown for all");
}

fn costly_emulator() -> Config {
    Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 400.0,
            per_row_ms: 0.0,
        },
        operating_limit: Duration::from_secs(1),
        operating_min: Duration::ZERO,
        ..Config::default()
    }
}

fn users() -> DialogUsersListRequest {
    DialogUsersListRequest::new(DialogId::Chat(1)).limit(1)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operating_time_one_worker_used_holds_the_method_for_the_others() {
    let Some(server) = redis_server() else { return };
    let emu = Emulator::start(costly_emulator()).await.unwrap();
    let redis = Redis::connect(&server.url()).await.unwrap();
    let config = GovernorConfig::default().limit(Duration::from_secs(1));
    let worker = |shared: bool| {
        let builder = Client::builder()
            .webhook(&emu.webhook_url())
            .unwrap()
            .unlimited()
            .governor(config);
        let builder = if shared {
            builder.governor_store(Arc::new(redis.budget(&emu.base_url(), "webhook:1")))
        } else {
            builder
        };
        builder.build().unwrap()
    };
    let busy = worker(true);
    for _ in 0..3 {
        busy.call(&users()).await.unwrap();
    }
    let now = SystemTime::now();
    let method = "im.dialog.users.list";
    let held = worker(true).governor().delay(method, now).await.unwrap();
    assert!(
        held > Duration::from_secs(1),
        "held until the reset: {held:?}"
    );
    let alone = worker(false).governor().delay(method, now).await.unwrap();
    assert_eq!(alone, Duration::ZERO, "a private budget knows nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pair_round_trips_with_its_absolute_expiry() {
    let Some(server) = redis_server() else { return };
    let redis = Redis::connect(&server.url()).await.unwrap();
    let store = redis.token_store("portal.example:app");
    assert!(store.load().await.unwrap().is_none());
    let expires = SystemTime::UNIX_EPOCH + Duration::from_millis(1_790_000_000_123);
    let pair = OAuthTokens::expiring_at("access-1", "refresh-1", expires);
    store.save(&pair).await.unwrap();
    let back = redis
        .token_store("portal.example:app")
        .load()
        .await
        .unwrap()
        .unwrap();
    assert!(back.same_pair(&pair));
    assert_eq!(back.expires_at, expires);
    assert_eq!(back.refresh_token.expose_secret(), "refresh-1");
    assert!(!format!("{back:?}").contains("refresh-1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_redis_password_never_shows() {
    let Some(server) = redis_server() else { return };
    // The test server has no password: AUTH fails, and the error must not repeat it.
    let url = format!("redis://:hunter2secret@127.0.0.1:{}/", server.port());
    let error = Redis::connect(&url).await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("hunter2secret"), "{shown}");
    assert!(shown.contains("redis://:***@127.0.0.1"), "{shown}");
    let redis = Redis::connect(&server.url()).await.unwrap();
    assert!(!format!("{redis:?}").contains("hunter2"));
}

fn free_emulator() -> Config {
    Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    }
}

fn shared_client(emu: &Emulator, redis: &Redis) -> Client {
    Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .limiter(Arc::new(redis.limiter(&emu.base_url(), Bucket::STANDARD)))
        .governor_store(Arc::new(redis.budget(&emu.base_url(), "webhook:1")))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn without_redis_the_limits_fail_closed_and_recover_when_it_is_back() {
    let Some(mut server) = redis_server() else {
        return;
    };
    let emu = Emulator::start(free_emulator()).await.unwrap();
    let redis = Redis::connect(&server.url()).await.unwrap();
    let client = shared_client(&emu, &redis);
    client.call(&users()).await.unwrap();

    server.stop();
    for _ in 0..3 {
        match client.call(&users()).await {
            Err(Error::Limits(e)) => assert!(e.to_string().contains("not sent"), "{e}"),
            other => panic!("expected the limits to fail closed, got {other:?}"),
        }
    }
    assert_eq!(
        emu.stats().requests,
        1,
        "nothing was sent while Redis was away"
    );

    // Back, empty (no persistence): the connection comes back by itself.
    server.resume().unwrap();
    let mut answered = false;
    for _ in 0..100 {
        match client.call(&users()).await {
            Ok(_) => {
                answered = true;
                break;
            }
            Err(Error::Limits(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(other) => panic!("{other}"),
        }
    }
    assert!(answered, "calls go again once Redis is back");
    assert_eq!(emu.stats().requests, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_opt_in_local_fallback_keeps_calls_going_without_redis() {
    let Some(mut server) = redis_server() else {
        return;
    };
    let emu = Emulator::start(free_emulator()).await.unwrap();
    let redis = Redis::connect(&server.url())
        .await
        .unwrap()
        .fallback(Fallback::Local(Bucket::new(10.0, 1.0)));
    let client = shared_client(&emu, &redis);
    server.stop();
    for _ in 0..3 {
        client.call(&users()).await.unwrap();
    }
    assert_eq!(emu.stats().requests, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_redis_a_refresh_fails_as_a_store_error_and_spends_no_token() {
    let Some(mut server) = redis_server() else {
        return;
    };
    let emu = Emulator::start(free_emulator()).await.unwrap();
    let redis = Redis::connect(&server.url()).await.unwrap();
    let issued = emu.issue_tokens();
    let tokens = OAuthTokens::new(
        issued.access_token,
        issued.refresh_token,
        Duration::from_secs(3600),
    );
    let app = OAuthApp::new(
        &emu.base_url(),
        emu.client_id(),
        emu.client_secret(),
        tokens,
    )
    .unwrap()
    .token_endpoint(&emu.token_url())
    .unwrap()
    .store(Arc::new(redis.token_store("emulator")));
    let client = Client::builder()
        .oauth(app)
        .unlimited()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.call(&users()).await.unwrap();
    server.stop();
    client.call(&users()).await.unwrap(); // the pair in memory needs no Redis
    emu.expire_access_tokens();
    match client.call(&users()).await {
        Err(Error::Auth(AuthError::Store(message))) => {
            assert!(message.contains("redis"), "{message}")
        }
        other => panic!("expected a store error, got {other:?}"),
    }
    let refreshes = |emu: &Emulator| common::count(&emu.stats().by_method, "oauth.token");
    assert_eq!(refreshes(&emu), 0, "the refresh token was not spent");

    server.resume().unwrap();
    let mut answered = false;
    for _ in 0..100 {
        if client.call(&users()).await.is_ok() {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "the refresh goes through once Redis is back");
    assert_eq!(refreshes(&emu), 1);
    assert_eq!(common::count(&emu.stats().by_error, "invalid_grant"), 0);
}
