//! Seed data: the accounts, members, roles and groups the mock starts with.
//!
//! The format (also what `member-mock --seed FILE` reads) is
//!
//! ```json
//! {"accounts": [{
//!    "id": "<32 letters or digits>",
//!    "name"?: "Example Corp",
//!    "allow_direct_add": false,
//!    "roles": [Role, ...],
//!    "permission_groups": [{"id", "name"?, "status"?, "meta"?: {"label", "scopes", …}, "created_on"?, "modified_on"?}, ...],
//!    "resource_groups": [{"id", "scope": [{"key", "objects": [{"key"}]}], "name"?, "meta"?}, ...],
//!    "zones": [{"id", "name", "status"?}, ...],
//!    "members": [Member, ...],
//!    "user_groups"?: [{"id", "name", "created_on"?, "modified_on"?, "policies"?: [...], "members"?: ["<member id>", ...]}, ...],
//!    "type"?: "standard" | "enterprise", "settings"?: {"enforce_twofactor", …}, "created_on"?, "managed_by"?,
//!    "no_access"?: false
//! }]}
//! ```
//!
//! `Role` and `Member` are the API's own shapes. Inside a seed member, a role
//! may be written as its id (`"roles": ["<role id>"]` or `[{"id": "…"}]`) and
//! a policy's groups as `{"id": "…"}`: they are filled in from the account's
//! catalogue. A member without an `id` gets a random one; a member without a
//! top-level `email` takes the user's. The first account is the default one
//! ([`MockServer::account_id`](crate::MockServer::account_id)).
//!
//! ```
//! let seed = member_mock::Seed::from_json(r#"{"accounts":[{
//!     "id": "0123456789abcdef0123456789abcdef",
//!     "roles": [{"id": "r1", "name": "Reader", "description": "Reads", "permissions": {}}],
//!     "members": [{"user": {"email": "a@example.com"}, "roles": ["r1"], "status": "accepted"}]
//! }]}"#)?;
//! assert_eq!(seed.accounts[0].members[0].roles[0].name, "Reader");
//! assert_eq!(seed.accounts[0].members[0].email.as_deref(), Some("a@example.com"));
//! # Ok::<(), member_mock::SeedError>(())
//! ```

use std::path::Path;

use member_types::{
    AccountId, AccountSettings, ManagedBy, Member, MemberId, PermissionGroup, ResourceGroup, Role,
    UserGroup, Zone,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::random_id;

/// The default seed, as JSON (one account with six members, twelve roles,
/// 22 permission groups, three resource groups, three user groups and three
/// zones; a second account with three members and a zone of the same name as
/// one of the first's; a third with two members; and one the credential has
/// no access to; each named in [`default_seed`](crate::default_seed)).
pub const DEFAULT_SEED_JSON: &str = include_str!("../seeds/default.json");

/// A seed file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read seed file {path}: {source}")]
    Io {
        /// The path given.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The JSON is not a valid seed.
    #[error("invalid seed at {at}: {message}")]
    Invalid {
        /// Where in the seed (a JSON pointer).
        at: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(at: impl Into<String>, message: impl std::fmt::Display) -> SeedError {
    SeedError::Invalid {
        at: at.into(),
        message: message.to_string(),
    }
}

/// Everything the mock serves, per account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Seed {
    /// The accounts; the first is the default one.
    pub accounts: Vec<SeedAccount>,
}

/// One account of a [`Seed`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SeedAccount {
    /// The account id.
    pub id: AccountId,
    /// The account's name (what zones show as `account.name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether Add Member may use `status: accepted` (a direct add).
    #[serde(default)]
    pub allow_direct_add: bool,
    /// The account's role catalogue.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Permission groups usable in policies.
    #[serde(default)]
    pub permission_groups: Vec<PermissionGroup>,
    /// Resource groups usable in policies.
    #[serde(default)]
    pub resource_groups: Vec<ResourceGroup>,
    /// The account's zones (`GET /zones`; their keys are valid in scopes).
    /// `account` is filled in from the account when served.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// The members.
    #[serde(default)]
    pub members: Vec<Member>,
    /// The user groups, with their members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_groups: Vec<SeedUserGroup>,
    /// `type` in `GET /accounts` (`standard` when not given).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// `settings` in `GET /accounts` (`enforce_twofactor: false` and the
    /// other known keys `null` when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AccountSettings>,
    /// `created_on` in `GET /accounts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    /// `managed_by` in `GET /accounts`, when the account belongs to an
    /// organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<ManagedBy>,
    /// The credential has no access to this account: every request on it
    /// is refused (403 code 9109) and `GET /accounts` leaves it out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_access: bool,
}

/// A user group of a [`SeedAccount`]: the group as the API sends it, and
/// the account member ids in it. In a seed file, its policies' groups may
/// be written `{"id": …}` and are filled in from the account's catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SeedUserGroup {
    /// The group.
    #[serde(flatten)]
    pub group: UserGroup,
    /// The ids of the account members in it.
    #[serde(default)]
    pub members: Vec<MemberId>,
}

