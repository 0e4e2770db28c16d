//! `im.disk.file.delete`: the member who posted a file deletes it from the chat's folder.
//!
//! Checks: `CHAT_ID` (400 `CHAT_ID_EMPTY`), `FILE_ID` (400 `FILE_ID_EMPTY`). Then, as the docs
//! describe the answer: `false` when the caller is not in the chat or the file is not in it;
//! `true` with nothing deleted when the caller did not post the file; `true` when it was
//! deleted. Deleting removes the file from the folder and from its message; a message left with
//! no text, files, attachment or keyboard shows as deleted in `im.dialog.messages.get`.

use serde_json::{Value, json};

use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let chat_id = super::positive(&call.params, "CHAT_ID")
        .ok_or_else(|| Failure::new(400, "CHAT_ID_EMPTY", "Chat ID can't be empty"))?;
    let file_id = super::positive(&call.params, "FILE_ID")
        .ok_or_else(|| Failure::new(400, "FILE_ID_EMPTY", "File ID can't be empty"))?;
    let caller = call.caller;
    let portal = &mut *call.portal;
    let drive = &portal.drive;
    let file = drive
        .file(file_id)
        .filter(|f| f.chat_id(drive) == Some(chat_id))
        .map(|f| f.author_id);
    let (true, Some(author)) = (portal.relation(chat_id, caller).is_some(), file) else {
        return Ok(Outcome::of(json!(false), 0));
    };
    if author != caller {
        return Ok(Outcome::of(json!(true), 0));
    }
    portal.drive.remove_file(file_id);
    for message in portal.messages.iter_mut().filter(|m| m.chat_id == chat_id) {
        let Some(Value::Array(ids)) = message.params.get_mut("FILE_ID") else {
            continue;
        };
        ids.retain(|v| v.as_u64() != Some(file_id));
        if ids.is_empty() {
            message.params.remove("FILE_ID");
        }
    }
    Ok(Outcome::of(json!(true), 1))
}
