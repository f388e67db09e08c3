//! [`HttpClientBuilder`]: the settings, their defaults and their checks.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use url::{Host, Url};

use crate::client::{HttpClient, Inner};
use crate::credentials::{Credentials, ENV_BASE_URL};
use crate::error::Error;
use crate::limiter::{Limiter, RateLimitConfig};
use crate::options::AttemptHook;
use crate::retry::Jitter;

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

/// Builds an [`HttpClient`]. Every setting has a safe default except the
/// credentials.
#[derive(Clone, Default)]
pub struct HttpClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    limits: Limits,
    user_agent_suffix: Option<String>,
    on_attempt: Option<AttemptHook>,
    jitter_seed: Option<u64>,
    rate_limit: Option<RateLimitConfig>,
    plain_responses: bool,
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("HttpClientBuilder");
        d.field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("credentials", &self.credentials);
        self.limits
            .debug_fields(&mut d)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field(
                "on_attempt",
                &self.on_attempt.as_ref().map(|_| "<callback>"),
            )
            .field("jitter_seed", &self.jitter_seed)
            .field("rate_limit", &self.rate_limit)
            .field("compression", &!self.plain_responses)
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
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when no credentials are set.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when no credentials are set.
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
        self.limits.connect_timeout = timeout;
        self
    }

    /// The per-attempt timeout, covering the request and the whole response
    /// body (default 60 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.limits.timeout = timeout;
        self
    }

    /// An overall deadline across all attempts and waits (default none).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.limits.deadline = Some(deadline);
        self
    }

    /// The number of retries after the first attempt (default 2).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.limits.max_retries = retries;
        self
    }

    /// The longest `Retry-After` the client waits (default 60 s); a longer
    /// one fails at once with the wait in [`Error::retry_after`].
    #[must_use]
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.limits.retry_after_cap = cap;
        self
    }

    /// Whether to ask for gzip-compressed answers (`Accept-Encoding: gzip`,
    /// default `true`); they are decompressed as they arrive. A list page
    /// shrinks about tenfold. The body cap
    /// ([`max_body_bytes`](Self::max_body_bytes)) applies to the
    /// decompressed body, so a small compressed answer that would inflate
    /// past it is refused as it is read.
    ///
    /// ```
    /// use member_http::{Credentials, HttpClient};
    /// let client = HttpClient::builder()
    ///     .credentials(Credentials::token("t"))
    ///     .compression(false)
    ///     .build()?;
    /// assert!(format!("{client:?}").contains("compression: false"));
    /// # Ok::<(), member_http::Error>(())
    /// ```
    #[must_use]
    pub fn compression(mut self, on: bool) -> Self {
        self.plain_responses = !on;
        self
    }

    /// The largest response body read, after decompression (default
    /// 16 MiB).
    #[must_use]
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.limits.max_body_bytes = limit;
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
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when the credentials are missing or not valid
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
        self.limits.check()?;
        let user_agent = user_agent(self.user_agent_suffix.as_deref())?;
        let http = http_client(
            self.limits.connect_timeout,
            plain_http,
            !self.plain_responses,
        )?;
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
        let base_headers = [
            crate::request::base_headers(&user_agent, &credentials, false, !self.plain_responses)?,
            crate::request::base_headers(&user_agent, &credentials, true, !self.plain_responses)?,
        ];
        Ok(HttpClient {
            inner: Arc::new(Inner {
                http,
                base: base_str,
                base_url,
                credentials,
                limits: self.limits,
                user_agent,
                base_headers,
                on_attempt: self.on_attempt,
                jitter: Jitter::new(self.jitter_seed),
                limiter,
                compression: !self.plain_responses,
            }),
        })
    }
}

/// The limits a client applies to every request: timeouts, retries and the
/// body size (each request may override the first three, see
/// [`RequestOptions`](crate::RequestOptions)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Option<Duration>,
    pub(crate) max_retries: u32,
    pub(crate) retry_after_cap: Duration,
    pub(crate) max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            deadline: None,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_after_cap: DEFAULT_RETRY_AFTER_CAP,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl Limits {
    /// Refuses limits that would fail every request.
    fn check(&self) -> Result<(), Error> {
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::config("timeouts must be longer than zero"));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("the deadline must be longer than zero"));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("the body size limit must be above zero"));
        }
        Ok(())
    }

    /// Adds the limits to a `Debug` output, one field each.
    pub(crate) fn debug_fields<'d, 'a, 'b>(
        &self,
        d: &'d mut fmt::DebugStruct<'a, 'b>,
    ) -> &'d mut fmt::DebugStruct<'a, 'b> {
        d.field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("retry_after_cap", &self.retry_after_cap)
            .field("max_body_bytes", &self.max_body_bytes)
    }
}

/// `member-http/<version>`, then the caller's suffix after a space.
fn user_agent(suffix: Option<&str>) -> Result<HeaderValue, Error> {
    let agent = match suffix {
        Some(suffix) if !suffix.trim().is_empty() => {
            format!("{USER_AGENT_PREFIX} {}", suffix.trim())
        }
        _ => USER_AGENT_PREFIX.to_owned(),
    };
    HeaderValue::from_str(&agent).map_err(|_| {
        Error::config("the User-Agent suffix must be printable ASCII without line breaks")
    })
}

/// The connection pool: redirects and `Referer` off; gzip asked for and
/// decompressed by reqwest when `gzip`.
fn http_client(
    connect_timeout: Duration,
    plain_http: bool,
    gzip: bool,
) -> Result<reqwest::Client, Error> {
    let mut http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .gzip(gzip)
        .connect_timeout(connect_timeout);
    if plain_http {
        // Loopback only: never hand a request for a local server, and the
        // credentials in it, to a proxy from the environment.
        http = http.no_proxy();
    }
    http.build().map_err(|e| Error::Config {
        message: "could not initialise the HTTP client".to_owned(),
        source: Some(Box::new(e)),
    })
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
    fn redacts_user_info() {
        assert_eq!(
            redact_url("https://user:pw@example.com/x"),
            "https://[redacted]@example.com/x"
        );
        assert_eq!(redact_url("https://example.com"), "https://example.com");
    }
}
