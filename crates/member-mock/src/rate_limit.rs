//! The rate limiter, like the real API's (1,200 requests per five minutes per
//! token): past the limit, 429 with code 10100 and `Retry-After`. Two ways to
//! count ([`WindowMode`]): a fixed window that starts with its first request
//! (the default), or a sliding window, the strict reading of "at most N in any
//! interval of the window's length". With a
//! [`penalty`](RateLimitPolicy::penalty), a breach blocks every request for
//! that long, as the real API does (for up to five minutes).
//!
//! Windows and penalties are measured on Tokio's clock
//! (`tokio::time::Instant`), so a test on a paused clock
//! (`#[tokio::test(start_paused = true)]`) moves through them in virtual time.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// The server's rate-limit setting: `requests` per `window`, announced in
/// the `Ratelimit-Policy` header it sends while the limiter is on.
///
/// JSON form (the admin API): `{"requests": 1200, "window_secs": 300}`, plus
/// `"penalty_secs": 300` for a limit that blocks after a breach and
/// `"mode": "sliding"` for a sliding window.
///
/// ```
/// use std::time::Duration;
/// let limit = member_mock::RateLimitPolicy::new(1200, Duration::from_secs(300));
/// assert_eq!(serde_json::to_string(&limit).unwrap(), r#"{"requests":1200,"window_secs":300}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitPolicy {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window, in whole seconds (at least 1).
    #[serde(rename = "window_secs", with = "secs")]
    pub window: Duration,
    /// After a request is refused, refuse every request for this long
    /// (whole seconds), like the real API's block after a breach. `None`:
    /// only the requests over the window's budget are refused.
    #[serde(
        rename = "penalty_secs",
        default,
        with = "opt_secs",
        skip_serializing_if = "Option::is_none"
    )]
    pub penalty: Option<Duration>,
    /// How requests are counted (default [`WindowMode::Fixed`]).
    #[serde(default, skip_serializing_if = "WindowMode::is_fixed")]
    pub mode: WindowMode,
}

/// How the limiter counts requests against `requests` per `window`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum WindowMode {
    /// A window opens with the first request after the previous one closed
    /// and admits `requests` until it closes; then the whole budget is back
    /// at once. `Ratelimit`'s `t` is the time until the window closes.
    #[default]
    Fixed,
    /// At most `requests` in any interval of the window's length: a request
    /// is admitted when fewer than `requests` were admitted in the window
    /// before it, so a slot comes back exactly one window after the request
    /// that used it. `Ratelimit`'s `r` is what is left now and `t` the time
    /// until the oldest counted request leaves the window (the next slot
    /// back); `Retry-After` says the same.
    Sliding,
}

impl WindowMode {
    fn is_fixed(&self) -> bool {
        *self == Self::Fixed
    }
}

impl RateLimitPolicy {
    /// `requests` per `window` (a window under a second counts as one
    /// second), counted in fixed windows.
    pub fn new(requests: u32, window: Duration) -> Self {
        Self {
            requests,
            window,
            penalty: None,
            mode: WindowMode::Fixed,
        }
    }

    /// `requests` in any interval of `window`: a sliding window.
    ///
    /// ```
    /// use std::time::Duration;
    /// let strict = member_mock::RateLimitPolicy::sliding(40, Duration::from_secs(10));
    /// assert_eq!(
    ///     serde_json::to_string(&strict).unwrap(),
    ///     r#"{"requests":40,"window_secs":10,"mode":"sliding"}"#
    /// );
    /// ```
    pub fn sliding(requests: u32, window: Duration) -> Self {
        Self {
            mode: WindowMode::Sliding,
            ..Self::new(requests, window)
        }
    }

    /// Blocks every request for `penalty` after a breach (the real API
    /// blocks for up to five minutes).
    ///
    /// ```
    /// use std::time::Duration;
    /// let strict = member_mock::RateLimitPolicy::new(120, Duration::from_secs(10))
    ///     .penalty(Duration::from_secs(10));
    /// assert_eq!(
    ///     serde_json::to_string(&strict).unwrap(),
    ///     r#"{"requests":120,"window_secs":10,"penalty_secs":10}"#
    /// );
    /// ```
    #[must_use]
    pub fn penalty(mut self, penalty: Duration) -> Self {
        self.penalty = Some(penalty);
        self
    }

