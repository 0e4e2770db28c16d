//! Objects the way the server formats them.

use serde_json::{Value, json};

use crate::portal::{Chat, Portal, Right, User, iso};

fn date_or_false(value: Option<&String>) -> Value {
    value.map_or(Value::Bool(false), |d| Value::String(d.clone()))
}

/// A `snake_case` key in the camelCase of the newer API (`first_name` -> `firstName`).
#[must_use]
pub fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A user in `toRestFormat` shape (`im.dialog.users.list`, `im.user.list.get`, message authors).
#[must_use]
pub fn user(portal: &Portal, u: &User) -> Value {
    let avatar = |path: &str| {
        if path.is_empty() || path.starts_with("http") {
            path.to_owned()
        } else {
            format!("https://{}{path}", portal.domain)
        }
    };
    let avatar_hr = if u.avatar.is_empty() {
        String::new()
    } else {
        avatar(&u.avatar.replace(".png", "@2x.png"))
    };
    let bot_data = match (&u.bot_code, u.kind.as_str()) {
        (Some(code), "bot") => json!({
            "id": u.id,
            "code": code,
            "type": "bot",
            "is_hidden": false,
            "is_support_openline": code.contains("openline"),
            "openline": code.contains("openline"),
            "background_id": null,
            "reactions_enabled": true,
        }),
        _ => Value::Null,
    };
    json!({
        "id": u.id,
        "active": u.active,
        "name": u.name(),
        "first_name": u.first_name,
        "last_name": u.last_name,
        "work_position": u.work_position,
        "color": u.color,
        "avatar": avatar(&u.avatar),
        "avatar_hr": avatar_hr,
        "gender": u.gender,
        "birthday": u.birthday.clone().unwrap_or_default(),
        "extranet": u.kind == "extranet",
        "network": false,
        "bot": u.kind == "bot",
        "connector": u.external_auth_id.as_deref() == Some("imconnector"),
        "external_auth_id": u.external_auth_id.clone().unwrap_or_else(|| "default".into()),
        "status": u.status,
        "idle": date_or_false(u.idle.as_ref()),
        "last_activity_date": date_or_false(u.last_activity.as_ref()),
        "mobile_last_date": date_or_false(u.mobile_last.as_ref()),
        "desktop_last_date": date_or_false(u.desktop_last.as_ref()),
        "absent": date_or_false(u.absent.as_ref()),
        "departments": u.departments,
        "phones": if u.phones.is_empty() { Value::Bool(false) } else { json!(u.phones) },
        "bot_data": bot_data,
        "type": u.kind,
        "website": u.website,
        "email": u.email,
    })
}

