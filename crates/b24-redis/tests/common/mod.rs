//! Shared by the Redis tests: a real `redis-server` per test, worker processes (this test
//! binary run again with a role), and the emulator they call.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use b24_client::{Bucket, Client, Error, LeakyBucket, OAuthApp, OAuthTokens, RetryPolicy};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;
use b24_redis::Redis;
use b24_redis::testing::RedisServer;
use serde_json::{Value, json};

/// The environment variable that makes the ignored `worker_process` test a worker.
pub const WORKER_VAR: &str = "B24_REDIS_TEST_WORKER";

/// A server for this test, or `None` (skip) when `redis-server` is missing and not required.
pub fn redis_server() -> Option<RedisServer> {
    RedisServer::start().unwrap()
}

pub fn unix_ms(t: SystemTime) -> u64 {
    u64::try_from(t.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// A worker: this test binary again, running only `worker_process` with `spec` in its
/// environment. Its last stdout line `WORKER-RESULT {json}` is its report.
pub fn spawn_worker(spec: &Value) -> tokio::process::Child {
    let exe = std::env::current_exe().unwrap();
    tokio::process::Command::new(exe)
        .args([
            "worker_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WORKER_VAR, spec.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Waits for a worker and returns its report.
pub async fn report(child: tokio::process::Child) -> Value {
    let out = child.wait_with_output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.split_once("WORKER-RESULT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("worker gave no report ({}): {text}", out.status));
    serde_json::from_str(line).unwrap()
}

/// Runs the worker described by `spec` (in the child process).
pub async fn run_worker(spec: &str) {
    let spec: Value = serde_json::from_str(spec).unwrap();
    let client = worker_client(&spec).await;
    // Start together: every worker sleeps until the same wall-clock moment.
    if let Some(at) = spec["start_at_ms"].as_u64() {
        let now = unix_ms(SystemTime::now());
        tokio::time::sleep(Duration::from_millis(at.saturating_sub(now))).await;
    }
    let tasks = spec["tasks"].as_u64().unwrap_or(1);
    let calls = spec["calls"].as_u64().unwrap_or(1);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for _ in 0..calls {
                    let request = DialogUsersListRequest::new(DialogId::Chat(1)).limit(1);
                    outcomes.push(client.call(&request).await.map(|_| ()));
                }
                outcomes
            })
        })
        .collect();
    let (mut ok, mut errors) = (0, Vec::new());
    for handle in handles {
        for outcome in handle.await.unwrap() {
            match outcome {
                Ok(()) => ok += 1,
                Err(e) => errors.push(describe(&e)),
            }
        }
    }
    println!(
        "WORKER-RESULT {}",
        json!({"ok": ok, "errors": errors, "refreshes": client.refreshes(), "pid": std::process::id()})
    );
}

fn describe<C: b24_core::ErrorCode>(e: &Error<C>) -> String {
    match e {
        Error::Limits(_) => "limits".to_owned(),
        other => other
            .code()
            .map_or_else(|| other.to_string(), str::to_owned),
    }
}

async fn worker_client(spec: &Value) -> Client {
    let text = |k: &str| spec[k].as_str().unwrap_or_default().to_owned();
    let plan: Bucket = text("bucket").parse().unwrap_or(Bucket::STANDARD);
    let redis = Redis::connect(&text("redis")).await.unwrap();
    let builder = Client::builder().retry(RetryPolicy::default());
    let builder = match text("limiter").as_str() {
        "shared" => builder.limiter(Arc::new(redis.limiter(&text("portal"), plan))),
        "local" => builder.limiter(Arc::new(LeakyBucket::new(plan))),
        _ => builder.unlimited(),
    };
    if spec["oauth"].as_bool() == Some(true) {
        let tokens = OAuthTokens::expiring_at(
            text("access"),
            text("refresh"),
            OAuthTokens::expiry_from_unix_ms(spec["expires_ms"].as_u64().unwrap_or(0)),
        );
        let store = redis.token_store("emulator").lease(Duration::from_millis(
            spec["lease_ms"].as_u64().unwrap_or(15_000),
        ));
        let app = OAuthApp::new(
            &text("portal"),
            text("client_id"),
            text("client_secret"),
            tokens,
        )
        .unwrap()
        .token_endpoint(&text("token_endpoint"))
        .unwrap()
        .store(Arc::new(store));
        builder.oauth(app).build().unwrap()
    } else {
        builder.webhook(&text("webhook")).unwrap().build().unwrap()
    }
}

/// How many times the emulator answered `key` in `map` (0 when absent).
pub fn count(map: &std::collections::BTreeMap<String, u64>, key: &str) -> u64 {
    map.get(key).copied().unwrap_or(0)
}
