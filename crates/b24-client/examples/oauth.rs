//! An OAuth application: tokens as secrets, a store that persists each refreshed pair, and one
//! refresh however many calls find the token expired.
//!
//! `cargo run -p b24-client --example oauth`
use std::sync::{Arc, Mutex};
use std::time::Duration;

use b24_client::{BoxFuture, Client, OAuthApp, OAuthTokens, TokenStore};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

/// Persists the latest pair (here: in memory, as a stand-in for a file or a database). Several
/// processes sharing one pair need a shared store with a single-flight refresh: `b24-redis`.
#[derive(Debug, Default)]
struct Saved(Mutex<Option<OAuthTokens>>);

impl TokenStore for Saved {
    fn load(&self) -> BoxFuture<'_, Result<Option<OAuthTokens>, String>> {
        let loaded = self
            .0
            .lock()
            .map(|slot| slot.clone())
            .map_err(|e| e.to_string());
        Box::pin(async move { loaded })
    }

    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), String>> {
        // The refresh token is single-use: the old one stops working once this one is issued.
        let saved = match self.0.lock() {
            Ok(mut slot) => {
                *slot = Some(tokens.clone());
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        };
        Box::pin(async move { saved })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = b24_emulator::Emulator::start(b24_emulator::Config::default()).await?;
    let issued = emulator.issue_tokens(); // what installing the app gives
    let store = Arc::new(Saved::default());
    let app = OAuthApp::new(
        &emulator.base_url(),
        emulator.client_id(),
        emulator.client_secret(),
        OAuthTokens::new(
            issued.access_token,
            issued.refresh_token,
            Duration::from_secs(3600),
        ),
    )?
    .token_endpoint(&emulator.token_url())? // default: https://oauth.bitrix.info/oauth/token/
    .store(store.clone());
    let client = Client::oauth(app)?;
    println!("{client:?}"); // tokens and secret show as [REDACTED]

    emulator.expire_access_tokens(); // as if an hour passed
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                c.call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await??;
    }
    println!(
        "20 calls after expiry: {} refresh, new pair stored: {}",
        client.refreshes(),
        store.0.lock().map(|s| s.is_some()).unwrap_or(false)
    );
    Ok(())
}
