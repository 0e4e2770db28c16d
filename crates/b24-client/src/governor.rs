//! The operating-time governor: keeps each method under the portal's per-method budget of
//! server time (480 s per 10 minutes in the cloud) instead of running into 429
//! `OPERATION_TIME_LIMIT`.
//!
//! It learns from every response's `time.operating` (seconds this method used in the window,
//! cumulative, not per request) and `time.operating_reset_at` (when the oldest minute of the
//! window drops out). Near the limit it slows a method down, at the limit it holds the method's
//! calls until the reset time, and after a 429 it waits for the reset and lets the call retry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Governor settings: start from [`GovernorConfig::default`] and change what you need.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct GovernorConfig {
    /// The portal's limit per method and credential (480 s in the cloud, 420 s self-hosted).
    pub limit: Duration,
    /// Start slowing a method down at this fraction of the limit.
    pub slow_from: f64,
    /// Hold a method until its reset time from this fraction of the limit.
    pub hold_from: f64,
    /// The longest pause added per call while slowing down.
    pub max_slow_delay: Duration,
    /// How long to hold a method after a 429 when no reset time is known.
    pub fallback_hold: Duration,
}

impl Default for GovernorConfig {
    fn default() -> Self {
        Self {
            limit: Duration::from_secs(480),
            slow_from: 0.8,
            hold_from: 0.95,
            max_slow_delay: Duration::from_secs(2),
            fallback_hold: Duration::from_secs(60),
        }
    }
}

impl GovernorConfig {
    /// The portal's limit per method and credential.
    #[must_use]
    pub fn limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// The fraction of the limit from which a method is slowed down.
    #[must_use]
    pub fn slow_from(mut self, fraction: f64) -> Self {
        self.slow_from = fraction;
        self
    }

    /// The fraction of the limit from which a method is held until its reset.
    #[must_use]
    pub fn hold_from(mut self, fraction: f64) -> Self {
        self.hold_from = fraction;
        self
    }

    /// The longest pause added per call while slowing down.
    #[must_use]
    pub fn max_slow_delay(mut self, delay: Duration) -> Self {
        self.max_slow_delay = delay;
        self
    }

    /// How long to hold a method after a 429 when no reset time is known.
    #[must_use]
    pub fn fallback_hold(mut self, hold: Duration) -> Self {
        self.fallback_hold = hold;
        self
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct MethodTime {
    /// Seconds used in the window, as last reported.
    operating: f64,
    /// Unix time when the oldest basket drops out.
    reset_at: Option<f64>,
    /// Unix time until which calls are held after a 429.
    blocked_until: Option<f64>,
}

/// Per-method operating-time state of one credential.
#[derive(Debug, Default)]
pub struct OperatingGovernor {
    config: GovernorConfig,
    methods: Mutex<HashMap<String, MethodTime>>,
}

/// `operating_reset_at` comes as whole seconds, cut down: the real reset may be up to a second
/// later.
const RESET_SLACK: f64 = 1.0;

fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl OperatingGovernor {
    /// A governor with these settings.
    #[must_use]
    pub fn new(config: GovernorConfig) -> Self {
        Self {
            config,
            methods: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, MethodTime>> {
        self.methods
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a response's `time` for `method`.
    pub fn observe(&self, method: &str, time: &b24_core::Time) {
        let Some(operating) = time.operating else {
            return;
        };
        let mut methods = self.lock();
        let entry = methods.entry(method.to_owned()).or_default();
        entry.operating = operating;
        #[allow(clippy::cast_precision_loss)]
        if let Some(reset) = time.operating_reset_at {
            entry.reset_at = Some(reset as f64 + RESET_SLACK);
        }
        entry.blocked_until = None;
    }

    /// A 429 `OPERATION_TIME_LIMIT` came for `method`: hold it until the reset.
    pub fn blocked(&self, method: &str, now: SystemTime) -> Duration {
        let now = unix(now);
        let mut methods = self.lock();
        let entry = methods.entry(method.to_owned()).or_default();
        let until = match entry.reset_at {
            Some(reset) if reset > now => reset,
            _ => now + self.config.fallback_hold.as_secs_f64(),
        };
        entry.blocked_until = Some(until);
        entry.operating = entry.operating.max(self.config.limit.as_secs_f64());
        Duration::from_secs_f64(until - now)
    }

    /// How long the next call of `method` should wait.
    pub fn delay(&self, method: &str, now: SystemTime) -> Duration {
        let now = unix(now);
        let mut methods = self.lock();
        let Some(entry) = methods.get_mut(method) else {
            return Duration::ZERO;
        };
        if let Some(until) = entry.blocked_until {
            if until > now {
                return Duration::from_secs_f64(until - now);
            }
            entry.blocked_until = None;
        }
        // Once the oldest basket has dropped out the real figure is unknown and lower: let the
        // next call through and learn it from its response.
        if entry.reset_at.is_some_and(|r| r <= now) {
            entry.operating = 0.0;
            entry.reset_at = None;
            return Duration::ZERO;
        }
        let limit = self.config.limit.as_secs_f64();
        let (slow, hold) = (limit * self.config.slow_from, limit * self.config.hold_from);
        if entry.operating >= hold {
            return entry
                .reset_at
                .map_or(Duration::ZERO, |r| Duration::from_secs_f64(r - now));
        }
        if entry.operating >= slow && hold > slow {
            let share = (entry.operating - slow) / (hold - slow);
            return self.config.max_slow_delay.mul_f64(share.clamp(0.0, 1.0));
        }
        Duration::ZERO
    }

    /// The last reported `operating` of a method.
    #[must_use]
    pub fn operating(&self, method: &str) -> Option<f64> {
        self.lock().get(method).map(|m| m.operating)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(operating: f64, reset_at: i64) -> b24_core::Time {
        let mut t = b24_core::Time::default();
        t.operating = Some(operating);
        t.operating_reset_at = Some(reset_at);
        t
    }

    #[test]
    fn slows_then_holds_until_reset() {
        let g = OperatingGovernor::new(GovernorConfig {
            limit: Duration::from_secs(100),
            ..GovernorConfig::default()
        });
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(g.delay("m", now), Duration::ZERO);
        g.observe("m", &time(50.0, 1_000_300));
        assert_eq!(g.delay("m", now), Duration::ZERO);
        g.observe("m", &time(87.5, 1_000_300));
        assert_eq!(
            g.delay("m", now),
            Duration::from_secs(1),
            "half way between 80 and 95"
        );
        g.observe("m", &time(96.0, 1_000_300));
        assert_eq!(
            g.delay("m", now),
            Duration::from_secs(301),
            "held until the reset (whole seconds, cut down)"
        );
        assert_eq!(g.delay("other", now), Duration::ZERO, "per method");
        assert_eq!(
            g.delay("m", now + Duration::from_secs(302)),
            Duration::ZERO,
            "after the reset"
        );
    }

    #[test]
    fn a_429_holds_until_the_known_reset_or_a_fallback() {
        let g = OperatingGovernor::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(g.blocked("m", now), Duration::from_secs(60));
        g.observe("n", &time(10.0, 1_000_030));
        assert_eq!(g.blocked("n", now), Duration::from_secs(31));
        assert_eq!(
            g.delay("n", now + Duration::from_secs(10)),
            Duration::from_secs(21)
        );
        let mut missing = b24_core::Time::default();
        missing.operating = None;
        g.observe("x", &missing);
        assert_eq!(
            g.operating("x"),
            None,
            "portals without the limiter send no figures"
        );
    }
}
