//! Client-side rate limiting that mirrors the portal's leaky bucket, so a well-behaved program
//! never meets `QUERY_LIMIT_EXCEEDED`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::LimitError;

/// A boxed future, for object-safe async trait methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decides when the next request to a portal may go.
///
/// The default is [`LeakyBucket`], shared by every client of the same portal in the process.
/// Implement this trait to coordinate several processes (a shared store such as Redis; the
/// `b24-redis` crate does).
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until one more request may be sent, and takes that slot. A `batch` call takes one.
    ///
    /// # Errors
    /// A limiter kept in a shared store fails when it cannot reach the store (and was not told
    /// to fall back on a local bucket): the call is then not sent ([`LimitError`]).
    fn acquire(&self) -> BoxFuture<'_, Result<(), LimitError>>;

    /// Takes up to `up_to` whole slots that are free right now, leaving `keep_free` slots
    /// untouched, without waiting; returns how many it took (0 when there is no room). The
    /// caller then sends that many requests without [`Self::acquire`]. A bulk read plans with
    /// it: several readers of one bucket (tasks or processes) planning at the same moment
    /// would otherwise each count the same free slots as their own.
    ///
    /// The default cannot claim (`None`): a bulk read then plans with [`Self::headroom`].
    ///
    /// # Errors
    /// As [`Self::acquire`].
    fn claim(&self, up_to: f64, keep_free: f64) -> BoxFuture<'_, Result<Option<f64>, LimitError>> {
        let _ = (up_to, keep_free);
        Box::pin(std::future::ready(Ok(None)))
    }

    /// The server refused a request with `QUERY_LIMIT_EXCEEDED`: its bucket is full, whatever
    /// this limiter believed.
    fn on_rejected(&self) {}

    /// The server admitted a request (it answered with anything but `QUERY_LIMIT_EXCEEDED`).
    fn on_admitted(&self) {}

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
#[non_exhaustive]
pub struct Bucket {
    /// Capacity.
    pub burst: f64,
    /// Requests drained per second.
    pub per_second: f64,
}

impl Bucket {
    /// A bucket of `burst` requests draining `per_second` (`BURST/RATE` parses too).
    #[must_use]
    pub const fn new(burst: f64, per_second: f64) -> Self {
        Self { burst, per_second }
    }

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
    /// The burst the portal is believed to allow (slots), from 1 up to the plan's.
    capacity: f64,
    /// The drain rate the portal is believed to have, up to the plan's.
    rate: f64,
    /// Growing a slot per admitted request until the first rejection (the bucket was not told).
    probing: bool,
    /// When the estimate was last cut: the rejections of requests already on their way then
    /// are the same news, not a reason to cut again.
    cut_at: Option<Instant>,
}

/// Requests an untold bucket starts with: the first bulk read goes out as a few large batches
/// rather than a burst the portal may not have room for.
const FIRST_WINDOW: f64 = 4.0;

/// Lowest drain rate the estimate falls to, per second.
const MIN_RATE: f64 = 0.05;

/// A leaky bucket: each request adds one, the level drains at the portal's rate, and a request
/// that would overflow waits. Waiters are served in the order they arrived: each reserves its
/// slot at once and sleeps until it is due.
///
/// The client keeps one slot of headroom below the portal's burst: the server drains from when
/// requests *arrive*, the client from when they are *sent*, and a request that travels faster
/// than the one before it would otherwise find the server's bucket still full (one slot covers
/// 500 ms of latency jitter at 2 requests per second).
///
/// The plan is an upper bound, not a promise: the bucket adapts to the portal it meets. A
/// `QUERY_LIMIT_EXCEEDED` halves the believed burst and drain rate (once per burst of
/// rejections) and fills the bucket, so the retries that follow are spaced out; every admitted
/// request wins a little back, up to the plan (additive increase, multiplicative decrease). A
/// bucket built with [`LeakyBucket::untold`] also starts small and grows a slot per admitted
/// request until the first rejection, for a portal whose plan nobody said.
#[derive(Debug)]
pub struct LeakyBucket {
    bucket: Bucket,
    ceiling: f64,
    state: Mutex<Level>,
}

