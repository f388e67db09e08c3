//! A fixed-window rate limiter like the real API's (1,200 requests per five
//! minutes per token): past the limit, 429 with code 10100 and `Retry-After`.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// A limit of `requests` per `window`.
///
/// JSON form (the admin API): `{"requests": 1200, "window_secs": 300}`.
///
/// ```
/// use std::time::Duration;
/// let limit = member_mock::RateLimit::new(1200, Duration::from_secs(300));
/// assert_eq!(serde_json::to_string(&limit).unwrap(), r#"{"requests":1200,"window_secs":300}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window, in whole seconds (at least 1).
    #[serde(rename = "window_secs", with = "secs")]
    pub window: Duration,
}

impl RateLimit {
    /// `requests` per `window` (a window under a second counts as one
    /// second).
    pub fn new(requests: u32, window: Duration) -> Self {
        Self { requests, window }
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

/// What the limiter says about one request.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) allowed: bool,
    pub(crate) remaining: u32,
    pub(crate) reset_secs: u64,
    pub(crate) limit: RateLimit,
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
    limit: Option<RateLimit>,
    window_start: Option<Instant>,
    count: u32,
}

impl Limiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limit,
            window_start: None,
            count: 0,
        }
    }

    pub(crate) fn limit(&self) -> Option<RateLimit> {
        self.limit
    }

    pub(crate) fn set(&mut self, limit: Option<RateLimit>) {
        *self = Self::new(limit);
    }

    /// Counts one request; `None` when no limit is set.
    pub(crate) fn check(&mut self, now: Instant) -> Option<Verdict> {
        let limit = self.limit?;
        let window = Duration::from_secs(limit.window_secs());
        let start = match self.window_start {
            Some(start) if now.duration_since(start) < window => start,
            _ => {
                self.count = 0;
                self.window_start = Some(now);
                now
            }
        };
        let left = window.saturating_sub(now.duration_since(start));
        let reset_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let allowed = self.count < limit.requests;
        if allowed {
            self.count += 1;
        }
        Some(Verdict {
            allowed,
            remaining: limit.requests.saturating_sub(self.count),
            reset_secs: reset_secs.max(1),
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_resets() {
        let mut limiter = Limiter::new(Some(RateLimit::new(2, Duration::from_secs(10))));
        let t0 = Instant::now();
        assert!(limiter.check(t0).unwrap().allowed);
        assert!(limiter.check(t0).unwrap().allowed);
        let refused = limiter.check(t0 + Duration::from_secs(3)).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 7);
        assert!(limiter.check(t0 + Duration::from_secs(10)).unwrap().allowed);
    }

    #[test]
    fn off_by_default() {
        assert!(Limiter::default().check(Instant::now()).is_none());
    }
}
