//! Starting a mock: the builder's options, the default credentials, and
//! the task that serves the app.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::Credentials;
use crate::edge::app;
use crate::fault::FaultSet;
use crate::handle::MockServer;
use crate::rate_limit::{Limiter, RateLimitPolicy};
use crate::seed::Seed;
use crate::shared::Inner;
use crate::state::State as Accounts;
use crate::API_PREFIX;

/// The token the mock accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "mock-token";
/// The `X-Auth-Email` the mock accepts unless told otherwise.
pub const DEFAULT_EMAIL: &str = "user@example.com";
/// The `X-Auth-Key` the mock accepts unless told otherwise (the seeds'
/// example key, so the seeds' curl example works as printed).
pub const DEFAULT_API_KEY: &str = "144c9defac04969c7bfad8efaa8ea194";
/// The `X-Auth-User-Service-Key` the mock accepts unless told otherwise.
pub const DEFAULT_USER_SERVICE_KEY: &str = "v1.0-mock-user-service-key";

/// How resource-group answers (`…/iam/resource_groups` list, get, create,
/// update) write `scope`. The API has sent both; see the README's "Resource
/// groups".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ScopeShape {
    /// One `{key, objects}` object: today's shape (TS SDK since 2026-07-24,
    /// and create answers of spec 2024 and Python). The default.
    #[default]
    Object,
    /// An array of `{key, objects}` (spec 2024 list and get, spec 2026-01,
    /// Go, Python list and get).
    Array,
}

/// The mock could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An option is unusable (say a token with spaces).
    #[error("invalid option: {0}")]
    Invalid(String),
}

/// Options for [`MockServer`]; start with [`MockServer::builder`].
///
/// ```no_run
/// # async fn demo() -> Result<(), member_mock::StartError> {
/// use std::time::Duration;
/// use member_mock::{MockServer, RateLimitPolicy};
///
/// let server = MockServer::builder()
///     .token("my-token")
///     .allow_direct_add(true)
///     .omit_roles_on_add(false)
///     .rate_limit(RateLimitPolicy::new(100, Duration::from_secs(60)))
///     .start()
///     .await?;
/// assert_eq!(server.token(), "my-token");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct MockServerBuilder {
    host: IpAddr,
    port: u16,
    token: String,
    email: String,
    api_key: String,
    user_service_key: String,
    seed: Option<Seed>,
    allow_direct_add: Option<bool>,
    omit_roles_on_add: bool,
    scope_shape: ScopeShape,
    account_owned_token: bool,
    generated_accounts: Option<(usize, usize)>,
    rate_limit: Option<RateLimitPolicy>,
    request_log_limit: usize,
    body_limit: usize,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: DEFAULT_TOKEN.to_owned(),
            email: DEFAULT_EMAIL.to_owned(),
            api_key: DEFAULT_API_KEY.to_owned(),
            user_service_key: DEFAULT_USER_SERVICE_KEY.to_owned(),
            seed: None,
            allow_direct_add: None,
            omit_roles_on_add: true,
            scope_shape: ScopeShape::Object,
            account_owned_token: false,
            generated_accounts: None,
            rate_limit: None,
            request_log_limit: 10_000,
            body_limit: 1024 * 1024,
        }
    }
}

