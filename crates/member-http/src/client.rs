//! The client: configuration, the attempt loop and response classification.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use member_types::{Envelope, ResponseInfo, ResultInfo};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::time::Instant;
use tracing::field::Empty;
use tracing::Instrument;
use url::{Host, Url};

use crate::body::{excerpt, read_capped, ReadError, EXCERPT_CHARS};
use crate::credentials::{is_credential_header, Credentials, ENV_BASE_URL};
use crate::error::{
    ApiError, BodyTooLargeError, ConnectionError, ConnectionStage, Context, DecodeError, Error,
    ErrorKind, RedirectError, TimeoutError, TimeoutPhase,
};
use crate::limiter::{acquire, sleep_until, CancelToken, Limiter, PermitStop, RateLimitConfig};
use crate::path::ApiPath;
use crate::response::{ApiResponse, ResponseMeta};
use crate::retry::{backoff_delay, should_retry, Jitter};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// Default limit for making a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit for one attempt (request sent and response read).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default number of retries (so 3 attempts in all).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default longest `Retry-After` the client will wait.
pub const DEFAULT_RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// Default largest response body (16 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The `User-Agent` sent with every request: `member-http/<version>`.
pub const USER_AGENT_PREFIX: &str = concat!("member-http/", env!("CARGO_PKG_VERSION"));

/// A callback run after every HTTP attempt (see [`AttemptInfo`]).
pub type AttemptHook = Arc<dyn Fn(&AttemptInfo) + Send + Sync>;

/// What one HTTP attempt did, given to the
/// [`on_attempt`](HttpClientBuilder::on_attempt) callback. Holds no secret.
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

    /// Gives up with [`Error::Cancelled`] when `token` is cancelled before
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

/// Builds an [`HttpClient`]. Every setting has a safe default except the
/// credentials.
#[derive(Clone)]
pub struct HttpClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Option<Duration>,
    max_retries: u32,
    retry_after_cap: Duration,
    max_body_bytes: usize,
    user_agent_suffix: Option<String>,
    on_attempt: Option<AttemptHook>,
    jitter_seed: Option<u64>,
    rate_limit: Option<RateLimitConfig>,
}

impl Default for HttpClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            credentials: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            deadline: None,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_after_cap: DEFAULT_RETRY_AFTER_CAP,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            user_agent_suffix: None,
            on_attempt: None,
            jitter_seed: None,
            rate_limit: None,
        }
    }
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("retry_after_cap", &self.retry_after_cap)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field(
                "on_attempt",
                &self.on_attempt.as_ref().map(|_| "<callback>"),
            )
            .field("jitter_seed", &self.jitter_seed)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

