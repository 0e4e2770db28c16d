//! `im.message.add`, as the server's `messageAdd` does it (`docs/server-behaviour.md`, the
//! spec's method notes).
//!
//! Checks, in the server's order:
//! 1. Content. `MESSAGE` set (not `null`) must be a string ("Wrong message type"), is trimmed
//!    (PHP `trim`), and may be empty only next to a non-`empty` `ATTACH`; without `MESSAGE`,
//!    `ATTACH` must be set. Else 400 `MESSAGE_EMPTY`.
//! 2. Target. `DIALOG_ID` that is a chat id (`chat<N>`, `sg<N>`, `crm<N>`) replaces `CHAT_ID`;
//!    any other `DIALOG_ID` replaces `USER_ID` with its `intval`. Then `USER_ID` wins over
//!    `CHAT_ID`: `USER_ID` <= 0 is 400 `USER_ID_EMPTY`, an unknown user 400 `USER_NOT_FOUND`;
//!    `CHAT_ID` <= 0 is 400 `CHAT_ID_EMPTY` (`chat0`, or a `sg`/`crm` id with no chat behind
//!    it); posting to the general chat as a non-intranet user is 403 `ACCESS_ERROR` ("Action
//!    unavailable"); no target at all is 400 `PARAMS_ERROR` ("Incorrect params"). `chat<N>` is
//!    not looked up here (`Dialog::getChatId` just strips the prefix), so an unknown chat id
//!    fails later, when the message is stored.
//! 3. `ATTACH` (400 `ATTACH_OVERSIZE` from 60,000 characters of stored JSON, 400 `ATTACH_ERROR`
//!    when a non-`empty` value holds no valid block), `KEYBOARD` (400 `KEYBOARD_ERROR`), `MENU`
//!    (400 `MENU_ERROR`), then `REPLY_ID` > 0 (403 `REPLY_ACCESS_ERROR` when the caller cannot
//!    see that message, 403 `REPLY_FROM_OTHER_CHAT_ERROR` when it is in another dialog).
//! 4. Storing (`CIMMessenger::Add`), which fails with 400 `PARAMS_ERROR` ("Message isn't added")
//!    when the chat does not exist, the caller is not a member of a non-open chat, the private
//!    dialog's user is hidden from the caller, or nothing is left to send (e.g. only an `ATTACH`
//!    that is `[]`).
//!
//! The text is stored trimmed and at most 20,000 characters long, as the messenger keeps it
//! (the limit the bot API documents for message text): a longer text is cut to 20,000
//! characters, the last six being ` (...)`, without an error.
//!
//! Effects: a private dialog is started when none exists ([`Portal::start_private`]); writing
//! into an open chat one is not a member of joins it (the messenger's join-on-write for open
//! chats); the message is stored with `ATTACH` (as the server stores it: a list of attachments
//! with `ID`, `BLOCKS`, `DESCRIPTION`, `COLOR_TOKEN`, single blocks as lists), `KEYBOARD` and
//! `MENU` (the built button/item lists, bound to `BOT_ID`) and `REPLY_ID` in its params, and
//! `TEMPLATE_ID` (first 255 characters) as its `uuid`; the sender's last read message moves to
//! the new one (sending reads the dialog), so it is unread only for the other members. An
//! effective `SYSTEM=Y` (caller can access the dialog and is not an extranet user; webhook and
//! OAuth calls both qualify) stores the message as a system message (author 0).
//!
//! Not reproduced: the OAuth application's `[b]name[/b]` prefix of system messages (the handler
//! does not know the application's name), the per-entity "It is forbidden to send messages to
//! this chat" restriction (the portal models no chat options), URL previews and connectors.
//! The `KEYBOARD` rules are the server's `Keyboard::addButton` ones; `ATTACH` and `MENU`
//! validation follows the documented rules of their blocks and items, which is close to but not
//! literally the server's parser.

use b24_im::{MessageAddErrorCode as Code, MessageAddRequest as Method};
use serde_json::{Map, Value, json};

use crate::methods::{Failure, Outcome, Write, fail, fail_nth};
use crate::php::scalar_text;
use crate::php::{array_values, decode_text, empty, intval, is_array, isset, trim};
use crate::portal::{Portal, User, iso};

/// Largest stored attachment (exclusive), in characters of its JSON.
pub(super) const ATTACH_LIMIT: usize = 60_000;

