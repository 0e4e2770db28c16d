//! The OAuth pair, shared, with a refresh that is single-flight across processes.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use b24_client::{AuthError, BoxFuture, Exchange, OAuthTokens, TokenStore};
use redis::AsyncCommands as _;
use secrecy::ExposeSecret as _;

use crate::{Redis, failure};

/// Releases the lock only for its owner.
static RELEASE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0",
    )
});

/// Extends the lease only for its owner.
static RENEW: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0",
    )
});

/// Saves the new pair unless the stored one is no longer the pair that was refreshed (someone
/// stored a newer one meanwhile), and releases the lock if still held by its owner. 1: saved.
static SAVE_REFRESHED: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local stored = redis.call('HGET', KEYS[1], 'refresh')
local saved = 0
if not stored or stored == ARGV[2] then
  redis.call('HSET', KEYS[1], 'access', ARGV[3], 'refresh', ARGV[4], 'expires_ms', ARGV[5])
  saved = 1
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return saved",
    )
});

/// A stored pair younger than this is not refreshed again: it is the pair someone just got.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5);

/// How often a worker waiting for another's refresh looks at the store.
const POLL: Duration = Duration::from_millis(20);

/// The OAuth pair kept in Redis ([`Redis::token_store`]), for every worker of one application
/// on one portal.
///
/// The refresh is single-flight across processes ([`TokenStore::refresh`]):
///
/// 1. A worker that finds its token expired first looks at the stored pair: if it is no longer
///    the pair the worker holds and has not expired, another worker refreshed; it takes that.
/// 2. Otherwise it takes the lock (`SET NX PX`, a value only it knows, a lease renewed while
///    it works) and reads the stored pair again under it: the newest pair is the one to
///    refresh (or, if someone refreshed meanwhile, the one to use). It trades that pair's
///    refresh token, stores the new pair only if the stored one is still the one it traded
///    (compare-and-set), and releases the lock (only if still its own), in one script.
/// 3. The others wait for the stored pair to change or the lock to go; a worker that dies
///    holding the lock stops renewing it, and the lease runs out.
///
/// So a refresh token is traded at most once while the lock holds, and a holder that is slow
/// keeps its lock by renewing it. A holder killed after the server took the refresh token but
/// before its answer was stored loses that pair: the server has spent the token, and only
/// authorizing again helps (a window of one round trip to the token endpoint).
///
/// The pair is stored in clear text in a hash (`access`, `refresh`, `expires_ms`, the expiry as
/// Unix milliseconds): protect the Redis server as you would the tokens, and turn on
/// persistence (AOF) so a Redis restart does not lose the pair.
#[derive(Debug, Clone)]
pub struct RedisTokenStore {
    redis: Redis,
    key: String,
    lock: String,
    lease: Duration,
    wait: Duration,
}

impl RedisTokenStore {
    pub(crate) fn new(redis: Redis, key: &str) -> Self {
        Self {
            redis,
            key: key.to_owned(),
            lock: format!("{key}:refresh-lock"),
            lease: Duration::from_secs(15),
            wait: Duration::from_secs(60),
        }
    }

    /// How long the refresh lock lives without being renewed (default 15 s): the longest a
    /// worker that died holding it blocks the others. The holder renews it every third of
    /// the lease while it works.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    /// The longest a worker waits for another's refresh before failing (default 60 s).
    #[must_use]
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The Redis key of the pair.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    fn error(e: &redis::RedisError) -> AuthError {
        AuthError::Store(format!("redis token store: {}", failure(e)))
    }

    async fn read(&self) -> Result<Option<OAuthTokens>, AuthError> {
        let mut conn = self.redis.conn.clone();
        let (access, refresh, expires): (Option<String>, Option<String>, Option<u64>) =
            redis::cmd("HMGET")
                .arg(&self.key)
                .arg("access")
                .arg("refresh")
                .arg("expires_ms")
                .query_async(&mut conn)
                .await
                .map_err(|e| Self::error(&e))?;
        Ok(match (access, refresh, expires) {
            (Some(access), Some(refresh), Some(ms)) => Some(OAuthTokens::expiring_at(
                access,
                refresh,
                OAuthTokens::expiry_from_unix_ms(ms),
            )),
            _ => None,
        })
    }

    async fn try_lock(&self, owner: &str) -> Result<bool, AuthError> {
        let mut conn = self.redis.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(&self.lock)
            .arg(owner)
            .arg("NX")
            .arg("PX")
            .arg(millis(self.lease))
            .query_async(&mut conn)
            .await
            .map_err(|e| Self::error(&e))?;
        Ok(set.is_some())
    }

