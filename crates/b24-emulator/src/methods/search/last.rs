//! `im.search.last.*`: the recent-search list of the previous chat version, per user, most
//! recent first. `add` and `delete` take a `DIALOG_ID` (else `DIALOG_ID_EMPTY`) and answer
//! `true`; `get` lists the entries with their user or chat, `SKIP_CHAT=Y` / `SKIP_DIALOG=Y`
//! leaving out group chats or private dialogs.

use serde_json::{Value, json};

use crate::methods::{Failure, Outcome, Read, Write, render};
use crate::portal::parse_dialog_id;

fn dialog<P>(call: &crate::methods::Call<P>) -> Result<String, Failure> {
    parse_dialog_id(call.params.get("DIALOG_ID"))
        .map(|d| d.to_string())
        .ok_or_else(|| Failure::new(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty"))
}

pub(super) fn add(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = dialog(call)?;
    let list = call.portal.recent_search.entry(call.caller).or_default();
    list.retain(|d| *d != id);
    list.insert(0, id);
    Ok(Outcome::of(Value::Bool(true), 1))
}

pub(super) fn delete(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = dialog(call)?;
    if let Some(list) = call.portal.recent_search.get_mut(&call.caller) {
        list.retain(|d| *d != id);
    }
    Ok(Outcome::of(Value::Bool(true), 1))
}

pub(super) fn get(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let portal = call.portal;
    let skip_chat = call.params.text("SKIP_CHAT").as_deref() == Some("Y");
    let skip_dialog = call.params.text("SKIP_DIALOG").as_deref() == Some("Y");
    let entries = portal
        .recent_search
        .get(&call.caller)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut out = Vec::new();
    for entry in entries {
        if let Some(chat_id) = entry
            .strip_prefix("chat")
            .and_then(|n| n.parse::<u64>().ok())
        {
            let Some(c) = portal.chat(chat_id).filter(|_| !skip_chat) else {
                continue;
            };
            out.push(json!({
                "id": entry,
                "type": "chat",
                "avatar": {"url": "", "color": "#3e99ce"},
                "title": c.title,
                "chat": {
                    "id": c.id, "name": c.title, "owner": c.owner, "extranet": false,
                    "avatar": "", "color": "#3e99ce", "type": c.kind,
                    "entity_type": c.entity_type.clone().unwrap_or_default(),
                    "entity_id": c.entity_id.clone().unwrap_or_default(),
                    "mute_list": [], "message_type": "C",
                },
            }));
        } else if let Ok(user_id) = entry.parse::<u64>() {
            let Some(u) = portal.user(user_id).filter(|_| !skip_dialog) else {
                continue;
            };
            let user = render::user(portal, u);
            out.push(json!({
                "id": user_id,
                "type": "user",
                "avatar": {"url": user.get("avatar").cloned().unwrap_or_default(), "color": u.color},
                "title": u.name(),
                "user": user,
            }));
        }
    }
    let rows = out.len();
    Ok(Outcome::of(Value::Array(out), rows))
}
