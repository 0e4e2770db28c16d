//! Requests serialize exactly as the reference's examples send them.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use b24_core::{DialogId, Method};
use b24_im::{DialogUsersListRequest, ExternalUserType};

#[test]
fn reference_curl_example_serializes_exactly() {
    // curl -d '{"DIALOG_ID":"chat2935","SKIP_EXTERNAL":"Y","LIMIT":20,"OFFSET":0}' .../im.dialog.users.list
    let request = DialogUsersListRequest::new(DialogId::Chat(2935))
        .skip_external(true)
        .limit(20)
        .offset(0);
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"DIALOG_ID":"chat2935","SKIP_EXTERNAL":"Y","LIMIT":20,"OFFSET":0}"#
    );
}

#[test]
fn unset_params_are_not_sent_and_lists_are_comma_joined() {
    let request = DialogUsersListRequest::new(DialogId::User(17))
        .skip_external(false)
        .skip_external_except_types([
            ExternalUserType::Bot,
            ExternalUserType::Email,
            ExternalUserType::from("future_type"),
        ])
        .last_id(0);
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"DIALOG_ID":"17","SKIP_EXTERNAL":"N","SKIP_EXTERNAL_EXCEPT_TYPES":"bot,email,future_type","LAST_ID":0}"#
    );
    assert_eq!(
        serde_json::to_string(&DialogUsersListRequest::new(DialogId::Workgroup(3))).unwrap(),
        r#"{"DIALOG_ID":"sg3"}"#
    );
}

#[test]
fn requests_decode_leniently_for_servers() {
    // What a server (the emulator) receives from form-encoded calls: every value is text.
    let request: DialogUsersListRequest =
        serde_json::from_str(r#"{"DIALOG_ID":"chat5","LIMIT":"20","SKIP_EXTERNAL":"Y","SKIP_EXTERNAL_EXCEPT_TYPES":"bot, email"}"#).unwrap();
    assert_eq!(request.dialog_id, DialogId::Chat(5));
    assert_eq!(request.limit, Some(20));
    assert_eq!(request.skip_external, Some(true));
    assert_eq!(
        request.skip_external_except_types,
        Some(vec![ExternalUserType::Bot, ExternalUserType::Email])
    );
}

#[test]
fn method_facts_come_from_the_spec() {
    let info = <DialogUsersListRequest as Method>::INFO;
    assert_eq!(info.name, "im.dialog.users.list");
    assert_eq!(info.scope, "im");
    assert!(info.read_only);
    assert!(info.batch);
    assert!(info.docs_url.starts_with("https://apidocs.bitrix24.com/"));
    let limit = info.pagination.limit.unwrap();
    assert_eq!((limit.param, limit.default, limit.max), ("LIMIT", 50, 200));
    let offset = info.pagination.offset.unwrap();
    assert_eq!(offset.param, Some("OFFSET"));
    assert!(offset.start && offset.total && offset.next && offset.stride_by_limit);
    assert_eq!(info.pagination.keyset.len(), 1);
    assert_eq!(info.pagination.keyset[0].param, "LAST_ID");
    assert_eq!(info.pagination.keyset[0].key, "id");
}