impl SeedUserGroup {
    /// A group with these members.
    pub fn new(group: UserGroup, members: impl IntoIterator<Item = MemberId>) -> Self {
        Self {
            group,
            members: members.into_iter().collect(),
        }
    }
}

impl SeedAccount {
    /// An empty account with this id (no roles, groups or members).
    pub fn new(id: AccountId) -> Self {
        Self {
            id,
            name: None,
            allow_direct_add: false,
            roles: Vec::new(),
            permission_groups: Vec::new(),
            resource_groups: Vec::new(),
            zones: Vec::new(),
            members: Vec::new(),
            user_groups: Vec::new(),
            account_type: None,
            settings: None,
            created_on: None,
            managed_by: None,
            no_access: false,
        }
    }

    /// The same, named.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl Default for Seed {
    /// The built-in seed ([`DEFAULT_SEED_JSON`]).
    fn default() -> Self {
        Self::from_json(DEFAULT_SEED_JSON).expect("the built-in seed is valid")
    }
}

impl Seed {
    /// Reads a seed from JSON text (see the [module docs](self) for the
    /// format).
    ///
    /// # Errors
    /// [`SeedError::Invalid`] naming the first thing that is wrong.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        let value: Value = serde_json::from_str(text).map_err(|e| invalid("", e))?;
        Self::from_value(value)
    }

    /// Reads a seed file.
    ///
    /// # Errors
    /// [`SeedError::Io`] when the file cannot be read, else as
    /// [`from_json`](Self::from_json).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SeedError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Reads a seed from a JSON value.
    ///
    /// # Errors
    /// As for [`from_json`](Self::from_json).
    pub fn from_value(value: Value) -> Result<Self, SeedError> {
        let Value::Object(mut root) = value else {
            return Err(invalid("", "expected an object with `accounts`"));
        };
        let Some(Value::Array(accounts)) = root.remove("accounts") else {
            return Err(invalid("/accounts", "expected an array of accounts"));
        };
        if accounts.is_empty() {
            return Err(invalid("/accounts", "at least one account is needed"));
        }
        let mut out = Vec::with_capacity(accounts.len());
        for (i, account) in accounts.into_iter().enumerate() {
            out.push(parse_account(account, &format!("/accounts/{i}"))?);
        }
        let mut ids: Vec<&str> = out.iter().map(|a| a.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid("/accounts", "two accounts have the same id"));
        }
        Ok(Self { accounts: out })
    }

    /// An empty seed with one account of this id, no roles and no members.
    pub fn empty(account: AccountId) -> Self {
        Self {
            accounts: vec![SeedAccount::new(account)],
        }
    }
}

fn take<T: serde::de::DeserializeOwned>(
    obj: &mut serde_json::Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<T>, SeedError> {
    match obj.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(|e| invalid(format!("{at}/{key}"), e)),
    }
}

fn parse_account(value: Value, at: &str) -> Result<SeedAccount, SeedError> {
    let Value::Object(mut obj) = value else {
        return Err(invalid(at, "expected an account object"));
    };
    let id: AccountId = take(&mut obj, "id", at)?.ok_or_else(|| invalid(at, "`id` is missing"))?;
    let name: Option<String> = take(&mut obj, "name", at)?;
    let zones: Vec<Zone> = take(&mut obj, "zones", at)?.unwrap_or_default();
    let roles: Vec<Role> = take(&mut obj, "roles", at)?.unwrap_or_default();
    let permission_groups: Vec<PermissionGroup> =
        take(&mut obj, "permission_groups", at)?.unwrap_or_default();
    let resource_groups: Vec<ResourceGroup> =
        take(&mut obj, "resource_groups", at)?.unwrap_or_default();
    let allow_direct_add: bool = take(&mut obj, "allow_direct_add", at)?.unwrap_or(false);
    let raw_members: Vec<Value> = take(&mut obj, "members", at)?.unwrap_or_default();
    let raw_groups: Vec<Value> = take(&mut obj, "user_groups", at)?.unwrap_or_default();
    let mut account = SeedAccount {
        id,
        name,
        allow_direct_add,
        roles,
        permission_groups,
        resource_groups,
        zones,
        members: Vec::with_capacity(raw_members.len()),
        user_groups: Vec::with_capacity(raw_groups.len()),
        account_type: take(&mut obj, "type", at)?,
        settings: take(&mut obj, "settings", at)?,
        created_on: take(&mut obj, "created_on", at)?,
        managed_by: take(&mut obj, "managed_by", at)?,
        no_access: take(&mut obj, "no_access", at)?.unwrap_or(false),
    };
    for (i, raw) in raw_members.into_iter().enumerate() {
        let member = parse_member(raw, &account, &format!("{at}/members/{i}"))?;
        account.members.push(member);
    }
    for (i, raw) in raw_groups.into_iter().enumerate() {
        let group = parse_user_group(raw, &account, &format!("{at}/user_groups/{i}"))?;
        account.user_groups.push(group);
    }
    Ok(account)
}

