//! `im.disk.file.save`: copies a chat file into the caller's "Saved Files" folder (made on
//! first use). Checks: `FILE_ID` (400 `FILE_ID_EMPTY`); the file exists in a chat the caller is
//! in (400 `FILE_SAVE_ERROR` otherwise). Every call makes a new copy.

use b24_im::{
    DiskFileSaveErrorCode as Code, DiskFileSaveRequest as Method, DiskFileSaved, DiskObjectRef,
};

use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::drive::{FolderOwner, SAVED_FOLDER};
use crate::portal::iso;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let file_id =
        super::positive(&call.params, "FILE_ID").ok_or_else(|| fail(Code::FileIdEmpty))?;
    let (caller, now) = (call.caller, call.now);
    let portal = &mut *call.portal;
    let drive = &portal.drive;
    let source = drive
        .file(file_id)
        .filter(|f| {
            f.chat_id(drive)
                .is_some_and(|chat| portal.relation(chat, caller).is_some())
        })
        .map(|f| (f.name.clone(), f.content.clone()))
        .ok_or_else(|| fail(Code::FileSaveError))?;
    let folder = portal
        .drive
        .folder_of(FolderOwner::User(caller), SAVED_FOLDER);
    let copy = portal
        .drive
        .add_file(folder, &source.0, caller, iso(now), source.1);
    let object = |id: u64, name: &str| {
        let mut object = DiskObjectRef::default();
        object.id = id;
        object.name = Some(name.to_owned());
        object
    };
    let mut saved = DiskFileSaved::default();
    saved.folder = Some(object(folder, SAVED_FOLDER));
    saved.file = Some(object(copy, &source.0));
    Outcome::of::<Method>(&saved, 1)
}
