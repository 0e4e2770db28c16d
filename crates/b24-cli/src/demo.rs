//! `b24 demo`: the SDK end to end, on built-in defaults.
//!
//! 1. Decode the documented `im.dialog.users.list` example with the generated types.
//! 2. Against a portal — a local emulator, or `B24_WEBHOOK_URL` — read every participant of a
//!    chat through the bulk reader (planned parallel batches), the caller's counters and the
//!    latest messages, through the client (limits, retries, typed errors).
//! 3. Against the emulator only: send a message, and show what the server counted.

use std::collections::BTreeSet;
use std::process::ExitCode;

use b24_client::{BulkOptions, BulkPlan, Client, Error};
use b24_core::DialogId;
use b24_im::{
    CountersGetRequest, DialogMessagesGetRequest, DialogUsersListRequest, MessageAddRequest,
};
use futures_util::TryStreamExt as _;

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
    crate::portal::init_tracing(args.verbose);
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
    say!("1. Decoding the documented im.dialog.users.list example with the generated types");
    let example = b24_core::decode_response::<DialogUsersListRequest>(
        Some(200),
        DOCUMENTED_EXAMPLE.as_bytes(),
    )
    .map_err(|e| format!("the documented example does not decode: {e}"))?;
    for user in &example.result {
        say!(
            "   {:>5}  {:<20} status {:<7} idle {:<5} phones {}",
            user.id,
            user.name.as_deref().unwrap_or("-"),
            user.status.as_ref().map_or("-", |s| s.as_str()),
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
    say!(
        "   total {:?}; `idle`/`phones` arrive as `false` when unset and decode to None",
        example.total
    );

    // A real portal when B24_WEBHOOK_URL is set, else a local emulator.
    let (client, emulator) = match std::env::var("B24_WEBHOOK_URL") {
        Ok(url) => {
            let client = Client::from_webhook(&url).map_err(|e| e.to_string())?;
            say!(
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
            say!(
                "\n2. Local emulator at {} (set B24_WEBHOOK_URL to use a real portal)",
                emulator.base_url()
            );
            (client, Some(emulator))
        }
    };

    // Every participant through the bulk reader: a first page at LIMIT 200 learns `total`, the
    // rest is planned against the rate limiter and fetched in parallel batches; items come back in
    // order, each once, even where the server's pages are short (access filtering) or overlap.
    let plan = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = std::sync::Arc::clone(&plan);
    let before = client.requests_sent();
    let users: Vec<_> = client
        .bulk_planned(
            DialogUsersListRequest::new(args.dialog),
            BulkOptions::default(),
            move |p: BulkPlan| {
                if let Ok(mut slot) = seen.lock() {
                    *slot = Some(p);
                }
            },
        )
        .try_collect()
        .await
        .map_err(|e| show("im.dialog.users.list", &e))?;
    let requests = client.requests_sent() - before;
    let unique: BTreeSet<u64> = users.iter().map(|u| u.id).collect();
    let plan = plan.lock().ok().and_then(|p| p.clone());
    say!(
        "   {}: {} participants visible ({} unique) in {requests} HTTP requests",
        args.dialog,
        users.len(),
        unique.len(),
    );
    if let Some(plan) = plan {
        say!(
            "   plan: total {} (counted before the access filter), {} more pages in {} batch requests, {} at a time",
            plan.total,
            plan.pages,
            plan.requests,
            plan.parallel
        );
    }

    let counters = client
        .call(&CountersGetRequest::new())
        .await
        .map_err(|e| show("im.counters.get", &e))?;
    say!(
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
        Some(page) => say!(
            "   latest {} messages of {}; authors: {}",
            page.messages.len(),
            args.dialog,
            page.users.len()
        ),
        None => say!(
            "   {} has no messages (a private dialog never started)",
            args.dialog
        ),
    }

    if let Some(emulator) = emulator {
        say!("\n3. A write (emulator only)");
        let sent = client
            .call(
                &MessageAddRequest::new()
                    .dialog_id(args.dialog)
                    .message("Hello from b24"),
            )
            .await
            .map_err(|e| show("im.message.add", &e))?;
        say!("   im.message.add -> message {}", sent.result);
        let denied = client
            .call(&DialogUsersListRequest::new(DialogId::Chat(5)))
            .await;
        if let Err(e) = denied {
            say!(
                "   a typed error: {} (code {:?}, HTTP {:?}, retryable {}, may have run {})",
                e,
                e.code(),
                e.status(),
                e.is_retryable(),
                e.was_possibly_executed()
            );
        }
        let stats = emulator.stats();
        say!(
            "   the server saw {} requests ({:?} by status), {:.0} ms of processing; no 503: {}",
            stats.requests,
            stats.by_status,
            stats.operating_ms.values().sum::<f64>(),
            !stats.by_status.contains_key("503")
        );
        emulator.shutdown().await;
    }
    say!("\ndone");
    Ok(())
}
