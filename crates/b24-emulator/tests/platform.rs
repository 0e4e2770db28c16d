//! The platform around every method, over real HTTP on loopback: limits, cost and operating
//! time, batch, auth, unknown methods and scopes, faults, stats, and the server's lifecycle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use b24_emulator::{Bucket, Config, Cost, Emulator, Faults, Latency};
use serde_json::{Value, json};

const M: &str = "im.dialog.users.list";

fn small() -> Value {
    json!({"DIALOG_ID": "chat1", "LIMIT": 1})
}

#[tokio::test]
async fn leaky_bucket_refuses_the_request_that_overflows_and_drains() {
    // A slow drain (one request every 2 s) leaves a busy machine time to send six requests
    // before one drains.
    let emu = common::start(Config {
        bucket: "5/0.5".parse().unwrap(),
        cost: Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(common::call(&emu, M, small()).await.0, 200);
    }
    let (status, body) = common::call(&emu, M, small()).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (503, "QUERY_LIMIT_EXCEEDED")
    );
    let s = common::stats(&emu).await;
    assert_eq!(s["by_status"]["503"], 1);
    assert_eq!(s["by_error"]["QUERY_LIMIT_EXCEEDED"], 1);
    tokio::time::sleep(Duration::from_millis(2_200)).await; // drains one request
    assert_eq!(common::call(&emu, M, small()).await.0, 200);
    assert_eq!(common::call(&emu, M, small()).await.0, 503);
}

