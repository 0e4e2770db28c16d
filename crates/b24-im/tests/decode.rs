//! Decoding tolerates what real servers of different versions send, and fails with a typed
//! error naming the JSON path when a body really does not fit.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use b24_core::{ResponseError, Retry, SystemErrorCode, decode_response};
use b24_im::{DialogUsersListErrorCode, DialogUsersListRequest, UserStatus, UserType};
use serde_json::{Value, json};

fn documented() -> Value {
    serde_json::from_str(include_str!(
        "../../../spec/im/examples/dialog.users.list.json"
    ))
    .unwrap()
}

fn decode(
    body: &Value,
) -> Result<b24_core::Response<Vec<b24_im::DialogUser>>, ResponseError<DialogUsersListErrorCode>> {
    decode_response::<DialogUsersListRequest>(Some(200), body.to_string().as_bytes())
}

#[test]
fn missing_keys_of_older_servers() {
    let mut body = documented();
    for key in ["avatar_hr", "desktop_last_date", "type", "website", "email"] {
        body["result"][0].as_object_mut().unwrap().remove(key);
    }
    let user = &decode(&body).unwrap().result[0];
    assert_eq!(user.avatar_hr, None);
    assert_eq!(user.desktop_last_date, None);
    assert_eq!(user.kind, None);
    assert_eq!(user.email, None);
    assert_eq!(user.first_name.as_deref(), Some("Alexander"));
}

#[test]
fn unknown_keys_are_ignored() {
    let mut body = documented();
    body["result"][0]["future_field"] = json!({"nested": [1, 2, 3]});
    body["brand_new_envelope_member"] = json!(true);
    assert_eq!(decode(&body).unwrap().result.len(), 3);
}

#[test]
fn false_for_an_absent_value_and_a_value_where_false_is_documented() {
    let mut body = documented();
    body["result"][0]["work_position"] = json!(false);
    body["result"][0]["bot_data"] = json!(false);
    body["result"][0]["website"] = json!(null);
    body["result"][1]["idle"] = json!("2026-03-02T17:10:00+02:00");
    body["result"][1]["mobile_last_date"] = json!("2026-03-01T09:00:00+00:00");
    let users = decode(&body).unwrap().result;
    assert_eq!(users[0].work_position, None);
    assert_eq!(users[0].bot_data, None);
    assert_eq!(users[0].website, None);
    assert_eq!(
        users[1].idle.unwrap().to_rfc3339(),
        "2026-03-02T17:10:00+02:00"
    );
    assert!(users[1].mobile_last_date.is_some());
}

#[test]
fn numbers_as_strings_and_integers_for_floats() {
    let mut body = documented();
    body["result"][0]["id"] = json!("1269");
    body["result"][0]["departments"] = json!(["1", 5]);
    body["total"] = json!("3");
    body["time"]["duration"] = json!(1);
    body["time"]["finish"] = json!("1772477165.5");
    let response = decode(&body).unwrap();
    assert_eq!(response.result[0].id, 1269);
    assert_eq!(response.result[0].departments, Some(vec![1, 5]));
    assert_eq!(response.total, Some(3));
    let time = response.time.unwrap();
    assert_eq!(time.duration, Some(1.0));
    assert_eq!(time.finish, Some(1_772_477_165.5));
}

#[test]
fn empty_array_where_an_empty_object_is_meant() {
    let mut body = documented();
    body["result"][0]["phones"] = json!([]);
    body["result"][0]["bot_data"] = json!([]);
    body["time"] = json!([]);
    let response = decode(&body).unwrap();
    let phones = response.result[0].phones.clone().unwrap();
    assert_eq!(phones.personal_mobile, None);
    assert_eq!(response.result[0].bot_data.as_ref().unwrap().id, None);
    assert_eq!(response.time.unwrap().start, None);
}

#[test]
fn open_enums_keep_unknown_values() {
    let mut body = documented();
    body["result"][0]["status"] = json!("vacation");
    body["result"][0]["type"] = json!("robot");
    let user = &decode(&body).unwrap().result[0];
    assert!(matches!(user.status, Some(UserStatus::Unknown(_))));
    assert_eq!(user.status.as_ref().unwrap().as_str(), "vacation");
    assert_eq!(user.kind.as_ref().unwrap().as_str(), "robot");
    assert_eq!(
        decode(&documented()).unwrap().result[0].kind,
        Some(UserType::User)
    );
}

