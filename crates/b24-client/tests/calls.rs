//! Calling through the client, over loopback HTTP: typed results and errors, raw calls, the
//! transport's rules (https only, one portal move, gzip, connection reuse).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use b24_client::{Client, ConfigError, Error, RetryPolicy, TransportKind};
use b24_core::{DialogId, SystemErrorCode};
use b24_emulator::{Config, Emulator};
use b24_im::{DialogUsersListErrorCode, DialogUsersListRequest};
use common::{Reply, Scripted, ok_body};
use serde_json::json;

fn unlimited() -> Config {
    Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        dialog_size: Some(120),
        ..Config::default()
    }
}

fn fast(url: &str) -> Client {
    Client::builder()
        .webhook(url)
        .unwrap()
        .unlimited()
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(std::time::Duration::from_millis(5))
                .max_delay(std::time::Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn typed_call_returns_result_total_next_and_time() {
    let emu = Emulator::start(unlimited()).await.unwrap();
    let client = fast(&emu.webhook_url());
    let page = client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(50))
        .await
        .unwrap();
    assert_eq!(page.result.len(), 50);
    assert_eq!(page.total, Some(120));
    assert_eq!(page.next, Some(50));
    let time = page.time.unwrap();
    assert!(time.operating.is_some() && time.date_start.is_some());
    assert_eq!(page.result[0].id, 1);
}

#[tokio::test]
async fn errors_are_told_apart() {
    let emu = Emulator::start(unlimited()).await.unwrap();
    let client = fast(&emu.webhook_url());
    // The method's own code, typed.
    let err = client
        .call(&DialogUsersListRequest::new(DialogId::Chat(5)))
        .await
        .unwrap_err();
    match &err {
        Error::Api(e) => assert_eq!(e.code, DialogUsersListErrorCode::AccessError),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("ACCESS_ERROR"))
    );
    assert!(!err.is_retryable() && !err.was_possibly_executed());
    assert_eq!(
        err.description(),
        "You do not have access to the specified dialog"
    );

    // A system error, typed as such.
    let wrong = emu.webhook_url().replace("/rest/1/", "/rest/2/");
    let err = fast(&wrong)
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap_err();
    assert_eq!(err.system(), Some(SystemErrorCode::NoAuthFound));
    assert!(
        matches!(&err, Error::Api(e) if e.code == DialogUsersListErrorCode::System(SystemErrorCode::NoAuthFound))
    );

    // Nothing listening: a transport error that provably did not run.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = fast(&format!("http://{closed}/rest/1/code/"))
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Connect),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.was_possibly_executed());
}

#[tokio::test]
async fn a_user_that_does_not_fit_is_left_out_and_reported() {
    let mut bad_user = json!({"id": 7, "name": "x"});
    bad_user["idle"] = json!("yesterday");
    let users = json!([{"id": 5}, bad_user, {"id": 9}]);
    let server = Scripted::start(vec![], Reply::json(200, ok_body(users))).await;
    let page = fast(&server.webhook("code"))
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap();
    let ids: Vec<u64> = page.result.iter().map(|u| u.id).collect();
    assert_eq!(ids, [5, 9]);
    let [skipped] = page.skipped.as_slice() else {
        panic!("{:?}", page.skipped)
    };
    assert_eq!(skipped.entry, "result[1]");
    assert_eq!(skipped.error.path, "result[1].idle");
}

