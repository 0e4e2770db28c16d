//! The operating-time governor: keeps each method under the portal's per-method budget of
//! server time (480 s per 10 minutes in the cloud) instead of running into 429
//! `OPERATION_TIME_LIMIT`.
//!
//! It learns from every response's `time.operating` (seconds this method used in the window,
//! cumulative, not per request) and `time.operating_reset_at` (when the oldest minute of the
//! window drops out). Near the limit it slows a method down, at the limit it holds the method's
//! calls until the reset time, and after a 429 it waits for the reset and lets the call retry.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::LimitError;
use crate::limiter::BoxFuture;

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

/// What is known of one method's operating time for one credential: the state a
/// [`BudgetStore`] keeps. Times are Unix seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct MethodBudget {
    /// Seconds used in the window, as last reported.
    pub operating: f64,
    /// When the oldest basket drops out (already including a second of slack: the server
    /// sends whole seconds, cut down).
    pub reset_at: Option<f64>,
    /// Until when calls are held after a 429.
    pub blocked_until: Option<f64>,
}

impl MethodBudget {
    /// A budget of `operating` seconds used, resetting at `reset_at`, not held.
    #[must_use]
    pub fn new(operating: f64, reset_at: Option<f64>, blocked_until: Option<f64>) -> Self {
        Self {
            operating,
            reset_at,
            blocked_until,
        }
    }

    /// Whether a report `(operating, reset_at)` is at least as new as this state, at `now`.
    /// Reports of one window only grow until its oldest basket drops out (which moves
    /// `reset_at` later), so a report with an earlier reset, or a smaller figure for the same
    /// reset, arrived late (another worker's slower answer) and is kept out.
    #[must_use]
    pub fn accepts(&self, operating: f64, reset_at: Option<f64>, now: f64) -> bool {
        match (self.reset_at, reset_at) {
            (Some(old), _) if old <= now => true,
            (Some(old), Some(new)) if new < old => false,
            (Some(old), Some(new)) if new == old => operating >= self.operating,
            _ => true,
        }
    }
}

/// Where the per-method operating-time state lives. The default, [`MemoryBudget`], is one
/// process's; a store shared by several processes (Redis: the `b24-redis` crate) makes them
/// keep to one budget, as the portal counts it per method and credential, not per process.
///
/// One store serves one credential (webhook or application) on one portal.
pub trait BudgetStore: Send + Sync + fmt::Debug {
    /// The method's state, `None` if nothing was recorded.
    ///
    /// # Errors
    /// When a shared store cannot be reached: the call is not sent.
    fn get<'a>(
        &'a self,
        method: &'a str,
    ) -> BoxFuture<'a, Result<Option<MethodBudget>, LimitError>>;

    /// Records a response's report (seconds used, the next reset) and lifts a hold, unless a
    /// newer report is already there ([`MethodBudget::accepts`]).
    ///
    /// # Errors
    /// When a shared store cannot be reached (the client logs it; the answer is kept).
    fn observe<'a>(
        &'a self,
        method: &'a str,
        operating: f64,
        reset_at: Option<f64>,
    ) -> BoxFuture<'a, Result<(), LimitError>>;

    /// Records a 429: hold the method until `until`, and count it used at least `floor` seconds.
    ///
    /// # Errors
    /// When a shared store cannot be reached.
    fn block<'a>(
        &'a self,
        method: &'a str,
        until: f64,
        floor: f64,
    ) -> BoxFuture<'a, Result<(), LimitError>>;
}

/// The operating-time state of one process (the default [`BudgetStore`]).
#[derive(Debug, Default)]
pub struct MemoryBudget {
    methods: Mutex<HashMap<String, MethodBudget>>,
}

impl MemoryBudget {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, MethodBudget>> {
        self.methods
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl BudgetStore for MemoryBudget {
    fn get<'a>(
        &'a self,
        method: &'a str,
    ) -> BoxFuture<'a, Result<Option<MethodBudget>, LimitError>> {
        let found = self.lock().get(method).copied();
        Box::pin(std::future::ready(Ok(found)))
    }

