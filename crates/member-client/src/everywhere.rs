//! One person across many accounts: find them (`whois`), take their access
//! away (`offboard`: plan, then run), and list everyone (`audit`).
//!
//! The API has no email filter on List Members and no cross-account search,
//! so each account's members are paged through (50 a page), several accounts
//! at a time, under the client's one rate limiter
//! ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)). An
//! account the token cannot read is reported as such; the others still
//! answer.

use std::fmt;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use member_types::{
    Account, AccountId, ListAccountsParams, ListMembersParams, Member, MemberStatus,
};

use crate::members::email_key;
use crate::{Change, Client, Error, ResolveError, Resolver};

/// How many accounts are read at once.
pub const ACCOUNTS_AT_ONCE: usize = 4;

/// The role whose last holder in an account is never removed by
/// [`Client::offboard_plan`]: without one, nobody can manage the account.
pub const SUPER_ADMIN_ROLE_NAME: &str = "Super Administrator - All Privileges";

/// An account to look at: its id, and its name and two-factor setting when
/// known (an account given by id alone is not looked up).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountRef {
    /// The account's id.
    pub id: AccountId,
    /// The account's name, when known.
    pub name: Option<String>,
    /// Whether the account requires two-factor authentication
    /// (`settings.enforce_twofactor`), when known.
    pub enforce_twofactor: Option<bool>,
}

impl AccountRef {
    /// An account by id (its name and settings unknown).
    pub fn new(id: AccountId) -> Self {
        Self {
            id,
            name: None,
            enforce_twofactor: None,
        }
    }
}

impl From<&Account> for AccountRef {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            name: account.name.clone(),
            enforce_twofactor: account.enforces_two_factor(),
        }
    }
}

impl fmt::Display for AccountRef {
    /// `Example Corp (023e…)`, or the id alone when the name is unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => write!(f, "{name} ({})", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

/// An account that could not be read, and why ([`Client::audit`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct AccountError {
    /// The account.
    pub account: AccountRef,
    /// The failure.
    pub error: Error,
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account {}: {}", self.account, self.error)
    }
}

impl std::error::Error for AccountError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// What one account says about a person.
#[derive(Debug)]
#[non_exhaustive]
pub enum Presence {
    /// Their memberships in the account (normally one; a pending invitation
    /// has status `pending`).
    Member(Vec<Member>),
    /// Not a member and not invited.
    NotMember,
    /// The account could not be read (the token has no access to it, or
    /// the read failed): the person may or may not be there.
    Unreadable(Error),
}

/// One account's answer for a person ([`Client::whois`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct AccountPresence {
    /// The account.
    pub account: AccountRef,
    /// What it says.
    pub presence: Presence,
}

/// What [`Client::offboard_plan`] will do in one account.
#[derive(Debug)]
#[non_exhaustive]
pub enum OffboardAction {
    /// Remove these memberships (a pending one is the invitation,
    /// cancelled).
    Remove(Vec<Member>),
    /// Nothing to do: not a member.
    NotMember,
    /// Refused: the person is the account's last Super Administrator, by
    /// role, by policy or through a user group ([`Client::lockout`]);
    /// removing them would leave nobody able to manage the account.
    LastSuperAdmin(Vec<Member>),
    /// The account could not be read.
    Unreadable(Error),
}

/// One account of an offboarding plan.
#[derive(Debug)]
#[non_exhaustive]
pub struct OffboardEntry {
    /// The account.
    pub account: AccountRef,
    /// What will be done there.
    pub action: OffboardAction,
}

/// What removing one membership did ([`Client::offboard_run`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct OffboardOutcome {
    /// The account.
    pub account: AccountRef,
    /// The membership.
    pub member: Member,
    /// The removal's result (a 404 counts as removed: nothing is left).
    pub result: Result<(), Error>,
}

/// One member of one account, for an audit ([`Client::audit`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuditRow {
    /// The account.
    pub account: AccountRef,
    /// Whether the account requires two-factor authentication, when known.
    pub enforce_twofactor: Option<bool>,
    /// The member, as List Members returns them.
    pub member: Member,
    /// Whether the member is a Super Administrator: by the role, by an
    /// allow policy of its own over the whole account, or through a user
    /// group with one (and no deny of it). By the role alone when
    /// [`super_admin_unchecked`](Self::super_admin_unchecked) says why the
    /// rest could not be read.
    pub super_admin: bool,
    /// Why only the roles could be checked for
    /// [`super_admin`](Self::super_admin) in this account (reading its
    /// permission groups, resource groups or user groups failed); `None`
    /// when every way was checked.
    pub super_admin_unchecked: Option<String>,
}

