//! Client-side rate limiting that mirrors the portal's leaky bucket, so a well-behaved program
//! never meets `QUERY_LIMIT_EXCEEDED`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::time::Instant;

/// A boxed future, for object-safe async trait methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decides when the next request to a portal may go.
///
/// The default is [`LeakyBucket`], shared by every client of the same portal in the process.
/// Implement this trait to coordinate several processes (a shared store such as Redis).
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until one more request may be sent, and takes that slot. A `batch` call takes one.
    fn acquire(&self) -> BoxFuture<'_, ()>;

    /// The server refused a request with `QUERY_LIMIT_EXCEEDED`: its bucket is full, whatever
    /// this limiter believed.
    fn on_rejected(&self) {}

    /// How long a request would wait now (for progress reports); `None` if unknown.
    fn pending_wait(&self) -> Option<Duration> {
        None
    }

    /// How many requests could go right now without waiting; `None` if unlimited or unknown.
    /// Bulk reads use it to choose between a few large batches and many parallel ones.
    fn headroom(&self) -> Option<f64> {
        None
    }

    /// How many requests the bucket holds in all; `None` if unlimited or unknown.
    fn capacity(&self) -> Option<f64> {
        None
    }

    /// Requests per second the bucket drains; `None` if unlimited or unknown.
    fn drain_rate(&self) -> Option<f64> {
        None
    }
}

/// A portal plan's bucket: `burst` requests, draining `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Capacity.
    pub burst: f64,
    /// Requests drained per second.
    pub per_second: f64,
}

impl Bucket {
    /// Most plans: 50 burst, 2 per second.
    pub const STANDARD: Self = Self {
        burst: 50.0,
        per_second: 2.0,
    };
    /// Enterprise plans: 250 burst, 5 per second.
    pub const ENTERPRISE: Self = Self {
        burst: 250.0,
        per_second: 5.0,
    };
}

impl std::str::FromStr for Bucket {
    type Err = String;
    /// `BURST/RATE`, e.g. `50/2`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (burst, rate) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected BURST/RATE such as 50/2"))?;
        let burst: f64 = burst
            .trim()
            .parse()
            .map_err(|_| format!("`{burst}` is not a number"))?;
        let per_second: f64 = rate
            .trim()
            .parse()
            .map_err(|_| format!("`{rate}` is not a number"))?;
        if !(burst >= 1.0 && per_second > 0.0 && burst.is_finite() && per_second.is_finite()) {
            return Err(format!(
                "`{s}`: the burst must be at least 1 and the rate above 0"
            ));
        }
        Ok(Self { burst, per_second })
    }
}

#[derive(Debug)]
struct Level {
    level: f64,
    at: Instant,
}

/// A leaky bucket: each request adds one, the level drains at the portal's rate, and a request
/// that would overflow waits. Waiters are served in the order they arrived: each reserves its
/// slot at once and sleeps until it is due.
///
/// The client keeps one slot of headroom below the portal's burst: the server drains from when
/// requests *arrive*, the client from when they are *sent*, and a request that travels faster
/// than the one before it would otherwise find the server's bucket still full (one slot covers
/// 500 ms of latency jitter at 2 requests per second).
#[derive(Debug)]
pub struct LeakyBucket {
    bucket: Bucket,
    capacity: f64,
    state: Mutex<Level>,
}

impl LeakyBucket {
    /// An empty bucket.
    #[must_use]
    pub fn new(bucket: Bucket) -> Self {
        Self::with_headroom(bucket, 1.0)
    }

    /// An empty bucket that keeps `headroom` slots free below the portal's burst.
    #[must_use]
    pub fn with_headroom(bucket: Bucket, headroom: f64) -> Self {
        let capacity = (bucket.burst - headroom.max(0.0)).max(1.0);
        Self {
            bucket,
            capacity,
            state: Mutex::new(Level {
                level: 0.0,
                at: Instant::now(),
            }),
        }
    }