/// Longest stored message text, in characters; a longer one is cut to this length, its last
/// characters replaced by [`CUT_MARK`].
const TEXT_LIMIT: usize = 20_000;
const CUT_MARK: &str = " (...)";

/// The text as the messenger stores it: at most [`TEXT_LIMIT`] characters.
pub(super) fn within_limit(text: String) -> String {
    if text.chars().nth(TEXT_LIMIT).is_none() {
        return text;
    }
    let keep = TEXT_LIMIT - CUT_MARK.len();
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    format!("{}{CUT_MARK}", text.get(..end).unwrap_or_default())
}

/// `MESSAGE_EMPTY` "Message can't be empty".
fn message_empty() -> Failure {
    fail(Code::MessageEmpty)
}

/// `MESSAGE_EMPTY` "Wrong message type".
fn wrong_type() -> Failure {
    fail_nth(Code::MessageEmpty, 1)
}

/// `PARAMS_ERROR` "Message isn't added".
fn not_added() -> Failure {
    fail_nth(Code::ParamsError, 1)
}

/// Extranet-like accounts: no general chat, no system messages.
fn is_extranet(user: &User) -> bool {
    matches!(user.kind.as_str(), "extranet" | "collaber" | "guest")
}

/// `#RGB` or `#RRGGBB`.
fn is_hex_color(value: Option<&Value>) -> bool {
    let Some(Value::String(s)) = value else {
        return false;
    };
    let hex = s.strip_prefix('#').unwrap_or("");
    s.starts_with('#') && matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A link the messenger keeps: absolute `http(s)://` or a path from the portal root.
fn is_link(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::String(s)) if s.starts_with('/') || s.starts_with("http://") || s.starts_with("https://"))
}

/// A non-empty string after PHP's `trim`.
fn text_of(value: Option<&Value>) -> Option<&str> {
    match value {
        Some(Value::String(s)) if !trim(s).is_empty() => Some(s.as_str()),
        _ => None,
    }
}

/// The value when it is one of `allowed`, else `default` (`in_array(...) ? value : default`).
fn one_of<'a>(value: Option<&'a Value>, allowed: &[&str], default: &'a str) -> &'a str {
    value
        .and_then(Value::as_str)
        .filter(|v| allowed.contains(v))
        .unwrap_or(default)
}

/// `htmlspecialcharsbx`.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Private(u64),
    Chat(u64),
}

// ---------------------------------------------------------------------------------------------
// ATTACH
// ---------------------------------------------------------------------------------------------

/// One object or a list of objects, each kept when `valid`.
fn items(value: &Value, valid: impl Fn(&Map<String, Value>) -> bool) -> Vec<Value> {
    let list = match value {
        Value::Object(map) if !map.keys().all(|k| k.parse::<u64>().is_ok()) => vec![value],
        other => array_values(other).unwrap_or_default(),
    };
    list.into_iter()
        .filter(|v| v.as_object().is_some_and(&valid))
        .cloned()
        .collect()
}

fn link_target(item: &Map<String, Value>) -> bool {
    is_link(item.get("LINK"))
        || (text_of(item.get("NAME")).is_some()
            && ["USER_ID", "CHAT_ID", "NETWORK_ID"]
                .iter()
                .any(|k| !empty(item.get(*k))))
}

/// The stored blocks of one block object (each recognised key is a block).
fn blocks_of(block: &Map<String, Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for (key, value) in block {
        let kept = match key.as_str() {
            "MESSAGE" => match value {
                Value::String(s) if !trim(s).is_empty() => Some(value.clone()),
                Value::Object(m) if text_of(m.get("TEXT")).is_some() => Some(value.clone()),
                _ => None,
            },
            "LINK" | "RICH_LINK" => Some(Value::Array(items(value, link_target))),
            "USER" => Some(Value::Array(items(value, |i| {
                text_of(i.get("NAME")).is_some()
            }))),
            "IMAGE" | "FILE" => Some(Value::Array(items(value, |i| is_link(i.get("LINK"))))),
            "GRID" => {
                let grid: Vec<Value> = array_values(value)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(Value::as_object)
                    .filter(|i| !empty(i.get("NAME")) || !empty(i.get("VALUE")))
                    .map(|i| {
                        let mut item = i.clone();
                        let display = match item.get("DISPLAY").and_then(Value::as_str) {
                            Some("LINE" | "CARD") => "LINE",
                            Some("ROW" | "COLUMN") => "ROW",
                            _ => "BLOCK",
                        };
                        item.insert("DISPLAY".into(), json!(display));
                        Value::Object(item)
                    })
                    .collect();
                Some(Value::Array(grid))
            }
            "DELIMITER" => is_array(value).then(|| value.clone()),
            _ => None,
        };
        match kept {
            Some(Value::Array(list)) if list.is_empty() => {}
            Some(v) => out.push(json!({ key.clone(): v })),
            None => {}
        }
    }
    out
}