    fn observe<'a>(
        &'a self,
        method: &'a str,
        operating: f64,
        reset_at: Option<f64>,
    ) -> BoxFuture<'a, Result<(), LimitError>> {
        let mut methods = self.lock();
        let entry = methods.entry(method.to_owned()).or_default();
        if entry.accepts(operating, reset_at, unix(SystemTime::now())) {
            *entry = MethodBudget::new(operating, reset_at.or(entry.reset_at), None);
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn block<'a>(
        &'a self,
        method: &'a str,
        until: f64,
        floor: f64,
    ) -> BoxFuture<'a, Result<(), LimitError>> {
        let mut methods = self.lock();
        let entry = methods.entry(method.to_owned()).or_default();
        entry.blocked_until = Some(entry.blocked_until.map_or(until, |u| u.max(until)));
        entry.operating = entry.operating.max(floor);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Per-method operating-time governor of one credential: the policy (slow down, hold) over a
/// [`BudgetStore`].
#[derive(Debug)]
pub struct OperatingGovernor {
    config: GovernorConfig,
    store: Arc<dyn BudgetStore>,
}

impl Default for OperatingGovernor {
    fn default() -> Self {
        Self::new(GovernorConfig::default())
    }
}

/// `operating_reset_at` comes as whole seconds, cut down: the real reset may be up to a second
/// later.
const RESET_SLACK: f64 = 1.0;

fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl OperatingGovernor {
    /// A governor with these settings, keeping its state in this process.
    #[must_use]
    pub fn new(config: GovernorConfig) -> Self {
        Self::with_store(config, Arc::new(MemoryBudget::default()))
    }

    /// A governor with these settings over `store` (e.g. one shared by several processes).
    #[must_use]
    pub fn with_store(config: GovernorConfig, store: Arc<dyn BudgetStore>) -> Self {
        Self { config, store }
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> GovernorConfig {
        self.config
    }

    /// Records a response's `time` for `method`.
    ///
    /// # Errors
    /// When the store cannot be reached.
    pub async fn observe(&self, method: &str, time: &b24_core::Time) -> Result<(), LimitError> {
        let Some(operating) = time.operating else {
            return Ok(());
        };
        #[allow(clippy::cast_precision_loss)]
        let reset_at = time.operating_reset_at.map(|r| r as f64 + RESET_SLACK);
        self.store.observe(method, operating, reset_at).await
    }

    /// A 429 `OPERATION_TIME_LIMIT` came for `method`: hold it until the reset; how long.
    ///
    /// # Errors
    /// When the store cannot be reached.
    pub async fn blocked(&self, method: &str, now: SystemTime) -> Result<Duration, LimitError> {
        let now = unix(now);
        let known = self.store.get(method).await?.unwrap_or_default();
        let until = match known.reset_at {
            Some(reset) if reset > now => reset,
            _ => now + self.config.fallback_hold.as_secs_f64(),
        };
        self.store
            .block(method, until, self.config.limit.as_secs_f64())
            .await?;
        Ok(Duration::from_secs_f64(until - now))
    }

    /// How long the next call of `method` should wait.
    ///
    /// # Errors
    /// When the store cannot be reached.
    pub async fn delay(&self, method: &str, now: SystemTime) -> Result<Duration, LimitError> {
        Ok(self
            .store
            .get(method)
            .await?
            .map_or(Duration::ZERO, |budget| self.wait(&budget, unix(now))))
    }

    /// The policy: how long a method in this state waits at `now`.
    #[must_use]
    pub fn wait(&self, budget: &MethodBudget, now: f64) -> Duration {
        if let Some(until) = budget.blocked_until.filter(|u| *u > now) {
            return Duration::from_secs_f64(until - now);
        }
        // Once the oldest basket has dropped out the real figure is unknown and lower: let the
        // next call through and learn it from its response.
        if budget.reset_at.is_some_and(|r| r <= now) {
            return Duration::ZERO;
        }
        let limit = self.config.limit.as_secs_f64();
        let (slow, hold) = (limit * self.config.slow_from, limit * self.config.hold_from);
        if budget.operating >= hold {
            return budget
                .reset_at
                .map_or(Duration::ZERO, |r| Duration::from_secs_f64(r - now));
        }
        if budget.operating >= slow && hold > slow {
            let share = (budget.operating - slow) / (hold - slow);
            return self.config.max_slow_delay.mul_f64(share.clamp(0.0, 1.0));
        }
        Duration::ZERO
    }

    /// The last reported `operating` of a method.
    ///
    /// # Errors
    /// When the store cannot be reached.
    pub async fn operating(&self, method: &str) -> Result<Option<f64>, LimitError> {
        Ok(self.store.get(method).await?.map(|m| m.operating))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn time(operating: f64, reset_at: i64) -> b24_core::Time {
        let mut t = b24_core::Time::default();
        t.operating = Some(operating);
        t.operating_reset_at = Some(reset_at);
        t
    }

    #[tokio::test]
    async fn slows_then_holds_until_reset() {
        let g = OperatingGovernor::new(GovernorConfig {
            limit: Duration::from_secs(100),
            ..GovernorConfig::default()
        });
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(g.delay("m", now).await.unwrap(), Duration::ZERO);
        g.observe("m", &time(50.0, 1_000_300)).await.unwrap();
        assert_eq!(g.delay("m", now).await.unwrap(), Duration::ZERO);
        g.observe("m", &time(87.5, 1_000_300)).await.unwrap();
        assert_eq!(
            g.delay("m", now).await.unwrap(),
            Duration::from_secs(1),
            "half way between 80 and 95"
        );
        g.observe("m", &time(96.0, 1_000_300)).await.unwrap();
        assert_eq!(
            g.delay("m", now).await.unwrap(),
            Duration::from_secs(301),
            "held until the reset (whole seconds, cut down)"
        );
        assert_eq!(
            g.delay("other", now).await.unwrap(),
            Duration::ZERO,
            "per method"
        );
        assert_eq!(
            g.delay("m", now + Duration::from_secs(302)).await.unwrap(),
            Duration::ZERO,
            "after the reset"
        );
    }

    #[tokio::test]
    async fn a_429_holds_until_the_known_reset_or_a_fallback() {
        let g = OperatingGovernor::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(g.blocked("m", now).await.unwrap(), Duration::from_secs(60));
        g.observe("n", &time(10.0, 1_000_030)).await.unwrap();
        assert_eq!(g.blocked("n", now).await.unwrap(), Duration::from_secs(31));
        assert_eq!(
            g.delay("n", now + Duration::from_secs(10)).await.unwrap(),
            Duration::from_secs(21)
        );
        let mut missing = b24_core::Time::default();
        missing.operating = None;
        g.observe("x", &missing).await.unwrap();
        assert_eq!(
            g.operating("x").await.unwrap(),
            None,
            "portals without the limiter send no figures"
        );
    }

    #[test]
    fn late_reports_do_not_overwrite_newer_ones() {
        let state = MethodBudget::new(100.0, Some(2_000.0), None);
        assert!(
            !state.accepts(90.0, Some(2_000.0), 1_000.0),
            "smaller, same window"
        );
        assert!(
            !state.accepts(150.0, Some(1_900.0), 1_000.0),
            "an older window"
        );
        assert!(state.accepts(110.0, Some(2_000.0), 1_000.0));
        assert!(
            state.accepts(20.0, Some(2_060.0), 1_000.0),
            "a basket dropped out"
        );
        assert!(
            state.accepts(5.0, Some(1_900.0), 2_001.0),
            "the stored reset passed"
        );
    }
}