    /// The bucket shared by every client of `portal` in this process (created on first use).
    #[must_use]
    pub fn shared(portal: &str, bucket: Bucket) -> Arc<Self> {
        static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<LeakyBucket>>>> = OnceLock::new();
        let registry = REGISTRY.get_or_init(|| Mutex::new(HashMap::new()));
        let mut map = registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, weak| weak.strong_count() > 0);
        let key = format!("{portal}|{}/{}", bucket.burst, bucket.per_second);
        if let Some(existing) = map.get(&key).and_then(Weak::upgrade) {
            return existing;
        }
        let fresh = Arc::new(Self::new(bucket));
        map.insert(key, Arc::downgrade(&fresh));
        fresh
    }

    /// The bucket's plan.
    #[must_use]
    pub fn bucket(&self) -> Bucket {
        self.bucket
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Level> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reserves a slot and returns how long to wait for it.
    fn reserve(&self, now: Instant) -> Duration {
        let mut s = self.lock();
        let drained = now.saturating_duration_since(s.at).as_secs_f64() * self.bucket.per_second;
        s.level = (s.level - drained).max(0.0);
        s.at = now;
        // The slot is due when the level (including earlier reservations) has drained enough.
        let over = s.level + 1.0 - self.capacity;
        s.level += 1.0;
        if over > 0.0 {
            Duration::from_secs_f64(over / self.bucket.per_second)
        } else {
            Duration::ZERO
        }
    }
}

impl RateLimiter for LeakyBucket {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        let wait = self.reserve(Instant::now());
        Box::pin(async move {
            if !wait.is_zero() {
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "rate limiter: waiting for the bucket"
                );
                tokio::time::sleep(wait).await;
            }
        })
    }

    fn on_rejected(&self) {
        let mut s = self.lock();
        let now = Instant::now();
        let drained = now.saturating_duration_since(s.at).as_secs_f64() * self.bucket.per_second;
        s.level = (s.level - drained).max(0.0).max(self.capacity);
        s.at = now;
    }

    fn capacity(&self) -> Option<f64> {
        Some(self.capacity)
    }

    fn drain_rate(&self) -> Option<f64> {
        Some(self.bucket.per_second)
    }

    fn headroom(&self) -> Option<f64> {
        let s = self.lock();
        let drained =
            Instant::now().saturating_duration_since(s.at).as_secs_f64() * self.bucket.per_second;
        Some((self.capacity - (s.level - drained).max(0.0)).max(0.0))
    }

    fn pending_wait(&self) -> Option<Duration> {
        let s = self.lock();
        let drained =
            Instant::now().saturating_duration_since(s.at).as_secs_f64() * self.bucket.per_second;
        let over = (s.level - drained).max(0.0) + 1.0 - self.capacity;
        Some(if over > 0.0 {
            Duration::from_secs_f64(over / self.bucket.per_second)
        } else {
            Duration::ZERO
        })
    }
}

/// No client-side limit (the server's still applies).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unlimited;

impl RateLimiter for Unlimited {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_the_drain_rate() {
        let bucket = LeakyBucket::with_headroom(
            Bucket {
                burst: 3.0,
                per_second: 2.0,
            },
            0.0,
        );
        let start = Instant::now();
        for _ in 0..3 {
            bucket.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the burst goes at once");
        bucket.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        bucket.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_spaced_by_the_rate() {
        let bucket = Arc::new(LeakyBucket::new(Bucket {
            burst: 1.0,
            per_second: 4.0,
        }));
        assert_eq!(bucket.capacity, 1.0, "headroom never takes the last slot");
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let b = Arc::clone(&bucket);
                tokio::spawn(async move {
                    b.acquire().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        done.sort();
        assert_eq!(
            done,
            (0..5)
                .map(|i| Duration::from_millis(250 * i))
                .collect::<Vec<_>>()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_rejection_fills_the_bucket() {
        let bucket = LeakyBucket::new(Bucket::STANDARD);
        bucket.on_rejected();
        let start = Instant::now();
        bucket.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn one_slot_of_headroom_by_default() {
        let bucket = LeakyBucket::new(Bucket {
            burst: 3.0,
            per_second: 2.0,
        });
        let start = Instant::now();
        bucket.acquire().await;
        bucket.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        bucket.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[test]
    fn shared_per_portal() {
        let a = LeakyBucket::shared("https://a.example/", Bucket::STANDARD);
        let b = LeakyBucket::shared("https://a.example/", Bucket::STANDARD);
        let c = LeakyBucket::shared("https://c.example/", Bucket::STANDARD);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!("250/5".parse::<Bucket>().unwrap(), Bucket::ENTERPRISE);
        assert!("fast".parse::<Bucket>().is_err());
    }
}
