//! The client and its builder.

use std::sync::Arc;
use std::time::Duration;

use member_http::{AttemptInfo, Credentials, HttpClient, HttpClientBuilder};
use member_types::AccountId;

use crate::{
    Accounts, Call, Error, Members, PermissionGroups, Resolver, ResourceGroups, Roles, UserGroups,
    Zones,
};

/// The environment variable naming the default account.
pub const ENV_ACCOUNT_ID: &str = "CLOUDFLARE_ACCOUNT_ID";

/// A Cloudflare account-members client.
///
/// `Clone + Send + Sync` and cheap to clone: every clone shares one
/// connection pool.
///
/// ```no_run
/// use member_client::Client;
///
/// # async fn demo() -> Result<(), member_client::Error> {
/// // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY, or
/// // CLOUDFLARE_API_USER_SERVICE_KEY), optional CLOUDFLARE_BASE_URL and
/// // CLOUDFLARE_ACCOUNT_ID.
/// let client = Client::from_env()?;
/// let members = client.default_members()?;
/// # let _ = members; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    http: HttpClient,
    account: Option<AccountId>,
}

impl Client {
    /// Reads the configuration from the environment: credentials
    /// (`CLOUDFLARE_API_TOKEN`, which wins when several schemes are set, or
    /// `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`, or
    /// `CLOUDFLARE_API_USER_SERVICE_KEY`), `CLOUDFLARE_BASE_URL`, and the
    /// default account `CLOUDFLARE_ACCOUNT_ID` (optional, checked when set).
    ///
    /// # Errors
    /// A configuration error naming the variables when no credentials are
    /// set, or a validation error for a malformed `CLOUDFLARE_ACCOUNT_ID`.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`
    /// (for tests and for callers with their own configuration source).
    ///
    /// # Errors
    /// As for [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let account = lookup(ENV_ACCOUNT_ID)
            .filter(|v| !v.is_empty())
            .map(AccountId::new)
            .transpose()?;
        let http = HttpClientBuilder::from_lookup(lookup)?.build()?;
        Ok(Self { http, account })
    }

    /// Configures a client explicitly.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Wraps an existing transport.
    pub fn from_http(http: HttpClient) -> Self {
        Self {
            http,
            account: None,
        }
    }

    /// The transport, for requests this crate does not model.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The default account, from the builder or `CLOUDFLARE_ACCOUNT_ID`.
    pub fn account_id(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    /// The members of `account`.
    pub fn members(&self, account: &AccountId) -> Members {
        Members::new(self.http.clone(), account.clone())
    }

    /// The roles of `account`.
    pub fn roles(&self, account: &AccountId) -> Roles {
        Roles::new(self.http.clone(), account.clone())
    }

    /// The permission-group catalog of `account`.
    pub fn permission_groups(&self, account: &AccountId) -> PermissionGroups {
        PermissionGroups::new(self.http.clone(), account.clone())
    }

    /// The resource groups of `account`.
    pub fn resource_groups(&self, account: &AccountId) -> ResourceGroups {
        ResourceGroups::new(self.http.clone(), account.clone())
    }

    /// A resolver of names to ids for `account`, reading each kind at most
    /// once for its life (one per run).
    pub fn resolver(&self, account: &AccountId) -> Resolver {
        Resolver::new(self.clone(), account.clone())
    }

    /// The user groups of `account`.
    pub fn user_groups(&self, account: &AccountId) -> UserGroups {
        UserGroups::new(self.http.clone(), account.clone())
    }

    /// User Details: `GET /user`, the user the token belongs to. An
    /// account-owned token belongs to no user, and the API refuses it.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client) -> Result<(), member_client::Error> {
    /// let me = client.current_user().send().await?;
    /// println!("the token is {}'s", me.email);
    /// # Ok(()) }
    /// ```
    pub fn current_user(&self) -> Call<member_types::User> {
        Call::new(
            self.http.clone(),
            member_http::Method::GET,
            Ok(member_http::ApiPath::new().lit("user")),
            member_http::RequestOptions::default(),
        )
    }

    /// A search of `account`'s audit log (who changed what, when).
    pub fn audit_log(&self, account: &AccountId) -> crate::AuditLogQuery {
        crate::AuditLogQuery::new(self.http.clone(), account.clone())
    }

    /// The accounts the token can see.
    pub fn accounts(&self) -> Accounts {
        Accounts::new(self.http.clone())
    }

    /// The zones the token can read.
    pub fn zones(&self) -> Zones {
        Zones::new(self.http.clone())
    }

    /// The members of the default account.
    ///
    /// # Errors
    /// A configuration error naming `CLOUDFLARE_ACCOUNT_ID` when no default
    /// account is set.
    pub fn default_members(&self) -> Result<Members, Error> {
        self.default_account().map(|a| self.members(a))
    }

    /// The roles of the default account.
    ///
    /// # Errors
    /// As for [`default_members`](Self::default_members).
    pub fn default_roles(&self) -> Result<Roles, Error> {
        self.default_account().map(|a| self.roles(a))
    }

    fn default_account(&self) -> Result<&AccountId, Error> {
        self.account.as_ref().ok_or_else(|| {
            Error::Validation(member_types::ValidationError::Missing {
                field: "account_id",
                hint: "set CLOUDFLARE_ACCOUNT_ID or pass an account id",
            })
        })
    }
}

