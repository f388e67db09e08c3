//! One person across many accounts: find them (`whois`), take their access
//! away (`offboard`: plan, then run), and list everyone (`audit`).
//!
//! The API has no email filter on List Members and no cross-account search,
//! so each account's members are paged through (50 a page), several accounts
//! at a time, under the client's one rate limiter
//! ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)). An
//! account the token cannot read is reported as such; the others still
//! answer.

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use member_types::{
    Account, AccountId, ListAccountsParams, ListMembersParams, Member, MemberStatus,
};

use crate::members::email_key;
use crate::{Client, Error};

/// How many accounts are read at once.
pub const ACCOUNTS_AT_ONCE: usize = 4;

/// The role whose last holder in an account is never removed by
/// [`Client::offboard`]: without one, nobody can manage the account.
pub const SUPER_ADMIN_ROLE_NAME: &str = "Super Administrator - All Privileges";

/// An account to look at: its id, and its name when known.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountRef {
    /// The account's id.
    pub id: AccountId,
    /// The account's name, when known.
    pub name: Option<String>,
}

impl AccountRef {
    /// An account by id (its name unknown).
    pub fn new(id: AccountId) -> Self {
        Self { id, name: None }
    }
}

impl From<&Account> for AccountRef {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            name: account.name.clone(),
        }
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
    /// Refused: the person is the account's last Super Administrator
    /// (removing them would leave nobody able to manage the account).
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
        pending || (is_super_admin(&self.member) && no_2fa)
    }
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
                    Ok(members) => offboard_action(members, email),
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
    /// after another, so memory holds one page at a time), with each
    /// account's `enforce_twofactor` when `accounts` came from
    /// [`all_accounts`](Self::all_accounts) details.
    pub fn audit(
        &self,
        accounts: Vec<(AccountRef, Option<bool>)>,
    ) -> BoxStream<'static, Result<AuditRow, Error>> {
        let client = self.clone();
        stream::iter(accounts)
            .map(move |(account, enforce_twofactor)| {
                client
                    .members(&account.id)
                    .list(ListMembersParams::new())
                    .map_ok(move |member| AuditRow {
                        account: account.clone(),
                        enforce_twofactor,
                        member,
                    })
            })
            .flatten()
            .boxed()
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
