//! Several b24 workers, one portal: what they must share, kept in Redis (or any server that
//! speaks its protocol, such as Valkey).
//!
//! A Bitrix24 portal limits requests per portal (a leaky bucket), server time per method and
//! credential (the operating-time budget), and its OAuth refresh token works exactly once.
//! Replicas of a service that each keep these to themselves overrun the bucket together, run
//! into `OPERATION_TIME_LIMIT`, and race to refresh the token (the loser gets `invalid_grant`
//! and loses the session). With this crate they share:
//!
//! - [`RedisLimiter`]: the portal's bucket, one atomic script per request (a leaky bucket run by
//!   the Redis server's clock), with the client's adaptive estimate shared too: one worker's
//!   `QUERY_LIMIT_EXCEEDED` slows all of them down.
//! - [`RedisTokenStore`]: the OAuth pair, with a refresh that is single-flight across
//!   processes: one worker refreshes under a lock with a lease, the others wait for the new
//!   pair; a worker that dies holding the lock blocks the rest no longer than the lease.
//! - [`RedisBudget`]: the operating-time budget per method and credential.
//!
//! **When Redis cannot be reached** the limits fail closed: a call that cannot consult them is
//! not sent and fails with [`b24_client::Error::Limits`] (no panic, never a silent unlimited
//! mode). [`Fallback::Local`] opts into a bucket and budget in the process instead (give it the
//! worker's share of the plan). The token store has no fallback: a refresh needs the lock, so
//! it fails with [`b24_client::AuthError::Store`] and the calls go on with the pair in memory
//! until it expires.
//!
//! # Example (`workers`)
//!
//! Runs against a local emulator and a `redis-server` it starts (`cargo run -p b24-redis
//! --example workers`; skipped when `redis-server` is not installed).
//!
//! ```rust
#![doc = include_str!("../examples/workers.rs")]
//! ```
#![deny(missing_docs)]

mod budget;
mod limiter;
pub mod testing;
mod tokens;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use b24_client::Bucket;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub use budget::RedisBudget;
pub use limiter::RedisLimiter;
pub use tokens::RedisTokenStore;

/// What the limiter and the budget do when Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Fallback {
    /// Send nothing: the call fails with [`b24_client::Error::Limits`]. The default, because
    /// workers that each fall back on a full bucket overrun the portal together.
    #[default]
    FailClosed,
    /// Go on with a bucket of this plan (and a budget) kept in this process until Redis
    /// answers again. With N workers, give each `plan / N` to stay under the portal's bucket.
    Local(Bucket),
}

/// Redis could not be reached or the URL is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redis at {url}: {message}")]
#[non_exhaustive]
pub struct ConnectError {
    /// The URL with its password replaced by `***`.
    pub url: String,
    /// What went wrong.
    pub message: String,
}

/// A connection to Redis (reconnecting by itself), the key prefix and the fallback: makes the
/// limiter, the token store and the budget. Cheap to clone.
#[derive(Clone)]
pub struct Redis {
    pub(crate) conn: ConnectionManager,
    pub(crate) prefix: Arc<str>,
    pub(crate) fallback: Fallback,
    shown: Arc<str>,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("url", &self.shown)
            .field("prefix", &self.prefix)
            .field("fallback", &self.fallback)
            .finish_non_exhaustive()
    }
}

/// How long one command may take before the limits count Redis as unreachable.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

