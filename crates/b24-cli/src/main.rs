//! `b24`: the command-line face of the b24 Bitrix24 SDK.
//!
//! - `b24 decode <METHOD> [FILE|-]` decodes a raw response body with the generated types, and
//!   `b24 decode event [FILE|-]` a bot event (a fetch-queue entry or a webhook POST body, form
//!   or JSON);
//! - `b24 call <METHOD> [PARAM=VALUE ...]` calls a portal through the client;
//! - `b24 emulate` runs the local portal of `b24-emulator`;
//! - `b24 demo` shows the SDK end to end (against the emulator, or `B24_WEBHOOK_URL`).

/// `println!` that does not panic when stdout is closed early (`b24 demo | head`): output that
/// nobody reads is dropped.
macro_rules! say {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod all;
mod call;
mod demo;
mod files;
mod portal;

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for usage errors (bad arguments, unknown method).
const USAGE_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "b24",
    version,
    about = "Typed tools for the Bitrix24 REST API (im and imbot.v2 scopes)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a response body with a method's generated types and print it as JSON.
    ///
    /// The body is the whole envelope as the server sends it (`result`, `total`, `next`, `time`,
    /// or `error`). With `event` instead of a method, the body is a bot event: one entry of
    /// `imbot.v2.Event.get` or a webhook POST body (form-encoded or JSON). Exit status: 0
    /// decoded; 1 the body is an API error or does not fit the method's types (the JSON path of
    /// the problem is printed); 2 unknown method or bad usage.
    Decode {
        /// Wire name of the method, e.g. `im.dialog.users.list`, or `event`.
        method: String,
        /// File with the response body; `-` or nothing reads standard input.
        file: Option<String>,
        /// HTTP status the body came with (kept on API errors).
        #[arg(long)]
        status: Option<u16>,
        /// Print compact JSON instead of pretty JSON.
        #[arg(long)]
        compact: bool,
    },
    /// Call a method and print its result as JSON.
    Call(Box<portal::CallArgs>),
    /// List the methods the spec describes.
    Methods,
    /// Run a local Bitrix24 portal (the b24 emulator) until SIGINT or SIGTERM.
    ///
    /// The first line of stdout is the webhook base URL to use.
    Emulate(Box<b24_emulator::EmulatorArgs>),
    /// Show the SDK end to end: decode the documented example, then read a chat's participants,
    /// counters and messages through the client — against a local emulator, or against the portal
    /// of `B24_WEBHOOK_URL` when it is set (read-only there).
    Demo(demo::DemoArgs),
    /// Upload a file (at most 100 MB) to a dialog as a message; prints the file, message and
    /// chat ids. A progress bar shows on stderr when it is a terminal.
    Upload(Box<files::UploadArgs>),
    /// Download a chat file to a path; prints the path and size. A progress bar shows on
    /// stderr when it is a terminal.
    Download(Box<files::DownloadArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode {
            method,
            file,
            status,
            compact,
        } => decode(&method, file.as_deref(), status, compact),
        Command::Call(args) => runtime().map_or(ExitCode::FAILURE, |rt| rt.block_on(call(&args))),
        Command::Emulate(args) => runtime().map_or(ExitCode::FAILURE, |rt| {
            match rt.block_on(b24_emulator::run(&args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }),
        Command::Demo(args) => {
            runtime().map_or(ExitCode::FAILURE, |rt| rt.block_on(demo::run(&args)))
        }
        Command::Upload(args) => {
            runtime().map_or(ExitCode::FAILURE, |rt| rt.block_on(files::upload(&args)))
        }
        Command::Download(args) => {
            runtime().map_or(ExitCode::FAILURE, |rt| rt.block_on(files::download(&args)))
        }
        Command::Methods => {
            for entry in all_methods() {
                say!("{:<38} {}", entry.info.name, entry.info.summary);
            }
            ExitCode::SUCCESS
        }
    }
}

/// `b24 call`: one call, or every item with `--all`.
async fn call(args: &portal::CallArgs) -> ExitCode {
    portal::init_tracing(args.verbose);
    let params = match portal::parse_params(&args.params, args.json.as_deref()) {
        Ok(params) => params,
        Err(message) => return portal::usage_error(&message),
    };
    // A method of the spec that the server would refuse for want of a target or content is
    // not sent, whichever way it goes (typed, `--raw` or `--all`).
    if let Some(entry) = b24_core::registry::find(b24_im::METHODS, &args.method)
        && let Err(missing) = entry
            .info
            .check_params(&serde_json::Value::Object(params.clone()))
    {
        eprintln!("error: {missing}");
        return ExitCode::from(USAGE_ERROR);
    }
    let client = match portal::connect(args).await {
        Ok(client) => client,
        Err(code) => return code,
    };
    if args.all {
        all::run(args, &client, serde_json::Value::Object(params)).await
    } else {
        call::run(args, &client, params).await
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            None
        }
    }
}

/// Every method of every scope the CLI knows.
fn all_methods() -> impl Iterator<Item = &'static b24_core::registry::MethodEntry> {
    b24_im::METHODS.iter().chain(b24_imbot::METHODS)
}

