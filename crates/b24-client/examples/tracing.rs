//! What the client logs: a span per call and per attempt with the method, attempt, status, error
//! code, waits and duration — never a secret, never a response body at info level.
//!
//! `cargo run -p b24-client --example tracing`
use b24_client::{Client, RetryPolicy};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter("b24_client=debug")
        .with_ansi(false)
        .init();
    let emulator = b24_emulator::Emulator::start(b24_emulator::Config {
        faults: "503=0.5".parse()?,
        ..b24_emulator::Config::default()
    })
    .await?;
    let client = Client::builder()
        .webhook(&emulator.webhook_url())?
        .retry(RetryPolicy::default().max_attempts(8))
        .build()?;
    client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
        .await?;
    Ok(())
}
