//! `im.dialog.users.list` behaves as `docs/server-behaviour.md` describes, over real HTTP, and
//! every mode's response decodes with the generated types.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use b24_emulator::Config;
use b24_im::DialogUsersListRequest;
use serde_json::{Value, json};

const M: &str = "im.dialog.users.list";

fn ids(body: &Value) -> Vec<u64> {
    body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect()
}

/// Calls the method, checks the body decodes with the generated types, returns the JSON.
async fn list(emu: &b24_emulator::Emulator, params: Value) -> Value {
    let (status, body) = common::call_raw(emu, M, params).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let typed = common::decode::<DialogUsersListRequest>(status, &body);
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(typed.result.len(), json["result"].as_array().unwrap().len());
    assert_eq!(typed.total, json["total"].as_i64());
    assert_eq!(typed.next, json["next"].as_u64());
    json
}

fn sized(n: usize, hidden_pct: f64) -> Config {
    Config {
        dialog_size: Some(n),
        hidden_members_pct: hidden_pct,
        ..common::unlimited()
    }
}

#[tokio::test]
async fn offset_mode_has_total_and_next_by_items_returned() {
    let emu = common::start(sized(120, 0.0)).await;
    let page = list(&emu, json!({"DIALOG_ID": "chat1", "LIMIT": 50})).await;
    assert_eq!(ids(&page).len(), 50);
    assert_eq!(page["total"], 120);
    assert_eq!(page["next"], 50);
    let page = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 50, "OFFSET": 100}),
    )
    .await;
    assert_eq!(ids(&page).len(), 20);
    assert_eq!(page["total"], 120);
    assert!(page.get("next").is_none(), "no next on the last page");
    let time = &page["time"];
    for key in [
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating_reset_at",
        "operating",
    ] {
        assert!(time.get(key).is_some(), "time.{key}");
    }
}

#[tokio::test]
async fn limit_default_and_cap() {
    let emu = common::start(sized(300, 0.0)).await;
    for (limit, expected) in [
        (json!(null), 50),
        (json!(0), 50),
        (json!(-5), 50),
        (json!("abc"), 50),
        (json!(7), 7),
        (json!(500), 200),
        (json!(200), 200),
    ] {
        let mut params = json!({"DIALOG_ID": "chat1"});
        if !limit.is_null() {
            params["LIMIT"] = limit.clone();
        }
        assert_eq!(
            ids(&list(&emu, params).await).len(),
            expected,
            "LIMIT={limit}"
        );
    }
}

#[tokio::test]
async fn start_wins_over_offset() {
    let emu = common::start(sized(60, 0.0)).await;
    let all = ids(&list(&emu, json!({"DIALOG_ID": "chat1", "LIMIT": 60})).await);
    let with_start = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 10, "OFFSET": 30, "start": 5}),
    )
    .await;
    assert_eq!(ids(&with_start), all[5..15]);
    let start_zero = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 10, "OFFSET": 30, "start": 0}),
    )
    .await;
    assert_eq!(
        ids(&start_zero),
        all[30..40],
        "start 0 leaves OFFSET in force"
    );
}

#[tokio::test]
async fn keyset_mode_is_in_id_order_without_total_or_next() {
    let emu = common::start(sized(80, 0.0)).await;
    let joined = ids(&list(&emu, json!({"DIALOG_ID": "chat1", "LIMIT": 80})).await);
    let mut sorted = joined.clone();
    sorted.sort_unstable();
    assert_ne!(
        joined, sorted,
        "offset mode lists in join order, which differs from id order"
    );

    let page = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 30, "LAST_ID": 0, "OFFSET": 40}),
    )
    .await;
    assert_eq!(
        ids(&page),
        sorted[..30],
        "LAST_ID=0 is keyset mode; OFFSET is ignored"
    );
    assert!(page.get("total").is_none() && page.get("next").is_none());
    let after = sorted[29];
    let page = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 30, "LAST_ID": after}),
    )
    .await;
    assert_eq!(ids(&page), sorted[30..60]);
    let page = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 5, "LAST_ID": "abc"}),
    )
    .await;
    assert_eq!(ids(&page), sorted[..5], "a non-numeric LAST_ID casts to 0");
    let page = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 5, "LAST_ID": -1}),
    )
    .await;
    assert!(
        page.get("total").is_some(),
        "a negative LAST_ID is offset mode"
    );
    let page = list(&emu, json!({"DIALOG_ID": "chat1", "LAST_ID": sorted[79]})).await;
    assert_eq!(page["result"], json!([]), "past the end: an empty page");
}

