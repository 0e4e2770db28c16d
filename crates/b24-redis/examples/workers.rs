//! Several workers, one portal: each worker takes the portal's request bucket, the OAuth token
//! pair and the operating-time budget from the same Redis. Here three workers (three clients,
//! as three processes would have) meet an expired token at once: one refresh between them.
//!
//! `cargo run -p b24-redis --example workers` (needs `redis-server` installed; it starts one)
use std::sync::Arc;
use std::time::Duration;

use b24_client::{Bucket, Client, OAuthApp, OAuthTokens};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;
use b24_redis::Redis;

/// One worker's client: everything that is per portal comes from Redis.
async fn worker(
    redis: &Redis,
    portal: &str,
    client_id: &str,
    app: OAuthApp,
) -> Result<Client, Box<dyn std::error::Error>> {
    let client = Client::builder()
        // 1. The portal's request bucket (50 burst, 2 per second), one for all workers.
        .limiter(Arc::new(redis.limiter(portal, Bucket::STANDARD)))
        // 2. The OAuth pair, refreshed once for all workers (a lock with a lease).
        .oauth(app.store(Arc::new(
            redis.token_store(&format!("{portal}:{client_id}")),
        )))
        // 3. The operating-time budget per method of this credential.
        .governor_store(Arc::new(redis.budget(portal, &format!("app:{client_id}"))))
        .build()?;
    Ok(client)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A throwaway redis-server and a local portal stand in for yours.
    let Some(server) = b24_redis::testing::RedisServer::start()? else {
        return Ok(());
    };
    let emulator = b24_emulator::Emulator::start(b24_emulator::Config::default()).await?;
    let issued = emulator.issue_tokens();
    let portal = emulator.base_url();

    // In a real deployment: Redis::connect(&std::env::var("B24_REDIS_URL")?).
    let redis = Redis::connect(&server.url()).await?;
    let mut workers = Vec::new();
    for _ in 0..3 {
        let app = OAuthApp::new(
            &portal,
            emulator.client_id(),
            emulator.client_secret(),
            OAuthTokens::new(
                issued.access_token.clone(),
                issued.refresh_token.clone(),
                Duration::from_secs(3600),
            ),
        )?
        .token_endpoint(&emulator.token_url())?;
        workers.push(worker(&redis, &portal, emulator.client_id(), app).await?);
    }

    emulator.expire_access_tokens(); // an hour passes
    let calls: Vec<_> = workers
        .iter()
        .flat_map(|client| (0..10).map(move |_| client.clone()))
        .map(|client| {
            tokio::spawn(async move {
                client
                    .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await??;
    }
    let refreshes: u64 = workers.iter().map(Client::refreshes).sum();
    let at_server = emulator.stats().by_method.get("oauth.token").copied();
    println!(
        "30 calls in 3 workers after expiry: {refreshes} refresh (the server saw {at_server:?})"
    );
    assert_eq!(refreshes, 1);
    Ok(())
}
