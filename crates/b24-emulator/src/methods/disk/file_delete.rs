//! `im.disk.file.delete`: the member who posted a file deletes it from the chat's folder.
//!
//! Checks: `CHAT_ID` (400 `CHAT_ID_EMPTY`), `FILE_ID` (400 `FILE_ID_EMPTY`). Then, as the docs
//! describe the answer: `false` when the caller is not in the chat or the file is not in it;
//! `true` with nothing deleted when the caller did not post the file; `true` when it was
//! deleted. Deleting removes the file from the folder and from its message; a message left with
//! no text, files, attachment or keyboard shows as deleted in `im.dialog.messages.get`.

use b24_im::{DiskFileDeleteErrorCode as Code, DiskFileDeleteRequest as Method};
use serde_json::Value;

use crate::methods::{Failure, Outcome, Write, fail};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let chat_id =
        super::positive(&call.params, "CHAT_ID").ok_or_else(|| fail(Code::ChatIdEmpty))?;
    let file_id =
        super::positive(&call.params, "FILE_ID").ok_or_else(|| fail(Code::FileIdEmpty))?;
    let caller = call.caller;
    let portal = &mut *call.portal;
    let drive = &portal.drive;
    let file = drive
        .file(file_id)
        .filter(|f| f.chat_id(drive) == Some(chat_id))
        .map(|f| f.author_id);
    let (true, Some(author)) = (portal.relation(chat_id, caller).is_some(), file) else {
        return Outcome::of::<Method>(&false, 0);
    };
    if author != caller {
        return Outcome::of::<Method>(&true, 0);
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
    Outcome::of::<Method>(&true, 1)
}
