//! The state every part of a running mock shares: the accounts, the
//! request log, the pending faults and the rate limiter.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};

use member_types::{AccountId, Member, MemberId, MemberStatus, Role, User};
use tokio::time::Instant;

use crate::auth::Credentials;
use crate::fault::{Fault, FaultSet};
use crate::ids::random_id;
use crate::rate_limit::{Limiter, RateLimitPolicy, Verdict};
use crate::record::RecordedRequest;
use crate::seed::{Seed, SeedAccount};
use crate::server::ScopeShape;
use crate::state::{Account, State as Accounts};

/// State shared by the handlers, the admin API, the edge and the handle.
/// The builder fills the fields in; everything else goes through the
/// methods.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) state: RwLock<Accounts>,
    pub(crate) creds: Credentials,
    pub(crate) seed: Seed,
    pub(crate) default_account: AccountId,
    pub(crate) omit_roles_on_add: AtomicBool,
    pub(crate) scope_as_array: AtomicBool,
    pub(crate) account_owned_token: AtomicBool,
    pub(crate) configured_rate_limit: Option<RateLimitPolicy>,
    /// The builder's `omit_roles_on_add`, array scopes and
    /// `account_owned_token`, which a reset puts back.
    pub(crate) configured_settings: [bool; 3],
    pub(crate) log: Mutex<VecDeque<RecordedRequest>>,
    pub(crate) log_limit: usize,
    pub(crate) faults: Mutex<FaultSet>,
    pub(crate) limiter: Mutex<Limiter>,
    pub(crate) body_limit: usize,
    pub(crate) generated: AtomicU64,
    pub(crate) generated_accounts: AtomicU64,
    pub(crate) base_url: String,
    /// The audit log of the membership writes served.
    pub(crate) audit: crate::audit::AuditStore,
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

    /// Whether the token behaves as an account-owned token (`GET /accounts`
    /// refused).
    pub(crate) fn account_owned_token(&self) -> bool {
        self.account_owned_token.load(Ordering::Relaxed)
    }

    pub(crate) fn set_account_owned_token(&self, owned: bool) {
        self.account_owned_token.store(owned, Ordering::Relaxed);
    }

    pub(crate) fn scope_shape(&self) -> ScopeShape {
        if self.scope_as_array.load(Ordering::Relaxed) {
            ScopeShape::Array
        } else {
            ScopeShape::Object
        }
    }

    pub(crate) fn set_scope_shape(&self, shape: ScopeShape) {
        self.scope_as_array
            .store(shape == ScopeShape::Array, Ordering::Relaxed);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
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

    /// The first pending fault for this request (path relative to
    /// `/client/v4`), with one use consumed.
    pub(crate) fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        lock(&self.faults).take(method, path)
    }

    /// Counts one request against the rate limit, on Tokio's clock; `None`
    /// when the limiter is off.
    pub(crate) fn check_rate_limit(&self) -> Option<Verdict> {
        lock(&self.limiter).check(Instant::now())
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
        self.audit.clear();
        self.clear_faults();
        self.set_rate_limit(self.configured_rate_limit);
        let [omit, array, owned] = self.configured_settings;
        self.omit_roles_on_add.store(omit, Ordering::Relaxed);
        self.scope_as_array.store(array, Ordering::Relaxed);
        self.account_owned_token.store(owned, Ordering::Relaxed);
    }

    pub(crate) fn with_account<T>(
        &self,
        account: &str,
        f: impl FnOnce(&Account) -> T,
    ) -> Option<T> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        state.account(account).map(f)
    }

    /// Runs `f` over every account (the credential reaches them all).
    pub(crate) fn with_accounts<T>(
        &self,
        f: impl FnOnce(std::collections::btree_map::Values<'_, String, Account>) -> T,
    ) -> T {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        f(state.accounts.values())
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

    /// Adds `n` generated accounts of `members` members each (see
    /// [`generated_account`]), and gives their ids.
    pub(crate) fn generate_accounts(&self, n: usize, members: usize) -> Vec<AccountId> {
        let roles = self
            .with_account(self.default_account.as_str(), |a| a.roles.clone())
            .unwrap_or_default();
        (0..n)
            .map(|_| {
                let k = self.generated_accounts.fetch_add(1, Ordering::Relaxed) + 1;
                let account =
                    generated_account(usize::try_from(k).unwrap_or(usize::MAX), members, &roles);
                let id = account.id.clone();
                self.add_account(account);
                id
            })
            .collect()
    }

    /// Generates `n` members in an account and puts them in one of its
    /// user groups; `None` when there is no such account or group.
    pub(crate) fn fill_user_group(
        &self,
        account: &str,
        group: &str,
        n: usize,
    ) -> Option<Vec<MemberId>> {
        let exists = self
            .with_account(account, |a| a.user_group(group).is_some())
            .unwrap_or(false);
        if !exists {
            return None;
        }
        let ids = self.generate_members(account, n)?;
        self.with_account_mut(account, |a| {
            let added = crate::ids::now();
            let stored = a.user_group_mut(group)?;
            stored
                .members
                .extend(ids.iter().map(|id| crate::state::GroupMembership {
                    id: id.as_str().to_owned(),
                    added: added.clone(),
                }));
            Some(())
        })??;
        Some(ids)
    }

    /// Generates `n` members in an account (see [`generated_member`]).
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
                    let id = MemberId::from_server(random_id());
                    account
                        .members
                        .upsert(generated_member(k, id.clone(), role.as_ref()));
                    id
                })
                .collect()
        })
    }
}

/// The `k`th generated account (from 1): id `acc0…<k in hex>`, named
/// `Generated Account NNNNN`, with the `roles` given and `members`
/// generated members (`member00001@example.com`… in every account, as one
/// person can be in many).
pub(crate) fn generated_account(k: usize, members: usize, roles: &[Role]) -> SeedAccount {
    let id = AccountId::new(format!("acc0{k:028x}")).expect("32 hexadecimal digits");
    let mut account = SeedAccount::new(id).named(format!("Generated Account {k:05}"));
    account.roles = roles.to_vec();
    let role = roles
        .iter()
        .find(|r| r.name == "Administrator Read Only")
        .or_else(|| roles.first());
    account.members = (1..=members as u64)
        .map(|m| generated_member(m, MemberId::from_server(random_id()), role))
        .collect();
    account
}

/// The `k`th generated member, `id`: `memberNNNNN@example.com`, every third one
/// pending and the others accepted, every other one with two-factor
/// authentication, each with `role` ("Administrator Read Only", or the
/// account's first role when it has none of that name).
fn generated_member(k: u64, id: MemberId, role: Option<&Role>) -> Member {
    let email = format!("member{k:05}@example.com");
    let mut user = User::default();
    user.email.clone_from(&email);
    user.first_name = Some(format!("Member{k:05}"));
    user.last_name = Some("Generated".to_owned());
    user.two_factor_authentication_enabled = Some(k.is_multiple_of(2));
    let mut member = Member::default();
    member.id = Some(id);
    member.email = Some(email);
    member.status = Some(if k.is_multiple_of(3) {
        MemberStatus::Pending
    } else {
        MemberStatus::Accepted
    });
    member.roles = role.into_iter().cloned().collect();
    member.user = Some(user);
    member
}
