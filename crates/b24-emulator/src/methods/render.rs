//! Objects the way the server formats them.

use serde_json::{Value, json};

use crate::portal::{Portal, User};

fn date_or_false(value: Option<&String>) -> Value {
    value.map_or(Value::Bool(false), |d| Value::String(d.clone()))
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

/// A chat file in the messenger's camelCase shape: `files` of `im.dialog.messages.get`, `file`
/// of `im.v2.File.upload`, `FILES` of `im.disk.file.commit`. The `ajax.php` links are the
/// portal's web links (not served by the emulator; `im.v2.File.download` gives one it serves).
/// Images are not decoded, so `image` is `false` for every file.
#[must_use]
pub fn file(portal: &Portal, f: &crate::portal::drive::DriveFile) -> Value {
    let extension = f.extension();
    let kind = match extension.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp" => "image",
        "mp4" | "mov" | "webm" | "avi" => "video",
        "mp3" | "ogg" | "wav" | "m4a" => "audio",
        _ => "file",
    };
    let chat_id = f.chat_id(&portal.drive).unwrap_or(0);
    let link = format!(
        "https://{}/bitrix/services/main/ajax.php?action=disk.api.file.download&SITE_ID=s1&humanRE=1&fileId={}&exact=N&fileName={}",
        portal.domain,
        f.id,
        form_urlencoded::byte_serialize(f.name.as_bytes()).collect::<String>()
    );
    json!({
        "id": f.id,
        "chatId": chat_id,
        "date": f.date,
        "type": kind,
        "name": f.name,
        "extension": extension,
        "size": f.content.len(),
        "image": false,
        "status": "done",
        "progress": 100,
        "authorId": f.author_id,
        "authorName": portal.user(f.author_id).map(User::name).unwrap_or_default(),
        "urlPreview": "",
        "urlShow": link,
        "urlDownload": link,
        "viewerAttrs": {
            "viewer": "",
            "viewerType": if kind == "file" { "code" } else { kind },
            "src": link,
            "viewerResized": "",
            "objectId": f.id.to_string(),
            "viewerGroupBy": chat_id.to_string(),
            "imChatId": chat_id,
            "title": f.name,
            "actions": "[{\"type\":\"download\"}]",
        },
        "mediaUrl": {"preview": {"250": ""}},
        "isTranscribable": false,
        "isVideoNote": false,
        "isVoiceNote": false,
    })
}
