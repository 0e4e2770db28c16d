//! OAuth tokens that survive a restart: the pair lives in a JSON file that every refresh
//! replaces atomically (mode 0600 on Unix), so a process that starts again goes on where the
//! last one stopped instead of authorising again.
//!
//! `cargo run -p b24-client --example token_file` (a client is built, used, dropped and built
//! again from the file; `b24 call --oauth FILE` does the same across real processes).
use std::sync::Arc;

use b24_client::{AnyError, Client, FileTokenStore};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

/// One run of the program: the client comes from the file, and its refreshed pairs go back there.
async fn run(file: &std::path::Path) -> Result<usize, AnyError> {
    let app = Arc::new(FileTokenStore::new(file)).app()?;
    let client = Client::oauth(app)?;
    let page = client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(5))
        .await?;
    Ok(page.result.len())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = b24_emulator::Emulator::start(b24_emulator::Config::default()).await?;
    let issued = emulator.issue_tokens(); // what installing the app gives
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("tokens.json");
    // What the installation handler writes once; `expires_at_ms` is the access token's expiry.
    let expires_at =
        std::time::SystemTime::now() + std::time::Duration::from_secs(issued.expires_in);
    let expires_at_ms = expires_at
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let initial = serde_json::json!({
        "portal": emulator.base_url(),
        "client_id": emulator.client_id(),
        "client_secret": emulator.client_secret(),
        "token_endpoint": emulator.token_url(), // leave it out for Bitrix24's own server
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_at_ms": expires_at_ms,
    });
    std::fs::write(&file, initial.to_string())?;

    for run_number in 1..=3 {
        emulator.expire_access_tokens(); // an hour passes between runs
        let read = run(&file).await?;
        println!(
            "run {run_number}: read {read} members, the refreshed pair is in {}",
            file.display()
        );
    }
    Ok(())
}
