//! Client-side rate limiting, off unless the caller asks for it
//! ([`HttpClientBuilder::rate_limit`](crate::HttpClientBuilder::rate_limit)).
//!
//! Three things decide when an attempt may be sent, all shared by every clone
//! of one [`HttpClient`](crate::HttpClient):
//!
//! 1. **The configured budget**, a `governor` GCRA limiter: `requests` per
//!    `window`, up to `burst` at once (by default the whole budget, which is
//!    what a fixed-window server such as Cloudflare's allows).
//! 2. **The server's own count**, from the `Ratelimit` header
//!    (`"default";r=<remaining>;t=<seconds to reset>`): the client keeps an
//!    estimate of what the server will still accept, less its own requests
//!    still in flight, and when that reaches zero every attempt waits until
//!    the server's window resets (plus a small margin). So the client slows
//!    down *before* the server refuses, and also when other programs share
//!    the token.
//! 3. **A shared block after a 429**: the wait the server asked for
//!    (`Retry-After`, else the `Ratelimit` reset, else the backoff) holds back
//!    every attempt of the client, not only the one that was refused, and it
//!    is honoured even above `retry_after_cap`, because the caller opted in.
//!
//! Every wait goes through `tokio::time` (the GCRA limiter reads a clock built
//! on `tokio::time::Instant`), so tests on Tokio's paused clock see the
//! limiter exactly, without real waiting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::response::ResponseMeta;

/// Cloudflare's documented per-token limit: requests per window.
const CLOUDFLARE_REQUESTS: u32 = 1200;
/// Cloudflare's documented per-token window.
const CLOUDFLARE_WINDOW: Duration = Duration::from_secs(300);
/// The `t` of a `Ratelimit` header is in whole seconds, so two answers from
/// the same server window may name resets this far apart.
const SAME_WINDOW_TOLERANCE: Duration = Duration::from_millis(1500);

/// The client-side rate limit: `requests` per `window`, for
/// [`HttpClientBuilder::rate_limit`](crate::HttpClientBuilder::rate_limit).
///
/// - **Budget**: at most `burst` attempts at once (default: all `requests`),
///   refilled evenly at `requests` per `window`. Every attempt, retries
///   included, takes one permit before it is sent.
/// - **Server headers** (on by default): the `Ratelimit` header's remaining
///   count and reset time are followed, so the client pauses until the
///   server's window resets instead of being refused. Turn off with
///   [`follow_headers(false)`](Self::follow_headers).
/// - **Reset margin**: how long after the server's announced reset the
///   client waits before sending again (default `window / 40`, at most
///   1 s), covering the header's whole-second rounding and clock skew.
/// - After a 429, every request of the client waits what the server asked,
///   even above [`retry_after_cap`](crate::HttpClientBuilder::retry_after_cap).
///
/// With `burst(1)` the client sends evenly spaced attempts and never more
/// than `requests` in any `window`-long interval even without the server's
/// headers; the default burst is faster against a fixed-window server (it
/// uses each window's whole budget at once) and relies on the headers to
/// stop at the server's count.
///
/// ```
/// use std::time::Duration;
/// use member_http::{HttpClient, Credentials, RateLimitConfig};
///
/// let preset = RateLimitConfig::cloudflare();
/// assert_eq!(preset.requests(), 1200);
/// assert_eq!(preset.window(), Duration::from_secs(300));
///
/// let scaled = RateLimitConfig::new(120, Duration::from_secs(10)).burst(20);
/// assert_eq!(scaled.effective_burst(), 20);
/// assert_eq!(scaled.effective_reset_margin(), Duration::from_millis(250));
///
/// let client = HttpClient::builder()
///     .credentials(Credentials::token("t"))
///     .rate_limit(scaled)
///     .build()?;
/// assert!(client.rate_limit().is_some());
/// # Ok::<(), member_http::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    requests: u32,
    window: Duration,
    burst: Option<u32>,
    reset_margin: Option<Duration>,
    follow_headers: bool,
}

