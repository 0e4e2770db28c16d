//! `im.chat.*`: chats, their members and their look. The checks the update and member methods
//! share live here: the chat a call names (`CHAT_ID` or `DIALOG_ID`), avatar images, and the
//! system notices that report each change in the chat.

mod add;
mod get;
mod leave;
mod mute;
mod set_owner;
mod update_avatar;
mod update_color;
mod update_title;
mod user_add;
mod user_delete;
mod user_list;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::{Failure, Handler};
use crate::http::body::Params;
use crate::php::{intval, isset, scalar_text, trim};
use crate::portal::{Chat, Portal, iso, parse_dialog_id};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.chat.add", Handler::Write(add::handle)),
    ("im.chat.get", Handler::Read(get::handle)),
    ("im.chat.leave", Handler::Write(leave::handle)),
    ("im.chat.mute", Handler::Write(mute::handle)),
    ("im.chat.setOwner", Handler::Write(set_owner::handle)),
    (
        "im.chat.updateAvatar",
        Handler::Write(update_avatar::handle),
    ),
    ("im.chat.updateColor", Handler::Write(update_color::handle)),
    ("im.chat.updateTitle", Handler::Write(update_title::handle)),
    ("im.chat.user.add", Handler::Write(user_add::handle)),
    ("im.chat.user.delete", Handler::Write(user_delete::handle)),
    ("im.chat.user.list", Handler::Read(user_list::handle)),
];

fn chat_id_empty() -> Failure {
    Failure::new(400, "CHAT_ID_EMPTY", "Chat ID can't be empty")
}

fn dialog_id_empty() -> Failure {
    Failure::new(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty")
}

fn action_unavailable() -> Failure {
    Failure::new(403, "ACCESS_ERROR", "Action unavailable")
}

/// `CHAT_ID` alone (the member methods): a positive number, else `CHAT_ID_EMPTY`.
fn chat_id(params: &Params) -> Result<u64, Failure> {
    let id = params.get("CHAT_ID").map_or(0, intval);
    u64::try_from(id)
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(chat_id_empty)
}

/// `USER_ID`: a positive number, else `USER_ID_EMPTY`.
fn user_id(params: &Params) -> Result<u64, Failure> {
    params
        .int("USER_ID")
        .and_then(|u| u64::try_from(u).ok())
        .filter(|u| *u > 0)
        .ok_or_else(|| Failure::new(400, "USER_ID_EMPTY", "User ID can't be empty"))
}

/// The chat a call names: `DIALOG_ID` when set (a group chat's `chat<N>`, a workgroup's
/// `sg<N>`, and with `private` a user id for the caller's private dialog; anything else is
/// `DIALOG_ID_EMPTY`), otherwise `CHAT_ID` (a positive number; `chat12` reads as 0, so
/// `CHAT_ID_EMPTY`). The chat itself is not looked up here.
fn target(params: &Params, portal: &Portal, caller: u64, private: bool) -> Result<u64, Failure> {
    use b24_core::DialogId;
    let Some(value) = isset(params.get("DIALOG_ID")) else {
        return chat_id(params);
    };
    match parse_dialog_id(Some(value)) {
        Some(DialogId::Chat(id) | DialogId::Crm(id)) => Ok(id),
        Some(DialogId::Workgroup(group)) => portal
            .workgroup_chat(group)
            .map(|c| c.id)
            .ok_or_else(dialog_id_empty),
        Some(DialogId::User(user)) if private => portal
            .private_chat(caller, user)
            .map(|c| c.id)
            .ok_or_else(dialog_id_empty),
        _ => Err(dialog_id_empty()),
    }
}

/// A chat the caller is a member of, or `ACCESS_ERROR` ("Action unavailable").
fn member_chat(portal: &Portal, chat_id: u64, caller: u64) -> Result<&Chat, Failure> {
    portal
        .chat(chat_id)
        .filter(|c| c.has_member(caller))
        .ok_or_else(action_unavailable)
}

/// Whether the chat is one whose members and look the chat methods may change: not a private
/// dialog, a workgroup's chat or the general chat.
fn is_plain_group(chat: &Chat) -> bool {
    matches!(chat.kind.as_str(), "chat" | "open") && !chat.general
}

/// Largest avatar side, in pixels.
const AVATAR_MAX_SIDE: usize = 5000;

/// The avatar image of `AVATAR` (Base64, optionally as a `data:` URL): its file extension, or
/// `AVATAR_ERROR` for what is not a picture or is larger than 5000×5000 pixels.
fn avatar_image(value: Option<&Value>) -> Result<&'static str, Failure> {
    let wrong_type = || Failure::new(400, "AVATAR_ERROR", "Avatar incorrect type");
    let text = value.and_then(scalar_text).ok_or_else(wrong_type)?;
    let data = text
        .split_once(";base64,")
        .map_or(text.as_str(), |(_, d)| d);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(trim(data))
        .map_err(|_| wrong_type())?;
    let extension = match imagesize::image_type(&bytes).map_err(|_| wrong_type())? {
        imagesize::ImageType::Png => "png",
        imagesize::ImageType::Jpeg => "jpg",
        imagesize::ImageType::Gif => "gif",
        imagesize::ImageType::Webp => "webp",
        imagesize::ImageType::Bmp => "bmp",
        _ => return Err(wrong_type()),
    };
    let size = imagesize::blob_size(&bytes).map_err(|_| wrong_type())?;
    if size.width == 0
        || size.height == 0
        || size.width > AVATAR_MAX_SIDE
        || size.height > AVATAR_MAX_SIDE
    {
        return Err(Failure::new(
            400,
            "AVATAR_ERROR",
            "Avatar incorrect size (max 5000x5000)",
        ));
    }
    Ok(extension)
}

/// Where the portal serves a chat's avatar; `version` (the chat's message count at upload)
/// makes each upload a new URL.
fn avatar_url(portal: &Portal, chat_id: u64, version: usize, extension: &str) -> String {
    format!(
        "https://{}/upload/im/avatar/chat{chat_id}-{version}.{extension}",
        portal.domain
    )
}

/// Reports a change in the chat as a system notice from `caller` (read by them at once), as
/// the messenger does.
fn notice(portal: &mut Portal, chat_id: u64, caller: u64, text: String, now: i64) {
    let mut params = Map::new();
    params.insert("SYSTEM".into(), Value::String("Y".into()));
    let id = portal.add_message(chat_id, caller, text, iso(now), params);
    portal.mark_read(chat_id, caller, id);
}

/// The caller's name, for notices.
fn name_of(portal: &Portal, user: u64) -> String {
    portal
        .user(user)
        .map(crate::portal::User::name)
        .unwrap_or_default()
}
