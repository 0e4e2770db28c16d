//! `im.v2.File.upload` and `im.v2.File.download` (D7 controllers: camelCase arguments, matched
//! as sent).
//!
//! Upload checks, in order: `fields.name` and `fields.content` present and not empty (400
//! `FILE_EMPTY`); the content is Base64 (400 `FILE_INVALID_CONTENT`); decoded, at most 100 MB
//! (400 `FILE_TOO_LARGE`); `dialogId` names a chat (400 `CHAT_NOT_FOUND`; a private dialog is
//! started when the other user exists, as posting does) the caller may post to (403
//! `ACCESS_DENIED`). Effects: the file goes into the chat's folder, a message with the text of
//! `fields.message` carries it (`params.FILE_ID`), the caller's read mark moves to it, and
//! subscribers get `ONIMV2MESSAGEADD`; the answer has the file, the message, chat and dialog.
//!
//! Download: the caller may read the dialog (403 `ACCESS_DENIED`), and the file is one posted
//! to it and not deleted (400 `FILE_NOT_FOUND`). Each call hands out a new link with its own
//! token, served at [`crate::portal::drive::DOWNLOAD_PATH`] without other authorization.

use b24_core::DialogId;
use b24_im::{
    FileDownloadLink, FileUploaded, V2FileDownloadErrorCode as DownloadCode, V2FileDownloadRequest,
    V2FileUploadErrorCode as UploadCode, V2FileUploadRequest,
};
use serde_json::{Map, Value, json};

use crate::methods::{Failure, Outcome, Write, fail, render};
use crate::php::{intval, scalar_text};
use crate::portal::drive::{MAX_FILE_SIZE, decode_base64};
use crate::portal::{dialog_chat, iso, parse_dialog_id};

/// The chat of `dialogId` the caller may post to; private dialogs are started on demand.
fn target_chat(call: &mut Write<'_>) -> Result<u64, Failure> {
    let not_found = || fail(UploadCode::ChatNotFound);
    let access_denied = || fail(UploadCode::AccessDenied);
    let dialog = parse_dialog_id(call.params.get("dialogId")).ok_or_else(not_found)?;
    let caller = call.caller;
    let portal = &mut *call.portal;
    match dialog {
        DialogId::User(user) => {
            let other = portal.user(user).ok_or_else(not_found)?;
            if !portal.can_see(caller, other) {
                return Err(access_denied());
            }
            Ok(match portal.private_chat(caller, user) {
                Some(chat) => chat.id,
                None => portal.start_private(caller, user),
            })
        }
        chat_dialog => {
            let exists = match chat_dialog {
                DialogId::Workgroup(g) => portal.workgroup_chat(g).is_some(),
                other => portal.chat(other.number()).is_some(),
            };
            if !exists {
                return Err(not_found());
            }
            dialog_chat(portal, caller, chat_dialog).map_err(|_| access_denied())
        }
    }
}

pub(super) fn upload(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let (name, message, bytes) = {
        let fields = call.params.get("fields").and_then(Value::as_object);
        let text = |key: &str| {
            fields
                .and_then(|f| f.get(key))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let (Some(name), Some(content)) = (text("name"), text("content")) else {
            return Err(fail(UploadCode::FileEmpty));
        };
        // Base64 of 100 MB is about 133 MB; anything longer is too large before decoding.
        if content.len() > MAX_FILE_SIZE / 3 * 4 + 8 {
            return Err(fail(UploadCode::FileTooLarge));
        }
        let bytes = decode_base64(content).ok_or_else(|| fail(UploadCode::FileInvalidContent))?;
        if bytes.len() > MAX_FILE_SIZE {
            return Err(fail(UploadCode::FileTooLarge));
        }
        let message = fields
            .and_then(|f| f.get("message"))
            .and_then(scalar_text)
            .unwrap_or_default();
        (name.to_owned(), message, bytes)
    };
    let chat_id = target_chat(call)?;
    let (caller, now) = (call.caller, call.now);
    let portal = &mut *call.portal;
    let folder = portal.drive.chat_folder(chat_id);
    let file_id = portal
        .drive
        .add_file(folder, &name, caller, iso(now), bytes.into());
    let mut params = Map::new();
    params.insert("FILE_ID".into(), json!([file_id]));
    let message_id = portal.add_message(chat_id, caller, message, iso(now), params);
    portal.mark_read(chat_id, caller, message_id);
    if let Some(event) = portal
        .message(message_id)
        .map(|m| super::event::message_added(portal, m))
    {
        portal.record_event(chat_id, "ONIMV2MESSAGEADD", now, &event);
    }
    let dialog_id = match portal.chat(chat_id) {
        Some(chat) if chat.kind == "private" => DialogId::User(
            chat.members
                .iter()
                .map(|r| r.user_id)
                .find(|u| *u != caller)
                .unwrap_or(caller),
        ),
        _ => DialogId::Chat(chat_id),
    };
    let mut uploaded = FileUploaded::default();
    uploaded.file = portal.drive.file(file_id).map(|f| render::file(portal, f));
    uploaded.message_id = Some(message_id);
    uploaded.chat_id = Some(chat_id);
    uploaded.dialog_id = Some(dialog_id);
    Outcome::of::<V2FileUploadRequest>(&uploaded, 1)
}

pub(super) fn download(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let not_found = || fail(DownloadCode::FileNotFound);
    let access_denied = || fail(DownloadCode::AccessDenied);
    let dialog = parse_dialog_id(call.params.get("dialogId")).ok_or_else(access_denied)?;
    let chat_id = dialog_chat(call.portal, call.caller, dialog).map_err(|_| access_denied())?;
    let file_id = call
        .params
        .get("fileId")
        .map(intval)
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(not_found)?;
    let drive = &call.portal.drive;
    let posted_here = drive
        .file(file_id)
        .is_some_and(|f| f.chat_id(drive) == Some(chat_id));
    if !posted_here {
        return Err(not_found());
    }
    let salt = u64::try_from(call.now).unwrap_or(0) ^ call.caller.rotate_left(17);
    let url = call.portal.drive.issue_download(file_id, salt);
    let mut link = FileDownloadLink::default();
    link.download_url = Some(url);
    Outcome::of::<V2FileDownloadRequest>(&link, 1)
}