    async fn release(&self, owner: &str) {
        let mut conn = self.redis.conn.clone();
        let released: Result<i64, _> = RELEASE
            .key(&self.lock)
            .arg(owner)
            .invoke_async(&mut conn)
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %failure(&e), "token store: the refresh lock was not released; it expires with its lease");
        }
    }

    /// Renews the lease every third of it, for as long as it is polled; returns if it is lost.
    async fn keep_lease(&self, owner: &str) {
        let script = &*RENEW;
        loop {
            tokio::time::sleep(self.lease / 3).await;
            let mut conn = self.redis.conn.clone();
            let renewed: Result<i64, _> = script
                .key(&self.lock)
                .arg(owner)
                .arg(millis(self.lease))
                .invoke_async(&mut conn)
                .await;
            match renewed {
                Ok(1) => {}
                Ok(_) => {
                    tracing::warn!("token store: the refresh lock was lost while refreshing");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %failure(&e), "token store: the refresh lock could not be renewed")
                }
            }
        }
    }

    /// Under the lock: refresh the newest pair, unless it is already fresh.
    async fn refresh_locked(
        &self,
        owner: &str,
        stale: &OAuthTokens,
        exchange: &Exchange<'_>,
    ) -> Result<OAuthTokens, AuthError> {
        let stored = self.read().await?;
        if let Some(newer) = stored.as_ref().filter(|s| !s.same_pair(stale) && usable(s)) {
            tracing::debug!("token store: another worker refreshed; using its pair");
            return Ok(newer.clone());
        }
        // The newest pair holds the only refresh token that still works.
        let traded = stored.unwrap_or_else(|| stale.clone());
        let trade = exchange.run(&traded);
        tokio::pin!(trade);
        // The lease is renewed while the trade is on its way; if it is lost all the same, the
        // trade goes on: the refresh token is spent once the server has seen it.
        let fresh = tokio::select! {
            fresh = &mut trade => fresh?,
            () = self.keep_lease(owner) => trade.await?,
        };
        let mut conn = self.redis.conn.clone();
        let saved: i64 = SAVE_REFRESHED
            .key(&self.key)
            .key(&self.lock)
            .arg(owner)
            .arg(traded.refresh_token.expose_secret())
            .arg(fresh.access_token.expose_secret())
            .arg(fresh.refresh_token.expose_secret())
            .arg(fresh.expires_at_unix_ms())
            .invoke_async(&mut conn)
            .await
            .map_err(|e| Self::error(&e))?;
        if saved != 1 {
            tracing::warn!(
                "token store: a newer pair was stored while refreshing; keeping both in use"
            );
        }
        Ok(fresh)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Not about to expire.
fn usable(tokens: &OAuthTokens) -> bool {
    tokens.expires_at > SystemTime::now() + EXPIRY_MARGIN
}

/// A value no other lock holder has.
fn owner() -> String {
    format!(
        "{}-{:016x}{:016x}",
        std::process::id(),
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

impl TokenStore for RedisTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<OAuthTokens>, String>> {
        Box::pin(async move {
            self.read().await.map_err(|e| match e {
                AuthError::Store(message) => message,
                other => other.to_string(),
            })
        })
    }

    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let mut conn = self.redis.conn.clone();
            conn.hset_multiple::<_, _, _, ()>(
                &self.key,
                &[
                    ("access", tokens.access_token.expose_secret().to_owned()),
                    ("refresh", tokens.refresh_token.expose_secret().to_owned()),
                    ("expires_ms", tokens.expires_at_unix_ms().to_string()),
                ],
            )
            .await
            .map_err(|e| format!("redis token store: {}", failure(&e)))
        })
    }

    fn refresh<'a>(
        &'a self,
        stale: &'a OAuthTokens,
        exchange: &'a Exchange<'a>,
    ) -> BoxFuture<'a, Result<OAuthTokens, AuthError>> {
        Box::pin(async move {
            let owner = owner();
            let deadline = tokio::time::Instant::now() + self.wait;
            loop {
                if let Some(newer) = self
                    .read()
                    .await?
                    .filter(|s| !s.same_pair(stale) && usable(s))
                {
                    return Ok(newer);
                }
                if self.try_lock(&owner).await? {
                    let outcome = self.refresh_locked(&owner, stale, exchange).await;
                    // Released by the save script on success; on failure here.
                    if outcome.is_err() {
                        self.release(&owner).await;
                    }
                    return outcome;
                }
                if tokio::time::Instant::now() >= deadline {
                    return Err(AuthError::Store(format!(
                        "redis token store: another worker held the refresh lock for over {} s",
                        self.wait.as_secs()
                    )));
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }
}
