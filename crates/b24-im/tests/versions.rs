//! Answers of servers one or more versions behind (and of revisions of a method that changed its
//! shape) decode: missing keys are `None` or empty, never an error except an object's id; a
//! result that changed shape accepts every known shape; one bad entry does not sink a page.
//! The bodies are the constructed examples kept beside the spec.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use b24_core::{Method, Response, decode_response};
use b24_im::{
    ChatGetRequest, ChatGetResult, CountersGetRequest, DialogMessagesGetRequest,
    DialogUsersListRequest, UserList, UserListGetRequest,
};

fn example<M: Method>(file: &str) -> Response<M::Output>
where
    M::ErrorCode: std::fmt::Debug,
{
    let path = format!(
        "{}/../../spec/im/examples/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap();
    decode_response::<M>(Some(200), &body).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn users_of_older_servers_without_active_bot_data_and_the_newer_fields() {
    let page = example::<DialogUsersListRequest>("dialog.users.list.older.json");
    let [laura, peter] = page.result.as_slice() else {
        panic!("two users")
    };
    // The 2025 shape: everything but `website` and `email`.
    assert_eq!(laura.active, Some(true));
    assert_eq!(laura.work_position, None, "`null`");
    assert_eq!(laura.phones, None, "`false`");
    assert!(laura.idle.is_some() && laura.absent.is_some());
    assert_eq!((&laura.website, &laura.email), (&None, &None));
    // An older revision: no `active`, `bot_data`, `avatar_hr`, `desktop_last_date`, `type`.
    assert_eq!(peter.id, 61, "an id sent as a string");
    assert_eq!(peter.active, None, "unknown, not `false`");
    assert_eq!(peter.bot_data, None);
    assert_eq!(peter.kind, None);
    assert_eq!(peter.departments, Some(vec![3, 9]));
    assert!(page.skipped.is_empty());

    let older = example::<DialogUsersListRequest>("dialog.users.list.2024.json");
    assert_eq!(older.result[0].avatar_hr, None);
    assert_eq!(older.next, Some(41));
}

#[test]
fn im_user_list_get_in_both_shapes() {
    let keyed = example::<UserListGetRequest>("user.list.get.older.json");
    let UserList::ById(users) = &keyed.result else {
        panic!("the default shape is keyed by id: {:?}", keyed.result)
    };
    assert_eq!(users.keys().copied().collect::<Vec<_>>(), [58, 61, 77]);
    assert_eq!(users[&61].as_ref().unwrap().active, None);
    assert_eq!(users[&77], None, "a user the caller may not see");

    let listed = example::<UserListGetRequest>("user.list.get.json");
    let UserList::List(users) = &listed.result else {
        panic!("RESULT_TYPE=array is a list: {:?}", listed.result)
    };
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].as_ref().unwrap().id, 4);
}

#[test]
fn im_chat_get_as_a_bare_id_an_object_or_null() {
    let bare = example::<ChatGetRequest>("chat.get.bare.json");
    assert_eq!(bare.result, Some(ChatGetResult::Id(10)));
    let object = example::<ChatGetRequest>("chat.get.json");
    match object.result {
        Some(ChatGetResult::Ref(chat)) => assert_eq!(chat.id, 1437),
        other => panic!("today's shape is an object: {other:?}"),
    }
    assert_eq!(example::<ChatGetRequest>("chat.get.null.json").result, None);
}

#[test]
fn counters_of_servers_without_muted_and_hand_marked_unread_chats() {
    let counters = example::<CountersGetRequest>("counters.get.older.json").result;
    assert!(counters.chat_muted.is_empty());
    assert!(counters.chat_unread.is_empty());
    assert!(counters.dialog_unread.is_empty());
    assert_eq!(counters.dialog.get(&17), Some(&2));
    let totals = &counters.totals;
    assert_eq!((totals.all, totals.messenger), (Some(3), None));
}

#[test]
fn a_deleted_authors_fragment_is_left_out_and_the_page_decodes() {
    let page = example::<DialogMessagesGetRequest>("dialog.messages.get.deleted-author.json");
    let skipped: Vec<&str> = page.skipped.iter().map(|s| s.entry.as_str()).collect();
    assert_eq!(skipped, ["result.users[1]"]);
    assert!(page.skipped[0].error.message.contains("missing field `id`"));
    let result = page.result.unwrap();
    assert_eq!(result.users.len(), 2, "the authors whose accounts exist");
    assert_eq!(result.messages.len(), 4);
    assert!(
        result.messages.iter().all(|m| m.unread.is_none()),
        "messages of older servers have no `unread`"
    );
    let ghost = result.messages.last().unwrap();
    assert_eq!(ghost.author_id, Some(1207));
    assert_eq!(ghost.params.like, Vec::<u64>::new(), "`params: []`");
}

#[test]
fn the_innermost_entry_that_does_not_fit_is_the_one_left_out() {
    let path = format!(
        "{}/../../spec/im/examples/dialog.messages.get.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    body["result"]["messages"][0]["params"]["LIKE"] = serde_json::json!([547, "nobody", 12]);
    let page = decode_response::<DialogMessagesGetRequest>(Some(200), body.to_string().as_bytes())
        .unwrap();
    let skipped: Vec<&str> = page.skipped.iter().map(|s| s.entry.as_str()).collect();
    assert_eq!(skipped, ["result.messages[0].params.LIKE[1]"]);
    let result = page.result.unwrap();
    assert_eq!(
        result.messages[0].params.like,
        [547, 12],
        "the message stays"
    );
}
