//! Typed calls through a webhook, and the untyped escape hatch.
//!
//! `cargo run -p b24-client --example webhook` (a local emulator; set `B24_WEBHOOK_URL` for a
//! real portal).
use b24_client::Client;
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A real portal from B24_WEBHOOK_URL, or a local emulator.
    let emulator = match std::env::var("B24_WEBHOOK_URL") {
        Ok(_) => None,
        Err(_) => Some(b24_emulator::Emulator::start(b24_emulator::Config::default()).await?),
    };
    let client = match &emulator {
        Some(emu) => Client::from_webhook(&emu.webhook_url())?,
        None => Client::from_env()?,
    };

    // Typed: the request knows its method, the answer decodes into generated types.
    let page = client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(5))
        .await?;
    for user in &page.result {
        // Only `id` is always there: older servers omit other fields, so they are Options.
        let name = user.name.as_deref().unwrap_or("?");
        let status = user.status.as_ref().map_or("?", |s| s.as_str());
        println!("{:>5} {name} ({status})", user.id);
    }
    println!(
        "total {:?}, next {:?}, operating {:?}",
        page.total,
        page.next,
        page.time.and_then(|t| t.operating)
    );

    // Untyped: any method, JSON in and out.
    let raw = client
        .call_raw_read_only(
            "im.dialog.users.list",
            &serde_json::json!({"DIALOG_ID": "chat1", "LIMIT": 1}),
        )
        .await?;
    println!("raw: {}", raw.result);
    Ok(())
}