    /// The real API's documented per-token limit: 1,200 per 5 minutes.
    pub fn cloudflare_default() -> Self {
        Self::new(1200, Duration::from_secs(300))
    }

    fn window_secs(&self) -> u64 {
        self.window.as_secs().max(1)
    }
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

mod opt_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option, reason = "serde's `with` passes a reference")]
    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<u64>::deserialize(d).map(|v| v.map(Duration::from_secs))
    }
}

/// What the limiter says about one request.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) allowed: bool,
    pub(crate) remaining: u32,
    pub(crate) reset_secs: u64,
    pub(crate) limit: RateLimitPolicy,
}

impl Verdict {
    /// The `Ratelimit` and `Ratelimit-Policy` headers the real API sends.
    pub(crate) fn headers(&self) -> [(&'static str, String); 2] {
        [
            (
                "ratelimit",
                format!("\"default\";r={};t={}", self.remaining, self.reset_secs),
            ),
            (
                "ratelimit-policy",
                format!(
                    "\"default\";q={};w={}",
                    self.limit.requests,
                    self.limit.window_secs()
                ),
            ),
        ]
    }
}

#[derive(Debug, Default)]
pub(crate) struct Limiter {
    limit: Option<RateLimitPolicy>,
    window_start: Option<Instant>,
    count: u32,
    /// Sliding mode: when each request still in the window was admitted,
    /// oldest first.
    admitted: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// Whole seconds, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Limiter {
    pub(crate) fn new(limit: Option<RateLimitPolicy>) -> Self {
        Self {
            limit,
            window_start: None,
            count: 0,
            admitted: VecDeque::new(),
            blocked_until: None,
        }
    }

    pub(crate) fn limit(&self) -> Option<RateLimitPolicy> {
        self.limit
    }

    pub(crate) fn set(&mut self, limit: Option<RateLimitPolicy>) {
        *self = Self::new(limit);
    }

    /// Counts one request; `None` when no limit is set.
    pub(crate) fn check(&mut self, now: Instant) -> Option<Verdict> {
        let limit = self.limit?;
        if let Some(until) = self.blocked_until.filter(|until| *until > now) {
            let left = until - now;
            return Some(Verdict {
                allowed: false,
                remaining: 0,
                reset_secs: (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1),
                limit,
            });
        }
        let window = Duration::from_secs(limit.window_secs());
        let (allowed, remaining, reset_secs) = match limit.mode {
            WindowMode::Fixed => self.fixed(limit, window, now),
            WindowMode::Sliding => self.sliding(limit, window, now),
        };
        if !allowed {
            if let Some(penalty) = limit.penalty {
                self.blocked_until = Some(now + penalty);
                return Some(Verdict {
                    allowed: false,
                    remaining: 0,
                    reset_secs: penalty.as_secs().max(1),
                    limit,
                });
            }
        }
        Some(Verdict {
            allowed,
            remaining,
            reset_secs: reset_secs.max(1),
            limit,
        })
    }

    /// A window from its first request: (allowed, remaining, reset).
    fn fixed(
        &mut self,
        limit: RateLimitPolicy,
        window: Duration,
        now: Instant,
    ) -> (bool, u32, u64) {
        let start = match self.window_start {
            Some(start) if now.duration_since(start) < window => start,
            _ => {
                self.count = 0;
                self.window_start = Some(now);
                now
            }
        };
        let left = window.saturating_sub(now.duration_since(start));
        let allowed = self.count < limit.requests;
        if allowed {
            self.count += 1;
        }
        (
            allowed,
            limit.requests.saturating_sub(self.count),
            ceil_secs(left),
        )
    }

