//! Client-side rate limiting, off unless the caller asks for it
//! ([`HttpClientBuilder::rate_limit`](crate::HttpClientBuilder::rate_limit)).
//!
//! Four things decide when an attempt may be sent, all shared by every clone
//! of one [`HttpClient`](crate::HttpClient):
//!
//! 1. **At most `requests` in any `window`-long interval**, by the client's
//!    own log: every attempt holds a slot from the moment it takes its
//!    permit until one `window` after its answer arrived (or it was given
//!    up). The server saw the request between those two moments, so two
//!    requests one slot apart reach the server at least a window apart: the
//!    client never exceeds a fixed-window server (such as Cloudflare's) nor a
//!    strict sliding-window one, without waiting for the server's rounded
//!    headers. The limits the server announces in `Ratelimit-Policy`
//!    (`q` per `w`) are kept to the same way.
//! 2. **The configured burst**, a `governor` GCRA limiter: `requests` per
//!    `window`, up to `burst` at once (by default the whole budget).
//! 3. **Others' use of the token**, from the `Ratelimit` header
//!    (`"default";r=<remaining>;t=<seconds to reset>`): when the server
//!    counts more requests than the client's own log holds (another program
//!    shares the token), the client keeps an estimate of what the server will
//!    still accept, less its own requests in flight, and when that reaches
//!    zero every attempt waits until the server's announced reset plus a
//!    small margin.
//! 4. **A shared block after a 429**: the wait the server asked for
//!    (`Retry-After`, else the `Ratelimit` reset, else the backoff) holds back
//!    every attempt of the client, not only the one that was refused, and it
//!    is honoured even above `retry_after_cap`, because the caller opted in.
//!
//! Every wait goes through `tokio::time` (the GCRA limiter reads a clock built
//! on `tokio::time::Instant`), so tests on Tokio's paused clock see the
//! limiter exactly, without real waiting.

use std::collections::VecDeque;
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
/// - **Budget**: never more than `requests` attempts in any `window`-long
///   interval as the server sees them (each attempt's slot comes back one
///   `window` after its answer), and at most `burst` at once (default: all
///   `requests`), refilled evenly at `requests` per `window`. Every attempt,
///   retries included, takes one permit before it is sent. So the client
///   keeps to a fixed-window server and to a strict sliding-window one
///   alike, using each window's whole budget.
/// - **Server headers** (on by default): the limits of `Ratelimit-Policy`
///   are kept too, and when the `Ratelimit` header counts more requests than
///   this client sent (another program shares the token), its remaining
///   count and reset time are followed, so the client pauses until the
///   server's window resets instead of being refused. Turn off with
///   [`follow_headers(false)`](Self::follow_headers).
/// - **Reset margin**: how long after the server's announced reset the
///   client waits before sending again when it follows that reset (default
///   `window / 40`, at most 1 s), covering the header's whole-second
///   rounding and clock skew.
/// - After a 429, every request of the client waits what the server asked,
///   even above [`retry_after_cap`](crate::HttpClientBuilder::retry_after_cap).
///
/// With `burst(1)` the client sends evenly spaced attempts; the default
/// burst sends a window's budget at once and then waits for the slots to
/// come back.
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

/// The most `Ratelimit-Policy` limits kept, and the largest quota of one
/// that is kept to (a larger one is not kept: the log would grow with it).
const MAX_SERVER_POLICIES: usize = 4;
const MAX_SERVER_QUOTA: u32 = 100_000;

#[derive(Debug, Default)]
struct State {
    /// After a 429: nobody sends before this.
    blocked_until: Option<Instant>,
    /// From the `Ratelimit` header, while it shows others' requests.
    server: Option<ServerWindow>,
    /// Attempts holding a permit (sent or about to be).
    in_flight: u64,
    /// When each attempt's answer came (or the attempt was given up),
    /// oldest first: each holds its slot until one window after.
    finished: VecDeque<Instant>,
    /// The limits of the last `Ratelimit-Policy` header: (quota, window).
    server_policies: Vec<(u32, Duration)>,
    /// Whether the stricter-policy warning was logged.
    policy_warned: bool,
}

/// Why no permit is to be had now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Try again at this instant.
    Until(Instant),
    /// Every slot is held by an attempt in flight: try again when one ends.
    ForAnAnswer,
}

impl State {
    /// The slots in use for a limit of `window`: attempts in flight, and
    /// those answered less than a window ago.
    fn used(&self, window: Duration, now: Instant) -> u64 {
        let recent = self
            .finished
            .iter()
            .rev()
            .take_while(|at| now.saturating_duration_since(**at) < window)
            .count();
        self.in_flight + recent as u64
    }

    /// When a slot comes back under `quota` per `window`, or `None` when
    /// one is free now.
    fn slot_wait(&self, quota: u32, window: Duration, now: Instant) -> Option<Wait> {
        let quota = u64::from(quota.max(1));
        if self.used(window, now) < quota {
            return None;
        }
        if self.in_flight >= quota {
            return Some(Wait::ForAnAnswer);
        }
        // `quota - in_flight` answered attempts may stay within the window:
        // the slot back next is that of the newest one beyond them.
        let keep = (quota - self.in_flight) as usize;
        let back = self.finished.iter().rev().nth(keep - 1)?;
        Some(Wait::Until(*back + window))
    }

