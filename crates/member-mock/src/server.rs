//! The server: start, handle, middleware.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use member_types::{
    AccountId, Member, MemberId, MemberStatus, PermissionGroup, ResourceGroup, Role, User,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::{authenticate, Credentials};
use crate::error::ApiError;
use crate::fault::{Fault, FaultSet};
use crate::rate_limit::{Limiter, RateLimitPolicy};
use crate::record::RecordedRequest;
use crate::seed::{Seed, SeedAccount};
use crate::state::{normalise, Account, State as Accounts};
use crate::{api, ADMIN_PREFIX, API_PREFIX};

/// The token the mock accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "mock-token";
/// The `X-Auth-Email` the mock accepts unless told otherwise.
pub const DEFAULT_EMAIL: &str = "user@example.com";
/// The `X-Auth-Key` the mock accepts unless told otherwise (the seeds'
/// example key, so the seeds' curl example works as printed).
pub const DEFAULT_API_KEY: &str = "144c9defac04969c7bfad8efaa8ea194";
/// The `X-Auth-User-Service-Key` the mock accepts unless told otherwise.
pub const DEFAULT_USER_SERVICE_KEY: &str = "v1.0-mock-user-service-key";

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

/// State shared by the handlers and the handle.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) state: RwLock<Accounts>,
    pub(crate) creds: Credentials,
    pub(crate) seed: Seed,
    pub(crate) default_account: AccountId,
    omit_roles_on_add: AtomicBool,
    configured_rate_limit: Option<RateLimitPolicy>,
    log: Mutex<VecDeque<RecordedRequest>>,
    log_limit: usize,
    faults: Mutex<FaultSet>,
    limiter: Mutex<Limiter>,
    body_limit: usize,
    generated: AtomicU64,
    pub(crate) base_url: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    pub(crate) fn omit_roles_on_add(&self) -> bool {
        self.omit_roles_on_add.load(Ordering::Relaxed)
    }

    pub(crate) fn set_omit_roles_on_add(&self, omit: bool) {
        self.omit_roles_on_add.store(omit, Ordering::Relaxed);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    fn record(&self, request: RecordedRequest) {
        let mut log = lock(&self.log);
        if self.log_limit == 0 {
            return;
        }
        while log.len() >= self.log_limit {
            log.pop_front();
        }
        log.push_back(request);
    }

    pub(crate) fn inject(&self, fault: Fault) {
        lock(&self.faults).push(fault);
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        lock(&self.faults).pending()
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub(crate) fn rate_limit(&self) -> Option<RateLimitPolicy> {
        lock(&self.limiter).limit()
    }

    pub(crate) fn set_rate_limit(&self, limit: Option<RateLimitPolicy>) {
        lock(&self.limiter).set(limit);
    }

    pub(crate) fn reset(&self) {
        *self.state.write().unwrap_or_else(PoisonError::into_inner) =
            Accounts::from_seed(self.seed.clone());
        self.clear_requests();
        self.clear_faults();
        self.set_rate_limit(self.configured_rate_limit);
    }

    pub(crate) fn with_account<T>(
        &self,
        account: &str,
        f: impl FnOnce(&Account) -> T,
    ) -> Option<T> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        state.account(account).map(f)
    }

    pub(crate) fn with_account_mut<T>(
        &self,
        account: &str,
        f: impl FnOnce(&mut Account) -> T,
    ) -> Option<T> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.account_mut(account).map(f)
    }

    pub(crate) fn add_account(&self, account: SeedAccount) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state
            .accounts
            .insert(account.id.as_str().to_owned(), Account::from_seed(account));
    }

    /// Generates `n` members in an account: every third one pending, the
    /// others accepted, each with the account's first role.
    pub(crate) fn generate_members(&self, account: &str, n: usize) -> Option<Vec<MemberId>> {
        self.with_account_mut(account, |account| {
            let role = account
                .roles
                .iter()
                .find(|r| r.name == "Administrator Read Only")
                .or_else(|| account.roles.first())
                .cloned();
            (0..n)
                .map(|_| {
                    let k = self.generated.fetch_add(1, Ordering::Relaxed) + 1;
                    let email = format!("member{k:05}@example.com");
                    let id = MemberId::from_server(crate::ids::random_id());
                    let mut user = User::default();
                    user.email.clone_from(&email);
                    user.first_name = Some(format!("Member{k:05}"));
                    user.last_name = Some("Generated".to_owned());
                    user.two_factor_authentication_enabled = Some(k % 2 == 0);
                    let mut member = Member::default();
                    member.id = Some(id.clone());
                    member.email = Some(email);
                    member.status = Some(if k % 3 == 0 {
                        MemberStatus::Pending
                    } else {
                        MemberStatus::Accepted
                    });
                    member.roles = role.iter().cloned().collect();
                    member.user = Some(user);
                    account.members.upsert(member);
                    id
                })
                .collect()
        })
    }
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

    /// Starts the server on a background task of the current Tokio runtime.
    ///
    /// # Errors
    /// [`StartError::Bind`] when the address cannot be bound,
    /// [`StartError::Invalid`] for a credential that could never be sent in
    /// a header.
    pub async fn start(self) -> Result<MockServer, StartError> {
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
        let mut seed = self.seed.unwrap_or_default();
        if let Some(allow) = self.allow_direct_add {
            for account in &mut seed.accounts {
                account.allow_direct_add = allow;
            }
        }
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
            configured_rate_limit: self.rate_limit,
            log: Mutex::new(VecDeque::new()),
            log_limit: self.request_log_limit,
            faults: Mutex::new(FaultSet::default()),
            limiter: Mutex::new(Limiter::new(self.rate_limit)),
            body_limit: self.body_limit,
            generated: AtomicU64::new(0),
            base_url: base_url.clone(),
        });
        let app = router(inner.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "member-mock stopped with an error");
            }
        });
        tracing::info!(%base_url, "member-mock listening");
        Ok(MockServer {
            inner,
            addr: local,
            base_url,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running mock of the Cloudflare members API. Dropping it stops the
/// server.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use member_mock::MockServer;
///
/// let server = MockServer::start().await;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert!(server.base_url().ends_with("/client/v4"));
/// let members = server.members(server.account_id());
/// assert!(members.iter().any(|m| m.email.as_deref() == Some("user@example.com")));
/// server.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    inner: Arc<Inner>,
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with the default options on `127.0.0.1` and a free
    /// port.
    ///
    /// # Panics
    /// When no loopback port can be bound (use [`builder`](Self::builder)
    /// to handle that error).
    pub async fn start() -> MockServer {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(e) => panic!("member-mock could not start: {e}"),
        }
    }

    /// Options for a server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT/client/v4`: what a client uses as its base URL.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/__mock`: the admin API.
    pub fn admin_url(&self) -> String {
        format!("http://{}{ADMIN_PREFIX}", self.addr)
    }

    /// The accepted API token (`Authorization: Bearer <token>`).
    pub fn token(&self) -> &str {
        &self.inner.creds.token
    }

    /// The accepted `X-Auth-Email`.
    pub fn email(&self) -> &str {
        &self.inner.creds.email
    }

    /// The accepted `X-Auth-Key`.
    pub fn api_key(&self) -> &str {
        &self.inner.creds.api_key
    }

    /// The accepted `X-Auth-User-Service-Key`.
    pub fn user_service_key(&self) -> &str {
        &self.inner.creds.user_service_key
    }

    /// The default account (the seed's first).
    pub fn account_id(&self) -> &AccountId {
        &self.inner.default_account
    }

    /// Every request received so far (up to the log limit), oldest first;
    /// admin requests are not logged.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.requests()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.inner.clear_requests();
    }

    /// Adds a fault (see [`Fault`]).
    pub fn inject(&self, fault: impl Into<Fault>) {
        self.inner.inject(fault.into());
    }

    /// The faults not used up yet.
    pub fn faults(&self) -> Vec<Fault> {
        self.inner.faults()
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.inner.clear_faults();
    }

    /// Turns the rate limiter on (with a fresh window) or off.
    pub fn set_rate_limit(&self, limit: Option<RateLimitPolicy>) {
        self.inner.set_rate_limit(limit);
    }

    /// The rate limit in force, if any.
    pub fn rate_limit(&self) -> Option<RateLimitPolicy> {
        self.inner.rate_limit()
    }

    /// Whether the Add Member response leaves `roles` out (the real API's
    /// behaviour).
    pub fn set_omit_roles_on_add(&self, omit: bool) {
        self.inner.set_omit_roles_on_add(omit);
    }

    /// Lets an account add members directly with `status: accepted`, or
    /// not.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn set_allow_direct_add(&self, account: &AccountId, allow: bool) {
        self.inner
            .with_account_mut(account.as_str(), |a| a.allow_direct_add = allow)
            .unwrap_or_else(|| panic!("no account {account}"));
    }

    /// Puts the seed back, empties the log, removes faults and restores the
    /// configured rate limit.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Adds (or replaces) an account.
    pub fn add_account(&self, account: SeedAccount) {
        self.inner.add_account(account);
    }

    /// Stores a member as given (replacing one with the same id), bypassing
    /// every API rule; a member without an id gets a random one. Returns the
    /// stored member.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn insert_member(&self, account: &AccountId, member: Member) -> Member {
        let member = normalise(member);
        self.inner
            .with_account_mut(account.as_str(), |a| a.members.upsert(member.clone()))
            .unwrap_or_else(|| panic!("no account {account}"));
        member
    }

    /// Generates `n` members in the default account (`memberNNNNN@example.com`,
    /// every third one pending) and returns their ids.
    pub fn add_members(&self, n: usize) -> Vec<MemberId> {
        self.inner
            .generate_members(self.inner.default_account.as_str(), n)
            .unwrap_or_default()
    }

    /// A member as stored (with its roles, whatever the add response showed).
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn member(&self, account: &AccountId, id: &str) -> Option<Member> {
        self.inner
            .with_account(account.as_str(), |a| a.members.get(id).cloned())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// Every member of an account, in join order.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn members(&self, account: &AccountId) -> Vec<Member> {
        self.inner
            .with_account(account.as_str(), |a| a.members.iter().cloned().collect())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// How many members an account has.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn member_count(&self, account: &AccountId) -> usize {
        self.inner
            .with_account(account.as_str(), |a| a.members.len())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// The role catalogue of an account.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn roles(&self, account: &AccountId) -> Vec<Role> {
        self.inner
            .with_account(account.as_str(), |a| a.roles.clone())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// The permission groups usable in an account's policies.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn permission_groups(&self, account: &AccountId) -> Vec<PermissionGroup> {
        self.inner
            .with_account(account.as_str(), |a| a.permission_groups.clone())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// The resource groups usable in an account's policies.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn resource_groups(&self, account: &AccountId) -> Vec<ResourceGroup> {
        self.inner
            .with_account(account.as_str(), |a| a.resource_groups.clone())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// Stops accepting connections, lets open requests finish (up to five
    /// seconds), then stops.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

// ------------------------------------------------------------- routing -----

fn router(inner: Arc<Inner>) -> Router {
    let api = Router::new()
        .route(
            "/accounts/{account_id}/members",
            get(api::list_members)
                .post(api::add_member)
                .fallback(api::method_not_allowed("GET, HEAD, POST")),
        )
        .route(
            "/accounts/{account_id}/members/{member_id}",
            get(api::get_member)
                .put(api::update_member)
                .delete(api::remove_member)
                .fallback(api::method_not_allowed("GET, HEAD, PUT, DELETE")),
        )
        .route(
            "/accounts/{account_id}/roles",
            get(api::list_roles).fallback(api::method_not_allowed("GET, HEAD")),
        )
        .route(
            "/accounts/{account_id}/roles/{role_id}",
            get(api::get_role).fallback(api::method_not_allowed("GET, HEAD")),
        )
        .route_layer(middleware::from_fn_with_state(inner.clone(), auth_layer));
    Router::new()
        .nest(API_PREFIX, api)
        .nest(ADMIN_PREFIX, crate::admin::router())
        .fallback(api::no_route)
        .layer(middleware::from_fn_with_state(inner.clone(), edge))
        .with_state(inner)
}

async fn auth_layer(State(inner): State<Arc<Inner>>, request: Request, next: Next) -> Response {
    match authenticate(&inner.creds, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn set_header(response: &mut Response, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().insert(name, value);
    }
}

fn add_cf_ray(response: &mut Response) {
    set_header(response, "cf-ray", &crate::ids::cf_ray());
}

/// Logs the request, applies faults and the rate limiter, and stamps every
/// answer with a `cf-ray`.
async fn edge(State(inner): State<Arc<Inner>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == ADMIN_PREFIX || path.starts_with(&format!("{ADMIN_PREFIX}/")) {
        let mut response = next.run(request).await;
        add_cf_ray(&mut response);
        return response;
    }
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let bytes = match axum::body::to_bytes(body, inner.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            inner.record(RecordedRequest::new(
                &method,
                &path,
                query.as_deref(),
                &parts.headers,
                b"",
            ));
            let mut response = ApiError::too_large(inner.body_limit).into_response();
            add_cf_ray(&mut response);
            return response;
        }
    };
    inner.record(RecordedRequest::new(
        &method,
        &path,
        query.as_deref(),
        &parts.headers,
        &bytes,
    ));
    let relative = path.strip_prefix(API_PREFIX).unwrap_or(&path);
    let fault = lock(&inner.faults).take(&method, relative);
    if let Some(fault) = &fault {
        if let Some(delay) = fault.delay() {
            tokio::time::sleep(delay).await;
        }
        if fault.drop_connection {
            return dropped_connection();
        }
    }
    let mut response = match &fault {
        Some(fault) if fault.answers() => fault_response(fault),
        _ => {
            let verdict = lock(&inner.limiter).check(tokio::time::Instant::now());
            match verdict {
                Some(verdict) if !verdict.allowed => {
                    let mut err = ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        vec![member_types::ResponseInfo::new(
                            10100,
                            format!(
                                "Rate limited: more than {} requests in {} seconds; retry after {} seconds",
                                verdict.limit.requests,
                                verdict.limit.window.as_secs().max(1),
                                verdict.reset_secs
                            ),
                        )],
                    );
                    err.headers
                        .push(("retry-after", verdict.reset_secs.to_string()));
                    let mut response = err.into_response();
                    for (name, value) in verdict.headers() {
                        set_header(&mut response, name, &value);
                    }
                    response
                }
                verdict => {
                    let request = Request::from_parts(parts, Body::from(bytes));
                    let mut response = next.run(request).await;
                    if let Some(verdict) = verdict {
                        for (name, value) in verdict.headers() {
                            set_header(&mut response, name, &value);
                        }
                    }
                    response
                }
            }
        }
    };
    if let Some(fault) = &fault {
        for (name, value) in &fault.headers {
            set_header(&mut response, name, value);
        }
    }
    add_cf_ray(&mut response);
    match fault {
        Some(fault) if fault.truncate => truncated(response).await,
        _ => response,
    }
}

fn fault_response(fault: &Fault) -> Response {
    let status = StatusCode::from_u16(fault.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, bytes) = fault
        .body
        .as_ref()
        .map(crate::fault::FaultBody::content_type_and_bytes)
        .unwrap_or((None, Vec::new()));
    let mut response = (status, bytes).into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    if let Some(content_type) = content_type {
        set_header(&mut response, "content-type", content_type);
    }
    response
}

fn broken_stream(first: Option<Bytes>) -> Body {
    use futures::StreamExt;
    let error = || std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "fault injected");
    match first {
        None => Body::from_stream(futures::stream::iter([Err::<Bytes, _>(error())])),
        // The pause lets the server flush the head and the first half before
        // the failure closes the connection.
        Some(bytes) => Body::from_stream(futures::stream::iter([Ok(bytes)]).chain(
            futures::stream::once(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(error())
            }),
        )),
    }
}

/// A response whose body fails before a byte is written: the server closes
/// the connection without an answer.
fn dropped_connection() -> Response {
    Response::new(broken_stream(None))
}

/// Sends the full `Content-Length` with the first half of the body, then
/// fails the body, which closes the connection.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, broken_stream(Some(half)))
}
