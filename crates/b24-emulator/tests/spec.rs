//! The emulator follows the spec: every method of the spec is served (by its handler, or from
//! its spec example), and every answer, success or error, matches the spec strictly, over real
//! HTTP on loopback. [`CALLS`] exercises each method that has a handler (a handler without a
//! line there fails `every_handler_is_exercised`); a method of the spec without a handler is
//! called without parameters and answers from its example or with a parameter error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use b24_core::testing::check_answer;
use b24_emulator::portal::{Notification, NotifyKind};
use b24_emulator::{Config, methods};
use serde_json::{Value, json};

/// A 1×1 PNG in Base64, for `AVATAR`.
macro_rules! png {
    () => {
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    };
}

/// Calls that exercise each method of the seeded portal: successes first, then errors. They
/// run in the order listed, so a call may use what an earlier one made (a message, a file).
/// Each answer is checked strictly against the spec.
const CALLS: &[(&str, &[&str])] = &[
    // `im.chat.add` runs first and makes chat 13 (the seeded portal has 12), which the caller
    // owns, so the update and member methods below change it.
    (
        "im.chat.add",
        &[r#"{"TITLE": "Spec check", "USERS": [2, 3], "COLOR": "MINT"}"#],
    ),
    (
        "im.chat.get",
        &[
            r#"{"ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|12"}"#,
            r#"{"ENTITY_TYPE": "CRM", "ENTITY_ID": "DEAL|13"}"#,
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "group2"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "7"}"#,
        ],
    ),
    (
        "im.chat.leave",
        &[
            r#"{"CHAT_ID": 4}"#,
            r#"{"CHAT_ID": 0}"#,
            r#"{"CHAT_ID": 5}"#,
            r#"{"CHAT_ID": 6}"#,
        ],
    ),
    (
        "im.chat.mute",
        &[
            r#"{"CHAT_ID": 2}"#,
            r#"{"DIALOG_ID": "chat2", "MUTE": "N"}"#,
            r#"{"CHAT_ID": 0}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"CHAT_ID": 5}"#,
        ],
    ),
    (
        "im.chat.setOwner",
        &[
            r#"{"DIALOG_ID": "chat13", "USER_ID": 1}"#,
            r#"{"CHAT_ID": 0, "USER_ID": 1}"#,
            r#"{"DIALOG_ID": "x", "USER_ID": 1}"#,
            r#"{"CHAT_ID": 13}"#,
            r#"{"CHAT_ID": 5, "USER_ID": 1}"#,
            r#"{"CHAT_ID": 13, "USER_ID": 99999}"#,
        ],
    ),
    (
        "im.chat.updateAvatar",
        &[
            concat!(r#"{"CHAT_ID": 13, "AVATAR": ""#, png!(), r#""}"#),
            r#"{"CHAT_ID": 13, "AVATAR": "junk"}"#,
            r#"{"CHAT_ID": 0, "AVATAR": "junk"}"#,
            concat!(r#"{"CHAT_ID": 99999, "AVATAR": ""#, png!(), r#""}"#),
            concat!(r#"{"CHAT_ID": 5, "AVATAR": ""#, png!(), r#""}"#),
            concat!(r#"{"CHAT_ID": 6, "AVATAR": ""#, png!(), r#""}"#),
        ],
    ),
    (
        "im.chat.updateColor",
        &[
            r#"{"CHAT_ID": 13, "COLOR": "AQUA"}"#,
            r#"{"CHAT_ID": 13, "COLOR": "AQUA"}"#,
            r#"{"CHAT_ID": 13, "COLOR": "PLAID"}"#,
            r#"{"CHAT_ID": 5, "COLOR": "RED"}"#,
        ],
    ),
    (
        "im.chat.updateTitle",
        &[
            r#"{"CHAT_ID": 13, "TITLE": "  Renamed  "}"#,
            r#"{"CHAT_ID": 13, "TITLE": "  "}"#,
            r#"{"CHAT_ID": 6, "TITLE": "x"}"#,
            r#"{"DIALOG_ID": "x", "TITLE": "x"}"#,
        ],
    ),
    (
        "im.chat.user.add",
        &[
            r#"{"CHAT_ID": 13, "USERS": [4]}"#,
            r#"{"CHAT_ID": 0, "USERS": [4]}"#,
            r#"{"CHAT_ID": 6, "USERS": [4]}"#,
        ],
    ),
    (
        "im.chat.user.delete",
        &[
            r#"{"CHAT_ID": 13, "USER_ID": 4}"#,
            r#"{"CHAT_ID": 13, "USER_ID": 4}"#,
            r#"{"CHAT_ID": 13}"#,
            r#"{"CHAT_ID": 13, "USER_ID": 1}"#,
            r#"{"CHAT_ID": 0, "USER_ID": 4}"#,
        ],
    ),
    (
        "im.chat.user.list",
        &[
            r#"{"CHAT_ID": 2}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"CHAT_ID": 1}"#,
            r#"{"CHAT_ID": 0}"#,
            r#"{"DIALOG_ID": "x"}"#,
        ],
    ),
    ("im.counters.get", &[r"{}"]),
    (
        "im.department.colleagues.list",
        &[r"{}", r#"{"USER_DATA": "Y", "LIMIT": 3, "OFFSET": 2}"#],
    ),
    (
        "im.department.employees.get",
        &[
            r#"{"ID": [2, 3, 99]}"#,
            r#"{"ID": "[1]", "USER_DATA": "Y"}"#,
            r#"{"ID": []}"#,
        ],
    ),
    (
        "im.department.get",
        &[
            r#"{"ID": [3, 1, 99]}"#,
            r#"{"ID": [1], "USER_DATA": "Y"}"#,
            r#"{"ID": "x"}"#,
        ],
    ),
    (
        "im.department.managers.get",
        &[
            r#"{"ID": [1, 2]}"#,
            r#"{"ID": [1], "USER_DATA": "Y"}"#,
            r#"{"ID": [0]}"#,
        ],
    ),
    (
        "im.dialog.get",
        &[
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
        ],
    ),
    (
        "im.dialog.messages.get",
        &[
            r#"{"DIALOG_ID": "chat2", "CONVERT_TEXT": "Y"}"#,
            r#"{"DIALOG_ID": "chat3", "LAST_ID": 0, "LIMIT": 2}"#,
            r#"{"DIALOG_ID": "7"}"#,
            r#"{"DIALOG_ID": ""}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "chat3", "FIRST_ID": "abc"}"#,
            r#"{"DIALOG_ID": "chat3", "LAST_ID": "abc"}"#,
        ],
    ),
    (
        "im.dialog.messages.search",
        &[
            r#"{"CHAT_ID": 2}"#,
            r#"{"CHAT_ID": 13, "SEARCH_MESSAGE": "renamed", "ORDER": {"ID": "ASC"}, "LIMIT": 1}"#,
            r#"{"CHAT_ID": 0}"#,
            r#"{"CHAT_ID": 5}"#,
        ],
    ),
    (
        "im.dialog.read",
        &[
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "notify"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "x"}"#,
        ],
    ),
    ("im.dialog.read.all", &[r"{}"]),
    (
        "im.dialog.unread",
        &[
            r#"{"DIALOG_ID": "chat2", "MESSAGE_ID": 1}"#,
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "x", "MESSAGE_ID": 1}"#,
        ],
    ),
    (
        "im.dialog.users.list",
        &[
            r#"{"DIALOG_ID": "chat1", "LIMIT": 5}"#,
            r#"{"DIALOG_ID": "chat1", "LAST_ID": 0, "SKIP_EXTERNAL": "Y"}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "7"}"#,
        ],
    ),
    (
        "im.dialog.writing",
        &[
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
        ],
    ),
    (
        "im.message.add",
        &[
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "hello"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": ""}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": ["not", "text"]}"#,
            r#"{"MESSAGE": "nowhere"}"#,
            r#"{"USER_ID": 0, "MESSAGE": "x"}"#,
            r#"{"USER_ID": 99999, "MESSAGE": "x"}"#,
            r#"{"CHAT_ID": 0, "MESSAGE": "x"}"#,
            r#"{"DIALOG_ID": "chat5", "MESSAGE": "x"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "KEYBOARD": "junk"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "MENU": "junk"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "ATTACH": "junk"}"#,
            r#"{"DIALOG_ID": "chat2", "MESSAGE": "x", "REPLY_ID": 999999}"#,
        ],
    ),
    // Message 151 is the one `im.message.add` just posted (the seeded portal has 144, and the
    // chat calls above post 145 to 150 as notices); message 24 of `chat2` is user 26's. Edited,
    // liked, shared and used for a command, then deleted.
    (
        "im.message.update",
        &[
            r#"{"MESSAGE_ID": 151, "MESSAGE": "edited"}"#,
            r#"{"MESSAGE_ID": 0, "MESSAGE": "x"}"#,
            r#"{"MESSAGE_ID": 24, "MESSAGE": "x"}"#,
            r#"{"MESSAGE_ID": 151, "ATTACH": "junk"}"#,
            r#"{"MESSAGE_ID": 151, "KEYBOARD": "junk"}"#,
            r#"{"MESSAGE_ID": 151, "MENU": "junk"}"#,
        ],
    ),
    (
        "im.message.like",
        &[
            r#"{"MESSAGE_ID": 151}"#,
            r#"{"MESSAGE_ID": 151, "ACTION": "plus"}"#,
            r#"{"MESSAGE_ID": 0}"#,
        ],
    ),
    (
        "im.message.share",
        &[
            r#"{"MESSAGE_ID": 151, "DIALOG_ID": "chat2", "TYPE": "TASK"}"#,
            r#"{"MESSAGE_ID": 151, "DIALOG_ID": "chat2", "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 0, "DIALOG_ID": "chat2", "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 151, "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 151, "DIALOG_ID": "chat5", "TYPE": "CHAT"}"#,
            r#"{"MESSAGE_ID": 151, "DIALOG_ID": "chat2", "TYPE": "NOTE"}"#,
        ],
    ),
    // User 47 is a bot; every seeded bot registered `help`.
    (
        "im.message.command",
        &[
            r#"{"MESSAGE_ID": 151, "BOT_ID": 47, "COMMAND": "help"}"#,
            r#"{"MESSAGE_ID": 0, "BOT_ID": 47, "COMMAND": "help"}"#,
            r#"{"MESSAGE_ID": 151, "BOT_ID": 0, "COMMAND": "help"}"#,
            r#"{"MESSAGE_ID": 151, "BOT_ID": 47, "COMMAND": ""}"#,
            r#"{"MESSAGE_ID": 151, "BOT_ID": 47, "COMMAND": "nothing"}"#,
        ],
    ),
    (
        "im.message.delete",
        &[
            r#"{"MESSAGE_ID": 151}"#,
            r#"{"MESSAGE_ID": 0}"#,
            r#"{"MESSAGE_ID": 24}"#,
        ],
    ),
    // The first upload stores file 2 (folder 1 is `chat2`'s); it is then downloaded,
    // committed, saved and deleted.
    (
        "im.v2.File.upload",
        &[
            r#"{"dialogId": "chat2", "fields": {"name": "a.txt", "content": "aGVsbG8="}}"#,
            r#"{"dialogId": "chat2", "fields": {"name": "a.txt"}}"#,
            r#"{"dialogId": "chat2", "fields": {"name": "a.txt", "content": "!!"}}"#,
            r#"{"dialogId": "chat99999", "fields": {"name": "a.txt", "content": "aGVsbG8="}}"#,
            r#"{"dialogId": "chat5", "fields": {"name": "a.txt", "content": "aGVsbG8="}}"#,
        ],
    ),
    (
        "im.v2.File.download",
        &[
            r#"{"dialogId": "chat2", "fileId": 2}"#,
            r#"{"dialogId": "chat2", "fileId": 99999}"#,
            r#"{"dialogId": "chat5", "fileId": 2}"#,
        ],
    ),
    (
        "im.disk.folder.get",
        &[
            r#"{"CHAT_ID": 2}"#,
            r#"{"CHAT_ID": 0}"#,
            r#"{"DIALOG_ID": "x"}"#,
            r#"{"CHAT_ID": 5}"#,
        ],
    ),
    (
        "im.disk.file.commit",
        &[
            r#"{"CHAT_ID": 2, "FILE_ID": [2], "MESSAGE": "again"}"#,
            r"{}",
            r#"{"DIALOG_ID": "x", "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 5, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 2}"#,
            r#"{"CHAT_ID": 2, "FILE_ID": 99999}"#,
        ],
    ),
    (
        "im.disk.file.save",
        &[
            r#"{"FILE_ID": 2}"#,
            r#"{"FILE_ID": 0}"#,
            r#"{"FILE_ID": 99999}"#,
        ],
    ),
    (
        "im.disk.file.delete",
        &[
            r#"{"CHAT_ID": 2, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 5, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 0, "FILE_ID": 2}"#,
            r#"{"CHAT_ID": 2}"#,
        ],
    ),
    ("im.revision.get", &[r"{}"]),
    (
        "im.notify",
        &[
            r#"{"USER_ID": 1, "MESSAGE": "Tagged", "TYPE": "SYSTEM", "TAG": "T1", "CLIENT_ID": "app"}"#,
            r#"{"USER_ID": 1, "MESSAGE": "Hello from notify"}"#,
            r#"{"USER_ID": 999999, "MESSAGE": "nobody"}"#,
            r#"{"USER_ID": 0, "MESSAGE": "x"}"#,
            r#"{"USER_ID": 1, "MESSAGE": "  "}"#,
        ],
    ),
    (
        "im.notify.answer",
        &[
            r#"{"NOTIFY_ID": 2, "ANSWER_TEXT": "Fine"}"#,
            r#"{"NOTIFY_ID": 0, "ANSWER_TEXT": "Fine"}"#,
            r#"{"NOTIFY_ID": 2}"#,
        ],
    ),
    (
        "im.notify.confirm",
        &[
            r#"{"NOTIFY_ID": 1, "NOTIFY_VALUE": "Y"}"#,
            r#"{"NOTIFY_ID": 1, "NOTIFY_VALUE": "Y"}"#,
            r#"{"NOTIFY_ID": 1}"#,
        ],
    ),
    (
        "im.notify.delete",
        &[
            r#"{"TAG": "T1", "CLIENT_ID": "app"}"#,
            r#"{"ID": 999}"#,
            r"{}",
            r#"{"TAG": "T1"}"#,
        ],
    ),
    (
        "im.notify.get",
        &[
            r"{}",
            r#"{"LAST_ID": 9, "LAST_TYPE": 3, "LIMIT": 1}"#,
            r#"{"LAST_ID": 9}"#,
            r#"{"LAST_ID": "abc", "LAST_TYPE": 1}"#,
        ],
    ),
    (
        "im.notify.history.search",
        &[
            r#"{"SEARCH_TEXT": "hello"}"#,
            r#"{"SEARCH_TYPES": ["rest"], "LAST_ID": 100, "LIMIT": 1}"#,
            r#"{"SEARCH_TEXT": "he"}"#,
            r#"{"SEARCH_TEXT": "hello", "LAST_ID": "x"}"#,
        ],
    ),
    (
        "im.notify.personal.add",
        &[
            r#"{"USER_ID": 2, "MESSAGE": "Personal"}"#,
            r#"{"USER_ID": 0, "MESSAGE": "x"}"#,
        ],
    ),
    (
        "im.notify.read",
        &[
            r#"{"ID": 1}"#,
            r#"{"ID": 2, "ONLY_CURRENT": "Y", "ACTION": "N"}"#,
        ],
    ),
    ("im.notify.read.all", &[r"{}"]),
    (
        "im.notify.read.list",
        &[r#"{"IDS": [2, 4]}"#, r#"{"IDS": "x"}"#],
    ),
    ("im.notify.schema.get", &[r"{}"]),
    (
        "im.notify.system.add",
        &[
            r#"{"USER_ID": 2, "MESSAGE": "System"}"#,
            r#"{"USER_ID": 2, "MESSAGE": ""}"#,
        ],
    ),
    (
        "im.search.chat.list",
        &[
            r#"{"FIND": "team"}"#,
            r#"{"FIND": "project", "LIMIT": 1}"#,
            r#"{"FIND": "zzzz"}"#,
            r#"{"FIND": "x"}"#,
        ],
    ),
    (
        "im.search.department.list",
        &[
            r#"{"FIND": "sales", "USER_DATA": "Y"}"#,
            r#"{"FIND": "", "LIMIT": 2, "OFFSET": 2}"#,
            r"{}",
        ],
    ),
    (
        "im.search.last.add",
        &[r#"{"DIALOG_ID": "chat1"}"#, r#"{"DIALOG_ID": "2"}"#, r"{}"],
    ),
    (
        "im.search.last.delete",
        &[r#"{"DIALOG_ID": "chat99"}"#, r"{}"],
    ),
    ("im.search.last.get", &[r"{}", r#"{"SKIP_CHAT": "Y"}"#]),
    (
        "im.search.user.list",
        &[
            r#"{"FIND": "portal"}"#,
            r#"{"FIND": "zzzz"}"#,
            r#"{"FIND": "a"}"#,
        ],
    ),
    (
        "im.user.get",
        &[r"{}", r#"{"ID": 2}"#, r#"{"ID": 0}"#, r#"{"ID": 999999}"#],
    ),
    (
        "im.user.list.get",
        &[
            r#"{"ID": [1, 2, 99999]}"#,
            r#"{"ID": [1, 2], "RESULT_TYPE": "array"}"#,
            r#"{"ID": "x"}"#,
        ],
    ),
    ("im.recent.get", &[r"{}", r#"{"SKIP_CHAT": "Y"}"#]),
    (
        "im.recent.hide",
        &[r#"{"DIALOG_ID": "chat3"}"#, r#"{"DIALOG_ID": "x"}"#],
    ),
    (
        "im.recent.list",
        &[r#"{"LIMIT": 2}"#, r#"{"OFFSET": 2, "SKIP_DIALOG": "Y"}"#],
    ),
    (
        "im.recent.pin",
        &[
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "chat2", "PIN": "N"}"#,
            r#"{"DIALOG_ID": "chat5"}"#,
            r#"{"DIALOG_ID": "x"}"#,
        ],
    ),
    (
        "im.recent.unread",
        &[
            r#"{"DIALOG_ID": "chat2"}"#,
            r#"{"DIALOG_ID": "chat2", "ACTION": "N"}"#,
            r#"{"DIALOG_ID": "x"}"#,
        ],
    ),
    ("im.user.status.get", &[r"{}"]),
    ("im.user.status.idle.end", &[r"{}"]),
    ("im.user.status.idle.start", &[r#"{"AGO": 5}"#]),
    (
        "im.user.status.set",
        &[r#"{"STATUS": "dnd"}"#, r#"{"STATUS": "DND"}"#],
    ),
    ("im.v2.Event.get", &[r"{}", r#"{"limit": 1, "offset": 1}"#]),
    ("im.v2.Event.subscribe", &[r"{}"]),
    ("im.v2.Event.unsubscribe", &[r"{}"]),
    // Bots: `$BOT` and `$BOT2` stand for the first and the last bot registered so far, `$MSG`
    // for a message `$BOT` sends to user 1 when first needed.
    (
        "imbot.v2.Bot.register",
        &[
            r#"{"botToken": "t", "fields": {"code": "spec", "properties": {"name": "Spec"}}}"#,
            r#"{"botToken": "t", "fields": {"code": "spec2", "properties": {"name": "Two"}, "eventMode": "webhook", "webhookUrl": "http://127.0.0.1:9/hook"}}"#,
            r#"{"botToken": "u", "fields": {"code": "spec", "properties": {"name": "Spec"}}}"#,
            r#"{"fields": {"code": "x", "properties": {"name": "X"}}}"#,
            r#"{"botToken": "t", "fields": {"properties": {"name": "X"}}}"#,
            r#"{"botToken": "t", "fields": {"code": "y"}}"#,
            r#"{"botToken": "t", "fields": {"code": "y", "properties": {"name": "Y"}, "eventMode": "push"}}"#,
            r#"{"botToken": "t", "fields": {"code": "y", "properties": {"name": "Y"}, "eventMode": "webhook"}}"#,
            r#"{"botToken": "t", "fields": {"code": "y", "properties": {"name": "Y"}, "webhookUrl": "http://example.com/"}}"#,
        ],
    ),
    (
        "imbot.v2.Bot.unregister",
        &[
            r#"{"botToken": "t", "botId": "$BOT2"}"#,
            r#"{"botToken": "t", "botId": "$BOT2"}"#,
            r#"{"botToken": "t"}"#,
            r#"{"botId": "$BOT"}"#,
            r#"{"botToken": "u", "botId": "$BOT"}"#,
        ],
    ),
    (
        "imbot.v2.Chat.Message.Reaction.add",
        &[
            r#"{"botToken": "t", "botId": "$BOT", "messageId": "$MSG", "reaction": "like"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "messageId": "$MSG", "reaction": "like"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "messageId": "$MSG", "reaction": "LIKE"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "messageId": 999999, "reaction": "like"}"#,
        ],
    ),
    (
        "imbot.v2.Chat.Message.send",
        &[
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "1", "fields": {"message": "hi"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "1", "fields": {"MESSAGE": "hi"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "chat2", "fields": {"message": "hi"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "dialogId": "99999", "fields": {"message": "hi"}}"#,
        ],
    ),
    (
        "imbot.v2.Command.register",
        &[
            r#"{"botToken": "t", "botId": "$BOT", "fields": {"command": "/help", "title": {"en": "Help"}}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "fields": {"command": "help"}}"#,
            r#"{"botToken": "t", "botId": "$BOT", "fields": {}}"#,
        ],
    ),
    (
        "imbot.v2.Event.get",
        &[
            r#"{"botToken": "t", "botId": "$BOT"}"#,
            r#"{"botToken": "t", "botId": "$BOT", "offset": 5, "limit": 1}"#,
            r#"{"botToken": "t", "botId": 99999}"#,
        ],
    ),
];

/// A notification for the webhook user from another module, of `kind`, changed by `set`.
fn from_module(kind: NotifyKind, set: impl FnOnce(&mut Notification)) -> Notification {
    let source = ("socialnetwork", "invite_group");
    let mut n = Notification::new(
        1,
        2,
        kind,
        "From a module",
        source,
        "2026-03-03T09:00:00+02:00",
    );
    set(&mut n);
    n
}

fn calls_of(method: &str) -> Vec<Value> {
    CALLS
        .iter()
        .find(|(name, _)| *name == method)
        .map(|(_, calls)| {
            calls
                .iter()
                .map(|c| serde_json::from_str(c).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// `params` with `$BOT`, `$BOT2` and `$MSG` replaced by ids.
fn with_ids(params: &Value, (bot, bot2): (u64, u64), message: u64) -> Value {
    let text = params
        .to_string()
        .replace("\"$BOT\"", &bot.to_string())
        .replace("\"$BOT2\"", &bot2.to_string())
        .replace("\"$MSG\"", &message.to_string());
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_handler_is_exercised() {
    let spec: BTreeSet<&str> = b24_im::METHODS
        .iter()
        .chain(b24_imbot::METHODS)
        .map(|m| m.info.name)
        .collect();
    let exercised: BTreeSet<&str> = CALLS.iter().map(|(name, _)| *name).collect();
    for (name, _) in methods::handlers() {
        assert!(
            exercised.contains(name),
            "{name} has a handler but no calls in CALLS"
        );
    }
    for name in &exercised {
        assert!(spec.contains(name), "{name} in CALLS is not in the spec");
    }
}

#[tokio::test]
async fn every_handler_answers_as_the_spec_says() {
    let emu = common::start(common::unlimited()).await;
    // Notifications 1 (with buttons) and 2 (accepting an answer), as other modules send them,
    // for the calls of `im.notify.confirm` and `im.notify.answer`.
    let seeded = emu.with_portal(|p| {
        let confirm = p.notify(from_module(NotifyKind::Confirm, |n| {
            n.buttons = vec![("Accept".into(), "Y".into())];
        }));
        let answerable = p.notify(from_module(NotifyKind::From, |n| n.answerable = true));
        (confirm, answerable)
    });
    assert_eq!(seeded, (1, 2));
    let mut answered = BTreeSet::new();
    let mut bots: Vec<u64> = Vec::new();
    let mut message: Option<u64> = None;
    for (name, _) in CALLS {
        for params in calls_of(name) {
            if params.to_string().contains("\"$MSG\"") && message.is_none() {
                let send = json!({"botToken": "t", "botId": bots.first().copied().unwrap_or(0),
                                  "dialogId": "1", "fields": {"message": "for reactions"}});
                let (_, body) = common::call(&emu, "imbot.v2.Chat.Message.send", send).await;
                message = body["result"]["id"].as_u64();
            }
            let first_and_last = (
                bots.first().copied().unwrap_or(0),
                bots.last().copied().unwrap_or(0),
            );
            let params = with_ids(&params, first_and_last, message.unwrap_or(0));
            // `call_raw` checks the answer strictly against the spec.
            let (status, body) = common::call_raw(&emu, name, params).await;
            answered.insert((*name, status));
            let body: Value = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(id) = body["result"]["bot"]["id"].as_u64()
                && !bots.contains(&id)
            {
                bots.push(id);
            }
        }
    }
    // Each handler answered both ways: a result, and (where it has any) an error.
    for (entry, _) in methods::served().filter(|(_, h)| h.is_some()) {
        let name = entry.info.name;
        assert!(answered.contains(&(name, 200)), "{name} answered a result");
        // Without documented errors, or (the colleagues) only one a webhook of an intranet
        // user cannot meet: `extranet_callers_are_refused_the_company_structure` has it.
        let documents_errors = !matches!(
            name,
            "im.chat.add"
                | "im.counters.get"
                | "im.department.colleagues.list"
                | "im.dialog.read.all"
                | "im.notify.read"
                | "im.notify.read.all"
                | "im.notify.schema.get"
                | "im.recent.get"
                | "im.recent.list"
                | "im.revision.get"
                | "im.search.last.get"
                | "im.user.status.get"
                | "im.user.status.idle.end"
                | "im.user.status.idle.start"
                | "im.v2.Event.get"
                | "im.v2.Event.subscribe"
                | "im.v2.Event.unsubscribe"
        );
        if documents_errors {
            assert!(
                answered.iter().any(|(n, s)| *n == name && *s != 200),
                "{name} answered an error"
            );
        }
    }
    // Every `im` method has a handler; the bot methods without one (listed, never called
    // here) answer from their examples.
    let stats = common::stats(&emu).await;
    let from_example = stats["answered_from_example"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, count) in &from_example {
        assert!(name.starts_with("imbot.v2."), "{name} has no handler");
        assert_eq!(count, &json!(0), "{name} was answered from its example");
    }
}

#[tokio::test]
async fn methods_without_a_handler_answer_from_their_spec_example() {
    let names: Vec<String> = b24_im::METHODS
        .iter()
        .chain(b24_imbot::METHODS)
        .map(|m| m.info.name.to_owned())
        .collect();
    let emu = common::start(Config {
        from_example: names.clone(),
        ..common::unlimited()
    })
    .await;
    let listed = common::stats(&emu).await["answered_from_example"].clone();
    let expected: serde_json::Map<String, Value> =
        names.iter().map(|n| (n.clone(), json!(0))).collect();
    assert_eq!(listed, Value::Object(expected), "listed before any call");

    for entry in b24_im::METHODS.iter().chain(b24_imbot::METHODS) {
        let name = entry.info.name;
        let example: Value = serde_json::from_str(entry.example.unwrap()).unwrap();
        // Without calls of its own, a method is called without parameters: a method that
        // requires some answers with a parameter error (checked against the spec too).
        let known = calls_of(name);
        let params = known.first().map_or(json!({}), |p| with_ids(p, (1, 1), 1));
        let (status, body) = common::call(&emu, name, params).await;
        if known.is_empty() && status == 400 {
            continue;
        }
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(
            body["result"], example["result"],
            "{name}: the example's result"
        );
        for key in ["total", "next"] {
            assert_eq!(
                body.get(key),
                example.get(key),
                "{name}: the example's `{key}`"
            );
        }
    }
    let counted = common::stats(&emu).await["answered_from_example"].clone();
    for name in &names {
        assert_eq!(
            counted[name], 1,
            "{name} was answered from its example once"
        );
    }
    // A reset zeroes the counts and keeps the list.
    let reset = common::client()
        .post(format!("{}/_emulator/reset", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(common::stats(&emu).await["answered_from_example"], listed);
    // Nothing ran: the portal did not change.
    assert_eq!(emu.with_portal(|p| p.messages.len()), {
        let fresh = common::start(common::unlimited()).await;
        fresh.with_portal(|p| p.messages.len())
    });
}

#[tokio::test]
async fn parameters_are_still_checked_with_the_generated_request_type() {
    let emu = common::start(Config {
        from_example: vec!["im.dialog.users.list".into(), "im.user.list.get".into()],
        ..common::unlimited()
    })
    .await;
    // A required parameter missing, with a documented `<PARAM>_EMPTY` code: that code.
    let (status, body) = common::call(&emu, "im.dialog.users.list", json!({"LIMIT": 5})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("DIALOG_ID_EMPTY")),
        "{body}"
    );
    assert_eq!(body["error_description"], "Dialog ID can't be empty");
    // Lower-case names count, as for the handler.
    let (status, _) =
        common::call(&emu, "im.dialog.users.list", json!({"dialog_id": "chat1"})).await;
    assert_eq!(status, 200);
    // A value of the wrong type, without such a code: INVALID_REQUEST naming the parameter.
    let (status, body) = common::call(
        &emu,
        "im.dialog.users.list",
        json!({"DIALOG_ID": "chat1", "LIMIT": "many"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("`LIMIT`"),
        "{body}"
    );
    for params in [json!({"ID": "x"}), json!({})] {
        let (status, body) = common::call(&emu, "im.user.list.get", params).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("INVALID_REQUEST"))
        );
        assert!(
            body["error_description"].as_str().unwrap().contains("`ID`"),
            "{body}"
        );
    }
    let counted = common::stats(&emu).await["answered_from_example"].clone();
    assert_eq!(counted["im.dialog.users.list"], 3);
}

#[tokio::test]
async fn extranet_callers_are_refused_the_company_structure() {
    let emu = common::start(common::unlimited()).await;
    // The webhook's user becomes an extranet user.
    emu.with_portal(|p| {
        let me = p.users.iter_mut().find(|u| u.id == 1).unwrap();
        me.kind = "extranet".into();
    });
    for method in [
        "im.department.colleagues.list",
        "im.department.employees.get",
        "im.department.get",
        "im.department.managers.get",
    ] {
        // Checked strictly: 403 `ACCESS_ERROR` with the text the spec gives.
        let (status, body) = common::call(&emu, method, json!({"ID": [1]})).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("ACCESS_ERROR")),
            "{method}: {body}"
        );
    }
}

#[test]
fn the_strict_check_rejects_what_the_spec_does_not_say() {
    let entry = b24_im::METHODS
        .iter()
        .find(|m| m.info.name == "im.chat.get")
        .unwrap();
    let check = |status: u16, body: Value| check_answer(entry, status, body.to_string().as_bytes());
    assert_eq!(check(200, json!({"result": {"ID": 2}})), Ok(()));
    assert_eq!(check(200, json!({"result": null})), Ok(()));
    let misspelt = check(200, json!({"result": {"ID": 2, "NAME": "x"}})).unwrap_err();
    assert!(misspelt.contains("NAME"), "{misspelt}");
    assert!(check(200, json!({"result": {"ID": 2}, "totl": 1})).is_err());
    assert!(
        check(200, json!({"result": "chat"})).is_err(),
        "a shape the spec lacks"
    );
    let error = |code: &str, text: &str| json!({"error": code, "error_description": text});
    assert_eq!(
        check(400, error("DIALOG_ID_EMPTY", "Dialog ID can't be empty")),
        Ok(())
    );
    assert!(check(403, error("DIALOG_ID_EMPTY", "Dialog ID can't be empty")).is_err());
    assert!(check(400, error("DIALOG_ID_EMPTY", "Dialog id is empty")).is_err());
    assert!(check(400, error("NO_SUCH_CODE", "x")).is_err());
    assert_eq!(
        check(503, error("QUERY_LIMIT_EXCEEDED", "Too many requests")),
        Ok(())
    );
    assert!(check(200, error("DIALOG_ID_EMPTY", "Dialog ID can't be empty")).is_err());
}
