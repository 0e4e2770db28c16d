//! Secrets cannot leak: a canary webhook code, client secret and tokens go through every error
//! path and every log level, and never appear in `Debug`, `Display`, errors or logs. The same logs
//! prove the tracing spans carry what operators need.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use b24_client::{Client, MemoryTokenStore, OAuthApp, OAuthTokens, RetryPolicy};
use b24_core::DialogId;
use b24_emulator::{Config, Emulator};
use b24_im::{DialogUsersListRequest, MessageAddRequest};
use common::{ECHO, Reply, Scripted};

const CANARIES: [&str; 6] = [
    "CANARYwebhookCODE7",
    "CANARYclientSECRET7",
    "CANARYaccessTOKEN7",
    "CANARYrefreshTOKEN7",
    "CANARYnewACCESS7",
    "CANARYnewREFRESH7",
];

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "{what} leaks {canary}:\n{text}");
    }
}

fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(2)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2))
}

fn webhook_client(base: &str) -> Client {
    Client::builder()
        .webhook(&format!("{base}/rest/1/{}/", CANARIES[0]))
        .unwrap()
        .unlimited()
        .retry(retry())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

#[tokio::test]
async fn canaries_never_appear_in_errors_debug_or_logs_at_any_level() {
    let logs = Buffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut seen = Vec::new();
    let read = DialogUsersListRequest::new(DialogId::Chat(1)).limit(1);
    let write = MessageAddRequest::new()
        .dialog_id(DialogId::Chat(1))
        .message("hi");

    // Every fault the emulator injects, with the canary as the valid webhook code.
    for fault in [
        "500=1",
        "html502=1",
        "reset=1",
        "truncate=1",
        "stall=1",
        "503=1",
    ] {
        let emu = Emulator::start(Config {
            webhook_token: Some(CANARIES[0].into()),
            faults: fault.parse().unwrap(),
            bucket: b24_emulator::Bucket::OFF,
            ..Config::default()
        })
        .await
        .unwrap();
        let client = webhook_client(&emu.base_url());
        seen.push(format!("{client:?}"));
        for err in [
            client
                .call(&read)
                .await
                .unwrap_err()
                .recode::<b24_core::RawErrorCode>(),
            client.call(&write).await.unwrap_err().recode(),
        ] {
            seen.push(format!(
                "{err} / {err:?} / {:?} / {}",
                err.code(),
                err.description()
            ));
        }
    }
    // Wrong code (401), nothing listening, an undecodable answer, a redirect loop.
    let emu = Emulator::start(Config::default()).await.unwrap();
    seen.push(format!(
        "{:?}",
        webhook_client(&emu.base_url())
            .call(&read)
            .await
            .unwrap_err()
    ));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    seen.push(format!(
        "{:?}",
        webhook_client(&format!("http://{closed}"))
            .call(&read)
            .await
            .unwrap_err()
    ));
    let garbage = Scripted::start(
        vec![],
        Reply::json(200, serde_json::json!({"result": "not a list"})),
    )
    .await;
    seen.push(format!(
        "{}",
        webhook_client(&garbage.base())
            .call(&read)
            .await
            .unwrap_err()
    ));
    let looping = Scripted::start(
        vec![],
        Reply::redirect(&format!("/rest/1/{}/again", CANARIES[0])),
    )
    .await;
    seen.push(format!(
        "{:?}",
        webhook_client(&looping.base())
            .call(&read)
            .await
            .unwrap_err()
    ));
    // Following the portal's move sends no Referer (it would carry the old URL and its code).
    assert!(
        looping
            .script
            .received()
            .iter()
            .all(|r| r.headers.iter().all(|(k, _)| k != "referer")),
        "no Referer"
    );
    // Builders and parsed credentials.
    let builder = Client::builder()
        .webhook(&format!("https://portal.example/rest/1/{}/", CANARIES[0]))
        .unwrap();
    seen.push(format!("{builder:?}"));
    seen.push(format!(
        "{:?}",
        b24_client::Webhook::parse(&format!("https://portal.example/rest/1/{}/", CANARIES[0]))
    ));
    // Malformed and insecure webhook URLs.
    seen.push(
        Client::from_webhook(&format!("https://portal/rest/x/{}/", CANARIES[0]))
            .unwrap_err()
            .to_string(),
    );
    seen.push(
        Client::from_webhook(&format!(
            "http://portal.example.com/rest/1/{}/",
            CANARIES[0]
        ))
        .unwrap_err()
        .to_string(),
    );

    // OAuth: an expired token refreshed, then a refused refresh token.
    let emu = Emulator::start(Config {
        client_secret: Some(CANARIES[1].into()),
        bucket: b24_emulator::Bucket::OFF,
        ..Config::default()
    })
    .await
    .unwrap();
    let issued = emu.issue_tokens();
    let mut tokens = OAuthTokens::new(CANARIES[2], CANARIES[3], Duration::ZERO);
    tokens.expires_at = SystemTime::now() - Duration::from_secs(1);
    seen.push(format!("{tokens:?}"));
    let app = OAuthApp::new(&emu.base_url(), emu.client_id(), CANARIES[1], tokens)
        .unwrap()
        .token_endpoint(&emu.token_url())
        .unwrap()
        .store(Arc::new(MemoryTokenStore::default()));
    seen.push(format!("{app:?}"));
    let oauth = Client::builder()
        .oauth(app)
        .unlimited()
        .retry(retry())
        .build()
        .unwrap();
    seen.push(format!("{oauth:?}"));
    let err = oauth.call(&read).await.unwrap_err();
    seen.push(format!("{err} / {err:?}"));
    // A good refresh token, an unknown access token: 401 NO_AUTH_FOUND, no refresh.
    let good = OAuthTokens::new(CANARIES[2], issued.refresh_token, Duration::from_secs(3600));
    let app = OAuthApp::new(&emu.base_url(), emu.client_id(), CANARIES[1], good)
        .unwrap()
        .token_endpoint(&emu.token_url())
        .unwrap();
    let err = Client::builder()
        .oauth(app)
        .unlimited()
        .retry(retry())
        .build()
        .unwrap()
        .call(&read)
        .await
        .unwrap_err();
    seen.push(format!("{err} / {err:?}"));

    echoing_servers(&mut seen).await;

    for text in &seen {
        assert_clean("an error or Debug output", text);
    }
    let log = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert_clean("the log", &log);

    // The spans carry what operators need.
    assert!(log.contains("b24.call"), "call spans");
    assert!(
        log.contains("method=\"im.dialog.users.list\"")
            || log.contains("method=im.dialog.users.list"),
        "the method"
    );
    assert!(log.contains("attempt=2"), "attempts");
    assert!(
        log.contains("retrying") && log.contains("wait_ms="),
        "retry waits"
    );
    assert!(
        log.contains("status=500") || log.contains("status=503"),
        "statuses"
    );
    assert!(log.contains("refreshing the OAuth access token"));
    assert!(!log.contains("Portal Admin"), "no response body in the log");
}

fn show<C: b24_core::ErrorCode>(err: &b24_client::Error<C>) -> String {
    let mut text = format!("{err} / {err:?} / {:?} / {}", err.code(), err.description());
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" / {s} / {s:?}"));
        source = s.source();
    }
    text
}

