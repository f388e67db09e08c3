//! The handle of a running mock: its address and credentials, the request
//! log, faults, the rate limiter, the accounts as stored, and stopping.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use member_types::{
    AccountId, Member, MemberId, PermissionGroup, ResourceGroup, Role, UserGroup, Zone,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::fault::Fault;
use crate::rate_limit::RateLimitPolicy;
use crate::record::RecordedRequest;
use crate::seed::SeedAccount;
use crate::server::{MockServerBuilder, ScopeShape};
use crate::shared::Inner;
use crate::state::{normalise, upsert_by};
use crate::ADMIN_PREFIX;

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
    pub(crate) fn running(
        inner: Arc<Inner>,
        addr: SocketAddr,
        base_url: String,
        shutdown: oneshot::Sender<()>,
        task: JoinHandle<()>,
    ) -> Self {
        Self {
            inner,
            addr,
            base_url,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

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
    /// configured rate limit and settings (`omit_roles_on_add`, the
    /// resource-group scope shape, `account_owned_token`).
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

    /// The zones of an account, as stored.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn zones(&self, account: &AccountId) -> Vec<Zone> {
        self.inner
            .with_account(account.as_str(), |a| a.zones.clone())
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// Adds a role to an account's catalogue as given, or replaces the one
    /// with its id. Nothing is checked: two roles may share a name (in any
    /// case), as on the real API.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn insert_role(&self, account: &AccountId, role: Role) {
        self.with_mut(account, |a| {
            upsert_by(&mut a.roles, role, |r| r.id.as_str());
        });
    }

    /// Adds a permission group to an account's catalogue as given (or
    /// replaces the one with its id); names and labels may repeat.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn insert_permission_group(&self, account: &AccountId, group: PermissionGroup) {
        self.with_mut(account, |a| {
            upsert_by(&mut a.permission_groups, group, |g| g.id.as_str());
        });
    }

    /// Adds a resource group to an account as given (or replaces the one
    /// with its id); its scope is not checked.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn insert_resource_group(&self, account: &AccountId, group: ResourceGroup) {
        self.with_mut(account, |a| {
            upsert_by(&mut a.resource_groups, group, |g| g.id.as_str());
        });
    }

    /// Adds a zone to an account as given (or replaces the one with its
    /// id); `account` is filled in from the account when served. Names may
    /// repeat, within an account or across accounts.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn insert_zone(&self, account: &AccountId, zone: Zone) {
        self.with_mut(account, |a| {
            upsert_by(&mut a.zones, zone, |z| z.id.as_str())
        });
    }

    /// Adds an active zone of this name with a fresh id to an account, and
    /// returns it.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn add_zone(&self, account: &AccountId, name: &str) -> Zone {
        let zone: Zone = serde_json::from_value(serde_json::json!({
            "id": crate::ids::random_id(),
            "name": name,
            "status": "active",
        }))
        .expect("a zone built from its own parts");
        self.insert_zone(account, zone.clone());
        zone
    }

    /// The user groups of an account, as stored.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn user_groups(&self, account: &AccountId) -> Vec<UserGroup> {
        self.inner
            .with_account(account.as_str(), |a| {
                a.user_groups.iter().map(|g| g.group.clone()).collect()
            })
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// The account member ids in a user group, in the order they joined
    /// (`None` when there is no such group).
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn user_group_members(&self, account: &AccountId, group: &str) -> Option<Vec<MemberId>> {
        self.inner
            .with_account(account.as_str(), |a| {
                a.user_group(group).map(|g| {
                    g.members
                        .iter()
                        .map(|m| MemberId::from_server(m.id.clone()))
                        .collect()
                })
            })
            .unwrap_or_else(|| panic!("no account {account}"))
    }

    /// Adds a user group to an account as given (or replaces the one with
    /// its id, keeping its members); nothing is checked, so names may
    /// repeat and policies may name any group.
    ///
    /// # Panics
    /// When the account does not exist.
    pub fn insert_user_group(&self, account: &AccountId, group: UserGroup) {
        self.with_mut(account, |a| match a.user_group_mut(group.id.as_str()) {
            Some(stored) => stored.group = group,
            None => a.user_groups.push(crate::state::StoredUserGroup {
                group,
                members: Vec::new(),
            }),
        });
    }

    /// Sets the members of a user group (account member ids), bypassing
    /// the API's checks: ids need not be members of the account.
    ///
    /// # Panics
    /// When the account or the group does not exist.
    pub fn set_user_group_members(
        &self,
        account: &AccountId,
        group: &str,
        members: impl IntoIterator<Item = MemberId>,
    ) {
        let added = crate::ids::now();
        let members: Vec<crate::state::GroupMembership> = members
            .into_iter()
            .map(|id| crate::state::GroupMembership {
                id: id.into_string(),
                added: added.clone(),
            })
            .collect();
        self.with_mut(account, |a| {
            a.user_group_mut(group)
                .unwrap_or_else(|| panic!("no user group {group}"))
                .members = members;
        });
    }

    /// Generates `n` account members (as [`add_members`](Self::add_members)
    /// does) and puts them in a user group of the account, after the
    /// members it has; returns their ids.
    ///
    /// # Panics
    /// When the account or the group does not exist.
    pub fn fill_user_group(&self, account: &AccountId, group: &str, n: usize) -> Vec<MemberId> {
        self.inner
            .fill_user_group(account.as_str(), group, n)
            .unwrap_or_else(|| panic!("no user group {group} in account {account}"))
    }

    /// Adds `n` generated accounts of `members` generated members each
    /// (ids `acc0…`, names `Generated Account NNNNN`, the default account's
    /// roles), and returns their ids. They go on reset unless the builder's
    /// [`generated_accounts`](MockServerBuilder::generated_accounts) made
    /// them.
    pub fn add_accounts(&self, n: usize, members: usize) -> Vec<AccountId> {
        self.inner.generate_accounts(n, members)
    }

    /// Makes the token behave as an account-owned token, or as a user's
    /// (see [`MockServerBuilder::account_owned_token`]).
    pub fn set_account_owned_token(&self, owned: bool) {
        self.inner.set_account_owned_token(owned);
    }

    /// The audit log entries recorded so far (one for every membership
    /// write served: members added, updated, removed; group members put
    /// in or taken out), oldest first.
    pub fn audit_log(&self) -> Vec<member_types::AuditLog> {
        self.inner
            .audit
            .all()
            .into_iter()
            .map(|(_, _, e)| e)
            .collect()
    }

    /// Whether `GET …/logs/audit` gives the next cursor as
    /// `result_info.cursors.after` (the TypeScript and Go SDKs' shape)
    /// instead of `result_info.cursor` (the spec's, the default).
    pub fn set_audit_cursors_after(&self, after: bool) {
        self.inner.audit.set_cursors_after(after);
    }

    /// Whether the token behaves as an account-owned token.
    pub fn account_owned_token(&self) -> bool {
        self.inner.account_owned_token()
    }

    /// Sets how resource-group answers write `scope` from now on (see
    /// [`MockServerBuilder::resource_group_scope`]).
    pub fn set_resource_group_scope(&self, shape: ScopeShape) {
        self.inner.set_scope_shape(shape);
    }

    /// How resource-group answers write `scope`.
    pub fn resource_group_scope(&self) -> ScopeShape {
        self.inner.scope_shape()
    }

    fn with_mut(&self, account: &AccountId, f: impl FnOnce(&mut crate::state::Account)) {
        self.inner
            .with_account_mut(account.as_str(), f)
            .unwrap_or_else(|| panic!("no account {account}"));
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
