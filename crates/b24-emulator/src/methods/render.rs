//! Portal data as the generated result types, the way the server fills them in. Handlers
//! serialize these through [`super::Outcome::of`], so names and shapes are the spec's.

use b24_core::DateTime;
use b24_im::{BotData, DialogFile, DialogUser, FileMediaUrl, FileViewerAttrs, UserPhones};

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

/// A chat as `caller` sees it (`im.dialog.get`, `im.chat.get` with `DIALOG_ID`), asked for as
/// `dialog`. What the portal does not model is sent as a chat with default settings has it:
/// no avatar, thread, Drive folder, background, marked message or public link, the default
/// permissions of a group chat, `restrictions` left out; the colour is the owner's, the creation
/// date that of the first message (else `now`), and only CRM bindings have an `entity_link`.
#[must_use]
pub fn chat(
    portal: &Portal,
    chat: &crate::portal::Chat,
    caller: u64,
    dialog: b24_core::DialogId,
    now: i64,
) -> b24_im::Chat {
    use b24_im::{ChatEntityLink, ChatMessageViews, ChatPermissions, ChatReader};
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let messages: Vec<&crate::portal::Message> = portal
        .messages
        .iter()
        .filter(|m| m.chat_id == chat.id)
        .collect();
    let last_message = messages.iter().map(|m| m.id).max().unwrap_or(0);
    let relation = chat.members.iter().find(|r| r.user_id == caller);
    let unread = portal.unread(chat.id, caller);
    let owner = portal.user(chat.owner);
    let member_users = chat.members.iter().filter_map(|r| portal.user(r.user_id));

    let mut out = b24_im::Chat::default();
    out.id = chat.id;
    out.parent_chat_id = Some(0);
    out.parent_message_id = Some(0);
    out.name = Some(chat.title.clone());
    out.description = Some(String::new());
    out.owner = Some(chat.owner);
    out.extranet = Some(member_users.clone().any(|u| u.kind == "extranet"));
    out.avatar = Some(String::new());
    out.color = owner.map(|u| u.color.clone());
    out.kind = Some(chat.kind.clone());
    out.counter = Some(count(unread.len()));
    out.user_counter = Some(count(chat.members.len()));
    out.message_count = Some(count(messages.len()));
    out.unread_id = Some(unread.first().copied().unwrap_or(0));
    out.last_message_id = Some(last_message);
    out.last_id = Some(relation.map_or(0, |r| r.last_read.min(last_message)));
    out.marked_id = Some(0);
    out.disk_folder_id = Some(0);
    out.entity_type = Some(chat.entity_type.clone().unwrap_or_default());
    out.entity_id = Some(chat.entity_id.clone().unwrap_or_default());
    out.entity_data_1 = Some(String::new());
    out.entity_data_2 = Some(String::new());
    out.entity_data_3 = Some(String::new());
    out.mute_list = Some(
        chat.members
            .iter()
            .filter(|r| r.muted)
            .map(|r| r.user_id)
            .collect(),
    );
    out.date_create = messages
        .iter()
        .min_by_key(|m| m.id)
        .and_then(|m| date(Some(&m.date)))
        .or_else(|| date(Some(&crate::portal::iso(now))));
    out.message_type = Some(
        match chat.kind.as_str() {
            "private" => "P",
            "open" => "O",
            "lines" => "L",
            _ => "C",
        }
        .to_owned(),
    );
    out.public = Some(String::new());
    out.role = Some(
        match relation {
            _ if chat.owner == caller => "owner",
            Some(_) => "member",
            None => "none",
        }
        .to_owned(),
    );
    let mut link = ChatEntityLink::default();
    let (mut kind, mut url, mut id) = (String::new(), String::new(), String::new());
    let binding = chat.entity_id.as_deref().and_then(|e| e.split_once('|'));
    if chat.entity_type.as_deref() == Some("CRM")
        && let Some((entity, number)) = binding
    {
        kind = entity.to_owned();
        url = format!("/crm/{}/details/{number}/", entity.to_lowercase());
        id = format!("{entity}|{number}");
    }
    link.kind = Some(kind);
    link.url = Some(url);
    link.id = Some(id);
    out.entity_link = Some(link);
    out.text_field_enabled = Some(true);
    out.background_id = None;
    let mut permissions = ChatPermissions::default();
    permissions.manage_users_add = Some("member".into());
    permissions.manage_users_delete = Some("manager".into());
    permissions.manage_ui = Some("member".into());
    permissions.manage_settings = Some("owner".into());
    permissions.manage_messages = Some("member".into());
    permissions.can_post = Some("member".into());
    out.permissions = Some(permissions);
    out.is_new = Some(false);
    out.readed_list = Some(
        chat.members
            .iter()
            .filter(|r| r.user_id != caller)
            .filter_map(|r| {
                let user = portal.user(r.user_id)?;
                let mut reader = ChatReader::default();
                reader.user_id = user.id;
                reader.user_name = Some(user.name());
                reader.message_id = Some(r.last_read.min(last_message));
                reader.date = None;
                Some(reader)
            })
            .collect(),
    );
    out.manager_list = Some(vec![chat.owner]);
    let mut views = ChatMessageViews::default();
    views.message_id = Some(last_message);
    views.first_viewers = Some(Vec::new());
    views.count_of_viewers = Some(count(
        chat.members
            .iter()
            .filter(|r| r.user_id != caller && last_message > 0 && r.last_read >= last_message)
            .count(),
    ));
    out.last_message_views = Some(views);
    out.dialog_id = Some(dialog);
    out
}

/// A chat file in the messenger's camelCase shape: `files` of `im.dialog.messages.get`, `file`
/// of `im.v2.File.upload`, `FILES` of `im.disk.file.commit`. The `ajax.php` links are the
/// portal's web links (not served by the emulator; `im.v2.File.download` gives one it serves).
/// Images are not decoded, so `image` is `false` for every file.
#[must_use]
pub fn file(portal: &Portal, f: &crate::portal::drive::DriveFile) -> DialogFile {
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
    let mut viewer = FileViewerAttrs::default();
    viewer.viewer = Some(String::new());
    viewer.viewer_type = Some(if kind == "file" { "code" } else { kind }.to_owned());
    viewer.src = Some(link.clone());
    viewer.viewer_resized = Some(String::new());
    viewer.object_id = Some(f.id.to_string());
    viewer.viewer_group_by = Some(chat_id.to_string());
    viewer.im_chat_id = Some(chat_id);
    viewer.title = Some(f.name.clone());
    viewer.actions = Some("[{\"type\":\"download\"}]".to_owned());
    let mut media = FileMediaUrl::default();
    media.preview = Some(std::iter::once((250, String::new())).collect());
    let mut out = DialogFile::default();
    out.id = f.id;
    out.chat_id = Some(chat_id);
    out.date = date(Some(&f.date));
    out.kind = Some(kind.into());
    out.name = Some(f.name.clone());
    out.extension = Some(extension);
    out.size = u64::try_from(f.content.len()).ok();
    out.image = None;
    out.status = Some("done".into());
    out.progress = Some(100);
    out.author_id = Some(f.author_id);
    out.author_name = Some(portal.user(f.author_id).map(User::name).unwrap_or_default());
    out.url_preview = Some(String::new());
    out.url_show = Some(link.clone());
    out.url_download = Some(link);
    out.viewer_attrs = Some(viewer);
    out.media_url = Some(media);
    out.is_transcribable = Some(false);
    out.is_video_note = Some(false);
    out.is_voice_note = Some(false);
    out
}