/// The method of this wire name, in any scope.
pub(crate) fn find_method(name: &str) -> Option<&'static b24_core::registry::MethodEntry> {
    all_methods().find(|m| m.info.name == name)
}

fn known_methods() -> String {
    all_methods()
        .map(|m| format!("  {}", m.info.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints JSON, pretty or compact.
fn print_json(value: &serde_json::Value, compact: bool) -> ExitCode {
    let text = if compact {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    };
    match text {
        Ok(text) => {
            say!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot print the result: {e}");
            ExitCode::FAILURE
        }
    }
}

fn decode(method: &str, file: Option<&str>, status: Option<u16>, compact: bool) -> ExitCode {
    if method == "event" {
        return decode_event(file, compact);
    }
    let Some(entry) = find_method(method) else {
        eprintln!(
            "error: `{method}` is not in the spec\n\nmethods in the spec:\n{}",
            known_methods()
        );
        return ExitCode::from(USAGE_ERROR);
    };
    let body = match read_body(file) {
        Ok(body) => body,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    match (entry.decode_json)(status, &body) {
        Ok(decoded) => {
            // Entries that do not fit are left out of the output; say which, and why.
            for skipped in &decoded.skipped {
                eprintln!("warning: {method}: {skipped}");
            }
            print_json(&decoded.json, compact)
        }
        Err(b24_core::registry::ErasedResponseError::Api { error, known, .. }) => {
            let note = if known {
                ""
            } else {
                " (a code this method does not document)"
            };
            eprintln!("error: {method} answered with an error{note}: {error}");
            ExitCode::FAILURE
        }
        Err(b24_core::registry::ErasedResponseError::Decode(error)) => {
            eprintln!("error: {method}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn read_body(file: Option<&str>) -> Result<Vec<u8>, String> {
    match file {
        None | Some("-") => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(body)
        }
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}")),
    }
}

/// `b24 decode event`: a bot event from any delivery, printed as `{event, eventId, ts, data}`
/// with the data re-encoded from the typed event (the top-level `auth` is not printed).
fn decode_event(file: Option<&str>, compact: bool) -> ExitCode {
    use b24_core::{Delivery, EventSet as _, Received};
    let body = match read_body(file) {
        Ok(body) => body,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    // A fetch-queue entry has `eventId` and `type`; anything else is a webhook body.
    let entry = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .filter(|v| v.get("eventId").is_some() && v.get("type").is_some());
    let delivery = match &entry {
        Some(entry) => Delivery::<b24_imbot::Event>::from_fetched(entry),
        None => Delivery::<b24_imbot::Event>::from_webhook(None, &body),
    };
    let delivery = match delivery {
        Ok(delivery) => delivery,
        Err(error) => {
            eprintln!("error: the event does not decode: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (name, data) = match &delivery.event {
        Received::Known(event) => (
            event.name().to_owned(),
            event
                .encode_data(serde_json::value::Serializer)
                .unwrap_or_default(),
        ),
        Received::Other { name, data } => {
            eprintln!("warning: `{name}` is not an event of the spec; its data is shown as sent");
            (name.clone(), data.clone())
        }
    };
    let verified = delivery
        .auth
        .as_ref()
        .and_then(b24_core::EventAuth::application_token)
        .is_some();
    let out = serde_json::json!({
        "event": name,
        "eventId": delivery.event_id,
        "ts": delivery.ts,
        "hasApplicationToken": verified,
        "data": data,
    });
    print_json(&out, compact)
}