/// `CIMMessageParamAttach::GetAttachByJson`: the attachment as stored, or `None` when the value
/// is not an array or has no valid block.
pub(super) fn build_attach(raw: &Value, now: i64) -> Option<Value> {
    let value = decode_text(raw);
    let (meta, blocks) = match &value {
        Value::Object(map) if map.get("BLOCKS").is_some_and(|b| !b.is_null()) => {
            (Some(map), map.get("BLOCKS")?)
        }
        other if is_array(other) => (None, other),
        _ => return None,
    };
    let stored_blocks: Vec<Value> = array_values(blocks)?
        .into_iter()
        .filter_map(Value::as_object)
        .flat_map(blocks_of)
        .collect();
    if stored_blocks.is_empty() {
        return None;
    }
    let meta_get = |key: &str| meta.and_then(|m| m.get(key));
    let token = one_of(
        meta_get("COLOR_TOKEN"),
        &["primary", "secondary", "alert", "base"],
        "base",
    );
    let mut attach = Map::new();
    attach.insert("ID".into(), json!(now));
    attach.insert("BLOCKS".into(), Value::Array(stored_blocks));
    attach.insert(
        "DESCRIPTION".into(),
        json!(
            meta_get("DESCRIPTION")
                .and_then(scalar_text)
                .unwrap_or_default()
        ),
    );
    attach.insert("COLOR_TOKEN".into(), json!(token));
    if let Some(color) = isset(meta_get("COLOR")) {
        let kept = if is_hex_color(Some(color)) || color.as_str() == Some("TRANSPARENT") {
            color.clone()
        } else {
            // The server picks a random palette colour; the emulator stays deterministic.
            json!("#29619b")
        };
        attach.insert("COLOR".into(), kept);
    }
    Some(Value::Object(attach))
}

// ---------------------------------------------------------------------------------------------
// KEYBOARD and MENU
// ---------------------------------------------------------------------------------------------

/// Splits a `KEYBOARD`/`MENU` value into its wrapper (when it has the list under `key`) and the
/// list itself.
fn wrapped<'a>(value: &'a Value, key: &str) -> (Option<&'a Map<String, Value>>, Option<&'a Value>) {
    match value {
        Value::Object(map) if isset(map.get(key)).is_some() => (Some(map), map.get(key)),
        other => (None, Some(other)),
    }
}

const COLOR_KEYS: [&str; 4] = ["BG_COLOR", "TEXT_COLOR", "OFF_BG_COLOR", "OFF_TEXT_COLOR"];

