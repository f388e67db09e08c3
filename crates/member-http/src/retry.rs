//! When to retry, and how long to wait first: every rule in one place.
//!
//! [`decide`] is the whole decision after a failed attempt, a pure function
//! of the policy, the attempt, the failure, the clock and the deadline. The
//! attempt loop only carries it out, and [`Error::is_retryable`] asks the
//! same [`may_repeat`] rule that [`decide`] does.
//!
//! The backoff before retry `n` (0 for the first) is
//! `min(0.5 s × 2^n, 8 s)`, less a jitter of up to a quarter of it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use http::Method;
use tokio::time::Instant;

use crate::error::{Error, TimeoutPhase};

/// The wait before the first retry.
const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The share of the backoff that jitter may take off (the wait is between
/// 75 % and 100 % of the nominal backoff).
const JITTER_FRACTION: f64 = 0.25;

/// The wait before retry number `retry` (0 for the first retry), given a
/// jitter draw `unit` in `[0, 1)`: `min(0.5 s × 2^retry, 8 s) × (1 − 0.25 ×
/// unit)`. A `unit` outside `[0, 1]` is clamped; one that is not finite
/// counts as 0.
pub(crate) fn backoff_delay(retry: u32, unit: f64) -> Duration {
    let nominal = INITIAL_BACKOFF
        .saturating_mul(2u32.saturating_pow(retry.min(16)))
        .min(MAX_BACKOFF);
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let factor = 1.0 - JITTER_FRACTION * unit;
    // Whole microseconds keep the result exact and easy to compare.
    let micros = (nominal.as_micros() as f64 * factor).round() as u64;
    Duration::from_micros(micros)
}

/// The jitter source: SplitMix64, seeded from the process's random hasher
/// keys, or from a fixed seed for reproducible tests. Jitter needs no
/// cryptographic quality, only spread.
pub(crate) struct Jitter {
    state: Mutex<u64>,
}

impl Jitter {
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let seed = seed.unwrap_or_else(|| RandomState::new().build_hasher().finish());
        Self {
            state: Mutex::new(seed),
        }
    }

    /// A draw in `[0, 1)`.
    pub(crate) fn next_unit(&self) -> f64 {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Whether a method may be repeated without changing the outcome.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Whether the request that failed with `failure` may be sent again.
///
/// Idempotent requests: connection failures, timeouts (except the overall
/// deadline and a wait in the rate limiter's queue), 408, 409, 429 and 5xx,
/// with `x-should-retry` overriding the status rule. Other requests (POST):
/// only when the request certainly was not processed: a connect failure or
/// connect timeout (it never reached the server), or a 429 (the server said
/// it did not process it) unless `x-should-retry: false`; `x-should-retry:
/// true` never makes a POST retry after a 5xx, a timeout or a lost
/// connection.
pub(crate) fn may_repeat(failure: &Error, idempotent: bool) -> bool {
    match failure {
        Error::Connection(e) => idempotent || e.is_connect(),
        Error::Timeout(e) => match e.phase() {
            TimeoutPhase::Connect => true,
            TimeoutPhase::Attempt => idempotent,
            TimeoutPhase::Deadline | TimeoutPhase::Queued => false,
        },
        Error::Api(e) => {
            let header = e.meta().should_retry();
            if idempotent {
                header.unwrap_or(matches!(e.status(), 408 | 409 | 429 | 500..=599))
            } else {
                e.status() == 429 && header != Some(false)
            }
        }
        _ => false,
    }
}

/// The retry settings of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub(crate) max_retries: u32,
    /// The longest `Retry-After` waited for without the limiter.
    pub(crate) retry_after_cap: Duration,
    /// Whether the client-side rate limiter is on: it then takes over the
    /// wait after a 429, whatever its length.
    pub(crate) limiter: bool,
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Sleep this long, then send the next attempt.
    RetryAfter(Duration),
    /// Block the rate limiter for this long (every request of the client
    /// waits), and send the next attempt when the limiter gives it a permit.
    WaitForLimiter(Duration),
    /// Return the failure.
    GiveUp {
        /// After a 429 under the limiter that is not retried, the wait that
        /// still holds back every other request of the client.
        limiter_block: Option<Duration>,
        /// The cap, when the server asked to wait longer than it (recorded
        /// in the error).
        wait_refused_cap: Option<Duration>,
    },
}

impl Decision {
    /// Giving up with nothing else to record.
    pub(crate) const GIVE_UP: Self = Self::GiveUp {
        limiter_block: None,
        wait_refused_cap: None,
    };

    /// The wait before the next attempt, when there is one.
    pub(crate) fn retry_in(self) -> Option<Duration> {
        match self {
            Self::RetryAfter(wait) | Self::WaitForLimiter(wait) => Some(wait),
            Self::GiveUp { .. } => None,
        }
    }
}

/// The decision after attempt number `attempt` (from 1) of a `method`
/// request failed with `failure`, at `now`, given the overall `deadline`.
///
/// The rules, in order:
/// 1. The failure may be retried when attempts are left (`attempt <=
///    max_retries`) and [`may_repeat`] allows it for the method.
/// 2. A 429 under the rate limiter: the wait is `Retry-After`, else the
///    `Ratelimit` header's reset, else the backoff, honoured whatever its
///    length. It blocks the limiter even when the request is not retried.
/// 3. Otherwise a `Retry-After` above `retry_after_cap` refuses the retry
///    (the cap is recorded in the error); one within it is the wait; without
///    one the wait is the backoff for this retry.
/// 4. A wait that would reach the deadline is pointless: give up, the real
///    failure says more than a timeout would.
///
/// `jitter` gives a draw in `[0, 1)`; it is called only when the backoff is
/// the wait, so seeded runs draw the same sequence.
pub(crate) fn decide(
    policy: &RetryPolicy,
    method: &Method,
    attempt: u32,
    failure: &Error,
    now: Instant,
    deadline: Option<Instant>,
    jitter: impl FnOnce() -> f64,
) -> Decision {
    let retryable = attempt <= policy.max_retries && may_repeat(failure, is_idempotent(method));
    let backoff = || backoff_delay(attempt.saturating_sub(1), jitter());
    let passes_deadline = |wait: Duration| {
        deadline.is_some_and(|at| now.checked_add(wait).is_none_or(|end| end >= at))
    };
    if policy.limiter && failure.status() == Some(429) {
        let wait = failure
            .retry_after()
            .or_else(|| failure.meta().and_then(|m| m.rate_limit()?.reset))
            .unwrap_or_else(backoff);
        return if retryable && !passes_deadline(wait) {
            Decision::WaitForLimiter(wait)
        } else {
            Decision::GiveUp {
                limiter_block: Some(wait),
                wait_refused_cap: None,
            }
        };
    }
    if !retryable {
        return Decision::GIVE_UP;
    }
    let wait = match failure.retry_after() {
        Some(wait) if wait > policy.retry_after_cap => {
            return Decision::GiveUp {
                limiter_block: None,
                wait_refused_cap: Some(policy.retry_after_cap),
            }
        }
        Some(wait) => wait,
        None => backoff(),
    };
    if passes_deadline(wait) {
        Decision::GIVE_UP
    } else {
        Decision::RetryAfter(wait)
    }
}

#[cfg(test)]
mod tests;
