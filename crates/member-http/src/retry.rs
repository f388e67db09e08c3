//! When to retry, and how long to wait first.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use http::Method;

use crate::error::{Error, TimeoutPhase};

/// The wait before the first retry.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The share of the backoff that jitter may take off (the wait is between
/// 75 % and 100 % of the nominal backoff).
pub const JITTER_FRACTION: f64 = 0.25;

/// The wait before retry number `retry` (0 for the first retry), given a
/// jitter draw `unit` in `[0, 1)`: `min(0.5 s × 2^retry, 8 s) × (1 − 0.25 ×
/// unit)`.
///
/// ```
/// use std::time::Duration;
/// use member_http::backoff_delay;
///
/// assert_eq!(backoff_delay(0, 0.0), Duration::from_millis(500));
/// assert_eq!(backoff_delay(1, 0.0), Duration::from_secs(1));
/// assert_eq!(backoff_delay(10, 0.0), Duration::from_secs(8));
/// assert_eq!(backoff_delay(0, 0.999_999), Duration::from_micros(375_000));
/// ```
pub fn backoff_delay(retry: u32, unit: f64) -> Duration {
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

/// Whether the failed attempt may be repeated.
///
/// Idempotent methods: connection failures, timeouts (except the overall
/// deadline), 408, 409, 429 and 5xx, with `x-should-retry` overriding the
/// status rule. Other methods (POST): only a connect failure or connect
/// timeout (the request certainly did not reach the server) or a 429 (the
/// server said it did not process it); `x-should-retry: false` still vetoes
/// a 429, and `x-should-retry: true` never makes a POST retry after a 5xx, a
/// timeout or a lost connection.
pub(crate) fn should_retry(method: &Method, err: &Error) -> bool {
    if is_idempotent(method) {
        return err.is_retryable();
    }
    match err {
        Error::Connection(e) => e.is_connect(),
        Error::Timeout(e) => e.phase() == TimeoutPhase::Connect,
        Error::Api(e) => e.status() == 429 && e.meta().should_retry() != Some(false),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_jitter_is_reproducible_and_in_range() {
        let a = Jitter::new(Some(7));
        let b = Jitter::new(Some(7));
        for _ in 0..1000 {
            let x = a.next_unit();
            assert_eq!(x, b.next_unit());
            assert!((0.0..1.0).contains(&x));
        }
    }

    #[test]
    fn backoff_bounds() {
        for retry in 0..12 {
            let nominal = INITIAL_BACKOFF
                .saturating_mul(1 << retry.min(8))
                .min(MAX_BACKOFF);
            let hi = backoff_delay(retry, 0.0);
            let lo = backoff_delay(retry, 1.0);
            assert_eq!(hi, nominal);
            assert_eq!(lo, nominal.mul_f64(0.75));
        }
        assert_eq!(backoff_delay(u32::MAX, f64::NAN), MAX_BACKOFF);
    }

    #[test]
    fn methods() {
        assert!(is_idempotent(&Method::PUT));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }
}
