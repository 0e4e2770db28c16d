//! `b24 decode` as a user runs it: a real process, real files and pipes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn spec_example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec/im/examples")
        .join(name)
}

fn b24(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // `b24` may answer (an unknown method) and exit before it reads its input.
        if let Err(e) = input.write_all(text.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn decodes_the_documented_example() {
    let path = spec_example("dialog.users.list.json");
    let out = b24(
        &["decode", "im.dialog.users.list", path.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"][0]["id"], 1269);
    assert_eq!(json["result"][0]["idle"], false);
    assert_eq!(
        json["result"][0]["last_activity_date"],
        "2026-03-02T17:45:59+02:00"
    );
    assert_eq!(json["total"], 3);
    assert!(
        text(&out.stdout).contains("\n  \"result\""),
        "pretty-printed"
    );
}

#[test]
fn reads_standard_input() {
    let body = std::fs::read_to_string(spec_example("dialog.users.list.json")).unwrap();
    for args in [
        &["decode", "im.dialog.users.list"][..],
        &["decode", "im.dialog.users.list", "-"],
    ] {
        let out = b24(args, Some(&body));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Alexander Smith"));
    }
}

#[test]
fn a_user_that_does_not_fit_is_left_out_with_a_warning_naming_the_json_path() {
    let mut body: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(spec_example("dialog.users.list.json")).unwrap(),
    )
    .unwrap();
    let first = body["result"][0].clone();
    body["result"].as_array_mut().unwrap().push(first);
    body["result"][3]["idle"] = serde_json::json!("yesterday");
    let out = b24(&["decode", "im.dialog.users.list"], Some(&body.to_string()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("left out `result[3]`"), "{err}");
    assert!(err.contains("`result[3].idle`"), "{err}");
    assert!(err.contains("\"yesterday\""), "says what was found: {err}");
    let printed: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        printed["result"].as_array().map(Vec::len),
        Some(3),
        "the users that fit"
    );
}

#[test]
fn undecodable_body_names_the_json_path() {
    let mut body: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(spec_example("dialog.users.list.json")).unwrap(),
    )
    .unwrap();
    body["total"] = serde_json::json!("yesterday");
    let out = b24(&["decode", "im.dialog.users.list"], Some(&body.to_string()));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("`total`"), "{err}");
    assert!(err.contains("\"yesterday\""), "says what was found: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn error_body_prints_the_code() {
    let path = spec_example("dialog.users.list.error.json");
    let out = b24(
        &[
            "decode",
            "im.dialog.users.list",
            path.to_str().unwrap(),
            "--status",
            "400",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("DIALOG_ID_EMPTY: Dialog ID can't be empty (HTTP 400)"),
        "{err}"
    );
}

#[test]
fn html_error_page_is_a_decode_error_not_a_panic() {
    let out = b24(
        &["decode", "im.dialog.users.list"],
        Some("<html><body>502 Bad Gateway</body></html>"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not valid JSON"), "{err}");
    assert!(err.contains("<html>"), "{err}");
}

#[test]
fn unknown_method_lists_the_known_ones() {
    let out = b24(&["decode", "im.no.such.method"], Some("{}"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`im.no.such.method` is not in the spec"),
        "{err}"
    );
    assert!(err.contains("  im.dialog.users.list"), "{err}");
}

#[test]
fn bad_arguments_get_usage() {
    let out = b24(&["decode"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Usage"));
    let out = b24(
        &["decode", "im.dialog.users.list", "/no/such/file.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read `/no/such/file.json`"));
}

fn imbot_example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec/imbot/examples")
        .join(name)
}

#[test]
fn decodes_bot_methods_and_lists_them() {
    let path = imbot_example("Command.list.rev33.json");
    let out = b24(
        &["decode", "imbot.v2.Command.list", path.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"]["commands"][0]["id"], "def0");
    assert_eq!(json["result"]["commands"][6]["id"], 42);
    let methods = text(&b24(&["methods"], None).stdout);
    assert!(methods.contains("imbot.v2.Bot.register") && methods.contains("im.message.add"));
}

#[test]
fn decodes_bot_events_from_a_webhook_form_and_a_fetch_entry_without_printing_tokens() {
    let form = imbot_example("events/ONIMBOTV2COMMANDADD.webhook.form");
    let out = b24(&["decode", "event", form.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["event"], "ONIMBOTV2COMMANDADD");
    // Form values are strings on the wire; the typed event prints numbers.
    assert_eq!(json["data"]["command"]["id"], 78);
    assert_eq!(json["hasApplicationToken"], true);
    assert!(!text(&out.stdout).contains("831c76b092f9f135d9b6b36c3a720757"));
    assert!(!text(&out.stdout).contains("access_token"));

    let entry = text(&std::fs::read(imbot_example("events/ONIMBOTV2JOINCHAT.fetch.json")).unwrap());
    let out = b24(&["decode", "event", "--compact"], Some(&entry));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["event"].as_str(), json["eventId"].as_u64()),
        (Some("ONIMBOTV2JOINCHAT"), Some(1004))
    );
    assert_eq!(json["data"]["dialogId"], "chat5");
}