impl Redis {
    /// Connects to `url` (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS),
    /// with the key prefix `b24` and [`Fallback::FailClosed`].
    ///
    /// # Errors
    /// When the URL does not parse or the server cannot be reached now. The error shows the
    /// URL without its password.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        let shown = redact_url(url);
        let error = |e: &redis::RedisError| ConnectError {
            url: shown.clone(),
            message: scrub(&e.to_string(), url),
        };
        let client = redis::Client::open(url).map_err(|e| error(&e))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| error(&e))?;
        Ok(Self {
            conn,
            prefix: Arc::from("b24"),
            fallback: Fallback::FailClosed,
            shown: Arc::from(shown),
        })
    }

    /// Keys start with `prefix:` (default `b24`): separate deployments sharing one Redis.
    #[must_use]
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Arc::from(prefix);
        self
    }

    /// What the limiter and the budget do when Redis cannot be reached.
    #[must_use]
    pub fn fallback(mut self, fallback: Fallback) -> Self {
        self.fallback = fallback;
        self
    }

    /// The URL, its password replaced by `***`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// The request bucket of `portal` (its address; only the host counts) on this plan, shared
    /// by every limiter of the same portal and prefix.
    #[must_use]
    pub fn limiter(&self, portal: &str, plan: Bucket) -> RedisLimiter {
        RedisLimiter::new(
            self.clone(),
            &self.key(&portal_key(portal), "bucket"),
            plan,
            false,
        )
    }

    /// As [`Self::limiter`] for a portal whose plan is not known: at most `plan`, starting
    /// with a few requests and growing while the portal admits them.
    #[must_use]
    pub fn limiter_untold(&self, portal: &str, plan: Bucket) -> RedisLimiter {
        RedisLimiter::new(
            self.clone(),
            &self.key(&portal_key(portal), "bucket"),
            plan,
            true,
        )
    }

    /// The token pair called `name` (one per portal, application and user, e.g.
    /// `"example.bitrix24.com:app.123"`).
    #[must_use]
    pub fn token_store(&self, name: &str) -> RedisTokenStore {
        RedisTokenStore::new(self.clone(), &self.key(name, "tokens"))
    }

    /// The operating-time budget of `credential` (the webhook or the application: e.g.
    /// `"webhook:1"`, `"app:app.123"`) on `portal`.
    #[must_use]
    pub fn budget(&self, portal: &str, credential: &str) -> RedisBudget {
        let scope = format!("{}:{credential}", portal_key(portal));
        RedisBudget::new(self.clone(), &self.key(&scope, "operating"))
    }

    /// `prefix:{scope}:kind`: the braces keep a scope's keys in one cluster slot.
    fn key(&self, scope: &str, kind: &str) -> String {
        format!("{}:{{{scope}}}:{kind}", self.prefix)
    }

    /// The local bucket for [`Fallback::Local`].
    pub(crate) fn local_bucket(&self) -> Option<Bucket> {
        match self.fallback {
            Fallback::Local(bucket) => Some(bucket),
            Fallback::FailClosed => None,
        }
    }
}

/// A portal's host (and port), lowercased: `https://Example.bitrix24.com/` and
/// `example.bitrix24.com` are one portal.
fn portal_key(portal: &str) -> String {
    let parsed = url::Url::parse(portal)
        .ok()
        .or_else(|| url::Url::parse(&format!("https://{portal}")).ok());
    match parsed
        .as_ref()
        .and_then(|u| u.host_str().map(|h| (h, u.port())))
    {
        Some((host, Some(port))) => format!("{}:{port}", host.to_ascii_lowercase()),
        Some((host, None)) => host.to_ascii_lowercase(),
        None => portal.to_ascii_lowercase(),
    }
}

/// `url` with its password replaced by `***`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            } else if !parsed.username().is_empty() && parsed.scheme().starts_with("redis") {
                // `redis://secret@host` is a password without a user name.
                let _ = parsed.set_username("***");
            }
            parsed.to_string()
        }
        Err(_) => "(a redis URL that does not parse)".to_owned(),
    }
}

/// `text` without the URL's password, in case a message repeats it.
pub(crate) fn scrub(text: &str, url: &str) -> String {
    let secret = url::Url::parse(url).ok().and_then(|u| {
        u.password()
            .map(str::to_owned)
            .or_else(|| (!u.username().is_empty()).then(|| u.username().to_owned()))
    });
    match secret {
        Some(secret) if secret.len() >= 3 => text.replace(&secret, "***"),
        _ => text.to_owned(),
    }
}

/// A Redis failure as the text of a [`b24_client::LimitError`] or store error.
pub(crate) fn failure(e: &redis::RedisError) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connection_dropped() || e.is_connection_refusal() || e.is_io_error() {
        "connection lost"
    } else {
        "command failed"
    };
    format!("{kind}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact_url("redis://user:hunter2@cache:6380/1"),
            "redis://user:***@cache:6380/1"
        );
        assert_eq!(redact_url("rediss://hunter2@cache/"), "rediss://***@cache/");
        assert_eq!(redact_url("redis://cache/"), "redis://cache/");
        assert!(!redact_url("redis://:hunter2@[::1").contains("hunter2"));
        assert_eq!(
            scrub("auth hunter2 failed", "redis://u:hunter2@h/"),
            "auth *** failed"
        );
    }

    #[test]
    fn one_key_per_portal_host() {
        assert_eq!(
            portal_key("https://Example.bitrix24.com/"),
            "example.bitrix24.com"
        );
        assert_eq!(portal_key("example.bitrix24.com"), "example.bitrix24.com");
        assert_eq!(portal_key("http://127.0.0.1:8080"), "127.0.0.1:8080");
    }
}