impl AuditRow {
    /// A Super Administrator without two-factor authentication, or a
    /// pending invitation: rows an audit's summary points at.
    pub fn is_risky(&self) -> bool {
        let pending = self.member.status.as_ref() == Some(&MemberStatus::Pending);
        let no_2fa = self
            .member
            .user
            .as_ref()
            .and_then(|u| u.two_factor_authentication_enabled)
            == Some(false);
        pending || (self.super_admin && no_2fa)
    }
}

/// `stream`, ended after its first error.
fn stop_after_error<T, E>(
    stream: impl futures::Stream<Item = Result<T, E>> + Send + 'static,
) -> impl futures::Stream<Item = Result<T, E>> + Send + 'static
where
    T: Send + 'static,
    E: Send + 'static,
{
    stream
        .scan(false, |failed, item| {
            let next = if *failed {
                None
            } else {
                *failed = item.is_err();
                Some(item)
            };
            futures::future::ready(next)
        })
        .fuse()
}

fn is_super_admin(member: &Member) -> bool {
    member.roles.iter().any(|r| r.name == SUPER_ADMIN_ROLE_NAME)
}

fn is_active_super_admin(member: &Member) -> bool {
    is_super_admin(member) && member.status.as_ref() == Some(&MemberStatus::Accepted)
}

/// Every membership of `members` with this email (folded as everywhere).
fn with_email(members: Vec<Member>, email: &str) -> Vec<Member> {
    let wanted = email_key(email);
    members
        .into_iter()
        .filter(|m| m.email().is_some_and(|e| email_key(e) == wanted))
        .collect()
}

/// What to do in one account, from its members.
fn offboard_action(members: Vec<Member>, email: &str) -> OffboardAction {
    let (theirs, others): (Vec<Member>, Vec<Member>) = members
        .into_iter()
        .partition(|m| m.email().is_some_and(|e| email_key(e) == email_key(email)));
    if theirs.is_empty() {
        return OffboardAction::NotMember;
    }
    let they_hold_it = theirs.iter().any(is_active_super_admin);
    let someone_else_does = others.iter().any(is_active_super_admin);
    if they_hold_it && !someone_else_does {
        return OffboardAction::LastSuperAdmin(theirs);
    }
    OffboardAction::Remove(theirs)
}

impl Client {
    /// [`offboard_action`], then for every removal the lockout guard, which
    /// decides: it also counts the Super Administrator's access by policy
    /// and through user groups, so somebody who holds it another way than
    /// the role lets the person go, and a role a group's deny cancels does
    /// not keep the account managed.
    async fn guarded(
        &self,
        account: &AccountId,
        members: Vec<Member>,
        email: &str,
    ) -> OffboardAction {
        let action = offboard_action(members.clone(), email);
        let theirs = match action {
            OffboardAction::Remove(theirs) | OffboardAction::LastSuperAdmin(theirs) => theirs,
            other => return other,
        };
        let changes: Vec<Change> = theirs
            .iter()
            .filter_map(|m| m.id.clone())
            .map(Change::remove)
            .collect();
        let resolver = Resolver::with_members(self.clone(), account.clone(), members);
        let current = match resolver.members().await {
            Ok(current) => current,
            Err(e) => return OffboardAction::Unreadable(e),
        };
        let checked = match self.members(account).plan_with(&current, &changes).await {
            Ok(plan) => self.lockout(&resolver, &plan).await,
            Err(e) => Err(e),
        };
        match checked {
            Ok(None) => OffboardAction::Remove(theirs),
            Ok(Some(_)) => OffboardAction::LastSuperAdmin(theirs),
            Err(e) => OffboardAction::Unreadable(e),
        }
    }

    /// Every account the token can see, as [`AccountRef`]s.
    ///
    /// # Errors
    /// The list's errors; for an account-owned token, which cannot list
    /// accounts, the API's refusal (code 1001,
    /// [`Accounts::is_account_owned_token_refusal`](crate::Accounts::is_account_owned_token_refusal)):
    /// name its accounts instead.
    pub async fn all_accounts(&self) -> Result<Vec<AccountRef>, Error> {
        let accounts: Vec<Account> = self
            .accounts()
            .list(ListAccountsParams::new())
            .try_collect()
            .await?;
        Ok(accounts.iter().map(AccountRef::from).collect())
    }

    async fn all_members(&self, account: &AccountId) -> Result<Vec<Member>, Error> {
        self.members(account)
            .list(ListMembersParams::new())
            .try_collect()
            .await
    }

