//! Per-request settings ([`RequestOptions`]) and the report of one attempt
//! ([`AttemptInfo`]).

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};

use crate::error::ErrorKind;
use crate::limiter::CancelToken;

/// A callback run after every HTTP attempt (see [`AttemptInfo`]).
pub type AttemptHook = Arc<dyn Fn(&AttemptInfo) + Send + Sync>;

/// What one HTTP attempt did, given to the
/// [`on_attempt`](crate::HttpClientBuilder::on_attempt) callback. Holds no secret.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AttemptInfo {
    /// The request method.
    pub method: Method,
    /// The request path below the base URL (identifiers included; no query).
    pub path: String,
    /// The path template, e.g. `/accounts/{account_id}/members`.
    pub template: String,
    /// The attempt number, from 1.
    pub attempt: u32,
    /// The response status, when a response arrived.
    pub status: Option<u16>,
    /// The response's `cf-ray`, when there was one.
    pub cf_ray: Option<String>,
    /// How long the attempt took.
    pub elapsed: Duration,
    /// The kind of failure, when the attempt failed.
    pub error: Option<ErrorKind>,
    /// When the client will try again, after how long.
    pub retry_in: Option<Duration>,
    /// How long the attempt waited for the client-side rate limiter before
    /// it was sent (zero when the limiter is off).
    pub rate_limit_wait: Duration,
}

/// Per-request overrides of the client's settings.
///
/// ```
/// use std::time::Duration;
/// use member_http::RequestOptions;
///
/// let opts = RequestOptions::new()
///     .timeout(Duration::from_secs(10))
///     .max_retries(0);
/// assert_eq!(opts.max_retries, Some(0));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Per-attempt timeout instead of the client's.
    pub timeout: Option<Duration>,
    /// Retries instead of the client's.
    pub max_retries: Option<u32>,
    /// Overall deadline across attempts instead of the client's.
    pub deadline: Option<Duration>,
    /// Extra request headers. Credential headers (`Authorization`,
    /// `X-Auth-*`, `Cookie`), `User-Agent` and framing headers are refused.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Stops the request while it has not been sent (see [`CancelToken`]).
    pub cancel: Option<CancelToken>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the per-attempt timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the number of retries.
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Sets the overall deadline.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Adds a request header.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Gives up with [`Error::Cancelled`](crate::Error::Cancelled) when `token` is cancelled before
    /// the request is sent (while it waits for the rate limiter, say); a
    /// request already sent finishes but is not retried.
    ///
    /// ```
    /// use member_http::{CancelToken, RequestOptions};
    ///
    /// let token = CancelToken::new();
    /// let opts = RequestOptions::new().cancel_token(token.clone());
    /// token.cancel();
    /// assert!(opts.cancel.unwrap().is_cancelled());
    /// ```
    #[must_use]
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }
}