    /// At most `requests` admitted in `(now - window, now]`: a request
    /// admitted exactly one window ago no longer counts.
    fn sliding(
        &mut self,
        limit: RateLimitPolicy,
        window: Duration,
        now: Instant,
    ) -> (bool, u32, u64) {
        while self
            .admitted
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= window)
        {
            self.admitted.pop_front();
        }
        let allowed = self.admitted.len() < limit.requests as usize;
        if allowed {
            self.admitted.push_back(now);
        }
        let remaining = u32::try_from(self.admitted.len())
            .map_or(0, |used| limit.requests.saturating_sub(used));
        // When the next slot comes back: the oldest counted request leaves.
        let next = self.admitted.front().map_or(window, |at| {
            window.saturating_sub(now.saturating_duration_since(*at))
        });
        (allowed, remaining, ceil_secs(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_resets() {
        let mut limiter = Limiter::new(Some(RateLimitPolicy::new(2, Duration::from_secs(10))));
        let t0 = Instant::now();
        assert!(limiter.check(t0).unwrap().allowed);
        assert!(limiter.check(t0).unwrap().allowed);
        let refused = limiter.check(t0 + Duration::from_secs(3)).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 7);
        assert!(limiter.check(t0 + Duration::from_secs(10)).unwrap().allowed);
    }

    #[test]
    fn a_breach_blocks_for_the_penalty() {
        let limit =
            RateLimitPolicy::new(2, Duration::from_secs(10)).penalty(Duration::from_secs(30));
        let mut limiter = Limiter::new(Some(limit));
        let t0 = Instant::now();
        assert!(limiter.check(t0).unwrap().allowed);
        assert!(limiter.check(t0).unwrap().allowed);
        let breach = limiter.check(t0 + Duration::from_secs(1)).unwrap();
        assert!(!breach.allowed);
        assert_eq!(breach.reset_secs, 30);
        // The window has turned over, but the block still holds.
        let blocked = limiter.check(t0 + Duration::from_secs(12)).unwrap();
        assert!(!blocked.allowed);
        assert_eq!(blocked.reset_secs, 19);
        assert!(limiter.check(t0 + Duration::from_secs(31)).unwrap().allowed);
    }

    #[test]
    fn penalty_in_json_is_optional() {
        let plain: RateLimitPolicy =
            serde_json::from_str(r#"{"requests":5,"window_secs":10}"#).unwrap();
        assert_eq!(plain.penalty, None);
        let strict: RateLimitPolicy =
            serde_json::from_str(r#"{"requests":5,"window_secs":10,"penalty_secs":60}"#).unwrap();
        assert_eq!(strict.penalty, Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_sliding_window_admits_n_in_any_interval() {
        let mut limiter = Limiter::new(Some(RateLimitPolicy::sliding(2, Duration::from_secs(10))));
        let t0 = Instant::now();
        let first = limiter.check(t0).unwrap();
        assert!(first.allowed);
        assert_eq!((first.remaining, first.reset_secs), (1, 10));
        let second = limiter.check(t0 + Duration::from_secs(6)).unwrap();
        assert!(second.allowed);
        // Nothing left; the first request leaves the window in 4 s.
        assert_eq!((second.remaining, second.reset_secs), (0, 4));
        // A fixed window opened at t0 would have reset at 10 s; here the
        // request of 6 s still counts until 16 s.
        let refused = limiter.check(t0 + Duration::from_millis(9_500)).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 1);
        let back = limiter.check(t0 + Duration::from_secs(10)).unwrap();
        assert!(back.allowed, "exactly one window after the first");
        assert_eq!((back.remaining, back.reset_secs), (0, 6));
        assert!(!limiter.check(t0 + Duration::from_secs(15)).unwrap().allowed);
        assert!(limiter.check(t0 + Duration::from_secs(16)).unwrap().allowed);
    }

    #[test]
    fn mode_in_json_is_optional() {
        let plain: RateLimitPolicy =
            serde_json::from_str(r#"{"requests":5,"window_secs":10}"#).unwrap();
        assert_eq!(plain.mode, WindowMode::Fixed);
        let sliding: RateLimitPolicy =
            serde_json::from_str(r#"{"requests":5,"window_secs":10,"mode":"sliding"}"#).unwrap();
        assert_eq!(
            sliding,
            RateLimitPolicy::sliding(5, Duration::from_secs(10))
        );
    }

    #[test]
    fn off_by_default() {
        assert!(Limiter::default().check(Instant::now()).is_none());
    }
}