/// `Keyboard::addButton`.
fn button(
    params: &Map<String, Value>,
    bot_id: i64,
    colors: &Map<String, Value>,
    vote: bool,
) -> Option<Value> {
    let text = text_of(params.get("TEXT"))?;
    let mut b = Map::new();
    b.insert("BOT_ID".into(), json!(bot_id));
    b.insert("TYPE".into(), json!("BUTTON"));
    let action_value = params
        .get("ACTION_VALUE")
        .and_then(scalar_text)
        .unwrap_or_default();
    if is_link(params.get("LINK")) {
        b.insert(
            "LINK".into(),
            json!(html_escape(params.get("LINK")?.as_str()?)),
        );
    } else if !empty(params.get("APP_ID")) {
        b.insert("APP_ID".into(), json!(intval(params.get("APP_ID")?)));
        if let Some(app_params) = text_of(params.get("APP_PARAMS")) {
            b.insert("APP_PARAMS".into(), json!(app_params));
        }
    } else if let Some(action) = params.get("ACTION").and_then(Value::as_str).filter(|a| {
        ["PUT", "SEND", "COPY", "CALL", "DIALOG", "LIVECHAT", "HELP"].contains(a)
            && !trim(&action_value).is_empty()
    }) {
        b.insert("ACTION".into(), json!(action));
        b.insert("ACTION_VALUE".into(), params.get("ACTION_VALUE")?.clone());
    } else if let Some(command) = text_of(params.get("COMMAND")).filter(|_| bot_id > 0) {
        b.insert(
            "COMMAND".into(),
            json!(command.strip_prefix('/').unwrap_or(command)),
        );
        b.insert(
            "COMMAND_PARAMS".into(),
            json!(text_of(params.get("COMMAND_PARAMS")).unwrap_or("")),
        );
    } else {
        return None;
    }
    let flag = |key: &str| {
        if params.get(key).and_then(Value::as_str) == Some("Y") {
            "Y"
        } else {
            "N"
        }
    };
    b.insert("TEXT".into(), json!(trim(text)));
    b.insert("VOTE".into(), json!(if vote { "Y" } else { "N" }));
    b.insert("BLOCK".into(), json!(flag("BLOCK")));
    b.insert("WAIT".into(), json!("N"));
    let context = one_of(params.get("CONTEXT"), &["MOBILE", "DESKTOP"], "ALL");
    b.insert("CONTEXT".into(), json!(context));
    b.insert("DISABLED".into(), json!(flag("DISABLED")));
    let display = one_of(params.get("DISPLAY"), &["BLOCK", "LINE"], "BLOCK");
    b.insert("DISPLAY".into(), json!(display));
    if let Some(width) = params.get("WIDTH").map(intval).filter(|w| *w > 0) {
        b.insert("WIDTH".into(), json!(width));
    }
    for key in COLOR_KEYS {
        if is_hex_color(params.get(key)) {
            b.insert(key.into(), params.get(key)?.clone());
        } else if let Some(default) = colors.get(key) {
            b.insert(key.into(), default.clone());
        }
    }
    Some(Value::Object(b))
}