impl HttpClientBuilder {
    /// A builder with the defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with the base URL (`CLOUDFLARE_BASE_URL`) and credentials
    /// of the process environment; see [`Credentials::from_lookup`].
    ///
    /// # Errors
    /// [`ErrorKind::Config`] when no credentials are set.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] when no credentials are set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut builder = Self::new();
        if let Some(base) = lookup(ENV_BASE_URL).filter(|v| !v.trim().is_empty()) {
            builder.base_url = Some(base.trim().to_owned());
        }
        builder.credentials = Some(Credentials::from_lookup(lookup)?);
        Ok(builder)
    }

    /// The base URL, with or without a trailing slash (default
    /// [`DEFAULT_BASE_URL`]). `http://` is accepted only for loopback hosts
    /// (`localhost`, 127.0.0.0/8, `::1`), so credentials never travel in
    /// clear text.
    #[must_use]
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = Some(base_url.to_owned());
        self
    }

    /// The credentials (required).
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The connect timeout (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The per-attempt timeout, covering the request and the whole response
    /// body (default 60 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// An overall deadline across all attempts and waits (default none).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The number of retries after the first attempt (default 2).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The longest `Retry-After` the client waits (default 60 s); a longer
    /// one fails at once with the wait in [`Error::retry_after`].
    #[must_use]
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// The largest response body read (default 16 MiB).
    #[must_use]
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Text appended to the `User-Agent` after a space, e.g. `cf-members/1.0`.
    #[must_use]
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A callback run after every HTTP attempt (for `--verbose` output).
    #[must_use]
    pub fn on_attempt(mut self, hook: AttemptHook) -> Self {
        self.on_attempt = Some(hook);
        self
    }

    /// Seeds the backoff jitter, making waits reproducible (for tests).
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Turns the client-side rate limiter on (it is off by default): every
    /// attempt, retries included, takes a permit first; the server's
    /// `Ratelimit` header is followed; and after a 429 every request of this
    /// client (all clones) waits what the server asked, even above
    /// [`retry_after_cap`](Self::retry_after_cap). See [`RateLimitConfig`].
    ///
    /// ```
    /// use member_http::{Credentials, HttpClient, RateLimitConfig};
    ///
    /// let client = HttpClient::builder()
    ///     .credentials(Credentials::token("t"))
    ///     .rate_limit(RateLimitConfig::cloudflare())
    ///     .build()?;
    /// assert_eq!(client.rate_limit().map(|c| c.requests()), Some(1200));
    /// # Ok::<(), member_http::Error>(())
    /// ```
    #[must_use]
    pub fn rate_limit(mut self, config: RateLimitConfig) -> Self {
        self.rate_limit = Some(config);
        self
    }

    /// Checks the settings and builds the client. Does no I/O.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] when the credentials are missing or not valid
    /// header values, the base URL is invalid, or it is plain `http://` to a
    /// host that is not loopback; a zero timeout or body limit.
    pub fn build(self) -> Result<HttpClient, Error> {
        let text = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let base = parse_base_url(text)?;
        let credentials = self.credentials.ok_or_else(|| {
            Error::config(
                "no credentials: pass Credentials to the builder, or set CLOUDFLARE_API_TOKEN, \
                 or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY, or CLOUDFLARE_API_USER_SERVICE_KEY",
            )
        })?;
        credentials.headers()?;
        let plain_http = base.scheme() == "http";
        if plain_http && !is_loopback(&base) {
            return Err(Error::config(format!(
                "refusing to send credentials over plain http to {}: use https, or a loopback \
                 host (localhost, 127.0.0.0/8, ::1) for local testing",
                base.host_str().unwrap_or("the host")
            )));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::config("timeouts must be longer than zero"));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("the deadline must be longer than zero"));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("the body size limit must be above zero"));
        }
        let agent = match &self.user_agent_suffix {
            Some(suffix) if !suffix.trim().is_empty() => {
                format!("{USER_AGENT_PREFIX} {}", suffix.trim())
            }
            _ => USER_AGENT_PREFIX.to_owned(),
        };
        let user_agent = HeaderValue::from_str(&agent).map_err(|_| {
            Error::config("the User-Agent suffix must be printable ASCII without line breaks")
        })?;

        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(self.connect_timeout);
        if plain_http {
            // Loopback only: never hand a request for a local server, and the
            // credentials in it, to a proxy from the environment.
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| Error::Config {
            message: "could not initialise the HTTP client".to_owned(),
            source: Some(Box::new(e)),
        })?;

        let limiter = self
            .rate_limit
            .map(Limiter::new)
            .transpose()
            .map_err(Error::config)?;

        let mut base_str = base.as_str().to_owned();
        while base_str.ends_with('/') {
            base_str.pop();
        }
        // The same text, parsed once, for building request URLs without
        // parsing each of them again.
        let base_url = Url::parse(&base_str).map_err(|e| Error::Config {
            message: "invalid base URL".to_owned(),
            source: Some(Box::new(e)),
        })?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                http,
                base: base_str,
                base_url,
                credentials,
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                deadline: self.deadline,
                max_retries: self.max_retries,
                retry_after_cap: self.retry_after_cap,
                max_body_bytes: self.max_body_bytes,
                user_agent,
                on_attempt: self.on_attempt,
                jitter: Jitter::new(self.jitter_seed),
                limiter,
            }),
        })
    }
}

/// Hides the user-info part of a URL-like text.
fn redact_url(text: &str) -> String {
    match text.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://[redacted]@{host}"),
            None => text.to_owned(),
        },
        None if text.contains('@') => "[redacted]".to_owned(),
        None => text.to_owned(),
    }
}

