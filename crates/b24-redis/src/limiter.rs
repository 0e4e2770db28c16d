//! The portal's request bucket, shared by every worker through one atomic script.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use b24_client::{BoxFuture, Bucket, LeakyBucket, LimitError, RateLimiter};
use tokio::time::Instant;

use crate::{Redis, failure};

/// Requests an untold bucket starts with (as the client's own [`LeakyBucket::untold`]).
const FIRST_WINDOW: f64 = 4.0;

/// What the script last said, for the questions the client asks without waiting
/// ([`RateLimiter::headroom`] and the like).
#[derive(Debug, Clone, Copy)]
struct Seen {
    level: f64,
    capacity: f64,
    rate: f64,
    at: Instant,
}

/// The result of one script call.
#[derive(Debug, Clone, Copy)]
struct Answer {
    wait: f64,
    seen: Seen,
    claimed: f64,
}

/// The portal's leaky bucket kept in Redis ([`Redis::limiter`]): every worker's request takes
/// its slot through one Lua script, atomic on the server and timed by the server's clock, so N
/// workers together never exceed the bucket.
///
/// The adaptive estimate is shared as well: a `QUERY_LIMIT_EXCEEDED` seen by one worker halves
/// the believed burst and rate for all (sent at once, in the background), and the requests the
/// portal admitted win it back (counted locally, carried by the worker's next request: no extra
/// round trip).
///
/// Like the client's own bucket it keeps one slot of headroom below the plan's burst.
#[derive(Debug)]
pub struct RedisLimiter {
    redis: Redis,
    key: Arc<str>,
    script: Arc<redis::Script>,
    plan: Bucket,
    ceiling: f64,
    first: f64,
    probing: bool,
    admitted: Arc<AtomicU64>,
    seen: Mutex<Option<Seen>>,
    local: Option<LeakyBucket>,
}

impl RedisLimiter {
    pub(crate) fn new(redis: Redis, key: &str, plan: Bucket, untold: bool) -> Self {
        let ceiling = (plan.burst - 1.0).max(1.0);
        let local = redis.local_bucket().map(LeakyBucket::new);
        Self {
            redis,
            key: Arc::from(key),
            script: Arc::new(redis::Script::new(include_str!("limiter.lua"))),
            plan,
            ceiling,
            first: if untold {
                FIRST_WINDOW.min(ceiling)
            } else {
                ceiling
            },
            probing: untold,
            admitted: Arc::new(AtomicU64::new(0)),
            seen: Mutex::new(None),
            local,
        }
    }

    /// The Redis key of the bucket.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The plan (the most the bucket ever allows).
    #[must_use]
    pub fn plan(&self) -> Bucket {
        self.plan
    }

    /// The shared estimate of the portal's bucket (burst without the headroom slot, rate), as
    /// Redis holds it now.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn estimate(&self) -> Result<Bucket, LimitError> {
        let answer = self.run("peek", 0, 0.0, 0.0).await?;
        Ok(Bucket::new(answer.seen.capacity, answer.seen.rate))
    }

    async fn run(
        &self,
        what: &str,
        admitted: u64,
        up_to: f64,
        keep_free: f64,
    ) -> Result<Answer, LimitError> {
        run(
            &self.redis,
            &self.script,
            &self.key,
            &[
                what.to_owned(),
                self.ceiling.to_string(),
                self.plan.per_second.to_string(),
                self.first.to_string(),
                u8::from(self.probing).to_string(),
                admitted.to_string(),
                up_to.to_string(),
                keep_free.to_string(),
            ],
        )
        .await
        .inspect(|answer| {
            *self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(answer.seen);
        })
    }

    fn seen(&self) -> Option<Seen> {
        *self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Redis failed: the local bucket if one was configured, else the error.
    fn fall_back(&self, error: LimitError) -> Result<&LeakyBucket, LimitError> {
        match &self.local {
            Some(local) => {
                tracing::warn!(%error, "rate limiter: redis unreachable; using the local fallback bucket");
                Ok(local)
            }
            None => Err(error),
        }
    }
}

