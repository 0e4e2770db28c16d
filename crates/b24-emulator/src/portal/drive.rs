//! The portal's Drive, as far as the messenger uses it: one folder per chat for the files posted
//! there, one "Saved Files" folder per user (`im.disk.file.save`), the files with their bytes,
//! and the one-time download links `im.v2.File.download` hands out (served by the HTTP layer at
//! [`DOWNLOAD_PATH`]).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Path of the download links, as the server's look: `/rest/download.json?token=...`.
pub const DOWNLOAD_PATH: &str = "/rest/download.json";

/// Largest file the messenger takes (`im.v2.File.upload`): 100 MB.
pub const MAX_FILE_SIZE: usize = 100 * 1024 * 1024;

/// Name of the per-user folder `im.disk.file.save` copies into.
pub const SAVED_FOLDER: &str = "Saved Files";

/// Folders, files and download links.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Drive {
    /// Folders, in id order.
    #[serde(default)]
    pub folders: Vec<Folder>,
    /// Files, in id order.
    #[serde(default)]
    pub files: Vec<DriveFile>,
    /// Id the next folder or file gets (one id space, as on Drive).
    #[serde(default)]
    pub next_id: u64,
    /// Download tokens handed out, with the file each opens.
    #[serde(default)]
    pub downloads: BTreeMap<String, u64>,
    /// Base URL the emulator serves (`http://127.0.0.1:PORT`), for absolute download links;
    /// set when it starts.
    #[serde(skip)]
    pub served_at: String,
}

/// Who a folder belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderOwner {
    /// The files posted to this chat.
    Chat(u64),
    /// This user's "Saved Files".
    User(u64),
}

/// A folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Folder {
    /// Drive id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Owner.
    pub owner: FolderOwner,
}

/// A file with its bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriveFile {
    /// Drive id (the `fileId` of the messenger).
    pub id: u64,
    /// Folder.
    pub folder_id: u64,
    /// Name with extension.
    pub name: String,
    /// Uploader.
    pub author_id: u64,
    /// When (ISO-8601).
    pub date: String,
    /// The bytes (Base64 in data files).
    #[serde(with = "base64_bytes")]
    pub content: bytes::Bytes,
}

impl DriveFile {
    /// The chat the file is posted to, if it is in a chat folder.
    #[must_use]
    pub fn chat_id(&self, drive: &Drive) -> Option<u64> {
        match drive.folder(self.folder_id)?.owner {
            FolderOwner::Chat(chat) => Some(chat),
            FolderOwner::User(_) => None,
        }
    }

    /// Lower-case extension, empty when none.
    #[must_use]
    pub fn extension(&self) -> String {
        self.name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_lowercase())
            .unwrap_or_default()
    }
}

impl Drive {
    fn take_id(&mut self) -> u64 {
        let max = self
            .folders
            .iter()
            .map(|f| f.id)
            .chain(self.files.iter().map(|f| f.id))
            .max()
            .unwrap_or(0);
        let id = self.next_id.max(max + 1).max(1);
        self.next_id = id + 1;
        id
    }

    /// A folder by id.
    #[must_use]
    pub fn folder(&self, id: u64) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    /// The id of the folder of `owner`, created (named `name`) on first use.
    pub fn folder_of(&mut self, owner: FolderOwner, name: &str) -> u64 {
        if let Some(folder) = self.folders.iter().find(|f| f.owner == owner) {
            return folder.id;
        }
        let id = self.take_id();
        self.folders.push(Folder {
            id,
            name: name.to_owned(),
            owner,
        });
        id
    }

    /// The folder of a chat's files, created on first use.
    pub fn chat_folder(&mut self, chat_id: u64) -> u64 {
        self.folder_of(FolderOwner::Chat(chat_id), &format!("chat{chat_id}"))
    }

    /// Stores a file in a folder and returns its id.
    pub fn add_file(
        &mut self,
        folder_id: u64,
        name: &str,
        author_id: u64,
        date: String,
        content: bytes::Bytes,
    ) -> u64 {
        let id = self.take_id();
        self.files.push(DriveFile {
            id,
            folder_id,
            name: name.to_owned(),
            author_id,
            date,
            content,
        });
        id
    }

    /// A file by id.
    #[must_use]
    pub fn file(&self, id: u64) -> Option<&DriveFile> {
        self.files.iter().find(|f| f.id == id)
    }

    /// Deletes a file and the download links to it.
    pub fn remove_file(&mut self, id: u64) {
        self.files.retain(|f| f.id != id);
        self.downloads.retain(|_, file| *file != id);
    }

    /// A new download link for a file: an absolute URL carrying a fresh token.
    pub fn issue_download(&mut self, file_id: u64, salt: u64) -> String {
        let token = format!(
            "im|{file_id}|{:016x}",
            salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (self.downloads.len() as u64)
        );
        let url = format!(
            "{}{DOWNLOAD_PATH}?token={}",
            self.served_at,
            token.replace('|', "%7C")
        );
        self.downloads.insert(token, file_id);
        url
    }

    /// The file a download token opens.
    #[must_use]
    pub fn download(&self, token: &str) -> Option<&DriveFile> {
        self.downloads.get(token).and_then(|&id| self.file(id))
    }
}

/// Decodes Base64 as the messenger does (standard alphabet, padding optional, whitespace
/// ignored); `None` when it is not Base64.
#[must_use]
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    if text.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = text.split_ascii_whitespace().collect();
        return engine.decode(compact).ok();
    }
    engine.decode(text).ok()
}

mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        bytes: &bytes::Bytes,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<bytes::Bytes, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::decode_base64(&text)
            .map(bytes::Bytes::from)
            .ok_or_else(|| serde::de::Error::custom("file content is not Base64"))
    }
}
