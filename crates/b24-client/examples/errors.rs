//! Typed errors: what failed, whether repeating can help, and whether the call may have run.
//!
//! `cargo run -p b24-client --example errors`
use b24_client::{Client, Error, RetryPolicy};
use b24_core::{DialogId, SystemErrorCode};
use b24_im::{DialogUsersListErrorCode, DialogUsersListRequest, MessageAddRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // An emulator that fails half of all calls after running them.
    let emulator = b24_emulator::Emulator::start(b24_emulator::Config {
        faults: "500=0.5".parse()?,
        ..b24_emulator::Config::default()
    })
    .await?;
    let client = Client::builder()
        .webhook(&emulator.webhook_url())?
        .retry(RetryPolicy::default().max_attempts(6))
        .build()?;

    // A read is repeated after a 500: it cannot change anything.
    let page = client
        .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
        .await?;
    println!("read after retries: {} user(s)", page.result.len());

    // A write is not: the server may have stored the message before failing.
    match client
        .call(
            &MessageAddRequest::new()
                .dialog_id(DialogId::Chat(1))
                .message("once"),
        )
        .await
    {
        Ok(sent) => println!("sent message {}", sent.result),
        Err(e) if e.was_possibly_executed() => {
            println!("may have been sent; check before repeating: {e}")
        }
        Err(e) => return Err(e.into()),
    }

    // The method's own codes are typed; so are system errors; new codes are kept as Unknown.
    match client
        .call(&DialogUsersListRequest::new(DialogId::Chat(5)))
        .await
    {
        Err(Error::Api(e)) if e.code == DialogUsersListErrorCode::AccessError => {
            println!("no access to chat5 (HTTP {:?})", e.status)
        }
        Err(Error::Api(e))
            if e.code == DialogUsersListErrorCode::System(SystemErrorCode::InternalServerError) =>
        {
            println!("the server failed")
        }
        Err(e) => println!("other error: {e} (retryable: {})", e.is_retryable()),
        Ok(_) => println!("unexpected access"),
    }
    Ok(())
}
