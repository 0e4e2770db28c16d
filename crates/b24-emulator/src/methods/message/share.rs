//! `im.message.share`: makes a chat, task, feed post or calendar event from a message.
//!
//! Checks, in order: `MESSAGE_ID` (400 `MESSAGE_ID_ERROR`), `DIALOG_ID` (400
//! `DIALOG_ID_EMPTY`), access to the dialog (403 `ACCESS_ERROR`), then `TYPE` one of `CHAT`,
//! `TASK`, `POST`, `CALEND` and a message of that dialog the caller can read (400
//! `PARAMS_ERROR` "Incorrect params").
//!
//! Effects: `CHAT` creates a group chat owned by the caller, with the caller and the message's
//! author as members, titled after the message, and quoting it as its first message; the other
//! kinds store a stub ([`crate::portal::SharedObject`]): the portal models no tasks, feed or
//! calendar. Either way a system message in the dialog says what was created from which
//! message, so `im.dialog.messages.get` shows it.

use b24_im::{MessageShareErrorCode as Code, MessageShareRequest as Method};
use serde_json::{Map, json};

use super::add::can_read_message;
use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::{Chat, Relation, SharedObject, dialog_chat, iso, parse_dialog_id};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = super::message_id(&call.params).ok_or_else(|| fail(Code::MessageIdError))?;
    let Some(dialog) = parse_dialog_id(call.params.get("DIALOG_ID")) else {
        return Err(fail(Code::DialogIdEmpty));
    };
    let (caller, now) = (call.caller, call.now);
    let chat_id =
        dialog_chat(call.portal, caller, dialog).map_err(|d| d.answer(Code::AccessError))?;
    let params_error = || fail(Code::ParamsError);
    let kind = call
        .params
        .get("TYPE")
        .and_then(serde_json::Value::as_str)
        .filter(|t| ["CHAT", "TASK", "POST", "CALEND"].contains(t))
        .ok_or_else(params_error)?
        .to_owned();
    if can_read_message(call.portal, caller, id) != Some(chat_id) {
        return Err(params_error());
    }
    let portal = &mut *call.portal;
    let (text, author) = portal
        .message(id)
        .map(|m| (m.text.clone(), m.author_id))
        .ok_or_else(params_error)?;
    let what = match kind.as_str() {
        "CHAT" => {
            let new_chat = portal.chats.iter().map(|c| c.id).max().unwrap_or(0) + 1;
            let first = portal.next_relation_id.max(1);
            let mut members = vec![Relation {
                id: first,
                user_id: caller,
                last_read: 0,
                start_id: 0,
                muted: false,
            }];
            if author != 0 && author != caller {
                members.push(Relation {
                    id: first + 1,
                    user_id: author,
                    last_read: 0,
                    start_id: 0,
                    muted: false,
                });
            }
            portal.next_relation_id = first + 2;
            let title: String = text.chars().take(40).collect();
            portal.chats.push(Chat {
                id: new_chat,
                kind: "chat".into(),
                title: if title.is_empty() {
                    format!("Chat from message {id}")
                } else {
                    title
                },
                owner: caller,
                workgroup: None,
                entity_type: None,
                entity_id: None,
                members,
                general: false,
            });
            portal.reindex();
            portal.add_message(
                new_chat,
                caller,
                format!("[QUOTE]{text}[/QUOTE]"),
                iso(now),
                Map::new(),
            );
            format!("a chat [CHAT={new_chat}]chat{new_chat}[/CHAT]")
        }
        other => {
            portal.shared.push(SharedObject {
                kind: other.to_owned(),
                message_id: id,
                user_id: caller,
                text,
            });
            match other {
                "TASK" => "a task".to_owned(),
                "POST" => "a feed post".to_owned(),
                _ => "a calendar event".to_owned(),
            }
        }
    };
    let mut params = Map::new();
    params.insert("CODE".into(), json!(["SHARE"]));
    params.insert("SHARE_TYPE".into(), json!(kind));
    params.insert("SHARE_MESSAGE_ID".into(), json!(id));
    portal.add_message(
        chat_id,
        0,
        format!("[USER={caller}][/USER] created {what} from message {id}"),
        iso(now),
        params,
    );
    Outcome::of::<Method>(&true, 1)
}