impl LeakyBucket {
    /// An empty bucket for a portal on this plan.
    #[must_use]
    pub fn new(bucket: Bucket) -> Self {
        Self::with_headroom(bucket, 1.0)
    }

    /// An empty bucket that keeps `headroom` slots free below the portal's burst.
    #[must_use]
    pub fn with_headroom(bucket: Bucket, headroom: f64) -> Self {
        let ceiling = (bucket.burst - headroom.max(0.0)).max(1.0);
        Self::build(bucket, ceiling, ceiling, false)
    }

    /// An empty bucket for a portal whose plan is not known: at most `bucket`, starting with a
    /// few requests and growing while the portal admits them.
    #[must_use]
    pub fn untold(bucket: Bucket) -> Self {
        let ceiling = (bucket.burst - 1.0).max(1.0);
        Self::build(bucket, ceiling, FIRST_WINDOW.min(ceiling), true)
    }

    fn build(bucket: Bucket, ceiling: f64, capacity: f64, probing: bool) -> Self {
        Self {
            bucket,
            ceiling,
            state: Mutex::new(Level {
                level: 0.0,
                at: Instant::now(),
                capacity,
                rate: bucket.per_second,
                probing,
                cut_at: None,
            }),
        }
    }

    /// The bucket shared by every client of `portal` in this process (created on first use).
    #[must_use]
    pub fn shared(portal: &str, bucket: Bucket) -> Arc<Self> {
        Self::registered(portal, bucket, false)
    }

    /// As [`Self::shared`], for a portal whose plan is not known ([`Self::untold`]).
    #[must_use]
    pub fn shared_untold(portal: &str, bucket: Bucket) -> Arc<Self> {
        Self::registered(portal, bucket, true)
    }