impl RateLimitConfig {
    /// `requests` per `window`. Zero requests or a zero window is refused
    /// when the client is built.
    ///
    /// ```
    /// use std::time::Duration;
    /// let limit = member_http::RateLimitConfig::new(100, Duration::from_secs(60));
    /// assert_eq!(limit.effective_burst(), 100);
    /// assert!(limit.follows_headers());
    /// ```
    pub fn new(requests: u32, window: Duration) -> Self {
        Self {
            requests,
            window,
            burst: None,
            reset_margin: None,
            follow_headers: true,
        }
    }

    /// Cloudflare's documented limit, 1,200 requests per 5 minutes per
    /// token, with a 1 s reset margin.
    ///
    /// ```
    /// use std::time::Duration;
    /// let limit = member_http::RateLimitConfig::cloudflare();
    /// assert_eq!(limit.effective_reset_margin(), Duration::from_secs(1));
    /// ```
    pub fn cloudflare() -> Self {
        Self::new(CLOUDFLARE_REQUESTS, CLOUDFLARE_WINDOW).reset_margin(Duration::from_secs(1))
    }

    /// The most attempts sent at once before the even refill takes over
    /// (default and maximum: `requests`; at least 1).
    ///
    /// ```
    /// use std::time::Duration;
    /// let even = member_http::RateLimitConfig::new(120, Duration::from_secs(10)).burst(1);
    /// assert_eq!(even.effective_burst(), 1);
    /// ```
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = Some(burst);
        self
    }

    /// How long after the server's announced reset to wait before sending
    /// again (default `window / 40`, at most 1 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let limit = member_http::RateLimitConfig::new(120, Duration::from_secs(10))
    ///     .reset_margin(Duration::ZERO);
    /// assert_eq!(limit.effective_reset_margin(), Duration::ZERO);
    /// ```
    #[must_use]
    pub fn reset_margin(mut self, margin: Duration) -> Self {
        self.reset_margin = Some(margin);
        self
    }

    /// Whether to follow the server's `Ratelimit` header (default `true`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let limit = member_http::RateLimitConfig::new(120, Duration::from_secs(10))
    ///     .follow_headers(false);
    /// assert!(!limit.follows_headers());
    /// ```
    #[must_use]
    pub fn follow_headers(mut self, follow: bool) -> Self {
        self.follow_headers = follow;
        self
    }

    /// Requests per window.
    ///
    /// ```
    /// assert_eq!(member_http::RateLimitConfig::cloudflare().requests(), 1200);
    /// ```
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The window.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(member_http::RateLimitConfig::cloudflare().window(), Duration::from_secs(300));
    /// ```
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The burst in force (see [`burst`](Self::burst)).
    ///
    /// ```
    /// assert_eq!(member_http::RateLimitConfig::cloudflare().effective_burst(), 1200);
    /// ```
    pub fn effective_burst(&self) -> u32 {
        self.burst
            .unwrap_or(self.requests)
            .clamp(1, self.requests.max(1))
    }

    /// The reset margin in force (see [`reset_margin`](Self::reset_margin)).
    ///
    /// ```
    /// use std::time::Duration;
    /// let limit = member_http::RateLimitConfig::new(10, Duration::from_secs(4));
    /// assert_eq!(limit.effective_reset_margin(), Duration::from_millis(100));
    /// ```
    pub fn effective_reset_margin(&self) -> Duration {
        self.reset_margin
            .unwrap_or_else(|| (self.window / 40).min(Duration::from_secs(1)))
    }

    /// Whether the `Ratelimit` header is followed.
    ///
    /// ```
    /// assert!(member_http::RateLimitConfig::cloudflare().follows_headers());
    /// ```
    pub fn follows_headers(&self) -> bool {
        self.follow_headers
    }

    /// The GCRA quota, or why there is none.
    pub(crate) fn quota(&self) -> Result<Quota, String> {
        if self.requests == 0 {
            return Err("the rate limit must allow at least one request per window".to_owned());
        }
        let period = self.window / self.requests;
        let quota = Quota::with_period(period).ok_or_else(|| {
            "the rate limit window must be long enough for one request (above zero)".to_owned()
        })?;
        let burst = std::num::NonZeroU32::new(self.effective_burst())
            .ok_or_else(|| "the rate limit burst must be at least 1".to_owned())?;
        Ok(quota.allow_burst(burst))
    }
}

