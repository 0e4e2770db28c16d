//! When and how long to wait before trying a call again.

use std::time::Duration;

/// Retry settings: start from [`RetryPolicy::default`] (or [`RetryPolicy::none`]) and change
/// what you need.
///
/// ```
/// # use std::time::Duration;
/// let policy = b24_client::RetryPolicy::default()
///     .max_attempts(3)
///     .deadline(Duration::from_secs(30));
/// # assert_eq!(policy.max_attempts, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry).
    pub max_attempts: u32,
    /// Backoff grows from this.
    pub base_delay: Duration,
    /// Backoff never exceeds this.
    pub max_delay: Duration,
    /// The call gives up this long after it was first sent: retries, their waits and an
    /// attempt still in flight all end by then (an attempt cut short is
    /// [`TransportKind::Deadline`](crate::TransportKind::Deadline)). Waiting for the rate
    /// limiter's first slot does not count.
    pub deadline: Duration,
    /// Repeat writes after an ambiguous failure too (timeouts, resets, 5xx). Off by default:
    /// a repeated `im.message.add` posts twice.
    pub retry_ambiguous_writes: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(15),
            deadline: Duration::from_secs(120),
            retry_ambiguous_writes: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included.
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff's upper bound.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest backoff.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The call's deadline (the `deadline` field says what it bounds).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Whether writes are repeated after an ambiguous failure too.
    #[must_use]
    pub fn retry_ambiguous_writes(mut self, retry: bool) -> Self {
        self.retry_ambiguous_writes = retry;
        self
    }

    /// Exponential backoff with full jitter: uniform in `[0, min(max, base × 2^(attempt-1))]`.
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let cap = exp.min(self.max_delay);
        cap.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_cap() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for attempt in 1..10 {
            let cap =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(350));
            for _ in 0..100 {
                assert!(p.backoff(attempt) <= cap);
            }
        }
        let spread: std::collections::BTreeSet<u128> =
            (0..50).map(|_| p.backoff(3).as_micros()).collect();
        assert!(spread.len() > 10, "jittered");
    }
}