    fn registered(portal: &str, bucket: Bucket, untold: bool) -> Arc<Self> {
        static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<LeakyBucket>>>> = OnceLock::new();
        let registry = REGISTRY.get_or_init(|| Mutex::new(HashMap::new()));
        let mut map = registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, weak| weak.strong_count() > 0);
        let key = format!("{portal}|{}/{}|{untold}", bucket.burst, bucket.per_second);
        if let Some(existing) = map.get(&key).and_then(Weak::upgrade) {
            return existing;
        }
        let fresh = Arc::new(if untold {
            Self::untold(bucket)
        } else {
            Self::new(bucket)
        });
        map.insert(key, Arc::downgrade(&fresh));
        fresh
    }

    /// The bucket's plan (the most it will ever allow).
    #[must_use]
    pub fn bucket(&self) -> Bucket {
        self.bucket
    }

    /// What the bucket believes about the portal now: its burst (without the headroom slot)
    /// and drain rate.
    #[must_use]
    pub fn estimate(&self) -> Bucket {
        let s = self.lock();
        Bucket {
            burst: s.capacity,
            per_second: s.rate,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Level> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The level now, drained since it was last looked at.
    fn drain(s: &mut Level, now: Instant) {
        let drained = now.saturating_duration_since(s.at).as_secs_f64() * s.rate;
        s.level = (s.level - drained).max(0.0);
        s.at = now;
    }

    /// Reserves a slot and returns how long to wait for it.
    fn reserve(&self, now: Instant) -> Duration {
        let mut s = self.lock();
        Self::drain(&mut s, now);
        // The slot is due when the level (including earlier reservations) has drained enough.
        let over = s.level + 1.0 - s.capacity;
        s.level += 1.0;
        if over > 0.0 {
            Duration::from_secs_f64(over / s.rate)
        } else {
            Duration::ZERO
        }
    }

    fn rejected(&self, now: Instant) {
        let mut s = self.lock();
        Self::drain(&mut s, now);
        // Requests sent before the cut were sent on the old estimate: one cut per burst.
        let fresh = s.cut_at.is_none_or(|at| {
            now.saturating_duration_since(at).as_secs_f64() > (1.0 / s.rate).max(0.5)
        });
        if fresh {
            // Requests already waiting keep their place: only the burst shrinks.
            let backlog = (s.level - s.capacity).max(0.0);
            s.capacity = (s.capacity / 2.0).max(1.0);
            s.level = s.capacity + backlog;
            s.rate = (s.rate / 2.0).max(MIN_RATE.min(self.bucket.per_second));
            s.probing = false;
            s.cut_at = Some(now);
            tracing::info!(
                burst = s.capacity,
                per_second = s.rate,
                "rate limiter: the portal refused a request; estimate cut"
            );
        }
        // The portal's bucket is full now.
        s.level = s.level.max(s.capacity);
    }

    fn claimed(&self, up_to: f64, keep_free: f64, now: Instant) -> f64 {
        let mut s = self.lock();
        Self::drain(&mut s, now);
        let taken = (s.capacity - keep_free.max(0.0) - s.level)
            .min(up_to)
            .floor()
            .max(0.0);
        s.level += taken;
        taken
    }

    fn admitted(&self) {
        let mut s = self.lock();
        if s.probing {
            s.capacity = (s.capacity + 1.0).min(self.ceiling);
        } else {
            s.capacity = (s.capacity + 1.0 / s.capacity.max(1.0)).min(self.ceiling);
            s.rate = (s.rate + self.bucket.per_second / 200.0).min(self.bucket.per_second);
        }
    }
}

impl RateLimiter for LeakyBucket {
    fn acquire(&self) -> BoxFuture<'_, Result<(), LimitError>> {
        let wait = self.reserve(Instant::now());
        Box::pin(async move {
            if !wait.is_zero() {
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "rate limiter: waiting for the bucket"
                );
                tokio::time::sleep(wait).await;
            }
            Ok(())
        })
    }

    fn claim(&self, up_to: f64, keep_free: f64) -> BoxFuture<'_, Result<Option<f64>, LimitError>> {
        let taken = self.claimed(up_to, keep_free, Instant::now());
        Box::pin(std::future::ready(Ok(Some(taken))))
    }

    fn on_rejected(&self) {
        self.rejected(Instant::now());
    }

    fn on_admitted(&self) {
        self.admitted();
    }

    fn capacity(&self) -> Option<f64> {
        Some(self.lock().capacity)
    }

    fn drain_rate(&self) -> Option<f64> {
        Some(self.lock().rate)
    }

    fn headroom(&self) -> Option<f64> {
        let mut s = self.lock();
        Self::drain(&mut s, Instant::now());
        Some((s.capacity - s.level).max(0.0))
    }

    fn pending_wait(&self) -> Option<Duration> {
        let mut s = self.lock();
        Self::drain(&mut s, Instant::now());
        let over = s.level + 1.0 - s.capacity;
        Some(if over > 0.0 {
            Duration::from_secs_f64(over / s.rate)
        } else {
            Duration::ZERO
        })
    }
}

/// No client-side limit (the server's still applies).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unlimited;

