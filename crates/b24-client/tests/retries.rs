//! Retries are decided by whether the call could have run: refused calls are repeated after
//! the right wait, ambiguous failures only for read-only methods, and some never.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use b24_client::{Client, Error, RetryPolicy, TransportKind};
use b24_core::{DialogId, SystemErrorCode};
use b24_emulator::{Config, Emulator};
use b24_im::{DialogUsersListRequest, MessageAddRequest};
use common::{Reply, Scripted, ok_body};
use serde_json::json;

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .webhook(url)
        .unwrap()
        .unlimited()
        .retry(policy)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap()
}

fn read() -> DialogUsersListRequest {
    DialogUsersListRequest::new(DialogId::Chat(1)).limit(1)
}

fn write() -> MessageAddRequest {
    MessageAddRequest::new()
        .dialog_id(DialogId::Chat(1))
        .message("hello")
}

#[tokio::test]
async fn refused_calls_are_retried_even_for_writes() {
    let server = Scripted::start(
        vec![
            Reply::error(503, "QUERY_LIMIT_EXCEEDED"),
            Reply::error(429, "OPERATION_TIME_LIMIT"),
        ],
        Reply::json(200, ok_body(json!(77))),
    )
    .await;
    let c = Client::builder()
        .webhook(&server.webhook("code"))
        .unwrap()
        .unlimited()
        .retry(policy())
        .governor(b24_client::GovernorConfig::default().fallback_hold(Duration::from_millis(50)))
        .build()
        .unwrap();
    let sent = c.call(&write()).await.unwrap();
    assert_eq!(sent.result, 77);
    assert_eq!(server.script.received().len(), 3);
}

#[tokio::test]
async fn ambiguous_failures_are_retried_only_for_reads() {
    let server = Scripted::start(
        vec![Reply::error(500, "INTERNAL_SERVER_ERROR")],
        Reply::json(200, ok_body(json!([]))),
    )
    .await;
    let ok = client(&server.webhook("code"), policy())
        .call(&read())
        .await
        .unwrap();
    assert!(ok.result.is_empty());
    assert_eq!(
        server.script.received().len(),
        2,
        "read: retried after the 500"
    );

    let server = Scripted::start(
        vec![Reply::error(500, "INTERNAL_SERVER_ERROR")],
        Reply::json(200, ok_body(json!(5))),
    )
    .await;
    let err = client(&server.webhook("code"), policy())
        .call(&write())
        .await
        .unwrap_err();
    assert_eq!(err.system(), Some(SystemErrorCode::InternalServerError));
    assert!(err.is_retryable() && err.was_possibly_executed());
    assert_eq!(
        server.script.received().len(),
        1,
        "write: not repeated; the caller must check"
    );

    let opted_in = policy().retry_ambiguous_writes(true);
    let server = Scripted::start(
        vec![Reply::error(500, "INTERNAL_SERVER_ERROR")],
        Reply::json(200, ok_body(json!(5))),
    )
    .await;
    assert_eq!(
        client(&server.webhook("code"), opted_in)
            .call(&write())
            .await
            .unwrap()
            .result,
        5
    );
}

#[tokio::test]
async fn html_error_pages_are_ambiguous() {
    let page = Reply::html(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");
    let server = Scripted::start(
        vec![page.clone(), page.clone()],
        Reply::json(200, ok_body(json!([]))),
    )
    .await;
    client(&server.webhook("code"), policy())
        .call(&read())
        .await
        .unwrap();
    assert_eq!(server.script.received().len(), 3);

    let server = Scripted::start(vec![], page).await;
    let err = client(&server.webhook("code"), policy())
        .call(&read())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Http { status: 502, preview } if preview.contains("502 Bad Gateway")),
        "{err:?}"
    );
    assert_eq!(
        server.script.received().len(),
        4,
        "gave up after max_attempts"
    );
}

#[tokio::test]
async fn never_retried() {
    for code in [
        "OVERLOAD_LIMIT",
        "NO_AUTH_FOUND",
        "insufficient_scope",
        "ACCESS_ERROR",
        "DIALOG_ID_EMPTY",
        "INVALID_CREDENTIALS",
    ] {
        let status = if code == "OVERLOAD_LIMIT" { 503 } else { 403 };
        let server = Scripted::start(vec![], Reply::error(status, code)).await;
        let err = client(&server.webhook("code"), policy())
            .call(&read())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code));
        assert!(!err.is_retryable(), "{code}");
        assert_eq!(server.script.received().len(), 1, "{code} is not retried");
    }
}