/// A chat in `toRestFormat` shape, as `viewer` sees it (`im.dialog.get`, with `dialog_id`;
/// the `chat` of recent-list entries without the per-viewer counters).
#[must_use]
pub fn chat(portal: &Portal, chat: &Chat, viewer: u64, dialog_id: &Value) -> Value {
    let unread = portal.unread(chat.id, viewer);
    let relation = chat.members.iter().find(|r| r.user_id == viewer);
    let role = chat.role_of(viewer);
    let member = role != "none";
    let profile = &chat.profile;
    let mute_list: serde_json::Map<String, Value> = chat
        .members
        .iter()
        .filter(|r| r.muted)
        .map(|r| (r.user_id.to_string(), Value::Bool(true)))
        .collect();
    let readers: Vec<Value> = chat
        .members
        .iter()
        .filter(|r| r.user_id != viewer)
        .filter_map(|r| {
            let user = portal.user(r.user_id)?;
            Some(json!({
                "user_id": r.user_id,
                "user_name": user.name(),
                "message_id": r.last_read,
                "date": Value::Null,
            }))
        })
        .collect();
    let last_message = portal.last_message_id(chat.id);
    let private = chat.kind == "private";
    json!({
        "id": chat.id,
        "parent_chat_id": 0,
        "parent_message_id": 0,
        "name": chat.title,
        "description": profile.description,
        "owner": chat.owner,
        "extranet": false,
        "contains_collaber": false,
        "avatar": profile.avatar,
        "color": chat.color_hex(),
        "type": chat.kind,
        "counter": unread.len(),
        "user_counter": chat.members.len(),
        "message_count": portal.messages.iter().filter(|m| m.chat_id == chat.id).count(),
        "unread_id": unread.first().copied().unwrap_or(0),
        "restrictions": {
            "avatar": !private && chat.allows(viewer, Right::Ui),
            "rename": !private && chat.allows(viewer, Right::Ui),
            "extend": !private && chat.allows(viewer, Right::AddUsers),
            "call": member,
            "mute": member,
            "leave": member && !private,
            "leave_owner": member && !private,
            "send": member,
            "user_list": member,
            "path": "",
            "path_title": "",
        },
        "last_message_id": last_message,
        "last_id": relation.map_or(0, |r| r.last_read),
        "marked_id": 0,
        "disk_folder_id": 0,
        "entity_type": chat.entity_type.clone().unwrap_or_default(),
        "entity_id": chat.entity_id.clone().unwrap_or_default(),
        "entity_data_1": "",
        "entity_data_2": "",
        "entity_data_3": "",
        "mute_list": if mute_list.is_empty() { json!([]) } else { Value::Object(mute_list) },
        "manager_list": [chat.owner],
        "date_create": iso(profile.created),
        "message_type": match chat.kind.as_str() { "private" => "P", "open" => "O", "chat" => "C", _ => "X" },
        "public": "",
        "role": role,
        "entity_link": { "type": "", "url": "", "id": "" },
        "text_field_enabled": member,
        "background_id": Value::Null,
        "permissions": {
            "manage_users_add": profile.role_for(Right::AddUsers),
            "manage_users_delete": profile.role_for(Right::DeleteUsers),
            "manage_ui": profile.role_for(Right::Ui),
            "manage_settings": "owner",
            "manage_messages": "member",
            "can_post": "member",
        },
        "is_new": false,
        "readed_list": readers,
        "last_message_views": { "message_id": last_message, "first_viewers": [], "count_of_viewers": 0 },
        "dialog_id": dialog_id,
    })
}

/// `viewer`'s recent-list entry of a chat (`im.recent.get`, `im.recent.list`).
#[must_use]
pub fn recent_item(portal: &Portal, chat: &Chat, viewer: u64) -> Value {
    let other = (chat.kind == "private")
        .then(|| chat.members.iter().find(|r| r.user_id != viewer))
        .flatten()
        .and_then(|r| portal.user(r.user_id));
    let (id, kind, title, user) = match other {
        Some(u) => (u.id.to_string(), "user", u.name(), self::user(portal, u)),
        None => (
            format!("chat{}", chat.id),
            "chat",
            chat.title.clone(),
            json!({ "id": 0 }),
        ),
    };
    let relation = chat.members.iter().find(|r| r.user_id == viewer);
    let mark = relation.map(|r| r.recent).unwrap_or_default();
    let last = portal.messages.iter().rev().find(|m| m.chat_id == chat.id);
    let date = last.map_or_else(|| iso(chat.profile.created), |m| m.date.clone());
    let message = match last {
        Some(m) => json!({
            "id": m.id,
            "text": m.text,
            "file": false,
            "author_id": m.author_id,
            "attach": m.params.contains_key("ATTACH"),
            "sticker": Value::Null,
            "date": m.date,
            "status": "received",
            "uuid": m.uuid,
        }),
        None => json!({
            "id": 0, "text": "", "file": false, "author_id": 0, "attach": false,
            "sticker": Value::Null, "date": date, "status": "received", "uuid": Value::Null,
        }),
    };
    let mut chat_object = self::chat(portal, chat, viewer, &Value::Null);
    if let Value::Object(map) = &mut chat_object {
        for key in [
            "description",
            "counter",
            "message_count",
            "unread_id",
            "last_message_id",
            "last_id",
            "marked_id",
            "disk_folder_id",
            "is_new",
            "readed_list",
            "last_message_views",
            "dialog_id",
        ] {
            map.remove(key);
        }
    }
    json!({
        "id": id,
        "chat_id": chat.id,
        "type": kind,
        "avatar": { "url": chat.profile.avatar, "color": chat.color_hex() },
        "title": title,
        "message": message,
        "counter": portal.unread(chat.id, viewer).len(),
        "last_id": relation.map_or(0, |r| r.last_read),
        "pinned": mark.pinned,
        "unread": mark.unread,
        "has_reminder": false,
        "date_update": date,
        "date_last_activity": date,
        "chat": chat_object,
        "user": user,
        "options": [],
    })
}