async fn run(
    redis: &Redis,
    script: &redis::Script,
    key: &str,
    args: &[String],
) -> Result<Answer, LimitError> {
    let mut conn = redis.conn.clone();
    let mut invocation = script.key(key);
    for arg in args {
        invocation.arg(arg);
    }
    let values: Vec<String> = invocation
        .invoke_async(&mut conn)
        .await
        .map_err(|e| LimitError::new("redis rate limiter", failure(&e)))?;
    let number = |i: usize| {
        values
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                LimitError::new("redis rate limiter", "the bucket script answered garbage")
            })
    };
    Ok(Answer {
        wait: number(0)?.max(0.0),
        seen: Seen {
            level: number(1)?,
            capacity: number(2)?,
            rate: number(3)?,
            at: Instant::now(),
        },
        claimed: number(4)?,
    })
}

impl RateLimiter for RedisLimiter {
    fn acquire(&self) -> BoxFuture<'_, Result<(), LimitError>> {
        Box::pin(async move {
            let admitted = self.admitted.swap(0, Ordering::SeqCst);
            match self.run("acquire", admitted, 0.0, 0.0).await {
                Ok(answer) => {
                    if answer.wait > 0.0 {
                        tracing::debug!(
                            wait_ms = (answer.wait * 1000.0) as u64,
                            "rate limiter: waiting for the shared bucket"
                        );
                        tokio::time::sleep(Duration::from_secs_f64(answer.wait)).await;
                    }
                    Ok(())
                }
                Err(error) => {
                    self.admitted.fetch_add(admitted, Ordering::SeqCst);
                    self.fall_back(error)?.acquire().await
                }
            }
        })
    }

    fn claim(&self, up_to: f64, keep_free: f64) -> BoxFuture<'_, Result<Option<f64>, LimitError>> {
        Box::pin(async move {
            let admitted = self.admitted.swap(0, Ordering::SeqCst);
            match self.run("claim", admitted, up_to, keep_free).await {
                Ok(answer) => Ok(Some(answer.claimed)),
                Err(error) => {
                    self.admitted.fetch_add(admitted, Ordering::SeqCst);
                    self.fall_back(error)?.claim(up_to, keep_free).await
                }
            }
        })
    }

    fn on_rejected(&self) {
        if let Some(local) = &self.local {
            local.on_rejected();
        }
        // Every worker must slow down now, not at this worker's next request.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (redis, script, key) = (
            self.redis.clone(),
            Arc::clone(&self.script),
            Arc::clone(&self.key),
        );
        let admitted = Arc::clone(&self.admitted);
        let args = [
            "reject".to_owned(),
            self.ceiling.to_string(),
            self.plan.per_second.to_string(),
            self.first.to_string(),
            u8::from(self.probing).to_string(),
            admitted.swap(0, Ordering::SeqCst).to_string(),
            "0".to_owned(),
            "0".to_owned(),
        ];
        runtime.spawn(async move {
            if let Err(error) = run(&redis, &script, &key, &args).await {
                tracing::warn!(%error, "rate limiter: the rejection was not shared");
            }
        });
    }

    fn on_admitted(&self) {
        if let Some(local) = &self.local {
            local.on_admitted();
        }
        // Nothing to win back at the plan: spare the script the counting.
        let at_plan = !self.probing
            && self
                .seen()
                .is_some_and(|s| s.capacity >= self.ceiling && s.rate >= self.plan.per_second);
        if !at_plan {
            self.admitted.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn pending_wait(&self) -> Option<Duration> {
        let s = self.seen()?;
        let level = (s.level - s.at.elapsed().as_secs_f64() * s.rate).max(0.0);
        let over = level + 1.0 - s.capacity;
        Some(Duration::from_secs_f64((over / s.rate).max(0.0)))
    }

    fn headroom(&self) -> Option<f64> {
        self.seen().map(|s| {
            let level = (s.level - s.at.elapsed().as_secs_f64() * s.rate).max(0.0);
            (s.capacity - level).max(0.0)
        })
    }

    fn capacity(&self) -> Option<f64> {
        Some(self.seen().map_or(self.first, |s| s.capacity))
    }

    fn drain_rate(&self) -> Option<f64> {
        Some(self.seen().map_or(self.plan.per_second, |s| s.rate))
    }
}
