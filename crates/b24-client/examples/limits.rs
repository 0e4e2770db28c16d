//! Staying under the portal's limits: the shared leaky bucket, the Enterprise preset, a limiter
//! of your own, and the operating-time governor.
//!
//! `cargo run -p b24-client --example limits`
use std::sync::Arc;
use std::time::{Duration, Instant};

use b24_client::{BoxFuture, Bucket, Client, GovernorConfig, LeakyBucket, LimitError, RateLimiter};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

/// A limiter shared by several processes would ask a shared store here (Redis, a database).
#[derive(Debug)]
struct Logged(LeakyBucket);

impl RateLimiter for Logged {
    fn acquire(&self) -> BoxFuture<'_, Result<(), LimitError>> {
        Box::pin(async move {
            let started = Instant::now();
            self.0.acquire().await?;
            if started.elapsed() > Duration::from_millis(1) {
                println!("  waited {:?} for the bucket", started.elapsed());
            }
            Ok(())
        })
    }
    fn on_rejected(&self) {
        self.0.on_rejected();
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A small, fast bucket on both sides keeps the example short.
    let plan = Bucket::new(4.0, 20.0);
    let emulator = b24_emulator::Emulator::start(b24_emulator::Config {
        bucket: "4/20".parse()?,
        ..Default::default()
    })
    .await?;

    // Every clone (and every client of the same portal) shares one bucket.
    let client = Client::builder()
        .webhook(&emulator.webhook_url())?
        .bucket(plan)
        .build()?;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    c.call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
                        .await?;
                }
                Ok::<_, b24_client::Error<b24_im::DialogUsersListErrorCode>>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    println!(
        "20 calls, 503s at the server: {:?}",
        emulator.stats().by_status.get("503")
    );

    // Enterprise portals: Bucket::ENTERPRISE (250 burst, 5/s). Your own limiter:
    let custom = Client::builder()
        .webhook(&emulator.webhook_url())?
        .limiter(Arc::new(Logged(LeakyBucket::new(plan))))
        .governor(GovernorConfig::default().limit(Duration::from_secs(480)))
        .build()?;
    for _ in 0..6 {
        custom
            .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
            .await?;
    }
    println!(
        "operating time of im.dialog.users.list: {:?} s",
        custom.governor().operating("im.dialog.users.list").await?
    );
    Ok(())
}