/// Stops requests that have not been sent yet: set it on
/// [`RequestOptions::cancel_token`](crate::RequestOptions::cancel_token).
///
/// A request waiting for the rate limiter (or before its first attempt)
/// gives up with [`Error::Cancelled`](crate::Error::Cancelled), nothing sent.
/// A request already sent is never torn down by the token: it finishes and
/// reports its answer, except that it is not *retried* after the token is
/// cancelled (the last failure is returned instead). Clones share one state.
///
/// ```
/// let token = member_http::CancelToken::new();
/// let clone = token.clone();
/// assert!(!clone.is_cancelled());
/// token.cancel();
/// assert!(clone.is_cancelled());
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<CancelInner>,
}

#[derive(Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl CancelToken {
    /// A token that is not cancelled.
    ///
    /// ```
    /// assert!(!member_http::CancelToken::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels: requests not sent yet stop; wakes every waiter.
    ///
    /// ```
    /// let token = member_http::CancelToken::new();
    /// token.cancel();
    /// token.cancel(); // idempotent
    /// assert!(token.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    ///
    /// ```
    /// assert!(!member_http::CancelToken::default().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once the token is cancelled.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let token = member_http::CancelToken::new();
    /// let waiter = token.clone();
    /// let task = tokio::spawn(async move { waiter.cancelled().await });
    /// token.cancel();
    /// task.await.unwrap();
    /// # }
    /// ```
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// A `governor` clock on Tokio's clock, so that paused time drives it.
#[derive(Clone, Debug)]
pub(crate) struct TokioClock {
    origin: Instant,
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(Instant::now().saturating_duration_since(self.origin))
    }
}

type Gcra = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Nanos>>;

/// What the server said about its window, less our requests since.
#[derive(Clone, Copy, Debug)]
struct ServerWindow {
    remaining: u64,
    reset_at: Instant,
}

#[derive(Debug, Default)]
struct State {
    /// After a 429: nobody sends before this.
    blocked_until: Option<Instant>,
    /// From the `Ratelimit` header.
    server: Option<ServerWindow>,
    /// Attempts holding a permit (sent or about to be).
    in_flight: u64,
    /// Whether the stricter-policy warning was logged.
    policy_warned: bool,
}

/// The limiter of one client.
pub(crate) struct Limiter {
    config: RateLimitConfig,
    gcra: Gcra,
    clock: TokioClock,
    state: Mutex<State>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The right to send one attempt. Dropping it (the attempt is over, or was
/// abandoned) frees its in-flight slot.
pub(crate) struct Permit<'a> {
    limiter: Option<&'a Limiter>,
}

impl Permit<'_> {
    /// Records the answer of the attempt this permit was for.
    pub(crate) fn finish(mut self, meta: Option<&ResponseMeta>) {
        if let Some(limiter) = self.limiter.take() {
            limiter.finish(meta);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(limiter) = self.limiter.take() {
            limiter.finish(None);
        }
    }
}

impl Limiter {
    pub(crate) fn new(config: RateLimitConfig) -> Result<Self, String> {
        let quota = config.quota()?;
        let clock = TokioClock {
            origin: Instant::now(),
        };
        Ok(Self {
            gcra: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            config,
            state: Mutex::new(State::default()),
        })
    }

