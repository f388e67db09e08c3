//! [`HttpClient`]: the shared state and the public request methods.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use url::Url;

use crate::builder::{HttpClientBuilder, Limits};
use crate::classify::decode_result;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::limiter::{Limiter, RateLimitConfig};
use crate::options::{AttemptHook, RequestOptions};
use crate::path::ApiPath;
use crate::response::ApiResponse;
use crate::retry::Jitter;

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    /// `base`, parsed.
    pub(crate) base_url: Url,
    pub(crate) credentials: Credentials,
    pub(crate) limits: Limits,
    pub(crate) user_agent: HeaderValue,
    /// The headers of a request without extra headers, built once:
    /// without a body, and with one (`Content-Type` too). The secret
    /// values are marked sensitive, as [`Credentials::headers`] makes them.
    pub(crate) base_headers: [HeaderMap; 2],
    pub(crate) on_attempt: Option<AttemptHook>,
    pub(crate) jitter: Jitter,
    pub(crate) limiter: Option<Limiter>,
    /// Whether gzip answers are asked for.
    pub(crate) compression: bool,
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
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut d = f.debug_struct("HttpClient");
        d.field("base_url", &inner.base)
            .field("credentials", &inner.credentials);
        inner
            .limits
            .debug_fields(&mut d)
            .field("user_agent", &inner.user_agent)
            .field("rate_limit", &inner.limiter.as_ref().map(Limiter::config))
            .field("compression", &inner.compression)
            .finish_non_exhaustive()
    }
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
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when no credentials are set or the settings are
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
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the URL cannot be built.
    pub fn url_for(&self, path: &ApiPath, query: &[(&str, String)]) -> Result<String, Error> {
        self.url(path, query).map(String::from)
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
        T: DeserializeOwned + 'static,
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
    pub async fn get<T: DeserializeOwned + 'static>(
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
        T: DeserializeOwned + 'static,
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
        T: DeserializeOwned + 'static,
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
    pub async fn delete<T: DeserializeOwned + 'static>(
        &self,
        path: &ApiPath,
        opts: &RequestOptions,
    ) -> Result<ApiResponse<T>, Error> {
        self.request::<T, ()>(Method::DELETE, path, &[], None, opts)
            .await
    }
}
