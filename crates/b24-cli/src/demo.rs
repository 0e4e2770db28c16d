//! `b24 demo`: the SDK end to end, on built-in defaults.
//!
//! 1. Decode the documented `im.dialog.users.list` example with the generated types.
//! 2. Against a portal — a local emulator, or `B24_WEBHOOK_URL` — read every participant of a
//!    chat page by page, the caller's counters and the latest messages, through the client
//!    (limits, retries, typed errors).
//! 3. Against the emulator only: send a message, and show what the server counted.

use std::collections::BTreeSet;
use std::process::ExitCode;

use b24_client::{Client, Error};
use b24_core::DialogId;
use b24_im::{
    CountersGetRequest, DialogMessagesGetRequest, DialogUsersListRequest, MessageAddRequest,
};

/// The documented example, compiled in so the demo runs from anywhere.
const DOCUMENTED_EXAMPLE: &str = include_str!("../../../spec/im/examples/dialog.users.list.json");

/// Arguments of `b24 demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The chat to read (default `chat1`).
    #[arg(long, default_value = "chat1")]
    pub dialog: DialogId,
    /// Members of the emulator's chat1 (ignored with B24_WEBHOOK_URL).
    #[arg(long, default_value_t = 1000)]
    pub dialog_size: usize,
    /// Show what the client does on stderr.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Runs the demo.
pub async fn run(args: &DemoArgs) -> ExitCode {
    crate::call::init_tracing(args.verbose);
    match demo(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn show<C: std::fmt::Display + b24_core::ErrorCode>(what: &str, e: &Error<C>) -> String {
    let executed = if e.was_possibly_executed() {
        "; it may have run"
    } else {
        ""
    };
    format!("{what}: {e}{executed}")
}

async fn demo(args: &DemoArgs) -> Result<(), String> {
    println!("1. Decoding the documented im.dialog.users.list example with the generated types");
    let example = b24_core::decode_response::<DialogUsersListRequest>(
        Some(200),
        DOCUMENTED_EXAMPLE.as_bytes(),
    )
    .map_err(|e| format!("the documented example does not decode: {e}"))?;
    for user in &example.result {
        println!(
            "   {:>5}  {:<20} status {:<7} idle {:<5} phones {}",
            user.id,
            user.name,
            user.status,
            user.idle.map_or("no".into(), |t| t.to_rfc3339()),
            user.phones.as_ref().map_or(0, |p| [
                &p.work_phone,
                &p.personal_mobile,
                &p.personal_phone,
                &p.inner_phone
            ]
            .iter()
            .filter(|x| x.is_some())
            .count()),
        );
    }
    println!(
        "   total {:?}; `idle`/`phones` arrive as `false` when unset and decode to None",
        example.total
    );

    // A real portal when B24_WEBHOOK_URL is set, else a local emulator.
    let (client, emulator) = match std::env::var("B24_WEBHOOK_URL") {
        Ok(url) => {
            let client = Client::from_webhook(&url).map_err(|e| e.to_string())?;
            println!(
                "\n2. Portal {} (B24_WEBHOOK_URL; read-only)",
                client.portal()
            );
            (client, None)
        }
        Err(_) => {
            let emulator = b24_emulator::Emulator::start(b24_emulator::Config {
                dialog_size: Some(args.dialog_size),
                hidden_members_pct: 10.0,
                ..b24_emulator::Config::default()
            })
            .await
            .map_err(|e| format!("cannot start the emulator: {e}"))?;
            let client =
                Client::from_webhook(&emulator.webhook_url()).map_err(|e| e.to_string())?;
            println!(
                "\n2. Local emulator at {} (set B24_WEBHOOK_URL to use a real portal)",
                emulator.base_url()
            );
            (client, Some(emulator))
        }
    };

    // Every participant, page by page: offset mode, following `next` (offset + items returned),
    // ending on an empty page or a missing `next`; pages can be short and overlap.
    let mut offset = 0u64;
    let mut pages = 0;
    let mut users = BTreeSet::new();
    let mut total;
    loop {
        let request = DialogUsersListRequest::new(args.dialog)
            .limit(200)
            .offset(offset);
        let page = client
            .call(&request)
            .await
            .map_err(|e| show("im.dialog.users.list", &e))?;
        pages += 1;
        total = page.total;
        if page.result.is_empty() {
            break;
        }
        users.extend(page.result.iter().map(|u| u.id));
        match page.next {
            Some(next) if next > offset => offset = next,
            _ => break,
        }
    }
    println!(
        "   {}: {} participants visible in {pages} pages (total {:?}, counted before the access filter)",
        args.dialog,
        users.len(),
        total
    );

    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .map_err(|e| show("im.counters.get", &e))?;
    println!(
        "   counters: {} unread chats, {} unread dialogs",
        counters.result.chat.len(),
        counters.result.dialog.len()
    );

    let messages = client
        .call(
            &DialogMessagesGetRequest::new()
                .dialog_id(args.dialog)
                .limit(5),
        )
        .await
        .map_err(|e| show("im.dialog.messages.get", &e))?;
    match &messages.result {
        Some(page) => println!(
            "   latest {} messages of {}; authors: {}",
            page.messages.len(),
            args.dialog,
            page.users.len()
        ),
        None => println!(
            "   {} has no messages (a private dialog never started)",
            args.dialog
        ),
    }

    if let Some(emulator) = emulator {
        println!("\n3. A write (emulator only)");
        let sent = client
            .call(
                &MessageAddRequest::new()
                    .dialog_id(args.dialog)
                    .message("Hello from b24"),
            )
            .await
            .map_err(|e| show("im.message.add", &e))?;
        println!("   im.message.add -> message {}", sent.result);
        let denied = client
            .call(&DialogUsersListRequest::new(DialogId::Chat(5)))
            .await;
        if let Err(e) = denied {
            println!(
                "   a typed error: {} (code {:?}, HTTP {:?}, retryable {}, may have run {})",
                e,
                e.code(),
                e.status(),
                e.is_retryable(),
                e.was_possibly_executed()
            );
        }
        let stats = emulator.stats();
        println!(
            "   the server saw {} requests ({:?} by status), {:.0} ms of processing; no 503: {}",
            stats.requests,
            stats.by_status,
            stats.operating_ms.values().sum::<f64>(),
            !stats.by_status.contains_key("503")
        );
        emulator.shutdown().await;
    }
    println!("\ndone");
    Ok(())
}