impl RateLimiter for Unlimited {
    fn acquire(&self) -> BoxFuture<'_, Result<(), LimitError>> {
        Box::pin(std::future::ready(Ok(())))
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
            bucket.acquire().await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the burst goes at once");
        bucket.acquire().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        bucket.acquire().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_spaced_by_the_rate() {
        let bucket = Arc::new(LeakyBucket::new(Bucket {
            burst: 1.0,
            per_second: 4.0,
        }));
        assert_eq!(
            bucket.estimate().burst,
            1.0,
            "headroom never takes the last slot"
        );
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let b = Arc::clone(&bucket);
                tokio::spawn(async move {
                    b.acquire().await.unwrap();
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
    async fn a_server_rejection_fills_the_bucket_and_halves_the_estimate() {
        let bucket = LeakyBucket::new(Bucket::STANDARD);
        bucket.on_rejected();
        assert_eq!(
            bucket.estimate(),
            Bucket {
                burst: 24.5,
                per_second: 1.0
            }
        );
        // Rejections of requests already on their way are the same news.
        bucket.on_rejected();
        assert_eq!(bucket.estimate().per_second, 1.0);
        let start = Instant::now();
        bucket.acquire().await.unwrap();
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "full, at the halved rate"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_slot_of_headroom_by_default() {
        let bucket = LeakyBucket::new(Bucket {
            burst: 3.0,
            per_second: 2.0,
        });
        let start = Instant::now();
        bucket.acquire().await.unwrap();
        bucket.acquire().await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        bucket.acquire().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    /// Sends `n` requests one after the other to a portal with a 5/1 bucket; the rejections
    /// and the (virtual) time it took.
    async fn against_a_5_per_1_portal(limiter: &LeakyBucket, n: usize) -> (usize, Duration) {
        let start = Instant::now();
        let (mut level, mut at) = (0.0_f64, start);
        let mut rejected = 0;
        for _ in 0..n {
            loop {
                limiter.acquire().await.unwrap();
                let now = Instant::now();
                level = (level - now.duration_since(at).as_secs_f64()).max(0.0);
                at = now;
                if level + 1.0 > 5.0 {
                    rejected += 1;
                    limiter.on_rejected();
                    continue;
                }
                level += 1.0;
                limiter.on_admitted();
                break;
            }
        }
        (rejected, start.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn an_untold_or_wrong_plan_converges_on_the_portals_bucket() {
        let untold = LeakyBucket::untold(Bucket::STANDARD);
        assert_eq!(untold.estimate().burst, FIRST_WINDOW, "starts small");
        let (rejected, took) = against_a_5_per_1_portal(&untold, 200).await;
        println!("untold: {rejected} rejections, {took:?}");
        assert!(rejected <= 12, "untold: {rejected} rejections");
        // 200 requests at 1 per second after a burst of 5 take 195 s at least.
        assert!(took < Duration::from_secs(230), "untold: {took:?}");
        let wrong = LeakyBucket::new(Bucket::STANDARD);
        let (rejected, took) = against_a_5_per_1_portal(&wrong, 200).await;
        println!("wrong: {rejected} rejections, {took:?}");
        assert!(rejected <= 12, "wrong: {rejected} rejections");
        assert!(took < Duration::from_secs(230), "wrong: {took:?}");
        let estimate = wrong.estimate();
        assert!(
            estimate.per_second < 1.5 && estimate.burst < 49.0,
            "{estimate:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_untold_bucket_grows_to_its_plan_while_admitted() {
        let untold = LeakyBucket::untold(Bucket {
            burst: 11.0,
            per_second: 2.0,
        });
        for _ in 0..20 {
            untold.on_admitted();
        }
        assert_eq!(
            untold.estimate().burst,
            10.0,
            "up to the plan, less the headroom slot"
        );
        let start = Instant::now();
        for _ in 0..10 {
            untold.acquire().await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the whole burst");
    }

    #[tokio::test(start_paused = true)]
    async fn a_claim_takes_free_slots_at_once_and_keeps_the_reserve() {
        let bucket = LeakyBucket::with_headroom(Bucket::new(10.0, 2.0), 0.0);
        assert_eq!(bucket.claim(4.0, 2.0).await.unwrap(), Some(4.0));
        assert_eq!(
            bucket.claim(100.0, 2.0).await.unwrap(),
            Some(4.0),
            "2 kept free"
        );
        assert_eq!(
            bucket.claim(100.0, 2.0).await.unwrap(),
            Some(0.0),
            "no room"
        );
        let start = Instant::now();
        bucket.acquire().await.unwrap();
        bucket.acquire().await.unwrap();
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "the reserve is still there"
        );
        bucket.acquire().await.unwrap();
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(500),
            "claimed slots count"
        );
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