/// Servers that echo the request (path, query, body: the webhook code, the OAuth token) into
/// every kind of answer the client turns into an error.
async fn echoing_servers(seen: &mut Vec<String>) {
    use b24_client::{Batch, BulkOptions};
    use futures_util::TryStreamExt as _;

    let read = DialogUsersListRequest::new(DialogId::Chat(1)).limit(1);
    let write = MessageAddRequest::new()
        .dialog_id(DialogId::Chat(1))
        .message("hi");
    // The secret sits where the preview of an error page is cut.
    let cut_page = format!("<html><body>{}{ECHO}</body></html>", "x".repeat(86));
    let answers = [
        Reply::json(
            400,
            serde_json::json!({"error": format!("ECHO_{ECHO}"), "error_description": ECHO}),
        ),
        Reply::json(
            500,
            serde_json::json!({"error": ECHO, "error_description": ECHO}),
        ),
        Reply::json(200, serde_json::json!({"result": [{"id": ECHO}]})),
        Reply::json(200, serde_json::json!({"result": ECHO})),
        Reply::json(
            200,
            serde_json::json!({"result": [{"id": 1, "phones": {"work_phone": [ECHO]}}]}),
        ),
        Reply::html(502, &cut_page),
        Reply::html(200, &cut_page),
    ];
    for answer in answers {
        let server = Scripted::start(vec![], answer).await;
        let client = webhook_client(&server.base());
        // An entry that does not fit is left out and reported, not an error: its report quotes
        // the server's values too.
        match client.call(&read).await {
            Ok(page) => {
                assert!(!page.skipped.is_empty(), "{page:?}");
                seen.push(format!("{:?}", page.skipped));
            }
            Err(e) => seen.push(show(&e)),
        }
        seen.push(show(&client.call(&write).await.unwrap_err()));
        // A result of any shape is the caller's data; only errors are checked.
        if let Err(e) = client.call_raw("im.x", &serde_json::json!({"Q": 1})).await {
            seen.push(show(&e));
        }
    }

    // Batch: a command's error, a command's result of the wrong type, and an entry left out.
    for answer in [
        serde_json::json!({"result": {"result": [], "result_error": {"c000000": {"error": ECHO, "error_description": ECHO}}}}),
        serde_json::json!({"result": {"result": {"c000000": ECHO}}}),
        serde_json::json!({"result": {"result": {"c000000": [{"id": ECHO}]}}}),
    ] {
        let server = Scripted::start(vec![], Reply::json(200, answer)).await;
        let mut batch = Batch::new();
        let handle = batch.add(&read).unwrap();
        let results = webhook_client(&server.base()).batch(batch).await.unwrap();
        match results.get(&handle) {
            Ok(page) => {
                assert!(!page.skipped.is_empty(), "{page:?}");
                seen.push(format!("{:?}", page.skipped));
            }
            Err(e) => seen.push(show(&e)),
        }
        seen.push(format!("{results:?}"));
    }

    // Bulk: a batch whose label and value echo the request.
    let first = Reply::json(
        200,
        serde_json::json!({"result": [{"id": 1}, {"id": 2}], "next": 2, "total": 4}),
    );
    let server = Scripted::start(
        vec![first],
        Reply::json(
            200,
            serde_json::json!({"result": {"result": {ECHO: [{"id": ECHO}]}}}),
        ),
    )
    .await;
    let options = BulkOptions::default().page_size(2);
    // The echoed entry is left out (and logged, scrubbed); the rest is the caller's data.
    match webhook_client(&server.base())
        .bulk(read.clone(), options)
        .try_collect::<Vec<_>>()
        .await
    {
        Ok(users) => seen.push(format!("{users:?}")),
        Err(e) => seen.push(show(&e)),
    }

    // OAuth: the refreshed tokens are secrets too.
    let server = Scripted::start(
        vec![Reply::json(
            200,
            serde_json::json!({"access_token": CANARIES[4], "refresh_token": CANARIES[5], "expires_in": 3600}),
        )],
        Reply::json(
            400,
            serde_json::json!({"error": ECHO, "error_description": ECHO}),
        ),
    )
    .await;
    let mut tokens = OAuthTokens::new(CANARIES[2], CANARIES[3], Duration::ZERO);
    tokens.expires_at = SystemTime::now() - Duration::from_secs(1);
    let app = OAuthApp::new(&server.base(), "app", CANARIES[1], tokens)
        .unwrap()
        .token_endpoint(&format!("{}/oauth/token/", server.base()))
        .unwrap();
    let oauth = Client::builder()
        .oauth(app)
        .unlimited()
        .retry(retry())
        .build()
        .unwrap();
    seen.push(show(&oauth.call(&read).await.unwrap_err()));
    let sent = server.script.received();
    assert!(
        sent.iter().any(|r| r.body.contains(CANARIES[4])),
        "the refreshed token was used"
    );
    seen.push(format!("{oauth:?}"));
}
