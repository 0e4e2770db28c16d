//! The operating-time budget per method and credential, shared.

use std::sync::LazyLock;

use b24_client::{BoxFuture, BudgetStore, LimitError, MemoryBudget, MethodBudget};

use crate::{Redis, failure};

/// Records a response's report unless a newer one is there (the rule of
/// [`MethodBudget::accepts`]), and lifts a hold. KEYS[1]: the method's hash; ARGV: operating,
/// reset_at ("" if none), the key's lifetime in ms.
static OBSERVE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local h = redis.call('HMGET', KEYS[1], 'operating', 'reset_at')
local old_op, old_reset = tonumber(h[1]), tonumber(h[2])
local op, reset = tonumber(ARGV[1]), tonumber(ARGV[2])
local accept = true
if old_reset and old_reset > now and reset then
  if reset < old_reset then accept = false
  elseif reset == old_reset and old_op and op < old_op then accept = false end
end
if accept then
  redis.call('HSET', KEYS[1], 'operating', ARGV[1])
  if reset then redis.call('HSET', KEYS[1], 'reset_at', ARGV[2]) end
  redis.call('HDEL', KEYS[1], 'blocked_until')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return accept and 1 or 0",
    )
});

/// Holds a method until ARGV[1] (the later of this and a stored hold) and counts it used at
/// least ARGV[2] seconds. KEYS[1]: the method's hash; ARGV[3]: the key's lifetime in ms.
static BLOCK: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local h = redis.call('HMGET', KEYS[1], 'operating', 'blocked_until')
local until_ = math.max(tonumber(ARGV[1]), tonumber(h[2]) or 0)
local op = math.max(tonumber(ARGV[2]), tonumber(h[1]) or 0)
redis.call('HSET', KEYS[1], 'blocked_until', tostring(until_), 'operating', tostring(op))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1",
    )
});

/// A method's state outlives the portal's 10-minute window by this much, then goes.
const KEEP_MS: u64 = 11 * 60 * 1000;

/// The operating-time budget of one credential on one portal, kept in Redis
/// ([`Redis::budget`]): what any worker learns from an answer's `time.operating` (or a 429)
/// holds or slows the method for all of them, as the portal counts it per method and
/// credential. One hash per method, gone 11 minutes after its last report.
#[derive(Debug)]
pub struct RedisBudget {
    redis: Redis,
    prefix: String,
    local: Option<MemoryBudget>,
}

impl RedisBudget {
    pub(crate) fn new(redis: Redis, prefix: &str) -> Self {
        let local = redis.local_bucket().map(|_| MemoryBudget::default());
        Self {
            redis,
            prefix: prefix.to_owned(),
            local,
        }
    }

    fn key(&self, method: &str) -> String {
        format!("{}:{method}", self.prefix)
    }

    fn fall_back(&self, e: &redis::RedisError) -> Result<&MemoryBudget, LimitError> {
        let error = LimitError::new("redis operating-time budget", failure(e));
        match &self.local {
            Some(local) => {
                tracing::warn!(%error, "operating-time governor: redis unreachable; using the local budget");
                Ok(local)
            }
            None => Err(error),
        }
    }
}

impl BudgetStore for RedisBudget {
    fn get<'a>(
        &'a self,
        method: &'a str,
    ) -> BoxFuture<'a, Result<Option<MethodBudget>, LimitError>> {
        Box::pin(async move {
            let mut conn = self.redis.conn.clone();
            let read: Result<(Option<f64>, Option<f64>, Option<f64>), _> = redis::cmd("HMGET")
                .arg(self.key(method))
                .arg("operating")
                .arg("reset_at")
                .arg("blocked_until")
                .query_async(&mut conn)
                .await;
            match read {
                Ok((None, None, None)) => Ok(None),
                Ok((operating, reset_at, blocked_until)) => Ok(Some(MethodBudget::new(
                    operating.unwrap_or(0.0),
                    reset_at,
                    blocked_until,
                ))),
                Err(e) => self.fall_back(&e)?.get(method).await,
            }
        })
    }

    fn observe<'a>(
        &'a self,
        method: &'a str,
        operating: f64,
        reset_at: Option<f64>,
    ) -> BoxFuture<'a, Result<(), LimitError>> {
        Box::pin(async move {
            let mut conn = self.redis.conn.clone();
            let done: Result<i64, _> = OBSERVE
                .key(self.key(method))
                .arg(operating.to_string())
                .arg(reset_at.map(|r| r.to_string()).unwrap_or_default())
                .arg(KEEP_MS)
                .invoke_async(&mut conn)
                .await;
            match done {
                Ok(_) => Ok(()),
                Err(e) => {
                    self.fall_back(&e)?
                        .observe(method, operating, reset_at)
                        .await
                }
            }
        })
    }

    fn block<'a>(
        &'a self,
        method: &'a str,
        until: f64,
        floor: f64,
    ) -> BoxFuture<'a, Result<(), LimitError>> {
        Box::pin(async move {
            let mut conn = self.redis.conn.clone();
            let done: Result<i64, _> = BLOCK
                .key(self.key(method))
                .arg(until.to_string())
                .arg(floor.to_string())
                .arg(KEEP_MS)
                .invoke_async(&mut conn)
                .await;
            match done {
                Ok(_) => Ok(()),
                Err(e) => self.fall_back(&e)?.block(method, until, floor).await,
            }
        })
    }
}