/// Fills a group's policy references in from the catalogue, reads it, and
/// checks that its members are the account's.
fn parse_user_group(
    mut value: Value,
    account: &SeedAccount,
    at: &str,
) -> Result<SeedUserGroup, SeedError> {
    let Some(obj) = value.as_object_mut() else {
        return Err(invalid(at, "expected a user group object"));
    };
    fill_policies(obj, account, at)?;
    let group: SeedUserGroup = serde_json::from_value(value).map_err(|e| invalid(at, e))?;
    for (i, id) in group.members.iter().enumerate() {
        if !account.members.iter().any(|m| m.id.as_ref() == Some(id)) {
            return Err(invalid(
                format!("{at}/members/{i}"),
                format!("{:?} is not a member of this account", id.as_str()),
            ));
        }
    }
    Ok(group)
}

/// Fills in the `{"id"}` references of an object's `policies`.
fn fill_policies(
    obj: &mut serde_json::Map<String, Value>,
    account: &SeedAccount,
    at: &str,
) -> Result<(), SeedError> {
    if let Some(Value::Array(policies)) = obj.get_mut("policies") {
        for (p, policy) in policies.iter_mut().enumerate() {
            let Some(policy) = policy.as_object_mut() else {
                continue;
            };
            let at = format!("{at}/policies/{p}");
            fill_groups(policy, "permission_groups", &at, |id| {
                account
                    .permission_groups
                    .iter()
                    .find(|x| x.id.as_str() == id)
            })?;
            fill_groups(policy, "resource_groups", &at, |id| {
                account.resource_groups.iter().find(|x| x.id.as_str() == id)
            })?;
        }
    }
    Ok(())
}

/// Fills role and group references in from the catalogue, then reads the
/// member.
fn parse_member(mut value: Value, account: &SeedAccount, at: &str) -> Result<Member, SeedError> {
    let Some(obj) = value.as_object_mut() else {
        return Err(invalid(at, "expected a member object"));
    };
    if let Some(Value::Array(roles)) = obj.get_mut("roles") {
        for (i, role) in roles.iter_mut().enumerate() {
            let id = match role {
                Value::String(id) => Some(id.clone()),
                Value::Object(o) if o.len() == 1 => {
                    o.get("id").and_then(Value::as_str).map(str::to_owned)
                }
                _ => None,
            };
            if let Some(id) = id {
                let found = account
                    .roles
                    .iter()
                    .find(|r| r.id.as_str() == id)
                    .ok_or_else(|| {
                        invalid(format!("{at}/roles/{i}"), format!("unknown role {id:?}"))
                    })?;
                *role = serde_json::to_value(found).map_err(|e| invalid(at, e))?;
            }
        }
    }
    fill_policies(obj, account, at)?;
    let mut member: Member = serde_json::from_value(value).map_err(|e| invalid(at, e))?;
    if member.id.is_none() {
        member.id = Some(MemberId::from_server(random_id()));
    }
    if let Some(id) = &member.id {
        id.check().map_err(|e| invalid(format!("{at}/id"), e))?;
    }
    if member.email.is_none() {
        member.email = member.user.as_ref().map(|u| u.email.clone());
    }
    if member.email.is_none() {
        return Err(invalid(at, "a member needs `email` or `user.email`"));
    }
    Ok(member)
}

/// Replaces each `{"id": …}` of a policy's groups under `key` with the
/// group `find` gives from the catalogue; an unknown id is an error naming
/// its place (`<at>/<key>/<index>`).
fn fill_groups<T: Serialize>(
    policy: &mut serde_json::Map<String, Value>,
    key: &str,
    at: &str,
    find: impl Fn(&str) -> Option<T>,
) -> Result<(), SeedError> {
    let Some(Value::Array(groups)) = policy.get_mut(key) else {
        return Ok(());
    };
    let what = key.trim_end_matches('s').replace('_', " ");
    for (g, group) in groups.iter_mut().enumerate() {
        if let Some(id) = bare_id(group) {
            let found = find(&id).ok_or_else(|| {
                invalid(format!("{at}/{key}/{g}"), format!("unknown {what} {id:?}"))
            })?;
            *group = serde_json::to_value(found).map_err(|e| invalid(at, e))?;
        }
    }
    Ok(())
}

fn bare_id(group: &Value) -> Option<String> {
    match group {
        Value::Object(o) if o.len() == 1 => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}
