//! `b24 call` and `b24 demo` as a user runs them, against an in-process emulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Output};

use b24_emulator::{Config, Emulator};
use serde_json::Value;

fn b24(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_b24"));
    cmd.args(args).env_remove("B24_WEBHOOK_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn emulator() -> Emulator {
    Emulator::start(Config {
        dialog_size: Some(30),
        webhook_token: Some("cliSECRETcode9".into()),
        ..Config::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_call_prints_the_result() {
    let emu = emulator().await;
    let url = emu.webhook_url();
    let out = tokio::task::spawn_blocking(move || {
        b24(
            &[
                "call",
                "im.dialog.users.list",
                "DIALOG_ID=chat1",
                "LIMIT=5",
                "--webhook",
                &url,
            ],
            &[],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result.as_array().unwrap().len(), 5);
    assert_eq!(result[0]["id"], 1);

    let url = emu.webhook_url();
    let out = tokio::task::spawn_blocking(move || {
        b24(
            &[
                "call",
                "im.dialog.users.list",
                "--json",
                r#"{"DIALOG_ID":"chat1"}"#,
                "LIMIT=2",
                "--envelope",
                "--compact",
            ],
            &[("B24_WEBHOOK_URL", &url)],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let envelope: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(envelope["total"], 30);
    assert_eq!(envelope["next"], 2);
    assert!(envelope["time"]["operating"].is_number());
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_and_methods_outside_the_spec() {
    let emu = emulator().await;
    let url = emu.webhook_url();
    let out = tokio::task::spawn_blocking(move || {
        b24(
            &[
                "call",
                "im.dialog.users.list",
                "DIALOG_ID=chat5",
                "--webhook",
                &url,
            ],
            &[],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "im.dialog.users.list: ACCESS_ERROR: You do not have access to the specified dialog (HTTP 403)"
    );
    let url = emu.webhook_url();
    let out = tokio::task::spawn_blocking(move || {
        b24(&["call", "imbot.bot.list", "--webhook", &url], &[])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ERROR_METHOD_NOT_FOUND"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_and_verbose_output_hides_the_secret() {
    let emu = emulator().await;
    let out = b24(&["call", "im.dialog.users.list"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("B24_WEBHOOK_URL"));
    let out = b24(
        &[
            "call",
            "im.dialog.users.list",
            "LIMIT",
            "--webhook",
            "https://p.example/rest/1/x/",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not NAME=VALUE"));
    let out = b24(
        &[
            "call",
            "im.x",
            "--webhook",
            "http://portal.example.com/rest/1/cliSECRETcode9/",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("refusing plain http"));
    assert!(!text(&out.stderr).contains("cliSECRETcode9"));
    let out = b24(&["call", "--bogus"], &[]);
    assert_eq!(out.status.code(), Some(2));

    let url = emu.webhook_url();
    let out = tokio::task::spawn_blocking(move || {
        b24(
            &[
                "call",
                "im.dialog.users.list",
                "DIALOG_ID=chat1",
                "-vv",
                "--webhook",
                &url,
            ],
            &[],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log = text(&out.stderr);
    assert!(
        log.contains("b24.call") && log.contains("im.dialog.users.list"),
        "{log}"
    );
    assert!(!log.contains("cliSECRETcode9"), "{log}");
    assert!(!text(&out.stdout).contains("cliSECRETcode9"));
}

#[test]
fn demo_runs_on_built_in_defaults_and_ends() {
    let out = b24(&["demo", "--dialog-size", "300"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Alexander Smith"), "{stdout}");
    assert!(
        stdout.contains("chat1: 300 participants visible"),
        "{stdout}"
    );
    assert!(stdout.contains("no 503: true"), "{stdout}");
    assert!(stdout.trim_end().ends_with("done"));
}
