//! Input an attacker controls cannot bring the emulator down or make it work without bound:
//! nesting depth (form keys, JSON, JS literals), the number of form fields and `KEY[]` appends,
//! `$result` amplification inside a batch, and message length. Each case is answered with an
//! error in the server's envelope, and the server goes on serving.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use b24_emulator::Emulator;
use serde_json::{Value, json};

/// POSTs a form body to `url`; returns the status and the parsed body.
async fn post_form(url: &str, body: String) -> (u16, Value) {
    let response = common::client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the emulator answers instead of dropping the connection");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The emulator still serves an ordinary call.
async fn still_serving(emu: &Emulator) {
    let (status, body) = common::call(emu, "im.counters.get", json!({})).await;
    assert_eq!(status, 200, "{body}");
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str, mentions: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(
        description.contains(mentions),
        "'{description}' should mention '{mentions}'"
    );
}

#[tokio::test]
async fn deeply_nested_form_keys_get_a_400_on_any_path_before_auth() {
    let emu = common::start(common::unlimited()).await;
    let deep = format!("X{}=1", "[a]".repeat(8_684));
    // Unauthenticated, on a path that is not even a method.
    let (status, body) =
        post_form(&format!("{}/rest/anything", emu.base_url()), deep.clone()).await;
    assert_error(
        status,
        &body,
        400,
        "INVALID_REQUEST",
        "nested deeper than 64",
    );
    // In the query string of a webhook call.
    let url = format!("{}im.counters.get?{deep}", emu.webhook_url());
    let (status, body) = post_form(&url, String::new()).await;
    assert_error(
        status,
        &body,
        400,
        "INVALID_REQUEST",
        "nested deeper than 64",
    );
    // Inside a batch command: that command fails, the others run.
    let cmd = format!(
        "cmd[a]={}&cmd[b]=im.counters.get",
        encode(&format!("im.counters.get?{deep}"))
    );
    let (status, body) = post_form(&format!("{}batch", emu.webhook_url()), cmd).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["result"]["result_error"]["a"]["error"],
        "INVALID_REQUEST"
    );
    assert!(body["result"]["result"]["b"].is_object(), "{body}");
    // PHP's own limit, 64 levels, still parses.
    let at_limit = format!("X{}=1&DIALOG_ID=chat1&LIMIT=1", "[a]".repeat(64));
    let url = format!("{}im.dialog.users.list", emu.webhook_url());
    let (status, body) = post_form(&url, at_limit).await;
    assert_eq!(status, 200, "{body}");
    still_serving(&emu).await;
}

#[tokio::test]
async fn deep_js_literals_and_json_are_refused_not_fatal() {
    let emu = common::start(common::unlimited()).await;
    let brackets = "[".repeat(8_143);
    let users = format!("{}im.user.list.get", emu.webhook_url());
    // A form parameter the server decodes as a JS literal.
    let (status, body) = post_form(&users, format!("ID={}", encode(&brackets))).await;
    assert_error(status, &body, 400, "INVALID_FORMAT", "ID");
    // The same text in a 9 KB JSON body.
    let (status, body) =
        common::call(&emu, "im.user.list.get", json!({"ID": "[".repeat(9_000)})).await;
    assert_error(status, &body, 400, "INVALID_FORMAT", "ID");
    // Inside a batch.
    let cmd = format!(
        "cmd[a]={}",
        encode(&format!("im.user.list.get?ID={}", encode(&brackets)))
    );
    let (status, body) = post_form(&format!("{}batch", emu.webhook_url()), cmd).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["result"]["result_error"]["a"]["error"],
        "INVALID_FORMAT"
    );
    // An attachment.
    let (status, body) = common::call(
        &emu,
        "im.message.add",
        json!({"DIALOG_ID": "chat1", "MESSAGE": "x", "ATTACH": brackets}),
    )
    .await;
    assert_error(status, &body, 400, "ATTACH_ERROR", "attach");
    // A JSON body nested past the parser's limit.
    let deep_json = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    let response = common::client()
        .post(&users)
        .header("content-type", "application/json")
        .body(deep_json)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_error(status, &body, 400, "INVALID_REQUEST", "JSON");
    // A literal within the limit still decodes: a list of lists is an array of arrays, each
    // `intval` 1.
    let (status, body) = post_form(&users, format!("ID={}", encode("[[[1]], [2]]"))).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["result"]["1"].is_object(), "{body}");
    still_serving(&emu).await;
}