#[tokio::test]
async fn a_batch_counts_as_one_request_for_the_bucket() {
    let emu = common::start(Config {
        bucket: "2/0.1".parse().unwrap(),
        cost: Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await;
    let cmd: Value = (0..20)
        .map(|i| {
            (
                format!("c{i}"),
                json!("im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1"),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    let (status, body) = common::call(&emu, "batch", json!({"cmd": cmd})).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["result"].as_object().unwrap().len(), 20);
    assert_eq!(
        common::call(&emu, M, small()).await.0,
        200,
        "the batch used one slot of two"
    );
    assert_eq!(common::call(&emu, M, small()).await.0, 503);
    let s = common::stats(&emu).await;
    assert_eq!(s["batched_commands"], 20);
    assert_eq!(s["by_method"]["batch"], 1);
}

#[tokio::test]
async fn cost_model_shows_in_time_and_batch_commands_run_one_after_another() {
    let emu = common::start(Config {
        bucket: Bucket::OFF,
        cost: Cost {
            fixed_ms: 40.0,
            per_row_ms: 1.0,
        },
        ..Config::default()
    })
    .await;
    let (_, body) = common::call(&emu, M, json!({"DIALOG_ID": "chat1", "LIMIT": 10})).await;
    let rows = body["result"].as_array().unwrap().len() as f64;
    let processing = body["time"]["processing"].as_f64().unwrap();
    assert!(
        (processing - (0.040 + 0.001 * rows)).abs() < 1e-6,
        "processing {processing}"
    );
    assert!(body["time"]["duration"].as_f64().unwrap() >= processing);

    let cmd = json!([
        "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1",
        "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1",
        "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1"
    ]);
    let started = Instant::now();
    let (_, body) = common::call(&emu, "batch", json!({"cmd": cmd})).await;
    assert!(
        started.elapsed() >= Duration::from_millis(3 * 41),
        "commands of one batch run in sequence"
    );
    assert!((body["time"]["processing"].as_f64().unwrap() - 3.0 * 0.041).abs() < 1e-6);
    assert_eq!(body["result"]["result_time"].as_array().unwrap().len(), 3);

    // Separate requests run in parallel: their processing intervals overlap.
    let one = || common::call(&emu, M, json!({"DIALOG_ID": "chat1", "LIMIT": 1}));
    let (a, b, c) = tokio::join!(one(), one(), one());
    let answers = [a, b, c];
    let spans: Vec<(f64, f64)> = answers
        .iter()
        .map(|(_, b)| {
            (
                b["time"]["start"].as_f64().unwrap(),
                b["time"]["finish"].as_f64().unwrap(),
            )
        })
        .collect();
    let latest_start = spans.iter().map(|s| s.0).fold(f64::MIN, f64::max);
    let earliest_finish = spans.iter().map(|s| s.1).fold(f64::MAX, f64::min);
    assert!(
        latest_start < earliest_finish,
        "parallel requests overlap: {spans:?}"
    );
    let s = common::stats(&emu).await;
    assert!(s["operating_ms"][M].as_f64().unwrap() > 6.0 * 40.0);
}

#[tokio::test]
async fn operating_time_is_accounted_per_method_and_blocks_with_429() {
    let emu = common::start(Config {
        bucket: Bucket::OFF,
        cost: Cost {
            fixed_ms: 100.0,
            per_row_ms: 0.0,
        },
        operating_limit: Duration::from_millis(150),
        operating_min: Duration::ZERO,
        operating_window: Duration::from_secs(2),
        ..Config::default()
    })
    .await;
    let (_, first) = common::call(&emu, M, small()).await;
    assert!((first["time"]["operating"].as_f64().unwrap() - 0.1).abs() < 1e-6);
    let reset_at = first["time"]["operating_reset_at"].as_i64().unwrap();
    let start = first["time"]["start"].as_f64().unwrap();
    assert!(
        (reset_at as f64 - (start + 2.0)).abs() <= 1.5,
        "reset_at {reset_at} start {start}"
    );
    let (status, second) = common::call(&emu, M, small()).await;
    assert_eq!(
        status, 200,
        "0.1 s used: still under the limit before the call"
    );
    assert!((second["time"]["operating"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    let (status, body) = common::call(&emu, M, small()).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (429, "OPERATION_TIME_LIMIT")
    );
    let (status, _) = common::call(&emu, "im.counters.get", json!({})).await;
    assert_ne!(status, 429, "other methods are not blocked");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        common::call(&emu, M, small()).await.0,
        200,
        "the window moved on"
    );
}

#[tokio::test]
async fn operating_time_ignores_calls_under_the_minimum_and_the_outer_batch() {
    let emu = common::start(Config {
        bucket: Bucket::OFF,
        cost: Cost {
            fixed_ms: 20.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await;
    let (_, body) = common::call(&emu, M, small()).await;
    assert_eq!(
        body["time"]["operating"], 0.0,
        "20 ms calls are under the 100 ms minimum"
    );
    let (_, body) = common::call(
        &emu,
        "batch",
        json!({"cmd": {"a": "im.dialog.users.list?DIALOG_ID=chat1"}}),
    )
    .await;
    assert!(
        body["time"].get("operating").is_none(),
        "the outer batch is not accounted"
    );
    assert!(
        body["result"]["result_time"]["a"]
            .get("operating")
            .is_some(),
        "its commands are"
    );
}

#[tokio::test]
async fn batch_rules() {
    let emu = common::start(common::unlimited()).await;
    // More than 50 commands: each extra one fails on its own.
    let cmd: serde_json::Map<String, Value> = (0..53)
        .map(|i| {
            (
                format!("c{i:02}"),
                json!("im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1"),
            )
        })
        .collect();
    let (_, body) = common::call(&emu, "batch", json!({"cmd": cmd})).await;
    assert_eq!(body["result"]["result"].as_object().unwrap().len(), 50);
    let errors = body["result"]["result_error"].as_object().unwrap();
    assert_eq!(errors.len(), 3);
    assert_eq!(errors["c52"]["error"], "ERROR_BATCH_LENGTH_EXCEEDED");
    let active = emu.with_portal(|p| {
        p.chat(1)
            .unwrap()
            .members
            .iter()
            .filter(|r| p.user(r.user_id).unwrap().active)
            .count()
    });
    assert_eq!(
        body["result"]["result_total"]["c00"].as_u64(),
        Some(active as u64)
    );
    assert_eq!(body["result"]["result_next"]["c00"], 1);

    // Nested batch refused; errors keep their own keys; empty collections are [].
    let (_, body) = common::call(&emu, "batch", json!({"cmd": {"a": "batch?cmd[x]=im.counters.get", "b": "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1"}})).await;
    assert_eq!(
        body["result"]["result_error"]["a"]["error"],
        "ERROR_BATCH_METHOD_NOT_ALLOWED"
    );
    assert!(body["result"]["result"]["b"].is_array());
    let (_, body) = common::call(
        &emu,
        "batch",
        json!({"cmd": {"b": "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1"}}),
    )
    .await;
    assert_eq!(body["result"]["result_error"], json!([]));

    // halt stops at the first failing command.
    let cmd = json!({"a": "im.dialog.users.list?DIALOG_ID=nope", "b": "im.dialog.users.list?DIALOG_ID=chat1"});
    let (_, body) = common::call(&emu, "batch", json!({"cmd": cmd, "halt": 1})).await;
    assert_eq!(
        body["result"]["result_error"]["a"]["error"],
        "DIALOG_ID_EMPTY"
    );
    assert_eq!(body["result"]["result"], json!([]), "b never ran");
    let (_, body) = common::call(&emu, "batch", json!({"cmd": cmd, "halt": 0})).await;
    assert!(
        body["result"]["result"]["b"].is_array(),
        "without halt the rest runs"
    );

    // $result references between commands; a list `cmd` gives list results; non-strings skipped.
    let cmd = json!([
        "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1&LAST_ID=0",
        "im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1&LAST_ID=$result[0][0][id]",
        42
    ]);
    let (_, body) = common::call(&emu, "batch", json!({"cmd": cmd})).await;
    let results = body["result"]["result"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results[1][0]["id"].as_u64() > results[0][0]["id"].as_u64(),
        "the second page starts after the first"
    );

    // The batch response itself decodes per command with the generated types.
    let first = json!({"result": results[0], "time": body["result"]["result_time"][0]});
    common::decode::<b24_im::DialogUsersListRequest>(200, first.to_string().as_bytes());
}

#[tokio::test]
async fn webhook_and_oauth_authentication() {
    let emu = common::start(Config {
        access_ttl: Duration::from_secs(1),
        ..common::unlimited()
    })
    .await;
    let client = common::client();
    let wrong = emu
        .webhook_url()
        .replace(&emu.webhook_url()[emu.base_url().len() + 8..], "nope/");
    let body: Value = client
        .get(format!("{wrong}{M}?DIALOG_ID=chat1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "NO_AUTH_FOUND");
    let other_user = emu.webhook_url().replacen("/rest/1/", "/rest/2/", 1);
    let response = client
        .get(format!("{other_user}{M}?DIALOG_ID=chat1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);

    let tokens = emu.issue_tokens();
    let oauth = format!("{}/rest/{M}", emu.base_url());
    let ok = client
        .post(&oauth)
        .json(&json!({"DIALOG_ID": "chat1", "LIMIT": 2, "auth": tokens.access_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let unknown = client
        .get(format!("{oauth}?DIALOG_ID=chat1&auth=unknown"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 401);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"],
        "NO_AUTH_FOUND"
    );
    let missing = client
        .get(format!("{oauth}?DIALOG_ID=chat1"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 401);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = client
        .get(format!(
            "{oauth}?DIALOG_ID=chat1&auth={}",
            tokens.access_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status().as_u16(), 401);
    assert_eq!(
        expired.json::<Value>().await.unwrap()["error"],
        "expired_token"
    );

    // Refresh by POST form; the refresh token is single-use; GET works too; bad secrets fail.
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", emu.client_id()),
        ("client_secret", emu.client_secret()),
        ("refresh_token", tokens.refresh_token.as_str()),
    ];
    let fresh: Value = client
        .post(emu.token_url())
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = fresh["access_token"].as_str().unwrap();
    assert_eq!(fresh["expires_in"], 1);
    let ok = client
        .get(format!("{oauth}?DIALOG_ID=chat1&auth={access}"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let again = client
        .post(emu.token_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 400);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    let next_refresh = fresh["refresh_token"].as_str().unwrap();
    let get = client
        .get(emu.token_url())
        .query(&[
            ("grant_type", "refresh_token"),
            ("client_id", emu.client_id()),
            ("client_secret", emu.client_secret()),
            ("refresh_token", next_refresh),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 200);
    let bad_secret = client
        .get(emu.token_url())
        .query(&[
            ("grant_type", "refresh_token"),
            ("client_id", emu.client_id()),
            ("client_secret", "wrong"),
            ("refresh_token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad_secret.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
}

#[tokio::test]
async fn unknown_method_and_missing_scope() {
    let emu = common::start(common::unlimited()).await;
    let (status, body) = common::call(&emu, "im.no.such.method", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (404, "ERROR_METHOD_NOT_FOUND")
    );
    let (status, _) = common::call(&emu, "IM.DIALOG.USERS.LIST", small()).await;
    assert_eq!(status, 200, "method names are tried in lower case");

    let emu = common::start(Config {
        scopes: vec!["user".into()],
        ..common::unlimited()
    })
    .await;
    let (status, body) = common::call(&emu, M, small()).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (403, "insufficient_scope")
    );
}

fn faulty(faults: &str) -> Config {
    Config {
        faults: faults.parse::<Faults>().unwrap(),
        ..common::unlimited()
    }
}

#[tokio::test]
async fn injected_500_and_html_502_after_the_method_ran() {
    let emu = common::start(faulty("500=1")).await;
    let (status, body) = common::call(&emu, M, small()).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (500, "INTERNAL_SERVER_ERROR")
    );
    assert_eq!(
        common::stats(&emu).await["executed"][M],
        1,
        "the effect happened, the answer was lost"
    );

    let emu = common::start(faulty("html502=1")).await;
    let (status, raw) = common::call_raw(&emu, M, small()).await;
    assert_eq!(status, 502);
    assert!(String::from_utf8_lossy(&raw).contains("<h1>502 Bad Gateway</h1>"));
    assert!(b24_core::decode_response::<b24_im::DialogUsersListRequest>(Some(502), &raw).is_err());
}

#[tokio::test]
async fn injected_503_refuses_before_running() {
    let emu = common::start(faulty("503=1")).await;
    let (status, body) = common::call(&emu, M, small()).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (503, "QUERY_LIMIT_EXCEEDED")
    );
    let s = common::stats(&emu).await;
    assert!(s["executed"].get(M).is_none(), "nothing ran");
    assert_eq!(s["faults"]["503"], 1);
}

#[tokio::test]
async fn injected_reset_truncate_and_stall() {
    let emu = common::start(faulty("reset=1")).await;
    let err = common::client()
        .post(format!("{}{M}", emu.webhook_url()))
        .json(&small())
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err}");
    assert!(err.status().is_none(), "no response at all: {err}");

    let emu = common::start(faulty("truncate=1")).await;
    let response = common::client()
        .post(format!("{}{M}", emu.webhook_url()))
        .json(&small())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.bytes().await.is_err(), "the body is cut mid-JSON");

    let emu = common::start(faulty("stall=1")).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .post(format!("{}{M}", emu.webhook_url()))
        .json(&small())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(common::stats(&emu).await["executed"][M], 1);
}

#[tokio::test]
async fn faults_are_reproducible_by_seed() {
    async fn sequence(seed: u64) -> Vec<u16> {
        let emu = common::start(Config {
            seed,
            ..faulty("500=0.3,503=0.3")
        })
        .await;
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(common::call(&emu, M, small()).await.0);
        }
        out
    }
    let a = sequence(7).await;
    assert_eq!(a, sequence(7).await);
    assert!(
        a.contains(&200) && a.contains(&500) && a.contains(&503),
        "{a:?}"
    );
    assert_ne!(a, sequence(8).await);
}

#[tokio::test]
async fn latency_delays_every_request() {
    let emu = common::start(Config {
        latency: "150".parse::<Latency>().unwrap(),
        ..common::unlimited()
    })
    .await;
    let started = Instant::now();
    assert_eq!(common::call(&emu, M, small()).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn stats_and_reset() {
    let emu = common::start(Config {
        bucket: "3/0.01".parse().unwrap(),
        ..common::unlimited()
    })
    .await;
    for _ in 0..4 {
        common::call(&emu, M, small()).await;
    }
    common::call(&emu, "im.nope", json!({})).await;
    let s = common::stats(&emu).await;
    assert_eq!(s["requests"], 5);
    assert_eq!(s["by_status"]["200"], 3);
    assert_eq!(s["by_status"]["503"], 2);
    assert_eq!(s["by_method"][M], 4);
    assert_eq!(s["by_error"]["QUERY_LIMIT_EXCEEDED"], 2);
    let reset = common::client()
        .post(format!("{}/_emulator/reset", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    let s = common::stats(&emu).await;
    assert_eq!(s["requests"], 0);
    assert_eq!(
        common::call(&emu, M, small()).await.0,
        200,
        "the bucket was emptied"
    );
}

#[tokio::test]
async fn many_emulators_at_once_and_data_files() {
    let a = common::start(common::unlimited()).await;
    let b = common::start(Config {
        seed: 2,
        ..common::unlimited()
    })
    .await;
    assert_ne!(a.addr(), b.addr());
    assert_ne!(
        a.webhook_url(),
        b.webhook_url(),
        "the webhook code comes from the seed"
    );

    // A portal saved as JSON and loaded with --data answers the same.
    let dir = std::env::temp_dir().join(format!("b24-emu-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("portal.json");
    a.with_portal(|p| std::fs::write(&path, serde_json::to_string(p).unwrap()))
        .unwrap();
    let c = common::start(Config {
        data: Some(path.clone()),
        ..common::unlimited()
    })
    .await;
    let (_, from_seed) = common::call(&a, M, json!({"DIALOG_ID": "chat1", "LIMIT": 200})).await;
    let (_, from_file) = common::call(&c, M, json!({"DIALOG_ID": "chat1", "LIMIT": 200})).await;
    assert_eq!(from_seed["result"], from_file["result"]);
    std::fs::write(&path, "{\"not\": \"a portal\"}").unwrap();
    let err = Emulator::start(Config {
        data: Some(path),
        ..common::unlimited()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("not a portal"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_binary_prints_the_webhook_url_first_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_b24-emulator"))
        .args(["--port", "0", "--seed", "3", "--bucket", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/rest/1/") && url.ends_with('/'),
        "{url}"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("{url}{M}?DIALOG_ID=chat1&LIMIT=1"))
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_flags_get_a_usage_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_b24-emulator"))
        .args(["--bucket", "fast"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BURST/RATE"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_b24-emulator"))
        .args(["--faults", "boom=0.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault `boom`"));
}

/// Sends a raw body to `batch` (so key order is exactly as written) and returns the messages
/// the commands stored, in id order, as (text).
async fn batch_in_order(
    emu: &b24_emulator::Emulator,
    content_type: &str,
    body: String,
) -> Vec<String> {
    let before = emu.with_portal(|p| p.next_message_id);
    let response = common::client()
        .post(format!("{}batch", emu.webhook_url()))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["result"]["result_error"], json!([]), "{answer}");
    emu.with_portal(|p| {
        p.messages
            .iter()
            .filter(|m| m.id >= before)
            .map(|m| m.text.clone())
            .collect()
    })
}

#[tokio::test]
async fn batch_runs_commands_in_the_order_sent() {
    let emu = common::start(common::unlimited()).await;
    // `c10` sorts before `c2` as text; the server keeps the order of the request, so `c2` runs
    // first and `c10` can refer to its result.
    let first = "im.message.add?DIALOG_ID=chat2&MESSAGE=first";
    let second = "im.message.add?DIALOG_ID=chat2&MESSAGE=after+$result[c2]";
    let json_body = format!(r#"{{"halt": 0, "cmd": {{"c2": "{first}", "c10": "{second}"}}}}"#);
    let texts = batch_in_order(&emu, "application/json", json_body).await;
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[0], "first");
    let reply_to: u64 = texts[1].strip_prefix("after ").unwrap().parse().unwrap();
    assert!(reply_to > 0, "c10 saw the result of c2: {texts:?}");

    let encode = |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let form_body = format!("cmd[c2]={}&cmd[c10]={}", encode(first), encode(second));
    let texts = batch_in_order(&emu, "application/x-www-form-urlencoded", form_body).await;
    assert_eq!(texts[0], "first", "form bodies keep the order too");
    assert!(
        texts[1]
            .strip_prefix("after ")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
}
