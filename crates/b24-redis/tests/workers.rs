//! Several OS processes against one emulator and one real `redis-server`: the shared bucket
//! keeps four workers under the portal's limit together; a hundred callers in four processes
//! on an expired token make exactly one refresh; a worker killed while holding the refresh
//! lock holds the others up only until its lease runs out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use b24_client::{OAuthTokens, TokenStore as _};
use b24_emulator::{Config, Emulator};
use b24_redis::Redis;
use common::{WORKER_VAR, count, redis_server, report, spawn_worker, unix_ms};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

/// The tests of this file run one at a time: each starts several processes, and the bucket
/// test's timing should not depend on what the others load the machine with.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Not a test: the body of the worker processes the other tests start.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a worker process, started by the other tests of this file"]
async fn worker_process() {
    if let Ok(spec) = std::env::var(WORKER_VAR) {
        common::run_worker(&spec).await;
    }
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

/// Runs `n` workers from `spec`, started together, and returns their reports.
async fn workers(n: usize, spec: &Value) -> Vec<Value> {
    let mut spec = spec.clone();
    spec["start_at_ms"] = json!(unix_ms(SystemTime::now()) + 1500);
    let children: Vec<_> = (0..n).map(|_| spawn_worker(&spec)).collect();
    let mut reports = Vec::new();
    for child in children {
        reports.push(report(child).await);
    }
    reports
}

fn total(reports: &[Value], key: &str) -> u64 {
    reports.iter().map(|r| r[key].as_u64().unwrap()).sum()
}

fn errors(reports: &[Value]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|r| r["errors"].as_array().unwrap().clone())
        .map(|e| e.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn four_processes_together_keep_to_the_portals_bucket() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let Some(redis) = redis_server() else { return };
    let emu = Emulator::start(Config {
        bucket: "10/4".parse().unwrap(),
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let mut spec = json!({
        "redis": redis.url(), "portal": emu.base_url(), "webhook": emu.webhook_url(),
        "bucket": "10/4", "tasks": 3, "calls": 4, "limiter": "local",
    });

    // Each worker keeping to the plan on its own: together they overrun it.
    let reports = workers(4, &spec).await;
    let local = emu.stats();
    println!("per-process limiters: {local:?} {reports:?}");
    assert!(
        count(&local.by_error, "QUERY_LIMIT_EXCEEDED") > 0,
        "four private buckets overrun the portal"
    );

    emu.reset();
    spec["limiter"] = json!("shared");
    let started = Instant::now();
    let reports = workers(4, &spec).await;
    let took = started.elapsed();
    let shared = emu.stats();
    println!("shared limiter: {took:?} {shared:?}");
    assert_eq!(errors(&reports), Vec::<String>::new());
    assert_eq!(total(&reports, "ok"), 48);
    assert_eq!(count(&shared.by_error, "QUERY_LIMIT_EXCEEDED"), 0);
    assert_eq!(shared.requests, 48, "no request refused and sent again");
    // 48 requests through one 9-slot burst draining 4 per second take 9.75 s at the least
    // (plus the 1.5 s the workers wait to start together).
    assert!(took >= Duration::from_secs(9), "the bucket held: {took:?}");
}

/// Issues a pair, expires it and stores it in Redis as an installer would.
async fn expired_pair(emu: &Emulator, redis: &Redis) -> OAuthTokens {
    let issued = emu.issue_tokens();
    emu.expire_access_tokens();
    let tokens = OAuthTokens::expiring_at(
        issued.access_token,
        issued.refresh_token,
        SystemTime::now() - Duration::from_secs(10),
    );
    redis.token_store("emulator").save(&tokens).await.unwrap();
    tokens
}

fn oauth_spec(emu: &Emulator, redis_url: &str, tokens: &OAuthTokens) -> Value {
    json!({
        "redis": redis_url, "portal": emu.base_url(), "oauth": true,
        "client_id": emu.client_id(), "client_secret": emu.client_secret(),
        "token_endpoint": emu.token_url(),
        "access": tokens.access_token.expose_secret(),
        "refresh": tokens.refresh_token.expose_secret(),
        "expires_ms": tokens.expires_at_unix_ms(),
        "limiter": "none", "calls": 1,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_callers_in_four_processes_refresh_an_expired_token_once() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let Some(server) = redis_server() else { return };
    let emu = Emulator::start(free_emulator()).await.unwrap();
    let redis = Redis::connect(&server.url()).await.unwrap();
    let old = expired_pair(&emu, &redis).await;
    let mut spec = oauth_spec(&emu, &server.url(), &old);
    spec["tasks"] = json!(25);

    let reports = workers(4, &spec).await;
    let stats = emu.stats();
    println!("{reports:?}\n{stats:?}");
    assert_eq!(errors(&reports), Vec::<String>::new());
    assert_eq!(total(&reports, "ok"), 100);
    assert_eq!(
        count(&stats.by_method, "oauth.token"),
        1,
        "exactly one refresh"
    );
    assert_eq!(count(&stats.by_error, "invalid_grant"), 0);
    assert_eq!(
        total(&reports, "refreshes"),
        1,
        "one process traded the token"
    );
    let stored = redis.token_store("emulator").load().await.unwrap().unwrap();
    assert!(!stored.same_pair(&old), "the new pair is stored");
    assert!(stored.expires_at > SystemTime::now() + Duration::from_secs(3000));
}

/// Accepts connections and never answers: a token endpoint that hangs mid-refresh.
async fn black_hole() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/oauth/token/", listener.local_addr().unwrap());
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&accepted);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(socket);
        }
    });
    (url, accepted)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_holder_killed_mid_refresh_holds_the_others_only_until_its_lease() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let Some(server) = redis_server() else { return };
    let emu = Emulator::start(free_emulator()).await.unwrap();
    let redis = Redis::connect(&server.url()).await.unwrap();
    let old = expired_pair(&emu, &redis).await;
    let lock = format!("{}:refresh-lock", redis.token_store("emulator").key());
    let mut raw = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();

    // The holder takes the lock and sends its refresh to an endpoint that never answers.
    let (hole, accepted) = black_hole().await;
    let mut spec = oauth_spec(&emu, &server.url(), &old);
    spec["tasks"] = json!(1);
    spec["lease_ms"] = json!(2000);
    spec["token_endpoint"] = json!(hole);
    let mut holder = spawn_worker(&spec);
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepted.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the holder never started its refresh"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held: i64 = redis::cmd("PTTL")
        .arg(&lock)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(held > 0, "the holder has the lock while it refreshes");
    holder.start_kill().unwrap(); // SIGKILL: no cleanup, the lock stays behind
    holder.wait().await.unwrap();
    let left: i64 = redis::cmd("PTTL")
        .arg(&lock)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(left > 0, "the dead holder's lock outlives it");

    // The others wait for the lease, then one of them refreshes with the unspent token.
    spec["token_endpoint"] = json!(emu.token_url());
    spec["tasks"] = json!(10);
    let reports = workers(2, &spec).await;
    let stats = emu.stats();
    println!("{reports:?}\n{stats:?}");
    assert_eq!(errors(&reports), Vec::<String>::new());
    assert_eq!(total(&reports, "ok"), 20);
    assert_eq!(count(&stats.by_method, "oauth.token"), 1);
    assert_eq!(count(&stats.by_error, "invalid_grant"), 0);
    let gone: i64 = redis::cmd("EXISTS")
        .arg(&lock)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(gone, 0, "the winner released the lock");
}