#[tokio::test]
async fn undecodable_answers_name_the_json_path() {
    let server = Scripted::start(vec![], Reply::json(200, ok_body(json!("users")))).await;
    let err = fast(&server.webhook("code"))
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap_err();
    match &err {
        Error::Decode { status, error } => {
            assert_eq!(*status, 200);
            assert_eq!(error.path, "result", "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_possibly_executed(), "a 200 means the call ran");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn call_raw_reaches_methods_outside_the_spec() {
    let emu = Emulator::start(unlimited()).await.unwrap();
    let client = fast(&emu.webhook_url());
    let page = client
        .call_raw_read_only(
            "im.dialog.users.list",
            &json!({"DIALOG_ID": "chat1", "LIMIT": 2}),
        )
        .await
        .unwrap();
    assert_eq!(page.result.as_array().unwrap().len(), 2);
    assert_eq!(page.total, Some(120));
    let err = client
        .call_raw("im.not.in.the.spec", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.system(), Some(SystemErrorCode::ErrorMethodNotFound));
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn plain_http_is_refused_unless_loopback() {
    for url in [
        "http://portal.example.com/rest/1/code/",
        "http://10.1.2.3/rest/1/code/",
    ] {
        let err = Client::from_webhook(url).unwrap_err();
        assert!(matches!(err, ConfigError::InsecureUrl { .. }), "{err}");
    }
    assert!(Client::from_webhook("https://portal.example.com/rest/1/code/").is_ok());
    assert!(Client::from_webhook("http://localhost:8080/rest/1/code/").is_ok());
}

#[tokio::test]
async fn a_portal_move_is_followed_once_and_loops_are_refused() {
    let new_home = Scripted::start(vec![], Reply::json(200, ok_body(json!(5)))).await;
    let moved = Scripted::start(
        vec![],
        Reply::redirect(&format!(
            "{}/rest/1/code/im.message.add.json",
            new_home.base()
        )),
    )
    .await;
    let client = fast(&moved.webhook("code"));
    let request = b24_im::MessageAddRequest::new()
        .dialog_id(DialogId::Chat(1))
        .message("hi");
    assert_eq!(client.call(&request).await.unwrap().result, 5);
    assert_eq!(
        client.portal().as_str(),
        format!("{}/", new_home.base()),
        "later calls go to the new address"
    );
    assert_eq!(client.call(&request).await.unwrap().result, 5);
    assert_eq!(moved.script.received().len(), 1);
    assert_eq!(new_home.script.received().len(), 2);
    assert!(
        new_home.script.received()[0]
            .body
            .contains("\"MESSAGE\":\"hi\""),
        "the body is sent again, not dropped"
    );

    let a = Scripted::start(vec![], Reply::redirect("/rest/1/code/x")).await;
    let err = fast(&a.webhook("code")).call(&request).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Redirect),
        "{err:?}"
    );
}

#[tokio::test]
async fn gzip_and_connection_reuse() {
    use std::io::Write as _;
    let body = ok_body(json!(42)).to_string();
    let mut encoder = flate2_lite::GzEncoder::new();
    encoder.write_all(body.as_bytes()).unwrap();
    let gz = encoder.finish();
    let server = Scripted::start(
        vec![],
        Reply {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("content-encoding".into(), "gzip".into()),
            ],
            body: gz,
            stall: None,
        },
    )
    .await;
    let client = fast(&server.webhook("code"));
    let request = b24_im::MessageAddRequest::new()
        .dialog_id(DialogId::Chat(1))
        .message("hi");
    for _ in 0..5 {
        assert_eq!(client.call(&request).await.unwrap().result, 42);
    }
    let received = server.script.received();
    assert!(
        received[0]
            .headers
            .iter()
            .any(|(k, v)| k == "accept-encoding" && v.contains("gzip"))
    );
    assert_eq!(
        server
            .script
            .connections
            .load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one connection, reused"
    );
}

/// A minimal gzip writer (stored blocks), so the test needs no compression crate.
mod flate2_lite {
    pub struct GzEncoder(Vec<u8>);
    impl GzEncoder {
        pub fn new() -> Self {
            Self(Vec::new())
        }
        pub fn finish(self) -> Vec<u8> {
            let data = self.0;
            let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
            for (i, chunk) in data.chunks(65_535).enumerate() {
                let last = (i + 1) * 65_535 >= data.len();
                out.push(u8::from(last));
                let len = chunk.len() as u16;
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&(!len).to_le_bytes());
                out.extend_from_slice(chunk);
            }
            if data.is_empty() {
                out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
            }
            out.extend_from_slice(&crc32(&data).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out
        }
    }
    impl std::io::Write for GzEncoder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
