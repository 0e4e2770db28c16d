//! `im.message.update`: the author edits a message.
//!
//! Checks, in order: `MESSAGE_ID` (400 `MESSAGE_ID_ERROR`); the message exists and the caller
//! wrote it (403 `CANT_EDIT_MESSAGE`); then `ATTACH` (400 `ATTACH_ERROR` / `ATTACH_OVERSIZE`),
//! `KEYBOARD` (400 `KEYBOARD_ERROR`) and `MENU` (400 `menu_ERROR`, lower case as the server's
//! `messageUpdate` sends it), each built by the rules of `im.message.add`; `N` or an empty value
//! removes it.
//!
//! Effects: a `MESSAGE` that is empty after trimming deletes the message (as
//! `im.message.delete`); any other `MESSAGE` replaces the text and marks the message edited
//! (`IS_EDITED = Y`) whatever `IS_EDITED` says; a change of the attachment alone marks it
//! edited unless `IS_EDITED=N`. Subscribers get `ONIMV2MESSAGEUPDATE`.
//!
//! Not reproduced: the editing period (the server refuses edits of old messages), URL previews.

use b24_im::{MessageUpdateErrorCode as Code, MessageUpdateRequest as Method};
use serde_json::{Value, json};

use super::add::{ATTACH_LIMIT, build_attach, build_keyboard, build_menu, within_limit};
use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::{intval, isset, trim};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = super::message_id(&call.params).ok_or_else(|| fail(Code::MessageIdError))?;
    let (caller, now) = (call.caller, call.now);
    let params = &call.params;
    let message = call
        .portal
        .message(id)
        .filter(|m| m.author_id == caller)
        .ok_or_else(|| fail(Code::CantEditMessage))?;
    let bot_id = message
        .params
        .get("KEYBOARD")
        .and_then(Value::as_array)
        .and_then(|b| b.first())
        .and_then(|b| b.get("BOT_ID"))
        .map_or(0, intval);

    // (key, new value; `None` removes)
    let mut changes: Vec<(&str, Option<Value>)> = Vec::new();
    if let Some(raw) = isset(params.get("ATTACH")) {
        if super::removes(raw) {
            changes.push(("ATTACH", None));
        } else {
            let attach = build_attach(raw, now).ok_or_else(|| fail(Code::AttachError))?;
            if serde_json::to_string(&attach).map_or(0, |s| s.chars().count()) >= ATTACH_LIMIT {
                return Err(fail(Code::AttachOversize));
            }
            changes.push(("ATTACH", Some(json!([attach]))));
        }
    }
    if let Some(raw) = isset(params.get("KEYBOARD")) {
        let keyboard = if super::removes(raw) {
            None
        } else {
            Some(build_keyboard(raw, bot_id).ok_or_else(|| fail(Code::KeyboardError))?)
        };
        changes.push(("KEYBOARD", keyboard));
    }
    if let Some(raw) = isset(params.get("MENU")) {
        let menu = if super::removes(raw) {
            None
        } else {
            Some(build_menu(raw, bot_id).ok_or_else(|| fail(Code::MenuErrorLowercase))?)
        };
        changes.push(("MENU", menu));
    }
    let text = isset(params.get("MESSAGE"))
        .map(|v| within_limit(trim(&crate::php::scalar_text(v).unwrap_or_default()).to_owned()));
    let mark_edited = match &text {
        Some(_) => true,
        None => {
            changes.iter().any(|(k, _)| *k == "ATTACH")
                && params.get("IS_EDITED").and_then(Value::as_str) != Some("N")
        }
    };

    if text.as_deref() == Some("") {
        super::delete::delete_message(call.portal, id, caller, now);
        return Outcome::of::<Method>(&true, 1);
    }
    let portal = &mut *call.portal;
    let Some(message) = portal.message_mut(id) else {
        return Outcome::of::<Method>(&false, 0);
    };
    if let Some(text) = text {
        message.text = text;
    }
    for (key, value) in changes {
        match value {
            Some(v) => message.params.insert(key.into(), v),
            None => message.params.remove(key),
        };
    }
    if mark_edited {
        message.params.insert("IS_EDITED".into(), json!("Y"));
    }
    let chat_id = message.chat_id;
    if let Some(event) = portal
        .message(id)
        .map(|m| crate::methods::v2::event::message_added(portal, m))
    {
        portal.record_event(chat_id, "ONIMV2MESSAGEUPDATE", now, &event);
    }
    Outcome::of::<Method>(&true, 1)
}
