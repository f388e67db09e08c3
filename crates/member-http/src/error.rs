//! The error type of every fallible operation of this crate.

use std::fmt;
use std::time::Duration;

use http::Method;
use member_types::{ResponseInfo, ValidationError};

use crate::response::ResponseMeta;

mod details;

pub(crate) use details::ConnectionStage;
pub use details::{
    ApiError, BodyTooLargeError, ConnectionError, DecodeError, RedirectError, TimeoutError,
};

/// Cloudflare error codes that mean "not found" whatever the status: 1003,
/// an unknown member or role; 7003 ("could not route to …, perhaps your
/// object identifier is invalid?") and 7000 ("no route for that URI").
const NOT_FOUND_CODES: [i64; 3] = [1003, 7000, 7003];

/// A boxed error kept as the `source` of ours.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The class of an [`Error`], matching the classes of the official clients,
/// plus the local ones (nothing was sent) and the transport ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value supplied by the caller was refused before anything was sent
    /// (an invalid identifier, a forbidden header, an unserialisable body).
    InvalidInput,
    /// The client could not be configured (no credentials, a bad base URL,
    /// credentials over plain http to a non-loopback host). Nothing was sent.
    Config,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401.
    Authentication,
    /// HTTP 403 (Cloudflare also reports bad credentials this way, code 10000).
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 422.
    Unprocessable,
    /// HTTP 429.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// Another error status (for example 405 or 408).
    OtherStatus,
    /// A 2xx status whose envelope said `success: false`.
    Unsuccessful,
    /// A 3xx redirect, which is never followed.
    Redirect,
    /// The response body was larger than the configured limit.
    BodyTooLarge,
    /// The response could not be decoded.
    Decode,
    /// The connection failed.
    Connection,
    /// The caller's [`CancelToken`](crate::CancelToken) stopped the request
    /// before it was sent. Nothing was sent.
    Cancelled,
    /// A connect timeout, per-attempt timeout or overall deadline elapsed.
    Timeout,
}

impl ErrorKind {
    /// The kind of an error status.
    pub fn from_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Unsuccessful,
            300..=399 => Self::Redirect,
            400 => Self::BadRequest,
            401 => Self::Authentication,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            409 => Self::Conflict,
            422 => Self::Unprocessable,
            429 => Self::RateLimited,
            500..=599 => Self::Server,
            _ => Self::OtherStatus,
        }
    }

    /// Whether nothing was sent: the error was found locally
    /// ([`InvalidInput`](Self::InvalidInput), [`Config`](Self::Config)) or the
    /// request was [`Cancelled`](Self::Cancelled) before it was sent.
    pub fn is_local(self) -> bool {
        matches!(self, Self::InvalidInput | Self::Config | Self::Cancelled)
    }

    /// A stable lower-case name, e.g. `rate_limited`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::Config => "config",
            Self::BadRequest => "bad_request",
            Self::Authentication => "authentication",
            Self::PermissionDenied => "permission_denied",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Unprocessable => "unprocessable",
            Self::RateLimited => "rate_limited",
            Self::Server => "server",
            Self::OtherStatus => "other_status",
            Self::Unsuccessful => "unsuccessful",
            Self::Redirect => "redirect",
            Self::BodyTooLarge => "body_too_large",
            Self::Decode => "decode",
            Self::Connection => "connection",
            Self::Cancelled => "cancelled",
            Self::Timeout => "timeout",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which limit a [`TimeoutError`] hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// The TCP/TLS connection could not be made in time: nothing was sent.
    Connect,
    /// One attempt took longer than the per-attempt timeout.
    Attempt,
    /// The overall deadline across attempts elapsed (never retried).
    Deadline,
    /// The overall deadline would have elapsed while the request waited for
    /// the client-side rate limiter: nothing was sent.
    Queued,
}

