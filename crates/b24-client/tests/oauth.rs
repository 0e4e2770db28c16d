//! OAuth that survives concurrency: one refresh however many calls find the token expired, by
//! form POST, new pairs saved to the token store, `invalid_grant` as its own error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use b24_client::{AuthError, Client, Error, MemoryTokenStore, OAuthApp, OAuthTokens, RetryPolicy};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::DialogUsersListRequest;
use common::{Reply, Scripted, ok_body};
use serde_json::json;

fn emulator() -> Config {
    Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    }
}

fn app(emu: &Emulator, tokens: OAuthTokens, store: Arc<MemoryTokenStore>) -> Client {
    let app = OAuthApp::new(
        &emu.base_url(),
        emu.client_id(),
        emu.client_secret(),
        tokens,
    )
    .unwrap()
    .token_endpoint(&emu.token_url())
    .unwrap()
    .store(store);
    Client::builder()
        .oauth(app)
        .unlimited()
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn hundred_calls(client: &Client) -> usize {
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                c.call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_calls_with_an_expired_token_cause_one_refresh() {
    let emu = Emulator::start(emulator()).await.unwrap();
    let issued = emu.issue_tokens();
    // The client believes the token is good for an hour; the server says it expired.
    let tokens = OAuthTokens::new(
        issued.access_token,
        issued.refresh_token,
        Duration::from_secs(3600),
    );
    let store = Arc::new(MemoryTokenStore::default());
    let client = app(&emu, tokens, store.clone());
    emu.expire_access_tokens();
    assert_eq!(hundred_calls(&client).await, 100, "every call succeeds");
    let stats = emu.stats();
    assert_eq!(
        stats.by_method.get("oauth.token"),
        Some(&1),
        "exactly one refresh request"
    );
    assert!(stats.by_error.get("expired_token").copied().unwrap_or(0) >= 1);
    assert_eq!(client.refreshes(), 1);
    assert_eq!(store.saves(), 1, "the new pair went to the store");
    assert!(store.latest().unwrap().expires_at > SystemTime::now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stored_expiry_in_the_past_refreshes_before_calling() {
    let emu = Emulator::start(emulator()).await.unwrap();
    let issued = emu.issue_tokens();
    let mut tokens = OAuthTokens::new(issued.access_token, issued.refresh_token, Duration::ZERO);
    tokens.expires_at = SystemTime::now() - Duration::from_secs(10);
    let store = Arc::new(MemoryTokenStore::default());
    let client = app(&emu, tokens, store.clone());
    assert_eq!(hundred_calls(&client).await, 100);
    let stats = emu.stats();
    assert_eq!(stats.by_method.get("oauth.token"), Some(&1));
    assert_eq!(
        stats.by_error.get("expired_token"),
        None,
        "refreshed before the server had to say so"
    );
}

#[tokio::test]
async fn a_refused_refresh_token_is_invalid_grant() {
    let emu = Emulator::start(emulator()).await.unwrap();
    let issued = emu.issue_tokens();
    let mut tokens = OAuthTokens::new(issued.access_token, "not-a-refresh-token", Duration::ZERO);
    tokens.expires_at = SystemTime::now() - Duration::from_secs(1);
    let client = app(&emu, tokens, Arc::new(MemoryTokenStore::default()));
    let err = client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::InvalidGrant { .. })),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("invalid_grant"));
    assert!(err.to_string().contains("authorize the application again"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn refresh_is_a_form_post_and_auth_travels_in_the_body() {
    let token_answer =
        json!({"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": 3600});
    let server = Scripted::start(
        vec![
            Reply::error(401, "expired_token"),
            Reply::json(200, token_answer),
        ],
        Reply::json(200, ok_body(json!([]))),
    )
    .await;
    let tokens = OAuthTokens::new("old-access", "old-refresh", Duration::from_secs(3600));
    let app = OAuthApp::new(&server.base(), "app.id", "the-client-secret", tokens)
        .unwrap()
        .token_endpoint(&format!("{}/oauth/token/", server.base()))
        .unwrap();
    let client = Client::builder().oauth(app).unlimited().build().unwrap();
    client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap();
    let received = server.script.received();
    assert_eq!(received.len(), 3);
    assert_eq!(
        (received[0].path.as_str(), received[0].query.as_deref()),
        ("/rest/im.dialog.users.list.json", None)
    );
    assert!(
        received[0]
            .body
            .starts_with(r#"{"auth":"old-access","DIALOG_ID":"chat1""#),
        "{}",
        received[0].body
    );
    let refresh = &received[1];
    assert_eq!(
        (
            refresh.method.as_str(),
            refresh.path.as_str(),
            refresh.query.as_deref()
        ),
        ("POST", "/oauth/token/", None)
    );
    assert!(refresh.headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("application/x-www-form-urlencoded")));
    for field in [
        "grant_type=refresh_token",
        "client_id=app.id",
        "client_secret=the-client-secret",
        "refresh_token=old-refresh",
    ] {
        assert!(refresh.body.contains(field), "{field} in {}", refresh.body);
    }
    assert!(received[2].body.contains(r#""auth":"new-access""#));
}
