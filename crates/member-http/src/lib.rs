//! Safe HTTP transport for the Cloudflare account-members API.
//!
//! This crate knows the Cloudflare response envelope and "an identifier"
//! ([`member_types::Identifier`]), and nothing about members: it sends a request to the
//! base URL plus an [`ApiPath`], and returns the decoded `result` with the
//! status, headers and messages ([`ApiResponse`]), or an [`Error`] that keeps
//! everything the server said.
//!
//! What it guarantees:
//! - **Credentials** ([`Credentials`]) are opaque: the secret is held in a
//!   `secrecy` string inside, exactly one scheme is sent, its header marked
//!   sensitive, and nothing prints a secret. They are refused over plain
//!   `http://` unless the host is loopback.
//! - **Paths** are built from static literals and re-checked identifiers only.
//! - **Redirects** are never followed: a 3xx is an error naming `Location`.
//! - **Timeouts**: connect (5 s), per attempt (60 s), optional overall
//!   deadline; all configurable per client, the last two per request.
//! - **Retries** (2 by default). The wait before retry `n` (0 for the first)
//!   is `min(0.5 s × 2^n, 8 s)`, less a random jitter of up to a quarter of
//!   it (so 375–500 ms, then 0.75–1 s, …, at most 8 s); `Retry-After` /
//!   `retry-after-ms` replaces it up to a cap (60 s), and a longer one fails
//!   at once. `x-should-retry` overrides the status rule. Idempotent methods
//!   retry connection failures, timeouts, 408, 409, 429 and 5xx
//!   ([`Error::is_retryable`]); a POST is retried only when it certainly was
//!   not processed (connect failure, or 429). No wait is started that would
//!   pass the overall deadline.
//! - **Bodies** are read under a cap (16 MiB), never buffered whole when
//!   larger.
//! - **Envelopes**: `success: false` is an error even in a 200; error bodies
//!   that are not envelopes (HTML from the edge) keep a short excerpt, the
//!   status and the `cf-ray`.
//! - **Rate limiting** (off by default, [`RateLimitConfig`]): never more
//!   than N requests in any window-long interval as the server sees them
//!   (each slot back one window after its answer), so neither a fixed- nor
//!   a sliding-window server refuses; the server's `Ratelimit-Policy` kept
//!   too and its `Ratelimit` count followed when others share the token;
//!   after a 429 a
//!   block shared by every request of the client for as long as the server
//!   asked (above the `Retry-After` cap: the caller opted in). Waits use
//!   `tokio::time`, so paused-clock tests see them exactly.
//! - **Cancellation** ([`CancelToken`]): a request not sent yet stops; one
//!   already sent finishes and is not retried.
//! - **Tracing**: one `cloudflare_request` span per request (method, path
//!   template, attempt, status, cf-ray, elapsed), bodies only at trace level,
//!   never a secret.
//!
//! Inside, the layers are: the builder and its checks, request building (URL
//! and headers), the attempt loop (permits, timeouts, and one pure retry
//! decision), and response classification (envelope, status, body cap).
//!
//! ```no_run
//! use member_http::{ApiPath, Credentials, HttpClient, Method, RequestOptions};
//! use member_types::{AccountId, MemberId};
//!
//! # async fn run() -> Result<(), member_http::Error> {
//! let client = HttpClient::builder()
//!     .credentials(Credentials::from_env()?)
//!     .max_retries(3)
//!     .build()?;
//! let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
//! let member: MemberId = "4536bcfad5faccb111b47003c79917fa".parse()?;
//! let path = ApiPath::new()
//!     .lit("accounts")
//!     .id(&account)?
//!     .lit("members")
//!     .id(&member)?;
//! match client.get::<member_types::Member>(&path, &[], &RequestOptions::new()).await {
//!     Ok(response) => println!("{:?} (cf-ray {:?})", response.result.status, response.cf_ray()),
//!     Err(err) if err.is_local() => eprintln!("nothing was sent: {err}"),
//!     Err(err) if err.is_not_found() => eprintln!("no such member"),
//!     Err(err) => eprintln!("{err} (codes {:?}, applied? {})", err.codes(), err.may_have_been_applied()),
//! }
//! // Deleting returns `{id}` or `null`.
//! let gone = client
//!     .request::<Option<serde_json::Value>, ()>(Method::DELETE, &path, &[], None, &RequestOptions::new())
//!     .await?;
//! # let _ = gone;
//! # Ok(())
//! # }
//! ```

mod attempt;
mod body;
mod builder;
mod classify;
mod client;
mod credentials;
mod error;
mod limiter;
mod options;
mod path;
mod request;
mod response;
mod retry;

pub use builder::{
    HttpClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_RETRY_AFTER_CAP, DEFAULT_TIMEOUT, USER_AGENT_PREFIX,
};
pub use client::HttpClient;
pub use credentials::{
    Credentials, ENV_API_KEY, ENV_API_TOKEN, ENV_BASE_URL, ENV_EMAIL, ENV_USER_SERVICE_KEY,
};
pub use error::{
    ApiError, BodyTooLargeError, BoxError, ConnectionError, DecodeError, Error, ErrorKind,
    RedirectError, TimeoutError, TimeoutPhase,
};
pub use limiter::{CancelToken, RateLimitConfig};
pub use options::{AttemptHook, AttemptInfo, RequestOptions};
pub use path::ApiPath;
pub use response::{ApiResponse, RateLimitStatus, ResponseMeta};

/// Re-exported so callers need not depend on `http` for methods and headers.
pub use http::{HeaderMap, HeaderName, HeaderValue, Method};
/// Re-exported: the type of an undecoded `result` ([`HttpClient::request_raw`]).
pub use serde_json::value::RawValue;
