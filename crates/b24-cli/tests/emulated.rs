//! `b24 decode` decodes what the emulator serves, in every mode of `im.dialog.users.list`, and
//! `b24 emulate` runs the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use b24_emulator::{Config, Emulator};
use serde_json::{Value, json};

fn decode_with_cli(method: &str, status: u16, body: &[u8]) -> (i32, Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["decode", method, "-", "--status", &status.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn fetch(emu: &Emulator, params: Value) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(format!("{}im.dialog.users.list", emu.webhook_url()))
        .json(&params)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn every_mode_of_dialog_users_list_decodes_with_b24_decode() {
    let emu = Emulator::start(Config {
        dialog_size: Some(120),
        hidden_members_pct: 30.0,
        bucket: b24_emulator::Bucket::OFF,
        ..Config::default()
    })
    .await
    .unwrap();
    let partner = emu.with_portal(|p| {
        p.chats
            .iter()
            .find(|c| c.kind == "private")
            .unwrap()
            .members[1]
            .user_id
    });
    let modes = [
        (
            "offset, first page",
            json!({"DIALOG_ID": "chat1", "LIMIT": 50}),
        ),
        (
            "offset via start",
            json!({"DIALOG_ID": "chat1", "LIMIT": 50, "start": 50}),
        ),
        (
            "offset, last page",
            json!({"DIALOG_ID": "chat1", "OFFSET": 150}),
        ),
        (
            "keyset",
            json!({"DIALOG_ID": "chat1", "LAST_ID": 0, "LIMIT": 200}),
        ),
        (
            "skip external",
            json!({"DIALOG_ID": "chat1", "SKIP_EXTERNAL": "Y", "SKIP_EXTERNAL_EXCEPT_TYPES": "bot"}),
        ),
        ("private dialog", json!({"DIALOG_ID": partner.to_string()})),
        ("workgroup chat", json!({"DIALOG_ID": "sg10"})),
    ];
    for (mode, params) in modes {
        let (status, body) = fetch(&emu, params).await;
        let (code, typed, err) = decode_with_cli("im.dialog.users.list", status, &body);
        assert_eq!(code, 0, "{mode}: {err}");
        let raw: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            typed["result"], raw["result"],
            "{mode}: decoding and encoding again gives the same users"
        );
        assert_eq!(typed["total"], raw["total"], "{mode}");
        assert_eq!(typed["next"], raw["next"], "{mode}");
    }
    for (mode, params, code) in [
        ("no dialog id", json!({}), "DIALOG_ID_EMPTY"),
        ("no access", json!({"DIALOG_ID": "chat5"}), "ACCESS_ERROR"),
    ] {
        let (status, body) = fetch(&emu, params).await;
        let (exit, _, err) = decode_with_cli("im.dialog.users.list", status, &body);
        assert_eq!(exit, 1, "{mode}");
        assert!(
            err.contains(code) && !err.contains("does not document"),
            "{mode}: {err}"
        );
    }
}

#[test]
fn b24_emulate_serves_and_stops() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["emulate", "--port", "0", "--dialog-size", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let body: Value = runtime.block_on(async {
        reqwest::get(format!("{url}im.dialog.users.list?DIALOG_ID=chat1"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(body["total"], 10);
    assert!(
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
}