impl MockServerBuilder {
    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port to listen on (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The API token accepted as `Authorization: Bearer <token>` (default
    /// [`DEFAULT_TOKEN`]).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The `X-Auth-Email` + `X-Auth-Key` pair accepted (default
    /// [`DEFAULT_EMAIL`] and [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, email: impl Into<String>, key: impl Into<String>) -> Self {
        self.email = email.into();
        self.api_key = key.into();
        self
    }

    /// The `X-Auth-User-Service-Key` accepted (default
    /// [`DEFAULT_USER_SERVICE_KEY`]).
    pub fn user_service_key(mut self, key: impl Into<String>) -> Self {
        self.user_service_key = key.into();
        self
    }

    /// Replaces the default seed.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Lets (or forbids) every seeded account add members directly with
    /// `status: accepted` (default: as the seed says; the default seed
    /// forbids it, as most real accounts do).
    pub fn allow_direct_add(mut self, allow: bool) -> Self {
        self.allow_direct_add = Some(allow);
        self
    }

    /// Whether the Add Member response leaves `roles` out, as the real API
    /// does (default `true`).
    pub fn omit_roles_on_add(mut self, omit: bool) -> Self {
        self.omit_roles_on_add = omit;
        self
    }

    /// How resource-group answers write `scope` (default
    /// [`ScopeShape::Object`], today's shape); [`ScopeShape::Array`] gives
    /// the older array.
    pub fn resource_group_scope(mut self, shape: ScopeShape) -> Self {
        self.scope_shape = shape;
        self
    }

    /// Makes the token behave as an account-owned token (default `false`:
    /// a user's token): `GET /accounts` with it is then refused, 403 code
    /// 1001 "List accounts endpoint does not support account owned
    /// tokens.", as the real API answers. API keys still list.
    pub fn account_owned_token(mut self, owned: bool) -> Self {
        self.account_owned_token = owned;
        self
    }

    /// Adds `accounts` generated accounts of `members` generated members
    /// each to the seed (for benchmarks of many accounts; see
    /// [`MockServer::add_accounts`]). They come back on reset.
    pub fn generated_accounts(mut self, accounts: usize, members: usize) -> Self {
        self.generated_accounts = Some((accounts, members));
        self
    }

    /// Turns the rate limiter on (default off).
    pub fn rate_limit(mut self, limit: RateLimitPolicy) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// How many requests the log keeps, oldest dropped first (default
    /// 10,000; 0 keeps none).
    pub fn request_log_limit(mut self, limit: usize) -> Self {
        self.request_log_limit = limit;
        self
    }

    /// Starts the server on a background task of the current Tokio runtime:
    /// the test's own, so on a paused clock (`#[tokio::test(start_paused =
    /// true)]`) fault delays and rate-limit windows pass in its virtual time.
    ///
    /// # Errors
    /// [`StartError::Bind`] when the address cannot be bound,
    /// [`StartError::Invalid`] for a credential that could never be sent in
    /// a header, or a seed without an account.
    pub async fn start(self) -> Result<MockServer, StartError> {
        self.check_credentials()?;
        let seed = self.seed_with_options();
        let default_account = seed
            .accounts
            .first()
            .map(|a| a.id.clone())
            .ok_or_else(|| StartError::Invalid("the seed has no account".to_owned()))?;
        let addr = SocketAddr::new(self.host, self.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let host = match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let base_url = format!("http://{host}:{}{API_PREFIX}", local.port());
        let inner = Arc::new(Inner {
            state: RwLock::new(Accounts::from_seed(seed.clone())),
            creds: Credentials {
                token: self.token,
                email: self.email,
                api_key: self.api_key,
                user_service_key: self.user_service_key,
            },
            seed,
            default_account,
            omit_roles_on_add: AtomicBool::new(self.omit_roles_on_add),
            scope_as_array: AtomicBool::new(self.scope_shape == ScopeShape::Array),
            account_owned_token: AtomicBool::new(self.account_owned_token),
            configured_rate_limit: self.rate_limit,
            configured_settings: [
                self.omit_roles_on_add,
                self.scope_shape == ScopeShape::Array,
                self.account_owned_token,
            ],
            log: Mutex::new(VecDeque::new()),
            log_limit: self.request_log_limit,
            faults: Mutex::new(FaultSet::default()),
            limiter: Mutex::new(Limiter::new(self.rate_limit)),
            body_limit: self.body_limit,
            generated: AtomicU64::new(0),
            generated_accounts: AtomicU64::new(
                self.generated_accounts.map_or(0, |(n, _)| n as u64),
            ),
            base_url: base_url.clone(),
            audit: crate::audit::AuditStore::default(),
        });
        let (stop, task) = serve(listener, app(inner.clone()));
        tracing::info!(%base_url, "member-mock listening");
        Ok(MockServer::running(inner, local, base_url, stop, task))
    }

    fn check_credentials(&self) -> Result<(), StartError> {
        for (what, value) in [
            ("token", &self.token),
            ("email", &self.email),
            ("api key", &self.api_key),
            ("user service key", &self.user_service_key),
        ] {
            if value.is_empty() || !value.chars().all(|c| c.is_ascii_graphic()) {
                return Err(StartError::Invalid(format!(
                    "the {what} must be non-empty visible ASCII without spaces"
                )));
            }
        }
        Ok(())
    }

    /// The seed, with `allow_direct_add` applied to every account when set.
    fn seed_with_options(&self) -> Seed {
        let mut seed = self.seed.clone().unwrap_or_default();
        if let Some((accounts, members)) = self.generated_accounts {
            let roles = seed
                .accounts
                .first()
                .map(|a| a.roles.clone())
                .unwrap_or_default();
            seed.accounts.extend(
                (0..accounts).map(|k| crate::shared::generated_account(k + 1, members, &roles)),
            );
        }
        if let Some(allow) = self.allow_direct_add {
            for account in &mut seed.accounts {
                account.allow_direct_add = allow;
            }
        }
        seed
    }
}

/// Serves `app` on a task until the sender fires (or is dropped).
fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "member-mock stopped with an error");
        }
    });
    (tx, task)
}
