//! `imbot.v2.Chat.Message.send`: the bot posts to a dialog it belongs to (a private dialog with
//! a user is started when needed). `fields` keys are camelCase only, as on the server: an
//! upper-case `MESSAGE` is not read, so the call fails with `EMPTY_MESSAGE`.

use b24_imbot::{ChatMessageSendErrorCode as Code, ChatMessageSendRequest, ChatMessageSendResult};
use serde_json::{Map, Value};

use super::identity::{owned_bot, refused};
use crate::methods::{Failure, Outcome, Write, fail};
use b24_core::DialogId;

use crate::portal::{iso, parse_dialog_id};

pub(super) fn send(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let bot = owned_bot(call).map_err(refused!(Code))?;
    let dialog = parse_dialog_id(call.params.get("dialogId"));
    let text = call
        .params
        .get("fields")
        .and_then(|f| f.get("message"))
        .and_then(crate::php::scalar_text)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| fail(Code::EmptyMessage))?;
    let portal = &mut *call.portal;
    let chat_id = match dialog {
        Some(DialogId::Chat(id)) => {
            let member = portal
                .chat(id)
                .ok_or_else(|| fail(Code::ChatNotFound))?
                .members
                .iter()
                .any(|r| r.user_id == bot.id);
            if !member {
                return Err(fail(Code::AccessDenied));
            }
            id
        }
        Some(DialogId::User(user)) => {
            if portal.user(user).is_none() {
                return Err(fail(Code::ChatNotFound));
            }
            match portal.private_chat(bot.id, user) {
                Some(chat) => chat.id,
                None => portal.start_private(bot.id, user),
            }
        }
        _ => return Err(fail(Code::ChatNotFound)),
    };
    let id = portal.add_message(chat_id, bot.id, text, iso(call.now), Map::new());
    portal.mark_read(chat_id, bot.id, id);
    if let Some(event) = portal
        .message(id)
        .map(|m| crate::methods::v2::event::message_added(portal, m))
    {
        portal.record_event(chat_id, "ONIMV2MESSAGEADD", call.now, &event);
    }
    let mut result = ChatMessageSendResult::default();
    result.id = id;
    result.uuid_map = Some(Value::Array(Vec::new()));
    Outcome::of::<ChatMessageSendRequest>(&result, 1)
}
