//! `im.chat.add`: creates a group chat. The caller joins as the owner, followed by `USERS`
//! (unknown users are skipped). `TYPE=OPEN` makes an open chat, anything else a closed one.
//! `TITLE` is trimmed; without one the title is "Chat with" and the members' names, or, for a
//! chat of the caller alone, the colour's name and the chat's number. `COLOR` outside the
//! palette (or absent) gives a colour picked by the chat's number. An `AVATAR` that is not a
//! picture of at most 5000×5000 pixels is dropped without an error. `ENTITY_TYPE` and
//! `ENTITY_ID` bind the chat (found again by `im.chat.get`). `MESSAGE` is posted by the caller.
//! There are no errors of its own.

use b24_im::ChatAddRequest as Method;
use serde_json::Map;

use super::{avatar_image, avatar_url};
use crate::methods::{Failure, Outcome, Write};
use crate::php::{array_values, intval, scalar_text, trim};
use crate::portal::{ChatProfile, PALETTE, iso, palette_hex};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let users: Vec<u64> = params
        .get("USERS")
        .and_then(array_values)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| u64::try_from(intval(v)).ok())
        .filter(|id| *id > 0 && *id != call.caller)
        .collect();
    let kind = match params.text("TYPE") {
        Some(t) if t.eq_ignore_ascii_case("OPEN") => "open",
        _ => "chat",
    };
    let next_id = call.portal.chats.iter().map(|c| c.id).max().unwrap_or(0) + 1;
    let color = params
        .text("COLOR")
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| palette_hex(c).is_some())
        .unwrap_or_else(|| {
            let pick = usize::try_from(next_id).unwrap_or(0) % PALETTE.len();
            PALETTE.get(pick).map_or("RED", |(n, _)| n).to_owned()
        });
    let title = params
        .text("TITLE")
        .map(|t| trim(&t).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            let names: Vec<String> = users
                .iter()
                .filter_map(|u| call.portal.user(*u).map(crate::portal::User::name))
                .collect();
            if names.is_empty() {
                let colour = color.replace('_', " ").to_lowercase();
                format!("{colour} chat №{next_id}")
            } else {
                format!("Chat with {}", names.join(", "))
            }
        });
    let avatar = avatar_image(params.get("AVATAR"))
        .map(|ext| avatar_url(call.portal, next_id, 0, ext))
        .unwrap_or_default();
    let profile = ChatProfile {
        description: params.text("DESCRIPTION").unwrap_or_default(),
        color,
        avatar,
        created: call.now,
        ..ChatProfile::default()
    };
    let entity_type = params.text("ENTITY_TYPE").filter(|t| !t.is_empty());
    let entity_id = params.text("ENTITY_ID").filter(|t| !t.is_empty());
    let message = params
        .get("MESSAGE")
        .and_then(scalar_text)
        .map(|m| trim(&m).to_owned())
        .filter(|m| !m.is_empty());
    let portal = &mut *call.portal;
    let id = portal.create_chat(kind, call.caller, &users, title, profile);
    if let Some(chat) = portal.chat_mut(id) {
        chat.entity_type = entity_type;
        chat.entity_id = entity_id;
    }
    if let Some(text) = message {
        let message = portal.add_message(id, call.caller, text, iso(call.now), Map::new());
        portal.mark_read(id, call.caller, message);
    }
    Outcome::of::<Method>(&id, 1)
}
