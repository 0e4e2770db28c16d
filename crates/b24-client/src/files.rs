//! Chat files: upload from a path or from bytes (`im.v2.File.upload`) and download to a path
//! (`im.v2.File.download` and its link).
//!
//! The upload body is built in one pass: the JSON around the content is written, then the file
//! is read in chunks and Base64-encoded straight into the body, so a file from a path is held
//! only as its Base64 text (about 1.34× its size), and a file given as bytes as those bytes plus
//! their Base64 text (about 2.34×), never as a separate Base64 `String` and a JSON copy of it.
//! With OAuth, each attempt adds the `auth` field to a copy of the body. `BENCHMARKS.md` has the
//! measured peak memory.
//!
//! ```no_run
//! # async fn run(client: b24_client::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use b24_client::files::Upload;
//! let dialog: b24_core::DialogId = "chat12".parse()?;
//! let sent = client
//!     .upload_file(Upload::path(dialog, "report.pdf").message("The report"), |_done, _total| {})
//!     .await?;
//! let file_id = sent.file_id;
//! client
//!     .download_file(dialog, file_id, "copy.pdf".as_ref(), |_done, _total| {})
//!     .await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use b24_core::{DialogId, Method as _, decode_response};
use b24_im::{
    FileUploaded, V2FileDownloadErrorCode, V2FileDownloadRequest, V2FileUploadErrorCode,
    V2FileUploadRequest,
};
use base64::engine::general_purpose::STANDARD;
use base64::write::EncoderWriter;
use bytes::Bytes;
use std::io::Write as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::client::CallSpec;
use crate::{Client, Error};

/// Largest file `im.v2.File.upload` takes: 100 MB.
pub const MAX_UPLOAD: u64 = 100 * 1024 * 1024;

/// Bytes read (and encoded) at a time.
const CHUNK: usize = 3 * 256 * 1024;

/// What to upload, where, and with which message text.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    dialog: DialogId,
    source: Source<'a>,
    name: Option<String>,
    message: Option<String>,
}

#[derive(Clone)]
enum Source<'a> {
    Path(PathBuf),
    Bytes(&'a [u8]),
}

impl fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
        }
    }
}

impl<'a> Upload<'a> {
    /// The file at `path`, named after its file name.
    #[must_use]
    pub fn path(dialog: DialogId, path: impl Into<PathBuf>) -> Self {
        Self {
            dialog,
            source: Source::Path(path.into()),
            name: None,
            message: None,
        }
    }

    /// In-memory content, named `name`.
    #[must_use]
    pub fn bytes(dialog: DialogId, name: impl Into<String>, bytes: &'a [u8]) -> Self {
        Self {
            dialog,
            source: Source::Bytes(bytes),
            name: Some(name.into()),
            message: None,
        }
    }

    /// The file name shown in the chat (with its extension).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Text of the message that carries the file.
    #[must_use]
    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.message = Some(text.into());
        self
    }
}

/// A posted file: the ids to refer to it by, and the whole answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Uploaded {
    /// The file (Drive id): for `im.v2.File.download`, `im.disk.file.delete`, ...
    pub file_id: u64,
    /// The message that carries it.
    pub message_id: u64,
    /// The chat.
    pub chat_id: u64,
    /// The answer as decoded.
    pub result: FileUploaded,
}

