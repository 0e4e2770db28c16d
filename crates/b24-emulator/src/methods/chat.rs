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

use b24_core::ErrorCode;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::{Failure, Handler, fail, handler};
use crate::http::body::Params;
use crate::php::{intval, isset, scalar_text, trim};
use crate::portal::{Chat, Portal, iso, parse_dialog_id};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::ChatAddRequest>(Handler::Write(add::handle)),
    handler::<b24_im::ChatGetRequest>(Handler::Read(get::handle)),
    handler::<b24_im::ChatLeaveRequest>(Handler::Write(leave::handle)),
    handler::<b24_im::ChatMuteRequest>(Handler::Write(mute::handle)),
    handler::<b24_im::ChatSetOwnerRequest>(Handler::Write(set_owner::handle)),
    handler::<b24_im::ChatUpdateAvatarRequest>(Handler::Write(update_avatar::handle)),
    handler::<b24_im::ChatUpdateColorRequest>(Handler::Write(update_color::handle)),
    handler::<b24_im::ChatUpdateTitleRequest>(Handler::Write(update_title::handle)),
    handler::<b24_im::ChatUserAddRequest>(Handler::Write(user_add::handle)),
    handler::<b24_im::ChatUserDeleteRequest>(Handler::Write(user_delete::handle)),
    handler::<b24_im::ChatUserListRequest>(Handler::Read(user_list::handle)),
];

/// A positive id in parameter `name`, else the calling method's `empty` code
/// (`CHAT_ID_EMPTY`, `USER_ID_EMPTY`).
fn positive_id(params: &Params, name: &str, empty: impl ErrorCode) -> Result<u64, Failure> {
    let id = params.get(name).map_or(0, intval);
    u64::try_from(id)
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| fail(empty))
}

/// The codes of a method that names its chat by `CHAT_ID` or `DIALOG_ID`.
trait ChatTarget: ErrorCode {
    /// `CHAT_ID_EMPTY`.
    const CHAT_ID_EMPTY: Self;
    /// `DIALOG_ID_EMPTY`.
    const DIALOG_ID_EMPTY: Self;
}

macro_rules! chat_target {
    ($($code:ty),*) => {$(
        impl ChatTarget for $code {
            const CHAT_ID_EMPTY: Self = Self::ChatIdEmpty;
            const DIALOG_ID_EMPTY: Self = Self::DialogIdEmpty;
        }
    )*};
}

chat_target!(
    b24_im::ChatMuteErrorCode,
    b24_im::ChatSetOwnerErrorCode,
    b24_im::ChatUpdateAvatarErrorCode,
    b24_im::ChatUpdateColorErrorCode,
    b24_im::ChatUpdateTitleErrorCode
);

/// The chat a call to a method with codes `C` names: `DIALOG_ID` when set (a group chat's
/// `chat<N>`, a workgroup's `sg<N>`, and with `private` a user id for the caller's private
/// dialog; anything else is `DIALOG_ID_EMPTY`), otherwise `CHAT_ID` (a positive number;
/// `chat12` reads as 0, so `CHAT_ID_EMPTY`). The chat itself is not looked up here.
fn target<C: ChatTarget>(
    params: &Params,
    portal: &Portal,
    caller: u64,
    private: bool,
) -> Result<u64, Failure> {
    use b24_core::DialogId;
    let Some(value) = isset(params.get("DIALOG_ID")) else {
        return positive_id(params, "CHAT_ID", C::CHAT_ID_EMPTY);
    };
    let found = match parse_dialog_id(Some(value)) {
        Some(DialogId::Chat(id) | DialogId::Crm(id)) => Some(id),
        Some(DialogId::Workgroup(group)) => portal.workgroup_chat(group).map(|c| c.id),
        Some(DialogId::User(user)) if private => portal.private_chat(caller, user).map(|c| c.id),
        _ => None,
    };
    found.ok_or_else(|| fail(C::DIALOG_ID_EMPTY))
}

/// A chat the caller is a member of, or the method's `access_error` (its first text,
/// "Action unavailable").
fn member_chat(
    portal: &Portal,
    chat_id: u64,
    caller: u64,
    access_error: impl ErrorCode,
) -> Result<&Chat, Failure> {
    portal
        .chat(chat_id)
        .filter(|c| c.has_member(caller))
        .ok_or_else(|| fail(access_error))
}

/// Whether the chat is one whose members and look the chat methods may change: not a private
/// dialog, a workgroup's chat or the general chat.
fn is_plain_group(chat: &Chat) -> bool {
    matches!(chat.kind.as_str(), "chat" | "open") && !chat.general
}

/// Largest avatar side, in pixels.
const AVATAR_MAX_SIDE: usize = 5000;

/// Why an `AVATAR` was refused, in the order `im.chat.updateAvatar`'s spec lists the texts of
/// `AVATAR_ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BadAvatar {
    /// Not a picture.
    WrongType = 0,
    /// Wider or taller than 5000 pixels.
    TooLarge = 1,
}

/// The avatar image of `AVATAR` (Base64, optionally as a `data:` URL): its file extension, or
/// why it is refused.
fn avatar_image(value: Option<&Value>) -> Result<&'static str, BadAvatar> {
    let wrong_type = |_| BadAvatar::WrongType;
    let text = value.and_then(scalar_text).ok_or(BadAvatar::WrongType)?;
    let data = text
        .split_once(";base64,")
        .map_or(text.as_str(), |(_, d)| d);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(trim(data))
        .map_err(|_| BadAvatar::WrongType)?;
    let extension = match imagesize::image_type(&bytes).map_err(wrong_type)? {
        imagesize::ImageType::Png => "png",
        imagesize::ImageType::Jpeg => "jpg",
        imagesize::ImageType::Gif => "gif",
        imagesize::ImageType::Webp => "webp",
        imagesize::ImageType::Bmp => "bmp",
        _ => return Err(BadAvatar::WrongType),
    };
    let size = imagesize::blob_size(&bytes).map_err(wrong_type)?;
    if size.width == 0
        || size.height == 0
        || size.width > AVATAR_MAX_SIDE
        || size.height > AVATAR_MAX_SIDE
    {
        return Err(BadAvatar::TooLarge);
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
