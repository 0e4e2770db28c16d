//! `im.search.chat.list`: group chats the caller belongs to whose title has words starting with
//! each word of `FIND` (or `FIND_LINES`, for Open Channels: none are modelled), newest (highest
//! id) first; `FIND_SHORT` when both are missing or shorter than 2 characters.

use serde_json::{Value, json};

use super::{Window, find_short, matches, paged, phrase};
use crate::methods::{Failure, Outcome, Read};
use crate::portal::{Chat, Portal};

fn chat(portal: &Portal, c: &Chat, caller: u64) -> Value {
    let messages: Vec<u64> = portal
        .messages
        .iter()
        .filter(|m| m.chat_id == c.id)
        .map(|m| m.id)
        .collect();
    let last_read = portal.relation(c.id, caller).map_or(0, |r| r.last_read);
    let unread = portal.unread(c.id, caller);
    json!({
        "id": c.id,
        "parent_chat_id": 0,
        "parent_message_id": 0,
        "name": c.title,
        "description": null,
        "owner": c.owner,
        "extranet": false,
        "avatar": "",
        "color": "#3e99ce",
        "type": if c.kind == "sg" { "sonetGroup" } else { c.kind.as_str() },
        "counter": unread.len(),
        "user_counter": c.members.len(),
        "message_count": messages.len(),
        "unread_id": unread.first().copied().unwrap_or(0),
        "last_message_id": messages.last().copied().unwrap_or(0),
        "last_id": last_read,
        "marked_id": 0,
        "disk_folder_id": 0,
        "entity_type": c.entity_type.clone().unwrap_or_default(),
        "entity_id": c.entity_id.clone().unwrap_or_default(),
        "entity_data_1": "",
        "entity_data_2": "",
        "entity_data_3": "",
        "mute_list": c.members.iter().filter(|r| r.muted).map(|r| r.user_id).collect::<Vec<_>>(),
        "message_type": if c.kind == "open" { "O" } else { "C" },
        "role": if c.owner == caller { "owner" } else { "member" },
        "is_new": false,
    })
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let find = phrase(call, "FIND").or_else(|| phrase(call, "FIND_LINES"));
    let Some(find) = find.filter(|f| f.chars().count() >= 2) else {
        return Err(find_short());
    };
    let lines_only = call.params.get("FIND").is_none();
    let portal = call.portal;
    let caller = call.caller;
    let mut found: Vec<&Chat> = portal
        .chats
        .iter()
        .filter(|c| c.kind != "private" && !lines_only)
        .filter(|c| c.members.iter().any(|r| r.user_id == caller))
        .filter(|c| matches(&find, &c.title))
        .collect();
    found.sort_by_key(|c| std::cmp::Reverse(c.id));
    let items = found.iter().map(|c| chat(portal, c, caller));
    Ok(paged(Window::of(call), found.len(), items, Value::Array))
}