    /// Drops what no limit looks at any more.
    fn prune(&mut self, now: Instant, longest: Duration, most: usize) {
        while self
            .finished
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= longest)
            || self.finished.len() > most
        {
            self.finished.pop_front();
        }
    }
}

/// The later of two waits (an unknown one, for an answer, wins).
fn later(a: Option<Wait>, b: Option<Wait>) -> Option<Wait> {
    match (a, b) {
        (Some(Wait::ForAnAnswer), _) | (_, Some(Wait::ForAnAnswer)) => Some(Wait::ForAnAnswer),
        (Some(Wait::Until(a)), Some(Wait::Until(b))) => Some(Wait::Until(a.max(b))),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The limiter of one client.
pub(crate) struct Limiter {
    config: RateLimitConfig,
    gcra: Gcra,
    clock: TokioClock,
    state: Mutex<State>,
    /// Woken when an attempt ends (for [`Wait::ForAnAnswer`]).
    answered: Notify,
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
    /// When the permit was given: the attempt reached the server after.
    granted: Instant,
}

impl Permit<'_> {
    /// Records the answer of the attempt this permit was for.
    pub(crate) fn finish(mut self, meta: Option<&ResponseMeta>) {
        if let Some(limiter) = self.limiter.take() {
            limiter.finish(meta, self.granted);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(limiter) = self.limiter.take() {
            limiter.finish(None, self.granted);
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
            answered: Notify::new(),
        })
    }

    /// Every limit kept to: the configured one and the server's.
    fn limits<'s>(&'s self, state: &'s State) -> impl Iterator<Item = (u32, Duration)> + 's {
        std::iter::once((self.config.requests, self.config.window))
            .chain(state.server_policies.iter().copied())
    }

    pub(crate) fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A permit now, or when to try again.
    pub(crate) fn try_acquire(&self) -> Result<Permit<'_>, Wait> {
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(until) = state.blocked_until {
            if until > now {
                return Err(Wait::Until(until));
            }
            state.blocked_until = None;
        }
        if let Some(window) = state.server {
            let open_at = window.reset_at + self.config.effective_reset_margin();
            if now >= open_at {
                state.server = None;
            } else if window.remaining == 0 {
                return Err(Wait::Until(open_at));
            }
        }
        let slots = self
            .limits(&state)
            .map(|(quota, window)| state.slot_wait(quota, window, now))
            .fold(None, later);
        if let Some(wait) = slots {
            return Err(wait);
        }
        // Checked under the lock and last, so that a permit of the budget is
        // only spent when everything else allows the attempt too.
        if let Err(not_until) = self.gcra.check() {
            let wait = not_until.wait_time_from(self.clock.now());
            return Err(Wait::Until(now + wait.max(Duration::from_micros(1))));
        }
        if let Some(window) = &mut state.server {
            window.remaining = window.remaining.saturating_sub(1);
        }
        state.in_flight += 1;
        Ok(Permit {
            limiter: Some(self),
            granted: now,
        })
    }

    /// One attempt is over; `meta` holds its answer's headers, if any.
    fn finish(&self, meta: Option<&ResponseMeta>, granted: Instant) {
        let now = Instant::now();
        {
            let mut state = self.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
            state.finished.push_back(now);
            if let Some(meta) = meta.filter(|_| self.config.follow_headers) {
                self.follow(&mut state, meta, now, granted);
            }
            let (longest, most) = self
                .limits(&state)
                .fold((Duration::ZERO, 0), |(w, n), (quota, window)| {
                    (w.max(window), n.max(quota as usize))
                });
            state.prune(now, longest, most);
        }
        self.answered.notify_waiters();
    }

    fn follow(&self, state: &mut State, meta: &ResponseMeta, now: Instant, granted: Instant) {
        if let Some(raw) = meta.rate_limit_policy() {
            let policies: Vec<(u32, Duration)> = parse_policies(raw)
                .filter(|(quota, _)| (1..=MAX_SERVER_QUOTA).contains(quota))
                .take(MAX_SERVER_POLICIES)
                .collect();
            if !policies.is_empty() {
                state.server_policies = policies;
            }
        }
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
        // What the server counted, against what this client's own log holds
        // for the server's window: when the log holds as many, every request
        // counted is (or may be) ours, and the log, kept to the server's
        // policy too, already stops where the server would. The server
        // counted when this attempt arrived, after its permit: a request of
        // ours it still counted then was answered less than a window before
        // the permit, so the log is read back to that moment, not to now.
        let (quota, window) = state
            .server_policies
            .first()
            .copied()
            .unwrap_or((self.config.requests, self.config.window));
        let counted = u64::from(quota).saturating_sub(remaining);
        let since_permit = now.saturating_duration_since(granted);
        if counted <= state.used(window + since_permit, now) {
            state.server = None;
            return;
        }
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

/// `"default";q=1200;w=300` → (1200, 300 s); several policies separated
/// by commas give one each.
fn parse_policies(raw: &str) -> impl Iterator<Item = (u32, Duration)> + '_ {
    raw.split(',').filter_map(parse_policy)
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
        // Registered before the try, so that an answer in between wakes it.
        let answered = limiter.answered.notified();
        tokio::pin!(answered);
        answered.as_mut().enable();
        match limiter.try_acquire() {
            Ok(permit) => return Ok((permit, started.elapsed())),
            Err(Wait::Until(until)) => {
                if deadline_at.is_some_and(|at| until >= at) {
                    return Err(PermitStop::Deadline);
                }
                sleep_until(until, cancel).await;
            }
            Err(Wait::ForAnAnswer) => {
                let sleep = async {
                    match deadline_at {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    () = answered => {}
                    () = sleep => return Err(PermitStop::Deadline),
                    () = async {
                        match cancel {
                            Some(token) => token.cancelled().await,
                            None => std::future::pending().await,
                        }
                    } => return Err(PermitStop::Cancelled),
                }
            }
        }
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

    fn until(wait: Wait) -> Duration {
        match wait {
            Wait::Until(at) => at.duration_since(Instant::now()),
            Wait::ForAnAnswer => panic!("waits for an answer"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn budget_then_server_window_then_block() {
        let limiter = Limiter::new(RateLimitConfig::new(3, Duration::from_secs(3))).unwrap();
        let a = limiter.try_acquire().unwrap();
        let b = limiter.try_acquire().unwrap();
        // The server says none left of 3, reset in 5 s, while this client
        // has sent two: someone else sent one. `b` is still in flight.
        a.finish(Some(&meta(0, 5)));
        let open = limiter.try_acquire().err().expect("no more until reset");
        assert_eq!(
            until(open),
            Duration::from_secs(5) + Duration::from_millis(75)
        );
        drop(b);
        tokio::time::advance(Duration::from_secs(6)).await;
        let c = limiter.try_acquire().unwrap();
        c.finish(None);
        limiter.block_for(Duration::from_secs(30));
        let blocked = limiter.try_acquire().err().expect("blocked");
        assert_eq!(until(blocked), Duration::from_secs(30));
        assert_eq!(limiter.lock().in_flight, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_comes_back_one_window_after_its_answer() {
        let limiter = Limiter::new(RateLimitConfig::new(2, Duration::from_secs(10))).unwrap();
        let a = limiter.try_acquire().unwrap();
        let b = limiter.try_acquire().unwrap();
        // Both in flight: nothing to compute until one is answered.
        assert_eq!(limiter.try_acquire().err(), Some(Wait::ForAnAnswer));
        tokio::time::advance(Duration::from_secs(1)).await;
        a.finish(None);
        tokio::time::advance(Duration::from_secs(2)).await;
        b.finish(None);
        // a's slot is back 10 s after its answer (at 11 s), b's at 13 s.
        assert_eq!(
            until(limiter.try_acquire().err().unwrap()),
            Duration::from_secs(8)
        );
        tokio::time::advance(Duration::from_secs(8)).await;
        let c = limiter.try_acquire().unwrap();
        assert_eq!(
            until(limiter.try_acquire().err().unwrap()),
            Duration::from_secs(2)
        );
        drop(c);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_answer_counting_a_request_since_aged_out_is_still_ours() {
        // 2 per 10 s. The first request is answered at 0; the second is
        // sent at 9.9 s and reaches the server then, which still counts the
        // first: none left. Its answer comes at 10.3 s, when the first is
        // out of the client's window. Both were ours: no reset to wait for.
        let limiter = Limiter::new(RateLimitConfig::new(2, Duration::from_secs(10))).unwrap();
        limiter.try_acquire().unwrap().finish(None);
        tokio::time::advance(Duration::from_millis(9_900)).await;
        let second = limiter.try_acquire().unwrap();
        tokio::time::advance(Duration::from_millis(400)).await;
        second.finish(Some(&meta(0, 1)));
        assert!(limiter.lock().server.is_none());
        // The first's slot is back (10 s after its answer).
        limiter.try_acquire().unwrap().finish(None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_servers_policy_is_kept_and_its_count_of_ours_adds_nothing() {
        // Configured 100 per 10 s; the server announces 2 per 10 s.
        let limiter = Limiter::new(RateLimitConfig::new(100, Duration::from_secs(10))).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "ratelimit",
            HeaderValue::from_static("\"default\";r=1;t=10"),
        );
        headers.insert(
            "ratelimit-policy",
            HeaderValue::from_static("\"default\";q=2;w=10"),
        );
        let first = ResponseMeta::new(headers);
        limiter.try_acquire().unwrap().finish(Some(&first));
        // One of 2 used, and it is ours: no reset to wait for.
        assert!(limiter.lock().server.is_none());
        tokio::time::advance(Duration::from_secs(1)).await;
        limiter.try_acquire().unwrap().finish(None);
        assert_eq!(
            until(limiter.try_acquire().err().unwrap()),
            Duration::from_secs(9)
        );
    }
}