/// Why a file upload or download failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError<C: fmt::Display + fmt::Debug> {
    /// The local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The local path.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is larger than the server takes (100 MB).
    #[error("{size} bytes is larger than the 100 MB the messenger takes")]
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
    /// No file name: give one with [`Upload::name`].
    #[error("the upload has no file name")]
    NoName,
    /// The method call failed.
    #[error(transparent)]
    Call(#[from] Error<C>),
    /// The answer lacks an id the helper returns (a server that sent an unexpected shape).
    #[error("the answer has no `{0}`")]
    Missing(&'static str),
    /// The download link answered with an error status.
    #[error("the download link answered HTTP {status}")]
    Link {
        /// HTTP status.
        status: u16,
    },
}

impl Client {
    /// Uploads a file to a dialog with `im.v2.File.upload` and returns its ids. `progress`
    /// is called with (bytes encoded, total) while the body is built.
    ///
    /// # Errors
    /// [`FileError`]: the local file, its size, the call.
    pub async fn upload_file(
        &self,
        upload: Upload<'_>,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<Uploaded, FileError<V2FileUploadErrorCode>> {
        let name = match (&upload.name, &upload.source) {
            (Some(name), _) => name.clone(),
            (None, Source::Path(path)) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or(FileError::NoName)?,
            (None, Source::Bytes(_)) => return Err(FileError::NoName),
        };
        let body = match &upload.source {
            Source::Bytes(bytes) => {
                let size = bytes.len() as u64;
                check_size(size)?;
                let mut body = body_start(upload.dialog, &name, upload.message.as_deref(), size);
                let mut done = 0;
                let mut encoder = EncoderWriter::new(&mut body, &STANDARD);
                for chunk in bytes.chunks(CHUNK) {
                    encoder.write_all(chunk).map_err(|e| in_memory(&e))?;
                    done += chunk.len() as u64;
                    progress(done, size);
                }
                encoder.finish().map_err(|e| in_memory(&e))?;
                drop(encoder);
                body_end(body)
            }
            Source::Path(path) => {
                let io = |source| FileError::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = tokio::fs::File::open(path).await.map_err(io)?;
                let size = file.metadata().await.map_err(io)?.len();
                check_size(size)?;
                let mut body = body_start(upload.dialog, &name, upload.message.as_deref(), size);
                let mut done = 0;
                let mut encoder = EncoderWriter::new(&mut body, &STANDARD);
                let mut buffer = vec![0_u8; CHUNK];
                loop {
                    let read = file.read(&mut buffer).await.map_err(io)?;
                    let Some(chunk) = buffer.get(..read).filter(|c| !c.is_empty()) else {
                        break;
                    };
                    encoder.write_all(chunk).map_err(io)?;
                    done += read as u64;
                    progress(done, size);
                }
                encoder.finish().map_err(io)?;
                drop(encoder);
                body_end(body)
            }
        };
        let spec = CallSpec {
            method: V2FileUploadRequest::INFO.name,
            read_only: false,
            prepaid: false,
        };
        let response = self
            .execute(
                spec,
                Bytes::from(body),
                decode_response::<V2FileUploadRequest>,
            )
            .await?;
        let result = response.result;
        Ok(Uploaded {
            file_id: result
                .file
                .as_ref()
                .map(|f| f.id)
                .ok_or(FileError::Missing("file.id"))?,
            message_id: result.message_id.ok_or(FileError::Missing("messageId"))?,
            chat_id: result.chat_id.ok_or(FileError::Missing("chatId"))?,
            result,
        })
    }

    /// Downloads a chat file to `path` (created or truncated) through the link
    /// `im.v2.File.download` returns, writing it as it arrives; returns its size. `progress`
    /// is called with (bytes written, total when known, else 0).
    ///
    /// # Errors
    /// [`FileError`]: the call, the link, the local file.
    pub async fn download_file(
        &self,
        dialog: DialogId,
        file_id: u64,
        path: &Path,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, FileError<V2FileDownloadErrorCode>> {
        let link = self
            .call(&V2FileDownloadRequest::new(dialog, file_id))
            .await?
            .result
            .download_url
            .ok_or(FileError::Missing("downloadUrl"))?;
        let transport = |e: reqwest::Error| {
            FileError::Call(Error::Transport(crate::oauth::transport_error(
                &e,
                self.scrubber(),
            )))
        };
        let mut response = self.http().get(&link).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FileError::Link { status });
        }
        let total = response.content_length().unwrap_or(0);
        let io = |source| FileError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut written = 0_u64;
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            file.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
            progress(written, total);
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
}

fn check_size<C: fmt::Display + fmt::Debug>(size: u64) -> Result<(), FileError<C>> {
    if size > MAX_UPLOAD {
        return Err(FileError::TooLarge { size });
    }
    Ok(())
}

/// The body up to the opening quote of `fields.content`, with room for the rest.
fn body_start(dialog: DialogId, name: &str, message: Option<&str>, size: u64) -> Vec<u8> {
    let encoded = usize::try_from(size.div_ceil(3) * 4).unwrap_or(0);
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut head = format!(
        "{{\"dialogId\":{},\"fields\":{{\"name\":{}",
        text(&dialog.to_string()),
        text(name)
    );
    if let Some(message) = message {
        head.push_str(",\"message\":");
        head.push_str(&text(message));
    }
    head.push_str(",\"content\":\"");
    let mut body = Vec::with_capacity(head.len() + encoded + 3);
    body.extend_from_slice(head.as_bytes());
    body
}

/// Closes `fields.content`, `fields` and the body.
fn body_end(mut body: Vec<u8>) -> Vec<u8> {
    body.extend_from_slice(b"\"}}");
    body
}

/// Writing into a `Vec` does not fail; should the encoder still report an error, it is one.
fn in_memory<C: fmt::Display + fmt::Debug>(error: &std::io::Error) -> FileError<C> {
    FileError::Io {
        path: PathBuf::from("<memory>"),
        source: std::io::Error::other(error.to_string()),
    }
}
