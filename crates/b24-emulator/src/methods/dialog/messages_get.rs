//! `im.dialog.messages.get`, as the server's `dialogMessagesGet` and `Chat::getMessages` do it
//! (`docs/server-behaviour.md`, the spec's method notes).
//!
//! Checks, in order: `CHAT_ID` (> 0 after `intval`) replaces `DIALOG_ID` with `"chat"` + the
//! value as sent; `DIALOG_ID_EMPTY` (400); `ACCESS_ERROR` (403); then `FIRST_ID` (wins when
//! both are sent) or `LAST_ID` must be digits only, else `FIRST_ID_STRING` / `LAST_ID_STRING`
//! (400). Unlike `im.dialog.users.list` there is no 400 check for a dialog without a chat (a
//! private dialog never started): `Chat::getMessages` then finds no chat and the answer is
//! `"result": false`.
//!
//! `LIMIT`: absent 20, above 50 capped at 50, `0` or negative passed through; the ORM adds no
//! `LIMIT` clause for a value <= 0, so those return the whole (visible) history.
//!
//! Window:
//! - `FIRST_ID`: messages with a larger id, oldest first (`FIRST_ID=0`: from the start).
//! - `LAST_ID`: messages with a smaller id, newest first (`LAST_ID=0`: the latest).
//! - Neither, and the caller has `n` unread messages: if `n <= LIMIT` the page grows to
//!   `LIMIT + n`; otherwise it starts at the last read message: the oldest `LIMIT` unread
//!   messages (newest first), followed by up to `LIMIT` read messages before the first unread
//!   one (their users and files are not added, and they get no `text_converted`).
//! - Messages before the caller's join point (`start_id`) are never returned.
//!
//! Messages: `params` is `[]` when empty; a message with an empty (PHP-`empty`, so also `"0"`)
//! text and no file, keyboard or attachment is shown as deleted ("This message was deleted",
//! `params.IS_DELETED = Y`); `unread` is "after the caller's last read message" (only for
//! members); `uuid` is the client id (`TEMPLATE_ID`) or `null`; `replaces` is `[]` (no mention
//! map is computed); `disappearing_date` is `null`. `CONVERT_TEXT` exactly `Y` (or JSON `true`,
//! PHP's loose `== 'Y'`) adds `text_converted`; the legacy converter is approximated by
//! unwrapping `[USER=..]..[/USER]` and `[CHAT=..]..[/CHAT]` tags to their names.
//!
//! `users`: each author once (authors first, in message order), in the `im.dialog.users.list`
//! shape with `idle`, `mobile_last_date` and `desktop_last_date` `false` (spec note); an author
//! whose account does not exist gives the server's fragment of only those date keys. Users named
//! in a message's `CHAT_USER` param follow (or replace the author entry in place), with all four
//! activity dates `false` (`SKIP_ONLINE`), or `null` when they do not exist. The fragment and the
//! `null` fit no user object of the spec (clients leave them out and report them, as the spec's
//! `deleted-author` example shows); they are the only entries not built from the generated
//! types. `files`: the files of the messages (their `params.FILE_ID`) that still exist, in
//! message order.

use b24_im::{
    DialogFile, DialogMessage, DialogMessagesGetErrorCode as Code,
    DialogMessagesGetRequest as Method, DialogMessagesPage, DialogUser, MessageParams,
};
use serde_json::{Value, json};

use crate::methods::{Failure, LimitRule, Outcome, Read, fail, render};
use crate::php::scalar_text;
use crate::php::{intval, isset};
use crate::portal::{Chat, Denied, Message, Portal};
use crate::portal::{dialog_chat, parse_dialog_id};

/// Text of a deleted message (`IM_CHAT_MESSAGE_DELETED`, English).
const DELETED: &str = "This message was deleted";

/// Most messages one `Chat::getMessages` call returns, whatever `LIMIT` says.
const WINDOW_MAX: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    /// `FIRST_ID`: newer messages, ascending.
    First(u64),
    /// `LAST_ID` (or none): older messages, descending.
    Last(u64),
}

/// `preg_match('/^\d{1,}$/', value)` then `intval`: `None` when not digits only. PCRE's `$` also
/// matches before a final newline.
fn digits(value: &Value) -> Option<u64> {
    let text = scalar_text(value)?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u64>().unwrap_or(u64::MAX))
}

