//! `im.disk.file.commit`: posts Drive files to a chat as one message.
//!
//! Checks, in order: the chat ([`super::chat_of`]); `FILE_ID` or `UPLOAD_ID` present (`FILE_ID`
//! first; a single id or a list), else 400 `FILES_ERROR`; every id names an existing file the
//! caller may use (in one of their chats' folders or their own folder), else 400 `SAVE_ERROR`
//! (also for an empty list). Effects: each file is copied into the chat's folder, one message
//! (text `MESSAGE`) carries the copies, the caller's read mark moves to it, subscribers get
//! `ONIMV2MESSAGEADD`. The answer sends dates as `{}`, as the live server does.

use b24_im::{
    DiskFileCommitErrorCode as Code, DiskFileCommitRequest as Method, DiskFileCommitResult,
    DiskFileLinks, DiskFileModel,
};
use serde_json::{Map, Value, json};

use super::ChatCodes;
use crate::methods::{Failure, Outcome, Write, fail, render};
use crate::php::{array_values, intval, isset, scalar_text};
use crate::portal::drive::{DriveFile, FolderOwner};
use crate::portal::{Portal, iso};

fn save_error() -> Failure {
    fail(Code::SaveError)
}

/// Whether `caller` may post the file: it is in their own folder or a chat they are in.
fn usable(portal: &Portal, caller: u64, file_id: u64) -> bool {
    let Some(file) = portal.drive.file(file_id) else {
        return false;
    };
    match portal.drive.folder(file.folder_id).map(|f| f.owner) {
        Some(FolderOwner::User(user)) => user == caller,
        Some(FolderOwner::Chat(chat)) => portal.relation(chat, caller).is_some(),
        None => false,
    }
}

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let codes = ChatCodes {
        chat_id_empty: Code::ChatIdEmpty,
        dialog_id_empty: Code::DialogIdEmpty,
        access_error: Code::AccessError,
    };
    let chat_id = super::chat_of(call.portal, call.caller, &call.params, codes)?;
    let raw = isset(call.params.get("FILE_ID"))
        .or_else(|| isset(call.params.get("UPLOAD_ID")))
        .ok_or_else(|| fail(Code::FilesError))?;
    let ids: Vec<u64> = match raw {
        Value::Array(_) | Value::Object(_) => array_values(raw).unwrap_or_default(),
        single => vec![single],
    }
    .into_iter()
    .map(intval)
    .filter_map(|v| u64::try_from(v).ok())
    .collect();
    let (caller, now) = (call.caller, call.now);
    if ids.is_empty()
        || !ids
            .iter()
            .all(|id| *id > 0 && usable(call.portal, caller, *id))
    {
        return Err(save_error());
    }
    let text = call
        .params
        .get("MESSAGE")
        .and_then(scalar_text)
        .unwrap_or_default();
    let portal = &mut *call.portal;
    let folder = portal.drive.chat_folder(chat_id);
    let mut copies = Vec::with_capacity(ids.len());
    for id in ids {
        let Some((name, content)) = portal
            .drive
            .file(id)
            .map(|f| (f.name.clone(), f.content.clone()))
        else {
            return Err(save_error());
        };
        copies.push(
            portal
                .drive
                .add_file(folder, &name, caller, iso(now), content),
        );
    }
    let mut params = Map::new();
    params.insert("FILE_ID".into(), json!(copies));
    let message_id = portal.add_message(chat_id, caller, text, iso(now), params);
    portal.mark_read(chat_id, caller, message_id);
    if let Some(event) = portal
        .message(message_id)
        .map(|m| crate::methods::v2::event::message_added(portal, m))
    {
        portal.record_event(chat_id, "ONIMV2MESSAGEADD", now, &event);
    }
    let mut result = DiskFileCommitResult::default();
    for id in &copies {
        let Some(file) = portal.drive.file(*id) else {
            continue;
        };
        let key = format!("upload{id}");
        let mut shown = render::file(portal, file);
        // The live server sends the dates of this answer as `{}`.
        shown.date = None;
        result.files.insert(key.clone(), shown);
        result.file_models.insert(key, model(file, folder, caller));
    }
    result.disk_id = copies.iter().map(u64::to_string).collect();
    result.message_id = Some(message_id);
    Outcome::of::<Method>(&result, copies.len())
}

/// The Drive object of a posted copy, as the answer's `FILE_MODELS` shows it (dates `{}`).
fn model(file: &DriveFile, folder: u64, caller: u64) -> DiskFileModel {
    let id = file.id;
    let mut links = DiskFileLinks::default();
    links.download = Some(format!(
        "/bitrix/services/main/ajax.php?action=disk.file.download&SITE_ID=s1&fileId={id}"
    ));
    links.show_in_grid = Some(format!(
        "/bitrix/tools/disk/focus.php?objectId={id}&action=showObjectInGrid&ncc=1"
    ));
    links.preview = Some(String::new());
    let mut model = DiskFileModel::default();
    model.id = id;
    model.name = Some(file.name.clone());
    model.storage_id = Some(1);
    model.real_object_id = Some(id);
    model.parent_id = Some(folder);
    model.deleted_type = Some(0);
    model.created_by = Some(caller.to_string());
    model.updated_by = Some(caller.to_string());
    model.deleted_by = Some("0".to_owned());
    model.unique_code = Some(format!("emu{id:017}"));
    model.type_file = Some(0);
    model.global_content_version = Some(1);
    model.file_id = Some(id);
    model.size = u64::try_from(file.content.len()).ok();
    model.etag = Some(format!("{:032x}", u128::from(id)));
    model.links = links;
    model
}
