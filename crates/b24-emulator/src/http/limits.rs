//! The platform's two limits: the portal's leaky bucket of requests, and the operating-time
//! budget of each method per credential.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::config::Bucket;

/// The leaky bucket of one portal: each request adds one, the level drains at a fixed rate, and
/// a request that would overflow it is refused with `QUERY_LIMIT_EXCEEDED`.
#[derive(Debug)]
pub struct LeakyBucket {
    spec: Bucket,
    level: f64,
    last: Instant,
}

impl LeakyBucket {
    /// An empty bucket.
    #[must_use]
    pub fn new(spec: Bucket) -> Self {
        Self {
            spec,
            level: 0.0,
            last: Instant::now(),
        }
    }

    /// Admits one request, or refuses it when the bucket is full (refused requests add nothing).
    pub fn try_admit(&mut self, now: Instant) -> bool {
        let Some(burst) = self.spec.burst else {
            return true;
        };
        let drained = now.saturating_duration_since(self.last).as_secs_f64() * self.spec.per_second;
        self.level = (self.level - drained).max(0.0);
        self.last = now;
        if self.level + 1.0 > burst + 1e-9 {
            return false;
        }
        self.level += 1.0;
        true
    }

    /// The current fill level (for stats).
    #[must_use]
    pub fn level(&self) -> f64 {
        self.level
    }
}

/// One minute-basket of operating time.
#[derive(Debug, Clone, Copy)]
struct Basket {
    /// Unix time of the first call counted in it.
    start: f64,
    seconds: f64,
}

/// Operating-time accounting: per method and credential, execution time summed in 10 baskets,
/// each one `window / 10` long and dropped `window` after its first call.
#[derive(Debug)]
pub struct Operating {
    limit: Duration,
    min: Duration,
    window: f64,
    accounts: HashMap<(String, String), VecDeque<Basket>>,
}

/// The state of one account after a call, as `time.operating` / `time.operating_reset_at` report it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingState {
    /// Seconds used in the window.
    pub operating: f64,
    /// Unix time when the oldest basket drops out.
    pub reset_at: f64,
}

impl Operating {
    /// Accounting with a limit per window; calls of at most `min` are not counted.
    #[must_use]
    pub fn new(limit: Duration, min: Duration, window: Duration) -> Self {
        Self {
            limit,
            min,
            window: window.as_secs_f64().max(0.001),
            accounts: HashMap::new(),
        }
    }

    fn baskets(&mut self, method: &str, credential: &str, now: f64) -> &mut VecDeque<Basket> {
        let window = self.window;
        let baskets = self
            .accounts
            .entry((method.to_owned(), credential.to_owned()))
            .or_default();
        while baskets.front().is_some_and(|b| b.start + window <= now) {
            baskets.pop_front();
        }
        baskets
    }

    fn state(baskets: &VecDeque<Basket>, now: f64, window: f64) -> OperatingState {
        OperatingState {
            // `+ 0.0`: an empty float sum is -0.0, which would be sent as `-0.0`.
            operating: baskets.iter().map(|b| b.seconds).sum::<f64>() + 0.0,
            reset_at: baskets.front().map_or(now + window, |b| b.start + window),
        }
    }

    /// Whether the method may run now for this credential: `Err` with the state when the
    /// accumulated time already exceeds the limit.
    pub fn check(
        &mut self,
        method: &str,
        credential: &str,
        now: f64,
    ) -> Result<(), OperatingState> {
        let limit = self.limit.as_secs_f64();
        let window = self.window;
        let baskets = self.baskets(method, credential, now);
        let state = Self::state(baskets, now, window);
        if state.operating > limit {
            Err(state)
        } else {
            Ok(())
        }
    }

    /// Records a call that took `took` and returns the state to report.
    pub fn record(
        &mut self,
        method: &str,
        credential: &str,
        now: f64,
        took: Duration,
    ) -> OperatingState {
        let window = self.window;
        let basket_len = window / 10.0;
        let counted = took > self.min;
        let baskets = self.baskets(method, credential, now);
        if counted {
            match baskets.back_mut() {
                Some(last) if now < last.start + basket_len => last.seconds += took.as_secs_f64(),
                _ => baskets.push_back(Basket {
                    start: now,
                    seconds: took.as_secs_f64(),
                }),
            }
        }
        Self::state(baskets, now, window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_admits_a_burst_then_drains() {
        let mut bucket = LeakyBucket::new(Bucket {
            burst: Some(3.0),
            per_second: 2.0,
        });
        let t0 = Instant::now();
        assert!((0..3).all(|_| bucket.try_admit(t0)));
        assert!(!bucket.try_admit(t0));
        assert!(!bucket.try_admit(t0 + Duration::from_millis(400)));
        assert!(bucket.try_admit(t0 + Duration::from_millis(600)));
        let mut off = LeakyBucket::new(Bucket::OFF);
        assert!((0..10_000).all(|_| off.try_admit(t0)));
    }

    #[test]
    fn operating_time_blocks_after_the_limit_and_resets_with_the_window() {
        let mut op = Operating::new(
            Duration::from_secs(1),
            Duration::from_millis(100),
            Duration::from_secs(600),
        );
        let t = 1_000_000.0;
        assert!(op.check("m", "k", t).is_ok());
        let s = op.record("m", "k", t, Duration::from_millis(600));
        assert_eq!(s.operating, 0.6);
        assert_eq!(s.reset_at, t + 600.0);
        let s = op.record("m", "k", t + 1.0, Duration::from_millis(600));
        assert!((s.operating - 1.2).abs() < 1e-9);
        assert!(
            op.check("m", "k", t + 2.0).is_err(),
            "over the limit before the call"
        );
        assert!(op.check("other", "k", t + 2.0).is_ok(), "per method");
        assert!(op.check("m", "other", t + 2.0).is_ok(), "per credential");
        assert!(
            op.check("m", "k", t + 600.0).is_ok(),
            "the basket dropped out"
        );
        let s = op.record("m", "k", t + 700.0, Duration::from_millis(50));
        assert_eq!(
            s.operating, 0.0,
            "calls of at most the minimum are not counted"
        );
    }
}
