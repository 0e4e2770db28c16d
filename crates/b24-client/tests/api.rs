//! The shape of the public API: errors with sources and typed data, credentials that cannot be
//! missing or ambiguous, configuration built through constructors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::error::Error as _;
use std::time::Duration;

use b24_client::{
    Bucket, BulkOptions, Client, ConfigError, Error, GovernorConfig, OAuthApp, OAuthTokens,
    PageOptions, PagingError, RetryPolicy, TransportKind,
};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;
use common::{Reply, Scripted};
use serde_json::json;

fn user() -> serde_json::Value {
    let mut example: serde_json::Value = serde_json::from_str(include_str!(
        "../../../spec/im/examples/dialog.users.list.json"
    ))
    .unwrap();
    example["result"][0].take()
}

#[test]
fn credentials_must_be_given_once() {
    let app = OAuthApp::new(
        "https://portal.example",
        "app",
        "secret",
        OAuthTokens::new("a", "r", Duration::from_secs(60)),
    )
    .unwrap();
    let both = Client::builder()
        .webhook("https://portal.example/rest/1/code/")
        .unwrap()
        .oauth(app)
        .build();
    assert!(
        matches!(both, Err(ConfigError::ConflictingCredentials)),
        "{both:?}"
    );
    let none = Client::builder().build();
    assert!(
        matches!(none, Err(ConfigError::MissingCredentials)),
        "{none:?}"
    );
    assert!(none.unwrap_err().to_string().contains("webhook"));
}

#[tokio::test]
async fn errors_have_sources() {
    // A transport failure.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::builder()
        .webhook(&format!("http://{closed}/rest/1/code/"))
        .unwrap()
        .unlimited()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let read = DialogUsersListRequest::new(DialogId::Chat(1));
    let err = client.call(&read).await.unwrap_err();
    let source = err.source().expect("a transport error has a source");
    assert!(source.to_string().contains("cannot connect"), "{source}");

    // An API error, a decode error and a paging error.
    for (reply, what) in [
        (Reply::error(403, "ACCESS_ERROR"), "api"),
        (Reply::json(200, json!({"result": "x"})), "decode"),
        (
            Reply::json(200, json!({"result": [user()], "next": 0, "total": 9})),
            "paging",
        ),
    ] {
        let server = Scripted::start(vec![], reply).await;
        let client = Client::builder()
            .webhook(&server.webhook("code"))
            .unwrap()
            .unlimited()
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let err = match what {
            "paging" => client
                .collect_all(read.clone(), PageOptions::default())
                .await
                .unwrap_err(),
            _ => client.call(&read).await.unwrap_err(),
        };
        let source = err.source().unwrap_or_else(|| panic!("{what}: no source"));
        match what {
            "api" => assert!(source.to_string().contains("ACCESS_ERROR")),
            "decode" => assert!(source.to_string().contains("`result`"), "{source}"),
            _ => {
                assert!(
                    matches!(
                        err,
                        Error::Paging(PagingError::NextDoesNotAdvance { offset: 0, next: 0 })
                    ),
                    "{err:?}"
                );
                assert!(source.downcast_ref::<PagingError>().is_some());
            }
        }
    }
}

#[test]
fn configuration_is_built_through_constructors() {
    let retry = RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(100))
        .deadline(Duration::from_secs(5))
        .retry_ambiguous_writes(true);
    assert_eq!(
        (
            retry.max_attempts,
            retry.deadline,
            retry.retry_ambiguous_writes
        ),
        (3, Duration::from_secs(5), true)
    );
    let bulk = BulkOptions::default()
        .max_parallel(4)
        .page_size(100)
        .reserve(2.0);
    assert_eq!(
        (bulk.max_parallel, bulk.page_size, bulk.reserve),
        (4, Some(100), Some(2.0))
    );
    let governor = GovernorConfig::default()
        .limit(Duration::from_secs(420))
        .fallback_hold(Duration::from_secs(1));
    assert_eq!(governor.limit, Duration::from_secs(420));
    assert_eq!(Bucket::new(50.0, 2.0), Bucket::STANDARD);
    let _ = TransportKind::Deadline;
}