/// `Keyboard::getKeyboardByJson`: the stored button list, or `None` when no button is valid.
pub(super) fn build_keyboard(raw: &Value, bot_id: i64) -> Option<Value> {
    let value = decode_text(raw);
    let (wrapper, buttons) = wrapped(&value, "BUTTONS");
    let mut colors = Map::new();
    if let Some(Value::Object(given)) = wrapper.and_then(|w| w.get("COLORS")) {
        for key in COLOR_KEYS {
            if is_hex_color(given.get(key)) {
                colors.insert(key.into(), given.get(key)?.clone());
            }
        }
    }
    let vote = wrapper.and_then(|w| w.get("VOTE")).and_then(Value::as_str) == Some("Y");
    let mut out = Vec::new();
    for entry in buttons.and_then(array_values).unwrap_or_default() {
        let Some(b) = entry.as_object() else { continue };
        if b.get("TYPE").and_then(Value::as_str) == Some("NEWLINE") {
            out.push(json!({"TYPE": "NEWLINE"}));
        } else if isset(b.get("FUNCTION")).is_some() {
            // Functions are for the server's own keyboards only.
        } else if let Some(built) = button(b, bot_id, &colors, vote) {
            out.push(built);
        }
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

/// `ContextMenu::getByJson`, following the documented item rules: `TEXT` plus one action.
pub(super) fn build_menu(raw: &Value, bot_id: i64) -> Option<Value> {
    let value = decode_text(raw);
    let (_, items) = wrapped(&value, "ITEMS");
    let mut out = Vec::new();
    for entry in items.and_then(array_values).unwrap_or_default() {
        let Some(params) = entry.as_object() else {
            continue;
        };
        let Some(text) = text_of(params.get("TEXT")) else {
            continue;
        };
        let mut item = Map::new();
        item.insert("BOT_ID".into(), json!(bot_id));
        item.insert("TEXT".into(), json!(trim(text)));
        let action_value = params
            .get("ACTION_VALUE")
            .and_then(scalar_text)
            .unwrap_or_default();
        if is_link(params.get("LINK")) {
            item.insert(
                "LINK".into(),
                params.get("LINK").cloned().unwrap_or_default(),
            );
        } else if let Some(action) = params.get("ACTION").and_then(Value::as_str).filter(|a| {
            ["PUT", "SEND", "COPY", "CALL", "DIALOG"].contains(a) && !trim(&action_value).is_empty()
        }) {
            item.insert("ACTION".into(), json!(action));
            item.insert("ACTION_VALUE".into(), json!(action_value));
        } else if !empty(params.get("APP_ID")) {
            item.insert(
                "APP_ID".into(),
                json!(params.get("APP_ID").map(intval).unwrap_or(0)),
            );
            if let Some(app_params) = text_of(params.get("APP_PARAMS")) {
                item.insert("APP_PARAMS".into(), json!(app_params));
            }
        } else if let Some(command) = text_of(params.get("COMMAND")).filter(|_| bot_id > 0) {
            item.insert(
                "COMMAND".into(),
                json!(command.strip_prefix('/').unwrap_or(command)),
            );
            item.insert(
                "COMMAND_PARAMS".into(),
                json!(text_of(params.get("COMMAND_PARAMS")).unwrap_or("")),
            );
        } else {
            continue;
        }
        let context = one_of(params.get("CONTEXT"), &["MOBILE", "DESKTOP"], "ALL");
        item.insert("CONTEXT".into(), json!(context));
        let disabled = params.get("DISABLED").and_then(Value::as_str) == Some("Y");
        item.insert("DISABLED".into(), json!(if disabled { "Y" } else { "N" }));
        out.push(Value::Object(item));
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

// ---------------------------------------------------------------------------------------------
// Targets and access
// ---------------------------------------------------------------------------------------------

/// `Dialog::getChatId` of a chat dialog id (`chat<N>`, `sg<N>`, `crm<N>`), or `None` when the
/// value is not one (`isChatId`). `chat<N>` is not looked up; `sg`/`crm` without a chat give 0.
fn chat_dialog(portal: &Portal, value: &Value) -> Option<i64> {
    use b24_core::DialogId;
    let text = scalar_text(value)?;
    let id = match text.parse::<DialogId>().ok()? {
        DialogId::User(_) => return None,
        DialogId::Chat(n) => n,
        DialogId::Workgroup(group) => portal.workgroup_chat(group).map_or(0, |c| c.id),
        // The emulator's `crm<N>` is chat N, as in the dialog access rules.
        DialogId::Crm(n) => portal.chat(n).map_or(0, |c| c.id),
    };
    Some(i64::try_from(id).unwrap_or(i64::MAX))
}

/// `Dialog::hasAccess` of the target: a chat the caller is in (or an open chat), or a user the
/// caller may see.
fn has_access(portal: &Portal, caller: u64, target: Target) -> bool {
    match target {
        Target::Chat(id) => portal
            .chat(id)
            .is_some_and(|c| c.kind == "open" || c.members.iter().any(|r| r.user_id == caller)),
        Target::Private(user) => portal.user(user).is_some_and(|u| portal.can_see(caller, u)),
    }
}

/// `Message::checkAccess`: the message exists, the caller may read its chat and it is not
/// before their join point.
pub(super) fn can_read_message(portal: &Portal, caller: u64, message_id: u64) -> Option<u64> {
    let message = portal.message(message_id)?;
    let chat = portal.chat(message.chat_id)?;
    let relation = chat.members.iter().find(|r| r.user_id == caller);
    let readable = match relation {
        Some(r) => message.id >= r.start_id,
        None => chat.kind == "open",
    };
    readable.then_some(chat.id)
}

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let caller = call.caller;
    let now = call.now;

    // 1. Content.
    let attach_raw = isset(params.get("ATTACH"));
    let text = match isset(params.get("MESSAGE")) {
        Some(Value::String(s)) => {
            let text = within_limit(trim(s).to_owned());
            if text.is_empty() && empty(attach_raw) {
                return Err(message_empty());
            }
            text
        }
        Some(_) => return Err(wrong_type()),
        None if attach_raw.is_none() => return Err(message_empty()),
        None => String::new(),
    };

    // 2. Target.
    let mut user_id = isset(params.get("USER_ID")).map(intval);
    let mut chat_id = isset(params.get("CHAT_ID")).map(intval);
    if let Some(dialog) = isset(params.get("DIALOG_ID")) {
        match chat_dialog(call.portal, dialog) {
            Some(id) => chat_id = Some(id),
            None => user_id = Some(intval(dialog)),
        }
    }
    let portal = &*call.portal;
    let me = portal.user(caller);
    let target = if let Some(user_id) = user_id {
        let Some(user_id) = u64::try_from(user_id).ok().filter(|id| *id > 0) else {
            return Err(fail(Code::UserIdEmpty));
        };
        if portal.user(user_id).is_none() {
            return Err(fail(Code::UserNotFound));
        }
        Target::Private(user_id)
    } else if let Some(chat_id) = chat_id {
        let Some(chat_id) = u64::try_from(chat_id).ok().filter(|id| *id > 0) else {
            return Err(fail(Code::ChatIdEmpty));
        };
        let general = portal.chat(chat_id).is_some_and(|c| c.general);
        if general && me.is_none_or(is_extranet) {
            return Err(fail(Code::AccessError));
        }
        Target::Chat(chat_id)
    } else {
        return Err(fail(Code::ParamsError));
    };

    // 3. Attachment, keyboard, menu, reply.
    let mut stored = Map::new();
    if let Some(raw) = attach_raw {
        match build_attach(raw, now) {
            Some(attach) => {
                if serde_json::to_string(&attach).map_or(0, |s| s.chars().count()) >= ATTACH_LIMIT {
                    return Err(fail(Code::AttachOversize));
                }
                stored.insert("ATTACH".into(), json!([attach]));
            }
            None if !empty(Some(raw)) => {
                return Err(fail(Code::AttachError));
            }
            None => {}
        }
    }
    let bot_id = params.get("BOT_ID").map_or(0, intval);
    if let Some(raw) = params.get("KEYBOARD").filter(|v| !empty(Some(v))) {
        let keyboard = build_keyboard(raw, bot_id).ok_or_else(|| fail(Code::KeyboardError))?;
        stored.insert("KEYBOARD".into(), keyboard);
    }
    if let Some(raw) = params.get("MENU").filter(|v| !empty(Some(v))) {
        let menu = build_menu(raw, bot_id).ok_or_else(|| fail(Code::MenuError))?;
        stored.insert("MENU".into(), menu);
    }
    let system_flag = matches!(isset(params.get("SYSTEM")), Some(Value::String(s)) if s == "Y")
        || matches!(params.get("SYSTEM"), Some(Value::Bool(true)));
    let system =
        system_flag && has_access(portal, caller, target) && me.is_some_and(|u| !is_extranet(u));
    let target_chat = match target {
        Target::Chat(id) => Some(id),
        Target::Private(user) => portal.private_chat(caller, user).map(|c| c.id),
    };
    if let Some(reply_id) = isset(params.get("REPLY_ID"))
        .map(intval)
        .filter(|id| *id > 0)
    {
        let reply_id = u64::try_from(reply_id).unwrap_or(0);
        let Some(reply_chat) = can_read_message(portal, caller, reply_id) else {
            return Err(fail(Code::ReplyAccessError));
        };
        if Some(reply_chat) != target_chat {
            return Err(fail(Code::ReplyFromOtherChatError));
        }
        stored.insert("REPLY_ID".into(), json!(reply_id));
    }
    let uuid = isset(params.get("TEMPLATE_ID"))
        .filter(|v| !empty(Some(v)))
        .and_then(scalar_text)
        .map(|t| t.chars().take(255).collect::<String>());

    // 4. Store (`CIMMessenger::Add`).
    if text.is_empty() && !stored.contains_key("ATTACH") {
        return Err(not_added());
    }
    let join = match target {
        Target::Private(user) => {
            let visible = portal.user(user).is_some_and(|u| portal.can_see(caller, u));
            if !visible {
                return Err(not_added());
            }
            false
        }
        Target::Chat(id) => {
            let chat = portal.chat(id).ok_or_else(not_added)?;
            let member = chat.members.iter().any(|r| r.user_id == caller);
            if !member && chat.kind != "open" {
                return Err(not_added());
            }
            !member
        }
    };
    let portal = &mut *call.portal;
    let mut opened_with = None;
    let chat_id = match (target, target_chat) {
        (_, Some(id)) => id,
        (Target::Private(user), None) => {
            opened_with = Some(user);
            portal.start_private(caller, user)
        }
        (Target::Chat(id), None) => id,
    };
    if let Some(user) = opened_with {
        crate::methods::imbot::events::private_chat_opened(portal, chat_id, caller, user, now);
    }
    if join {
        portal.join_chat(chat_id, caller);
    }
    let author = if system { 0 } else { caller };
    let id = portal.add_message(chat_id, author, text, iso(now), stored);
    if let Some(message) = portal.message_mut(id) {
        message.uuid = uuid;
    }
    portal.mark_read(chat_id, caller, id);
    if let Some(event) = portal
        .message(id)
        .map(|m| crate::methods::v2::event::message_added(portal, m))
    {
        portal.record_event(chat_id, "ONIMV2MESSAGEADD", now, &event);
    }
    crate::methods::imbot::events::message_added(portal, id, now);
    Outcome::of::<Method>(&id, 1)
}
