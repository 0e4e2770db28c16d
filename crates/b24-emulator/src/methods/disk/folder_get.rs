//! `im.disk.folder.get`: the id of the chat's Drive folder, created on first use (checks in
//! [`super::chat_of`]). Repeated calls answer the same id.

use b24_im::{DiskFolder, DiskFolderGetErrorCode as Code, DiskFolderGetRequest as Method};

use super::ChatCodes;
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let codes = ChatCodes {
        chat_id_empty: Code::ChatIdEmpty,
        dialog_id_empty: Code::DialogIdEmpty,
        access_error: Code::AccessError,
    };
    let chat = super::chat_of(call.portal, call.caller, &call.params, codes)?;
    let mut folder = DiskFolder::default();
    folder.id = call.portal.drive.chat_folder(chat);
    Outcome::of::<Method>(&folder, 1)
}