/// `Text::parseLegacyFormat`, approximated: `[USER=..]Name[/USER]` and `[CHAT=..]Name[/CHAT]`
/// become `Name`.
fn legacy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(rest.get(..open).unwrap_or(""));
        let tail = rest.get(open..).unwrap_or("");
        let close = tail.find(']');
        let tag = close
            .and_then(|c| tail.get(1..c))
            .unwrap_or("")
            .to_ascii_uppercase();
        let is_ref = ["USER=", "CHAT=", "/USER", "/CHAT"]
            .iter()
            .any(|p| tag.starts_with(p));
        match close {
            Some(c) if is_ref => rest = tail.get(c + 1..).unwrap_or(""),
            _ => {
                out.push('[');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// An entry of `users`: a user object, or what the server sends where it has none.
#[derive(Debug, Clone)]
enum UserEntry {
    /// A user, built from the generated type.
    User(Box<DialogUser>),
    /// An author whose account is gone: only the activity dates, all `false`.
    Gone,
    /// A user named in `CHAT_USER` that does not exist.
    Null,
}

impl UserEntry {
    fn to_json(&self) -> Value {
        match self {
            Self::User(user) => serde_json::to_value(user).unwrap_or(Value::Null),
            Self::Gone => {
                json!({"last_activity_date": false, "desktop_last_date": false, "mobile_last_date": false, "idle": false})
            }
            Self::Null => Value::Null,
        }
    }
}

/// Users collected for the page: a PHP array keyed by user id (overwrites keep the position).
#[derive(Default)]
struct Users(Vec<(u64, UserEntry)>);

impl Users {
    fn contains(&self, id: u64) -> bool {
        self.0.iter().any(|(k, _)| *k == id)
    }

    fn set(&mut self, id: u64, value: UserEntry) {
        match self.0.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = value,
            None => self.0.push((id, value)),
        }
    }
}

/// A user with all activity dates `false`, or also keeping `last_activity_date`.
fn user_offline(portal: &Portal, id: u64, keep_last_activity: bool) -> Option<UserEntry> {
    let mut user = render::user(portal, portal.user(id)?);
    user.idle = None;
    user.mobile_last_date = None;
    user.desktop_last_date = None;
    if !keep_last_activity {
        user.last_activity_date = None;
    }
    Some(UserEntry::User(Box::new(user)))
}

/// One call of `Chat::getMessages` (it calls itself once for the read part of a page that
/// starts from the unread messages).
struct Window {
    messages: Vec<DialogMessage>,
    users: Vec<UserEntry>,
    /// The files of the messages (not of the read messages after the unread ones).
    files: Vec<DialogFile>,
}

/// A stored message as the page shows it to `caller`.
fn show(chat: &Chat, m: &Message, unread: bool, convert: bool) -> DialogMessage {
    let mut stored = m.params.clone();
    let mut text = m.text.clone();
    let has = |key: &str| stored.get(key).is_some_and(|v| !v.is_null());
    if (text.is_empty() || text == "0") && !has("FILE_ID") && !has("KEYBOARD") && !has("ATTACH") {
        text = DELETED.to_owned();
        stored.insert("IS_DELETED".into(), json!("Y"));
    }
    let mut message = DialogMessage::default();
    message.id = m.id;
    message.chat_id = Some(chat.id);
    message.author_id = Some(m.author_id);
    message.date = render::date(Some(&m.date));
    message.text = Some(text);
    message.unread = Some(unread);
    message.uuid.clone_from(&m.uuid);
    // The stored params, read through the generated type: keys the spec does not know are
    // not sent.
    message.params =
        serde_json::from_value::<MessageParams>(Value::Object(stored)).unwrap_or_default();
    if convert {
        message.text_converted = Some(legacy_text(&m.text));
    }
    message
}

fn get_messages(
    portal: &Portal,
    chat: &Chat,
    caller: u64,
    cursor: Option<Cursor>,
    limit: i64,
    convert: bool,
) -> Window {
    let relation = chat.members.iter().find(|r| r.user_id == caller);
    let unread = portal.unread(chat.id, caller);
    let counter = i64::try_from(unread.len()).unwrap_or(i64::MAX);
    let last_read = relation.map_or(0, |r| r.last_read);
    let start_id = relation.map_or(0, |r| r.start_id);
    let mut limit = limit.min(WINDOW_MAX);

    let mut cursor = cursor;
    let mut from_unread = false;
    if cursor.is_none() && counter > 0 {
        if counter > limit {
            from_unread = true;
            cursor = Some(Cursor::First(last_read));
        } else {
            limit += counter;
        }
    }
    let take = usize::try_from(limit)
        .ok()
        .filter(|n| *n > 0)
        .unwrap_or(usize::MAX);

    let mut rows: Vec<&Message> = portal
        .messages
        .iter()
        .filter(|m| m.chat_id == chat.id)
        .collect();
    match cursor {
        Some(Cursor::First(first)) => {
            rows.sort_by_key(|m| m.id);
            if start_id > 0 && first < start_id {
                rows.retain(|m| m.id >= start_id);
            } else if first > 0 {
                rows.retain(|m| m.id > first);
            }
        }
        Some(Cursor::Last(_)) | None => {
            rows.sort_by_key(|m| std::cmp::Reverse(m.id));
            if start_id > 0 {
                rows.retain(|m| m.id >= start_id);
            }
            let last = match cursor {
                Some(Cursor::Last(last)) => last,
                _ => 0,
            };
            if last > 0 {
                rows.retain(|m| m.id < last);
            }
        }
    }
    rows.truncate(take);
    if rows.is_empty() {
        return Window {
            messages: Vec::new(),
            users: Vec::new(),
            files: Vec::new(),
        };
    }

    let mut users = Users::default();
    let mut messages = Vec::with_capacity(rows.len());
    let mut files = Vec::new();
    for m in &rows {
        for id in crate::php::id_list(m.params.get("FILE_ID")) {
            if let Some(file) = portal.drive.file(id) {
                files.push(render::file(portal, file));
            }
        }
        if m.author_id != 0 && !users.contains(m.author_id) {
            let author = user_offline(portal, m.author_id, true).unwrap_or(UserEntry::Gone);
            users.set(m.author_id, author);
        }
        let message = show(chat, m, relation.is_some() && last_read < m.id, convert);
        for &id in &message.params.chat_user {
            users.set(
                id,
                user_offline(portal, id, false).unwrap_or(UserEntry::Null),
            );
        }
        messages.push(message);
    }

    if from_unread {
        messages.reverse();
        let first_unread = unread.first().copied().unwrap_or(0);
        let older = get_messages(
            portal,
            chat,
            caller,
            Some(Cursor::Last(first_unread)),
            limit,
            false,
        );
        messages.extend(older.messages);
    }
    Window {
        messages,
        users: users.0.into_iter().map(|(_, v)| v).collect(),
        files,
    }
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    // `CHAT_ID` > 0 becomes `DIALOG_ID = 'chat'.$CHAT_ID`, the value concatenated as sent.
    let from_chat_id = isset(params.get("CHAT_ID"))
        .filter(|v| intval(v) > 0)
        .map(|v| Value::String(format!("chat{}", scalar_text(v).unwrap_or_default())));
    let Some(dialog) = parse_dialog_id(from_chat_id.as_ref().or(params.get("DIALOG_ID"))) else {
        return Err(fail(Code::DialogIdEmpty));
    };
    let chat_id = match dialog_chat(call.portal, call.caller, dialog) {
        Ok(id) => Some(id),
        // A dialog the caller may open but that has no chat yet: no error here.
        Err(Denied::NoChat) => None,
        Err(Denied::NoAccess) => return Err(fail(Code::AccessError)),
    };

    let cursor = if let Some(first) = isset(params.get("FIRST_ID")) {
        let Some(id) = digits(first) else {
            return Err(fail(Code::FirstIdString));
        };
        Some(Cursor::First(id))
    } else if let Some(last) = isset(params.get("LAST_ID")) {
        let Some(id) = digits(last) else {
            return Err(fail(Code::LastIdString));
        };
        Some(Cursor::Last(id))
    } else {
        None
    };
    let limit = call.limit(LimitRule::CappedOnly);
    let convert = matches!(isset(params.get("CONVERT_TEXT")), Some(Value::String(s)) if s == "Y")
        || matches!(params.get("CONVERT_TEXT"), Some(Value::Bool(true)));

    let Some(chat) = chat_id.and_then(|id| call.portal.chat(id)) else {
        return Outcome::of::<Method>(&None, 0);
    };
    let window = get_messages(call.portal, chat, call.caller, cursor, limit, convert);
    let rows = window.messages.len();
    let mut page = DialogMessagesPage::default();
    page.chat_id = Some(chat.id);
    page.messages = window.messages;
    page.files = window.files;
    let typed_users = window.users.iter().all(|u| matches!(u, UserEntry::User(_)));
    if typed_users {
        page.users = window
            .users
            .into_iter()
            .filter_map(|u| match u {
                UserEntry::User(user) => Some(*user),
                UserEntry::Gone | UserEntry::Null => None,
            })
            .collect();
        return Outcome::of::<Method>(&Some(page), rows);
    }
    // Entries no user object fits, in their places among the typed ones.
    let mut outcome = Outcome::of::<Method>(&Some(page), rows)?;
    if let Some(result) = outcome.result.as_object_mut() {
        let users = window.users.iter().map(UserEntry::to_json).collect();
        result.insert("users".into(), Value::Array(users));
    }
    Ok(outcome)
}