    pub(crate) fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A permit now, or the instant to try again at.
    pub(crate) fn try_acquire(&self) -> Result<Permit<'_>, Instant> {
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(until) = state.blocked_until {
            if until > now {
                return Err(until);
            }
            state.blocked_until = None;
        }
        if let Some(window) = state.server {
            let open_at = window.reset_at + self.config.effective_reset_margin();
            if now >= open_at {
                state.server = None;
            } else if window.remaining == 0 {
                return Err(open_at);
            }
        }
        // Checked under the lock, so that a permit of the budget is only
        // spent when the server's count allows the attempt too.
        if let Err(not_until) = self.gcra.check() {
            let wait = not_until.wait_time_from(self.clock.now());
            return Err(now + wait.max(Duration::from_micros(1)));
        }
        if let Some(window) = &mut state.server {
            window.remaining = window.remaining.saturating_sub(1);
        }
        state.in_flight += 1;
        Ok(Permit {
            limiter: Some(self),
        })
    }

    /// One attempt is over; `meta` holds its answer's headers, if any.
    fn finish(&self, meta: Option<&ResponseMeta>) {
        let now = Instant::now();
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if let Some(meta) = meta.filter(|_| self.config.follow_headers) {
            self.follow(&mut state, meta, now);
        }
    }

    fn follow(&self, state: &mut State, meta: &ResponseMeta, now: Instant) {
        if !state.policy_warned {
            if let Some((quota, window)) = meta.rate_limit_policy().and_then(parse_policy) {
                // Stricter when quota / window < requests / window, compared
                // without division.
                let ours = u128::from(self.config.requests) * window.as_millis();
                let theirs = u128::from(quota) * self.config.window.as_millis();
                if theirs < ours {
                    state.policy_warned = true;
                    tracing::warn!(
                        server_quota = quota,
                        server_window_secs = window.as_secs(),
                        requests = self.config.requests,
                        window_secs = self.config.window.as_secs(),
                        "the server's Ratelimit-Policy is stricter than the configured rate limit; \
                         following the server's Ratelimit header"
                    );
                }
            }
        }
        let Some(limit) = meta.rate_limit() else {
            return;
        };
        let (Some(remaining), Some(reset)) = (limit.remaining, limit.reset) else {
            return;
        };
        let reset_at = now + reset;
        // Our other attempts in flight may not be counted in `r` yet.
        let estimate = remaining.saturating_sub(state.in_flight);
        state.server = Some(match state.server {
            Some(window) if within(window.reset_at, reset_at, SAME_WINDOW_TOLERANCE) => {
                // Same window: the server's count only goes down, and every
                // answer's `now + t` is at or after the true reset when the
                // server rounds `t` up, so the earliest is the closest.
                ServerWindow {
                    remaining: window.remaining.min(estimate),
                    reset_at: window.reset_at.min(reset_at),
                }
            }
            // A late answer from a window that has already reset.
            Some(window) if reset_at < window.reset_at => window,
            _ => ServerWindow {
                remaining: estimate,
                reset_at,
            },
        });
    }

    /// Holds back every attempt until `now + wait` (after a 429).
    pub(crate) fn block_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.lock();
        state.blocked_until = Some(state.blocked_until.map_or(until, |t| t.max(until)));
    }
}

fn within(a: Instant, b: Instant, tolerance: Duration) -> bool {
    let gap = if a > b { a - b } else { b - a };
    gap <= tolerance
}

/// `"default";q=1200;w=300` → (1200, 300 s).
fn parse_policy(raw: &str) -> Option<(u32, Duration)> {
    let mut quota = None;
    let mut window = None;
    for param in raw.split([';', ',']) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match key.trim() {
            "q" => quota = value.parse().ok(),
            "w" => window = value.parse().ok().map(Duration::from_secs),
            _ => {}
        }
    }
    match (quota, window) {
        (Some(q), Some(w)) if !w.is_zero() => Some((q, w)),
        _ => None,
    }
}

