//! Helpers for talking to an in-process emulator over loopback HTTP. Every answer of a spec
//! method that goes through [`call`] or [`call_raw`] is checked strictly against the spec
//! (unknown keys, wrong shapes, undocumented codes, statuses or texts fail the test).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

/// `GET /_emulator/stats`.
pub async fn stats(emu: &Emulator) -> Value {
    client()
        .get(format!("{}/_emulator/stats", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Checks an answer of `method` strictly against its spec. Names not in the spec and bodies
/// that are not JSON (an injected HTML 502 or cut body) are not the method's answer.
pub fn check_strictly(method: &str, status: u16, body: &[u8]) {
    let Some(entry) = b24_im::METHODS
        .iter()
        .chain(b24_imbot::METHODS)
        .find(|m| m.info.name == method)
    else {
        return;
    };
    if serde_json::from_slice::<Value>(body).is_err() {
        return;
    }
    if let Err(e) = b24_core::testing::check_answer(entry, status, body) {
        panic!(
            "the answer does not match the spec: {e}\n{}",
            String::from_utf8_lossy(body)
        );
    }
}

/// POSTs a JSON body to a webhook method; returns the status and the parsed body, checked
/// strictly against the spec.
pub async fn call(emu: &Emulator, method: &str, params: Value) -> (u16, Value) {
    let (status, body) = call_raw(emu, method, params).await;
    let text = String::from_utf8_lossy(&body).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// POSTs and returns the raw body bytes, checked strictly against the spec.
pub async fn call_raw(emu: &Emulator, method: &str, params: Value) -> (u16, Vec<u8>) {
    let (status, body) = call_unchecked(emu, method, params).await;
    check_strictly(method, status, &body);
    (status, body)
}

/// POSTs and returns the raw body bytes as they are: for answers that deliberately carry what
/// the spec does not describe (a server quirk the client must survive).
pub async fn call_unchecked(emu: &Emulator, method: &str, params: Value) -> (u16, Vec<u8>) {
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