/// Any failure of this crate.
///
/// Local failures ([`ErrorKind::is_local`]) mean nothing was sent. The
/// accessors give what the server said (status, Cloudflare codes, `cf-ray`,
/// rate-limit headers) wherever there was a response.
///
/// `Display` gives one line and never repeats the [`source`]; walk the source
/// chain for the underlying cause.
///
/// [`source`]: std::error::Error::source
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An identifier, body or parameter broke its rule. Nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// Another caller-supplied value was refused. Nothing was sent.
    #[error("{message}")]
    InvalidInput {
        /// What was wrong and how to fix it.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// The client could not be configured. Nothing was sent.
    #[error("{message}")]
    Config {
        /// What was wrong and how to fix it.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// The server answered with an error status or with `success: false`.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The server answered with a redirect, which is never followed.
    #[error(transparent)]
    Redirect(Box<RedirectError>),
    /// The response body was larger than the limit; it was not read whole.
    #[error(transparent)]
    BodyTooLarge(Box<BodyTooLargeError>),
    /// A response could not be decoded.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The connection failed.
    #[error(transparent)]
    Connection(Box<ConnectionError>),
    /// A timeout elapsed.
    #[error(transparent)]
    Timeout(Box<TimeoutError>),
    /// The server's answers broke the protocol across requests (for example a
    /// list that repeats the same page): each answer was valid alone, so there
    /// is no status to report.
    #[error("{message}")]
    Protocol {
        /// What the server did.
        message: String,
    },
    /// The caller's [`CancelToken`](crate::CancelToken) was cancelled before
    /// the request was sent. Nothing was sent.
    #[error("{message}")]
    Cancelled {
        /// Which request, and that it was not sent.
        message: String,
    },
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
            source: None,
        }
    }

    /// A protocol error: the server's answers, each valid alone, do not fit
    /// together (a list repeating a page, an add without an id). Used by
    /// crates built on this one.
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::Protocol {
            message: message.into(),
        }
    }

    pub(crate) fn invalid_input(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Self::InvalidInput {
            message: message.into(),
            source,
        }
    }

    pub(crate) fn cancelled(ctx: &Context) -> Self {
        Self::Cancelled {
            message: format!("{ctx}: cancelled before it was sent"),
        }
    }

    /// The class of the error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Validation(_) | Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Config { .. } => ErrorKind::Config,
            Self::Api(e) if e.success_false => ErrorKind::Unsuccessful,
            Self::Api(e) => ErrorKind::from_status(e.status),
            Self::Redirect(_) => ErrorKind::Redirect,
            Self::BodyTooLarge(_) => ErrorKind::BodyTooLarge,
            Self::Decode(_) | Self::Protocol { .. } => ErrorKind::Decode,
            Self::Connection(_) => ErrorKind::Connection,
            Self::Timeout(_) => ErrorKind::Timeout,
            Self::Cancelled { .. } => ErrorKind::Cancelled,
        }
    }

    /// Whether the error was found before anything was sent (invalid input
    /// or configuration).
    pub fn is_local(&self) -> bool {
        self.kind().is_local()
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Redirect(e) => Some(e.status),
            Self::BodyTooLarge(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// The response headers, when a response arrived.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Self::Api(e) => Some(&e.meta),
            Self::Redirect(e) => Some(&e.meta),
            Self::BodyTooLarge(e) => Some(&e.meta),
            Self::Decode(e) => Some(&e.meta),
            _ => None,
        }
    }

    /// The Cloudflare errors of the envelope (empty when there was none).
    pub fn errors(&self) -> &[ResponseInfo] {
        match self {
            Self::Api(e) => &e.errors,
            _ => &[],
        }
    }

    /// The envelope's informational messages.
    pub fn messages(&self) -> &[ResponseInfo] {
        match self {
            Self::Api(e) => &e.messages,
            _ => &[],
        }
    }

    /// Every Cloudflare error code, including those nested in `error_chain`
    /// (depth first).
    pub fn codes(&self) -> Vec<i64> {
        self.errors().iter().flat_map(ResponseInfo::codes).collect()
    }

    /// The `cf-ray` id of the response, for Cloudflare support.
    pub fn cf_ray(&self) -> Option<&str> {
        self.meta().and_then(ResponseMeta::cf_ray)
    }

    /// How long the server asked to wait (`Retry-After` or
    /// `retry-after-ms`). When the wait was longer than the client's cap the
    /// request failed at once and this is the wait that was refused.
    pub fn retry_after(&self) -> Option<Duration> {
        self.meta().and_then(ResponseMeta::retry_after)
    }

    /// Whether the server rate-limited the request (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.kind() == ErrorKind::RateLimited
    }

    /// Whether the server said the thing asked for does not exist: HTTP 404,
    /// or an error answer carrying one of the Cloudflare codes that mean "not
    /// found" (1003, an unknown member or role; 7003 and 7000, a path that
    /// routes nowhere, which is what an unknown identifier gets), for example
    /// in a `success: false` envelope.
    ///
    /// ```no_run
    /// use member_http::{ApiPath, HttpClient, RequestOptions};
    ///
    /// # async fn run(client: HttpClient, path: ApiPath) -> Result<(), member_http::Error> {
    /// let member = match client.get::<serde_json::Value>(&path, &[], &RequestOptions::new()).await {
    ///     Ok(response) => Some(response.result),
    ///     Err(err) if err.is_not_found() => None,
    ///     Err(err) => return Err(err),
    /// };
    /// # let _ = member;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Errors without an answer never are:
    ///
    /// ```
    /// let err = member_http::Error::protocol("a page came twice");
    /// assert!(!err.is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Api(e) => {
                e.status == 404
                    || e.errors
                        .iter()
                        .flat_map(ResponseInfo::codes)
                        .any(|code| NOT_FOUND_CODES.contains(&code))
            }
            _ => false,
        }
    }

    /// Whether a time limit elapsed: the connect timeout, the per-attempt
    /// timeout, the overall deadline, or the deadline while waiting for the
    /// rate limiter ([`TimeoutError::phase`] says which).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use member_http::{ApiPath, HttpClient, RequestOptions};
    ///
    /// # async fn run(client: HttpClient, path: ApiPath) {
    /// let opts = RequestOptions::new().deadline(Duration::from_secs(5));
    /// if let Err(err) = client.get::<serde_json::Value>(&path, &[], &opts).await {
    ///     if err.is_timeout() {
    ///         eprintln!("no answer in time: {err}");
    ///     }
    /// }
    /// # }
    /// ```
    ///
    /// ```
    /// let err = member_http::Error::protocol("a page came twice");
    /// assert!(!err.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }

    /// Whether the failure is transient, so that an idempotent request may be
    /// sent again: connection failures, timeouts (not the overall deadline),
    /// 408, 409, 429 and 5xx, unless the server's `x-should-retry` header said
    /// otherwise. This is the rule the client itself applies to idempotent
    /// requests; non-idempotent ones (POST) are retried only when they
    /// certainly were not processed (see [`HttpClient`](crate::HttpClient)).
    pub fn is_retryable(&self) -> bool {
        crate::retry::may_repeat(self, true)
    }

    /// Whether the request may have reached the server and been applied.
    ///
    /// `false` for local errors, cancellations and deadlines before sending,
    /// connect failures, and 4xx answers (the server refused the request);
    /// `true` for 5xx answers, timeouts after
    /// connecting, connections lost after the request was written, and
    /// answers that could not be read. Check the state before repeating a
    /// change when this is `true`.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Self::Validation(_)
            | Self::InvalidInput { .. }
            | Self::Config { .. }
            | Self::Cancelled { .. } => false,
            Self::Api(e) => !(400..500).contains(&e.status),
            Self::Redirect(e) => !e.ctx.method.is_safe(),
            Self::BodyTooLarge(e) => !(400..500).contains(&e.status),
            Self::Decode(e) => !(400..500).contains(&e.status),
            Self::Connection(e) => e.stage != ConnectionStage::Connect,
            Self::Timeout(e) => !matches!(e.phase, TimeoutPhase::Connect | TimeoutPhase::Queued),
            Self::Protocol { .. } => true,
        }
    }

    /// A short, whitespace-collapsed excerpt of a response body that was not
    /// a Cloudflare envelope (an HTML page from the edge, `null`, plain text).
    pub fn excerpt(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.excerpt.as_deref(),
            Self::Decode(e) => e.excerpt.as_deref(),
            _ => None,
        }
    }

    /// How many attempts were made, when the request was sent at all.
    pub fn attempts(&self) -> Option<u32> {
        self.context().map(|c| c.attempts)
    }

    /// The method of the failed request, when it was sent at all.
    pub fn method(&self) -> Option<&Method> {
        self.context().map(|c| &c.method)
    }

    /// The path of the failed request, when it was sent at all.
    pub fn path(&self) -> Option<&str> {
        self.context().map(|c| c.path.as_str())
    }

    fn context(&self) -> Option<&Context> {
        match self {
            Self::Api(e) => Some(&e.ctx),
            Self::Redirect(e) => Some(&e.ctx),
            Self::BodyTooLarge(e) => Some(&e.ctx),
            Self::Decode(e) => Some(&e.ctx),
            Self::Connection(e) => Some(&e.ctx),
            Self::Timeout(e) => Some(&e.ctx),
            _ => None,
        }
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        let ctx = match self {
            Self::Api(e) => &mut e.ctx,
            Self::Redirect(e) => &mut e.ctx,
            Self::BodyTooLarge(e) => &mut e.ctx,
            Self::Decode(e) => &mut e.ctx,
            Self::Connection(e) => &mut e.ctx,
            Self::Timeout(e) => &mut e.ctx,
            _ => return,
        };
        ctx.attempts = attempts;
    }
}

