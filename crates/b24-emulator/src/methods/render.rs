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