#[test]
fn a_user_that_does_not_fit_is_left_out_and_reported_with_its_json_path() {
    let mut body = documented();
    let first = body["result"][0].clone();
    body["result"].as_array_mut().unwrap().push(first);
    body["result"][3]["idle"] = json!(12.5);
    body["result"][1].as_object_mut().unwrap().remove("id");
    let response = decode(&body).unwrap();
    let ids: Vec<u64> = response.result.iter().map(|u| u.id).collect();
    assert_eq!(ids, [1269, 1271], "the users that fit, in order");
    let [no_id, bad_idle] = response.skipped.as_slice() else {
        panic!("two entries left out: {:?}", response.skipped)
    };
    assert_eq!(no_id.entry, "result[1]");
    assert!(
        no_id.error.message.contains("missing field `id`"),
        "{no_id}"
    );
    assert_eq!(
        bad_idle.entry, "result[3]",
        "the original index, not the shifted one"
    );
    assert_eq!(bad_idle.error.path, "result[3].idle");
    assert!(
        bad_idle.error.message.contains("floating point `12.5`"),
        "{bad_idle}"
    );
    assert!(bad_idle.to_string().contains("`result[3]`"), "{bad_idle}");
}

#[test]
fn a_body_that_does_not_fit_outside_the_entries_is_a_typed_error_with_the_json_path() {
    let mut body = documented();
    body["total"] = json!("many");
    match decode(&body) {
        Err(ResponseError::Decode(e)) => {
            assert_eq!(e.path, "total");
            assert!(e.message.contains("\"many\""), "{}", e.message);
            assert!(e.to_string().contains("`total`"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let mut body = documented();
    body["result"] = json!("users");
    match decode(&body) {
        Err(ResponseError::Decode(e)) => assert_eq!(e.path, "result"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn bodies_that_are_not_responses() {
    for body in [
        "",
        "<html><body>502 Bad Gateway</body></html>",
        "{\"result\": [",
        "[1,2]",
        "{}",
    ] {
        match decode_response::<DialogUsersListRequest>(Some(502), body.as_bytes()) {
            Err(ResponseError::Decode(e)) => assert!(!e.message.is_empty(), "{body}"),
            other => panic!("{body}: expected a decode error, got {other:?}"),
        }
    }
}

#[test]
fn error_answers_get_typed_codes() {
    let err = |body: &str, status| match decode_response::<DialogUsersListRequest>(
        Some(status),
        body.as_bytes(),
    ) {
        Err(ResponseError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    };
    let e = err(
        r#"{"error":"ACCESS_ERROR","error_description":"You don't have access to this chat"}"#,
        400,
    );
    assert_eq!(e.code, DialogUsersListErrorCode::AccessError);
    assert_eq!(e.status, Some(400));
    let e = err(
        r#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#,
        503,
    );
    assert_eq!(
        e.code,
        DialogUsersListErrorCode::System(SystemErrorCode::QueryLimitExceeded)
    );
    assert_eq!(SystemErrorCode::QueryLimitExceeded.retry(), Retry::Backoff);
    let e = err(r#"{"error":"SOMETHING_NEW","error_description":"?"}"#, 400);
    assert!(matches!(e.code, DialogUsersListErrorCode::Unknown(_)));
    assert_eq!(e.code.as_str(), "SOMETHING_NEW");
    assert_eq!(e.to_string(), "SOMETHING_NEW: ? (HTTP 400)");
}

#[test]
fn error_codes_know_their_documented_statuses_and_messages() {
    let access = DialogUsersListErrorCode::AccessError;
    assert_eq!(access.http_statuses(), [403, 400]);
    assert_eq!(
        access.messages(),
        [
            "You do not have access to the specified dialog",
            "You don't have access to this chat"
        ]
    );
    let limit = DialogUsersListErrorCode::System(SystemErrorCode::QueryLimitExceeded);
    assert_eq!(limit.http_statuses(), [503]);
    assert_eq!(
        b24_core::ErrorCode::http_statuses(&limit),
        limit.http_statuses(),
        "the trait says the same"
    );
    let unknown = DialogUsersListErrorCode::from("SOMETHING_NEW");
    assert!(unknown.http_statuses().is_empty() && unknown.messages().is_empty());
}