#[tokio::test]
async fn connection_refused_is_retried_and_reported_as_not_executed() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client(&format!("http://{closed}/rest/1/c/"), policy())
        .call(&write())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportKind::Connect));
    assert!(
        !err.was_possibly_executed(),
        "a write that never connected did not run"
    );
    assert!(started.elapsed() >= Duration::ZERO);
}

fn faulty(faults: &str) -> Config {
    Config {
        faults: faults.parse().unwrap(),
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn a_reset_after_a_write_is_reported_as_possibly_executed_and_not_repeated() {
    let emu = Emulator::start(faulty("reset=1")).await.unwrap();
    let before = emu.with_portal(|p| p.messages.len());
    let err = client(&emu.webhook_url(), policy())
        .call(&write())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Interrupted),
        "{err:?}"
    );
    assert!(err.was_possibly_executed());
    let after = emu.with_portal(|p| p.messages.len());
    assert_eq!(
        after,
        before + 1,
        "the write happened once: the answer was lost, it was not repeated"
    );
}

#[tokio::test]
async fn reads_are_repeated_through_resets_stalls_and_cut_bodies() {
    for fault in ["reset", "stall", "truncate", "html502", "500"] {
        let emu = Emulator::start(faulty(&format!("{fault}=0.5")))
            .await
            .unwrap();
        let c = client(&emu.webhook_url(), policy().max_attempts(12));
        for _ in 0..10 {
            let page = c
                .call(&read())
                .await
                .unwrap_or_else(|e| panic!("{fault}: {e}"));
            assert_eq!(page.result.len(), 1);
        }
        assert!(
            emu.stats()
                .faults
                .get(if fault == "500" { "500" } else { fault })
                .copied()
                .unwrap_or(0)
                > 0,
            "{fault} was injected"
        );
    }
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let server = Scripted::start(vec![], Reply::error(503, "QUERY_LIMIT_EXCEEDED")).await;
    let p = RetryPolicy::default()
        .max_attempts(100)
        .base_delay(Duration::from_millis(40))
        .max_delay(Duration::from_millis(40))
        .deadline(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = client(&server.webhook("code"), p)
        .call(&read())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("QUERY_LIMIT_EXCEEDED"));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(server.script.received().len() < 100);
}

#[tokio::test]
async fn the_deadline_cuts_an_attempt_in_flight() {
    // Each attempt stalls: the first is cut by the request timeout, the retry by the deadline
    // (before, the retry ran its full timeout and ended past the deadline).
    let server = Scripted::start(
        vec![],
        Reply::json(200, ok_body(json!([]))).after(Duration::from_secs(3600)),
    )
    .await;
    let p = policy().deadline(Duration::from_millis(1500));
    let c = Client::builder()
        .webhook(&server.webhook("code"))
        .unwrap()
        .unlimited()
        .retry(p)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = c.call(&read()).await.unwrap_err();
    let overshoot = started
        .elapsed()
        .saturating_sub(Duration::from_millis(1500));
    println!("a stalled read retried: ended {overshoot:?} past its deadline");
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Deadline),
        "{err:?}"
    );
    assert!(err.to_string().contains("deadline"), "{err}");
    assert_eq!(server.script.received().len(), 2, "the retry was under way");
}

#[tokio::test]
async fn writes_that_may_have_run_say_so() {
    let server = Scripted::start(vec![], Reply::error(500, "INTERNAL_SERVER_ERROR")).await;
    let err = client(&server.webhook("code"), policy())
        .call(&write())
        .await
        .unwrap_err();
    assert!(err.was_possibly_executed());
    assert!(err.to_string().contains("may have run"), "{err}");

    let server = Scripted::start(
        vec![],
        Reply::json(200, ok_body(json!(1))).after(Duration::from_secs(3600)),
    )
    .await;
    let err = client(&server.webhook("code"), policy())
        .call(&write())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Timeout),
        "{err:?}"
    );
    assert!(err.to_string().contains("may have run"), "{err}");

    // Refused before running: nothing to check.
    let server = Scripted::start(vec![], Reply::error(400, "MESSAGE_EMPTY")).await;
    let err = client(&server.webhook("code"), policy())
        .call(&write())
        .await
        .unwrap_err();
    assert!(!err.was_possibly_executed());
    assert!(!err.to_string().contains("may have run"), "{err}");
}
