//! `b24 upload`, `b24 download` and `b24 call` for the issue 12 methods, as a user runs them,
//! against an in-process emulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Output};

use b24_emulator::{Config, Emulator};
use serde_json::Value;

async fn b24(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_b24"))
            .args(&args)
            .env_remove("B24_WEBHOOK_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_then_download_gives_the_same_bytes() {
    let emu = Emulator::start(Config {
        bucket: b24_emulator::Bucket::OFF,
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emu.webhook_url();
    let dir = std::env::temp_dir().join(format!("b24-cli-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("photo.jpg");
    let content: Vec<u8> = (0..70_000_u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&source, &content).unwrap();

    let out = b24(strings(&[
        "upload",
        "chat1",
        source.to_str().unwrap(),
        "--message",
        "from the CLI",
        "--webhook",
        &url,
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a terminal: no progress bar on stderr.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sent["chatId"], 1);
    let file_id = sent["fileId"].as_u64().unwrap();

    let target = dir.join("copy.jpg");
    let out = b24(strings(&[
        "download",
        "chat1",
        &file_id.to_string(),
        target.to_str().unwrap(),
        "--webhook",
        &url,
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["size"], content.len());
    assert_eq!(std::fs::read(&target).unwrap(), content);

    // An unknown file: a typed error, exit 1.
    let out = b24(strings(&["download", "chat1", "999999", "--webhook", &url])).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FILE_NOT_FOUND"));

    // `b24 call` knows the new methods and decodes them with their types.
    let out = b24(strings(&["call", "im.revision.get", "--webhook", &url])).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revisions: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(revisions["im_revision_mobile"], revisions["mobile"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_portal_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["upload", "chat1", "x.bin"])
        .env_remove("B24_WEBHOOK_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