/// Builds a [`Client`]. Defaults: the public API base URL, 5 s connect and
/// 60 s per-attempt timeouts, 2 retries, a 60 s cap on `Retry-After`, a
/// 16 MiB response limit.
///
/// ```
/// use std::time::Duration;
/// use member_client::{Client, Credentials};
///
/// let client = Client::builder()
///     .base_url("http://127.0.0.1:8787/client/v4")
///     .credentials(Credentials::token("test-token"))
///     .timeout(Duration::from_secs(10))
///     .max_retries(3)
///     .build()?;
/// # let _ = client; Ok::<(), member_client::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    http: HttpClientBuilder,
    account: Option<AccountId>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API base URL (with or without a trailing slash).
    #[must_use]
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.http = self.http.base_url(base_url);
        self
    }

    /// The credentials to send.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.http = self.http.credentials(credentials);
        self
    }

    /// The default account for [`Client::default_members`].
    #[must_use]
    pub fn account_id(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    /// Connect timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// Per-attempt timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Overall deadline of a call, retries included.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.http = self.http.deadline(deadline);
        self
    }

    /// Retries after the first attempt.
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.http = self.http.max_retries(retries);
        self
    }

    /// The longest `Retry-After` the client waits; a longer one fails at once
    /// with a rate-limit error that carries the wait.
    #[must_use]
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.http = self.http.retry_after_cap(cap);
        self
    }

    /// The largest response body read, after decompression.
    #[must_use]
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.http = self.http.max_body_bytes(limit);
        self
    }

    /// Whether to ask for gzip-compressed answers (default `true`; see
    /// [`HttpClientBuilder::compression`](member_http::HttpClientBuilder::compression)).
    #[must_use]
    pub fn compression(mut self, on: bool) -> Self {
        self.http = self.http.compression(on);
        self
    }

    /// Appended to the `User-Agent`.
    #[must_use]
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.http = self.http.user_agent_suffix(suffix);
        self
    }

    /// Turns the client-side rate limiter on (off by default): every
    /// attempt takes a permit of the budget (never more than its requests in
    /// any window-long interval), the server's `Ratelimit-Policy` and
    /// `Ratelimit` headers are followed, and after a 429 every request of the client waits what
    /// the server asked, even above [`retry_after_cap`](Self::retry_after_cap).
    /// See [`RateLimitConfig`](crate::RateLimitConfig).
    ///
    /// ```
    /// use member_client::{Client, Credentials, RateLimitConfig};
    ///
    /// let client = Client::builder()
    ///     .credentials(Credentials::token("test-token"))
    ///     .rate_limit(RateLimitConfig::cloudflare())
    ///     .build()?;
    /// assert_eq!(client.http().rate_limit().map(|c| c.requests()), Some(1200));
    /// # Ok::<(), member_client::Error>(())
    /// ```
    #[must_use]
    pub fn rate_limit(mut self, config: member_http::RateLimitConfig) -> Self {
        self.http = self.http.rate_limit(config);
        self
    }

    /// Called after every HTTP attempt (never with a secret).
    #[must_use]
    pub fn on_attempt(mut self, hook: impl Fn(&AttemptInfo) + Send + Sync + 'static) -> Self {
        self.http = self.http.on_attempt(Arc::new(hook));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// A configuration error (no credentials, a bad base URL, credentials over
    /// plain http to a non-loopback host).
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client {
            http: self.http.build()?,
            account: self.account,
        })
    }
}
