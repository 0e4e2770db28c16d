//! `im.disk.file.commit`: posts Drive files to a chat as one message.
//!
//! Checks, in order: the chat ([`super::chat_of`]); `FILE_ID` or `UPLOAD_ID` present (`FILE_ID`
//! first; a single id or a list), else 400 `FILES_ERROR`; every id names an existing file the
//! caller may use (in one of their chats' folders or their own folder), else 400 `SAVE_ERROR`
//! (also for an empty list). Effects: each file is copied into the chat's folder, one message
//! (text `MESSAGE`) carries the copies, the caller's read mark moves to it, subscribers get
//! `ONIMV2MESSAGEADD`. The answer sends dates as `{}`, as the live server does.

use serde_json::{Map, Value, json};

use crate::methods::{Failure, Outcome, Write, render};
use crate::php::{array_values, intval, isset, scalar_text};
use crate::portal::drive::FolderOwner;
use crate::portal::{Portal, iso};

fn save_error() -> Failure {
    Failure::new(400, "SAVE_ERROR", "Error during saving file to chat")
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
    let chat_id = super::chat_of(call.portal, call.caller, &call.params)?;
    let raw = isset(call.params.get("FILE_ID"))
        .or_else(|| isset(call.params.get("UPLOAD_ID")))
        .ok_or_else(|| Failure::new(400, "FILES_ERROR", "List of files is not specified"))?;
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
    let mut files = Map::new();
    let mut models = Map::new();
    for id in &copies {
        let Some(file) = portal.drive.file(*id) else {
            continue;
        };
        let mut shown = render::file(portal, file);
        if let Some(map) = shown.as_object_mut() {
            map.insert("date".into(), json!({}));
        }
        files.insert(format!("upload{id}"), shown);
        models.insert(
            format!("upload{id}"),
            json!({
                "id": id,
                "name": file.name,
                "createTime": {},
                "updateTime": {},
                "deleteTime": null,
                "code": null,
                "xmlId": null,
                "storageId": 1,
                "realObjectId": id,
                "parentId": folder,
                "deletedType": 0,
                "createdBy": caller.to_string(),
                "updatedBy": caller.to_string(),
                "deletedBy": "0",
                "uniqueCode": format!("emu{id:017}"),
                "typeFile": 0,
                "globalContentVersion": 1,
                "fileId": id,
                "size": file.content.len(),
                "etag": format!("{:032x}", u128::from(*id)),
                "links": {
                    "download": format!("/bitrix/services/main/ajax.php?action=disk.file.download&SITE_ID=s1&fileId={id}"),
                    "showInGrid": format!("/bitrix/tools/disk/focus.php?objectId={id}&action=showObjectInGrid&ncc=1"),
                    "preview": "",
                },
            }),
        );
    }
    let disk_ids: Vec<String> = copies.iter().map(u64::to_string).collect();
    Ok(Outcome::of(
        json!({
            "FILES": files,
            "DISK_ID": disk_ids,
            "FILE_MODELS": models,
            "MESSAGE_ID": message_id,
        }),
        copies.len(),
    ))
}
