//! Page sizes: how the server turns a method's limit parameter into a page size. The parameter's
//! name, its default and its cap come from the spec's `pagination.limit`; which rule a method's
//! server code applies is behaviour, chosen by the handler.

use crate::php::{intval, isset, php_int};

use super::Call;

/// How a method's server code normalises its limit parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitRule {
    /// The classic helpers' `getLimit`: absent or ≤ 0 gives the default, above the cap the cap.
    Normalised,
    /// Absent gives the default, above the cap the cap, and 0 or a negative value passes
    /// through: the query then has no `LIMIT` clause and returns everything
    /// (`im.dialog.messages.get`).
    CappedOnly,
    /// Clamped to 1..=cap; absent gives the default (the `im.v2` controllers).
    Clamped,
}

impl<P> Call<P> {
    /// The page size of this call under `rule`, from the limit parameter the spec names; 0 for
    /// a method whose spec has no `pagination.limit`.
    #[must_use]
    pub fn limit(&self, rule: LimitRule) -> i64 {
        self.limit_by(self.info.pagination.limit, rule)
    }

    /// The page size of this call under `rule` and the limit parameter `spec` (another
    /// method's, for a method whose paging the spec's dialects do not describe); 0 for `None`.
    #[must_use]
    pub fn limit_by(&self, spec: Option<b24_core::Limit>, rule: LimitRule) -> i64 {
        let Some(spec) = spec else {
            return 0;
        };
        let (default, max) = (i64::from(spec.default), i64::from(spec.max));
        let sent = self.params.get(spec.param);
        match rule {
            LimitRule::Normalised => match sent.map(php_int) {
                Some(n) if n > 0 => n.min(max),
                _ => default,
            },
            LimitRule::CappedOnly => isset(sent).map_or(default, |v| intval(v).min(max)),
            LimitRule::Clamped => sent.map_or(default, php_int).clamp(1, max),
        }
    }
}
