//! `b24 upload` and `b24 download`: chat files through `b24_client::files`, with a progress bar
//! on stderr when it is a terminal.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use b24_client::Client;
use b24_client::files::{FileError, Upload};
use b24_core::DialogId;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::{USAGE_ERROR, print_json};

/// Arguments of `b24 upload`.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The dialog: `chat<N>`, `sg<N>` or a user id.
    pub dialog: DialogId,
    /// The file to upload (at most 100 MB).
    pub path: PathBuf,
    /// Text of the message that carries the file.
    #[arg(long)]
    pub message: Option<String>,
    /// The name shown in the chat (default: the file's name).
    #[arg(long)]
    pub name: Option<String>,
    /// The webhook URL (`https://<portal>/rest/<user>/<code>/`).
    #[arg(long, env = "B24_WEBHOOK_URL", hide_env_values = true)]
    pub webhook: Option<String>,
    /// Show what the client does on stderr (-v: calls and retries, -vv: everything).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Arguments of `b24 download`.
#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    /// The dialog the file was posted to: `chat<N>`, `sg<N>` or a user id.
    pub dialog: DialogId,
    /// The file's id (`fileId` of `b24 upload`, `files[].id` of `im.dialog.messages.get`).
    pub file_id: u64,
    /// Where to write it (default: `b24-file-<FILE_ID>` in the current directory).
    pub path: Option<PathBuf>,
    /// The webhook URL (`https://<portal>/rest/<user>/<code>/`).
    #[arg(long, env = "B24_WEBHOOK_URL", hide_env_values = true)]
    pub webhook: Option<String>,
    /// Show what the client does on stderr (-v: calls and retries, -vv: everything).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

fn client(webhook: Option<&str>, verbose: u8) -> Result<Client, ExitCode> {
    crate::portal::init_tracing(verbose);
    let Some(webhook) = webhook else {
        eprintln!(
            "error: no portal: pass --webhook URL or set B24_WEBHOOK_URL (try `b24 emulate` for a local one)"
        );
        return Err(ExitCode::from(USAGE_ERROR));
    };
    Client::builder()
        .webhook(webhook)
        .and_then(b24_client::ClientBuilder::build)
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(USAGE_ERROR)
        })
}

/// A byte progress bar on stderr; hidden when stderr is not a terminal.
fn bar(verb: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{verb} {{bar:30}} {{bytes}}/{{total_bytes}} · {{bytes_per_sec}} · {{elapsed}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn failed<C: b24_core::ErrorCode + std::fmt::Debug>(what: &str, error: &FileError<C>) -> ExitCode {
    eprintln!("error: {what}: {error}");
    match error {
        FileError::Call(b24_client::Error::Config(_)) => ExitCode::from(USAGE_ERROR),
        _ => ExitCode::FAILURE,
    }
}

/// Runs `b24 upload`: prints the ids of the file, its message and chat as JSON.
pub async fn upload(args: &UploadArgs) -> ExitCode {
    let client = match client(args.webhook.as_deref(), args.verbose) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut upload = Upload::path(args.dialog, &args.path);
    if let Some(name) = &args.name {
        upload = upload.name(name);
    }
    if let Some(message) = &args.message {
        upload = upload.message(message);
    }
    let progress = bar("encoding");
    let outcome = client
        .upload_file(upload, |done, total| {
            progress.set_length(total);
            progress.set_position(done);
        })
        .await;
    progress.finish_and_clear();
    match outcome {
        Ok(sent) => print_json(
            &json!({"fileId": sent.file_id, "messageId": sent.message_id, "chatId": sent.chat_id}),
            false,
        ),
        Err(e) => failed("im.v2.File.upload", &e),
    }
}

/// Runs `b24 download`: prints where the file went and its size as JSON.
pub async fn download(args: &DownloadArgs) -> ExitCode {
    let client = match client(args.webhook.as_deref(), args.verbose) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("b24-file-{}", args.file_id)));
    let progress = bar("downloading");
    let outcome = client
        .download_file(args.dialog, args.file_id, &path, |done, total| {
            progress.set_length(total.max(done));
            progress.set_position(done);
        })
        .await;
    progress.finish_and_clear();
    match outcome {
        Ok(size) => print_json(
            &json!({"path": path.to_string_lossy(), "size": size}),
            false,
        ),
        Err(e) => failed("im.v2.File.download", &e),
    }
}