fn parse_base_url(text: &str) -> Result<Url, Error> {
    let shown = redact_url(text.trim());
    let url = Url::parse(text.trim()).map_err(|e| {
        Error::config(format!(
            "invalid base URL {shown:?}: {e}; expected e.g. {DEFAULT_BASE_URL}"
        ))
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Error::config(format!(
            "invalid base URL {shown:?}: the scheme must be https (or http for a loopback host)"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "invalid base URL {shown:?}: it must not contain a user name or password; \
             pass credentials separately"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "invalid base URL {shown:?}: it must not have a query or fragment"
        )));
    }
    if url.host().is_none() {
        return Err(Error::config(format!(
            "invalid base URL {shown:?}: it has no host"
        )));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => {
            let domain = domain.strip_suffix('.').unwrap_or(domain);
            domain.eq_ignore_ascii_case("localhost")
        }
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Headers a caller may not set per request.
fn is_reserved_header(name: &HeaderName) -> bool {
    is_credential_header(name)
        || [
            http::header::HOST,
            http::header::CONTENT_LENGTH,
            http::header::TRANSFER_ENCODING,
            http::header::CONNECTION,
            http::header::TE,
            http::header::UPGRADE,
            http::header::USER_AGENT,
        ]
        .contains(name)
}

struct Inner {
    http: reqwest::Client,
    base: String,
    /// `base`, parsed.
    base_url: Url,
    credentials: Credentials,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Option<Duration>,
    max_retries: u32,
    retry_after_cap: Duration,
    max_body_bytes: usize,
    user_agent: HeaderValue,
    on_attempt: Option<AttemptHook>,
    jitter: Jitter,
    limiter: Option<Limiter>,
}

/// The transport: one connection pool, cheap to clone (`Arc` inside), safe
/// to share between tasks.
///
/// Every request:
/// - goes to the base URL plus an [`ApiPath`] (checked identifiers only),
///   with `User-Agent: member-http/<version>` and exactly one credential
///   scheme, its secret headers marked sensitive;
/// - never follows a redirect;
/// - is retried on connection failures, timeouts, 408, 409, 429 and 5xx when
///   the method is idempotent (GET, PUT, DELETE), with exponential backoff
///   and jitter, honouring `Retry-After` / `retry-after-ms` up to a cap and
///   `x-should-retry`; a POST is retried only after a connect failure (it
///   certainly did not reach the server) or a 429 (the server did not
///   process it), never after a 5xx, a timeout or a lost connection;
/// - reads at most `max_body_bytes` of response;
/// - succeeds only on a 2xx whose envelope says `success: true`.
///
/// ```no_run
/// use member_http::{ApiPath, HttpClient, RequestOptions};
/// use member_types::AccountId;
///
/// # async fn run() -> Result<(), member_http::Error> {
/// let client = HttpClient::from_env()?;
/// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
/// let path = ApiPath::new().lit("accounts").id(&account)?.lit("roles");
/// let page = client
///     .get::<Vec<serde_json::Value>>(&path, &[("per_page", "50".to_owned())], &RequestOptions::new())
///     .await?;
/// println!("{} roles, cf-ray {:?}", page.result.len(), page.cf_ray());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("HttpClient")
            .field("base_url", &inner.base)
            .field("credentials", &inner.credentials)
            .field("connect_timeout", &inner.connect_timeout)
            .field("timeout", &inner.timeout)
            .field("deadline", &inner.deadline)
            .field("max_retries", &inner.max_retries)
            .field("retry_after_cap", &inner.retry_after_cap)
            .field("max_body_bytes", &inner.max_body_bytes)
            .field("user_agent", &inner.user_agent)
            .field("rate_limit", &inner.limiter.as_ref().map(Limiter::config))
            .finish_non_exhaustive()
    }
}

/// A classified successful response.
struct Raw<T> {
    status: u16,
    meta: ResponseMeta,
    result: Pending<T>,
    messages: Vec<ResponseInfo>,
    result_info: Option<ResultInfo>,
}

/// The `result` of a successful response: decoded in the same pass as the
/// envelope (the usual case), or kept as received, to be decoded after the
/// attempt loop, as every result was before the one-pass decoding. The second
/// form is taken whenever the one pass fails, so a `result` that does not
/// decode as `T` fails exactly as it always did: after the attempt counted as
/// a success, with the path of the offending value.
enum Pending<T> {
    Decoded(T),
    Raw {
        ctx: Context,
        result: Option<Box<RawValue>>,
    },
}

