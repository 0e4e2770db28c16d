//! Portal data as the generated result types, the way the server fills them in. Handlers
//! serialize these through [`super::Outcome::of`], so names and shapes are the spec's.

use b24_core::DateTime;
use b24_im::{BotData, DialogUser, UserPhones};

use crate::portal::{Portal, User};

/// An ISO-8601 date of the portal's data; `None` (sent as `false`) when absent or unreadable.
#[must_use]
pub fn date(value: Option<&String>) -> Option<DateTime> {
    value.and_then(|text| DateTime::parse_from_rfc3339(text).ok())
}

/// A user in `toRestFormat` shape (`im.dialog.users.list`, `im.user.list.get`, message authors).
#[must_use]
pub fn user(portal: &Portal, u: &User) -> DialogUser {
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
        (Some(code), "bot") => {
            let mut bot = BotData::default();
            bot.id = Some(u.id);
            bot.code = Some(code.clone());
            bot.kind = Some("bot".into());
            bot.is_hidden = Some(false);
            bot.is_support_openline = Some(code.contains("openline"));
            bot.openline = Some(code.contains("openline"));
            bot.background_id = None;
            bot.reactions_enabled = Some(true);
            Some(bot)
        }
        _ => None,
    };
    let phones = (!u.phones.is_empty()).then(|| {
        let phone = |kind: &str| u.phones.get(kind).cloned();
        let mut phones = UserPhones::default();
        phones.work_phone = phone("work_phone");
        phones.personal_mobile = phone("personal_mobile");
        phones.personal_phone = phone("personal_phone");
        phones.inner_phone = phone("inner_phone");
        phones
    });
    let mut out = DialogUser::default();
    out.id = u.id;
    out.active = Some(u.active);
    out.name = Some(u.name());
    out.first_name = Some(u.first_name.clone());
    out.last_name = Some(u.last_name.clone());
    out.work_position = u.work_position.clone();
    out.color = Some(u.color.clone());
    out.avatar = Some(avatar(&u.avatar));
    out.avatar_hr = Some(avatar_hr);
    out.gender = Some(u.gender.clone());
    out.birthday = u.birthday.as_deref().and_then(|b| b.parse().ok());
    out.extranet = Some(u.kind == "extranet");
    out.network = Some(false);
    out.bot = Some(u.kind == "bot");
    out.connector = Some(u.external_auth_id.as_deref() == Some("imconnector"));
    out.external_auth_id = Some(
        u.external_auth_id
            .clone()
            .unwrap_or_else(|| "default".into()),
    );
    out.status = Some(u.status.as_str().into());
    out.idle = date(u.idle.as_ref());
    out.last_activity_date = date(u.last_activity.as_ref());
    out.mobile_last_date = date(u.mobile_last.as_ref());
    out.desktop_last_date = date(u.desktop_last.as_ref());
    out.absent = date(u.absent.as_ref());
    out.departments = Some(u.departments.clone());
    out.phones = phones;
    out.bot_data = bot_data;
    out.kind = Some(u.kind.as_str().into());
    out.website = Some(u.website.clone());
    out.email = Some(u.email.clone());
    out
}
