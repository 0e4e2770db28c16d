//! `Config { tls: true, .. }`: HTTPS on loopback with a certificate signed by the CA the
//! emulator hands out, refused by a client that does not trust that CA.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use b24_emulator::{Config, Emulator};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn https_with_the_emulators_ca_and_only_with_it() {
    let emulator = Emulator::start(Config {
        tls: true,
        dialog_size: Some(7),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emulator.webhook_url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(emulator.token_url().starts_with("https://"));
    let ca = emulator.ca_pem().unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .build()
        .unwrap();
    let body: Value = trusting
        .post(format!("{url}im.dialog.users.list"))
        .json(&serde_json::json!({"DIALOG_ID": "chat1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["total"], 7, "{body}");

    // The default roots do not include a CA made a moment ago.
    let default = reqwest::Client::new();
    let refused = default
        .post(format!("{url}im.counters.get"))
        .send()
        .await
        .unwrap_err();
    assert!(refused.is_connect(), "{refused:?}");

    // Plain http to the TLS port is not served either.
    let plain = url.replacen("https://", "http://", 1);
    assert!(
        default
            .post(format!("{plain}im.counters.get"))
            .send()
            .await
            .is_err()
    );
    emulator.shutdown().await;
}