/// Why waiting for a permit stopped.
pub(crate) enum PermitStop {
    /// Waiting would pass the overall deadline.
    Deadline,
    /// The cancel token was cancelled.
    Cancelled,
}

/// Waits for a permit, giving up when the wait would pass `deadline_at` or
/// `cancel` is cancelled. Returns the permit and how long it took.
pub(crate) async fn acquire<'a>(
    limiter: &'a Limiter,
    deadline_at: Option<Instant>,
    cancel: Option<&CancelToken>,
) -> Result<(Permit<'a>, Duration), PermitStop> {
    let started = Instant::now();
    loop {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(PermitStop::Cancelled);
        }
        let until = match limiter.try_acquire() {
            Ok(permit) => return Ok((permit, started.elapsed())),
            Err(until) => until,
        };
        if deadline_at.is_some_and(|at| until >= at) {
            return Err(PermitStop::Deadline);
        }
        sleep_until(until, cancel).await;
    }
}

/// Sleeps until `until`, or until `cancel` is cancelled; says whether the
/// sleep ran to its end.
pub(crate) async fn sleep_until(until: Instant, cancel: Option<&CancelToken>) -> bool {
    match cancel {
        Some(token) => {
            tokio::select! {
                () = tokio::time::sleep_until(until) => true,
                () = token.cancelled() => false,
            }
        }
        None => {
            tokio::time::sleep_until(until).await;
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    fn meta(remaining: u64, reset: u64) -> ResponseMeta {
        let mut headers = HeaderMap::new();
        headers.insert(
            "ratelimit",
            HeaderValue::from_str(&format!("\"default\";r={remaining};t={reset}")).unwrap(),
        );
        ResponseMeta::new(headers)
    }

    #[test]
    fn config_defaults_and_checks() {
        let c = RateLimitConfig::new(120, Duration::from_secs(10));
        assert_eq!(c.effective_burst(), 120);
        assert_eq!(c.effective_reset_margin(), Duration::from_millis(250));
        assert_eq!(c.clone().burst(500).effective_burst(), 120);
        assert_eq!(c.clone().burst(0).effective_burst(), 1);
        assert!(RateLimitConfig::new(0, Duration::from_secs(1))
            .quota()
            .is_err());
        assert!(RateLimitConfig::new(5, Duration::ZERO).quota().is_err());
        let q = c.quota().unwrap();
        assert_eq!(
            q.replenish_interval(),
            Duration::from_millis(83) + Duration::from_nanos(333_333)
        );
        assert_eq!(q.burst_size().get(), 120);
    }

    #[test]
    fn policy_parses() {
        assert_eq!(
            parse_policy("\"default\";q=1200;w=300"),
            Some((1200, Duration::from_secs(300)))
        );
        assert_eq!(parse_policy("q=5"), None);
        assert_eq!(parse_policy("\"default\";q=1;w=0"), None);
    }

    #[tokio::test(start_paused = true)]
    async fn budget_then_server_window_then_block() {
        let limiter = Limiter::new(RateLimitConfig::new(3, Duration::from_secs(3))).unwrap();
        let a = limiter.try_acquire().unwrap();
        let b = limiter.try_acquire().unwrap();
        // The server says one left, reset in 5 s; `b` is still in flight.
        a.finish(Some(&meta(1, 5)));
        let open = limiter.try_acquire().err().expect("no more until reset");
        assert_eq!(
            open.duration_since(Instant::now()),
            Duration::from_secs(5) + Duration::from_millis(75)
        );
        drop(b);
        tokio::time::advance(Duration::from_secs(6)).await;
        let c = limiter.try_acquire().unwrap();
        c.finish(None);
        limiter.block_for(Duration::from_secs(30));
        let until = limiter.try_acquire().err().expect("blocked");
        assert_eq!(
            until.duration_since(Instant::now()),
            Duration::from_secs(30)
        );
        assert_eq!(limiter.lock().in_flight, 0);
    }
}