impl HttpClient {
    /// A builder with the defaults.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::new()
    }

    /// A client configured from the environment: `CLOUDFLARE_BASE_URL` and
    /// the credential variables (see [`Credentials::from_lookup`]).
    ///
    /// # Errors
    /// [`ErrorKind::Config`] when no credentials are set or the settings are
    /// invalid.
    pub fn from_env() -> Result<Self, Error> {
        HttpClientBuilder::from_env()?.build()
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The client-side rate limit, when it is on
    /// ([`HttpClientBuilder::rate_limit`]).
    ///
    /// ```
    /// use member_http::{Credentials, HttpClient};
    ///
    /// let client = HttpClient::builder().credentials(Credentials::token("t")).build()?;
    /// assert!(client.rate_limit().is_none());
    /// # Ok::<(), member_http::Error>(())
    /// ```
    pub fn rate_limit(&self) -> Option<&RateLimitConfig> {
        self.inner.limiter.as_ref().map(Limiter::config)
    }

    /// The credential scheme in use, safe to print (`api-token`, …).
    pub fn scheme_name(&self) -> &'static str {
        self.inner.credentials.scheme_name()
    }

    /// The full URL a request would go to (for dry runs).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when the URL cannot be built.
    pub fn url_for(&self, path: &ApiPath, query: &[(&str, String)]) -> Result<String, Error> {
        self.url(path, query).map(String::from)
    }

    fn url(&self, path: &ApiPath, query: &[(&str, String)]) -> Result<Url, Error> {
        let mut url = match join_segments(&self.inner.base_url, path) {
            Some(url) => url,
            None => parse_joined(&self.inner.base, path)?,
        };
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        Ok(url)
    }

    /// Sends a request and decodes the envelope's `result` into `T`.
    ///
    /// `query` pairs are percent-encoded (use the `query_pairs()` of the
    /// typed parameters of `member-types`); `body` is sent as JSON. A
    /// missing or `null` `result` decodes as JSON `null`, so use `Option<X>`
    /// where the API may send none.
    ///
    /// # Errors
    /// See [`Error`]: local errors before anything is sent, otherwise the
    /// last attempt's failure.
    pub async fn request<T, B>(
        &self,
        method: Method,
        path: &ApiPath,
        query: &[(&str, String)],
        body: Option<&B>,
        opts: &RequestOptions,
    ) -> Result<ApiResponse<T>, Error>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        let body = match body {
            Some(body) => Some(Bytes::from(serde_json::to_vec(body).map_err(|e| {
                Error::invalid_input(
                    "the request body could not be serialized as JSON",
                    Some(Box::new(e)),
                )
            })?)),
            None => None,
        };
        let (raw, attempts) = self.execute::<T>(method, path, query, body, opts).await?;
        decode_result(raw, attempts)
    }

    /// Like [`request`](Self::request), keeping `result` exactly as received
    /// (a missing result is `null`), for callers that print it verbatim.
    /// `request::<serde_json::Value, _>` gives a parsed value instead.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub async fn request_raw<B>(
        &self,
        method: Method,
        path: &ApiPath,
        query: &[(&str, String)],
        body: Option<&B>,
        opts: &RequestOptions,
    ) -> Result<ApiResponse<Box<RawValue>>, Error>
    where
        B: Serialize + ?Sized,
    {
        self.request(method, path, query, body, opts).await
    }

    /// `GET path?query`.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &ApiPath,
        query: &[(&str, String)],
        opts: &RequestOptions,
    ) -> Result<ApiResponse<T>, Error> {
        self.request::<T, ()>(Method::GET, path, query, None, opts)
            .await
    }

    /// `PUT path` with a JSON body.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub async fn put<T, B>(
        &self,
        path: &ApiPath,
        body: &B,
        opts: &RequestOptions,
    ) -> Result<ApiResponse<T>, Error>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        self.request(Method::PUT, path, &[], Some(body), opts).await
    }

    /// `POST path` with a JSON body (retried only when it certainly was not
    /// processed).
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub async fn post<T, B>(
        &self,
        path: &ApiPath,
        body: &B,
        opts: &RequestOptions,
    ) -> Result<ApiResponse<T>, Error>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        self.request(Method::POST, path, &[], Some(body), opts)
            .await
    }

    /// `DELETE path` without a body. The API's result is `{id}` or `null`:
    /// decode it as an `Option`.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub async fn delete<T: DeserializeOwned>(
        &self,
        path: &ApiPath,
        opts: &RequestOptions,
    ) -> Result<ApiResponse<T>, Error> {
        self.request::<T, ()>(Method::DELETE, path, &[], None, opts)
            .await
    }

    fn request_headers(
        &self,
        has_body: bool,
        extra: &[(HeaderName, HeaderValue)],
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in extra {
            if is_reserved_header(name) {
                return Err(Error::invalid_input(
                    format!(
                        "the {name} header cannot be set per request: credentials, \
                         User-Agent and framing headers are set by the client"
                    ),
                    None,
                ));
            }
            headers.append(name.clone(), value.clone());
        }
        headers.insert(USER_AGENT, self.inner.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if has_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in self.inner.credentials.headers()? {
            headers.insert(name, value);
        }
        Ok(headers)
    }

    async fn execute<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        query: &[(&str, String)],
        body: Option<Bytes>,
        opts: &RequestOptions,
    ) -> Result<(Raw<T>, u32), Error> {
        let url = self.url(path, query)?;
        let headers = self.request_headers(body.is_some(), &opts.headers)?;
        let span = tracing::debug_span!(
            "cloudflare_request",
            method = %method,
            path = path.template(),
            attempt = Empty,
            status = Empty,
            cf_ray = Empty,
            elapsed_ms = Empty,
        );
        self.attempts(method, path, url, headers, body, opts)
            .instrument(span)
            .await
    }

    async fn attempts<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        url: Url,
        headers: HeaderMap,
        body: Option<Bytes>,
        opts: &RequestOptions,
    ) -> Result<(Raw<T>, u32), Error> {
        let inner = &*self.inner;
        let span = tracing::Span::current();
        let ctx = Context::new(&method, path.as_str());
        let started = Instant::now();
        let deadline = opts.deadline.or(inner.deadline);
        let deadline_at = deadline.map(|d| started + d);
        let attempt_timeout = opts.timeout.unwrap_or(inner.timeout);
        let max_retries = opts.max_retries.unwrap_or(inner.max_retries);
        let cancel = opts.cancel.as_ref();
        if let Some(body) = &body {
            tracing::trace!(body = %excerpt(body, 4096), "request body");
        }
        // The failure of the previous attempt, returned when a retry cannot
        // be sent after all (deadline or cancellation while waiting).
        let mut previous: Option<Error> = None;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(previous.unwrap_or_else(|| Error::cancelled(&ctx)));
            }
            let (permit, rate_limit_wait) = match &inner.limiter {
                Some(limiter) => match acquire(limiter, deadline_at, cancel).await {
                    Ok((permit, waited)) => (Some(permit), waited),
                    Err(stop) => {
                        return Err(previous.unwrap_or_else(|| match stop {
                            PermitStop::Cancelled => Error::cancelled(&ctx),
                            PermitStop::Deadline => Error::Timeout(Box::new(TimeoutError {
                                ctx: ctx.clone(),
                                phase: TimeoutPhase::Queued,
                                limit: deadline.unwrap_or_default(),
                                source: None,
                            })),
                        }));
                    }
                },
                None => (None, Duration::ZERO),
            };
            let attempt_started = Instant::now();
            let (limit, phase) = match deadline_at {
                Some(at) if at.saturating_duration_since(attempt_started) <= attempt_timeout => (
                    at.saturating_duration_since(attempt_started),
                    TimeoutPhase::Deadline,
                ),
                _ => (attempt_timeout, TimeoutPhase::Attempt),
            };
            let timeout_error = |ctx: &Context| {
                let limit = match phase {
                    TimeoutPhase::Deadline => deadline.unwrap_or(limit),
                    _ => limit,
                };
                Error::Timeout(Box::new(TimeoutError {
                    ctx: ctx.clone(),
                    phase,
                    limit,
                    source: None,
                }))
            };
            let mut outcome = if limit.is_zero() {
                Err(timeout_error(&ctx))
            } else {
                let once = self.attempt_once::<T>(&ctx, &url, &headers, body.clone());
                match tokio::time::timeout(limit, once).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(timeout_error(&ctx)),
                }
            };
            let elapsed = attempt_started.elapsed();
            if let Some(permit) = permit {
                let meta = match &outcome {
                    Ok(raw) => Some(&raw.meta),
                    Err(e) => e.meta(),
                };
                permit.finish(meta);
            }

            let mut retry_in = None;
            // Whether the wait is left to the limiter (a 429 it now enforces
            // for every request of this client).
            let mut limiter_waits = false;
            if let Err(err) = &mut outcome {
                err.set_attempts(attempt);
                let rate_limited = err.status() == Some(429);
                if rate_limited {
                    if let Some(limiter) = &inner.limiter {
                        // The caller opted in to waiting what the server
                        // asks, above the single-call cap; everyone waits.
                        let wait = err
                            .retry_after()
                            .or_else(|| err.meta().and_then(|m| m.rate_limit()?.reset))
                            .unwrap_or_else(|| {
                                backoff_delay(attempt - 1, inner.jitter.next_unit())
                            });
                        limiter.block_for(wait);
                        if attempt <= max_retries && should_retry(&method, err) {
                            retry_in = Some(wait);
                            limiter_waits = true;
                        }
                    }
                }
                if !limiter_waits && attempt <= max_retries && should_retry(&method, err) {
                    match err.retry_after() {
                        Some(wait) if wait > inner.retry_after_cap => {
                            if let Error::Api(api) = err {
                                api.wait_refused_cap = Some(inner.retry_after_cap);
                            }
                        }
                        Some(wait) => retry_in = Some(wait),
                        None => {
                            retry_in = Some(backoff_delay(attempt - 1, inner.jitter.next_unit()));
                        }
                    }
                }
                // A wait that would pass the deadline is pointless: the
                // last real failure says more than a timeout would.
                if let (Some(wait), Some(at)) = (retry_in, deadline_at) {
                    if Instant::now() + wait >= at {
                        retry_in = None;
                    }
                }
            }

            let (status, cf_ray, error) = match &outcome {
                Ok(raw) => (Some(raw.status), raw.meta.cf_ray(), None),
                Err(e) => (e.status(), e.cf_ray(), Some(e.kind())),
            };
            if let Some(status) = status {
                span.record("status", status);
            }
            if let Some(ray) = cf_ray {
                span.record("cf_ray", ray);
            }
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            tracing::debug!(
                attempt,
                status,
                cf_ray,
                error = error.map(ErrorKind::as_str),
                elapsed_ms = elapsed.as_millis() as u64,
                retry_in_ms = retry_in.map(|d| d.as_millis() as u64),
                rate_limit_wait_ms = rate_limit_wait.as_millis() as u64,
                "attempt finished"
            );
            if let Some(hook) = &inner.on_attempt {
                hook(&AttemptInfo {
                    method: method.clone(),
                    path: path.as_str().to_owned(),
                    template: path.template().to_owned(),
                    attempt,
                    status,
                    cf_ray: cf_ray.map(str::to_owned),
                    elapsed,
                    error,
                    retry_in,
                    rate_limit_wait,
                });
            }

            match (outcome, retry_in) {
                (Ok(raw), _) => return Ok((raw, attempt)),
                (Err(err), None) => return Err(err),
                // The next permit waits for the limiter's block.
                (Err(err), Some(_)) if limiter_waits => previous = Some(err),
                (Err(err), Some(wait)) => {
                    if !sleep_until(Instant::now() + wait, cancel).await {
                        return Err(err);
                    }
                    previous = Some(err);
                }
            }
        }
    }

    async fn attempt_once<T: DeserializeOwned>(
        &self,
        ctx: &Context,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
    ) -> Result<Raw<T>, Error> {
        let inner = &*self.inner;
        let mut request = inner
            .http
            .request(ctx.method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(body) = body {
            request = request.body(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| send_error(ctx, e, inner.connect_timeout))?;
        let status = response.status().as_u16();
        // The headers are moved out, not copied: reading the body needs only
        // its length, which the body itself knows.
        let meta = ResponseMeta::new(std::mem::take(response.headers_mut()));
        if response.status().is_redirection() {
            let location = meta
                .headers()
                .get(http::header::LOCATION)
                .map(|v| excerpt(v.as_bytes(), EXCERPT_CHARS));
            return Err(Error::Redirect(Box::new(RedirectError {
                ctx: ctx.clone(),
                status,
                location,
                meta,
            })));
        }
        let body = match read_capped(response, inner.max_body_bytes).await {
            Ok(body) => body,
            Err(ReadError::TooLarge { declared }) => {
                return Err(Error::BodyTooLarge(Box::new(BodyTooLargeError {
                    ctx: ctx.clone(),
                    status,
                    limit: inner.max_body_bytes,
                    declared,
                    meta,
                })))
            }
            Err(ReadError::Transport(e)) => {
                return Err(Error::Connection(Box::new(ConnectionError {
                    ctx: ctx.clone(),
                    stage: ConnectionStage::Body,
                    source: Box::new(e),
                })))
            }
        };
        tracing::trace!(status, body = %excerpt(&body, 4096), "response body");
        classify(ctx, status, meta, &body)
    }
}

/// `base` + `path` parsed as one URL: the reference for [`join_segments`].
fn parse_joined(base: &str, path: &ApiPath) -> Result<Url, Error> {
    Url::parse(&format!("{base}{}", path.as_str()))
        .map_err(|e| Error::invalid_input("the request URL is invalid", Some(Box::new(e))))
}

/// The URL of [`parse_joined`], built by appending `path`'s segments to the
/// parsed base instead of parsing the whole text again (host processing
/// included) on every request. `None` for the empty path, which the base's
/// own text describes differently (`http://host` parses as `http://host/`).
/// ApiPath segments are plain ASCII letters, digits, `-` and `_`, so nothing
/// is percent-encoded either way.
fn join_segments(base: &Url, path: &ApiPath) -> Option<Url> {
    let rest = path.as_str().strip_prefix('/')?;
    let mut url = base.clone();
    {
        let mut segments = url.path_segments_mut().ok()?;
        segments.pop_if_empty();
        segments.extend(rest.split('/'));
    }
    Some(url)
}

fn send_error(ctx: &Context, err: reqwest::Error, connect_timeout: Duration) -> Error {
    if err.is_connect() && err.is_timeout() {
        return Error::Timeout(Box::new(TimeoutError {
            ctx: ctx.clone(),
            phase: TimeoutPhase::Connect,
            limit: connect_timeout,
            source: Some(Box::new(err)),
        }));
    }
    let stage = if err.is_connect() {
        ConnectionStage::Connect
    } else {
        ConnectionStage::Exchange
    };
    Error::Connection(Box::new(ConnectionError {
        ctx: ctx.clone(),
        stage,
        source: Box::new(err),
    }))
}

/// `success` decides together with the status; error bodies are never
/// decoded as `Envelope<T>`, and a body that is not an envelope keeps a
/// short excerpt.
///
/// A 2xx body is first read in one pass as `Envelope<T>`, straight from the
/// buffered bytes (with [`member_types::json::from_slice`]: serde_json, or
/// simd-json with the `fast-json` feature): that is the whole decoding cost
/// of a successful call. Anything else (an envelope that says
/// `success: false`, a missing `result`, a body that is not an envelope, a
/// `result` that is not a `T`) goes through [`classify_slow`], which gives
/// the same answer and the same errors as before the one-pass decoding
/// existed.
fn classify<T: DeserializeOwned>(
    ctx: &Context,
    status: u16,
    meta: ResponseMeta,
    body: &[u8],
) -> Result<Raw<T>, Error> {
    if (200..300).contains(&status) {
        if let Ok(Envelope {
            success: true,
            messages,
            result: Some(result),
            result_info,
            ..
        }) = member_types::json::from_slice::<Envelope<T>>(body)
        {
            return Ok(Raw {
                status,
                meta,
                result: Pending::Decoded(result),
                messages,
                result_info,
            });
        }
    }
    classify_slow(ctx, status, meta, body)
}

/// The classification of [`classify`] in two steps: the envelope with a raw
/// `result` (with the JSON path of what does not fit), the `result` later in
/// [`decode_result`].
fn classify_slow<T>(
    ctx: &Context,
    status: u16,
    meta: ResponseMeta,
    body: &[u8],
) -> Result<Raw<T>, Error> {
    let decode_error = |meta: ResponseMeta, message: String, json_path: Option<String>| {
        Error::Decode(Box::new(DecodeError {
            ctx: ctx.clone(),
            status,
            message,
            json_path,
            excerpt: Some(excerpt(body, EXCERPT_CHARS)),
            meta,
        }))
    };
    if !(200..300).contains(&status) {
        let (errors, messages, excerpt_text) =
            match serde_json::from_slice::<Envelope<IgnoredAny>>(body) {
                Ok(envelope) => (envelope.errors, envelope.messages, None),
                Err(_) => (Vec::new(), Vec::new(), Some(excerpt(body, EXCERPT_CHARS))),
            };
        return Err(Error::Api(Box::new(ApiError {
            ctx: ctx.clone(),
            status,
            success_false: false,
            errors,
            messages,
            excerpt: excerpt_text,
            meta,
            wait_refused_cap: None,
        })));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        if status == 204 {
            return Ok(Raw {
                status,
                meta,
                result: Pending::Raw {
                    ctx: ctx.clone(),
                    result: None,
                },
                messages: Vec::new(),
                result_info: None,
            });
        }
        return Err(decode_error(meta, "the body is empty".to_owned(), None));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let envelope: Envelope<Box<RawValue>> = match serde_path_to_error::deserialize(&mut de) {
        Ok(envelope) => envelope,
        Err(e) => {
            let path = e.path().to_string();
            let path = (path != ".").then_some(path);
            return Err(decode_error(
                meta,
                format!("not a Cloudflare envelope: {}", e.inner()),
                path,
            ));
        }
    };
    if let Err(e) = de.end() {
        return Err(decode_error(
            meta,
            format!("not a Cloudflare envelope: {e}"),
            None,
        ));
    }
    if !envelope.success {
        return Err(Error::Api(Box::new(ApiError {
            ctx: ctx.clone(),
            status,
            success_false: true,
            errors: envelope.errors,
            messages: envelope.messages,
            excerpt: None,
            meta,
            wait_refused_cap: None,
        })));
    }
    Ok(Raw {
        status,
        meta,
        result: Pending::Raw {
            ctx: ctx.clone(),
            result: envelope.result,
        },
        messages: envelope.messages,
        result_info: envelope.result_info,
    })
}

fn decode_result<T: DeserializeOwned>(raw: Raw<T>, attempts: u32) -> Result<ApiResponse<T>, Error> {
    let (ctx, result) = match raw.result {
        Pending::Decoded(result) => {
            return Ok(ApiResponse {
                result,
                status: raw.status,
                messages: raw.messages,
                result_info: raw.result_info,
                meta: raw.meta,
                attempts,
            })
        }
        Pending::Raw { ctx, result } => (ctx, result),
    };
    let text = result.as_deref().map_or("null", RawValue::get);
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(result) => Ok(ApiResponse {
            result,
            status: raw.status,
            messages: raw.messages,
            result_info: raw.result_info,
            meta: raw.meta,
            attempts,
        }),
        Err(e) => {
            let inner_path = e.path().to_string();
            let json_path = match inner_path.as_str() {
                "." => "result".to_owned(),
                p if p.starts_with('[') => format!("result{p}"),
                p => format!("result.{p}"),
            };
            let mut ctx = ctx;
            ctx.attempts = attempts;
            Err(Error::Decode(Box::new(DecodeError {
                ctx,
                status: raw.status,
                message: e.inner().to_string(),
                json_path: Some(json_path),
                excerpt: None,
                meta: raw.meta,
            })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn loopback_hosts() {
        for ok in [
            "http://localhost:8080",
            "http://LOCALHOST.",
            "http://127.0.0.1",
            "http://127.255.0.9:1",
            "http://[::1]:9",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback(&url(ok)), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
            "http://0.0.0.0",
        ] {
            assert!(!is_loopback(&url(bad)), "{bad}");
        }
    }

    #[test]
    fn joined_segments_match_the_parsed_url() {
        use member_types::{AccountId, MemberId};
        let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap();
        let member = MemberId::new("4536bcfad5faccb111b47003c79917fa").unwrap();
        let paths = [
            ApiPath::new().lit("accounts"),
            ApiPath::new().lit("accounts").id(&account).unwrap(),
            ApiPath::new()
                .lit("accounts")
                .id(&account)
                .unwrap()
                .lit("members")
                .id(&member)
                .unwrap(),
            ApiPath::new().lit("a-b_c").lit("x"),
        ];
        for base in [
            "https://api.cloudflare.com/client/v4",
            "https://api.cloudflare.com/client/v4/",
            "https://api.cloudflare.com/client/v4//",
            "http://127.0.0.1:8787",
            "http://127.0.0.1:8787/",
            "http://localhost:1/a%20b/c",
            "http://[::1]:9/x/",
            "https://EXAMPLE.com:443/Mixed/Case",
            "https://xn--bcher-kva.example/p",
            "https://bücher.example/p",
        ] {
            let client = HttpClient::builder()
                .base_url(base)
                .credentials(Credentials::token("t"))
                .build()
                .unwrap();
            for path in &paths {
                let parsed = parse_joined(&client.inner.base, path).unwrap();
                let joined = join_segments(&client.inner.base_url, path).unwrap();
                assert_eq!(joined, parsed, "{base} + {}", path.as_str());
                assert_eq!(joined.as_str(), parsed.as_str());
                let with_query = client
                    .url(path, &[("page", "2".to_owned()), ("q", "a b&c".to_owned())])
                    .unwrap();
                let mut expected = parsed.clone();
                expected
                    .query_pairs_mut()
                    .append_pair("page", "2")
                    .append_pair("q", "a b&c");
                assert_eq!(with_query, expected);
            }
            assert!(join_segments(&client.inner.base_url, &ApiPath::new()).is_none());
            assert_eq!(
                client.url(&ApiPath::new(), &[]).unwrap(),
                parse_joined(&client.inner.base, &ApiPath::new()).unwrap()
            );
        }
    }

    #[test]
    fn redacts_user_info() {
        assert_eq!(
            redact_url("https://user:pw@example.com/x"),
            "https://[redacted]@example.com/x"
        );
        assert_eq!(redact_url("https://example.com"), "https://example.com");
    }
}