    /// Where `email` is a member (or invited), account by account, as the
    /// accounts answer ([`ACCOUNTS_AT_ONCE`] at a time; each account's
    /// members are read in full, since the API cannot filter by email).
    ///
    /// # Errors
    /// A malformed email (nothing is read); each account's failure is its
    /// [`Presence::Unreadable`].
    pub fn whois(
        &self,
        email: &str,
        accounts: Vec<AccountRef>,
    ) -> Result<BoxStream<'static, AccountPresence>, Error> {
        member_types::check_email(email)?;
        let client = self.clone();
        let email = email.to_owned();
        Ok(stream::iter(accounts)
            .map(move |account| {
                let client = client.clone();
                let email = email.clone();
                async move {
                    let presence = match client.all_members(&account.id).await {
                        Ok(members) => match with_email(members, &email) {
                            found if found.is_empty() => Presence::NotMember,
                            found => Presence::Member(found),
                        },
                        Err(e) => Presence::Unreadable(e),
                    };
                    AccountPresence { account, presence }
                }
            })
            .buffered(ACCOUNTS_AT_ONCE)
            .boxed())
    }

    /// What offboarding `email` will do in each account: remove every
    /// membership (pending invitations included), except where they are
    /// the last accepted Super Administrator, which is refused. Nothing is
    /// changed.
    ///
    /// # Errors
    /// A malformed email (nothing is read).
    pub async fn offboard_plan(
        &self,
        email: &str,
        accounts: Vec<AccountRef>,
    ) -> Result<Vec<OffboardEntry>, Error> {
        member_types::check_email(email)?;
        let entries = stream::iter(accounts)
            .map(|account| async move {
                let action = match self.all_members(&account.id).await {
                    Ok(members) => self.guarded(&account.id, members, email).await,
                    Err(e) => OffboardAction::Unreadable(e),
                };
                OffboardEntry { account, action }
            })
            .buffered(ACCOUNTS_AT_ONCE)
            .collect()
            .await;
        Ok(entries)
    }

    /// Carries out the removals of a plan, one outcome per membership, as
    /// they finish ([`ACCOUNTS_AT_ONCE`] at a time). A removal answered by
    /// 404 counts as done: the membership is gone either way.
    pub fn offboard_run(&self, plan: &[OffboardEntry]) -> BoxStream<'static, OffboardOutcome> {
        let removals: Vec<(AccountRef, Member)> = plan
            .iter()
            .filter_map(|entry| match &entry.action {
                OffboardAction::Remove(members) => Some(
                    members
                        .iter()
                        .map(|m| (entry.account.clone(), m.clone()))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        let client = self.clone();
        stream::iter(removals)
            .map(move |(account, member)| {
                let client = client.clone();
                async move {
                    let result = match &member.id {
                        Some(id) => match client.members(&account.id).remove(id).await {
                            Ok(_) => Ok(()),
                            Err(e) if e.is_not_found() => Ok(()),
                            Err(e) => Err(e),
                        },
                        None => Err(Error::protocol("the membership has no id to remove")),
                    };
                    OffboardOutcome {
                        account,
                        member,
                        result,
                    }
                }
            })
            .buffer_unordered(ACCOUNTS_AT_ONCE)
            .boxed()
    }

    /// One row per member per account, streamed page by page (one account
    /// after another, so memory holds one page at a time; before each
    /// account's members, what makes a Super Administrator there: its
    /// roles, permission groups, resource groups and user groups, and the
    /// members of the groups that grant it), with each
    /// account's [`enforce_twofactor`](AccountRef::enforce_twofactor) as
    /// the `AccountRef` knows it (those of
    /// [`all_accounts`](Self::all_accounts) and
    /// [`select_accounts`](Self::select_accounts) by name know it).
    ///
    /// An account whose read fails gives one [`AccountError`] naming it
    /// (after the rows of the pages read before the failure); the next
    /// account is read all the same.
    pub fn audit(
        &self,
        accounts: Vec<AccountRef>,
    ) -> BoxStream<'static, Result<AuditRow, AccountError>> {
        let client = self.clone();
        stream::iter(accounts)
            .then(move |account| {
                let client = client.clone();
                async move {
                    // What makes a Super Administrator here, read once per
                    // account before its members; when that fails, the
                    // roles alone decide, and the rows say why.
                    let holders = client.super_admins_of(&account.id).await;
                    let enforce_twofactor = account.enforce_twofactor;
                    let failed = account.clone();
                    let rows = client
                        .members(&account.id)
                        .list(ListMembersParams::new())
                        .map_ok(move |member| {
                            let (super_admin, super_admin_unchecked) = match &holders {
                                Ok(holders) => (holders.holds(&member), None),
                                Err(e) => (is_super_admin(&member), Some(e.to_string())),
                            };
                            AuditRow {
                                account: account.clone(),
                                enforce_twofactor,
                                member,
                                super_admin,
                                super_admin_unchecked,
                            }
                        })
                        .map_err(move |error| AccountError {
                            account: failed.clone(),
                            error,
                        });
                    // A list stream ends after its first error; this makes
                    // sure of it, so one account gives at most one failure.
                    stop_after_error(rows)
                }
            })
            .flatten()
            .boxed()
    }

    /// The accounts `references` name, in order and without repeats: a
    /// 32-character hex string (or `id:ID`) is an id, taken as is with no
    /// request; anything else (or `name:NAME`) is a name, looked up with
    /// [`Accounts::by_name`](crate::Accounts::by_name) (so the
    /// [`AccountRef`] knows the name and two-factor setting).
    ///
    /// # Errors
    /// Every reference that did not resolve, at once ([`ResolveError`]:
    /// not found, ambiguous with every candidate, an invalid id, or the
    /// read's failure, such as an account-owned token's refusal).
    pub async fn select_accounts(
        &self,
        references: &[String],
    ) -> Result<Vec<AccountRef>, Vec<ResolveError>> {
        let accounts = self.accounts();
        let mut found: Vec<AccountRef> = Vec::new();
        let mut failed = Vec::new();
        for reference in references {
            match accounts.resolve(reference).await {
                Ok(account) => {
                    if !found.iter().any(|a| a.id == account.id) {
                        found.push(account);
                    }
                }
                Err(e) => failed.push(e),
            }
        }
        if failed.is_empty() {
            Ok(found)
        } else {
            Err(failed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(email: &str, roles: &[&str], status: &str) -> Member {
        let roles: Vec<serde_json::Value> = roles
            .iter()
            .enumerate()
            .map(|(i, name)| {
                serde_json::json!({"id": format!("r{i}"), "name": name, "description": "", "permissions": {}})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": format!("{:x}", email.len()), "email": email, "status": status, "roles": roles
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn a_stream_stops_after_its_first_error() {
        let items: Vec<Result<u8, &str>> = vec![Ok(1), Err("x"), Ok(2), Err("y")];
        let got: Vec<Result<u8, &str>> = stop_after_error(stream::iter(items)).collect().await;
        assert_eq!(got, vec![Ok(1), Err("x")]);
    }

    #[test]
    fn an_account_shows_its_name_and_id() {
        let id = AccountId::new("023e105f4ecef8ad9ca31a8372d0c353").unwrap();
        let mut account = AccountRef::new(id);
        assert_eq!(account.to_string(), "023e105f4ecef8ad9ca31a8372d0c353");
        account.name = Some("Example Corp".to_owned());
        assert_eq!(
            account.to_string(),
            "Example Corp (023e105f4ecef8ad9ca31a8372d0c353)"
        );
        let decoded: Account = serde_json::from_value(serde_json::json!({
            "id": "023e105f4ecef8ad9ca31a8372d0c353",
            "name": "Example Corp",
            "settings": {"enforce_twofactor": true}
        }))
        .unwrap();
        assert_eq!(AccountRef::from(&decoded).enforce_twofactor, Some(true));
    }

    /// One row per rule of `offboard_action`.
    #[test]
    fn offboard_rules() {
        let super_admin = SUPER_ADMIN_ROLE_NAME;
        let cases: Vec<(&str, Vec<Member>, &str)> = vec![
            (
                "not a member",
                vec![member("a@x.com", &["DNS"], "accepted")],
                "not",
            ),
            (
                "a member",
                vec![member("bob@x.com", &["DNS"], "accepted")],
                "remove",
            ),
            (
                "an invitation",
                vec![member("bob@x.com", &["DNS"], "pending")],
                "remove",
            ),
            (
                "email folds ASCII case",
                vec![member("BOB@X.com", &["DNS"], "accepted")],
                "remove",
            ),
            (
                "the last super admin",
                vec![
                    member("bob@x.com", &[super_admin], "accepted"),
                    member("a@x.com", &["DNS"], "accepted"),
                ],
                "refused",
            ),
            (
                "a super admin with another one",
                vec![
                    member("bob@x.com", &[super_admin], "accepted"),
                    member("a@x.com", &[super_admin], "accepted"),
                ],
                "remove",
            ),
            (
                "another super admin only invited does not count",
                vec![
                    member("bob@x.com", &[super_admin], "accepted"),
                    member("a@x.com", &[super_admin], "pending"),
                ],
                "refused",
            ),
            (
                "an invited super admin is not the last one",
                vec![member("bob@x.com", &[super_admin], "pending")],
                "remove",
            ),
        ];
        for (rule, members, expected) in cases {
            let got = match offboard_action(members, "bob@x.com") {
                OffboardAction::Remove(_) => "remove",
                OffboardAction::NotMember => "not",
                OffboardAction::LastSuperAdmin(_) => "refused",
                OffboardAction::Unreadable(_) => "unreadable",
            };
            assert_eq!(got, expected, "{rule}");
        }
    }
}