#[tokio::test]
async fn hidden_members_make_short_overlapping_pages() {
    let emu = common::start(sized(200, 25.0)).await;
    let mut offset = 0u64;
    let mut pages = 0;
    let mut seen = Vec::new();
    let mut total;
    loop {
        let page = list(
            &emu,
            json!({"DIALOG_ID": "chat1", "LIMIT": 20, "OFFSET": offset}),
        )
        .await;
        total = page["total"].as_i64().unwrap();
        let got = ids(&page);
        if got.is_empty() {
            break;
        }
        assert!(got.len() <= 20);
        seen.extend(got.iter().copied());
        pages += 1;
        match page.get("next") {
            Some(next) => {
                assert_eq!(
                    next.as_u64().unwrap(),
                    offset + got.len() as u64,
                    "next = offset + returned"
                );
                offset = next.as_u64().unwrap();
            }
            None => break,
        }
    }
    assert_eq!(total, 250, "total counts hidden members too");
    let unique: BTreeSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), 200, "every visible member is reached");
    assert!(
        seen.len() > unique.len(),
        "windows overlap, so some users come twice"
    );
    assert!(
        pages > 250 / 20,
        "short pages mean more pages than total/limit"
    );
}

#[tokio::test]
async fn external_users_skipped_only_on_exact_y_and_except_types_kept() {
    let emu = common::start(common::unlimited()).await;
    let all = list(&emu, json!({"DIALOG_ID": "chat1", "LIMIT": 200})).await;
    let externals = |body: &Value| -> BTreeSet<String> {
        body["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["external_auth_id"].as_str().unwrap().to_owned())
            .filter(|t| t != "default")
            .collect()
    };
    assert!(externals(&all).contains("email") && externals(&all).contains("bot"));
    for not_y in ["y", "true", "1", "N"] {
        let body = list(
            &emu,
            json!({"DIALOG_ID": "chat1", "LIMIT": 200, "SKIP_EXTERNAL": not_y}),
        )
        .await;
        assert_eq!(
            body["total"], all["total"],
            "SKIP_EXTERNAL={not_y} does not skip"
        );
    }
    let skipped = list(
        &emu,
        json!({"DIALOG_ID": "chat1", "LIMIT": 200, "SKIP_EXTERNAL": "Y"}),
    )
    .await;
    assert!(externals(&skipped).is_empty());
    assert!(
        skipped["total"].as_i64() < all["total"].as_i64(),
        "total excludes skipped users"
    );
    let kept = list(&emu, json!({"DIALOG_ID": "chat1", "LIMIT": 200, "SKIP_EXTERNAL": "N", "SKIP_EXTERNAL_EXCEPT_TYPES": "bot, email"})).await;
    assert_eq!(
        externals(&kept),
        BTreeSet::from(["bot".to_owned(), "email".to_owned()]),
        "except-types alone switch skipping on"
    );
}

#[tokio::test]
async fn inactive_users_are_never_listed() {
    let emu = common::start(common::unlimited()).await;
    let inactive: BTreeSet<u64> =
        emu.with_portal(|p| p.users.iter().filter(|u| !u.active).map(|u| u.id).collect());
    assert!(!inactive.is_empty());
    let in_chat1: usize = emu.with_portal(|p| {
        p.chat(1)
            .unwrap()
            .members
            .iter()
            .filter(|r| inactive.contains(&r.user_id))
            .count()
    });
    assert!(in_chat1 > 0, "the seeded chat has inactive members");
    let body = list(&emu, json!({"DIALOG_ID": "chat1", "LIMIT": 200})).await;
    assert!(ids(&body).iter().all(|id| !inactive.contains(id)));
}

#[tokio::test]
async fn three_error_cases() {
    let emu = common::start(common::unlimited()).await;
    for bad in [
        json!({}),
        json!({"DIALOG_ID": ""}),
        json!({"DIALOG_ID": "group5"}),
        json!({"DIALOG_ID": "chat"}),
    ] {
        let (status, body) = common::call(&emu, M, bad.clone()).await;
        assert_eq!(
            (status, body["error"].as_str().unwrap()),
            (400, "DIALOG_ID_EMPTY"),
            "{bad}"
        );
        assert_eq!(body["error_description"], "Dialog ID can't be empty");
    }
    // chat5 ("Board") is a chat the webhook user is not a member of.
    let (status, body) = common::call(&emu, M, json!({"DIALOG_ID": "chat5"})).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (403, "ACCESS_ERROR")
    );
    assert_eq!(
        body["error_description"],
        "You do not have access to the specified dialog"
    );
    // A private dialog that never started: no chat behind it.
    let stranger = emu.with_portal(|p| {
        p.users
            .iter()
            .find(|u| u.id != 1 && !u.hidden && p.private_chat(1, u.id).is_none())
            .unwrap()
            .id
    });
    let (status, body) = common::call(&emu, M, json!({"DIALOG_ID": stranger.to_string()})).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (400, "ACCESS_ERROR")
    );
    assert_eq!(
        body["error_description"],
        "You don't have access to this chat"
    );
    // Each error decodes to the method's typed code.
    let (status, raw) = common::call_raw(&emu, M, json!({"DIALOG_ID": "chat5"})).await;
    match b24_core::decode_response::<DialogUsersListRequest>(Some(status), &raw) {
        Err(b24_core::ResponseError::Api(e)) => {
            assert_eq!(e.code, b24_im::DialogUsersListErrorCode::AccessError);
            assert_eq!(e.status, Some(403));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn workgroup_crm_and_private_dialogs() {
    let emu = common::start(common::unlimited()).await;
    let sg = list(&emu, json!({"DIALOG_ID": "sg10"})).await;
    assert!(ids(&sg).contains(&1));
    let crm_chat = emu.with_portal(|p| {
        p.chats
            .iter()
            .find(|c| c.entity_type.as_deref() == Some("CRM"))
            .unwrap()
            .id
    });
    let crm = list(&emu, json!({"DIALOG_ID": format!("crm{crm_chat}")})).await;
    assert!(
        !ids(&crm).is_empty(),
        "crm<N> is accepted although undocumented"
    );
    let partner = emu.with_portal(|p| {
        p.chats
            .iter()
            .find(|c| c.kind == "private")
            .unwrap()
            .members[1]
            .user_id
    });
    let private = list(&emu, json!({"DIALOG_ID": partner})).await;
    assert_eq!(
        ids(&private).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([1, partner])
    );
}

#[tokio::test]
async fn params_arrive_in_every_encoding_and_any_case() {
    let emu = common::start(sized(30, 0.0)).await;
    let client = common::client();
    let url = format!("{}{M}", emu.webhook_url());
    let get = client
        .get(format!("{url}.json?dialog_id=chat1&limit=7"))
        .send()
        .await
        .unwrap();
    let get: Value = get.json().await.unwrap();
    assert_eq!(
        ids(&get).len(),
        7,
        "GET query, lower-case names, .json suffix"
    );
    let form = client
        .post(&url)
        .form(&[("DIALOG_ID", "chat1"), ("LIMIT", "9")])
        .send()
        .await
        .unwrap();
    let form: Value = form.json().await.unwrap();
    assert_eq!(ids(&form).len(), 9, "form body");
    let typed = DialogUsersListRequest::new(b24_core::DialogId::Chat(1)).limit(11);
    let json_body = client.post(&url).json(&typed).send().await.unwrap();
    let json_body: Value = json_body.json().await.unwrap();
    assert_eq!(ids(&json_body).len(), 11, "a generated request, as JSON");
}