/// The request an error belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) attempts: u32,
}

impl Context {
    pub(crate) fn new(method: &Method, path: &str) -> Self {
        Self {
            method: method.clone(),
            path: path.to_owned(),
            attempts: 1,
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_kinds() {
        assert_eq!(ErrorKind::from_status(403), ErrorKind::PermissionDenied);
        assert_eq!(ErrorKind::from_status(503), ErrorKind::Server);
        assert_eq!(ErrorKind::from_status(408), ErrorKind::OtherStatus);
        assert!(ErrorKind::Config.is_local());
        assert!(!ErrorKind::Connection.is_local());
    }

    #[test]
    fn display_does_not_repeat_source() {
        let source: BoxError = "connection refused by peer".into();
        let err = Error::Connection(Box::new(ConnectionError {
            ctx: Context::new(&Method::GET, "/x"),
            stage: ConnectionStage::Connect,
            source,
        }));
        let text = err.to_string();
        assert!(!text.contains("refused by peer"), "{text}");
        let source = std::error::Error::source(&err).expect("source kept");
        assert_eq!(source.to_string(), "connection refused by peer");
        assert!(!err.may_have_been_applied());
    }

    #[test]
    fn error_stays_small() {
        assert!(std::mem::size_of::<Error>() <= 128);
    }
}