#[tokio::test]
async fn form_fields_are_bounded_per_request() {
    let emu = common::start(common::unlimited()).await;
    let users = format!("{}im.user.list.get", emu.webhook_url());
    // 80,000 appends (468 KB): refused at once instead of parsed in quadratic time.
    let (status, body) = post_form(&users, vec!["ID[]=1"; 80_000].join("&")).await;
    assert_error(status, &body, 400, "INVALID_REQUEST", "more than 10000");
    // The query string counts too.
    let url = format!("{users}?{}", vec!["ID[]=1"; 6_000].join("&"));
    let (status, body) = post_form(&url, vec!["ID[]=2"; 6_000].join("&")).await;
    assert_error(status, &body, 400, "INVALID_REQUEST", "more than 10000");
    // Up to the limit every field is read (the unit tests check how appends are numbered).
    let mut fields = vec!["ID[7]=3".to_owned()];
    fields.extend((0..9_997).map(|_| "ID[]=1".to_owned()));
    fields.push("ID[]=2&RESULT_TYPE=array".to_owned());
    let (status, body) = post_form(&users, fields.join("&")).await;
    assert_eq!(status, 200, "{body}");
    let mut ids: Vec<u64> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3]);
    still_serving(&emu).await;
}

#[tokio::test]
async fn long_id_lists_are_read_in_linear_time() {
    let emu = common::start(common::unlimited()).await;
    // 300,000 distinct ids in a 2.4 MB JSON body: merging duplicates used to compare each id
    // with every earlier one (45 billion comparisons); now each is looked up once.
    let ids: Vec<u64> = (1..=300_000).collect();
    let (status, body) = common::call(
        &emu,
        "im.user.list.get",
        json!({"ID": ids, "RESULT_TYPE": "array"}),
    )
    .await;
    assert_eq!(status, 200);
    let users = body["result"].as_array().unwrap();
    assert_eq!(users.len(), 300_000);
    assert!(users[0].is_object(), "user 1 exists");
    assert!(users[299_999].is_null(), "user 300000 does not");
}

/// The text of the newest message of chat1.
async fn newest_text(emu: &Emulator) -> String {
    let (status, body) = common::call(
        emu,
        "im.dialog.messages.get",
        json!({"DIALOG_ID": "chat1", "LAST_ID": 0, "LIMIT": 1}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["result"]["messages"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn message_text_is_cut_at_the_servers_limit() {
    let emu = common::start(common::unlimited()).await;
    // Exactly 20,000 characters (two bytes each in UTF-8) are kept as sent.
    let full = "é".repeat(20_000);
    let (status, body) = common::call(
        &emu,
        "im.message.add",
        json!({"DIALOG_ID": "chat1", "MESSAGE": full}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(newest_text(&emu).await, full);
    // One more is cut to 20,000 characters, the last six of them " (...)".
    let long = format!("{full}z");
    let (status, body) = common::call(
        &emu,
        "im.message.add",
        json!({"DIALOG_ID": "chat1", "MESSAGE": long}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stored = newest_text(&emu).await;
    assert_eq!(stored.chars().count(), 20_000);
    assert_eq!(stored, format!("{} (...)", "é".repeat(19_994)));
}

#[tokio::test]
async fn chained_result_references_cannot_amplify() {
    let emu = common::start(common::unlimited()).await;
    // Each step posts ten copies of the previous message: 1 KB grows to 1 MB in three steps
    // (and to 1 GB in six) unless the server's limits hold.
    // Keys sort in the order the commands must run (the emulator runs them in key order).
    let mut cmd = vec![format!(
        "cmd[k0b]={}",
        encode(&format!(
            "im.message.add?DIALOG_ID=chat1&MESSAGE={}",
            "a".repeat(1_000)
        ))
    )];
    for step in 1..=3 {
        let read = "im.dialog.messages.get?DIALOG_ID=chat1&LIMIT=1&LAST_ID=0";
        let copies = format!("$result[k{step}a][messages][0][text]").repeat(10);
        let write = format!("im.message.add?DIALOG_ID=chat1&MESSAGE={copies}");
        cmd.push(format!("cmd[k{step}a]={}", encode(read)));
        cmd.push(format!("cmd[k{step}b]={}", encode(&write)));
    }
    // One command that would expand to 2 MB on its own.
    let copies = "$result[k3a][messages][0][text]".repeat(100);
    cmd.push(format!(
        "cmd[k9]={}",
        encode(&format!("im.message.add?DIALOG_ID=chat1&MESSAGE={copies}"))
    ));
    let (status, body) = post_form(&format!("{}batch", emu.webhook_url()), cmd.join("&")).await;
    assert_eq!(status, 200, "{body}");
    let errors = &body["result"]["result_error"];
    assert_eq!(errors.as_object().map(|e| e.len()), Some(1), "{errors}");
    assert_eq!(errors["k9"]["error"], "INVALID_REQUEST");
    assert!(
        errors["k9"]["error_description"]
            .as_str()
            .unwrap()
            .contains("$result"),
        "{errors}"
    );
    let longest = emu.with_portal(|p| {
        p.messages
            .iter()
            .map(|m| m.text.chars().count())
            .max()
            .unwrap()
    });
    assert_eq!(longest, 20_000, "every stored message is within the limit");
    still_serving(&emu).await;
}
