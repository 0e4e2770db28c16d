//! Helpers for talking to an in-process emulator over loopback HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use b24_emulator::{Config, Emulator};
use serde_json::Value;

/// Starts an emulator with `config` on a free port.
pub async fn start(config: Config) -> Emulator {
    Emulator::start(config).await.expect("the emulator starts")
}

/// A config without limits, for tests that are not about limits.
pub fn unlimited() -> Config {
    Config {
        bucket: b24_emulator::Bucket::OFF,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// POSTs a JSON body to a webhook method; returns the status and the parsed body.
pub async fn call(emu: &Emulator, method: &str, params: Value) -> (u16, Value) {
    let response = client()
        .post(format!("{}{method}", emu.webhook_url()))
        .json(&params)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// POSTs and returns the raw body bytes.
pub async fn call_raw(emu: &Emulator, method: &str, params: Value) -> (u16, Vec<u8>) {
    let response = client()
        .post(format!("{}{method}", emu.webhook_url()))
        .json(&params)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

/// Decodes a raw body with a method's generated types, panicking with the decode error.
pub fn decode<M: b24_core::Method>(status: u16, body: &[u8]) -> b24_core::Response<M::Output>
where
    M::ErrorCode: std::fmt::Debug,
{
    match b24_core::decode_response::<M>(Some(status), body) {
        Ok(r) => r,
        Err(e) => panic!(
            "{} does not decode: {e}\n{}",
            M::INFO.name,
            String::from_utf8_lossy(body)
        ),
    }
}
